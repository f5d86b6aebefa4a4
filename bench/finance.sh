#!/usr/bin/env bash
# Public finance (issue 14) on SQLite and on PostgreSQL, one after the other:
#  1. import and full validation of a department budget workbook (the nine national tables)
#     with 2,000 项 lines (`gongkai finance sample --leaves 2000`): `gongkai finance import`
#     RUNS times checking only (--dry-run) and RUNS times storing; the command's own time
#     (reading the XLSX, every rule, storing) and the whole process (target: < 1 s);
#  2. the district view /finance over 200 units × 10 years of published budgets
#     (`gongkai finance-bench`), wrk -t2 -c8 (target: p99 < 50 ms);
#  3. the function treemap SVG of the 2,000-项 budget, every 项 drawn
#     (/finance/{id}/function.svg?depth=3), wrk -t1 -c1 (target: < 20 ms).
#
# Usage: bench/finance.sh [RUNS] [SECONDS]   (default 5 and 10; BACKENDS="sqlite postgres";
# installs wrk from Debian if absent). PostgreSQL: postgres://postgres@127.0.0.1:5432, database
# gongkai_finance_bench, vacuumed after the load. Data kept in target/bench-finance.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
secs=${2:-10}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q --bin gongkai
gk=${CARGO_TARGET_DIR:-$PWD/target}/release/gongkai
keep=$PWD/target/bench-finance
mkdir -p "$keep"
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
stat() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "median %s ms, slowest %s ms", v[int((NR + 1) / 2)], v[NR] }'; }
"$gk" finance sample --leaves 2000 --output "$keep/budget-2000.xlsx" --codes-output "$keep/codes-2000.csv" > /dev/null
echo "workbook: $(du -k "$keep/budget-2000.xlsx" | cut -f1) KB, $(wc -l < "$keep/codes-2000.csv") codes"
port=18971
for backend in ${BACKENDS:-sqlite postgres}; do
  pgdb=gongkai_finance_bench
  if [ "$backend" = postgres ]; then db=(--database "postgres://postgres@127.0.0.1:5432/$pgdb"); else db=(); fi
  data=(--data "$keep/$backend")
  echo
  echo "### $backend ($(date -u +%Y-%m-%d), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
  echo
  if [ ! -f "$keep/$backend.done" ]; then
    rm -rf "$keep/$backend"
    if [ "$backend" = postgres ]; then
      psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $pgdb" -c "CREATE DATABASE $pgdb"
    fi
    "$gk" demo --items 0 "${data[@]}" "${db[@]}" > /dev/null
    start=$(date +%s)
    "$gk" finance-bench "${data[@]}" "${db[@]}" --units 200 --years 10 --last 2026 2> /dev/null
    echo "loaded 200 units × 10 years of published budgets in $(( $(date +%s) - start )) s"
    "$gk" finance codes import "$keep/codes-2000.csv" --year 2026 "${data[@]}" "${db[@]}" > /dev/null
    if [ "$backend" = postgres ]; then psql -q -h 127.0.0.1 -U postgres -d "$pgdb" -c 'VACUUM ANALYZE'; fi
    touch "$keep/$backend.done"
  fi
  for mode in dry-run store; do
    rm -f "$tmp/cmd" "$tmp/proc"
    extra=(); [ "$mode" = dry-run ] && extra=(--dry-run)
    for i in $(seq 1 "$runs"); do
      start=$(date +%s%N)
      "$gk" finance import "$keep/budget-2000.xlsx" --unit CZJ --year 2026 --approved-on 2026-02-20 "${extra[@]}" "${data[@]}" "${db[@]}" > "$tmp/out" 2> "$tmp/err"
      end=$(date +%s%N)
      grep -o '用时 [0-9.]* ms' "$tmp/err" | grep -o '[0-9.]*' >> "$tmp/cmd"
      echo $(( (end - start) / 1000000 )) >> "$tmp/proc"
    done
    echo "import of the 2,000-项 workbook ($mode): $(stat "$tmp/cmd"); whole process: $(stat "$tmp/proc")"
  done
  head -1 "$tmp/out"
  id=$(grep -o 'sets/[0-9]*' "$tmp/out" | grep -o '[0-9]*')
  # the stored draft is marked published directly in the database: this measures reading the
  # chart of a 2,000-项 set, not the review workflow (tested in tests/it/finance.rs)
  if [ "$backend" = postgres ]; then
    psql -q -h 127.0.0.1 -U postgres -d "$pgdb" -c "UPDATE finance_sets SET state = 'published', published_at = changed_at WHERE id = $id"
  else
    sqlite3 "$keep/$backend/gongkai.db" "UPDATE finance_sets SET state = 'published', published_at = changed_at WHERE id = $id" 2>/dev/null \
      || python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE finance_sets SET state = 'published', published_at = changed_at WHERE id = ?\", (int(sys.argv[2]),)); c.commit()" "$keep/$backend/gongkai.db" "$id"
  fi
  port=$((port + 1))
  "$gk" serve "${data[@]}" "${db[@]}" --addr 127.0.0.1:$port > "$tmp/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done
  sets=$(curl -s "http://127.0.0.1:$port/finance?year=2026" | grep -c 'href="/finance/[0-9]*">' || true)
  echo "district view: $sets linked figures on the page"
  for target in "/finance?year=2026 8 2" "/finance/$id/function.svg?depth=3 1 1"; do
    set -- $target
    curl -s -o "$tmp/body" -w "%{http_code} %{size_download} bytes" "http://127.0.0.1:$port$1" > "$tmp/code"
    wrk -t"$3" -c"$2" -d"${secs}s" --latency "http://127.0.0.1:$port$1" > "$tmp/wrk"
    printf '%s (%s): %s req/s, p50 %s, p99 %s, errors %s\n' "$1" "$(cat "$tmp/code")" \
      "$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk")" "$(awk '$1 == "50%" {print $2}' "$tmp/wrk")" \
      "$(awk '$1 == "99%" {print $2}' "$tmp/wrk")" "$(grep -o 'Non-2xx or 3xx responses: [0-9]*' "$tmp/wrk" | grep -o '[0-9]*$' || echo 0)"
  done
  echo "treemap rectangles: $(grep -o '<rect' "$tmp/body" | wc -l)"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
