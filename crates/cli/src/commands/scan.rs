//! `gongkai scan`: the pre-publication scan over files, as the back office runs it.

use crate::*;

/// `gongkai scan`: every file is read and scanned; findings are printed one per line.
pub(crate) fn scan(
    format: &str,
    words: Option<&std::path::Path>,
    files: &[PathBuf],
) -> Result<ExitCode> {
    use gongkai_domain::scan::{Scanner, parse_word_list};
    let words = match words {
        Some(p) => parse_word_list(
            &std::fs::read_to_string(p)
                .with_context(|| format!("无法读取敏感词表 {}", p.display()))?,
        ),
        None => Vec::new(),
    };
    let scanner = Scanner::new(&words);
    // PDFs are read in a child process under limits, as the server reads them
    let sandbox = gongkai_work::sandbox::Sandbox {
        program: std::env::current_exe().ok(),
        ..Default::default()
    };
    let (mut found, mut unreadable) = (0usize, 0usize);
    for path in files {
        let name = path.display().to_string();
        // images and scans are read by OCR when the machine has it, as the server reads them
        let read = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|b| {
                let ct = gongkai_extract::content_type_of(&name, &b)?;
                sandbox
                    .read(ct, &b, &gongkai_extract::Limits::default())
                    .map_err(|e| e.to_string())
            });
        let text = match read {
            Ok(gongkai_work::sandbox::Reading::Text(t)) => t,
            Ok(gongkai_work::sandbox::Reading::Unreadable(e)) | Err(e) => {
                eprintln!("{name}: 无法读取（cannot read）：{e}");
                unreadable += 1;
                continue;
            }
        };
        for f in scanner.scan(&text) {
            found += 1;
            if format == "json" {
                let line = serde_json::json!({
                    "file": name, "kind": f.kind.code(), "masked": f.masked,
                    "line": f.line, "column": f.column, "start": f.start, "end": f.end,
                });
                println!("{line}");
            } else {
                println!(
                    "{name}:{}:{}: {} {} {}",
                    f.line,
                    f.column,
                    f.kind.code(),
                    f.kind.label(),
                    f.masked
                );
            }
        }
    }
    eprintln!(
        "扫描 {} 个文件，发现 {found} 处（scanned {} files, {found} findings）",
        files.len(),
        files.len()
    );
    Ok(ExitCode::from(if unreadable > 0 {
        2
    } else if found > 0 {
        1
    } else {
        0
    }))
}
