#!/usr/bin/env bash
# Installs what building Tally needs, and only what is missing:
#   - the wasm32-unknown-unknown target,
#   - wasm-bindgen-cli at exactly the version Cargo.lock pins,
#   - a working wasm-opt (npm's binaryen, kept in .tools/; Debian's is too old),
#   - tally-wasm-split (tools/wasm-split), which splits the WASM at its lazy routes.
# Safe to run again: a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (found: ${have:-none}); takes about 2 minutes"
  cargo install wasm-bindgen-cli --version "$want"
fi

if [ ! -x .tools/node_modules/.bin/wasm-opt ]; then
  say "installing wasm-opt (npm binaryen 132) into .tools/"
  mkdir -p .tools
  (cd .tools && npm install --no-audit --no-fund --silent binaryen@132 >/dev/null)
fi

# Cuts the WASM at its lazy routes (what cargo-leptos --split does). Reinstalled
# when its source changes.
split_stamp=.tools/tally-wasm-split.src
split_src=$(cat tools/wasm-split/Cargo.toml tools/wasm-split/Cargo.lock tools/wasm-split/src/*.rs | sha256sum | cut -d' ' -f1)
if [ ! -x .tools/bin/tally-wasm-split ] || [ "$(cat "$split_stamp" 2>/dev/null)" != "$split_src" ]; then
  say "installing tally-wasm-split (tools/wasm-split) into .tools/; takes about 2 minutes"
  cargo install --locked --path tools/wasm-split --root .tools --target-dir "${CARGO_TARGET_DIR:-target}/tools"
  echo "$split_src" > "$split_stamp"
fi
