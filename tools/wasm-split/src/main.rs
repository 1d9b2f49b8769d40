//! Splits the site's WASM at its `#[lazy_route]` split points.
//!
//! Exists because the split step lives in cargo-leptos (`--split`), which we
//! do not use: this is that step alone. Input is the module cargo linked with
//! `-Clink-args=--emit-relocs`; output, in one directory, is the main module
//! (still to go through wasm-bindgen), one `.wasm` per chunk, the JS loader
//! the chunks are fetched through, and `__wasm_split_manifest.json`, which
//! `HydrationScripts` reads to preload the chunks a page needs.
//!
//! Usage: `tally-wasm-split INPUT.wasm OUT_DIR MAIN_OUT.wasm MAIN_MODULE_URL`

use std::{collections::BTreeMap, path::Path, process::ExitCode};

/// The loader file name Leptos' `HydrationScripts` links to when file hashing
/// is off; the chunks import their loader under this name.
const LINK_NAME: &str = "./__wasm_split.______________________.js";

fn run(args: &[String]) -> Result<(), String> {
    let [input, out_dir, main_out, main_module] = args else {
        return Err(
            "usage: tally-wasm-split INPUT.wasm OUT_DIR MAIN_OUT.wasm MAIN_MODULE_URL".into(),
        );
    };
    let wasm = std::fs::read(input).map_err(|e| format!("reading {input}: {e}"))?;
    let mut opts = wasm_split_cli_support::Options::new(&wasm);
    opts.output_dir = Path::new(out_dir);
    opts.main_out_path = Path::new(main_out);
    opts.main_module = main_module;
    opts.link_name = LINK_NAME;
    let split =
        wasm_split_cli_support::transform(opts).map_err(|e| format!("splitting {input}: {e:#}"))?;
    // Sorted, so the same build writes the same manifest.
    let manifest: BTreeMap<_, _> = split.prefetch_map.into_iter().collect();
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    let path = Path::new(out_dir).join("__wasm_split_manifest.json");
    std::fs::write(&path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
    for module in &split.split_modules {
        println!("{}", module.display());
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tally-wasm-split: {e}");
            ExitCode::FAILURE
        }
    }
}
