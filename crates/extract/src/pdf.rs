//! Writing official letters as PDF: A4 pages laid out like a government document (GB/T 9704:
//! title in large type, 16-point body, first lines indented two characters, the issuing body
//! and date on the right, a seal area), in one CJK TrueType font embedded as a subset.
//!
//! The font is embedded as a CIDFontType2 with Identity-H encoding: character codes are glyph
//! ids. Only the glyphs used keep their outlines (the others are emptied, so glyph ids stay the
//! same and no remapping is needed); a ToUnicode map makes the text layer extract as the same
//! Chinese (`pdftotext`). Streams are Flate-compressed. No outside process, no network.

use flate2::Compression;
use flate2::write::ZlibEncoder;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The font file could not be read.
    #[error("无法读取字体文件 {0}：{1}")]
    FontFile(String, String),
    /// The font is not a TrueType font this writer can embed.
    #[error("字体无法使用：{0}")]
    Font(String),
}

/// A TrueType font (or one face of a collection), read once and used for many documents.
pub struct Font {
    data: Vec<u8>,
    index: u32,
    units_per_em: f32,
    ascender: i16,
    descender: i16,
    bbox: [i16; 4],
    name: String,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Font")
            .field("name", &self.name)
            .field("index", &self.index)
            .finish()
    }
}

impl Font {
    /// Reads face `index` of the TrueType font or collection at `path`.
    pub fn load(path: &std::path::Path, index: u32) -> Result<Font, PdfError> {
        let data = std::fs::read(path)
            .map_err(|e| PdfError::FontFile(path.display().to_string(), e.to_string()))?;
        Font::from_bytes(data, index)
    }

    /// A font from its bytes.
    pub fn from_bytes(data: Vec<u8>, index: u32) -> Result<Font, PdfError> {
        let face =
            ttf_parser::Face::parse(&data, index).map_err(|e| PdfError::Font(e.to_string()))?;
        if face.tables().glyf.is_none() {
            return Err(PdfError::Font("只支持 TrueType 轮廓（glyf）字体".into()));
        }
        let b = face.global_bounding_box();
        let name: String = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| "CJKFont".into())
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        Ok(Font {
            units_per_em: f32::from(face.units_per_em()),
            ascender: face.ascender(),
            descender: face.descender(),
            bbox: [b.x_min, b.y_min, b.x_max, b.y_max],
            name: if name.is_empty() {
                "CJKFont".into()
            } else {
                name
            },
            data,
            index,
        })
    }

    fn face(&self) -> Result<ttf_parser::Face<'_>, PdfError> {
        ttf_parser::Face::parse(&self.data, self.index).map_err(|e| PdfError::Font(e.to_string()))
    }
}

/// One block of a letter, top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The title: large, centred.
    Title(String),
    /// The document number under the title: centred.
    Number(String),
    /// A paragraph: first line indented two characters. Line breaks in the text start new
    /// paragraphs.
    Para(String),
    /// A line without indent (the salutation).
    Plain(String),
    /// A line aligned right (issuing body, date).
    Right(String),
    /// The seal area: a circle over the lines aligned right that follow it.
    Seal,
    /// Vertical space, in lines.
    Space(f32),
}

/// A letter: its title (document properties) and blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Letter {
    /// Document title.
    pub title: String,
    /// The blocks, top to bottom.
    pub blocks: Vec<Block>,
}

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MM: f32 = 72.0 / 25.4;
const BODY: f32 = 16.0;
const LINE: f32 = 28.0;

struct Layout<'f> {
    face: ttf_parser::Face<'f>,
    upem: f32,
    pages: Vec<String>,
    page: String,
    y: f32,
    used: BTreeMap<u16, char>,
    seal: Option<f32>,
}

impl Layout<'_> {
    fn left() -> f32 {
        28.0 * MM
    }
    fn right() -> f32 {
        PAGE_W - 26.0 * MM
    }
    fn top() -> f32 {
        PAGE_H - 37.0 * MM
    }
    fn bottom() -> f32 {
        35.0 * MM
    }

    fn glyph(&mut self, c: char) -> (u16, f32) {
        let c = if c == '\t' { ' ' } else { c };
        let gid = self.face.glyph_index(c).map_or(0, |g| g.0);
        let adv = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(gid))
            .map_or(self.upem, f32::from);
        if gid != 0 {
            self.used.entry(gid).or_insert(c);
        }
        (gid, adv / self.upem)
    }

    fn width(&mut self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.glyph(c).1 * size).sum()
    }

    fn new_line(&mut self, height: f32) {
        self.y -= height;
        if self.y < Self::bottom() {
            let done = std::mem::take(&mut self.page);
            self.pages.push(done);
            self.y = Self::top() - height;
        }
    }

    fn text_at(&mut self, x: f32, s: &str, size: f32) {
        let mut hex = String::with_capacity(s.len() * 4);
        for c in s.chars() {
            let (gid, _) = self.glyph(c);
            let _ = write!(hex, "{gid:04X}");
        }
        let _ = writeln!(
            self.page,
            "BT /F1 {size} Tf {x:.2} {:.2} Td <{hex}> Tj ET",
            self.y
        );
    }

    /// Breaks `text` into lines of at most `width` points (the first `indent` points narrower):
    /// any character may end a line, except that closing punctuation never starts one.
    fn lines(&mut self, text: &str, size: f32, width: f32, indent: f32) -> Vec<String> {
        const NO_START: &str = "，。、；：？！）》」』”’％,.;:?!)]";
        let mut out = Vec::new();
        let mut line = String::new();
        let mut w = 0.0;
        let mut limit = width - indent;
        for c in text.chars() {
            let cw = self.glyph(c).1 * size;
            if w + cw > limit + 0.01 && !line.is_empty() && !NO_START.contains(c) {
                out.push(std::mem::take(&mut line));
                w = 0.0;
                limit = width;
            }
            line.push(c);
            w += cw;
        }
        if !line.is_empty() || out.is_empty() {
            out.push(line);
        }
        out
    }

    fn block(&mut self, b: &Block) {
        let (l, r) = (Self::left(), Self::right());
        let width = r - l;
        match b {
            Block::Title(t) => {
                for line in self.lines(t, 22.0, width, 0.0) {
                    self.new_line(36.0);
                    let w = self.width(&line, 22.0);
                    self.text_at(l + (width - w) / 2.0, &line, 22.0);
                }
                self.new_line(8.0);
            }
            Block::Number(t) => {
                self.new_line(LINE);
                let w = self.width(t, BODY);
                self.text_at(l + (width - w) / 2.0, t, BODY);
                self.new_line(LINE / 2.0);
            }
            Block::Para(t) => {
                for para in t.split('\n').filter(|p| !p.trim().is_empty()) {
                    let para = para.trim();
                    for (i, line) in self.lines(para, BODY, width, 2.0 * BODY).iter().enumerate() {
                        self.new_line(LINE);
                        let x = if i == 0 { l + 2.0 * BODY } else { l };
                        self.text_at(x, line, BODY);
                    }
                }
            }
            Block::Plain(t) => {
                for line in self.lines(t, BODY, width, 0.0) {
                    self.new_line(LINE);
                    self.text_at(l, &line, BODY);
                }
            }
            Block::Right(t) => {
                self.new_line(LINE);
                let w = self.width(t, BODY);
                // GB/T 9704: the date ends four characters from the right margin
                let x = (r - 4.0 * BODY - w).max(l);
                self.text_at(x, t, BODY);
                if let Some(cx) = self.seal.take() {
                    self.circle(cx.min(x + w / 2.0), self.y + LINE / 2.0);
                }
            }
            Block::Seal => self.seal = Some(r - 4.0 * BODY - 60.0),
            Block::Space(n) => self.new_line(LINE * n),
        }
    }

    /// The seal area: a red circle (42 mm) drawn with four Bézier arcs, and its caption.
    fn circle(&mut self, cx: f32, cy: f32) {
        let rad = 21.0 * MM;
        let k = 0.552_284_8 * rad;
        let _ = writeln!(
            self.page,
            "q 0.85 0.1 0.1 RG 1 w [4 3] 0 d {x0:.2} {cy:.2} m {a:.2} {b:.2} {c:.2} {d:.2} {cx:.2} {top:.2} c \
             {e:.2} {d:.2} {f:.2} {b:.2} {x1:.2} {cy:.2} c {f:.2} {g:.2} {e:.2} {h:.2} {cx:.2} {bot:.2} c \
             {c:.2} {h:.2} {a:.2} {g:.2} {x0:.2} {cy:.2} c S Q",
            x0 = cx - rad,
            x1 = cx + rad,
            top = cy + rad,
            bot = cy - rad,
            a = cx - rad,
            b = cy + k,
            c = cx - k,
            d = cy + rad,
            e = cx + k,
            f = cx + rad,
            g = cy - k,
            h = cy - rad,
        );
    }
}

/// Lays out and writes `letter` as a PDF.
pub fn render(font: &Font, letter: &Letter) -> Result<Vec<u8>, PdfError> {
    let mut lay = Layout {
        face: font.face()?,
        upem: font.units_per_em,
        pages: Vec::new(),
        page: String::new(),
        y: Layout::top() + LINE,
        used: BTreeMap::new(),
        seal: None,
    };
    for b in &letter.blocks {
        lay.block(b);
    }
    if !lay.page.is_empty() || lay.pages.is_empty() {
        let last = std::mem::take(&mut lay.page);
        lay.pages.push(last);
    }
    let used = std::mem::take(&mut lay.used);
    let widths: Vec<(u16, f32)> = used.keys().map(|g| (*g, lay.glyph_width(*g))).collect();
    let pages = std::mem::take(&mut lay.pages);
    drop(lay);
    let subset = subset(&font.data, font.index, &used.keys().copied().collect())?;
    Ok(write_pdf(font, letter, &pages, &used, &widths, &subset))
}

impl Layout<'_> {
    fn glyph_width(&self, gid: u16) -> f32 {
        self.face
            .glyph_hor_advance(ttf_parser::GlyphId(gid))
            .map_or(1000.0, |a| f32::from(a) * 1000.0 / self.upem)
    }
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
    // writing to a Vec cannot fail
    let _ = e.write_all(bytes);
    e.finish().unwrap_or_default()
}

fn utf16_hex(s: &str) -> String {
    let mut out = String::from("FEFF");
    for u in s.encode_utf16() {
        let _ = write!(out, "{u:04X}");
    }
    out
}

fn write_pdf(
    font: &Font,
    letter: &Letter,
    pages: &[String],
    used: &BTreeMap<u16, char>,
    widths: &[(u16, f32)],
    subset: &[u8],
) -> Vec<u8> {
    let mut out: Vec<u8> = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets: Vec<usize> = Vec::new();
    let n_pages = pages.len();
    // object numbers: 1 catalog, 2 pages, 3 type0, 4 cidfont, 5 descriptor, 6 font file,
    // 7 tounicode, 8 info, then per page: page, content
    let page_obj = |i: usize| 9 + 2 * i;
    let obj = |out: &mut Vec<u8>, offsets: &mut Vec<usize>, body: &[u8]| {
        offsets.push(out.len());
        let n = offsets.len();
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    let stream = |dict: &str, data: &[u8]| {
        let mut b = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        b.extend_from_slice(data);
        b.extend_from_slice(b"\nendstream");
        b
    };
    let tag: String = {
        // the subset tag: six capitals from the glyphs used (stable for the same text)
        let mut h: u32 = 2_166_136_261;
        for g in used.keys() {
            h = (h ^ u32::from(*g)).wrapping_mul(16_777_619);
        }
        (0..6)
            .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
            .collect()
    };
    let base = format!("{tag}+{}", font.name);
    obj(&mut out, &mut offsets, b"<< /Type /Catalog /Pages 2 0 R >>");
    let kids: Vec<String> = (0..n_pages)
        .map(|i| format!("{} 0 R", page_obj(i)))
        .collect();
    obj(
        &mut out,
        &mut offsets,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n_pages} >>",
            kids.join(" ")
        )
        .as_bytes(),
    );
    obj(
        &mut out,
        &mut offsets,
        format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 7 0 R >>"
        )
        .as_bytes(),
    );
    let mut w = String::new();
    for (g, width) in widths {
        let _ = write!(w, "{g} [{}] ", width.round());
    }
    obj(
        &mut out,
        &mut offsets,
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{base} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
             /FontDescriptor 5 0 R /DW 1000 /W [{w}] /CIDToGIDMap /Identity >>"
        )
        .as_bytes(),
    );
    let scale = |v: i16| (f32::from(v) * 1000.0 / font.units_per_em).round();
    obj(
        &mut out,
        &mut offsets,
        format!(
            "<< /Type /FontDescriptor /FontName /{base} /Flags 4 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV 80 /FontFile2 6 0 R >>",
            scale(font.bbox[0]),
            scale(font.bbox[1]),
            scale(font.bbox[2]),
            scale(font.bbox[3]),
            scale(font.ascender),
            scale(font.descender),
            scale(font.ascender),
        )
        .as_bytes(),
    );
    let packed = deflate(subset);
    obj(
        &mut out,
        &mut offsets,
        &stream(
            &format!("/Filter /FlateDecode /Length1 {}", subset.len()),
            &packed,
        ),
    );
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(&u16, &char)> = used.iter().collect();
    for chunk in entries.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
        for (g, c) in chunk {
            let mut buf = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut buf)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            let _ = writeln!(cmap, "<{g:04X}> <{hex}>");
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    obj(
        &mut out,
        &mut offsets,
        &stream("/Filter /FlateDecode", &deflate(cmap.as_bytes())),
    );
    obj(
        &mut out,
        &mut offsets,
        format!(
            "<< /Title <{}> /Producer (gongkai) >>",
            utf16_hex(&letter.title)
        )
        .as_bytes(),
    );
    for (i, content) in pages.iter().enumerate() {
        obj(
            &mut out,
            &mut offsets,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                page_obj(i) + 1
            )
            .as_bytes(),
        );
        obj(
            &mut out,
            &mut offsets,
            &stream("/Filter /FlateDecode", &deflate(content.as_bytes())),
        );
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1);
    for o in &offsets {
        let _ = writeln!(tail, "{o:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R /Info 8 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        offsets.len() + 1
    );
    out.extend_from_slice(tail.as_bytes());
    out
}

fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}
fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *d.get(at)?,
        *d.get(at + 1)?,
        *d.get(at + 2)?,
        *d.get(at + 3)?,
    ]))
}

/// The font's tables (tag → bytes) of face `index`.
fn tables(data: &[u8], index: u32) -> Option<BTreeMap<[u8; 4], &[u8]>> {
    let start = if data.get(..4)? == b"ttcf" {
        be32(data, 12 + 4 * index as usize)? as usize
    } else {
        0
    };
    let n = be16(data, start + 4)? as usize;
    let mut out = BTreeMap::new();
    for i in 0..n {
        let rec = start + 12 + 16 * i;
        let tag: [u8; 4] = data.get(rec..rec + 4)?.try_into().ok()?;
        let off = be32(data, rec + 8)? as usize;
        let len = be32(data, rec + 12)? as usize;
        out.insert(tag, data.get(off..off.checked_add(len)?)?);
    }
    Some(out)
}

/// A TrueType font with the outlines of every glyph not in `keep` (nor a component of one, nor
/// glyph 0) removed; glyph ids are unchanged. Only the tables a PDF reader needs are kept.
fn subset(data: &[u8], index: u32, keep: &BTreeSet<u16>) -> Result<Vec<u8>, PdfError> {
    let bad = |what: &str| PdfError::Font(format!("字体结构无法读取（{what}）"));
    let t = tables(data, index).ok_or_else(|| bad("表目录"))?;
    let get = |tag: &[u8; 4]| t.get(tag).copied();
    let head = get(b"head").ok_or_else(|| bad("head"))?;
    let maxp = get(b"maxp").ok_or_else(|| bad("maxp"))?;
    let loca = get(b"loca").ok_or_else(|| bad("loca"))?;
    let glyf = get(b"glyf").ok_or_else(|| bad("glyf"))?;
    let long = be16(head, 50).ok_or_else(|| bad("head"))? == 1;
    let n = be16(maxp, 4).ok_or_else(|| bad("maxp"))? as usize;
    let offset = |g: usize| -> Option<usize> {
        if long {
            be32(loca, 4 * g).map(|v| v as usize)
        } else {
            be16(loca, 2 * g).map(|v| 2 * v as usize)
        }
    };
    let glyph = |g: usize| -> Option<&[u8]> {
        let (a, b) = (offset(g)?, offset(g + 1)?);
        glyf.get(a..b.max(a))
    };
    // the glyphs to keep, with the components of composite glyphs
    let mut kept: BTreeSet<usize> = keep.iter().map(|g| *g as usize).collect();
    kept.insert(0);
    let mut todo: Vec<usize> = kept.iter().copied().collect();
    while let Some(g) = todo.pop() {
        let Some(bytes) = glyph(g) else { continue };
        if bytes.len() < 10 || (be16(bytes, 0).unwrap_or(0) as i16) >= 0 {
            continue;
        }
        let mut at = 10;
        while let (Some(flags), Some(comp)) = (be16(bytes, at), be16(bytes, at + 2)) {
            if (comp as usize) < n && kept.insert(comp as usize) {
                todo.push(comp as usize);
            }
            at += 4 + if flags & 0x0001 != 0 { 4 } else { 2 };
            at += if flags & 0x0008 != 0 {
                2
            } else if flags & 0x0040 != 0 {
                4
            } else if flags & 0x0080 != 0 {
                8
            } else {
                0
            };
            if flags & 0x0020 == 0 {
                break;
            }
        }
    }
    let mut new_glyf = Vec::new();
    let mut new_loca = Vec::with_capacity(4 * (n + 1));
    for g in 0..n {
        new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
        if kept.contains(&g) {
            new_glyf.extend_from_slice(glyph(g).unwrap_or_default());
            while new_glyf.len() % 4 != 0 {
                new_glyf.push(0);
            }
        }
    }
    new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
    let mut new_head = head.to_vec();
    if new_head.len() >= 54 {
        new_head[8..12].copy_from_slice(&[0; 4]);
        new_head[50..52].copy_from_slice(&1u16.to_be_bytes());
    }
    let mut out_tables: BTreeMap<[u8; 4], Vec<u8>> = BTreeMap::new();
    for tag in [b"hhea", b"hmtx", b"maxp", b"cvt ", b"fpgm", b"prep"] {
        if let Some(b) = get(tag) {
            out_tables.insert(*tag, b.to_vec());
        }
    }
    out_tables.insert(*b"head", new_head);
    out_tables.insert(*b"loca", new_loca);
    out_tables.insert(*b"glyf", new_glyf);
    Ok(sfnt(&out_tables))
}

fn checksum(b: &[u8]) -> u32 {
    b.chunks(4).fold(0u32, |sum, c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(w))
    })
}

fn sfnt(tables: &BTreeMap<[u8; 4], Vec<u8>>) -> Vec<u8> {
    let n = tables.len() as u16;
    let pow = 1u16 << (15 - n.leading_zeros());
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(&(pow * 16).to_be_bytes());
    out.extend_from_slice(&(pow.trailing_zeros() as u16).to_be_bytes());
    out.extend_from_slice(&(n * 16 - pow * 16).to_be_bytes());
    let mut at = 12 + 16 * tables.len();
    let mut body = Vec::new();
    for (tag, data) in tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(at as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        body.extend_from_slice(data);
        while body.len() % 4 != 0 {
            body.push(0);
        }
        at = 12 + 16 * tables.len() + body.len();
    }
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

    #[test]
    fn a_letter_embeds_only_the_glyphs_it_uses() {
        let Ok(font) = Font::load(std::path::Path::new(FONT), 0) else {
            // the test script installs the font; without it there is nothing to embed
            eprintln!("skipped: {FONT} missing");
            return;
        };
        let letter = Letter {
            title: "政府信息公开申请答复书".into(),
            blocks: vec![
                Block::Title("政府信息公开申请答复书".into()),
                Block::Number("教复〔2026〕1号".into()),
                Block::Plain("张三：".into()),
                Block::Para("本机关于二〇二六年三月二日收到您提出的政府信息公开申请。".repeat(8)),
                Block::Seal,
                Block::Right("区教育局".into()),
                Block::Right("二〇二六年三月二十日".into()),
            ],
        };
        let pdf = render(&font, &letter).unwrap();
        assert!(pdf.starts_with(b"%PDF-1.7"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        // a subset: far smaller than the 5 MB font
        assert!(pdf.len() < 400_000, "{}", pdf.len());
        if let Ok(dir) = std::env::var("GONGKAI_PDF_OUT") {
            std::fs::write(std::path::Path::new(&dir).join("letter.pdf"), &pdf).unwrap();
        }
    }
}
