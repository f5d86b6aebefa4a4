#!/usr/bin/env python3
"""The hostile files of issue 13 against a running server, while a second thread asks /healthz
every 100 ms: reports each upload's answer and time, the slowest /healthz answer, and the
server's peak memory (VmHWM of its process). Python standard library only.

Usage: bench/hostile.py BASE_URL SERVER_PID
"""
import http.cookiejar, io, re, sys, threading, time, urllib.parse, urllib.request, zipfile, zlib

base, pid = sys.argv[1].rstrip("/"), sys.argv[2]
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
plain = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

def call(req, timeout=600):
    try:
        r = plain.open(req, timeout=timeout)
        return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()

def form(path, fields):
    return call(urllib.request.Request(base + path, urllib.parse.urlencode(fields).encode()))

def multipart(path, fields, files):
    b = "----hostile"; body = io.BytesIO()
    for k, v in fields.items():
        body.write(f"--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode())
    for k, (name, data) in files.items():
        body.write(f"--{b}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n".encode())
        body.write(data); body.write(b"\r\n")
    body.write(f"--{b}--\r\n".encode())
    return call(urllib.request.Request(base + path, body.getvalue(), {"Content-Type": f"multipart/form-data; boundary={b}"}))

def zipped(files):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for n, c in files.items(): z.writestr(n, c)
    return b.getvalue()

def pdf_with(content_bytes):
    stream = zlib.compress(content_bytes, 9)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = b"%PDF-1.4\n"; offs = []
    for i, o in enumerate(objs):
        offs.append(len(out)); out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
    x = len(out); out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs: out += b"%010d 00000 n \n" % o
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)

CT = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
RELS = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
WB = '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
WBRELS = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
def xlsx(sheet_xml):
    return zipped({"[Content_Types].xml": CT, "_rels/.rels": RELS, "xl/workbook.xml": WB, "xl/_rels/workbook.xml.rels": WBRELS, "xl/worksheets/sheet1.xml": sheet_xml})

print("generating files …", flush=True)
files = {
    "sheet bomb (A1 + XFD1048576)": ("bomb.xlsx", xlsx('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>b</t></is></c></row></sheetData></worksheet>')),
    "DOCX unpacking to 1 GB": ("bomb.docx", zipped({"word/document.xml": b" " * (1024 * 1024 * 1024)})),
    "PDF, 2,000,000 text operators": ("ops.pdf", pdf_with(b"BT /F1 1 Tf (a) Tj ET\n" * 2_000_000)),
    "PDF, page inflating to 1 GB": ("page.pdf", pdf_with(b" " * (1024 * 1024 * 1024))),
}

# log in as an editor of JYJ and make a draft to attach to
call(urllib.request.Request(base + "/login"))
pre = next(c.value for c in jar if c.name == "gk_pre")
st, _, _ = form("/login", {"csrf": pre, "username": "jyj_editor", "password": "Demo-2026-gongkai", "next": "/admin"})
assert st == 303, st
st, _, page = call(urllib.request.Request(base + "/admin"))
csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
jyj = re.search(rb'/admin/units/(\d+)/items', page).group(1).decode()
st, _, page = call(urllib.request.Request(base + f"/admin/units/{jyj}/items/new"))
cat = re.search(rb'name="category_id"[^>]*>.*?<option value="(\d+)"', page, re.S).group(1).decode()

healthz_worst = [0.0]
stop = threading.Event()
def poll():
    while not stop.is_set():
        t = time.time()
        try:
            urllib.request.urlopen(base + "/healthz", timeout=30).read()
        except Exception:
            pass
        healthz_worst[0] = max(healthz_worst[0], time.time() - t)
        time.sleep(0.1)
poller = threading.Thread(target=poll); poller.start()

def attach(label, name, data):
    st, h, _ = form(f"/admin/units/{jyj}/items", {"csrf": csrf, "category_id": cat, "title": "附件压力测试", "formed_on": "2026-11-20", "validity": "in_force", "body": "正文"})
    item = h["location"].split("/")[3].split("?")[0]
    t = time.time()
    st, _, page = multipart(f"/admin/items/{item}/attachments", {"csrf": csrf}, {"file": (name, data)})
    msg = re.search(rb'role="alert">([^<]+)', page)
    print(f"| {label} | {len(data):,} bytes | HTTP {st} | {time.time() - t:.2f} s | {msg.group(1).decode() if msg else ''} |", flush=True)

print("| file | size | answer | time | message |\n|---|---|---|---|---|")
threads = [threading.Thread(target=attach, args=(label, n, d)) for label, (n, d) in files.items()]
for th in threads: th.start()
for th in threads: th.join()
# and a body nested 400,000 deep, through the item form
t = time.time()
st, _, page = form(f"/admin/units/{jyj}/items", {"csrf": csrf, "category_id": cat, "title": "嵌套", "formed_on": "2026-11-20", "validity": "in_force", "body": "<div>" * 400_000})
msg = re.search(rb'<li>([^<]*\xe5\xb5\x8c\xe5\xa5\x97[^<]*)</li>', page)
print(f"| body `<div>`×400,000 | {len('<div>') * 400_000:,} bytes | HTTP {st} | {time.time() - t:.2f} s | {msg.group(1).decode() if msg else ''} |")
stop.set(); poller.join()
hwm = next(l.split(":")[1].strip() for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM"))
print(f"\nslowest /healthz answer while these ran: {healthz_worst[0]*1000:.0f} ms; server peak memory (VmHWM): {hwm}")
