//! The site's files (WASM chunks, JS, CSS) under `/pkg/`.
//!
//! A release binary carries them inside itself (`server/build.rs` embeds what
//! `scripts/build-site.sh release` built), so it runs from any folder alone;
//! `LEPTOS_SITE_ROOT` points at a built folder instead, for development.
//! Pages link the files under `/pkg/<build id>/`, a path that changes whenever
//! their content does, so those answers are cached for a year; `/pkg/<file>`
//! without the id (the OAuth result page's stylesheet) is revalidated each
//! time. A client that accepts brotli or gzip gets the precompressed body.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Arc,
};

use anyhow::Context as _;
use axum::{
    Router,
    body::Body,
    extract::{FromRef, Path as UrlPath, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse as _, Response},
    routing::get,
};

/// One file built into the binary, with its precompressed bodies.
#[derive(Debug)]
pub struct Embedded {
    /// File name inside `pkg/`.
    pub name: &'static str,
    /// The file as built.
    pub body: &'static [u8],
    /// Brotli-compressed body, when the build made one.
    pub br: Option<&'static [u8]>,
    /// Gzip-compressed body, when the build made one.
    pub gzip: Option<&'static [u8]>,
}

mod embedded {
    use super::Embedded;
    include!(concat!(env!("OUT_DIR"), "/site.rs"));
}

/// The split loader's manifest: which WASM chunks each lazy page needs.
const MANIFEST: &str = "__wasm_split_manifest.json";
/// The split loader's script, as `tools/wasm-split` names it.
const SPLIT_JS: &str = "__wasm_split.______________________.js";
/// A year: the longest lifetime caches honour.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Where the site's files come from. Cheap to clone.
#[derive(Clone)]
pub struct Site {
    inner: Arc<Inner>,
}

struct Inner {
    id: String,
    source: Source,
    manifest: Option<HashMap<String, Vec<String>>>,
}

enum Source {
    Embedded(&'static [Embedded]),
    Folder(PathBuf),
    Absent,
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.inner.source {
            Source::Embedded(files) => format!("embedded ({} files)", files.len()),
            Source::Folder(dir) => dir.display().to_string(),
            Source::Absent => "absent".to_owned(),
        };
        f.debug_struct("Site")
            .field("id", &self.inner.id)
            .field("source", &source)
            .finish()
    }
}

/// A file's bodies, borrowed from the binary or read from the folder.
struct File {
    body: Body,
    br: Option<Body>,
    gzip: Option<Body>,
}

impl Site {
    /// The site in `root` (`LEPTOS_SITE_ROOT`), else the one inside the
    /// binary. A binary built without one still serves every page, without
    /// hydration; it says so once.
    pub fn load(root: Option<&Path>) -> anyhow::Result<Self> {
        let (id, source) = match root {
            Some(root) => {
                let pkg = root.join("pkg");
                let id_file = pkg.join("build-id");
                let id = std::fs::read_to_string(&id_file).with_context(|| {
                    format!(
                        "LEPTOS_SITE_ROOT={}: cannot read {} (build the site with \
                         scripts/build-site.sh)",
                        root.display(),
                        id_file.display()
                    )
                })?;
                let id = id.trim().to_owned();
                anyhow::ensure!(
                    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()),
                    "{}: the build id must be letters and digits",
                    id_file.display()
                );
                (id, Source::Folder(pkg))
            }
            None => match embedded::BUILD_ID {
                Some(id) => (id.to_owned(), Source::Embedded(embedded::FILES)),
                None => {
                    tracing::warn!(
                        "this binary has no site inside it and LEPTOS_SITE_ROOT is not set: \
                         pages render but do not hydrate (build with scripts/build-site.sh)"
                    );
                    ("none".to_owned(), Source::Absent)
                }
            },
        };
        let manifest = match source.read(MANIFEST)? {
            Some(bytes) => Some(
                serde_json::from_slice(&bytes)
                    .with_context(|| format!("the site's {MANIFEST} is not a chunk manifest"))?,
            ),
            None => None,
        };
        Ok(Self {
            inner: Arc::new(Inner {
                id,
                source,
                manifest,
            }),
        })
    }

    /// Whether the files come from inside the binary.
    pub fn is_embedded(&self) -> bool {
        matches!(self.inner.source, Source::Embedded(_))
    }

    /// Leptos' `site_pkg_dir`: where pages link the bundle.
    pub fn pkg_dir(&self) -> String {
        format!("pkg/{}", self.inner.id)
    }

    /// The chunk manifest as leptos_axum reads it from context, so a page's
    /// HTML preloads the chunks its lazy route needs. (Leptos itself would
    /// read it from a file beside the site, which an embedded site lacks.)
    pub fn split_manifest(&self) -> Option<leptos::WasmSplitManifest> {
        let manifest = self.inner.manifest.clone()?;
        Some(leptos::WasmSplitManifest(
            leptos::prelude::ArcStoredValue::new((
                format!("/{}", self.pkg_dir()),
                manifest,
                SPLIT_JS.to_owned(),
            )),
        ))
    }

    async fn file(&self, name: &str) -> Option<File> {
        match &self.inner.source {
            Source::Embedded(files) => {
                let f = files.iter().find(|f| f.name == name)?;
                Some(File {
                    body: Body::from(f.body),
                    br: f.br.map(Body::from),
                    gzip: f.gzip.map(Body::from),
                })
            }
            Source::Folder(dir) => {
                let read = |suffix: &str| tokio::fs::read(dir.join(format!("{name}{suffix}")));
                let body = read("").await.ok()?;
                Some(File {
                    body: Body::from(body),
                    br: read(".br").await.ok().map(Body::from),
                    gzip: read(".gz").await.ok().map(Body::from),
                })
            }
            Source::Absent => None,
        }
    }
}

impl Source {
    /// A file read at start-up; `None` when the site has no such file.
    fn read(&self, name: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match self {
            Source::Embedded(files) => Ok(files
                .iter()
                .find(|f| f.name == name)
                .map(|f| f.body.to_vec())),
            Source::Folder(dir) => match std::fs::read(dir.join(name)) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e).with_context(|| format!("reading {}", dir.join(name).display())),
            },
            Source::Absent => Ok(None),
        }
    }
}

/// `/pkg/…`, for any router state that holds a [`Site`].
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Site: FromRef<S>,
{
    Router::new().route("/pkg/{*path}", get(serve))
}

async fn serve(
    State(site): State<Site>,
    UrlPath(path): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let (name, immutable) = match path.split_once('/') {
        Some((id, name)) if id == site.inner.id => (name, true),
        Some(_) => return StatusCode::NOT_FOUND.into_response(),
        None => (path.as_str(), false),
    };
    if !is_file_name(name) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(file) = site.file(name).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let varies = file.br.is_some() || file.gzip.is_some();
    let (body, encoding) = match (file.br, file.gzip) {
        (Some(br), _) if accepts(accept, "br") => (br, Some("br")),
        (_, Some(gz)) if accepts(accept, "gzip") => (gz, Some("gzip")),
        _ => (file.body, None),
    };
    let etag = format!("\"{}-{}\"", site.inner.id, encoding.unwrap_or("identity"));
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(body)
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(name)),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable { IMMUTABLE } else { "no-cache" }),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(e) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
    }
    if varies {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// A plain file name: no folders, no dot files, nothing to escape.
fn is_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// Whether an `Accept-Encoding` value allows `coding` (RFC 9110 §12.5.3):
/// named, or covered by `*`, with a weight above zero.
fn accepts(header: &str, coding: &str) -> bool {
    let mut star = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let weight = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case(coding) {
            return weight > 0.0;
        }
        if name == "*" {
            star = Some(weight > 0.0);
        }
    }
    star.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_honours_names_weights_and_star() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip, deflate, br, zstd", "gzip"));
        assert!(!accepts("gzip", "br"));
        assert!(!accepts("", "gzip"));
        assert!(!accepts("br;q=0, gzip", "br"));
        assert!(accepts("br;q=0.5", "br"));
        assert!(accepts("*", "br"));
        assert!(!accepts("*, br;q=0", "br"));
        assert!(!accepts("*;q=0", "gzip"));
        assert!(accepts("GZIP", "gzip"));
    }

    #[test]
    fn only_plain_file_names_are_served() {
        assert!(is_file_name("tally_bg.wasm"));
        assert!(is_file_name("__wasm_split.______________________.js"));
        assert!(!is_file_name(""));
        assert!(!is_file_name(".."));
        assert!(!is_file_name(".build-id"));
        assert!(!is_file_name("a/b.js"));
        assert!(!is_file_name("a%2Fb.js"));
        assert!(!is_file_name("a\\b.js"));
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("tally.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("chunk_1.wasm"), "application/wasm");
        assert_eq!(content_type("tally.css"), "text/css; charset=utf-8");
        assert_eq!(content_type(MANIFEST), "application/json");
        assert_eq!(content_type("build-id"), "application/octet-stream");
    }

    #[test]
    fn a_site_root_without_a_build_id_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let err = Site::load(Some(dir.path())).unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("LEPTOS_SITE_ROOT"), "{text}");
        assert!(text.contains("build-id"), "{text}");
    }

    #[test]
    fn a_folder_site_reads_its_id_and_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("pkg");
        std::fs::create_dir(&pkg).unwrap();
        std::fs::write(pkg.join("build-id"), "abc123\n").unwrap();
        std::fs::write(pkg.join(MANIFEST), r#"{"__login": ["chunk_1"]}"#).unwrap();
        let site = Site::load(Some(dir.path())).unwrap();
        assert_eq!(site.pkg_dir(), "pkg/abc123");
        assert!(!site.is_embedded());
        assert!(site.split_manifest().is_some());

        std::fs::write(pkg.join(MANIFEST), "not json").unwrap();
        let err = format!("{:#}", Site::load(Some(dir.path())).unwrap_err());
        assert!(err.contains(MANIFEST), "{err}");
    }
}
