//! `gongkai files migrate|check`, `gongkai backup` and `gongkai restore`: where file bytes live,
//! and a deployment copied whole and brought back.
//!
//! A backup is a directory: the database (`gongkai.db`, a consistent SQLite copy taken online
//! with `VACUUM INTO`; or `gongkai.pgdump`, `pg_dump`'s custom format of the store's schema,
//! which holds the files too when they are kept in the database), the files kept in a directory
//! (`files/`, copied after the database so every file the copy names is there), and
//! `MANIFEST.txt` (what was copied: schema version, audit entries, files, hashes). Restore puts
//! them back into an empty database and data directory, then checks the audit chain and every
//! file a record names.

use crate::*;
use gongkai_work::files::{FileStore, Kind};

fn file_store(store: &Store, settings: &config::Settings) -> FileStore {
    FileStore::new(
        settings.web.file_store,
        store,
        settings.web.files_dir.clone(),
    )
}

/// `gongkai files migrate --to KIND`: copies every file of the other store into `to`, each
/// checked against its hash as it is written; the configured store is the source unless it is
/// `to` itself, then the other one is.
pub(crate) async fn migrate(
    file: config::FileConfig,
    data: DataArgs,
    to: &str,
) -> Result<ExitCode> {
    let Some(kind) = Kind::parse(to) else {
        anyhow::bail!("--to 只能是 database 或 dir（实际为 {to}）；S3 对象存储尚未支持");
    };
    let (store, settings) = open_store(file, &data).await?;
    let dir = settings.web.files_dir.clone();
    let (from, target) = match kind {
        Kind::Database => (
            FileStore::Dir(dir.clone()),
            FileStore::Database {
                store: store.clone(),
                fallback: None,
            },
        ),
        Kind::Dir => (
            FileStore::Database {
                store: store.clone(),
                fallback: None,
            },
            FileStore::Dir(dir.clone()),
        ),
    };
    let hashes = from.hashes().await?;
    let started = Instant::now();
    let (mut copied, mut present) = (0usize, 0usize);
    for (i, h) in hashes.iter().enumerate() {
        if from.copy_to(h, &target).await? {
            copied += 1;
        } else {
            present += 1;
        }
        if !target.verify(h).await? {
            anyhow::bail!("文件 {h} 复制后校验失败（hash mismatch after copy）");
        }
        eprint!("\r已迁移 {}/{}（files migrated）", i + 1, hashes.len());
    }
    eprintln!();
    println!(
        "文件已迁移到 {}：复制 {copied} 个，已存在 {present} 个，均已按哈希校验，耗时 {:.1} 秒。\n请在配置中设置 [files] store = \"{}\"（PostgreSQL 默认即 database）。",
        kind.name(),
        started.elapsed().as_secs_f64(),
        kind.name()
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `gongkai files check`: every file a record names is in the configured store and hashes to
/// its name. Exit 1 naming the missing or damaged ones.
pub(crate) async fn check(file: config::FileConfig, data: DataArgs) -> Result<ExitCode> {
    let (store, settings) = open_store(file, &data).await?;
    let files = file_store(&store, &settings);
    let (ok, bad) = check_files(&store, &files).await?;
    store.close().await;
    report_files(ok, &bad, files.kind())
}

async fn check_files(store: &Store, files: &FileStore) -> Result<(usize, Vec<String>)> {
    let named = store.files().referenced().await?;
    let mut bad = Vec::new();
    for (i, h) in named.iter().enumerate() {
        if !files.verify(h).await? {
            bad.push(h.clone());
        }
        eprint!("\r已校验 {}/{}（files checked）", i + 1, named.len());
    }
    if !named.is_empty() {
        eprintln!();
    }
    Ok((named.len() - bad.len(), bad))
}

fn report_files(ok: usize, bad: &[String], kind: Kind) -> Result<ExitCode> {
    if bad.is_empty() {
        println!(
            "文件完整（files intact）：记录引用的 {ok} 个文件均在（{}）且哈希一致",
            kind.name()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        for h in bad {
            eprintln!("缺失或损坏（missing or corrupt）：{h}");
        }
        eprintln!("{} 个文件缺失或损坏，{ok} 个完好", bad.len());
        Ok(ExitCode::from(1))
    }
}

/// The file of a `sqlite://PATH?…` address.
fn sqlite_path(url: &str) -> PathBuf {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

fn run_tool(cmd: &mut std::process::Command, what: &str) -> Result<()> {
    let out = cmd
        .output()
        .with_context(|| format!("无法运行 {what}（is the PostgreSQL client installed?）"))?;
    if !out.status.success() {
        anyhow::bail!(
            "{what} 失败：{}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// `gongkai backup --to DIR`.
pub(crate) async fn backup(
    file: config::FileConfig,
    data: DataArgs,
    to: PathBuf,
) -> Result<ExitCode> {
    if to.exists() && std::fs::read_dir(&to)?.next().is_some() {
        anyhow::bail!("备份目录 {} 不是空目录：请指定新目录", to.display());
    }
    std::fs::create_dir_all(&to).with_context(|| format!("无法创建 {}", to.display()))?;
    let (store, settings) = open_store(file, &data).await?;
    let started = Instant::now();
    let audit_entries = store.count_audit(None).await?;
    let database = match store.backend() {
        gongkai_store::Backend::Sqlite => {
            eprintln!("正在复制数据库（VACUUM INTO）…");
            store.snapshot_sqlite(&to.join("gongkai.db")).await?;
            "gongkai.db".to_string()
        }
        gongkai_store::Backend::Postgres => {
            let url = settings.database.clone().unwrap_or_default();
            let schema = store
                .current_schema()
                .await?
                .unwrap_or_else(|| "public".into());
            eprintln!("正在导出数据库（pg_dump，模式 {schema}）…");
            run_tool(
                std::process::Command::new("pg_dump")
                    .args(["--format=custom", "--no-owner", "--schema"])
                    .arg(&schema)
                    .arg("--file")
                    .arg(to.join("gongkai.pgdump"))
                    .arg("--dbname")
                    .arg(&url),
                "pg_dump",
            )?;
            "gongkai.pgdump".to_string()
        }
    };
    // the files after the database: every file the copy names was stored before its record
    let files = file_store(&store, &settings);
    let copied = if files.kind() == Kind::Dir {
        let target = FileStore::Dir(to.join("files"));
        let hashes = files.hashes().await?;
        for (i, h) in hashes.iter().enumerate() {
            files.copy_to(h, &target).await?;
            eprint!("\r已复制文件 {}/{}（files copied）", i + 1, hashes.len());
        }
        if !hashes.is_empty() {
            eprintln!();
        }
        hashes.len()
    } else {
        0
    };
    let manifest = format!(
        "gongkai backup\ncreated_at = {}\nbackend = {:?}\ndatabase = {database}\nschema_version = {}\naudit_entries = {audit_entries}\nfile_store = {}\nfiles_copied = {copied}\n",
        gongkai_store::now_text(),
        store.backend(),
        gongkai_store::migrate::latest_version(),
        files.kind().name(),
    );
    std::fs::write(to.join("MANIFEST.txt"), manifest)?;
    store.close().await;
    println!(
        "备份完成（backup written）：{}，审计记录 {audit_entries} 条，目录中的文件 {copied} 个，耗时 {:.1} 秒",
        to.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// `gongkai restore --from DIR`: into an empty database (and data directory), then checked.
pub(crate) async fn restore(
    file: config::FileConfig,
    data: DataArgs,
    from: PathBuf,
) -> Result<ExitCode> {
    let manifest = std::fs::read_to_string(from.join("MANIFEST.txt"))
        .with_context(|| format!("{} 不是 gongkai 备份（缺少 MANIFEST.txt）", from.display()))?;
    let settings = config::settings(file, None, data.data.clone(), data.database.clone())?;
    let url = match &settings.database {
        Some(u) => u.clone(),
        None => gongkai_store::sqlite_url_for_dir(&settings.data),
    };
    let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let dump = from.join(if postgres {
        "gongkai.pgdump"
    } else {
        "gongkai.db"
    });
    if !dump.exists() {
        anyhow::bail!(
            "备份 {} 中没有 {}：备份与目标数据库类型不一致？（MANIFEST：{}）",
            from.display(),
            dump.display(),
            manifest
                .lines()
                .find(|l| l.starts_with("backend"))
                .unwrap_or("")
        );
    }
    if postgres {
        if let Some(v) = Store::schema_version_at(&url).await? {
            anyhow::bail!("目标数据库已有 gongkai 数据（schema version {v}）：恢复只写入空数据库");
        }
        eprintln!("正在恢复数据库（pg_restore）…");
        run_tool(
            std::process::Command::new("pg_restore")
                .args(["--no-owner", "--exit-on-error", "--dbname"])
                .arg(&url)
                .arg(&dump),
            "pg_restore",
        )?;
    } else {
        let db = sqlite_path(&url);
        if db.exists() {
            anyhow::bail!("{} 已存在：恢复只写入空数据目录", db.display());
        }
        if let Some(parent) = db.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&dump, &db)?;
    }
    let backup_files = from.join("files");
    let store = Store::open(gongkai_store::ConnectOptions::new(&url)).await?;
    if backup_files.is_dir() {
        let source = FileStore::Dir(backup_files);
        let target = file_store(&store, &settings);
        let hashes = source.hashes().await?;
        for (i, h) in hashes.iter().enumerate() {
            source.copy_to(h, &target).await?;
            eprint!("\r已恢复文件 {}/{}（files restored）", i + 1, hashes.len());
        }
        if !hashes.is_empty() {
            eprintln!();
        }
    }
    let report = store.verify_audit().await?;
    let files = file_store(&store, &settings);
    let (ok, bad) = check_files(&store, &files).await?;
    store.close().await;
    if let Some(problem) = report.problem {
        eprintln!("恢复后审计链校验失败：{problem}");
        return Ok(ExitCode::from(1));
    }
    println!(
        "恢复完成（restored）：审计链完整，共 {} 条记录。搜索索引将在服务器启动时重建（或运行 gongkai reindex）。",
        report.entries
    );
    report_files(ok, &bad, files.kind())
}
