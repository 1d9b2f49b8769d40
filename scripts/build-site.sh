#!/usr/bin/env bash
# Builds the WASM bundle, the stylesheet and the server for one profile.
#   scripts/build-site.sh release        -> target/site/release, target/release/tally (production)
#   scripts/build-site.sh release demo   -> the same, the tally binary with the demo sandbox
#   scripts/build-site.sh debug          -> target/site/debug,   target/debug/tally (with demo)
# (under $CARGO_TARGET_DIR instead of target/ when that is set)
# A release tally carries its site inside itself (server/build.rs embeds
# pkg/ through TALLY_EMBED_SITE); a debug one reads LEPTOS_SITE_ROOT.
# The site and the server must come from the same profile: a debug bundle
# against a release server (or the reverse) fails to hydrate.
# This is what cargo-leptos does (with --split), with tools that install offline:
#   1. cargo links frontend.wasm with its relocations kept (--emit-relocs, on
#      the final link only, so dependencies stay cached);
#   2. tally-wasm-split (tools/wasm-split) cuts it at the #[lazy_route] pages
#      (app/src/routes.rs): the main module, one chunk per page and the chunks
#      pages share, the chunk loader and __wasm_split_manifest.json;
#   3. wasm-bindgen makes the main module's JS glue;
#   4. release only: wasm-opt -Oz on the main module and every chunk;
#   5. release only: brotli and gzip siblings of every file (Node's zlib).
# Pages link the bundle under /pkg/<build id>/, the id a hash of the linked
# WASM and the stylesheet, so a new build never meets a cached old file.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-release}
variant=${2:-production}
target=${CARGO_TARGET_DIR:-target}
site=$target/site/$profile
pkg=$site/pkg
mkdir -p "$pkg"

usage() { echo "usage: $0 release|debug [demo|production]" >&2; exit 2; }
case "$profile" in
  release) wasm_profile=wasm-release; server_flags=(--release) ;;
  debug) wasm_profile=dev; server_flags=(); variant=demo ;;
  *) usage ;;
esac
case "$variant" in
  demo) ;;
  production) server_flags+=(--no-default-features) ;;
  *) usage ;;
esac
wasm_dir=$([ "$wasm_profile" = dev ] && echo debug || echo "$wasm_profile")
split_tool=.tools/bin/tally-wasm-split
[ -x "$split_tool" ] || { echo "build-site: $split_tool is missing; run scripts/bootstrap.sh" >&2; exit 1; }

# No --cfg erase_components here: it changes the hydration markers the view
# macro emits, so the server would need it too (see bench/README.md, 6a).
cargo rustc -p frontend --lib --target wasm32-unknown-unknown --profile "$wasm_profile" \
  -- -Clink-args=--emit-relocs

wasm=$target/wasm32-unknown-unknown/$wasm_dir/frontend.wasm
id=$(cat "$wasm" style/main.css | sha256sum | cut -c1-16)

# Files of an earlier build must not linger next to this one's.
rm -f "$pkg"/*
split_dir=$target/wasm-split/$profile
mkdir -p "$split_dir"
"$split_tool" "$wasm" "$pkg" "$split_dir/main.wasm" "/pkg/$id/tally.js" >/dev/null
wasm-bindgen --target web --no-typescript --keep-lld-exports --out-dir "$pkg" --out-name tally \
  "$split_dir/main.wasm"
if [ "$profile" = release ]; then
  # One wasm-opt per file, as many at once as there are cores.
  find "$pkg" -maxdepth 1 -name '*.wasm' -print0 | xargs -0 -P "$(nproc)" -I{} \
    .tools/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types -o {} {} 2>/dev/null
fi
cp style/main.css "$pkg/tally.css"
echo "$id" > "$pkg/build-id"
if [ "$profile" = release ]; then
  node -e '
    const fs = require("fs"), path = require("path"), zlib = require("zlib");
    const dir = process.argv[1];
    for (const name of fs.readdirSync(dir)) {
      if (name === "build-id") continue;
      const body = fs.readFileSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name + ".br"), zlib.brotliCompressSync(body, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
                  [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }));
      fs.writeFileSync(path.join(dir, name + ".gz"), zlib.gzipSync(body, { level: 9 }));
    }' "$pkg"
  export TALLY_EMBED_SITE=$(cd "$pkg" && pwd)
fi
cargo build -p server --bin tally "${server_flags[@]}"
