#!/usr/bin/env bash
# Builds the WASM bundle, the stylesheet and the server for one profile.
#   scripts/build-site.sh release   -> target/site/release, target/release/tally
#   scripts/build-site.sh debug     -> target/site/debug,   target/debug/tally
# (under $CARGO_TARGET_DIR instead of target/ when that is set)
# The site and the server must come from the same profile: a debug bundle
# against a release server (or the reverse) fails to hydrate.
# This is what cargo-leptos does, with tools that install offline.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-release}
target=${CARGO_TARGET_DIR:-target}
site=$target/site/$profile
pkg=$site/pkg
mkdir -p "$pkg"

case "$profile" in
  release) wasm_profile=wasm-release; server_flags=(--release) ;;
  debug) wasm_profile=dev; server_flags=() ;;
  *) echo "usage: $0 release|debug" >&2; exit 2 ;;
esac
wasm_dir=$([ "$wasm_profile" = dev ] && echo debug || echo "$wasm_profile")

cargo build -p frontend --lib --target wasm32-unknown-unknown --profile "$wasm_profile"
wasm-bindgen --target web --no-typescript --out-dir "$pkg" --out-name tally \
  "$target/wasm32-unknown-unknown/$wasm_dir/frontend.wasm"
if [ "$profile" = release ]; then
  .tools/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types \
    -o "$pkg/tally_bg.wasm" "$pkg/tally_bg.wasm"
fi
cp style/main.css "$pkg/tally.css"
cargo build -p server --bin tally "${server_flags[@]}"
