#!/usr/bin/env bash
# The public's voice at scale, on SQLite and on PostgreSQL, one after the other:
#   1. N messages (`gongkai voice-bench corpus`: half answered and published over two years,
#      half open around 2026-12-01 on the e-supervision watch list) and R bad ratings waiting
#      for rectification, spread over the demo's units;
#   2. the public message pages under wrk -t2 -c32 (target: p99 < 50 ms): the list with the
#      per-unit figures (first page), deep pages of the list and of one unit's list (every
#      request a different page, from ids spread over the whole table), and exchange pages;
#   3. the daily alert scan over the N/2 open messages and R ratings (target: < 1 s for both):
#      the first (a backlog: every open one already near or past its limit), the next day's, and
#      one with nothing new (`gongkai supervision scan`, each module's part timed);
#   4. carrying 10,000 paragraph comments from a 200-paragraph draft to its revised versions
#      (target: < 1 s per revision): median and slowest of 5.
#
# Messages and ratings are numbered in the order they happened, as a running system numbers
# them; SHUFFLED=1 numbers them in random order instead (an import in no particular order: the
# worst case for the locality of the alerts' indexes), kept apart (…-shuffled).
#
# Usage: bench/voice.sh [N] [R] [SECONDS]   (default 1000000, 500000, 10; BACKENDS="sqlite
# postgres"; SHUFFLED=1; installs wrk from Debian if absent). PostgreSQL: postgres://postgres@127.0.0.1:5432,
# database gongkai_voice_N, vacuumed after the load as autovacuum would. The loaded data is kept
# in target/bench-voice-N (and that database) for the next run; the scans run on a copy's first
# run only (they change the data), so a second run measures the pages and the carrying again.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
r=${2:-500000}
secs=${3:-10}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q --bin gongkai
gk=$PWD/target/release/gongkai
tmp=$(mktemp -d)
order=()
suffix=""
if [ -n "${SHUFFLED:-}" ]; then order=(--shuffled); suffix=_shuffled; fi
keep=$PWD/target/bench-voice-$n$suffix
mkdir -p "$keep"
gk_pid=""
cleanup() { [ -n "$gk_pid" ] && kill "$gk_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
port=18971
base=http://127.0.0.1:$port
measure() { # url [script]
  local out
  if [ -n "${2:-}" ]; then out=$(wrk -t2 -c32 -d"${secs}s" --latency -s "$2" "$1"); else out=$(wrk -t2 -c32 -d"${secs}s" --latency "$1"); fi
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
  errs=$(awk '/Non-2xx/ {s += $NF} /Socket errors/ {for (i = 4; i <= NF; i += 2) s += $i} END {print s + 0}' <<< "$out")
  echo "$rps $p50 $p99 $errs"
}
for backend in ${BACKENDS:-sqlite postgres}; do
  pgdb=gongkai_voice_$n$suffix
  if [ "$backend" = postgres ]; then
    db=(--database "postgres://postgres@127.0.0.1:5432/$pgdb")
  else
    db=()
  fi
  data=(--data "$keep/$backend")
  echo
  echo "### $backend: $n messages, $r bad ratings ($(date -u +%Y-%m-%d), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
  echo
  if [ ! -f "$keep/$backend.done" ]; then
    rm -rf "$keep/$backend"
    if [ "$backend" = postgres ]; then
      psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $pgdb" -c "CREATE DATABASE $pgdb"
    fi
    "$gk" demo --items 0 "${data[@]}" "${db[@]}" > /dev/null
    "$gk" voice-bench corpus "${data[@]}" "${db[@]}" --messages "$n" --ratings "$r" --today 2026-12-01 "${order[@]}" 2> /dev/null
    if [ "$backend" = postgres ]; then psql -q -h 127.0.0.1 -U postgres -d "$pgdb" -c 'VACUUM ANALYZE'; fi
    # the scans first (a running server scans by itself with the real date)
    # (vacuumed after the backlog, as autovacuum would between two daily scans)
    for day in 2026-12-01 2026-12-02 2026-12-02; do
      "$gk" supervision scan "${data[@]}" "${db[@]}" --today $day | grep -E '留言|差评'
      if [ "$backend" = postgres ] && [ $day = 2026-12-01 ]; then psql -q -h 127.0.0.1 -U postgres -d "$pgdb" -c 'VACUUM ANALYZE'; fi
    done
    touch "$keep/$backend.done"
    echo
  fi
  GONGKAI_LOG=warn "$gk" serve "${data[@]}" "${db[@]}" --addr "127.0.0.1:$port" > "$tmp/serve.log" 2>&1 &
  gk_pid=$!
  until curl -sf -o /dev/null "$base/healthz"; do sleep 0.2; done
  # ids and units to page from; published ids for the exchange pages, read from 50 deep pages
  first=$(curl -sf "$base/messages" | grep -o 'href="/messages/[0-9]*"' | head -1 | grep -o '[0-9]*')
  published=$(for i in $(seq 1 50); do curl -sf "$base/messages?before=$(( (first / 50) * i ))"; done \
    | grep -o 'href="/messages/[0-9]*"' | grep -o '[0-9]*' | sort -u | tr '\n' ',')
  units=$(curl -sf "$base/messages" | grep -o 'messages?unit=[A-Z-]*' | sort -u | sed 's/.*=//' | tr '\n' ' ')
  cat > "$tmp/deep.lua" <<LUA
request = function() return wrk.format("GET", "/messages?before=" .. math.random(2, $first)) end
LUA
  lua_units=$(for u in $units; do printf '"%s",' "$u"; done)
  cat > "$tmp/unit.lua" <<LUA
local units = {${lua_units}}
request = function() return wrk.format("GET", "/messages?unit=" .. units[math.random(#units)] .. "&before=" .. math.random(2, $first)) end
LUA
  cat > "$tmp/one.lua" <<LUA
local ids = {${published}}
request = function() return wrk.format("GET", "/messages/" .. ids[math.random(#ids)]) end
LUA
  echo "| page (wrk -t2 -c32, ${secs} s) | req/s | p50 | p99 | errors |"
  echo "|---|---|---|---|---|"
  for kind in "list with per-unit figures:/messages:" "deep pages of the list:/messages:$tmp/deep.lua" "a unit's list, deep pages:/messages:$tmp/unit.lua" "exchange pages:/messages:$tmp/one.lua"; do
    IFS=: read -r label path script <<< "$kind"
    read -r rps p50 p99 errs <<< "$(measure "$base$path" "$script")"
    echo "| $label | $rps | $p50 | $p99 | $errs |"
  done
  kill "$gk_pid"; wait "$gk_pid" 2>/dev/null || true; gk_pid=""
  echo
  "$gk" voice-bench carry "${data[@]}" "${db[@]}" --paragraphs 200 --comments 10000 --runs 5 | tail -1
done
