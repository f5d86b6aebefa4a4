//! Search latency over a corpus of synthetic government items (`gongkai corpus`), measured for
//! gongkai's index (tantivy, characters and pairs of characters, Traditional/Simplified folding)
//! and, in the same run on the same corpus, Xapian with CJK n-grams (`bench/xapian_search.py`,
//! Debian's python3-xapian) and SQLite FTS5 with the trigram tokenizer. Each engine's hit count
//! is compared with the literal count: the items whose folded title, document number or body
//! contain every query word (brute force over the corpus). Prints Markdown tables.
//!
//! Usage: gongkai-searchbench CORPUS.jsonl WORKDIR [RUNS_PER_QUERY] [--no-xapian] [--no-fts]
//! [--search-only] [--by-date]

use anyhow::{Context, Result};
use gongkai_search::{IndexDoc, Normalizer, SearchIndex, SearchRequest, indexed_body};
use sqlx::Connection;
use std::io::BufRead;
use std::time::Instant;

const QUERIES: &[&str] = gongkai_search::BENCHMARK_QUERIES;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// Sizes of the files under a directory, in bytes.
fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Median and p99 of a list of milliseconds.
fn stats(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    (percentile(&ms, 0.5), percentile(&ms, 0.99))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let corpus = args.get(1).context(
        "usage: gongkai-searchbench CORPUS.jsonl WORKDIR [RUNS] [--no-xapian] [--no-fts]",
    )?;
    let work = std::path::PathBuf::from(args.get(2).context("WORKDIR")?);
    let runs: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20);
    let xapian = !args.iter().any(|a| a == "--no-xapian");
    // --search-only: search the index the previous run left in WORKDIR (still counting the
    // literal hits from the corpus), to repeat the query timings without rebuilding
    let search_only = args.iter().any(|a| a == "--search-only");
    let fts = !search_only && !args.iter().any(|a| a == "--no-fts");
    let xapian = xapian && !search_only;
    // --by-date: gongkai's results newest first instead of by relevance
    let sort = if args.iter().any(|a| a == "--by-date") {
        gongkai_search::SortBy::Date
    } else {
        gongkai_search::SortBy::Relevance
    };
    std::fs::create_dir_all(&work)?;
    let normalizer = Normalizer::new()?;
    let words: Vec<Vec<String>> = QUERIES.iter().map(|q| normalizer.query_words(q)).collect();
    let mut literal = vec![0usize; QUERIES.len()];

    // build the indexes from the same rows; count the literal hits on the way
    let index = SearchIndex::open(&work.join("tantivy"))?;
    let db = work.join("fts.db");
    let _ = std::fs::remove_file(&db);
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", db.display())).await?;
    sqlx::raw_sql("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; CREATE VIRTUAL TABLE docs USING fts5(title, doc_no, body, tokenize='trigram');").execute(&mut conn).await?;
    let reader = std::io::BufReader::new(std::fs::File::open(corpus)?);
    let (mut batch, mut n) = (Vec::new(), 0u64);
    let (mut t_tantivy, mut t_fts) = (0f64, 0f64);
    let mut lines = reader.lines();
    loop {
        let line = lines.next().transpose()?;
        if let Some(line) = &line {
            let v: serde_json::Value = serde_json::from_str(line)?;
            n += 1;
            let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
            let d = IndexDoc {
                id: n,
                index_no: format!("X-{n}"),
                title: s("title"),
                doc_no: s("doc_no"),
                body: indexed_body(&s("summary"), &s("body"), ""),
                unit_id: n % 18,
                unit_name: s("unit"),
                category_id: 1,
                category_name: s("category"),
                year: s("formed_on")
                    .get(..4)
                    .and_then(|y| y.parse().ok())
                    .unwrap_or(0),
                published_ts: n as i64,
                published_on: s("published_at"),
            };
            let folded = [&d.title, &d.doc_no, &d.body].map(|t| normalizer.normalize(t));
            for (count, w) in literal.iter_mut().zip(&words) {
                if w.iter()
                    .all(|w| folded.iter().any(|t| t.contains(w.as_str())))
                {
                    *count += 1;
                }
            }
            batch.push(d);
        }
        if batch.len() >= 20_000 || (line.is_none() && !batch.is_empty()) {
            let t = Instant::now();
            if !search_only {
                index.apply(&batch, &[])?;
            }
            t_tantivy += t.elapsed().as_secs_f64();
            if fts {
                let t = Instant::now();
                let mut tx = conn.begin().await?;
                for d in &batch {
                    sqlx::query(
                        "INSERT INTO docs (rowid, title, doc_no, body) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(d.id as i64)
                    .bind(&d.title)
                    .bind(&d.doc_no)
                    .bind(&d.body)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                t_fts += t.elapsed().as_secs_f64();
            }
            eprint!("\rindexed {n}");
            batch.clear();
        }
        if line.is_none() {
            break;
        }
    }
    eprintln!();
    let t = Instant::now();
    index.close_after_merges()?;
    t_tantivy += t.elapsed().as_secs_f64();
    // searched from a freshly opened index, as a server does after a restart
    let index = SearchIndex::open(&work.join("tantivy"))?;

    let (mut all_g, mut all_x, mut all_f) = (Vec::new(), Vec::new(), Vec::new());
    let mut g_rows = Vec::new();
    // every engine runs each query once untimed first (a server answers warm)
    for q in QUERIES {
        index.search(&SearchRequest {
            query: q.to_string(),
            limit: 10,
            sort,
            ..Default::default()
        })?;
    }
    for q in QUERIES {
        let mut g = Vec::new();
        let mut hits = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let r = index.search(&SearchRequest {
                query: q.to_string(),
                limit: 10,
                sort,
                ..Default::default()
            })?;
            g.push(t.elapsed().as_secs_f64() * 1000.0);
            hits = r.total;
        }
        all_g.extend(g.iter().copied());
        g_rows.push((hits, stats(g)));
    }

    // Xapian, same corpus and queries, in the same run (a Python process; its timings are
    // taken inside it, around the search alone)
    let mut x_rows: Vec<Option<(usize, (f64, f64))>> = vec![None; QUERIES.len()];
    let mut x_build = None;
    if xapian {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../xapian_search.py");
        let python = std::env::var("XAPIAN_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into());
        let out = std::process::Command::new(python)
            .arg(script)
            .arg(corpus)
            .arg(&work)
            .arg(runs.to_string())
            .args(QUERIES)
            .stderr(std::process::Stdio::inherit())
            .output()
            .context("python3 bench/xapian_search.py (needs Debian's python3-xapian)")?;
        anyhow::ensure!(out.status.success(), "xapian_search.py failed");
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let v: serde_json::Value = serde_json::from_str(line)?;
            if let Some(b) = v["build_s"].as_f64() {
                x_build = Some((b, v["size_bytes"].as_u64().unwrap_or(0)));
            } else if let Some(i) = QUERIES.iter().position(|q| Some(*q) == v["query"].as_str()) {
                let ms: Vec<f64> = v["ms"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|x| x.as_f64()).collect())
                    .unwrap_or_default();
                all_x.extend(ms.iter().copied());
                x_rows[i] = Some((v["hits"].as_u64().unwrap_or(0) as usize, stats(ms)));
            }
        }
    }

    let mut f_rows: Vec<Option<(usize, (f64, f64))>> = vec![None; QUERIES.len()];
    if fts {
        for (i, q) in QUERIES.iter().enumerate() {
            // each word is a quoted trigram phrase, all words required; exact count + top 10
            let fts_query = q
                .split_whitespace()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(" AND ");
            let mut f = Vec::new();
            let mut hits = 0;
            for run in 0..=runs {
                let t = Instant::now();
                let (count,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM docs WHERE docs MATCH $1")
                        .bind(&fts_query)
                        .fetch_one(&mut conn)
                        .await
                        .unwrap_or((0,));
                let _top: Vec<(i64,)> = sqlx::query_as(
                    "SELECT rowid FROM docs WHERE docs MATCH $1 ORDER BY rank LIMIT 10",
                )
                .bind(&fts_query)
                .fetch_all(&mut conn)
                .await
                .unwrap_or_default();
                if run > 0 {
                    // run 0 is the untimed warm-up
                    f.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                hits = count as usize;
            }
            all_f.extend(f.iter().copied());
            f_rows[i] = Some((hits, stats(f)));
        }
    }

    let size_g = dir_size(&work.join("tantivy"));
    println!("Corpus: {n} items.\n");
    println!("| engine | build s | items/s | index size MB |");
    println!("|---|---|---|---|");
    if search_only {
        println!(
            "| gongkai | (built before) | | {:.0} |",
            size_g as f64 / 1e6
        );
    } else {
        println!(
            "| gongkai | {t_tantivy:.1} | {:.0} | {:.0} |",
            n as f64 / t_tantivy,
            size_g as f64 / 1e6
        );
    }
    if let Some((b, size)) = x_build {
        println!(
            "| Xapian (CJK n-grams) | {b:.1} | {:.0} | {:.0} |",
            n as f64 / b,
            size as f64 / 1e6
        );
    }
    if fts {
        println!(
            "| SQLite FTS5 trigram | {t_fts:.1} | {:.0} | {:.0} |",
            n as f64 / t_fts,
            std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
        );
    }
    println!();
    println!(
        "| query | literal | gongkai hits | gongkai median | gongkai p99 | Xapian hits | Xapian median | Xapian p99 | FTS5 hits | FTS5 median | FTS5 p99 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let cell = |r: &Option<(usize, (f64, f64))>, lit: usize| match r {
        Some((h, (m, p))) => format!("{h}{} | {m:.2} | {p:.2}", if *h == lit { "" } else { " ≠" }),
        None => "– | – | –".to_string(),
    };
    let mut exact = true;
    for (i, q) in QUERIES.iter().enumerate() {
        let (gh, (gm, gp)) = g_rows[i];
        exact &= gh == literal[i];
        println!(
            "| {q} | {} | {gh}{} | {gm:.2} | {gp:.2} | {} | {} |",
            literal[i],
            if gh == literal[i] { "" } else { " ≠" },
            cell(&x_rows[i], literal[i]),
            cell(&f_rows[i], literal[i]),
        );
    }
    let all = |v: Vec<f64>| {
        if v.is_empty() {
            "– | –".to_string()
        } else {
            let (m, p) = stats(v);
            format!("**{m:.2}** | **{p:.2}**")
        }
    };
    println!(
        "| **all queries** | | | {} | | {} | | {} |",
        all(all_g),
        all(all_x),
        all(all_f)
    );
    println!(
        "\nTimes in ms. ≠: the engine's count differs from the literal count. gongkai's counts {} the literal counts.",
        if exact {
            "all equal"
        } else {
            "do NOT all equal"
        }
    );
    anyhow::ensure!(exact, "gongkai's hit counts differ from the literal counts");
    Ok(())
}
