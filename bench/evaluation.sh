#!/usr/bin/env bash
# The units' yearly assessment (issue 12, part 4) at scale, on SQLite and on PostgreSQL, one
# after the other: 200 units and a year's data — N items, N applications, N messages, N cases
# and N/5 ratings (`gongkai evaluation-bench`), spread unevenly over the units, a few percent
# late or open past their due date — then `gongkai evaluation` (every unit's scorecard, ranked:
# the same function as /admin/evaluation) RUNS times. The time printed by the command covers
# the grouped queries and the scoring (target: < 5 s); the whole process is timed beside it.
#
# Usage: bench/evaluation.sh [N] [RUNS]   (default 1000000, 5; BACKENDS="sqlite postgres").
# PostgreSQL: postgres://postgres@127.0.0.1:5432, database gongkai_eval_N, vacuumed after the
# load as autovacuum would. The loaded data is kept in target/bench-evaluation-N (and that
# database) for the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${2:-5}
cargo build --release -q --bin gongkai
gk=${CARGO_TARGET_DIR:-$PWD/target}/release/gongkai
keep=$PWD/target/bench-evaluation-$n
mkdir -p "$keep"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stat() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "median %s ms, slowest %s ms", v[int((NR + 1) / 2)], v[NR] }'; }
for backend in ${BACKENDS:-sqlite postgres}; do
  pgdb=gongkai_eval_$n
  if [ "$backend" = postgres ]; then db=(--database "postgres://postgres@127.0.0.1:5432/$pgdb"); else db=(); fi
  data=(--data "$keep/$backend")
  echo
  echo "### $backend: 200 units, $n each of items, applications, messages and cases, $((n / 5)) ratings ($(date -u +%Y-%m-%d), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
  echo
  if [ ! -f "$keep/$backend.done" ]; then
    rm -rf "$keep/$backend"
    if [ "$backend" = postgres ]; then
      psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $pgdb" -c "CREATE DATABASE $pgdb"
    fi
    "$gk" demo --items 0 "${data[@]}" "${db[@]}" > /dev/null
    start=$(date +%s)
    "$gk" evaluation-bench "${data[@]}" "${db[@]}" --units 200 --rows "$n" --today 2026-12-01 2> /dev/null
    echo "loaded in $(( $(date +%s) - start )) s"
    if [ "$backend" = postgres ]; then psql -q -h 127.0.0.1 -U postgres -d "$pgdb" -c 'VACUUM ANALYZE'; fi
    touch "$keep/$backend.done"
  fi
  rm -f "$tmp/score" "$tmp/proc"
  for i in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    "$gk" evaluation "${data[@]}" "${db[@]}" --year 2026 --today 2026-12-01 > "$tmp/out" 2> "$tmp/err"
    end=$(date +%s%N)
    grep -o '算分用时 [0-9]* ms' "$tmp/err" | grep -o '[0-9]*' >> "$tmp/score"
    echo $(( (end - start) / 1000000 )) >> "$tmp/proc"
  done
  cat "$tmp/err"
  echo "scorecards of every unit: $(stat "$tmp/score"); whole process: $(stat "$tmp/proc")"
  echo "top of the ranking:"
  sed -n 2,5p "$tmp/out"
done
