#!/usr/bin/env bash
# Disclosure-application benchmarks, on SQLite and on PostgreSQL, one after the other:
#   1. e-supervision over N open applications (due dates spread over the 120 days around
#      2026-12-01, as for cases in bench/power.sh; received 28 days before): the dashboard's reading — per unit, how many are overdue, due
#      within 7 days or waiting for a consultation, and the first 100 due with the explanation
#      of each due date — median of 5 in-process runs; then the daily alert scan: the first
#      (a backlog: every application already near or past its limit), the next day's, and one
#      with nothing to do (`gongkai supervision scan`, the whole command);
#   2. the annual report of the district (all units summed) with M applications in 2025, nine
#      in ten answered in the year with every outcome of the report: `gongkai report annual`
#      as JSON and as XLSX, the whole command (process start and connection included);
#   3. the answer letter of one application as PDF, through the router in-process (no socket):
#      median and p99 of 200 after 20 warm-up requests.
#
# Usage: bench/applications.sh [N] [M]   (default 1000000 and 100000; BACKENDS="sqlite postgres")
# On PostgreSQL the tables are vacuumed and analysed after the load and after the backlog scan,
# as autovacuum would between two daily scans (as bench/power-scan.sh does).
# PostgreSQL: postgres://postgres@127.0.0.1:5432, database gongkai_bench (dropped and created).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
m=${2:-100000}
cargo build --release --bin gongkai
gk=target/release/gongkai
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for backend in ${BACKENDS:-sqlite postgres}; do
  echo "== $backend: $n open applications, $m in 2025"
  if [ $backend = postgres ]; then
    psql -q -h 127.0.0.1 -U postgres -d postgres -c 'DROP DATABASE IF EXISTS gongkai_bench' -c 'CREATE DATABASE gongkai_bench'
    db=(--database postgres://postgres@127.0.0.1:5432/gongkai_bench)
  else
    db=()
  fi
  data=(--data "$tmp/$backend")
  $gk demo --items 0 "${data[@]}" "${db[@]}" > /dev/null
  start=$(date +%s.%N)
  id=$($gk applications-bench corpus "${data[@]}" "${db[@]}" --open "$n" --year 2025 --year-total "$m" --today 2026-12-01 \
        2> >(tr '\r' '\n' | tail -1 >&2) | sed -n 's/^answered application id: //p')
  echo "corpus loaded in $(echo "$(date +%s.%N) - $start" | bc) s"
  vacuum() { if [ $backend = postgres ]; then psql -q -h 127.0.0.1 -U postgres -d gongkai_bench -c 'VACUUM ANALYZE'; fi; }
  vacuum
  $gk applications-bench dashboard "${data[@]}" "${db[@]}" --today 2026-12-01 --runs 5
  for day in 2026-12-01 2026-12-02 2026-12-02 2026-12-03; do
    $gk supervision scan "${data[@]}" "${db[@]}" --today $day | grep 依申请公开
    [ $day = 2026-12-01 ] && vacuum
  done
  for format in json xlsx; do
    /usr/bin/time -f "annual report (district, $format): %e s, %M KB" \
      $gk report annual "${data[@]}" "${db[@]}" --year 2025 --format $format --output "$tmp/report.$format"
  done
  $gk power-bench render "${data[@]}" "${db[@]}" --path "/admin/applications/$id/letters/answer" --n 200 --as admin | grep '^page'
done
