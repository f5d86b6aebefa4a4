//! The architecture invariants of ARCHITECTURE.md, checked mechanically over the source tree
//! (after rust-analyzer's `tidy` test): a change that breaks one fails here with the file and
//! line, before a reviewer has to notice it.
//!
//! - SQL is written only in `crates/store`.
//! - The web layer never compares roles: every role or unit decision is `access::allowed` with
//!   a named action.
//! - Every store function that writes goes through the audited write (`Store::write`) or names
//!   why its write is not part of the public record (`Store::unrecorded*`), and no store code
//!   opens a raw transaction of its own.
//! - Handlers never check the CSRF token by hand: the form extractor does.
//!
//! Each rule is a function from source text to violations, tested on a deliberate violation
//! too, so a rule that silently matches nothing fails.

use regex::Regex;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Source text without `#[cfg(test)]` modules (unit tests may write SQL or compare roles to
/// set up their cases).
fn without_tests(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// Rule: no SQL statement text outside the store crate.
fn sql_outside_store(text: &str) -> Vec<usize> {
    let re = Regex::new(
        r#""[^"\n]*\b(SELECT\s+[^"]*\bFROM\s+\w|INSERT\s+INTO\s+\w|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\s+\w)"#,
    )
    .unwrap();
    re.find_iter(text)
        .map(|m| line_of(text, m.start()))
        .collect()
}

/// Rule: no role comparisons in the web layer.
fn role_comparisons(text: &str) -> Vec<usize> {
    let re = Regex::new(
        r"(==|!=)\s*(gongkai_domain::access::)?Role::|Role::\w+\s*(==|!=)|matches!\(\s*[\w.()]*role\b|\.role\s*(==|!=)|\.role\.is_\w+\(",
    )
    .unwrap();
    re.find_iter(text)
        .map(|m| line_of(text, m.start()))
        .collect()
}

/// Rule: store functions that write are audited or say why not; no raw transactions.
fn unaudited_store_writes(text: &str) -> Vec<usize> {
    let write_sql = Regex::new(r"INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM").unwrap();
    let fn_start = Regex::new(r"\n\s*(pub(\([a-z]+\))?\s+)?async fn \w+").unwrap();
    let mut bad = Vec::new();
    let starts: Vec<usize> = fn_start.find_iter(text).map(|m| m.start()).collect();
    for (i, &s) in starts.iter().enumerate() {
        let e = starts.get(i + 1).copied().unwrap_or(text.len());
        let body = &text[s..e];
        let passes =
            body.contains(".write(") || body.contains("unrecorded") || body.contains("tx: &mut");
        if write_sql.is_match(body) && !passes {
            bad.push(line_of(text, s + 1));
        }
    }
    for m in Regex::new(r"\.begin\(\)").unwrap().find_iter(text) {
        bad.push(line_of(text, m.start()));
    }
    bad
}

/// Rule: handlers do not call `check_csrf` themselves.
fn hand_csrf_checks(text: &str) -> Vec<usize> {
    let re = Regex::new(r"\.check_csrf\(").unwrap();
    re.find_iter(text)
        .map(|m| line_of(text, m.start()))
        .collect()
}

/// Rule: paging arithmetic and "render, then set 400" live in `web::forms` only.
fn hand_paging_or_status(text: &str) -> Vec<usize> {
    let re = Regex::new(
        r"\(page - 1\)\s*\*|\+ per_page - 1\)|status_mut\(\) = (axum::http::)?StatusCode::BAD_REQUEST",
    )
    .unwrap();
    re.find_iter(text)
        .map(|m| line_of(text, m.start()))
        .collect()
}

/// Applies `rule` to every file under `dir` (relative to the workspace) except `skip`, and
/// fails naming each violation.
fn check(dir: &str, skip: &[&str], rule: fn(&str) -> Vec<usize>, what: &str) {
    let root = workspace();
    let mut found = Vec::new();
    for path in rust_files(&root.join(dir)) {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if skip.iter().any(|s| rel.ends_with(s)) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for line in rule(without_tests(&text)) {
            found.push(format!("{rel}:{line}"));
        }
    }
    assert!(found.is_empty(), "{what}:\n  {}", found.join("\n  "));
}

#[test]
fn sql_is_written_only_in_the_store() {
    for dir in [
        "crates/domain",
        "crates/web",
        "crates/work",
        "crates/search",
        "crates/extract",
        "crates/cli/src",
    ] {
        check(dir, &[], sql_outside_store, "SQL outside crates/store");
    }
}

#[test]
fn the_web_layer_never_compares_roles() {
    check(
        "crates/web/src",
        &[],
        role_comparisons,
        "role compared in the web layer (use access::allowed with a named Action)",
    );
}

#[test]
fn every_store_write_is_audited_or_says_why_not() {
    check(
        "crates/store/src",
        // The plumbing itself: the pool, migrations, the helper and the chain.
        &[
            "store/src/lib.rs",
            "store/src/migrate.rs",
            "store/src/write.rs",
            "store/src/audit.rs",
        ],
        unaudited_store_writes,
        "store write without Store::write / Store::unrecorded (or a raw begin())",
    );
}

#[test]
fn handlers_never_check_csrf_by_hand() {
    check(
        "crates/web/src",
        // The extractors that do the check.
        &["web/src/forms.rs"],
        hand_csrf_checks,
        "CSRF checked by hand (take CsrfForm<T> instead of Form<T>)",
    );
}

#[test]
fn lists_page_and_forms_fail_one_way() {
    check(
        "crates/web/src",
        &["web/src/forms.rs"],
        hand_paging_or_status,
        "paging or form-error status by hand (use forms::Paging / forms::invalid_if)",
    );
}

/// Each rule catches a deliberate violation, so none of the tests above can pass by matching
/// nothing.
#[test]
fn each_rule_catches_a_deliberate_violation() {
    assert_eq!(
        sql_outside_store("let q = \"SELECT id FROM items\";\nlet r = \"UPDATE items SET x = 1\";"),
        vec![1, 2]
    );
    assert!(sql_outside_store("let s = \"选择 from the list\";").is_empty());
    assert_eq!(
        role_comparisons(
            "if s.staff().role == Role::Admin {}\nif matches!(st.role, Role::Leader) {}"
        ),
        vec![1, 2]
    );
    assert!(role_comparisons("allowed(st.role, st.unit_id, Action::X, u)").is_empty());
    let store = "impl Store {\n    pub async fn sneak(&self) -> Result<()> {\n        sqlx::query(\"DELETE FROM items\").execute(self.pool()).await?;\n        Ok(())\n    }\n    pub async fn fine(&self, actor: &Actor) -> Result<()> {\n        let mut tx = self.write(actor).await?;\n        sqlx::query(\"DELETE FROM items\").execute(&mut *tx).await?;\n        tx.commit().await\n    }\n}\n";
    assert_eq!(unaudited_store_writes(store), vec![2]);
    assert_eq!(
        unaudited_store_writes("let tx = self.begin().await?;"),
        vec![1]
    );
    assert_eq!(hand_csrf_checks("s.check_csrf(&f.csrf)?;"), vec![1]);
    assert_eq!(
        hand_paging_or_status(
            "let o = (page - 1) * per_page;\n*resp.status_mut() = StatusCode::BAD_REQUEST;"
        ),
        vec![1, 2]
    );
}
