#!/usr/bin/env bash
# Item page throughput: gongkai rendering a published item page, beside nginx serving the same
# page's HTML as a static file, measured with wrk on loopback in one run.
#
# Usage: bench/page.sh [SECONDS] [CONNECTIONS]   (installs wrk and nginx from Debian if absent)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
conns=${2:-64}
for pkg in wrk nginx; do command -v $pkg >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkg >/dev/null; }; done
[ -x target/release/gongkai ] || cargo build --release
tmp=$(mktemp -d)
cleanup() { kill $gk_pid $ng_pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
GONGKAI_LOG=${GONGKAI_LOG:-info,sqlx=warn} target/release/gongkai serve --demo --data "$tmp/data" --addr 127.0.0.1:18941 > "$tmp/serve.log" 2>&1 &
gk_pid=$!
until curl -sf -o /dev/null http://127.0.0.1:18941/healthz; do sleep 0.1; done
index_no=$(curl -sf 'http://127.0.0.1:18941/api/v1/items?limit=1' | sed -n 's/.*"index_no":"\([^"]*\)".*/\1/p')
path="/items/$index_no"
mkdir -p "$tmp/www/items"
chmod 755 "$tmp"
curl -sf "http://127.0.0.1:18941$path" > "$tmp/www/items/$index_no"
bytes=$(wc -c < "$tmp/www/items/$index_no")
chmod -R a+rX "$tmp/www"
cat > "$tmp/nginx.conf" <<CONF
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  client_body_temp_path $tmp/ngtmp; proxy_temp_path $tmp/ngtmp; fastcgi_temp_path $tmp/ngtmp; uwsgi_temp_path $tmp/ngtmp; scgi_temp_path $tmp/ngtmp;
  server { listen 127.0.0.1:18942; root $tmp/www; location / { charset utf-8; } }
}
CONF
nginx -c "$tmp/nginx.conf" -g 'daemon off;' &
ng_pid=$!
until curl -sf -o /dev/null "http://127.0.0.1:18942$path"; do sleep 0.1; done
run() { wrk -t2 -c"$conns" -d"${secs}s" "$1" | awk '/Requests\/sec/ {print $2} /Latency/ {print $2}' | tr '\n' ' '; }
read -r g_lat g_rps <<< "$(run "http://127.0.0.1:18941$path")"
read -r n_lat n_rps <<< "$(run "http://127.0.0.1:18942$path")"
echo "Item page $path ($bytes bytes of HTML), wrk -t2 -c$conns -d${secs}s, both servers on this machine:"
echo
echo "| server | requests/s | mean latency |"
echo "|---|---|---|"
echo "| gongkai (item page, cached render for anonymous visitors) | $g_rps | $g_lat |"
echo "| nginx (static file) | $n_rps | $n_lat |"
awk -v g="$g_rps" -v n="$n_rps" 'BEGIN { printf "\ngongkai / nginx = %.2f\n", g / n }'
