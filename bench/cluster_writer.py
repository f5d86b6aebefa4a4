#!/usr/bin/env python3
"""Acknowledged writes through the proxy while servers are killed (bench/cluster.sh).

Signs in as the demo's jyj_editor through the proxy, then creates drafts (the back office's own
form, CSRF and all) one after another for SECONDS seconds. A draft is acknowledged when the
answer is 303 to /admin/items/ID; the IDs go to OUT, one per line, failures are counted.
Usage: cluster_writer.py PROXY_HOST:PORT UNIT_ID CATEGORY_ID SECONDS OUT
"""
import http.client
import re
import sys
import time
import urllib.parse

proxy, unit, category, seconds, out = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
host, port = proxy.split(":")


def req(method, path, body=None, cookies=None):
    c = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urllib.parse.urlencode(body)
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read().decode("utf-8", "replace")
    set_cookies = {}
    for k, v in r.getheaders():
        if k.lower() == "set-cookie":
            name, _, rest = v.partition("=")
            set_cookies[name] = rest.split(";")[0]
    c.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data, set_cookies


def sign_in():
    _, _, page, jar = req("GET", "/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    status, _, _, got = req("POST", "/login", {"csrf": csrf, "next": "/admin", "username": "jyj_editor",
                                                "password": "Demo-2026-gongkai", "totp": ""}, jar)
    assert status == 303, status
    jar.update(got)
    _, _, page, _ = req("GET", f"/admin/units/{unit}/items/new", cookies=jar)
    return jar, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


jar, csrf = sign_in()
acked, failed, n = [], 0, 0
end = time.time() + seconds
while time.time() < end:
    n += 1
    try:
        status, headers, _, _ = req("POST", f"/admin/units/{unit}/items", {
            "csrf": csrf, "category_id": category, "title": f"负载期间的草稿第{n}号",
            "formed_on": "2026-11-20", "validity": "in_force", "body": "写入确认测试。"}, jar)
        m = re.match(r"/admin/items/(\d+)", headers.get("location", ""))
        if status == 303 and m:
            acked.append(m.group(1))
        else:
            failed += 1
    except Exception:  # a connection cut by the kill: not acknowledged
        failed += 1
with open(out, "w") as f:
    f.write("\n".join(acked) + ("\n" if acked else ""))
print(f"writes attempted {n}, acknowledged {len(acked)}, failed {failed}")
