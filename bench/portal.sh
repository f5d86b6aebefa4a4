#!/usr/bin/env bash
# Public pages at scale: N published items (`gongkai corpus`, imported with `gongkai import
# items`) on SQLite and on PostgreSQL, every page kind anonymous visitors read measured with wrk
# on loopback, beside nginx serving the same bytes as a static file, in one run.
#
#   - home, unit list, unit catalog, a category, the list, the site feed, an item page:
#     wrk -t2 -c32, gongkai beside nginx (target: gongkai ≥ half of nginx);
#   - deep pages — the list around page 2,000 and a category around page 500, every request a
#     different page (so the page cache cannot answer) — and searches over 24 queries:
#     wrk -t2 -c8 (target: p99 ≤ 50 ms, no errors);
#   - the sitemap index and its first file.
#
# Usage: bench/portal.sh [N] [SECONDS]   (default 1000000 and 10; installs wrk and nginx from
# Debian if absent; the imported data is kept in target/bench-portal-N for the next run;
# GONGKAI_BENCH_POSTGRES=postgres://postgres@127.0.0.1/test, the default, for PostgreSQL, or
# GONGKAI_BENCH_POSTGRES=none to skip it)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
secs=${2:-10}
pg=${GONGKAI_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
for pkg in wrk nginx; do command -v $pkg >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkg >/dev/null; }; done
cargo build --release -q   # never a stale binary
bin=$PWD/target/release/gongkai
data=$PWD/target/bench-portal-$n
schema=gk_bench_portal_$n
mkdir -p "$data"

# --- data, once per N ---------------------------------------------------------------------
if [ ! -f "$data/corpus.done" ]; then
  echo "generating $n items…"
  "$bin" corpus --count "$n" > "$data/corpus.jsonl"
  touch "$data/corpus.done"
fi
if [ ! -f "$data/sqlite.done" ]; then
  rm -rf "$data/sqlite"
  "$bin" demo --items 0 --data "$data/sqlite" > /dev/null
  echo "importing into SQLite…"
  "$bin" import items "$data/corpus.jsonl" --data "$data/sqlite" 2>/dev/null | tail -1
  touch "$data/sqlite.done"
fi
pg_url=""
if [ "$pg" != none ]; then
  pg_url="$pg?options=-c%20search_path%3D$schema"
  if [ ! -f "$data/pg.done" ]; then
    psql "$pg" -q -c "DROP SCHEMA IF EXISTS $schema CASCADE" -c "CREATE SCHEMA $schema" >/dev/null
    rm -rf "$data/pg"
    "$bin" demo --items 0 --database "$pg_url" --data "$data/pg" > /dev/null
    echo "importing into PostgreSQL…"
    "$bin" import items "$data/corpus.jsonl" --database "$pg_url" --data "$data/pg" 2>/dev/null | tail -1
    psql "$pg_url" -q -c "VACUUM ANALYZE" >/dev/null   # as autovacuum would, before measuring
    touch "$data/pg.done"
  fi
fi

[ -n "${GONGKAI_BENCH_PREPARE_ONLY:-}" ] && { echo "data ready in $data"; exit 0; }

# --- nginx, serving copies of the pages ---------------------------------------------------
tmp=$(mktemp -d)
chmod 755 "$tmp"
gk_pid=""
cleanup() { [ -n "$gk_pid" ] && kill "$gk_pid" 2>/dev/null; kill "$ng_pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
mkdir -p "$tmp/www"
cat > "$tmp/nginx.conf" <<CONF
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  client_body_temp_path $tmp/ngtmp; proxy_temp_path $tmp/ngtmp; fastcgi_temp_path $tmp/ngtmp; uwsgi_temp_path $tmp/ngtmp; scgi_temp_path $tmp/ngtmp;
  server { listen 127.0.0.1:18962; root $tmp/www; location / { charset utf-8; } }
}
CONF
nginx -c "$tmp/nginx.conf" -g 'daemon off;' &
ng_pid=$!

port=18961
base=http://127.0.0.1:$port
# wrk's summary: requests/s, p50, p99, errors (non-2xx or socket errors)
measure() { # conns url [script]
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t2 -c"$1" -d"${secs}s" --latency -s "$3" "$2")
  else
    out=$(wrk -t2 -c"$1" -d"${secs}s" --latency "$2")
  fi
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
  errs=$(awk '/Non-2xx/ {s += $NF} /Socket errors/ {for (i = 4; i <= NF; i += 2) s += $i} END {print s + 0}' <<< "$out")
  echo "$rps $p50 $p99 $errs"
}

run_backend() { # name datadir [database url]
  local name=$1 dir=$2 db=${3:-}
  local args=(serve --data "$dir" --addr "127.0.0.1:$port")
  [ -n "$db" ] && args+=(--database "$db")
  GONGKAI_LOG=${GONGKAI_LOG:-info,sqlx=warn} "$bin" "${args[@]}" > "$tmp/serve-$name.log" 2>&1 &
  gk_pid=$!
  until curl -sf -o /dev/null "$base/healthz"; do sleep 0.2; done
  # the pages: the unit and category with the most items
  # the pages of the newest item: its unit, its category, itself
  local unit cat_id index_no latest
  latest=$(curl -sf "$base/api/v1/items?limit=1")
  index_no=$(sed -n 's/.*"index_no":"\([^"]*\)".*/\1/p' <<< "$latest")
  cat_id=$(sed -n 's/.*"category_id":\([0-9]*\).*/\1/p' <<< "$latest")
  unit=${index_no%%-*}
  # the unit's largest category (a parent: its page lists its sub-categories' items) for the
  # deep category pages
  local big_cat
  big_cat=$(curl -sf "$base/units/$unit" | grep -o 'category=[0-9]*">[^<]*</a> <span class="count">（[0-9]*）' \
    | sed 's/category=\([0-9]*\)".*（\([0-9]*\)）/\2 \1/' | sort -n | tail -1 | cut -d' ' -f2)
  echo
  echo "### $name, $n items ($(date -u +%Y-%m-%d), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
  echo
  echo "| page | gongkai req/s | nginx req/s (same bytes) | gongkai / nginx | gongkai p50 | gongkai p99 | errors |"
  echo "|---|---|---|---|---|---|---|"
  local kind path file
  for kind in "home:/" "unit list:/units" "unit catalog:/units/$unit" "category:/units/$unit?category=$cat_id" "list:/list" "site feed:/feeds/atom.xml" "item page:/items/$index_no"; do
    path=${kind#*:}
    file="$tmp/www/p$RANDOM.html"
    curl -sf "$base$path" > "$file"
    chmod a+r "$file"
    read -r g_rps g_50 g_99 g_err <<< "$(measure 32 "$base$path")"
    read -r n_rps _ _ _ <<< "$(measure 32 "http://127.0.0.1:18962/$(basename "$file")")"
    awk -v k="${kind%%:*}" -v p="$path" -v g="$g_rps" -v ng="$n_rps" -v a="$g_50" -v b="$g_99" -v e="$g_err" \
      'BEGIN { printf "| %s `%s` | %.0f | %.0f | %.2f | %s | %s | %s |\n", k, p, g, ng, g / ng, a, b, e }'
  done
  echo
  echo "| deep pages and searches (wrk -t2 -c8, every request different) | req/s | p50 | p99 | errors |"
  echo "|---|---|---|---|---|"
  # a random tail makes every request miss the page cache: these measure the database path
  cat > "$tmp/list.lua" <<'LUA'
request = function() return wrk.format("GET", "/list?page=" .. math.random(1500, 2500) .. "&nocache=" .. math.random(1, 1000000000)) end
LUA
  cat > "$tmp/cat.lua" <<LUA
request = function() return wrk.format("GET", "/units/$unit?category=$big_cat&page=" .. math.random(400, 600) .. "&nocache=" .. math.random(1, 1000000000)) end
LUA
  cat > "$tmp/search.lua" <<'LUA'
local q = {"义务教育", "营商环境", "养老服务", "安全生产 专项检查", "政务服务 一网通办", "老旧小区改造 资金",
  "防汛", "招生", "食品安全", "河长制", "乡村振兴", "垃圾分类", "医疗保障", "就业创业", "环境保护",
  "交通运输", "消防安全", "文物保护", "财政预算", "政府采购", "行政处罚", "通知", "实施方案", "區政府"}
local function enc(s) return (s:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end)) end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/search?q=" .. enc(q[(i % #q) + 1]) .. "&page=" .. math.random(1, 5))
end
LUA
  local label script
  for label in "list pages 1,500-2,500:list" "category pages 400-600:cat" "24 searches, pages 1-5:search"; do
    script=${label#*:}
    # two seconds of warm-up first (a new record generation lays down its counts and anchors)
    wrk -t2 -c8 -d2s -s "$tmp/$script.lua" "$base" > /dev/null
    read -r rps p50 p99 err <<< "$(measure 8 "$base" "$tmp/$script.lua")"
    echo "| ${label%%:*} | $rps | $p50 | $p99 | $err |"
  done
  local t0 t1
  t0=$(date +%s%N); curl -sf -o /dev/null "$base/sitemap.xml"; t1=$(date +%s%N)
  local first; first=$(curl -sf "$base/sitemap.xml" | grep -o '/sitemaps/items-[0-9]*.xml' | head -1)
  local t2 t3 urls
  t2=$(date +%s%N); urls=$(curl -sf "$base$first" | grep -c '<loc>'); t3=$(date +%s%N)
  echo
  echo "Sitemap index: $(( (t1 - t0) / 1000000 )) ms; $first: $urls URLs in $(( (t3 - t2) / 1000000 )) ms."
  kill "$gk_pid"; wait "$gk_pid" 2>/dev/null || true; gk_pid=""
}

run_backend SQLite "$data/sqlite"
[ -n "$pg_url" ] && run_backend PostgreSQL "$data/pg" "$pg_url"
