#!/usr/bin/env bash
# Search latency over N synthetic items: gongkai beside Xapian (CJK n-grams, python3-xapian) and
# SQLite FTS5 (trigram); same corpus, same queries, one run; every hit count checked against the
# literal count. Extra arguments go to the benchmark (--no-xapian, --no-fts).
#
# Usage: bench/search.sh [N] [RUNS_PER_QUERY] [--no-xapian] [--no-fts]   (default 1000000 and 20)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${2:-20}
cargo build --release -p gongkai -p gongkai-searchbench
if [ -n "${BENCH_DIR:-}" ]; then tmp=$BENCH_DIR; mkdir -p "$tmp"; else tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT; fi
rm -rf "$tmp/work"   # a fresh index each run (re-adding to an old one would leave deleted documents)
target/release/gongkai corpus --count "$n" > "$tmp/corpus.jsonl"
# Debian's python3 (not a pyenv or venv one on PATH) has python3-xapian
export XAPIAN_PYTHON=${XAPIAN_PYTHON:-/usr/bin/python3}
"$XAPIAN_PYTHON" -c "import xapian" 2>/dev/null || { echo "installing python3-xapian" >&2; ${SUDO:-$( [ "$(id -u)" = 0 ] || echo sudo)} apt-get install -y -qq python3-xapian >/dev/null; }
target/release/gongkai-searchbench "$tmp/corpus.jsonl" "$tmp/work" "$runs" "${@:3}"
