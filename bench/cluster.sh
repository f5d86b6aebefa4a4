#!/usr/bin/env bash
# Scale-out (issue 15): gongkai servers on one PostgreSQL database behind Debian's nginx with the
# shipped deploy/nginx.conf, all on loopback ports.
#  1. throughput through the proxy, one server and then three (wrk -t2 -c16, SECONDS each): the
#     cached home page and a search (each server answers from its own index);
#  2. kill -9 under load: three servers, wrk -c8 on the home page and a writer creating drafts
#     through the back office form (bench/cluster_writer.py) for KILL_SECONDS; a third of the
#     way in, the server holding the periodic-work lease is killed with SIGKILL. Reported:
#     requests, the proxy's errors (non-2xx/3xx and socket errors), writes acknowledged and
#     found in the database afterwards, and how long until another server runs the periodic
#     work ([cluster] lease_secs, default 15 s).
#
# Usage: bench/cluster.sh [SECONDS] [KILL_SECONDS]   (default 15 and 45). Database
# gongkai_cluster_bench on postgres://postgres@127.0.0.1:5432 (dropped and created).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
kill_secs=${2:-45}
install() {
  apt-get update -qq
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  rm -f /usr/sbin/policy-rc.d
}
command -v wrk >/dev/null || install wrk
[ -x /usr/sbin/nginx ] || install nginx-light
cargo build --release -q --bin gongkai
gk=${CARGO_TARGET_DIR:-$PWD/target}/release/gongkai
tmp=$(mktemp -d)
pids=()
nginx_pid=""
cleanup() {
  for p in "${pids[@]}" $nginx_pid; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
pgdb=gongkai_cluster_bench
db="postgres://postgres@127.0.0.1:5432/$pgdb"
psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $pgdb" -c "CREATE DATABASE $pgdb"
cat > "$tmp/gongkai.toml" <<TOML
[server]
trusted_proxies = ["127.0.0.1/32"]
TOML
ports=(18981 18982 18983)
proxy=127.0.0.1:18980

start_server() { # index
  local i=$1
  GONGKAI_CONFIG="$tmp/gongkai.toml" "$gk" serve --demo --addr "127.0.0.1:${ports[$i]}" \
    --data "$tmp/node-$i" --database "$db" > "$tmp/node-$i.out" 2> "$tmp/node-$i.err" &
  pids[$i]=$!
  for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:${ports[$i]}/healthz/ready" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server $i did not become ready"; cat "$tmp/node-$i.err"; exit 1
}

start_nginx() { # number of upstreams
  local n=$1
  [ -n "$nginx_pid" ] && { kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; }
  sed -e "s/listen 127.0.0.1:8080;/listen $proxy;/" \
      -e "s/server 127.0.0.1:8081 /server 127.0.0.1:${ports[0]} /" \
      -e "s/server 127.0.0.1:8082 /server 127.0.0.1:${ports[1]} /" \
      -e "s/server 127.0.0.1:8083 /server 127.0.0.1:${ports[2]} /" \
      -e "s|^http {|http {\n    access_log off;|" \
      deploy/nginx.conf > "$tmp/nginx.conf"
  if [ "$n" = 1 ]; then sed -i -e "/${ports[1]}/d" -e "/${ports[2]}/d" "$tmp/nginx.conf"; fi
  /usr/sbin/nginx -p "$tmp" -c "$tmp/nginx.conf" -g "daemon off; pid $tmp/nginx.pid; error_log $tmp/nginx-error.log warn;" &
  nginx_pid=$!
  for _ in $(seq 1 100); do curl -fsS "http://$proxy/nginx-health" >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "nginx did not start"; cat "$tmp/nginx-error.log"; exit 1
}

measure() { # label url
  local out
  out=$(wrk -t2 -c16 -d"${secs}s" --latency "http://$proxy$2")
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "${errs:-0}"
}

echo "### scale-out ($(date -u +%Y-%m-%d), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), PostgreSQL $(psql -tA -h 127.0.0.1 -U postgres -c 'SHOW server_version' | cut -d' ' -f1), $(/usr/sbin/nginx -v 2>&1 | cut -d/ -f2))"
echo
search="/api/v1/search?q=%E6%95%99%E8%82%B2"
start_server 0
echo "| servers behind nginx, page | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
start_nginx 1
measure "1, home page (cached)" /
measure "1, search 教育 (API)" "$search"
start_server 1
start_server 2
start_nginx 3
measure "3, home page (cached)" /
measure "3, search 教育 (API)" "$search"

echo
jyj=$(psql -tA -h 127.0.0.1 -U postgres -d $pgdb -c "SELECT id FROM units WHERE code = 'JYJ'")
cat_id=$(psql -tA -h 127.0.0.1 -U postgres -d $pgdb -c "SELECT id FROM catalog_categories WHERE code = 'GHXX' AND (unit_id = $jyj OR unit_id IS NULL) ORDER BY unit_id NULLS LAST LIMIT 1")
wrk -t2 -c8 -d"${kill_secs}s" --latency "http://$proxy/" > "$tmp/wrk-kill.txt" &
wrk_pid=$!
python3 bench/cluster_writer.py "$proxy" "$jyj" "$cat_id" "$kill_secs" "$tmp/acked.txt" > "$tmp/writer.txt" &
writer_pid=$!
sleep $((kill_secs / 3))
leader=""
for i in 0 1 2; do
  if curl -fsS "http://127.0.0.1:${ports[$i]}/healthz/ready" | grep -q '"runs_periodic_work":true'; then leader=$i; fi
done
[ -n "$leader" ] || { echo "no server holds the lease"; exit 1; }
t0=$(date +%s.%N)
kill -9 "${pids[$leader]}"
takeover=""
while [ -z "$takeover" ]; do
  for i in 0 1 2; do
    [ "$i" = "$leader" ] && continue
    if curl -fsS "http://127.0.0.1:${ports[$i]}/healthz/ready" 2>/dev/null | grep -q '"runs_periodic_work":true'; then
      takeover=$(echo "$(date +%s.%N) - $t0" | bc)
    fi
  done
  sleep 0.1
done
wait "$wrk_pid" "$writer_pid"
requests=$(awk '/requests in/ {print $1}' "$tmp/wrk-kill.txt")
non2xx=$(awk '/Non-2xx/ {print $5}' "$tmp/wrk-kill.txt")
sockerr=$(awk -F'[ ,]+' '/Socket errors/ {print $4 + $6 + $8 + $10}' "$tmp/wrk-kill.txt")
p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk-kill.txt")
acked=$(wc -l < "$tmp/acked.txt")
found=0
if [ "$acked" -gt 0 ]; then
  ids=$(paste -sd, "$tmp/acked.txt")
  found=$(psql -tA -h 127.0.0.1 -U postgres -d $pgdb -c "SELECT COUNT(*) FROM items WHERE id IN ($ids)")
fi
upstream_errors=$(grep -c 'upstream' "$tmp/nginx-error.log" || true)
echo "kill -9 of server $leader (the lease holder) $((kill_secs / 3)) s into ${kill_secs} s of load (wrk -t2 -c8 on /, one writer):"
echo
echo "| requests | proxy errors (non-2xx/3xx + socket) | p99 | writer | acknowledged writes found afterwards | periodic work taken over after |"
echo "|---|---|---|---|---|---|"
printf '| %s | %s + %s | %s | %s | %s of %s | %.1f s |\n' "$requests" "${non2xx:-0}" "${sockerr:-0}" "$p99" "$(cat "$tmp/writer.txt")" "$found" "$acked" "$takeover"
echo
echo "nginx logged $upstream_errors upstream errors (connections refused or cut by the dead server, retried on the others where idempotent)."
