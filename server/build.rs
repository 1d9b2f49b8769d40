//! Puts the built site inside the binary.
//!
//! `scripts/build-site.sh release` sets `TALLY_EMBED_SITE` to the folder it
//! built (`target/site/release/pkg`: WASM chunks, JS, CSS, each with `.br`
//! and `.gz` siblings, and `build-id`). This script writes `site.rs` into
//! `OUT_DIR`: the build id and one `include_bytes!` per file, which
//! `http::assets` serves. Without the variable (debug builds, tests,
//! clippy) nothing is embedded and the server reads `LEPTOS_SITE_ROOT`.

use std::{env, fmt::Write as _, fs, path::PathBuf};

fn main() {
    println!("cargo::rerun-if-env-changed=TALLY_EMBED_SITE");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("site.rs");
    let code = match env::var_os("TALLY_EMBED_SITE").filter(|v| !v.is_empty()) {
        None => "pub const BUILD_ID: Option<&str> = None;\npub static FILES: &[Embedded] = &[];\n"
            .to_owned(),
        Some(dir) => embed(PathBuf::from(dir)),
    };
    fs::write(&out, code).expect("writing site.rs into OUT_DIR");
}

fn embed(dir: PathBuf) -> String {
    println!("cargo::rerun-if-changed={}", dir.display());
    let dir = dir
        .canonicalize()
        .unwrap_or_else(|e| panic!("TALLY_EMBED_SITE={}: {e}", dir.display()));
    let id_file = dir.join("build-id");
    let id = fs::read_to_string(&id_file).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (build the site with scripts/build-site.sh)",
            id_file.display()
        )
    });
    let id = id.trim();
    assert!(
        !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{}: the build id must be letters and digits",
        id_file.display()
    );
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| {
            let entry = entry.ok()?;
            entry.file_type().ok()?.is_file().then_some(())?;
            entry.file_name().into_string().ok()
        })
        .filter(|n| n != "build-id" && !n.ends_with(".br") && !n.ends_with(".gz"))
        .collect();
    names.sort();
    let mut code = format!(
        "pub const BUILD_ID: Option<&str> = Some({id:?});\npub static FILES: &[Embedded] = &[\n"
    );
    for name in names {
        let path = |suffix: &str| dir.join(format!("{name}{suffix}"));
        let variant = |suffix: &str| {
            let p = path(suffix);
            if p.is_file() {
                format!("Some(include_bytes!({:?}))", p.display().to_string())
            } else {
                "None".to_owned()
            }
        };
        let _ = writeln!(
            code,
            "    Embedded {{ name: {name:?}, body: include_bytes!({:?}), br: {}, gzip: {} }},",
            path("").display().to_string(),
            variant(".br"),
            variant(".gz"),
        );
    }
    code.push_str("];\n");
    code
}
