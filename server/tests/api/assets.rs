//! The site's files as pages link them: under the build id, typed, cached
//! for a year, precompressed when the client accepts it; a folder named by
//! `LEPTOS_SITE_ROOT` (development) is served like the embedded site.

use server::db::Backend;

use crate::helpers::{client, spawn_app};

const ID: &str = "0123456789abcdef";

/// A built site as `scripts/build-site.sh` leaves it, with made-up bodies
/// whose compressed siblings differ from them, so the test sees which came.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(pkg.join("build-id"), format!("{ID}\n")).unwrap();
    std::fs::write(pkg.join("tally.js"), "export default 1;").unwrap();
    std::fs::write(pkg.join("tally.js.br"), "brotli body").unwrap();
    std::fs::write(pkg.join("tally.js.gz"), "gzip body").unwrap();
    std::fs::write(pkg.join("tally_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(pkg.join("tally.css"), "body{}").unwrap();
    std::fs::write(
        pkg.join("__wasm_split_manifest.json"),
        r#"{"__login_route_view_1": ["chunk_1"]}"#,
    )
    .unwrap();
    std::fs::write(pkg.join("chunk_1.wasm"), b"\0asm\x01\0\0\0").unwrap();
    dir
}

async fn get(url: String, accept: &str) -> reqwest::Response {
    let mut r = client().get(url);
    if !accept.is_empty() {
        r = r.header("accept-encoding", accept);
    }
    r.send().await.unwrap()
}

#[tokio::test]
async fn pages_link_the_bundle_under_its_build_id_and_it_is_served_cached_and_compressed() {
    let site = site();
    let root = site.path().display().to_string();
    let Some(app) = spawn_app(Backend::Sqlite, &["--site-root", &root]).await else {
        return;
    };

    let html = client()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for link in [
        format!("href=\"/pkg/{ID}/tally.js\""),
        format!("href=\"/pkg/{ID}/tally_bg.wasm\""),
        format!("href=\"/pkg/{ID}/tally.css\""),
    ] {
        assert!(html.contains(&link), "the login page links {link}");
    }
    // (That a page preloads its lazy chunks from the manifest needs the real
    // chunk names; end2end/tests/site.spec.ts checks it on the built site.)

    let js = |accept: &'static str| get(app.url(&format!("/pkg/{ID}/tally.js")), accept);
    let r = js("gzip, deflate, br").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(r.headers()["content-encoding"], "br");
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(r.headers()["vary"], "accept-encoding");
    assert_eq!(r.text().await.unwrap(), "brotli body");

    let r = js("gzip").await;
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(r.text().await.unwrap(), "gzip body");

    let r = js("").await;
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(r.text().await.unwrap(), "export default 1;");

    let r = get(app.url(&format!("/pkg/{ID}/tally_bg.wasm")), "br").await;
    assert_eq!(r.headers()["content-type"], "application/wasm");
    // No compressed sibling: the plain body, whatever the client accepts.
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"\0asm\x01\0\0\0");

    // Without the id: revalidated every time, and unchanged files cost nothing.
    let r = get(app.url("/pkg/tally.css"), "").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let r = client()
        .get(app.url("/pkg/tally.css"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);

    // Another build's id, a missing file, a way out of the folder: not found.
    for path in [
        "/pkg/ffffffffffffffff/tally.js".to_owned(),
        format!("/pkg/{ID}/nope.js"),
        format!("/pkg/{ID}/..%2Fbuild-id"),
        "/pkg/..%2F..%2FCargo.toml".to_owned(),
    ] {
        assert_eq!(get(app.url(&path), "").await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn a_site_root_that_is_not_a_built_site_stops_start_up_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().display().to_string();
    let config = {
        use clap::Parser as _;
        crate::helpers::Wrapper::try_parse_from([
            "tally",
            "--database-url",
            &format!("sqlite://{root}/tally.db"),
            "--data-dir",
            &root,
            "--site-root",
            &root,
        ])
        .unwrap()
        .raw
        .check()
        .unwrap()
    };
    let err = server::startup::Application::build(config)
        .await
        .unwrap_err();
    let text = format!("{err:#}");
    assert!(text.contains(&format!("LEPTOS_SITE_ROOT={root}")), "{text}");
    assert!(text.contains("build-id"), "{text}");
}
