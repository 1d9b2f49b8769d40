//! The browser entry point. It exists only so the WASM bundle has exactly one
//! exported function; everything it renders lives in `app`.

/// Called by the generated JS loader once the WASM module is instantiated.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
