//! A realistic department budget workbook, laid out as the finance bureaus lay theirs out (one
//! sheet per table, a merged title, the unit line, two merged header rows, codes split into
//! 类/款/项 in the general-budget table): for the tests, the benchmark and the demo. Every
//! figure is consistent, so the set passes every rule of `check`; a caller changes one cell to
//! test a rule.

use super::codes::{CodeBook, parent};

/// How a laid-out cell looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// The title.
    Title,
    /// A header cell.
    Head,
    /// A label.
    Label,
    /// A figure.
    Number,
}

/// One cell, possibly merged over rows and columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Top row (0-based).
    pub row: u32,
    /// Left column (0-based).
    pub col: u16,
    /// Rows spanned.
    pub rows: u32,
    /// Columns spanned.
    pub cols: u16,
    /// Text.
    pub text: String,
    /// Look.
    pub look: Look,
}

/// One sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The sheet's name.
    pub name: String,
    /// Column widths in characters.
    pub widths: Vec<f64>,
    /// The cells.
    pub pieces: Vec<Piece>,
}

impl Sheet {
    /// The sheet as a spreadsheet reader sees it (a merged cell's text in its top-left cell).
    pub fn grid(&self) -> Vec<Vec<String>> {
        let rows = self
            .pieces
            .iter()
            .map(|p| p.row + p.rows)
            .max()
            .unwrap_or(0) as usize;
        let cols = self.widths.len().max(
            self.pieces
                .iter()
                .map(|p| (p.col + p.cols) as usize)
                .max()
                .unwrap_or(0),
        );
        let mut g = vec![vec![String::new(); cols]; rows];
        for p in &self.pieces {
            g[p.row as usize][p.col as usize] = p.text.clone();
        }
        g
    }

    /// Replaces the text of the cell at a row (1-based, as staff see it) and column.
    pub fn set(&mut self, line: u32, col: u16, text: &str) -> bool {
        match self
            .pieces
            .iter_mut()
            .find(|p| p.row + 1 == line && p.col == col)
        {
            Some(p) => {
                p.text = text.to_string();
                true
            }
            None => false,
        }
    }

    /// The row (1-based) whose cells include `text`.
    pub fn line_of(&self, col: u16, text: &str) -> Option<u32> {
        self.pieces
            .iter()
            .find(|p| p.col == col && p.text == text)
            .map(|p| p.row + 1)
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Params {
    /// The unit's name.
    pub unit: String,
    /// The year.
    pub year: i32,
    /// How many 项 lines the general budget has (taken from the code book).
    pub leaves: usize,
    /// Seed of the figures.
    pub seed: u64,
    /// Whether the unit has government-fund spending (else that table is 空表).
    pub fund: bool,
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    /// An amount of 0.01 to `max` 万元, in 分.
    fn wan(&mut self, max: u64) -> i64 {
        (1 + self.next() % (max * 100)) as i64 * 10_000
    }
}

fn w(fen: i64) -> String {
    super::wan(fen)
}

struct Build {
    pieces: Vec<Piece>,
    row: u32,
    width: u16,
}

impl Build {
    fn new(title: String, unit: &str, width: u16) -> Build {
        let mut b = Build {
            pieces: Vec::new(),
            row: 0,
            width,
        };
        b.put(0, 0, 1, width, title, Look::Title);
        b.put(
            1,
            0,
            1,
            2.min(width),
            format!("单位名称：{unit}"),
            Look::Label,
        );
        b.put(1, width - 1, 1, 1, "单位：万元".into(), Look::Label);
        b.row = 2;
        b
    }
    fn put(&mut self, row: u32, col: u16, rows: u32, cols: u16, text: String, look: Look) {
        self.pieces.push(Piece {
            row,
            col,
            rows,
            cols,
            text,
            look,
        });
    }
    /// Two header rows: each top cell with its span and its sub-headers (none: merged down).
    fn head(&mut self, tops: &[(&str, &[&str])]) {
        let mut col = 0u16;
        for (top, subs) in tops {
            if subs.is_empty() {
                self.put(self.row, col, 2, 1, top.to_string(), Look::Head);
                col += 1;
            } else {
                self.put(
                    self.row,
                    col,
                    1,
                    subs.len() as u16,
                    top.to_string(),
                    Look::Head,
                );
                for s in *subs {
                    self.put(self.row + 1, col, 1, 1, s.to_string(), Look::Head);
                    col += 1;
                }
            }
        }
        self.row += 2;
    }
    fn line(&mut self, cells: &[(String, Look)]) {
        for (c, (text, look)) in cells.iter().enumerate() {
            if !text.is_empty() {
                self.put(self.row, c as u16, 1, 1, text.clone(), *look);
            }
        }
        self.row += 1;
    }
    fn note(&mut self, text: &str) {
        self.put(self.row, 0, 1, self.width, text.to_string(), Look::Label);
        self.row += 1;
    }
    fn done(self, name: &str, widths: Vec<f64>) -> Sheet {
        Sheet {
            name: name.to_string(),
            widths,
            pieces: self.pieces,
        }
    }
}

fn lab(s: impl Into<String>) -> (String, Look) {
    (s.into(), Look::Label)
}

fn num(v: i64) -> (String, Look) {
    (w(v), Look::Number)
}

/// A leaf line: code, name, basic, project (分).
type Leaf = (String, String, i64, i64);

/// The tree of a set of leaves: every 类, 款 and 项 with its totals, in code order.
fn tree(book: &CodeBook, leaves: &[Leaf]) -> Vec<Leaf> {
    let mut sums: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for (code, _, b, p) in leaves {
        let mut c = Some(code.as_str());
        while let Some(x) = c {
            let e = sums.entry(x.to_string()).or_default();
            e.0 += b;
            e.1 += p;
            c = parent(x);
        }
    }
    sums.into_iter()
        .map(|(c, (b, p))| {
            let name = book.name(&c).unwrap_or("").to_string();
            (c, name, b, p)
        })
        .collect()
}

/// A synthetic code book with `items` 项 codes (for benchmarks at sizes no real list has).
pub fn synthetic_codes(year: i32, items: usize) -> CodeBook {
    let mut book = super::codes::shipped(2026).unwrap_or_default();
    book.year = year;
    let mut n = 0;
    'out: for lei in 201..=229 {
        for kuan in 1..=99 {
            for xiang in 1..=99 {
                if n >= items {
                    break 'out;
                }
                let (l, k, x) = (
                    format!("{lei}"),
                    format!("{lei}{kuan:02}"),
                    format!("{lei}{kuan:02}{xiang:02}"),
                );
                book.names
                    .entry(l)
                    .or_insert_with(|| format!("第{lei}类支出"));
                book.names
                    .entry(k)
                    .or_insert_with(|| format!("第{lei}类第{kuan}款"));
                if book
                    .names
                    .insert(x, format!("项目{lei}-{kuan}-{xiang}"))
                    .is_none()
                {
                    n += 1;
                }
            }
        }
    }
    book
}

/// A department's budget workbook (the nine tables), consistent in every figure.
pub fn budget(book: &CodeBook, p: &Params) -> Vec<Sheet> {
    generate(book, p, false)
}

/// A department's final-account workbook (the nine 决算 tables, 三公 with 预算数 and 决算数),
/// consistent in every figure: last year's balance carried in and out, all income spent.
pub fn final_accounts(book: &CodeBook, p: &Params) -> Vec<Sheet> {
    generate(book, p, true)
}

fn generate(book: &CodeBook, p: &Params, fin: bool) -> Vec<Sheet> {
    let t = |budget: &'static str, final_: &'static str| if fin { final_ } else { budget };
    let amount = t("预算数", "决算数");
    let mut rng = Rng(p.seed.wrapping_add(0x9E37_79B9));
    let fund_codes: Vec<&String> = book
        .names
        .keys()
        .filter(|c| c.len() == 7 && c.starts_with("21208"))
        .collect();
    let mut items: Vec<&String> = book
        .names
        .keys()
        .filter(|c| c.len() == 7 && c.starts_with('2') && !c.starts_with("21208"))
        .collect();
    // Spread the chosen lines over the list, as a department's lines spread over functions.
    if items.len() > p.leaves && p.leaves > 0 {
        let step = items.len() as f64 / p.leaves as f64;
        items = (0..p.leaves)
            .map(|i| items[(i as f64 * step) as usize])
            .collect();
    }
    let general: Vec<Leaf> = items
        .iter()
        .map(|c| {
            let running = c.ends_with("01") || c.ends_with("50");
            let (b, pr) = if running {
                (rng.wan(800), 0)
            } else {
                (0, rng.wan(300))
            };
            ((*c).clone(), book.name(c).unwrap_or("").to_string(), b, pr)
        })
        .collect();
    let fund: Vec<Leaf> = if p.fund {
        fund_codes
            .iter()
            .take(2)
            .map(|c| {
                (
                    (*c).clone(),
                    book.name(c).unwrap_or("").to_string(),
                    0,
                    rng.wan(500),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let g_tree = tree(book, &general);
    let f_tree = tree(book, &fund);
    let mut all = general.clone();
    all.extend(fund.iter().cloned());
    let all_tree = tree(book, &all);
    let sum = |t: &[Leaf]| -> (i64, i64) {
        t.iter()
            .filter(|l| l.0.len() == 3)
            .fold((0, 0), |a, l| (a.0 + l.2, a.1 + l.3))
    };
    let (gb, gp) = sum(&g_tree);
    let (fb, fp) = sum(&f_tree);
    let (g, f) = (gb + gp, fb + fp);
    let head = |t: &str| format!("{}{}年{t}", p.unit, p.year);
    let mut sheets = Vec::new();

    // 1. 部门收支总表
    let mut b = Build::new(head(t("部门收支总表", "收入支出决算总表")), &p.unit, 4);
    b.head(&[("收入", &["项目", amount]), ("支出", &["项目", amount])]);
    // final accounts: a balance carried in from last year and out to next year
    let carry = if fin { 1_250_000 } else { 0 };
    let left: Vec<(&str, i64)> = if fin {
        vec![
            ("一、财政拨款收入", g + f),
            ("二、事业收入", 0),
            ("本年收入合计", g + f),
            ("使用非财政拨款结余", 0),
            ("年初结转和结余", carry),
        ]
    } else {
        vec![
            ("一、一般公共预算拨款收入", g),
            ("二、政府性基金预算拨款收入", f),
            ("三、国有资本经营预算拨款收入", 0),
            ("四、事业收入", 0),
            ("本年收入合计", g + f),
            ("上年结转", 0),
        ]
    };
    let mut right: Vec<(String, i64)> = all_tree
        .iter()
        .filter(|l| l.0.len() == 3)
        .enumerate()
        .map(|(i, l)| (format!("{}、{}", cn(i + 1), l.1), l.2 + l.3))
        .collect();
    right.push(("本年支出合计".into(), g + f));
    if fin {
        right.push(("结余分配".into(), 0));
        right.push(("年末结转和结余".into(), carry));
    } else {
        right.push(("结转下年".into(), 0));
    }
    let n = left.len().max(right.len() + 1);
    for i in 0..n {
        let l = if i + 1 == n {
            lab("收入总计")
        } else {
            left.get(i)
                .filter(|x| x.0 != "收入总计")
                .map_or(lab(""), |x| lab(x.0))
        };
        let lv = if i + 1 == n {
            num(g + f + carry)
        } else {
            left.get(i)
                .filter(|x| x.0 != "收入总计")
                .map_or(lab(""), |x| num(x.1))
        };
        let (r, rv) = if i + 1 == n {
            (lab("支出总计"), num(g + f + carry))
        } else {
            right
                .get(i)
                .map_or((lab(""), lab("")), |x| (lab(x.0.clone()), num(x.1)))
        };
        b.line(&[l, lv, r, rv]);
    }
    sheets.push(b.done(
        t("部门收支总表", "收入支出决算总表"),
        vec![30.0, 14.0, 30.0, 14.0],
    ));

    // 2. 部门收入总表
    let mut b = Build::new(head(t("部门收入总表", "收入决算表")), &p.unit, 6);
    if fin {
        b.head(&[
            ("科目编码", &[]),
            ("科目名称", &[]),
            ("合计", &[]),
            ("财政拨款收入", &[]),
            ("事业收入", &[]),
            ("其他收入", &[]),
        ]);
    } else {
        b.head(&[
            ("科目编码", &[]),
            ("科目名称", &[]),
            ("合计", &[]),
            ("一般公共预算拨款收入", &[]),
            ("政府性基金预算拨款收入", &[]),
            ("事业收入", &[]),
        ]);
    }
    let gmap: std::collections::HashMap<&str, i64> =
        g_tree.iter().map(|l| (l.0.as_str(), l.2 + l.3)).collect();
    let fmap: std::collections::HashMap<&str, i64> =
        f_tree.iter().map(|l| (l.0.as_str(), l.2 + l.3)).collect();
    // the final accounts' income by source: all of it appropriations
    let split = |gv: i64, fv: i64| if fin { (gv + fv, 0) } else { (gv, fv) };
    let (a0, b0) = split(g, f);
    b.line(&[lab(""), lab("合计"), num(g + f), num(a0), num(b0), num(0)]);
    for l in &all_tree {
        let (gv, fv) = (
            gmap.get(l.0.as_str()).copied().unwrap_or(0),
            fmap.get(l.0.as_str()).copied().unwrap_or(0),
        );
        let (a, bb) = split(gv, fv);
        b.line(&[
            lab(l.0.clone()),
            lab(l.1.clone()),
            num(gv + fv),
            num(a),
            num(bb),
            num(0),
        ]);
    }
    sheets.push(b.done(
        t("部门收入总表", "收入决算表"),
        vec![12.0, 30.0, 14.0, 14.0, 14.0, 14.0],
    ));

    // 3. 部门支出总表
    let mut b = Build::new(
        head(t("部门支出总表", "支出决算表")),
        &p.unit,
        if fin { 8 } else { 5 },
    );
    let mut heads: Vec<(&str, &[&str])> = vec![
        ("科目编码", &[]),
        ("科目名称", &[]),
        ("合计", &[]),
        ("基本支出", &[]),
        ("项目支出", &[]),
    ];
    if fin {
        heads.extend([
            ("上缴上级支出", &[][..]),
            ("经营支出", &[]),
            ("对附属单位补助支出", &[]),
        ]);
    }
    b.head(&heads);
    let zeros = if fin { 3 } else { 0 };
    let mut total = vec![lab(""), lab("合计"), num(g + f), num(gb + fb), num(gp + fp)];
    total.extend((0..zeros).map(|_| num(0)));
    b.line(&total);
    for l in &all_tree {
        let mut row = vec![
            lab(l.0.clone()),
            lab(l.1.clone()),
            num(l.2 + l.3),
            num(l.2),
            num(l.3),
        ];
        row.extend((0..zeros).map(|_| num(0)));
        b.line(&row);
    }
    let mut widths = vec![12.0, 30.0, 14.0, 14.0, 14.0];
    widths.extend((0..zeros).map(|_| 14.0));
    sheets.push(b.done(t("部门支出总表", "支出决算表"), widths));

    // 4. 财政拨款收支总表
    let mut b = Build::new(
        head(t("财政拨款收支总表", "财政拨款收入支出决算总表")),
        &p.unit,
        7,
    );
    b.head(&[
        ("收入", &["项目", amount]),
        (
            "支出",
            &[
                "项目",
                "合计",
                "一般公共预算",
                "政府性基金预算",
                "国有资本经营预算",
            ],
        ),
    ]);
    let left = [
        ("一、一般公共预算拨款", g),
        ("二、政府性基金预算拨款", f),
        ("三、国有资本经营预算拨款", 0),
    ];
    let leis: Vec<&Leaf> = all_tree.iter().filter(|l| l.0.len() == 3).collect();
    let n = left.len().max(leis.len()) + 1;
    for i in 0..n {
        if i + 1 == n {
            b.line(&[
                lab("收入总计"),
                num(g + f),
                lab("支出总计"),
                num(g + f),
                num(g),
                num(f),
                num(0),
            ]);
            break;
        }
        let (l, lv) = left
            .get(i)
            .map_or((lab(""), lab("")), |x| (lab(x.0), num(x.1)));
        let (r, a, gg, ff, cc) =
            leis.get(i)
                .map_or((lab(""), lab(""), lab(""), lab(""), lab("")), |x| {
                    let gv = gmap.get(x.0.as_str()).copied().unwrap_or(0);
                    let fv = fmap.get(x.0.as_str()).copied().unwrap_or(0);
                    (
                        lab(format!("{}、{}", cn(i + 1), x.1)),
                        num(gv + fv),
                        num(gv),
                        num(fv),
                        num(0),
                    )
                });
        b.line(&[l, lv, r, a, gg, ff, cc]);
    }
    sheets.push(b.done(
        t("财政拨款收支总表", "财政拨款收入支出决算总表"),
        vec![26.0, 14.0, 30.0, 14.0, 14.0, 14.0, 14.0],
    ));

    // 5. 一般公共预算支出表 (codes split into 类/款/项)
    let mut b = Build::new(
        head(t("一般公共预算支出表", "一般公共预算财政拨款支出决算表")),
        &p.unit,
        7,
    );
    b.head(&[
        ("科目编码", &["类", "款", "项"]),
        ("科目名称", &[]),
        ("一般公共预算支出", &["合计", "基本支出", "项目支出"]),
    ]);
    b.line(&[
        lab(""),
        lab(""),
        lab(""),
        lab("合计"),
        num(g),
        num(gb),
        num(gp),
    ]);
    for l in &g_tree {
        let parts = match l.0.len() {
            3 => [l.0.clone(), String::new(), String::new()],
            5 => [String::new(), l.0[3..5].to_string(), String::new()],
            _ => [String::new(), String::new(), l.0[5..7].to_string()],
        };
        let [a, bb, c] = parts;
        b.line(&[
            lab(a),
            lab(bb),
            lab(c),
            lab(l.1.clone()),
            num(l.2 + l.3),
            num(l.2),
            num(l.3),
        ]);
    }
    sheets.push(b.done(
        t("一般公共预算支出表", "一般公共预算财政拨款支出决算表"),
        vec![6.0, 6.0, 6.0, 30.0, 14.0, 14.0, 14.0],
    ));

    // 6. 一般公共预算基本支出表: the basic total spread over economic 款.
    let mut b = Build::new(
        head(t(
            "一般公共预算基本支出表",
            "一般公共预算财政拨款基本支出决算表",
        )),
        &p.unit,
        5,
    );
    b.head(&[
        ("科目编码", &[]),
        ("科目名称", &[]),
        ("一般公共预算基本支出", &["合计", "人员经费", "公用经费"]),
    ]);
    let shares: [(&str, bool, u32); 10] = [
        ("30101", true, 22),
        ("30102", true, 14),
        ("30107", true, 12),
        ("30108", true, 8),
        ("30113", true, 6),
        ("30201", false, 8),
        ("30211", false, 6),
        ("30217", false, 4),
        ("30231", false, 10),
        ("30302", true, 10),
    ];
    let mut econ: Vec<Leaf> = Vec::new();
    let mut left_over = gb;
    for (i, (code, personnel, pct)) in shares.iter().enumerate() {
        let v = if i + 1 == shares.len() {
            left_over
        } else {
            (gb / 10_000 * i64::from(*pct) / 100) * 10_000
        };
        left_over -= v;
        let (pv, cv) = if *personnel { (v, 0) } else { (0, v) };
        econ.push((
            code.to_string(),
            book.name(code).unwrap_or("").to_string(),
            pv,
            cv,
        ));
    }
    let e_tree = tree(book, &econ);
    let (ep, ec) = sum(&e_tree);
    b.line(&[lab(""), lab("合计"), num(ep + ec), num(ep), num(ec)]);
    for l in &e_tree {
        b.line(&[
            lab(l.0.clone()),
            lab(l.1.clone()),
            num(l.2 + l.3),
            num(l.2),
            num(l.3),
        ]);
    }
    sheets.push(b.done(
        t(
            "一般公共预算基本支出表",
            "一般公共预算财政拨款基本支出决算表",
        ),
        vec![12.0, 30.0, 14.0, 14.0, 14.0],
    ));

    // 7. 一般公共预算“三公”经费支出表 / 财政拨款“三公”经费支出决算表
    let (abroad, buy, run, host) = (rng.wan(20), rng.wan(30), rng.wan(15), rng.wan(8));
    if fin {
        let mut b = Build::new(head("财政拨款“三公”经费支出决算表"), &p.unit, 10);
        let subs: &[&str] = &[
            "合计",
            "因公出国（境）费",
            "公务用车购置费",
            "公务用车运行费",
            "公务接待费",
        ];
        b.head(&[("预算数", subs), ("决算数", subs)]);
        // spent a little under budget
        let (a2, b2, r2, h2) = (
            abroad * 9 / 10 / 10_000 * 10_000,
            buy,
            run * 95 / 100 / 10_000 * 10_000,
            host * 8 / 10 / 10_000 * 10_000,
        );
        b.line(&[
            num(abroad + buy + run + host),
            num(abroad),
            num(buy),
            num(run),
            num(host),
            num(a2 + b2 + r2 + h2),
            num(a2),
            num(b2),
            num(r2),
            num(h2),
        ]);
        sheets.push(b.done("财政拨款三公经费支出决算表", vec![12.0; 10]));
    } else {
        let mut b = Build::new(head("一般公共预算“三公”经费支出表"), &p.unit, 6);
        b.head(&[
            ("合计", &[]),
            ("因公出国（境）费", &[]),
            (
                "公务用车购置及运行费",
                &["小计", "公务用车购置费", "公务用车运行费"],
            ),
            ("公务接待费", &[]),
        ]);
        b.line(&[
            num(abroad + buy + run + host),
            num(abroad),
            num(buy + run),
            num(buy),
            num(run),
            num(host),
        ]);
        sheets.push(b.done("一般公共预算三公经费支出表", vec![14.0; 6]));
    }

    // 8. 政府性基金预算支出表
    let mut b = Build::new(
        head(t(
            "政府性基金预算支出表",
            "政府性基金预算财政拨款收入支出决算表",
        )),
        &p.unit,
        5,
    );
    b.head(&[
        ("科目编码", &[]),
        ("科目名称", &[]),
        ("政府性基金预算支出", &["合计", "基本支出", "项目支出"]),
    ]);
    if fund.is_empty() {
        b.line(&[lab(""), lab("合计"), lab(""), lab(""), lab("")]);
        b.note(&format!(
            "注：{}{}年没有使用政府性基金预算拨款安排的支出，故本表为空表。",
            p.unit, p.year
        ));
    } else {
        b.line(&[lab(""), lab("合计"), num(f), num(fb), num(fp)]);
        for l in &f_tree {
            b.line(&[
                lab(l.0.clone()),
                lab(l.1.clone()),
                num(l.2 + l.3),
                num(l.2),
                num(l.3),
            ]);
        }
    }
    sheets.push(b.done(
        t(
            "政府性基金预算支出表",
            "政府性基金预算财政拨款收入支出决算表",
        ),
        vec![12.0, 30.0, 14.0, 14.0, 14.0],
    ));

    // 9. 国有资本经营预算支出表 (empty)
    let mut b = Build::new(
        head(t(
            "国有资本经营预算支出表",
            "国有资本经营预算财政拨款支出决算表",
        )),
        &p.unit,
        5,
    );
    b.head(&[
        ("科目编码", &[]),
        ("科目名称", &[]),
        ("国有资本经营预算支出", &["合计", "基本支出", "项目支出"]),
    ]);
    b.line(&[lab(""), lab("合计"), lab(""), lab(""), lab("")]);
    b.note(&format!(
        "注：{}{}年没有使用国有资本经营预算拨款安排的支出，故本表为空表。",
        p.unit, p.year
    ));
    sheets.push(b.done(
        t(
            "国有资本经营预算支出表",
            "国有资本经营预算财政拨款支出决算表",
        ),
        vec![12.0, 30.0, 14.0, 14.0, 14.0],
    ));
    sheets
}

/// Chinese numerals for overview numbering (1 → 一, 12 → 十二, 25 → 二十五).
fn cn(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[n - 10] }),
        _ => format!(
            "{}十{}",
            D[n / 10 % 10],
            if n.is_multiple_of(10) { "" } else { D[n % 10] }
        ),
    }
}

/// The sheets as a reader sees them: name and grid.
pub fn grids(sheets: &[Sheet]) -> Vec<(String, Vec<Vec<String>>)> {
    sheets.iter().map(|s| (s.name.clone(), s.grid())).collect()
}

#[cfg(test)]
mod tests {
    use super::super::check::import;
    use super::super::{Phase, Rules};
    use super::*;

    fn params() -> Params {
        Params {
            unit: "区财政局".into(),
            year: 2026,
            leaves: 30,
            seed: 7,
            fund: false,
        }
    }

    #[test]
    fn the_sample_budget_passes_every_rule() {
        let book = super::super::codes::shipped(2026).unwrap();
        let sheets = budget(&book, &params());
        let set =
            import(Phase::Budget, &grids(&sheets), &book, &Rules::default()).unwrap_or_else(|f| {
                panic!(
                    "{}",
                    f.iter()
                        .map(|f| f.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            });
        assert_eq!(set.tables.len(), 9);
        assert!(set.summary.to_item_level);
        assert_eq!(
            set.summary.empty_tables.len(),
            2,
            "{:?}",
            set.summary.empty_tables
        );
        assert_eq!(set.summary.expenditure, set.summary.general);
        let t = &set.summary.three_public;
        assert_eq!(t[0], t[1] + t[2] + t[3] + t[4]);
        let mut p = params();
        p.fund = true;
        let set = import(
            Phase::Budget,
            &grids(&budget(&book, &p)),
            &book,
            &Rules::default(),
        )
        .unwrap_or_else(|f| panic!("{f:?}"));
        assert_eq!(set.summary.empty_tables.len(), 1);
        assert!(set.summary.expenditure > set.summary.general);
    }

    #[test]
    fn one_item_changed_by_one_wan_is_refused_with_its_row() {
        let book = super::super::codes::shipped(2026).unwrap();
        let mut sheets = budget(&book, &params());
        let general = &mut sheets[4];
        // The first 项 line: the fourth data row after the 合计, 类 and 款 rows.
        let line = general
            .pieces
            .iter()
            .filter(|p| p.col == 2 && p.look == Look::Label && !p.text.is_empty())
            .map(|p| p.row + 1)
            .min()
            .unwrap();
        let total = general
            .pieces
            .iter()
            .find(|p| p.row + 1 == line && p.col == 4)
            .unwrap()
            .text
            .clone();
        let changed = format!("{:.2}", total.parse::<f64>().unwrap() + 1.0);
        assert!(general.set(line, 4, &changed));
        let f = import(Phase::Budget, &grids(&sheets), &book, &Rules::default()).unwrap_err();
        let text: Vec<String> = f.iter().map(|f| f.to_string()).collect();
        assert!(
            text.iter()
                .any(|t| t.contains(&format!("第{line}行")) && t.contains(&changed)),
            "{text:#?}"
        );
        // Its 款 above no longer equals its children either.
        assert!(text.iter().any(|t| t.contains("下级科目之和")), "{text:#?}");
    }

    #[test]
    fn bad_workbooks_name_what_is_wrong() {
        let book = super::super::codes::shipped(2026).unwrap();
        // A missing table.
        let mut sheets = budget(&book, &params());
        sheets.remove(6);
        let f = import(Phase::Budget, &grids(&sheets), &book, &Rules::default()).unwrap_err();
        assert!(
            f.iter()
                .any(|f| f.message.contains("缺少必备表") && f.message.contains("三公")),
            "{f:?}"
        );
        // A code unknown for the year.
        let mut sheets = budget(&book, &params());
        let line = sheets[2].line_of(0, "2010101").unwrap();
        sheets[2].set(line, 0, "2010198");
        let f = import(Phase::Budget, &grids(&sheets), &book, &Rules::default()).unwrap_err();
        assert!(
            f.iter().any(|f| f.row == Some(line)
                && f.message.contains("2010198")
                && f.message.contains("不在2026年")),
            "{f:?}"
        );
        // Income ≠ expenditure.
        let mut sheets = budget(&book, &params());
        let line = sheets[0].line_of(0, "收入总计").unwrap();
        sheets[0].set(line, 1, "1.00");
        let f = import(Phase::Budget, &grids(&sheets), &book, &Rules::default()).unwrap_err();
        assert!(
            f.iter()
                .any(|f| f.message.contains("收入总计 1.00 万元 ≠ 支出总计")),
            "{f:?}"
        );
        // Amounts in a unit the header does not name.
        let mut sheets = budget(&book, &params());
        sheets[5].set(2, 4, "单位：千元");
        let f = import(Phase::Budget, &grids(&sheets), &book, &Rules::default()).unwrap_err();
        assert!(f.iter().any(|f| f.message.contains("千元")), "{f:?}");
        // An empty table without its note.
        let mut sheets = budget(&book, &params());
        let note = sheets[8]
            .pieces
            .iter()
            .position(|p| p.text.starts_with("注"))
            .unwrap();
        sheets[8].pieces.remove(note);
        let f = import(Phase::Budget, &grids(&sheets), &book, &Rules::default()).unwrap_err();
        assert!(
            f.iter()
                .any(|f| f.sheet == "国有资本经营预算支出表" && f.message.contains("空表")),
            "{f:?}"
        );
        // 三公 total ≠ its parts.
        let mut sheets = budget(&book, &params());
        sheets[6].set(5, 0, "999.00");
        let f = import(Phase::Budget, &grids(&sheets), &book, &Rules::default()).unwrap_err();
        assert!(
            f.iter()
                .any(|f| f.row == Some(5) && f.message.contains("999.00")),
            "{f:?}"
        );
    }

    #[test]
    fn a_large_synthetic_budget_passes() {
        let book = synthetic_codes(2026, 2000);
        let mut p = params();
        p.leaves = 2000;
        let set = import(
            Phase::Budget,
            &grids(&budget(&book, &p)),
            &book,
            &Rules::default(),
        )
        .unwrap_or_else(|f| panic!("{:?}", &f[..f.len().min(5)]));
        let general = set.tables.iter().find(|t| t.key == "general").unwrap();
        assert!(
            general
                .rows
                .iter()
                .filter(|r| r.code.as_ref().is_some_and(|c| c.len() == 7))
                .count()
                >= 2000
        );
    }

    #[test]
    fn the_sample_final_accounts_pass_every_rule_and_a_broken_identity_is_named() {
        let book = super::super::codes::shipped(2026).unwrap();
        let mut p = params();
        p.fund = true;
        let sheets = final_accounts(&book, &p);
        let set =
            import(Phase::Final, &grids(&sheets), &book, &Rules::default()).unwrap_or_else(|f| {
                panic!(
                    "{}",
                    f.iter()
                        .map(|f| f.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            });
        assert_eq!(set.tables.len(), 9);
        let s = &set.summary;
        let b = s.three_public_budget.unwrap();
        assert!(s.three_public[0] <= b[0] && b[0] == b[1] + b[2] + b[3] + b[4]);
        assert_eq!(s.empty_tables, ["国有资本经营预算财政拨款支出决算表"]);
        // the budget's tables are not the final accounts': every one is missing
        let f = import(
            Phase::Final,
            &grids(&budget(&book, &p)),
            &book,
            &Rules::default(),
        )
        .unwrap_err();
        assert_eq!(
            f.iter()
                .filter(|f| f.message.contains("缺少必备表"))
                .count(),
            9,
            "{f:?}"
        );
        // 收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余
        let mut broken = final_accounts(&book, &p);
        let l = broken[0].line_of(0, "年初结转和结余").unwrap();
        broken[0].set(l, 1, "99.00");
        let f = import(Phase::Final, &grids(&broken), &book, &Rules::default()).unwrap_err();
        assert!(
            f.iter()
                .any(|f| f.message.contains("收入总计") && f.message.contains("年初结转和结余")),
            "{f:?}"
        );
        // 三公 决算数: 合计 ≠ the four
        let mut broken = final_accounts(&book, &p);
        broken[6].set(5, 5, "0.01");
        let f = import(Phase::Final, &grids(&broken), &book, &Rules::default()).unwrap_err();
        assert!(
            f.iter()
                .any(|f| f.row == Some(5) && f.message.contains("决算数/合计")),
            "{f:?}"
        );
    }

    #[test]
    fn numerals() {
        assert_eq!(cn(1), "一");
        assert_eq!(cn(10), "十");
        assert_eq!(cn(12), "十二");
        assert_eq!(cn(25), "二十五");
    }
}
