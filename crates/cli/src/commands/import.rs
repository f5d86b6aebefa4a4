//! `gongkai import items FILE`: moving an old site's published information over.
//!
//! JSON Lines (one object per line) or XLSX (a header row, then one item per row). Every row is
//! validated before anything is written; a file with any bad row imports nothing unless
//! `--skip-invalid` is given, and every bad row is reported with its line number.

use crate::{DataArgs, config, open_store};
use anyhow::{Context, Result};
use chrono::{NaiveDate, NaiveDateTime};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::disclosure::days_late;
use gongkai_domain::scan::{AttachmentText, Scanner, scan_revision};
use gongkai_store::disclosure::{ImportAttachment, ImportItem, RevisionContent};
use gongkai_store::{Actor, Store};
use gongkai_work::sandbox::Reading;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

pub use gongkai_domain::disclosure::ImportRow as Row;

/// XLSX header names (Chinese or English) → row field.
const HEADERS: &[(&str, &str)] = &[
    ("单位代码", "unit"),
    ("unit", "unit"),
    ("栏目代码", "category"),
    ("category", "category"),
    ("标题", "title"),
    ("title", "title"),
    ("文号", "doc_no"),
    ("doc_no", "doc_no"),
    ("成文日期", "formed_on"),
    ("formed_on", "formed_on"),
    ("发布日期", "published_at"),
    ("published_at", "published_at"),
    ("正文", "body"),
    ("body", "body"),
    ("摘要", "summary"),
    ("summary", "summary"),
    ("主题分类", "topic"),
    ("topic", "topic"),
    ("有效性", "validity"),
    ("validity", "validity"),
    ("附件", "attachments"),
    ("attachments", "attachments"),
    ("来源编号", "source_id"),
    ("source_id", "source_id"),
];

/// Reads the rows with their line numbers (JSONL: line; XLSX: sheet row).
pub fn read_rows(
    path: &Path,
    limits: &gongkai_extract::Limits,
) -> Result<Vec<(usize, Result<Row, String>)>> {
    let bytes = std::fs::read(path).with_context(|| format!("无法读取 {}", path.display()))?;
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(&bytes, limits);
    }
    Ok(gongkai_domain::disclosure::parse_jsonl(&bytes))
}

fn read_xlsx(
    bytes: &[u8],
    limits: &gongkai_extract::Limits,
) -> Result<Vec<(usize, Result<Row, String>)>> {
    let grid = gongkai_extract::sheet::read_grid_with(bytes, limits)
        .map_err(|e| anyhow::anyhow!("XLSX 无法读取：{e}"))?;
    let mut rows = grid
        .iter()
        .enumerate()
        .filter(|(_, r)| r.iter().any(|c| !c.is_empty()));
    let header: Vec<Option<&str>> = rows
        .next()
        .ok_or_else(|| anyhow::anyhow!("XLSX 第一行应为表头"))?
        .1
        .iter()
        .map(|c| {
            HEADERS
                .iter()
                .find(|(h, _)| *h == c.trim())
                .map(|(_, f)| *f)
        })
        .collect();
    if !header.contains(&Some("title")) {
        anyhow::bail!("XLSX 表头缺少“标题”列（可用列名见 README）");
    }
    Ok(rows
        .map(|(i, r)| {
            let mut row = Row::default();
            for (c, field) in r.iter().zip(&header) {
                let v = c.trim().to_string();
                match field {
                    Some("unit") => row.unit = v,
                    Some("category") => row.category = v,
                    Some("title") => row.title = v,
                    Some("doc_no") => row.doc_no = v,
                    Some("formed_on") => row.formed_on = v,
                    Some("published_at") => row.published_at = v,
                    Some("body") => row.body = v,
                    Some("summary") => row.summary = v,
                    Some("topic") => row.topic = v,
                    Some("validity") => row.validity = v,
                    Some("source_id") => row.source_id = v,
                    Some("attachments") => {
                        row.attachments = v
                            .split([';', '；'])
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(String::from)
                            .collect()
                    }
                    _ => {}
                }
            }
            (i + 1, Ok(row))
        })
        .collect())
}

/// What an import may read: the limits of text extraction and the largest attachment (the same
/// rules as uploads in the back office).
#[derive(Debug, Clone)]
pub struct Rules {
    /// Extraction limits (`[disclosure]`).
    pub extract: gongkai_extract::Limits,
    /// Largest attachment, bytes.
    pub max_attachment_bytes: usize,
    /// Where PDFs are read (a child process under limits, as the server does).
    pub sandbox: gongkai_work::sandbox::Sandbox,
    /// Working days allowed between forming and publishing (`[disclosure]
    /// publish_limit_workdays`), for each row's lateness.
    pub publish_limit_workdays: u32,
    /// A row the pre-publication scan finds something in is refused (`--refuse-findings`)
    /// instead of imported unpublished, waiting in review.
    pub refuse_findings: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            extract: gongkai_extract::Limits::default(),
            max_attachment_bytes: 20 * 1024 * 1024,
            sandbox: gongkai_work::sandbox::Sandbox::default(),
            publish_limit_workdays: 20,
            refuse_findings: false,
        }
    }
}

/// An attachment a row names: a relative path inside the import file's folder (no absolute
/// path, no `..`, no symbolic link out of it), a file of a type uploads accept, within the
/// size limit, its text extracted (images and scans by OCR). Returns (file name, content type,
/// bytes, what reading it gave) or the problem as a sentence.
fn read_attachment(
    base: &Path,
    rel: &str,
    rules: &Rules,
) -> Result<(String, &'static str, Vec<u8>, Reading), String> {
    use std::path::Component;
    let p = Path::new(rel);
    if rel.trim().is_empty()
        || p.is_absolute()
        || !p.components().all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(format!(
            "附件 {rel}：只能是导入文件所在目录内的相对路径（不能以 / 开头，不能含 ..）"
        ));
    }
    let root = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    let root = root
        .canonicalize()
        .map_err(|e| format!("附件 {rel} 无法读取：{e}"))?;
    let full = root
        .join(p)
        .canonicalize()
        .map_err(|e| format!("附件 {rel} 无法读取：{e}"))?;
    if !full.starts_with(&root) {
        return Err(format!("附件 {rel}：指向导入目录之外（符号链接），已拒绝"));
    }
    let meta = std::fs::metadata(&full).map_err(|e| format!("附件 {rel} 无法读取：{e}"))?;
    if !meta.is_file() {
        return Err(format!("附件 {rel} 不是文件"));
    }
    if meta.len() > rules.max_attachment_bytes as u64 {
        return Err(format!(
            "附件 {rel} 过大（不超过{}MB）",
            rules.max_attachment_bytes / 1024 / 1024
        ));
    }
    let bytes = std::fs::read(&full).map_err(|e| format!("附件 {rel} 无法读取：{e}"))?;
    let name = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ct =
        gongkai_extract::content_type_of(&name, &bytes).map_err(|e| format!("附件 {rel}：{e}"))?;
    let read = rules
        .sandbox
        .read(ct, &bytes, &rules.extract)
        .map_err(|e| format!("附件 {rel}：{e}"))?;
    Ok((name, ct, bytes, read))
}

/// A validated row, ready to store.
struct Ready {
    line: usize,
    item: ImportItem,
    files: Vec<Vec<u8>>,
}

fn parse_published(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let s = s.trim();
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(9, 0, 0))
        })?;
    Some((local - chrono::Duration::hours(8)).and_utc())
}

/// What an import did.
pub struct Outcome {
    /// Rows imported.
    pub imported: usize,
    /// Rows skipped because an earlier import (or an earlier line) brought them in.
    pub skipped: usize,
    /// Bad rows: (line, messages).
    pub bad: Vec<(usize, String)>,
    /// Rows the pre-publication scan held back: imported unpublished, waiting in review
    /// (line, what was found).
    pub held: Vec<(usize, String)>,
}

/// Validates every row, then (if allowed) imports the good ones in batches.
#[allow(clippy::too_many_arguments)]
pub async fn import(
    store: &Store,
    files: &gongkai_work::files::FileStore,
    path: &Path,
    rules: &Rules,
    skip_invalid: bool,
    actor: &Actor,
    progress: impl FnMut(usize, usize),
) -> Result<Outcome> {
    let rows = read_rows(path, &rules.extract)?;
    if rows.is_empty() {
        anyhow::bail!("{} 中没有任何数据行（no rows）", path.display());
    }
    let base: PathBuf = path.parent().map(Path::to_path_buf).unwrap_or_default();
    import_rows(
        store,
        files,
        &base,
        rules,
        rows,
        skip_invalid,
        actor,
        progress,
    )
    .await
}

/// Validates and imports rows already read; attachment paths are relative to `base`.
#[allow(clippy::too_many_arguments)]
pub async fn import_rows(
    store: &Store,
    files: &gongkai_work::files::FileStore,
    base: &Path,
    rules: &Rules,
    rows: Vec<(usize, Result<Row, String>)>,
    skip_invalid: bool,
    actor: &Actor,
    mut progress: impl FnMut(usize, usize),
) -> Result<Outcome> {
    let units: HashMap<String, gongkai_store::org::Unit> = store
        .list_units()
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();
    let mut categories: HashMap<i64, Vec<gongkai_store::disclosure::Category>> = HashMap::new();
    let calendar: Calendar = store.calendar().await?;
    // the same scan as submission in the back office: nothing unscanned goes public
    let scanner = Scanner::new(&store.disclosure().sensitive_words().await?);
    let mut held = Vec::new();
    let today = gongkai_domain::calendar::beijing_date(chrono::Utc::now());
    let mut ready = Vec::new();
    let mut bad = Vec::new();
    for (line, row) in rows {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                bad.push((line, e));
                continue;
            }
        };
        let mut problems: Vec<String> = Vec::new();
        let unit = units.get(row.unit.trim());
        if unit.is_none() {
            problems.push(format!("单位代码“{}”不存在", row.unit));
        }
        let category = match unit {
            Some(u) => {
                if let std::collections::hash_map::Entry::Vacant(e) = categories.entry(u.id) {
                    e.insert(store.disclosure().list_categories(Some(u.id)).await?);
                }
                let found = categories
                    .get(&u.id)
                    .and_then(|cs| cs.iter().find(|c| c.code == row.category.trim()).cloned());
                if found.is_none() {
                    problems.push(format!("栏目代码“{}”不存在", row.category));
                }
                found
            }
            None => None,
        };
        let fields = gongkai_domain::disclosure::ItemFields {
            title: &row.title,
            doc_no: &row.doc_no,
            formed_on: &row.formed_on,
            validity: &row.validity,
            topic: &row.topic,
            summary: &row.summary,
            body: &row.body,
        };
        let (input, validity) = match gongkai_domain::disclosure::read_item(&fields, today) {
            Ok((input, validity)) => (Some(input), Some(validity)),
            Err(errors) => {
                problems.extend(errors.into_iter().map(|e| e.message));
                (None, None)
            }
        };
        let formed_on = input.as_ref().and_then(|i| i.formed_on);
        let published = parse_published(&row.published_at);
        match (published, formed_on) {
            (None, _) => problems.push(format!(
                "发布日期“{}”格式错误（YYYY-MM-DD 或 YYYY-MM-DD HH:MM）",
                row.published_at
            )),
            (Some(p), Some(f)) if gongkai_domain::calendar::beijing_date(p) < f => {
                problems.push("发布日期早于成文日期".into())
            }
            (Some(p), _) if p > chrono::Utc::now() => problems.push("发布日期不能晚于现在".into()),
            _ => {}
        }
        let mut attachments = Vec::new();
        let mut files = Vec::new();
        for a in &row.attachments {
            match read_attachment(base, a, rules) {
                Ok((name, ct, bytes, read)) => {
                    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
                    let (text, unreadable) = match read {
                        Reading::Text(t) => (t, None),
                        Reading::Unreadable(reason) => (String::new(), Some(reason)),
                    };
                    attachments.push(ImportAttachment {
                        filename: name,
                        content_type: ct.to_string(),
                        size: bytes.len() as i64,
                        sha256: hash,
                        text,
                        unreadable,
                    });
                    files.push(bytes);
                }
                Err(e) => problems.push(e),
            }
        }
        match (
            problems.is_empty(),
            unit,
            category,
            published,
            input,
            validity,
        ) {
            (true, Some(u), Some(c), Some(p), Some(input), Some(v)) => {
                let Some(f) = input.formed_on else {
                    bad.push((line, "请填写成文日期（YYYY-MM-DD）".into()));
                    continue;
                };
                let late = match days_late(
                    &calendar,
                    f,
                    gongkai_domain::calendar::beijing_date(p),
                    rules.publish_limit_workdays,
                ) {
                    Ok(late) => late,
                    Err(e) => {
                        bad.push((line, format!("无法计算发布时限（{e}）")));
                        continue;
                    }
                };
                let texts: Vec<AttachmentText> = attachments
                    .iter()
                    .map(|a| AttachmentText {
                        filename: &a.filename,
                        text: &a.text,
                        unreadable: a.unreadable.as_deref(),
                    })
                    .collect();
                let findings = scan_revision(&scanner, &input.title, &input.body, &texts);
                if !findings.is_empty() {
                    let what = describe_findings(&findings);
                    if rules.refuse_findings {
                        bad.push((line, format!("发布前检查发现：{what}（未导入）")));
                        continue;
                    }
                    held.push((line, what));
                }
                ready.push(Ready {
                    line,
                    item: ImportItem {
                        unit_id: u.id,
                        unit_code: u.code.clone(),
                        category_id: c.id,
                        category_code: c.code.clone(),
                        content: RevisionContent {
                            title: input.title,
                            doc_no: input.doc_no,
                            formed_on: f.to_string(),
                            validity: v,
                            topic: input.topic,
                            summary: input.summary,
                            body: input.body,
                        },
                        published_at: gongkai_store::time_text(p),
                        days_late: late,
                        import_key: row.key(),
                        attachments,
                        findings,
                    },
                    files,
                });
            }
            _ => bad.push((line, problems.join("；"))),
        }
    }
    if !bad.is_empty() && !skip_invalid {
        return Ok(Outcome {
            imported: 0,
            skipped: 0,
            bad,
            held: Vec::new(),
        });
    }
    // rows an earlier run brought in (it may have been killed half-way), and repeats within
    // this file, are skipped: running an import again never publishes a row twice
    let keys: Vec<String> = ready.iter().map(|r| r.item.import_key.clone()).collect();
    let mut seen = store.disclosure().imported_keys(&keys).await?;
    let before = ready.len();
    ready.retain(|r| seen.insert(r.item.import_key.clone()));
    // a held row imported by an earlier run is reported as skipped, not as held again
    held.retain(|(line, _)| ready.iter().any(|r| r.line == *line));
    let skipped = before - ready.len();
    let total = ready.len();
    let mut imported = 0;
    for chunk in ready.chunks(500) {
        for r in chunk {
            for bytes in &r.files {
                files.put(bytes).await?;
            }
        }
        let items: Vec<ImportItem> = chunk.iter().map(|r| r.item.clone()).collect();
        store.disclosure().import_published(actor, &items).await?;
        imported += items.len();
        progress(imported, total);
    }
    Ok(Outcome {
        imported,
        skipped,
        bad,
        held,
    })
}

/// "身份证号 1 处、未能检查 1 处（附件：scan.png）": what the scan found, for the report.
fn describe_findings(findings: &[(String, gongkai_domain::scan::Finding)]) -> String {
    let mut counts: Vec<(gongkai_domain::scan::FindingKind, usize, Vec<&str>)> = Vec::new();
    for (source, f) in findings {
        match counts.iter_mut().find(|(k, _, _)| *k == f.kind) {
            Some((_, n, sources)) => {
                *n += 1;
                if !sources.contains(&source.as_str()) {
                    sources.push(source);
                }
            }
            None => counts.push((f.kind, 1, vec![source])),
        }
    }
    counts
        .iter()
        .map(|(k, n, sources)| {
            let sources: Vec<String> = sources
                .iter()
                .map(|s| match *s {
                    "body" => "正文".to_string(),
                    "title" => "标题".to_string(),
                    other => other.to_string(),
                })
                .collect();
            format!("{} {n} 处（{}）", k.label(), sources.join("、"))
        })
        .collect::<Vec<_>>()
        .join("，")
}

/// Runs `gongkai import items`.
pub(crate) async fn run(
    file: config::FileConfig,
    path: PathBuf,
    data: DataArgs,
    skip_invalid: bool,
    refuse_findings: bool,
) -> Result<ExitCode> {
    let (store, settings) = open_store(file, &data).await?;
    let started = Instant::now();
    let files = gongkai_work::files::FileStore::new(
        settings.web.file_store,
        &store,
        settings.web.files_dir.clone(),
    );
    let outcome = import(
        &store,
        &files,
        &path,
        &Rules {
            extract: settings.web.extract_limits,
            max_attachment_bytes: settings.web.max_attachment_bytes,
            sandbox: settings.web.sandbox.clone(),
            publish_limit_workdays: settings.web.publish_limit_workdays,
            refuse_findings,
        },
        skip_invalid,
        &Actor::system("import"),
        |done, total| eprint!("\r已导入 {done}/{total}（imported）"),
    )
    .await?;
    eprintln!();
    for (line, msg) in &outcome.bad {
        eprintln!("第{line}行（line {line}）：{msg}");
    }
    for (line, what) in &outcome.held {
        eprintln!(
            "第{line}行（line {line}）：发布前检查发现 {what}；已导入但未公开，在后台待审核（held for review, not public）"
        );
    }
    if outcome.imported == 0 && !outcome.bad.is_empty() {
        eprintln!(
            "文件有 {} 行错误，未导入任何内容（nothing imported; fix the rows or use --skip-invalid）",
            outcome.bad.len()
        );
        store.close().await;
        return Ok(ExitCode::from(1));
    }
    let import_secs = started.elapsed().as_secs_f64();
    // The rows are in the database (and its search outbox). A running server holds
    // the index and brings it up to date itself within seconds; otherwise do it here.
    match gongkai_work::indexing::Indexer::open(&settings.data.join("index")) {
        Ok(indexer) => {
            indexer
                .sync(&store)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        Err(gongkai_work::indexing::IndexingError::Search(gongkai_search::SearchError::Busy)) => {
            eprintln!(
                "服务器正在运行：搜索索引将由服务器在数秒内更新（the running server indexes the imported rows）"
            )
        }
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    }
    if outcome.skipped > 0 {
        eprintln!(
            "{} 行此前已导入，已跳过（already imported, skipped）",
            outcome.skipped
        );
    }
    let total = started.elapsed().as_secs_f64();
    println!(
        "已导入 {} 条（imported），其中公开并建立索引 {} 条、待审核 {} 条；跳过 {} 行；导入 {:.1} 秒，合计 {:.1} 秒，{:.0} 条/秒",
        outcome.imported,
        outcome.imported - outcome.held.len(),
        outcome.held.len(),
        outcome.bad.len() + outcome.skipped,
        import_secs,
        total,
        outcome.imported as f64 / total.max(0.001)
    );
    store.close().await;
    Ok(if outcome.bad.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
