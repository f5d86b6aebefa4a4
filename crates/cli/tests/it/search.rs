//! Search at the HTTP boundary over a generated corpus (`gongkai corpus`, imported with
//! `gongkai import items`): every hit contains each query word contiguously after folding, and
//! the count equals a brute-force count over the corpus rows; facets, suggestions, the document
//! type filter and search within a unit's catalog.

use crate::both;
use crate::support::*;
use gongkai_search::{Normalizer, contains_all, indexed_body};

const QUERIES: &[&str] = gongkai_search::BENCHMARK_QUERIES;

fn api(q: &str, extra: &str, page: usize) -> String {
    format!(
        "/api/v1/search?q={}{extra}&page={page}",
        form(&[("", q)]).trim_start_matches('=')
    )
}

both!(
    every_hit_contains_each_word_and_counts_equal_brute_force,
    async |db: Db| {
        let t = TestDb::with_demo(db).await;
        // `corpus` touches no database (so not through `t.cli`, which names one)
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(["corpus", "--count", "1200"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let corpus = t.dir.join("corpus.jsonl");
        std::fs::write(&corpus, &o.stdout).unwrap();
        let o = t
            .cli(&["import", "items", corpus.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let app = t.app_synced().await;
        let n = Normalizer::new().unwrap();
        let rows: Vec<serde_json::Value> = std::fs::read_to_string(&corpus)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let s = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or("").to_string();
        let mut nonzero = 0;
        for q in QUERIES {
            let words = n.query_words(q);
            // the literal count over the corpus rows, each read as the server indexes an item
            let literal = rows
                .iter()
                .filter(|r| {
                    let body = indexed_body(&s(r, "summary"), &s(r, "body"), "");
                    contains_all(&n, &[&s(r, "title"), &s(r, "doc_no"), &body], &words)
                })
                .count();
            let first = get(&app, &api(q, "", 1), None).await.json();
            let total = first["total"].as_u64().unwrap() as usize;
            assert_eq!(
                total, literal,
                "{q}: the server's count against brute force"
            );
            nonzero += usize::from(total > 0);
            // every hit, page by page, contains each word in its title, number or indexed body
            let mut seen = 0;
            for page in 1..=total.div_ceil(10) {
                let r = get(&app, &api(q, "&sort=date", page), None).await.json();
                for hit in r["hits"].as_array().unwrap() {
                    let id = hit["id"].as_i64().unwrap();
                    let row = t.store.disclosure().published_rows(&[id]).await.unwrap();
                    let doc = gongkai_work::indexing::index_doc(&row[0], None);
                    assert!(
                        contains_all(&n, &[&doc.title, &doc.doc_no, &doc.body], &words),
                        "{q}: hit {id} ({}) lacks a word",
                        doc.title
                    );
                    let html = format!("{}{}", hit["title_html"], hit["snippet_html"]);
                    assert!(html.contains("<mark>"), "{q}: {html}");
                    seen += 1;
                }
            }
            assert_eq!(seen, total, "{q}: paging reaches every hit once");
        }
        assert!(
            nonzero >= 14,
            "the corpus exercises the queries ({nonzero} of 19 find something)"
        );

        // facets count all the hits; a document-type facet narrows to it
        let r = get(&app, &api("政务服务", "", 1), None).await.json();
        let total = r["total"].as_u64().unwrap();
        for facet in ["units", "years", "kinds"] {
            let values = r["facets"][facet].as_array().unwrap();
            assert!(!values.is_empty(), "{facet}");
            let sum: u64 = values.iter().map(|v| v["count"].as_u64().unwrap()).sum();
            assert!(
                sum <= total && (facet == "units" || sum == total),
                "{facet}: {sum} of {total}"
            );
        }
        let kind = &r["facets"]["kinds"][0];
        let narrowed = get(
            &app,
            &api("政务服务", &format!("&kind={}", kind["id"]), 1),
            None,
        )
        .await
        .json();
        assert_eq!(narrowed["total"], kind["count"]);
        let bad = get(&app, &api("政务服务", "&kind=999", 1), None).await;
        assert_eq!(bad.status.as_u16(), 400);
        assert!(bad.body.contains("文种"), "{}", bad.body);

        // nothing found: a near-miss document number is corrected, a long word cut in two
        let doc_no = rows
            .iter()
            .map(|r| s(r, "doc_no"))
            .find(|d| d.ends_with('号'))
            .unwrap();
        let typo = format!("{doc_no}号");
        let r = get(&app, &api(&typo, "", 1), None).await.json();
        assert_eq!(r["total"], 0, "{typo}");
        let offered: Vec<&str> = r["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["query"].as_str().unwrap())
            .collect();
        assert!(offered.contains(&doc_no.as_str()), "{typo}: {offered:?}");
        let page = get(
            &app,
            &format!(
                "/search?q={}",
                form(&[("", "养老服务一网通办")]).trim_start_matches('=')
            ),
            None,
        )
        .await;
        assert_eq!(page.status.as_u16(), 200);
        assert!(page.body.contains("您可以试试"), "{}", page.body);
        assert!(page.body.contains("养老服务 一网通办"), "{}", page.body);

        // the results page shows the facets; a unit's catalog searches within it
        let page = get(&app, "/search?q=%E6%94%BF%E5%8A%A1%E6%9C%8D%E5%8A%A1", None).await;
        for needle in [
            "按分类筛选",
            "发布机构",
            "成文年份",
            "文种",
            "<mark>政务服务</mark>",
        ] {
            assert!(page.body.contains(needle), "{needle}");
        }
        let jyj = t.unit_id("JYJ").await;
        let catalog = get(&app, "/units/JYJ", None).await;
        assert!(
            catalog
                .body
                .contains(&format!("name=\"unit\" value=\"{jyj}\"")),
            "the catalog page has a search form for its unit"
        );
        let within = get(&app, &api("政务服务", &format!("&unit={jyj}"), 1), None)
            .await
            .json();
        let in_unit = within["total"].as_u64().unwrap();
        assert!(in_unit < total, "{in_unit} of {total}");
        for hit in within["hits"].as_array().unwrap() {
            assert_eq!(hit["unit_name"], "区教育局");
        }
        t.cleanup().await;
    }
);
