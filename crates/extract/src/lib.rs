//! Text extraction from the files staff attach to information items, so that the
//! pre-publication scan can read them: plain text (UTF-8, or GB18030 as older Chinese office
//! systems write it), PDF, DOCX and XLSX. The format is recognised from the file's content
//! (magic bytes), not trusted from its name.
//!
//! [`sheet`] reads a spreadsheet as a grid of cell text (imports) and writes tables as XLSX
//! (exports).
//!
//! Invariant: this crate turns bytes into text and tables into bytes; it touches no files, and
//! it knows nothing of the database or the web.

pub mod pdf;
pub mod sheet;

use std::io::{Cursor, Read};

/// How much a file may make gongkai read, whatever it declares. Memory follows what a file
/// really holds, and these bound that too: a small file never becomes a large allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Total bytes the entries of a DOCX or XLSX may unpack to (the sizes its ZIP directory
    /// declares, which the ZIP reader enforces).
    pub max_unpacked_bytes: u64,
    /// Text extracted from one file.
    pub max_text_bytes: usize,
    /// Rows of a sheet that may hold content (`[disclosure] max_sheet_rows`).
    pub max_rows: u32,
    /// Columns of a sheet that may hold content (`[disclosure] max_sheet_columns`).
    pub max_cols: u32,
    /// Cells of a grid once padded to a rectangle (rows × widest row).
    pub max_grid_cells: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_unpacked_bytes: 256 * 1024 * 1024,
            max_text_bytes: 16 * 1024 * 1024,
            max_rows: 200_000,
            max_cols: 1_000,
            max_grid_cells: 8_000_000,
        }
    }
}

/// A file format gongkai can read text from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text.
    Text,
    /// PDF.
    Pdf,
    /// Word 2007+ document.
    Docx,
    /// Excel 2007+ workbook.
    Xlsx,
}

/// Why text could not be extracted.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The bytes are not a format gongkai reads (e.g. an old .doc or an image).
    #[error("不支持的文件格式（unsupported format）：{0}")]
    Unsupported(String),
    /// The file claims a format but is damaged.
    #[error("文件已损坏或无法读取（unreadable {format:?} file）：{reason}")]
    Corrupt {
        /// The format it looked like.
        format: Format,
        /// What went wrong.
        reason: String,
    },
    /// The file would unpack or spread beyond [`Limits`].
    #[error("文件过大，无法读取（unreadable: beyond the limits）：{0}")]
    TooLarge(String),
}

impl ExtractError {
    /// The reason in Chinese alone, for pages (the parser's own English words left out).
    pub fn chinese(&self) -> String {
        match self {
            ExtractError::Unsupported(what) => format!("不支持的文件格式：{what}"),
            ExtractError::Corrupt { format, .. } => format!(
                "文件已损坏，无法打开（看似{}文件，但内容不完整或结构异常）",
                match format {
                    Format::Pdf => "PDF",
                    Format::Docx => "DOCX",
                    Format::Xlsx => "XLSX",
                    Format::Text => "文本",
                }
            ),
            ExtractError::TooLarge(what) => format!("文件过大，无法读取：{what}"),
        }
    }
}

/// Recognises the format from the first bytes (and, for ZIP containers, their contents).
pub fn detect(bytes: &[u8]) -> Result<Format, ExtractError> {
    if bytes.starts_with(b"%PDF-") {
        return Ok(Format::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let mut zip =
            zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ExtractError::Corrupt {
                format: Format::Docx,
                reason: e.to_string(),
            })?;
        if zip.by_name("word/document.xml").is_ok() {
            return Ok(Format::Docx);
        }
        if zip.by_name("xl/workbook.xml").is_ok() {
            return Ok(Format::Xlsx);
        }
        return Err(ExtractError::Unsupported(
            "ZIP 文件，但不是 DOCX 或 XLSX".into(),
        ));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ExtractError::Unsupported(
            "旧版 Office 文件（.doc/.xls），请另存为 DOCX/XLSX".into(),
        ));
    }
    let sample = &bytes[..bytes.len().min(4096)];
    if sample.contains(&0) {
        return Err(ExtractError::Unsupported(
            "二进制文件，不是可识别的文档格式".into(),
        ));
    }
    Ok(Format::Text)
}

/// Extracts the text of a file within the default [`Limits`].
pub fn extract(bytes: &[u8]) -> Result<String, ExtractError> {
    extract_with(bytes, &Limits::default())
}

/// Extracts the text of a file within `limits`. A parser that panics on a malformed file
/// gives [`ExtractError::Corrupt`], never a crash.
pub fn extract_with(bytes: &[u8], limits: &Limits) -> Result<String, ExtractError> {
    let format = detect(bytes)?;
    let text = guarded(format, || match format {
        Format::Text => Ok(decode_text(bytes)),
        Format::Pdf => {
            pdf_extract::extract_text_from_mem(bytes).map_err(|e| ExtractError::Corrupt {
                format: Format::Pdf,
                reason: e.to_string(),
            })
        }
        Format::Docx => docx_text(bytes, limits),
        Format::Xlsx => xlsx_text(bytes, limits),
    })?;
    if text.len() > limits.max_text_bytes {
        return Err(ExtractError::TooLarge(format!(
            "提取的文字超过{}MB",
            limits.max_text_bytes >> 20
        )));
    }
    Ok(text)
}

/// Runs a parser, turning a panic inside it into [`ExtractError::Corrupt`]. (The workspace
/// builds with unwinding panics; see STACK.md.)
pub(crate) fn guarded<T>(
    format: Format,
    f: impl FnOnce() -> Result<T, ExtractError>,
) -> Result<T, ExtractError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(ExtractError::Corrupt {
            format,
            reason: "解析器异常（文件结构不规范）".into(),
        })
    })
}

/// Refuses a ZIP container whose entries declare more than `limits.max_unpacked_bytes` in all.
/// The ZIP reader stops every entry at its declared size, so this bounds everything any reader
/// (ours or calamine's) can unpack from the file, without unpacking anything.
pub(crate) fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), ExtractError> {
    let corrupt = |e: zip::result::ZipError| ExtractError::Corrupt {
        format: Format::Xlsx,
        reason: e.to_string(),
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        total = total.saturating_add(zip.by_index_raw(i).map_err(corrupt)?.size());
        if total > limits.max_unpacked_bytes {
            return Err(ExtractError::TooLarge(format!(
                "解压后超过{}MB",
                limits.max_unpacked_bytes >> 20
            )));
        }
    }
    Ok(())
}

/// UTF-8 text, with a byte-order mark removed; other bytes are replaced, never dropped silently.
fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// The text of a DOCX: the runs of `word/document.xml`, a line per paragraph.
fn docx_text(bytes: &[u8], limits: &Limits) -> Result<String, ExtractError> {
    let corrupt = |e: String| ExtractError::Corrupt {
        format: Format::Docx,
        reason: e,
    };
    check_zip(bytes, limits)?;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(e.to_string()))?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|e| corrupt(e.to_string()))?
        .read_to_string(&mut xml)
        .map_err(|e| corrupt(e.to_string()))?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event().map_err(|e| corrupt(e.to_string()))? {
            quick_xml::events::Event::Start(e) if e.local_name().into_inner() == "t" => {
                in_text = true
            }
            quick_xml::events::Event::End(e) if e.local_name().into_inner() == "t" => {
                in_text = false
            }
            quick_xml::events::Event::End(e) if e.local_name().into_inner() == "p" => {
                out.push('\n')
            }
            quick_xml::events::Event::Empty(e) if e.local_name().into_inner() == "tab" => {
                out.push('\t')
            }
            quick_xml::events::Event::Empty(e) if e.local_name().into_inner() == "br" => {
                out.push('\n')
            }
            quick_xml::events::Event::Text(t) if in_text => {
                let text = t.into_inner();
                out.push_str(
                    &quick_xml::escape::unescape(&text).map_err(|e| corrupt(e.to_string()))?,
                );
            }
            quick_xml::events::Event::GeneralRef(r) if in_text => {
                let entity = format!("&{};", r.into_inner());
                out.push_str(
                    &quick_xml::escape::unescape(&entity).map_err(|e| corrupt(e.to_string()))?,
                );
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The text of an XLSX: every sheet, a line per row with content, its cells separated by tabs.
fn xlsx_text(bytes: &[u8], limits: &Limits) -> Result<String, ExtractError> {
    use calamine::Reader;
    check_zip(bytes, limits)?;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| sheet::corrupt(e.to_string()))?;
    let mut out = String::new();
    for name in wb.sheet_names() {
        let cells = sheet::sheet_cells(&mut wb, &name, limits)?;
        out.push_str(&format!("[{name}]\n"));
        let mut row = None;
        for (r, _, v) in &cells {
            if row.is_some_and(|x| x == *r) {
                out.push('\t');
            } else if row.is_some() {
                out.push('\n');
            }
            row = Some(*r);
            out.push_str(&cell_text(v));
            if out.len() > limits.max_text_bytes {
                return Err(ExtractError::TooLarge(format!(
                    "提取的文字超过{}MB",
                    limits.max_text_bytes >> 20
                )));
            }
        }
        if row.is_some() {
            out.push('\n');
        }
    }
    Ok(out)
}

/// A cell as text; whole numbers without a decimal point (ID and card numbers are often stored
/// as numbers).
fn cell_text(c: &calamine::Data) -> String {
    match c {
        calamine::Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// Attachment types accepted, by detected format.
pub fn content_type_of(filename: &str, bytes: &[u8]) -> Result<&'static str, String> {
    let lower = filename.to_lowercase();
    if bytes.starts_with(b"\x89PNG") {
        return Ok("image/png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok("image/jpeg");
    }
    match crate::detect(bytes) {
        Ok(crate::Format::Pdf) => Ok("application/pdf"),
        Ok(crate::Format::Docx) => {
            Ok("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        }
        Ok(crate::Format::Xlsx) => {
            Ok("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        }
        Ok(crate::Format::Text) if lower.ends_with(".txt") || lower.ends_with(".csv") => {
            Ok("text/plain; charset=utf-8")
        }
        Ok(crate::Format::Text) => Err("只接受 PDF、DOCX、XLSX、TXT 和 PNG/JPEG 图片".into()),
        Err(e) => Err(e.chinese()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_and_refusals() {
        assert_eq!(
            extract("\u{feff}你好 13912345678".as_bytes()).unwrap(),
            "你好 13912345678"
        );
        assert!(matches!(
            extract(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]),
            Err(ExtractError::Unsupported(_))
        ));
        assert!(matches!(
            extract(b"\x89PNG\r\n\x1a\n\0\0\0"),
            Err(ExtractError::Unsupported(_))
        ));
        assert!(matches!(
            extract(b"%PDF-1.4 garbage"),
            Err(ExtractError::Corrupt { .. })
        ));
    }

    /// A one-page PDF showing `(x)` in the font object `font`.
    fn pdf_with_font(font: &str) -> Vec<u8> {
        let content = "BT /F1 12 Tf 72 712 Td (x) Tj ET";
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
            format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
            font.to_string(),
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for off in offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    #[test]
    fn a_parser_panic_is_an_unreadable_file() {
        let ok = pdf_with_font("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        assert!(extract(&ok).unwrap().contains('x'));
        // A Type0 font without its descendant fonts makes the PDF parser panic.
        let bad =
            pdf_with_font("<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H >>");
        match extract(&bad) {
            Err(ExtractError::Corrupt {
                format: Format::Pdf,
                reason,
            }) => {
                assert!(reason.contains("解析器异常"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sheet_bombs_are_refused_before_any_allocation() {
        use rust_xlsxwriter::Workbook;
        // Two cells at the opposite corners of the largest sheet Excel allows: 1.5 KB.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "a").unwrap();
        ws.write_string(1_048_575, 16_383, "b").unwrap();
        let bomb = wb.save_to_buffer().unwrap();
        assert!(bomb.len() < 10_000);
        for err in [
            extract(&bomb).unwrap_err(),
            sheet::read_grid(&bomb).unwrap_err(),
        ] {
            let msg = err.to_string();
            assert!(matches!(err, ExtractError::TooLarge(_)), "{msg}");
            assert!(
                msg.contains("第1048576行") && msg.contains("max_sheet_rows"),
                "{msg}"
            );
        }
        // Columns: the limit names the column.
        let mut wb = Workbook::new();
        wb.add_worksheet().write_string(0, 5_000, "wide").unwrap();
        let wide = wb.save_to_buffer().unwrap();
        let msg = sheet::read_grid(&wide).unwrap_err().to_string();
        assert!(
            msg.contains("第5001列") && msg.contains("max_sheet_columns"),
            "{msg}"
        );
        // Within limits a sheet reads as before: absolute positions, rows padded.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(2, 1, "b3").unwrap();
        ws.write_number(3, 3, 13912345678.0).unwrap();
        let small = wb.save_to_buffer().unwrap();
        let grid = sheet::read_grid(&small).unwrap();
        assert_eq!(grid.len(), 4);
        assert!(grid[0].is_empty() && grid[1].is_empty());
        assert_eq!(grid[2], ["", "b3", "", ""]);
        assert_eq!(grid[3], ["", "", "", "13912345678"]);
        assert_eq!(extract(&small).unwrap(), "[Sheet1]\nb3\n13912345678\n");
    }

    #[test]
    fn containers_that_unpack_beyond_the_limit_are_refused() {
        use rust_xlsxwriter::Workbook;
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let long = " ".repeat(30_000);
        for r in 0..100 {
            ws.write_string(r, 0, format!("{r}{long}")).unwrap();
        }
        let bytes = wb.save_to_buffer().unwrap();
        let small = Limits {
            max_unpacked_bytes: 1024 * 1024,
            ..Limits::default()
        };
        let err = extract_with(&bytes, &small).unwrap_err();
        assert!(matches!(err, ExtractError::TooLarge(_)), "{err}");
        assert!(err.to_string().contains("解压后超过1MB"), "{err}");
        assert!(matches!(
            sheet::read_grid_with(&bytes, &small),
            Err(ExtractError::TooLarge(_))
        ));
        assert!(extract(&bytes).is_ok(), "within the default limits");
        let text_cap = Limits {
            max_text_bytes: 100_000,
            ..Limits::default()
        };
        assert!(matches!(
            extract_with(&bytes, &text_cap),
            Err(ExtractError::TooLarge(_))
        ));
    }
}
