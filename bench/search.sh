#!/usr/bin/env bash
# Search latency over N synthetic items: gongkai's index beside SQLite FTS5 (trigram tokenizer),
# same corpus, same queries, one run. Prints a Markdown table with both engines' hit counts.
#
# Usage: bench/search.sh [N] [RUNS_PER_QUERY]   (default 1000000 and 20; needs ~10 GB of disk)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${2:-20}
cargo build --release -p gongkai -p gongkai-searchbench
if [ -n "${BENCH_DIR:-}" ]; then tmp=$BENCH_DIR; mkdir -p "$tmp"; else tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT; fi
rm -rf "$tmp/work"   # a fresh index each run (re-adding to an old one would leave deleted documents)
target/release/gongkai corpus --count "$n" > "$tmp/corpus.jsonl"
target/release/gongkai-searchbench "$tmp/corpus.jsonl" "$tmp/work" "$runs"
