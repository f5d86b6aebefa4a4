//! `gongkai scan` on a mixed corpus in every supported format.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The personal data planted in every file, and the look-alikes that must not be reported.
const PLANTED: &str = "申请人身份证号11010519491231002X，联系电话13912345678，\n\
补贴卡号6222020200112233446，邮箱zhang.san@example.com。\n";
const LOOK_ALIKES: &str = "依据区政办发〔2026〕12号，统一社会信用代码91350100M000100Y43，\n\
成文日期20261127，校验位错误的号码110105194912310021，座机0571-88001000。\n";

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(crate::support::unique("gongkai_scan"));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write_docx(path: &Path, paragraphs: &[&str]) {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>"))
        .collect();
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", opts).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>").unwrap();
    zip.start_file("word/document.xml", opts).unwrap();
    zip.write_all(doc.as_bytes()).unwrap();
    zip.finish().unwrap();
}

fn write_xlsx(path: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "姓名").unwrap();
    ws.write_string(0, 1, "身份证号").unwrap();
    ws.write_string(0, 2, "手机").unwrap();
    ws.write_string(1, 0, "张三").unwrap();
    ws.write_string(1, 1, "11010519491231002X").unwrap();
    ws.write_number(1, 2, 13912345678.0).unwrap(); // stored as a number, as spreadsheets do
    ws.write_string(2, 0, "文号").unwrap();
    ws.write_string(2, 1, "区政办发〔2026〕12号").unwrap();
    wb.save(path).unwrap();
}

/// A minimal one-page PDF with a line of ASCII text in Helvetica.
fn write_pdf(path: &Path, text: &str) {
    let content = format!("BT /F1 12 Tf 72 712 Td ({text}) Tj ET");
    std::fs::write(path, crate::support::pdf(content.as_bytes(), false)).unwrap();
}

fn scan(args: &[&str]) -> (Option<i32>, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .arg("scan")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn scan_finds_every_planted_item_in_every_format_and_no_look_alike() {
    let d = dir();
    let txt = d.join("名单.txt");
    std::fs::write(&txt, format!("{PLANTED}{LOOK_ALIKES}")).unwrap();
    let docx = d.join("公示.docx");
    write_docx(&docx, &[PLANTED.trim(), LOOK_ALIKES.trim()]);
    let xlsx = d.join("花名册.xlsx");
    write_xlsx(&xlsx);
    let pdf = d.join("notice.pdf");
    write_pdf(
        &pdf,
        "Applicant ID 11010519491231002X phone 13912345678 doc no 2026-12 code 91350100M000100Y43",
    );
    let clean = d.join("clean.txt");
    std::fs::write(&clean, LOOK_ALIKES).unwrap();

    let paths: Vec<&str> = [&txt, &docx, &xlsx, &pdf, &clean]
        .iter()
        .map(|p| p.to_str().unwrap())
        .collect();
    let (code, out, err) = scan(&[&["--format", "json"], &paths[..]].concat());
    assert_eq!(code, Some(1), "{err}");
    let findings: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let of = |file: &Path| -> Vec<(String, String)> {
        findings
            .iter()
            .filter(|f| f["file"] == file.to_str().unwrap())
            .map(|f| {
                (
                    f["kind"].as_str().unwrap().to_string(),
                    f["masked"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let planted = vec![
        ("id_number".to_string(), "110105********002X".to_string()),
        ("mobile".to_string(), "139****5678".to_string()),
        ("bank_card".to_string(), "6222***********3446".to_string()),
        ("email".to_string(), "z***@example.com".to_string()),
    ];
    assert_eq!(of(&txt), planted);
    assert_eq!(of(&docx), planted);
    assert_eq!(of(&xlsx), planted[..2].to_vec());
    assert_eq!(of(&pdf), planted[..2].to_vec());
    assert_eq!(of(&clean), vec![]);
    for f in &findings {
        assert!(
            f["line"].as_u64().unwrap() >= 1
                && f["column"].as_u64().unwrap() >= 1
                && f.get("start").is_some(),
            "{f}"
        );
    }

    // the clean file alone: exit 0, nothing printed
    let (code, out, _) = scan(&[clean.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (Some(0), ""));
    // text format, with a sensitive-word list
    let words = d.join("words.txt");
    std::fs::write(&words, "# 敏感词\n内部资料\n").unwrap();
    let memo = d.join("memo.txt");
    std::fs::write(&memo, "第一行\n这是内部资料，请勿外传").unwrap();
    let (code, out, _) = scan(&["--words", words.to_str().unwrap(), memo.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert_eq!(
        out,
        format!("{}:2:3: sensitive_word 敏感词 ****\n", memo.display())
    );
    // unreadable input: exit 2 with a reason
    let old = d.join("old.doc");
    std::fs::write(&old, [0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0, 0]).unwrap();
    let (code, _, err) = scan(&[old.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("旧版 Office"), "{err}");
    let (code, _, err) = scan(&[d.join("missing.txt").to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}
