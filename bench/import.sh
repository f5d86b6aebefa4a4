#!/usr/bin/env bash
# Bulk import throughput: N synthetic government items (~1.5 KB each, `gongkai corpus`) imported
# with `gongkai import items` and indexed, into a fresh SQLite data directory (and PostgreSQL
# when GONGKAI_BENCH_POSTGRES is set). Prints what the import reports.
#
# Usage: bench/import.sh [N]   (default 100000; needs a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
cargo build --release -p gongkai   # never a stale binary
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
target/release/gongkai corpus --count "$n" > "$tmp/corpus.jsonl"
echo "corpus: $n items, $(du -h "$tmp/corpus.jsonl" | cut -f1)"
target/release/gongkai demo --items 0 --data "$tmp/sqlite" > /dev/null
echo "SQLite:"
target/release/gongkai import items "$tmp/corpus.jsonl" --data "$tmp/sqlite" 2>/dev/null
if [ -n "${GONGKAI_BENCH_POSTGRES:-}" ]; then
  schema="gk_bench_import_$$"
  psql "$GONGKAI_BENCH_POSTGRES" -q -c "CREATE SCHEMA $schema" 2>/dev/null
  url="$GONGKAI_BENCH_POSTGRES?options=-c%20search_path%3D$schema"
  target/release/gongkai demo --items 0 --database "$url" --data "$tmp/pg" > /dev/null
  echo "PostgreSQL:"
  target/release/gongkai import items "$tmp/corpus.jsonl" --database "$url" --data "$tmp/pg" 2>/dev/null
  psql "$GONGKAI_BENCH_POSTGRES" -q -c "DROP SCHEMA $schema CASCADE" 2>/dev/null
fi
