#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target (small valid files of each format)."""
import io, os, zipfile, shutil, glob

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

def put(target, name, data):
    os.makedirs(os.path.join(root, target), exist_ok=True)
    with open(os.path.join(root, target, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)

def zipped(files):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for n, c in files.items():
            z.writestr(n, c)
    return b.getvalue()

CT = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
RELS = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
WB = '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
WBRELS = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
SS = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>标题</t></si><si><t>单位</t></si><si><t>关于做好招生工作的通知</t></si></sst>'
def sheet(cells):
    return '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + cells + '</sheetData></worksheet>'
for name, cells in {
    "table.xlsx": '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="inlineStr"><is><t>JYJ</t></is></c><c r="C2"><v>13912345678</v></c><c r="D2"><v>46000.5</v></c></row>',
    "far.xlsx": '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="300"><c r="Z300"><v>1</v></c></row>',
}.items():
    put("xlsx", name, zipped({"[Content_Types].xml": CT, "_rels/.rels": RELS, "xl/workbook.xml": WB, "xl/_rels/workbook.xml.rels": WBRELS, "xl/sharedStrings.xml": SS, "xl/worksheets/sheet1.xml": sheet(cells)}))

DOC = '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>张三，身份证号11010519491231002X</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve"> 电话 13912345678 &amp; 附件</w:t></w:r></w:p><w:p><w:r><w:br/><w:t>第二段</w:t></w:r></w:p></w:body></w:document>'
put("docx", "letter.docx", zipped({"[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>', "word/document.xml": DOC}))

def pdf(content, font="<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"):
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content), font]
    out = b"%PDF-1.4\n"; offs = []
    for i, o in enumerate(objs):
        offs.append(len(out)); out += ("%d 0 obj\n%s\nendobj\n" % (i + 1, o)).encode()
    x = len(out)
    out += ("xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)).encode()
    for o in offs: out += ("%010d 00000 n \n" % o).encode()
    out += ("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)).encode()
    return out
put("pdf", "text.pdf", pdf("BT /F1 12 Tf 72 712 Td (Applicant 11010519491231002X) Tj ET"))
put("pdf", "two.pdf", pdf("BT /F1 12 Tf 72 712 Td (a) Tj 0 -14 Td [(b) 120 (c)] TJ ET"))

for i, h in enumerate([
    "<h2>通知</h2><p>各单位：<br>请于&lt;5月1日&gt;前报送。</p><table><tr><td colspan=\"2\">张三</td></tr></table>",
    "<p><a href=\"javascript:alert(1)\">x</a><img src=x onerror=alert(1)><script>alert(1)</script></p>",
    "<div><div><ul><li>一<li>二</ul></div></div><!-- 注释 --><b><i>错</b></i>",
    "各学校：\n第一段 <b>不是标记</b>\n第二段 & 附件",
]):
    put("richtext", "body%d.html" % i, h)

put("jsonl", "rows.jsonl", '{"unit": "JYJ", "category": "QTWJ", "title": "关于做好2025年招生工作的通知", "doc_no": "区教发[2025]3号", "formed_on": "2025-03-01", "published_at": "2025-03-05 10:30", "body": "各学校：做好招生工作。", "attachments": ["附件.txt"]}\n\n{"unit": "NOPE"}\nnot json\n')

here = os.path.dirname(os.path.abspath(__file__))
for f in sorted(glob.glob(os.path.join(here, "..", "data", "holidays", "*.json")))[:2]:
    shutil.copy(f, os.path.join(root, "calendar", os.path.basename(f)))
