#!/usr/bin/env bash
# Issue 13's hostile files against a release server on SQLite (bench/hostile.py), with the
# server's peak memory and the slowest /healthz answer while they are processed.
# Usage: bench/hostile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin gongkai
tmp=$(mktemp -d)
trap 'kill $srv 2>/dev/null || true; rm -rf "$tmp"' EXIT
target/release/gongkai serve --demo --data "$tmp/data" --addr 127.0.0.1:18961 > "$tmp/serve.log" 2>&1 &
srv=$!
until curl -sf -o /dev/null http://127.0.0.1:18961/healthz; do sleep 0.2; done
python3 bench/hostile.py http://127.0.0.1:18961 "$srv"
