#!/usr/bin/env bash
# The e-supervision scan and the case lists, on SQLite and on PostgreSQL: N open cases (no
# decisions) from `gongkai power-bench corpus`, then the first scan (the backlog), the next
# days' scans (the cases whose level changes that day) and a repeat with nothing to do; then
# in-process renders (uncached) of the unit's case list (first page and a page deep in it) as
# its handler, and of the public power list. On PostgreSQL the tables are analysed after the
# load and after the backlog (`VACUUM ANALYZE`, what autovacuum does).
#
# Usage: bench/power-scan.sh [N]   (default 1000000)
# PostgreSQL: postgres://postgres@127.0.0.1:5432, database gongkai_bench (dropped and created).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
cargo build --release --bin gongkai
gk=target/release/gongkai
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pg=postgres://postgres@127.0.0.1:5432/gongkai_bench
for backend in sqlite postgres; do
  echo "== $backend, $n open cases"
  if [ $backend = postgres ]; then
    psql -q -h 127.0.0.1 -U postgres -d postgres -c 'DROP DATABASE IF EXISTS gongkai_bench' -c 'CREATE DATABASE gongkai_bench'
    db=(--database $pg)
  else
    db=()
  fi
  data=(--data "$tmp/$backend")
  $gk demo --items 0 "${data[@]}" "${db[@]}" > /dev/null
  /usr/bin/time -f "corpus loaded in %e s" $gk power-bench corpus "${data[@]}" "${db[@]}" --cases "$n" --decisions 0 --today 2026-12-01 2> >(grep -v '^$' | tr '\r' '\n' | tail -1 >&2)
  vacuum() { [ $backend = postgres ] && psql -q -h 127.0.0.1 -U postgres -d gongkai_bench -c 'VACUUM ANALYZE' || true; }
  vacuum
  for day in 2026-12-01 vacuum 2026-12-02 2026-12-02 2026-12-03 vacuum 2026-12-04; do
    if [ $day = vacuum ]; then vacuum; continue; fi
    /usr/bin/time -f "  scan $day: %e s wall" $gk supervision scan "${data[@]}" "${db[@]}" --today $day
  done
  $gk power-bench render "${data[@]}" "${db[@]}" --n 300 --as sjj_handler --path "/admin/units/{unit}/cases" | head -1
  $gk power-bench render "${data[@]}" "${db[@]}" --n 300 --as sjj_handler --path "/admin/units/{unit}/cases?before=$((n / 2))" | head -1
  $gk power-bench render "${data[@]}" "${db[@]}" --n 300 --path "/powers" | head -1
done
