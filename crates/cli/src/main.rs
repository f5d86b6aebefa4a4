//! The `gongkai` binary: one command line for the server and every operation on its data.

mod commands;
use commands::{applications_bench, corpus, power_bench as power};
mod config;
mod demo;
mod logsink;
mod server;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use gongkai_domain::access::Role;
use gongkai_domain::calendar::{Calendar, Coverage, parse_year};
use gongkai_store::{Actor, ConnectOptions, Store, sqlite_url_for_dir};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// gongkai 政务公开平台 — an open-government platform for a district and its units.
#[derive(Parser)]
#[command(name = "gongkai", version, about = "gongkai 政务公开平台 — open-government platform: portal, back office, API and tools", long_about = None)]
struct Cli {
    /// Configuration file (default: ./gongkai.toml if present, or $GONGKAI_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives.
#[derive(Args, Clone, Default)]
struct DataArgs {
    /// Data directory (SQLite database gongkai.db, files). Default ./gongkai-data or $GONGKAI_DATA.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Database URL, e.g. postgres://user@host:5432/db (overrides the SQLite file). Also $GONGKAI_DATABASE.
    #[arg(long, value_name = "URL")]
    database: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (portal, back office, API).
    Serve {
        #[command(flatten)]
        data: DataArgs,
        /// Listen address HOST:PORT (default 127.0.0.1:8080 or $GONGKAI_ADDR).
        #[arg(long, value_name = "HOST:PORT")]
        addr: Option<String>,
        /// Load the demo district first (idempotent) and print its logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Load the demo district into the database without serving.
    Demo {
        #[command(flatten)]
        data: DataArgs,
        /// How many published items to generate (only when the database has none yet).
        #[arg(long, default_value_t = demo::DEMO_ITEMS)]
        items: usize,
    },
    /// Working-day calendar: check days, count working days, import a year's schedule.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Audit trail tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Staff accounts.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Units of the district.
    #[command(subcommand)]
    Unit(UnitCommand),
    /// The year's work plan: read it into tasks.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Public finance: the yearly classification, budget and final-account workbooks.
    #[command(subcommand)]
    Finance(FinanceCommand),
    /// The units' yearly assessment (考评): the scorecards of `/admin/evaluation`, ranked, as a
    /// table, JSON or XLSX; the time the scoring took on stderr.
    Evaluation {
        #[command(flatten)]
        data: DataArgs,
        /// The year assessed (default: this year).
        #[arg(long)]
        year: Option<i64>,
        /// Score as of this day (YYYY-MM-DD, Beijing; default: today).
        #[arg(long)]
        today: Option<String>,
        /// Output: text, json or xlsx (xlsx needs --output).
        #[arg(long, default_value = "text")]
        format: String,
        /// Write to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Benchmark helper: load a year's data for the assessment (after `gongkai demo`).
    #[command(hide = true)]
    EvaluationBench {
        #[command(flatten)]
        data: DataArgs,
        /// Units in all (new departments are added).
        #[arg(long, default_value_t = 200)]
        units: usize,
        /// Items, applications, messages and cases, each (and a fifth as many ratings).
        #[arg(long, default_value_t = 10000)]
        rows: usize,
        /// The day the year's data runs up to (YYYY-MM-DD).
        #[arg(long, default_value = "2026-12-01")]
        today: String,
    },
    /// Benchmark helper: publish every unit's budget for several years (after `gongkai demo`).
    #[command(hide = true)]
    FinanceBench {
        #[command(flatten)]
        data: DataArgs,
        /// Units in all (new departments are added).
        #[arg(long, default_value_t = 200)]
        units: usize,
        /// Years of budgets.
        #[arg(long, default_value_t = 10)]
        years: i32,
        /// The last year.
        #[arg(long, default_value_t = 2026)]
        last: i32,
        /// 项 lines per budget.
        #[arg(long, default_value_t = 20)]
        leaves: usize,
    },
    /// Inspect a government website against the national indicators (定期网查): crawl it
    /// politely and report the single-veto verdict and the deductions with their evidence.
    Inspect {
        /// The site's address (http or https).
        url: String,
        /// Most pages to fetch.
        #[arg(long, default_value_t = 1000)]
        max_pages: usize,
        /// Requests at once.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Least milliseconds between two requests to the site.
        #[arg(long, default_value_t = 100)]
        interval_ms: u64,
        /// Also check links to other sites (a HEAD request each; never followed).
        #[arg(long)]
        check_external: bool,
        /// Report format: json, html or xlsx.
        #[arg(long, default_value = "json")]
        format: String,
        /// Write the report here (default: standard output; required for xlsx).
        #[arg(long)]
        output: Option<std::path::PathBuf>,
        /// The site is this gongkai's own portal: also judge its interaction from the database
        /// (messages unanswered for over three months), read through --data/--database.
        #[arg(long)]
        own: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Import data from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write a synthetic corpus of government items as JSON Lines (for benchmarks).
    #[command(hide = true)]
    Corpus {
        /// How many items.
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// Random seed.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Reports: the annual report on government information disclosure.
    #[command(subcommand)]
    Report(ReportCommand),
    /// E-supervision: raise yellow and red alerts for cases, disclosure applications, messages
    /// and bad ratings near or past their limits.
    #[command(subcommand)]
    Supervision(SupervisionCommand),
    /// Benchmark helpers for disclosure applications (corpus, dashboard timing).
    #[command(subcommand, hide = true)]
    ApplicationsBench(ApplicationsBenchCommand),
    /// Benchmark helpers for the power list (corpus, in-process rendering).
    #[command(subcommand, hide = true)]
    PowerBench(PowerBenchCommand),
    /// Benchmark helpers for messages, ratings and consultations (corpus, comment carrying).
    #[command(subcommand, hide = true)]
    VoiceBench(VoiceBenchCommand),
    /// Extract the text of a file read on stdin (the server runs this in a child process with
    /// memory and CPU limits).
    #[command(hide = true)]
    ExtractText {
        /// Largest text to give back.
        #[arg(long, default_value_t = 16 * 1024 * 1024)]
        max_text_bytes: usize,
    },
    /// Where file bytes are kept: move them between the data directory and the database, or
    /// check that every file a record names is there.
    #[command(subcommand)]
    Files(FilesCommand),
    /// Copy the whole deployment (database, files) into a new directory while it runs.
    Backup {
        #[command(flatten)]
        data: DataArgs,
        /// The backup directory (new or empty).
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
    /// Bring a backup back into an empty database and data directory, then check the audit
    /// chain and every file.
    Restore {
        #[command(flatten)]
        data: DataArgs,
        /// The backup directory.
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
    },
    /// Rebuild this server's search index from the database.
    Reindex {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Scan files for personal data and sensitive words (text, PDF, DOCX, XLSX). Exit 0 when
    /// clean, 1 when something was found, 2 when a file could not be read.
    Scan {
        /// Output format: text (FILE:LINE:COLUMN kind masked) or json (one object per line).
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
        /// Sensitive-word list: one word per line, # for comments.
        #[arg(long, value_name = "FILE")]
        words: Option<PathBuf>,
        /// Files to scan.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum SupervisionCommand {
    /// Run the alert scan now (the server runs it every [power] scan_secs).
    Scan {
        #[command(flatten)]
        data: DataArgs,
        /// The day to judge by (Beijing date, YYYY-MM-DD); default today.
        #[arg(long)]
        today: Option<String>,
    },
}

#[derive(Subcommand)]
enum PowerBenchCommand {
    /// Load open cases and published decisions in bulk (after `gongkai demo`).
    Corpus {
        #[command(flatten)]
        data: DataArgs,
        /// Open cases.
        #[arg(long, default_value_t = 1000)]
        cases: usize,
        /// Published decisions.
        #[arg(long, default_value_t = 1000)]
        decisions: usize,
        /// The day the corpus is built around (YYYY-MM-DD).
        #[arg(long, default_value = "2026-12-01")]
        today: String,
    },
    /// Time in-process renders of a power item page and layouts of a 20-step flowchart.
    Render {
        #[command(flatten)]
        data: DataArgs,
        /// The page to render.
        #[arg(long, default_value = "/powers/33019900SJJ-XK-0001")]
        path: String,
        /// Repetitions.
        #[arg(long, default_value_t = 1000)]
        n: usize,
        /// Render as this staff member (a back-office page); `{unit}` in the path becomes
        /// their unit's id.
        #[arg(long = "as", value_name = "USERNAME")]
        as_user: Option<String>,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import already-published information items (JSON Lines or XLSX; columns in the README).
    Items {
        /// The file.
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
        /// Import the valid rows even when some rows are bad (they are reported and skipped).
        #[arg(long)]
        skip_invalid: bool,
        /// Refuse the rows the pre-publication scan finds personal data, sensitive words or an
        /// unreadable attachment in (by default they are imported unpublished, waiting in review).
        #[arg(long)]
        refuse_findings: bool,
    },
}

#[derive(Subcommand)]
enum PlanCommand {
    /// Read a work plan (plain text, DOCX or PDF; Simplified or Traditional): print its points
    /// with their responsibility phrases and units, and store it as a draft for the openness
    /// office to confirm (`/admin/plans`).
    Import {
        #[command(flatten)]
        data: DataArgs,
        /// The plan file.
        file: std::path::PathBuf,
        /// The plan's year (default: this year).
        #[arg(long)]
        year: Option<i64>,
        /// Print what would be stored and store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Output: text or json.
        #[arg(long, default_value = "text")]
        format: String,
    },
}

#[derive(Subcommand)]
enum FinanceCommand {
    /// The yearly classification of expenditure (政府收支分类科目).
    #[command(subcommand)]
    Codes(CodesCommand),
    /// Import a unit's budget or final-account workbook (XLSX, one sheet per table, found by
    /// title): every rule is checked first; exit 1 with every failed rule (sheet, row, the two
    /// figures) and nothing stored. A passing set is stored as a draft for the unit to explain
    /// and submit (`/admin/finance/sets/{id}`).
    Import {
        #[command(flatten)]
        data: DataArgs,
        /// The workbook.
        file: std::path::PathBuf,
        /// The unit's code.
        #[arg(long)]
        unit: String,
        /// The year.
        #[arg(long)]
        year: i64,
        /// budget, adjusted or final.
        #[arg(long, default_value = "budget")]
        phase: String,
        /// The day of approval (批复日期, YYYY-MM-DD); the set is due 20 days after.
        #[arg(long)]
        approved_on: String,
        /// Check only, store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Output: text or json.
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Write a consistent sample department budget workbook (for trials and benchmarks).
    Sample {
        /// Where to write the XLSX.
        #[arg(long)]
        output: std::path::PathBuf,
        /// The unit's name in the titles.
        #[arg(long, default_value = "区财政局")]
        unit: String,
        /// The year.
        #[arg(long, default_value_t = 2026)]
        year: i32,
        /// 项 lines in the general budget (beyond the shipped list's, a synthetic classification
        /// is used: write it with --codes-output and import it first).
        #[arg(long, default_value_t = 40)]
        leaves: usize,
        /// Seed of the figures.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Give the unit government-fund spending (else that table is 空表).
        #[arg(long)]
        fund: bool,
        /// Write the classification the workbook uses (CSV) here.
        #[arg(long)]
        codes_output: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum CodesCommand {
    /// Import a year's classification (XLSX or CSV with columns 科目编码, 科目名称); every bad
    /// row is listed and nothing imported.
    Import {
        #[command(flatten)]
        data: DataArgs,
        /// The file.
        file: std::path::PathBuf,
        /// The year.
        #[arg(long)]
        year: i32,
    },
}

#[derive(Subcommand)]
enum UnitCommand {
    /// Create a unit (the district government first, then units under it).
    Add {
        #[command(flatten)]
        data: DataArgs,
        /// Unit code: letters, digits or '-', unique in the district.
        #[arg(long)]
        code: String,
        /// Full name, e.g. 区教育局.
        #[arg(long)]
        name: String,
        /// Type: district, department, town, street, village, community.
        #[arg(long = "type")]
        unit_type: String,
        /// Code of the parent unit (none for the district government).
        #[arg(long)]
        parent: Option<String>,
        /// Unified social credit code (checked with GB 32100).
        #[arg(long)]
        uscc: Option<String>,
    },
}

#[derive(Args, Clone, Default)]
struct CalendarSource {
    /// Also use the years imported into this data directory.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Also use the years imported into this database.
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// For years without data, assume the plain weekend rule (marked in the output).
    #[arg(long)]
    assume_weekends: bool,
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Print `YYYY-MM-DD workday` or `YYYY-MM-DD off` for each date.
    Check {
        /// Dates, YYYY-MM-DD.
        #[arg(required = true, value_name = "DATE")]
        dates: Vec<String>,
        #[command(flatten)]
        source: CalendarSource,
    },
    /// Print the N-th working day after DATE (DATE itself is not counted).
    Add {
        /// Start date, YYYY-MM-DD.
        date: String,
        /// Number of working days (0 or more).
        #[arg(allow_negative_numbers = true)]
        n: String,
        #[command(flatten)]
        source: CalendarSource,
    },
    /// Show the count of `add` day by day, with why each day counts or not.
    Explain {
        /// Start date, YYYY-MM-DD.
        date: String,
        /// Number of working days (0 or more).
        #[arg(allow_negative_numbers = true)]
        n: String,
        #[command(flatten)]
        source: CalendarSource,
    },
    /// Import a year's schedule (holiday-cn JSON format) into the database.
    Import {
        /// The JSON file.
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum VoiceBenchCommand {
    /// Load messages and bad ratings in bulk (after `gongkai demo`).
    Corpus {
        #[command(flatten)]
        data: DataArgs,
        /// Messages (half answered and published, half open).
        #[arg(long, default_value_t = 1000)]
        messages: usize,
        /// Bad ratings waiting for rectification.
        #[arg(long, default_value_t = 1000)]
        ratings: usize,
        /// The day the open ones are built around (YYYY-MM-DD).
        #[arg(long, default_value = "2026-12-01")]
        today: String,
        /// Number messages and ratings in random order, not in the order they happened.
        #[arg(long)]
        shuffled: bool,
    },
    /// Time carrying a draft's paragraph comments to revised versions.
    Carry {
        #[command(flatten)]
        data: DataArgs,
        /// Paragraphs of the draft.
        #[arg(long, default_value_t = 200)]
        paragraphs: usize,
        /// Comments on it.
        #[arg(long, default_value_t = 10000)]
        comments: usize,
        /// Revisions timed.
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

#[derive(Subcommand)]
enum ApplicationsBenchCommand {
    /// Load open applications and a year of answered ones in bulk (after `gongkai demo`).
    Corpus {
        #[command(flatten)]
        data: DataArgs,
        /// Open applications.
        #[arg(long, default_value_t = 1000)]
        open: usize,
        /// The year of answered applications.
        #[arg(long, default_value_t = 2025)]
        year: i32,
        /// Applications received in that year.
        #[arg(long, default_value_t = 1000)]
        year_total: usize,
        /// The day the open applications are built around (YYYY-MM-DD).
        #[arg(long, default_value = "2026-12-01")]
        today: String,
    },
    /// Time the e-supervision dashboard's reading over every open application.
    Dashboard {
        #[command(flatten)]
        data: DataArgs,
        /// The day to judge by.
        #[arg(long, default_value = "2026-12-01")]
        today: String,
        /// "Due soon" window in days.
        #[arg(long, default_value_t = 7)]
        soon_days: i64,
        /// Runs.
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// The annual report (政府信息公开工作年度报告) in the national format: 主动公开, 收到和处理政府信息
    /// 公开申请 and 行政复议、行政诉讼 tables. Refused (exit 1), naming the applications, when
    /// 一 + 二 = 三（七）+ 四 does not hold in some column.
    Annual {
        #[command(flatten)]
        data: DataArgs,
        /// The year, e.g. 2026.
        #[arg(long)]
        year: i32,
        /// A unit's code: its report (a district's sums the units under it). Default: every unit.
        #[arg(long)]
        unit: Option<String>,
        /// Output format.
        #[arg(long, default_value = "html", value_parser = ["html", "xlsx", "json"])]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum FilesCommand {
    /// Copy every file into the other store (`database` or `dir`), each checked by its hash.
    Migrate {
        #[command(flatten)]
        data: DataArgs,
        /// Where the files go: database or dir.
        #[arg(long, value_name = "STORE")]
        to: String,
    },
    /// Check that every file a record names is stored and hashes to its name; exit 1 if not.
    Check {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole hash chain; exit 0 when intact, 1 naming the first bad entry.
    Verify {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create a staff account. The password is read from standard input (one line).
    Add {
        #[command(flatten)]
        data: DataArgs,
        /// Unit code, e.g. GOV.
        #[arg(long)]
        unit: String,
        /// Role: admin, openness_office, editor, reviewer, leader, case_handler.
        #[arg(long)]
        role: String,
        /// Login name.
        #[arg(long)]
        username: String,
        /// Display name.
        #[arg(long)]
        name: String,
    },
}

/// A usage error in the arguments (exit code 2), as opposed to a failure (exit code 1).
#[derive(Debug)]
struct Usage(String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Usage {}

fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Usage(msg.into()))
}

fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        usage(format!(
            "日期格式错误（malformed date）：“{s}”，应为 YYYY-MM-DD，例如 2026-10-08"
        ))
    })
}

fn parse_n(s: &str) -> Result<u32> {
    match s.trim().parse::<i64>() {
        Ok(n) if (0..=3650).contains(&n) => Ok(n as u32),
        Ok(n) if n < 0 => Err(usage(format!(
            "工作日数不能为负数（N must not be negative）：{n}"
        ))),
        Ok(n) => Err(usage(format!(
            "工作日数过大（N too large, at most 3650）：{n}"
        ))),
        Err(_) => Err(usage(format!(
            "工作日数应为整数（N must be an integer）：“{s}”"
        ))),
    }
}

fn main() -> ExitCode {
    let started = Instant::now();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    // The extraction child: no runtime, no threads, only the parse (its limits are set by the
    // parent).
    if let Command::ExtractText { max_text_bytes } = cli.command {
        return extract_text(max_text_bytes);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误（error）：无法启动运行时：{e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(run(cli, started));
    // A webhook request still in flight on a blocking thread must not hold the exit up for its
    // whole timeout: the job's lease runs out and another attempt is made later.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误（error）：{e:#}");
            ExitCode::from(if e.downcast_ref::<Usage>().is_some() {
                2
            } else {
                1
            })
        }
    }
}

/// `gongkai extract-text`: stdin's file as text on stdout; exit 2 with the reason when it cannot
/// be read.
fn extract_text(max_text_bytes: usize) -> ExitCode {
    use std::io::{Read, Write};
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        eprintln!("无法读取输入：{e}");
        return ExitCode::from(2);
    }
    let limits = gongkai_extract::Limits {
        max_text_bytes,
        ..gongkai_extract::Limits::default()
    };
    match gongkai_extract::extract_with(&bytes, &limits) {
        Ok(text) => {
            let _ = std::io::stdout().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

async fn open_store(
    file: config::FileConfig,
    data: &DataArgs,
) -> Result<(Store, config::Settings)> {
    let settings = config::settings(file, None, data.data.clone(), data.database.clone())?;
    let store = open_settings(&settings).await?;
    Ok((store, settings))
}

async fn open_settings(settings: &config::Settings) -> Result<Store> {
    let url = match &settings.database {
        Some(url) => url.clone(),
        None => {
            std::fs::create_dir_all(&settings.data)
                .with_context(|| format!("无法创建数据目录 {}", settings.data.display()))?;
            sqlite_url_for_dir(&settings.data)
        }
    };
    Ok(Store::open(ConnectOptions::new(&url)).await?)
}

async fn calendar_for(file: config::FileConfig, source: &CalendarSource) -> Result<Calendar> {
    if source.data.is_none() && source.database.is_none() {
        return Ok(Calendar::shipped()?);
    }
    let (store, _) = open_store(
        file,
        &DataArgs {
            data: source.data.clone(),
            database: source.database.clone(),
        },
    )
    .await?;
    let cal = store.calendar().await?;
    store.close().await;
    Ok(cal)
}

fn coverage(source: &CalendarSource) -> Coverage {
    if source.assume_weekends {
        Coverage::AssumeWeekends
    } else {
        Coverage::Strict
    }
}

async fn run(cli: Cli, started: Instant) -> Result<ExitCode> {
    let file = config::load_file(cli.config.as_deref())?;
    match cli.command {
        Command::Serve { data, addr, demo } => {
            let settings = config::settings(file, addr, data.data, data.database)?;
            init_logging(settings.json_logs);
            let served = commands::serve::serve(settings, demo, started).await;
            logsink::LogSink::flush_all();
            served?;
        }
        Command::Migrate { data } => {
            let (store, _) = open_store(file, &data).await?;
            println!(
                "数据库已是最新结构（schema version {}）",
                gongkai_store::migrate::latest_version()
            );
            store.close().await;
        }
        Command::Demo { data, items } => {
            let (store, settings) = open_store(file, &data).await?;
            demo::load(&store, items).await?;
            print!("{}", demo::login_table(&settings.addr.to_string()));
            store.close().await;
        }
        Command::Calendar(cmd) => return commands::calendar::calendar(file, cmd).await,
        Command::Import(ImportCommand::Items {
            file: path,
            data,
            skip_invalid,
            refuse_findings,
        }) => return commands::import::run(file, path, data, skip_invalid, refuse_findings).await,
        Command::Corpus { count, seed } => {
            use std::io::Write;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            for item in corpus::items(count, seed) {
                writeln!(out, "{item}")?;
            }
            out.flush()?;
        }
        Command::Report(ReportCommand::Annual {
            data,
            year,
            unit,
            format,
            output,
        }) => {
            if !(2000..=2100).contains(&year) {
                return Err(usage(format!("年份无效（invalid year）：{year}")));
            }
            let (store, _) = open_store(file, &data).await?;
            let unit_id = match &unit {
                Some(code) => Some(
                    store
                        .find_unit_by_code(code)
                        .await?
                        .ok_or_else(|| usage(format!("没有代码为“{code}”的单位（no such unit）")))?
                        .id,
                ),
                None => None,
            };
            let built = gongkai_web::applications::annual::build(&store, unit_id, year).await?;
            store.close().await;
            let report = match built {
                Ok(r) => r,
                Err(unbalanced) => {
                    eprint!("{unbalanced}");
                    return Ok(ExitCode::from(1));
                }
            };
            let bytes = match format.as_str() {
                "xlsx" => gongkai_web::applications::annual::xlsx(&report)
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
                "json" => {
                    let mut v = serde_json::to_vec_pretty(&report)?;
                    v.push(b'\n');
                    v
                }
                _ => gongkai_web::applications::annual::html_document(&report).into_bytes(),
            };
            match output {
                Some(path) => std::fs::write(&path, &bytes)
                    .with_context(|| format!("无法写入 {}", path.display()))?,
                None => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                }
            }
        }
        Command::ApplicationsBench(ApplicationsBenchCommand::Corpus {
            data,
            open,
            year,
            year_total,
            today,
        }) => {
            let (store, _) = open_store(file, &data).await?;
            applications_bench::corpus(&store, open, year, year_total, &today).await?;
            store.close().await;
        }
        Command::ApplicationsBench(ApplicationsBenchCommand::Dashboard {
            data,
            today,
            soon_days,
            runs,
        }) => {
            let (store, _) = open_store(file, &data).await?;
            applications_bench::dashboard(&store, &today, soon_days, runs).await?;
            store.close().await;
        }
        Command::VoiceBench(VoiceBenchCommand::Corpus {
            data,
            messages,
            ratings,
            today,
            shuffled,
        }) => {
            let (store, _) = open_store(file, &data).await?;
            commands::voice_bench::corpus(&store, messages, ratings, &today, shuffled).await?;
            store.close().await;
        }
        Command::VoiceBench(VoiceBenchCommand::Carry {
            data,
            paragraphs,
            comments,
            runs,
        }) => {
            let (store, _) = open_store(file, &data).await?;
            commands::voice_bench::carry(&store, paragraphs, comments, runs.max(1)).await?;
            store.close().await;
        }
        Command::Supervision(SupervisionCommand::Scan { data, today }) => {
            let (store, _) = open_store(file, &data).await?;
            power::scan(&store, today).await?;
            store.close().await;
        }
        Command::PowerBench(PowerBenchCommand::Corpus {
            data,
            cases,
            decisions,
            today,
        }) => {
            let (store, _) = open_store(file, &data).await?;
            power::corpus(&store, cases, decisions, &today).await?;
            store.close().await;
        }
        Command::PowerBench(PowerBenchCommand::Render {
            data,
            path,
            n,
            as_user,
        }) => {
            let (store, mut settings) = open_store(file, &data).await?;
            let indexer = std::sync::Arc::new(
                gongkai_work::indexing::Indexer::open(&settings.data.join("index"))
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            );
            // Every render is timed from the database up: no page cache.
            settings.web.power.public_cache_secs = 0;
            let state = gongkai_web::AppState::new(store.clone(), settings.web, indexer)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let (cookie, path) = match as_user {
                None => (None, path),
                Some(user) => {
                    let creds = store
                        .find_staff_credentials(&user)
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("没有账号 {user}"))?;
                    let token = gongkai_work::secrets::random_token();
                    store
                        .create_session(
                            &creds.staff,
                            &gongkai_work::secrets::token_hash(&token),
                            &gongkai_work::secrets::random_token(),
                            chrono::Utc::now() + chrono::Duration::hours(1),
                        )
                        .await?;
                    (
                        Some(format!("gk_session={token}")),
                        path.replace("{unit}", &creds.staff.unit_id.to_string()),
                    )
                }
            };
            power::render(gongkai_web::app(state), &path, cookie.as_deref(), n).await?;
            store.close().await;
        }
        Command::ExtractText { max_text_bytes } => return Ok(extract_text(max_text_bytes)),
        Command::Reindex { data } => return commands::reindex::run(file, data).await,
        Command::Files(FilesCommand::Migrate { data, to }) => {
            return commands::files::migrate(file, data, &to).await;
        }
        Command::Files(FilesCommand::Check { data }) => {
            return commands::files::check(file, data).await;
        }
        Command::Backup { data, to } => return commands::files::backup(file, data, to).await,
        Command::Restore { data, from } => {
            return commands::files::restore(file, data, from).await;
        }
        Command::Scan {
            format,
            words,
            files,
        } => return commands::scan::scan(&format, words.as_deref(), &files),
        Command::Audit(AuditCommand::Verify { data }) => {
            return commands::audit::verify(file, data).await;
        }
        Command::Unit(UnitCommand::Add {
            data,
            code,
            name,
            unit_type,
            parent,
            uscc,
        }) => return commands::unit::add(file, data, code, name, unit_type, parent, uscc).await,
        Command::Inspect {
            url,
            max_pages,
            concurrency,
            interval_ms,
            check_external,
            format,
            output,
            own,
            data,
        } => {
            return commands::inspect::run(
                file,
                own.then_some(data),
                url,
                max_pages,
                concurrency,
                interval_ms,
                check_external,
                format,
                output,
            )
            .await;
        }
        Command::Evaluation {
            data,
            year,
            today,
            format,
            output,
        } => return commands::evaluation::score(file, data, year, today, format, output).await,
        Command::FinanceBench {
            data,
            units,
            years,
            last,
            leaves,
        } => {
            let (store, _) = open_store(file, &data).await?;
            commands::finance::bench_corpus(&store, units, years, last, leaves).await?;
            store.close().await;
        }
        Command::EvaluationBench {
            data,
            units,
            rows,
            today,
        } => {
            let (store, _) = open_store(file, &data).await?;
            commands::evaluation::corpus(&store, units, rows, &today).await?;
            store.close().await;
        }
        Command::Plan(PlanCommand::Import {
            data,
            file: path,
            year,
            dry_run,
            format,
        }) => return commands::plan::import(file, data, path, year, dry_run, format).await,
        Command::Finance(FinanceCommand::Codes(CodesCommand::Import {
            data,
            file: path,
            year,
        })) => {
            return commands::finance::import_codes(file, data, path, year).await;
        }
        Command::Finance(FinanceCommand::Import {
            data,
            file: path,
            unit,
            year,
            phase,
            approved_on,
            dry_run,
            format,
        }) => {
            let a = commands::finance::ImportArgs {
                path,
                unit,
                year,
                phase,
                approved_on,
                dry_run,
                format,
            };
            return commands::finance::import(file, data, a).await;
        }
        Command::Finance(FinanceCommand::Sample {
            output,
            unit,
            year,
            leaves,
            seed,
            fund,
            codes_output,
        }) => {
            return commands::finance::sample(output, unit, year, leaves, seed, fund, codes_output);
        }
        Command::Staff(StaffCommand::Add {
            data,
            unit,
            role,
            username,
            name,
        }) => return commands::staff::add(file, data, unit, role, username, name).await,
    }
    Ok(ExitCode::SUCCESS)
}

fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("GONGKAI_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(logsink::LogSink::start())
        // colours only for a person at a terminal, not in log files
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
