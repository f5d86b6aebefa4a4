#!/usr/bin/env bash
# Power list benchmarks, on SQLite and on PostgreSQL, one after the other:
#   1. the e-supervision alert scan over N open cases (the demo licence's five task steps, due
#      dates spread over 120 days): the first scan (a backlog: every case already near or past
#      its limit), the next day's scan (the cases whose level changes that day), and a scan
#      with nothing to do;
#   2. a power item page rendered in-process (no socket, no cache) and a 20-step flowchart laid
#      out, median and p99;
#   3. the double-publicity list over N decisions under wrk -c32: the first page (served from
#      the public page cache, as visitors get it) and random deep pages (keyset cursors anywhere
#      in three years, each one new, so every request is rendered from the database).
#
# Usage: bench/power.sh [N] [SECONDS]   (default 1000000 and 15; installs wrk if absent)
# PostgreSQL: postgres://postgres@127.0.0.1:5432, database gongkai_bench (dropped and created).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
secs=${2:-15}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --bin gongkai
gk=target/release/gongkai
tmp=$(mktemp -d)
trap 'kill $srv 2>/dev/null || true; rm -rf "$tmp"' EXIT
srv=
cat > "$tmp/deep.lua" <<'LUA'
math.randomseed(os.time())
request = function()
  local day = os.date("!%Y-%m-%d", os.time({year=2026, month=12, day=1}) - math.random(0, 3 * 365) * 86400)
  -- a cursor nobody asked for before: every request misses the page cache
  return wrk.format("GET", "/double-publicity?before=" .. day .. "_" .. math.random(1, 2000000000))
end
LUA
for backend in sqlite postgres; do
  echo "== $backend, $n cases and $n decisions"
  if [ $backend = postgres ]; then
    psql -q -h 127.0.0.1 -U postgres -d postgres -c 'DROP DATABASE IF EXISTS gongkai_bench' -c 'CREATE DATABASE gongkai_bench'
    db=(--database postgres://postgres@127.0.0.1:5432/gongkai_bench)
  else
    db=()
  fi
  data=(--data "$tmp/$backend")
  $gk demo --items 0 "${data[@]}" "${db[@]}" > /dev/null
  /usr/bin/time -f "corpus loaded in %e s" $gk power-bench corpus "${data[@]}" "${db[@]}" --cases "$n" --decisions "$n" --today 2026-12-01 2> >(grep -v '^$' | tr '\r' '\n' | tail -3 >&2)
  for day in 2026-12-01 2026-12-02 2026-12-02; do
    $gk supervision scan "${data[@]}" "${db[@]}" --today $day
  done
  $gk power-bench render "${data[@]}" "${db[@]}" --n 1000
  $gk serve "${data[@]}" "${db[@]}" --addr 127.0.0.1:18951 > "$tmp/serve-$backend.log" 2>&1 &
  srv=$!
  until curl -sf -o /dev/null http://127.0.0.1:18951/healthz; do sleep 0.2; done
  echo "double publicity first page:"; wrk -t2 -c32 -d"${secs}s" --latency http://127.0.0.1:18951/double-publicity | grep -E 'Requests/sec|50%|99%|Non-2xx'
  echo "double publicity deep pages:"; wrk -t2 -c32 -d"${secs}s" --latency -s "$tmp/deep.lua" http://127.0.0.1:18951 | grep -E 'Requests/sec|50%|99%|Non-2xx'
  kill $srv; wait $srv 2>/dev/null || true; srv=
done
