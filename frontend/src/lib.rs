//! The browser entry point. It exists only so the WASM bundle has exactly one
//! exported function; everything it renders lives in `app`.

use leptos::prelude::document;

/// Called by the generated JS loader once the WASM module is instantiated.
///
/// Hydrates asynchronously (what `leptos::mount::hydrate_lazy` does): the
/// pages are lazy routes (`app::routes`), whose WASM chunks may still be on
/// their way. Once the whole page, routed view included, is live, `<body>`
/// gets `data-hydrated`, so end-to-end tests act on a live page, not its HTML.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let Some(body) = document().body() else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        let _ = body.set_attribute("data-hydrated", "");
    });
}
