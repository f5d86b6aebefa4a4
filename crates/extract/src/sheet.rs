//! Spreadsheets as grids of cell text: reading the first sheet of an XLSX (for imports) and
//! writing a table with a title and a one- or two-row header (for exports staff open in Excel
//! or WPS). Positions are absolute: row 1 of the grid is row 1 of the sheet, so error messages
//! can name the line staff see.

use crate::{ExtractError, Format, Limits, cell_text};
use std::io::{Cursor, Read, Seek};

pub(crate) fn corrupt(reason: String) -> ExtractError {
    ExtractError::Corrupt {
        format: Format::Xlsx,
        reason,
    }
}

/// The first sheet of an XLSX as rows of trimmed cell text (dates as `YYYY-MM-DD`), within
/// the default [`Limits`].
pub fn read_grid(bytes: &[u8]) -> Result<Vec<Vec<String>>, ExtractError> {
    read_grid_with(bytes, &Limits::default())
}

/// The first sheet of an XLSX as rows of trimmed cell text (dates as `YYYY-MM-DD`). Rows above
/// the first with content are empty; the others are padded to the widest row. A sheet with
/// content beyond `limits` is refused, whatever its cells or its declared dimension say.
pub fn read_grid_with(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>, ExtractError> {
    use calamine::Reader;
    if crate::detect(bytes)? != Format::Xlsx {
        return Err(ExtractError::Unsupported(
            "不是 XLSX 文件（请在 Excel 或 WPS 中另存为 .xlsx）".into(),
        ));
    }
    crate::check_zip(bytes, limits)?;
    crate::guarded(Format::Xlsx, || {
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
            .map_err(|e: calamine::XlsxError| corrupt(e.to_string()))?;
        let name = wb
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| corrupt("没有工作表".into()))?;
        grid_of(&mut wb, &name, limits)
    })
}

fn grid_of(
    wb: &mut calamine::Xlsx<Cursor<&[u8]>>,
    name: &str,
    limits: &Limits,
) -> Result<Vec<Vec<String>>, ExtractError> {
    let cells = sheet_cells(wb, name, limits)?;
    let Some(top) = cells.first().map(|c| c.0 as usize) else {
        return Ok(Vec::new());
    };
    let rows = cells.last().map_or(0, |c| c.0 as usize + 1);
    let width = cells.iter().map(|c| c.1 as usize + 1).max().unwrap_or(0);
    if (rows - top).saturating_mul(width) > limits.max_grid_cells {
        return Err(ExtractError::TooLarge(format!(
            "工作表“{name}”有内容的范围过大（{}行×{width}列）",
            rows - top
        )));
    }
    let mut grid: Vec<Vec<String>> = vec![Vec::new(); top];
    grid.resize_with(rows, || vec![String::new(); width]);
    for (r, c, v) in cells {
        grid[r as usize][c as usize] = match v {
            calamine::Data::DateTime(d) => excel_date(d.as_f64()),
            other => cell_text(&other).trim().to_string(),
        };
    }
    Ok(grid)
}

/// A sheet's cells as text, row by row.
pub type Grid = Vec<Vec<String>>;

/// Every sheet of an XLSX workbook: its name and its grid (as [`read_grid`] reads the first).
pub fn read_sheets(bytes: &[u8]) -> Result<Vec<(String, Grid)>, ExtractError> {
    read_sheets_with(bytes, &Limits::default())
}

/// [`read_sheets`] within the given limits.
pub fn read_sheets_with(
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<(String, Grid)>, ExtractError> {
    use calamine::Reader;
    let limits = *limits;
    if crate::detect(bytes)? != Format::Xlsx {
        return Err(ExtractError::Unsupported("不是 XLSX 文件".into()));
    }
    crate::check_zip(bytes, &limits)?;
    crate::guarded(Format::Xlsx, || {
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
            .map_err(|e: calamine::XlsxError| corrupt(e.to_string()))?;
        let names = wb.sheet_names();
        let mut out = Vec::new();
        for name in names {
            let grid = grid_of(&mut wb, &name, &limits)?;
            out.push((name, grid));
        }
        Ok(out)
    })
}

/// The cells with content of one sheet, in (row, column) order. Memory follows the cells the
/// file holds, never the dimension or the positions it declares; a cell beyond the row or
/// column limit refuses the sheet.
pub(crate) fn sheet_cells<RS: Read + Seek>(
    wb: &mut calamine::Xlsx<RS>,
    name: &str,
    limits: &Limits,
) -> Result<Vec<(u32, u32, calamine::Data)>, ExtractError> {
    let mut reader = wb
        .worksheet_cells_reader(name)
        .map_err(|e| corrupt(e.to_string()))?;
    let mut out = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(|e| corrupt(e.to_string()))? {
        let (r, c) = cell.get_position();
        let v: calamine::Data = cell.get_value().clone().into();
        if matches!(v, calamine::Data::Empty) {
            continue;
        }
        if r >= limits.max_rows {
            return Err(ExtractError::TooLarge(format!(
                "工作表“{name}”第{}行有内容，超过{}行的上限（[disclosure] max_sheet_rows）",
                u64::from(r) + 1,
                limits.max_rows
            )));
        }
        if c >= limits.max_cols {
            return Err(ExtractError::TooLarge(format!(
                "工作表“{name}”第{}列有内容，超过{}列的上限（[disclosure] max_sheet_columns）",
                u64::from(c) + 1,
                limits.max_cols
            )));
        }
        out.push((r, c, v));
    }
    out.sort_unstable_by_key(|(r, c, _)| (*r, *c));
    Ok(out)
}

/// An Excel date serial (days since 1899-12-30) as `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM` when it
/// carries a time of day.
fn excel_date(serial: f64) -> String {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).and_then(|d| d.and_hms_opt(0, 0, 0));
    let seconds = (serial * 86_400.0).round();
    if !seconds.is_finite() || seconds.abs() > 1e12 {
        return serial.to_string();
    }
    epoch
        .and_then(|e| e.checked_add_signed(chrono::Duration::seconds(seconds as i64)))
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string().replace(" 00:00", ""))
        .unwrap_or_else(|| serial.to_string())
}

/// A table to write: a title row across the table, a header (one row, or two where a top cell
/// followed by empty top cells spans the sub-headers below it), and the data.
pub struct Table<'a> {
    /// Worksheet name (at most 31 characters).
    pub sheet: &'a str,
    /// The title in the first row.
    pub title: &'a str,
    /// The top header row.
    pub header: &'a [&'a str],
    /// The second header row, if any (empty where the top cell spans both rows).
    pub sub_header: Option<&'a [&'a str]>,
    /// Column widths in characters.
    pub widths: &'a [f64],
    /// The data rows.
    pub rows: &'a [Vec<String>],
}

/// Writes the table as XLSX bytes.
pub fn write_table(t: &Table<'_>) -> Result<Vec<u8>, ExtractError> {
    use rust_xlsxwriter::{Format as Fmt, FormatAlign, FormatBorder, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| corrupt(e.to_string());
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(t.sheet).map_err(err)?;
    let title = Fmt::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let head = Fmt::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(0xDDEBF7);
    let cell = Fmt::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let cols = t.header.len() as u16;
    let last_col = cols.saturating_sub(1);
    ws.merge_range(0, 0, 0, last_col, t.title, &title)
        .map_err(err)?;
    let header_rows: u32 = if t.sub_header.is_some() { 2 } else { 1 };
    let mut c = 0u16;
    while c < cols {
        let text = t.header[c as usize];
        let mut span = 1u16;
        while c + span < cols && t.header[(c + span) as usize].is_empty() {
            span += 1;
        }
        match t.sub_header {
            Some(sub) => {
                if span > 1 {
                    ws.merge_range(1, c, 1, c + span - 1, text, &head)
                        .map_err(err)?;
                    for k in c..c + span {
                        ws.write_string_with_format(2, k, sub[k as usize], &head)
                            .map_err(err)?;
                    }
                } else if sub[c as usize].is_empty() {
                    ws.merge_range(1, c, 2, c, text, &head).map_err(err)?;
                } else {
                    ws.write_string_with_format(1, c, text, &head)
                        .map_err(err)?;
                    ws.write_string_with_format(2, c, sub[c as usize], &head)
                        .map_err(err)?;
                }
            }
            None => {
                for k in c..c + span {
                    ws.write_string_with_format(1, k, t.header[k as usize], &head)
                        .map_err(err)?;
                }
            }
        }
        c += span;
    }
    for (i, w) in t.widths.iter().enumerate() {
        ws.set_column_width(i as u16, *w).map_err(err)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 1 + header_rows;
        for (k, v) in row.iter().enumerate() {
            ws.write_string_with_format(r, k as u16, v, &cell)
                .map_err(err)?;
        }
    }
    ws.set_freeze_panes(1 + header_rows, 0).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

/// How a laid-out cell looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// The sheet's title (large, bold, no border).
    Title,
    /// A header cell (bold, shaded, centred).
    Head,
    /// A row label.
    Label,
    /// A figure (written as a number when it parses as one, right-aligned).
    Number,
}

/// One cell of a laid-out sheet, possibly spanning rows and columns (merged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// Top row (0-based).
    pub row: u32,
    /// Left column (0-based).
    pub col: u16,
    /// Rows spanned (at least 1).
    pub rows: u32,
    /// Columns spanned (at least 1).
    pub cols: u16,
    /// The text.
    pub text: String,
    /// How it looks.
    pub style: Style,
}

/// A sheet laid out cell by cell: national report forms with merged headers and labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Worksheet name (at most 31 characters).
    pub name: String,
    /// Column widths in characters.
    pub widths: Vec<f64>,
    /// The cells.
    pub cells: Vec<Cell>,
}

/// Writes laid-out sheets as one XLSX workbook.
pub fn write_layouts(sheets: &[Layout]) -> Result<Vec<u8>, ExtractError> {
    use rust_xlsxwriter::{Format as Fmt, FormatAlign, FormatBorder, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| corrupt(e.to_string());
    let mut wb = Workbook::new();
    let border = |f: Fmt| f.set_border(FormatBorder::Thin).set_text_wrap();
    let title = Fmt::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let head = border(Fmt::new())
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(0xDDEBF7);
    let label = border(Fmt::new()).set_align(FormatAlign::VerticalCenter);
    let number = border(Fmt::new())
        .set_align(FormatAlign::Right)
        .set_align(FormatAlign::VerticalCenter);
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&sheet.name).map_err(err)?;
        for (i, w) in sheet.widths.iter().enumerate() {
            ws.set_column_width(i as u16, *w).map_err(err)?;
        }
        for c in &sheet.cells {
            let f = match c.style {
                Style::Title => &title,
                Style::Head => &head,
                Style::Label => &label,
                Style::Number => &number,
            };
            let (last_row, last_col) = (c.row + c.rows.max(1) - 1, c.col + c.cols.max(1) - 1);
            if last_row > c.row || last_col > c.col {
                ws.merge_range(c.row, c.col, last_row, last_col, &c.text, f)
                    .map_err(err)?;
                if c.style == Style::Number
                    && let Ok(n) = c.text.parse::<f64>()
                {
                    ws.write_number_with_format(c.row, c.col, n, f)
                        .map_err(err)?;
                }
            } else if c.style == Style::Number
                && let Ok(n) = c.text.parse::<f64>()
            {
                ws.write_number_with_format(c.row, c.col, n, f)
                    .map_err(err)?;
            } else {
                ws.write_string_with_format(c.row, c.col, &c.text, f)
                    .map_err(err)?;
            }
        }
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_table_reads_back_at_the_same_positions() {
        let rows = vec![
            vec![
                "义务教育".to_string(),
                "招生".into(),
                "√".into(),
                String::new(),
            ],
            vec!["救灾".to_string(), "物资".into(), String::new(), "√".into()],
        ];
        let bytes = write_table(&Table {
            sheet: "标准目录",
            title: "基层政务公开标准目录",
            header: &["领域", "事项", "公开方式", ""],
            sub_header: Some(&["", "", "主动", "依申请"]),
            widths: &[10.0, 20.0, 8.0, 8.0],
            rows: &rows,
        })
        .unwrap();
        let grid = read_grid(&bytes).unwrap();
        assert_eq!(grid[0][0], "基层政务公开标准目录");
        assert_eq!(grid[1][..3], ["领域", "事项", "公开方式"]);
        assert_eq!(grid[2][2..4], ["主动", "依申请"]);
        assert_eq!(grid[3], rows[0]);
        assert_eq!(grid[4], rows[1]);
        assert!(matches!(
            read_grid(b"plain text"),
            Err(ExtractError::Unsupported(_))
        ));
    }
}
