#!/usr/bin/env bash
# Website inspection's crawler beside lychee (issue 12, part 2), side by side in one run: a site
# of N pages (default 10,000: a home page, 100 columns of 99 articles, each article with a dated
# PubDate, links to its column, the home page and two other articles; every 50th article also
# links to a missing page: 196 broken links) generated into a temporary folder and served on
# loopback by nginx (one worker, so the tools have the other core). `gongkai inspect` crawls it from the home page
# (no interval, 8 requests at once, robots.txt read); lychee is given the same N page
# addresses (`--files-from`; it does not crawl) and checks every link on them with 8 requests
# at once and no interval between requests to the host (its default is 50 ms; gongkai's is set
# to 0 here too). Each: wall time, pages per second, peak memory (RSS), and the broken links found
# (the same set is required). lychee is installed with `cargo install lychee --locked` when
# absent (several minutes on this machine).
#
# Usage: bench/crawl.sh [N] [RUNS]   (default 10000, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
runs=${2:-3}
cargo build --release -q --bin gongkai
gk=${CARGO_TARGET_DIR:-$PWD/target}/release/gongkai
command -v lychee >/dev/null || cargo install lychee --locked -q
command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }
tmp=$(mktemp -d)
srv=""
cleanup() { [ -n "$srv" ] && kill "$srv" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
mkdir -p "$tmp/site"
python3 - "$tmp/site" "$n" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
cols = 100
per = max(1, (n - 1 - cols) // cols)
meta = '<meta name="SiteName" content="基准区人民政府"><meta name="SiteDomain" content="127.0.0.1"><meta name="SiteIDCode" content="3301020001">'
foot = '<footer>主办单位：基准区人民政府办公室 网站标识码：3301020001 浙ICP备00000000号 浙公网安备 33010202000000号 <a href="/jiucuo.html">我为政府网站找错</a></footer>'
def write(path, html):
    p = os.path.join(root, path.lstrip('/'))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, 'w').write(html)
links = ''.join(f'<li><a href="/c{c}/index.html">栏目{c}</a> 2026-11-30</li>' for c in range(cols))
write('/index.html', f'<html><head>{meta}</head><body><ul>{links}</ul>{foot}</body></html>')
write('/jiucuo.html', f'<html><head>{meta}</head><body>纠错</body></html>')
k = 0
for c in range(cols):
    items = ''.join(f'<li><a href="/c{c}/a{a}.html">信息{c}-{a}</a> 2026-11-{1 + a % 28:02d}</li>' for a in range(per))
    write(f'/c{c}/index.html', f'<html><head>{meta}<meta name="ColumnName" content="栏目{c}"><meta name="ColumnDescription" content="栏目{c}"><meta name="ColumnKeywords" content="栏目{c}"><meta name="ColumnType" content="信息发布"></head><body><ul>{items}</ul>{foot}</body></html>')
    for a in range(per):
        k += 1
        extra = f'<a href="/missing/{k}.html">附件</a>' if k % 50 == 0 else ''
        body = '本单位依法公开政府信息，' * 40
        write(f'/c{c}/a{a}.html', f'<html><head>{meta}<meta name="ArticleTitle" content="信息{c}-{a}"><meta name="PubDate" content="2026-11-{1 + a % 28:02d} 09:00"><meta name="ContentSource" content="基准区"></head><body><h1>信息{c}-{a}</h1><p>{body}</p><a href="/c{c}/index.html">返回栏目</a> <a href="/index.html">首页</a> <a href="/c{(c + 1) % cols}/a{(a + 1) % per}.html">下一篇</a> <a href="/c{(c + 7) % cols}/a{(a + 3) % per}.html">相关</a> {extra}{foot}</body></html>')
PY
port=18991
chmod -R a+rX "$tmp"
cat > "$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  client_body_temp_path $tmp/ngtmp; proxy_temp_path $tmp/ngtmp; fastcgi_temp_path $tmp/ngtmp; uwsgi_temp_path $tmp/ngtmp; scgi_temp_path $tmp/ngtmp;
  server { listen 127.0.0.1:$port; root $tmp/site; location / { charset utf-8; } }
}
CONF
nginx -c "$tmp/nginx.conf" -g 'daemon off;' &
srv=$!
until curl -sf -o /dev/null "http://127.0.0.1:$port/index.html"; do sleep 0.2; done
base="http://127.0.0.1:$port"
(cd "$tmp/site" && find . -name '*.html' | sed "s|^\.|$base|") > "$tmp/urls.txt"
pages=$(wc -l < "$tmp/urls.txt")
echo "### crawler beside lychee: $pages pages, $(grep -rl 'missing/' "$tmp/site" | wc -l) broken links ($(date -u +%Y-%m-%d), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(lychee --version))"
echo
echo "| run | tool | seconds | pages/s | peak RSS MB | broken found |"
echo "|---|---|---|---|---|---|"
for r in $(seq 1 "$runs"); do
  /usr/bin/time -f "%e %M" -o "$tmp/t" "$gk" inspect "$base/index.html" --max-pages $((pages * 2)) --concurrency 8 --interval-ms 0 --format json --output "$tmp/gk.json" 2> /dev/null || true
  read -r secs kb < <(tail -n1 "$tmp/t")
  python3 -c "import json,sys; print('\n'.join(sorted(b['url'] for b in json.load(open(sys.argv[1]))['broken_links'])))" "$tmp/gk.json" > "$tmp/gk.broken"
  echo "| $r | gongkai inspect | $secs | $(python3 -c "print(round($pages / $secs))") | $((kb / 1024)) | $(wc -l < "$tmp/gk.broken") |"
  /usr/bin/time -f "%e %M" -o "$tmp/t" lychee --files-from "$tmp/urls.txt" --max-concurrency 8 --host-concurrency 8 --host-request-interval 0ms --no-progress --format json --output "$tmp/ly.json" > /dev/null 2>&1 || true
  read -r secs kb < <(tail -n1 "$tmp/t")
  python3 -c "
import json,sys
d = json.load(open(sys.argv[1]))
urls = set()
for fails in d.get('error_map', d.get('fail_map', {})).values():
    for f in fails: urls.add(f['url'])
print('\n'.join(sorted(urls)))" "$tmp/ly.json" > "$tmp/ly.broken"
  echo "| $r | lychee | $secs | $(python3 -c "print(round($pages / $secs))") | $((kb / 1024)) | $(wc -l < "$tmp/ly.broken") |"
done
echo
if diff -q "$tmp/gk.broken" "$tmp/ly.broken" > /dev/null; then echo "same broken links found by both"; else echo "broken links differ:"; diff "$tmp/gk.broken" "$tmp/ly.broken" | head; fi
