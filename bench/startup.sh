#!/usr/bin/env bash
# Start-up time of `gongkai serve`: from exec to the first successful GET /healthz, on SQLite and
# on PostgreSQL, with an already-migrated database holding the demo district (the normal restart
# case) and with an empty one (first start: migrations + demo load). Writes a Markdown table to
# stdout; paste it into docs/BENCHMARKS.md with the machine and the date.
#
# Usage: bench/startup.sh [RUNS]   (default 10; needs a release build and curl)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
bin=target/release/gongkai
[ -x "$bin" ] || cargo build --release
pg=${GONGKAI_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
port=18931

now_ms() { date +%s%3N; }

# one start: prints milliseconds until /healthz answers 200
start_once() {
  local t0 t1 pid
  t0=$(now_ms)
  "$bin" serve --addr 127.0.0.1:$port "$@" >/dev/null 2>&1 &
  pid=$!
  until curl -sf -o /dev/null http://127.0.0.1:$port/healthz; do sleep 0.005; done
  t1=$(now_ms)
  kill -TERM $pid; wait $pid || true
  echo $((t1 - t0))
}

stats() { sort -n | awk '{a[NR]=$1} END {printf "%d | %d | %d", a[1], a[int((NR+1)/2)], a[NR]}'; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| backend | case | runs | min ms | median ms | max ms |"
echo "|---|---|---|---|---|---|"

first_sqlite=$(for i in $(seq 1 "$runs"); do start_once --demo --data "$tmp/first$i"; done | stats)
echo "| SQLite | first start (migrate + demo) | $runs | $first_sqlite |"
"$bin" demo --data "$tmp/warm" >/dev/null
warm_sqlite=$(for i in $(seq 1 "$runs"); do start_once --data "$tmp/warm"; done | stats)
echo "| SQLite | restart | $runs | $warm_sqlite |"

schema_url() { echo "$pg?options=-c%20search_path%3D$1"; }
psql_cmd() { psql "$pg" -q -c "$1" >/dev/null 2>&1; }
first_pg=$(for i in $(seq 1 "$runs"); do
  s=gk_bench_$$_$i; psql_cmd "CREATE SCHEMA $s"
  start_once --demo --database "$(schema_url $s)"
  psql_cmd "DROP SCHEMA $s CASCADE"
done | stats)
echo "| PostgreSQL | first start (migrate + demo) | $runs | $first_pg |"
s=gk_bench_$$_warm; psql_cmd "CREATE SCHEMA $s"
"$bin" demo --database "$(schema_url $s)" >/dev/null
warm_pg=$(for i in $(seq 1 "$runs"); do start_once --database "$(schema_url $s)"; done | stats)
psql_cmd "DROP SCHEMA $s CASCADE"
echo "| PostgreSQL | restart | $runs | $warm_pg |"
