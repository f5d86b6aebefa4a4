//! Search latency over a corpus of synthetic government items (`gongkai corpus`), measured for
//! gongkai's index (tantivy + jieba + Traditional/Simplified folding) and, in the same run on the
//! same corpus, SQLite FTS5 with the trigram tokenizer. Prints a Markdown table.
//!
//! Usage: gongkai-searchbench CORPUS.jsonl WORKDIR [RUNS_PER_QUERY]

use anyhow::{Context, Result};
use gongkai_search::{COUNT_CAP, IndexDoc, SearchIndex, SearchRequest};
use sqlx::Connection;
use std::io::BufRead;
use std::time::Instant;

const QUERIES: &[&str] = &[
    "义务教育",
    "招生",
    "养老服务",
    "食品安全",
    "政府采购",
    "社会救助",
    "就业创业",
    "不动产登记",
    "防汛防台",
    "营商环境",
    "招生 入学",
    "食品安全 监管",
    "养老服务 补贴",
    "政务服务 一网通办",
    "老旧小区改造 资金",
    "乡村振兴 集体经济 公开",
    "安全生产 专项检查 通知",
    "學前教育",
    "區政辦發〔2022〕12號",
];

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let corpus = args
        .get(1)
        .context("usage: gongkai-searchbench CORPUS.jsonl WORKDIR [RUNS]")?;
    let work = std::path::PathBuf::from(args.get(2).context("WORKDIR")?);
    let runs: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20);
    std::fs::create_dir_all(&work)?;

    // build both indexes from the same rows
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
            batch.push(IndexDoc {
                id: n,
                index_no: format!("X-{n}"),
                title: s("title"),
                doc_no: s("doc_no"),
                body: s("body"),
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
            });
        }
        if batch.len() >= 20_000 || (line.is_none() && !batch.is_empty()) {
            let t = Instant::now();
            index.apply(&batch, &[])?;
            t_tantivy += t.elapsed().as_secs_f64();
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
            eprint!("\rindexed {n}");
            batch.clear();
        }
        if line.is_none() {
            break;
        }
    }
    eprintln!();
    println!(
        "Corpus: {n} items. Build time: gongkai index {t_tantivy:.1} s ({:.0} items/s), SQLite FTS5 trigram {t_fts:.1} s ({:.0} items/s).\n",
        n as f64 / t_tantivy,
        n as f64 / t_fts
    );
    println!(
        "| query | gongkai hits | gongkai median ms | gongkai p99 ms | FTS5 hits | FTS5 median ms | FTS5 p99 ms |"
    );
    println!("|---|---|---|---|---|---|---|");
    let (mut all_g, mut all_f) = (Vec::new(), Vec::new());
    for q in QUERIES {
        let mut g = Vec::new();
        let mut g_hits = String::new();
        for _ in 0..runs {
            let t = Instant::now();
            let r = index.search(&SearchRequest {
                query: q.to_string(),
                limit: 10,
                ..Default::default()
            })?;
            g.push(t.elapsed().as_secs_f64() * 1000.0);
            g_hits = if r.total_capped {
                format!("≥{}", r.total)
            } else {
                r.total.to_string()
            };
        }
        // FTS5: each word is a quoted trigram phrase, all words required; count (capped like
        // gongkai's, so both engines do the same work) + top 10 by rank
        let fts_query = q
            .split_whitespace()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" AND ");
        let mut f = Vec::new();
        let mut f_hits = String::new();
        for _ in 0..runs {
            let t = Instant::now();
            let (count,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM (SELECT 1 FROM docs WHERE docs MATCH $1 LIMIT $2)",
            )
            .bind(&fts_query)
            .bind(COUNT_CAP as i64 + 1)
            .fetch_one(&mut conn)
            .await
            .unwrap_or((0,));
            let _top: Vec<(i64,)> =
                sqlx::query_as("SELECT rowid FROM docs WHERE docs MATCH $1 ORDER BY rank LIMIT 10")
                    .bind(&fts_query)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap_or_default();
            f.push(t.elapsed().as_secs_f64() * 1000.0);
            f_hits = if count > COUNT_CAP as i64 {
                format!("≥{COUNT_CAP}")
            } else {
                count.to_string()
            };
        }
        g.sort_by(f64::total_cmp);
        f.sort_by(f64::total_cmp);
        println!(
            "| {q} | {g_hits} | {:.2} | {:.2} | {f_hits} | {:.2} | {:.2} |",
            percentile(&g, 0.5),
            percentile(&g, 0.99),
            percentile(&f, 0.5),
            percentile(&f, 0.99)
        );
        all_g.extend(g);
        all_f.extend(f);
    }
    all_g.sort_by(f64::total_cmp);
    all_f.sort_by(f64::total_cmp);
    println!(
        "| **all queries** | | **{:.2}** | **{:.2}** | | **{:.2}** | **{:.2}** |",
        percentile(&all_g, 0.5),
        percentile(&all_g, 0.99),
        percentile(&all_f, 0.5),
        percentile(&all_f, 0.99)
    );
    Ok(())
}
