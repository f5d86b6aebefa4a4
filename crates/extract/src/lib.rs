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

pub mod sheet;

use std::io::{Cursor, Read};

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
            "二进制文件（如图片），无法提取文字".into(),
        ));
    }
    Ok(Format::Text)
}

/// Extracts the text of a file.
pub fn extract(bytes: &[u8]) -> Result<String, ExtractError> {
    match detect(bytes)? {
        Format::Text => Ok(decode_text(bytes)),
        Format::Pdf => {
            pdf_extract::extract_text_from_mem(bytes).map_err(|e| ExtractError::Corrupt {
                format: Format::Pdf,
                reason: e.to_string(),
            })
        }
        Format::Docx => docx_text(bytes),
        Format::Xlsx => xlsx_text(bytes),
    }
}

/// UTF-8 text, with a byte-order mark removed; other bytes are replaced, never dropped silently.
fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// The text of a DOCX: the runs of `word/document.xml`, a line per paragraph.
fn docx_text(bytes: &[u8]) -> Result<String, ExtractError> {
    let corrupt = |e: String| ExtractError::Corrupt {
        format: Format::Docx,
        reason: e,
    };
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

/// The text of an XLSX: every sheet, a line per row, cells separated by tabs.
fn xlsx_text(bytes: &[u8]) -> Result<String, ExtractError> {
    use calamine::Reader;
    let corrupt = |e: String| ExtractError::Corrupt {
        format: Format::Xlsx,
        reason: e,
    };
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| corrupt(e.to_string()))?;
    let mut out = String::new();
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| corrupt(e.to_string()))?;
        out.push_str(&format!("[{name}]\n"));
        for row in range.rows() {
            let cells: Vec<String> = row.iter().map(cell_text).collect();
            out.push_str(&cells.join("\t"));
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
}
