//! The configuration file (`gongkai.toml`) and environment variables, loaded and validated once
//! at start-up. Precedence: command-line flags, then environment, then the file, then defaults.
//! Every key is documented in `docs/CONFIG.md`.

use anyhow::{Context, Result, bail};
use gongkai_web::{LoginConfig, SiteConfig, WebConfig};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `[server]`.
    #[serde(default)]
    pub server: ServerSection,
    /// `[site]`.
    #[serde(default)]
    pub site: SiteConfig,
    /// `[login]`.
    #[serde(default)]
    pub login: LoginConfig,
    /// `[paths]`.
    #[serde(default)]
    pub paths: PathsSection,
    /// `[disclosure]`.
    #[serde(default)]
    pub disclosure: DisclosureSection,
    /// `[webhooks]`.
    #[serde(default)]
    pub webhooks: gongkai_work::webhooks::WebhookConfig,
    /// `[power]`.
    #[serde(default)]
    pub power: gongkai_web::PowerConfig,
    /// `[applications]`.
    #[serde(default)]
    pub applications: gongkai_web::ApplicationsConfig,
    /// `[messages]`.
    #[serde(default)]
    pub messages: gongkai_web::MessagesConfig,
    /// `[ratings]`.
    #[serde(default)]
    pub ratings: gongkai_web::RatingsConfig,
    /// `[inspection]`: the website inspection's local thresholds and weights.
    #[serde(default)]
    pub inspection: gongkai_domain::inspection::Rules,
    /// `[oversight]`.
    #[serde(default)]
    pub oversight: gongkai_web::OversightConfig,
    /// `[evaluation]`: the units' yearly assessment (indicator weights, fairness prior).
    #[serde(default)]
    pub evaluation: gongkai_domain::evaluation::Rules,
    /// `[finance]`: public finance (rounding tolerance, days to publish, villages' posting days).
    #[serde(default)]
    pub finance: gongkai_domain::finance::Rules,
    /// `[files]`: where file bytes are kept.
    #[serde(default)]
    pub files: FilesSection,
    /// `[cluster]`: several servers on one database.
    #[serde(default)]
    pub cluster: ClusterSection,
}

/// `[files]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesSection {
    /// `auto` (the database on PostgreSQL, the data directory on SQLite), `database` or `dir`.
    pub store: String,
}

impl Default for FilesSection {
    fn default() -> Self {
        FilesSection {
            store: "auto".into(),
        }
    }
}

/// `[cluster]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterSection {
    /// Seconds the once-per-cluster work's lease lasts without renewal.
    pub lease_secs: u64,
    /// Seconds between index polls (the fallback to change notifications).
    pub poll_secs: u64,
}

impl Default for ClusterSection {
    fn default() -> Self {
        let d = gongkai_web::config::ClusterConfig::default();
        ClusterSection {
            lease_secs: d.lease_secs,
            poll_secs: d.poll_secs,
        }
    }
}

/// `[disclosure]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DisclosureSection {
    /// Largest attachment, in MiB.
    pub max_attachment_mb: usize,
    /// Working days allowed from forming to publishing (条例 Art. 26).
    pub publish_limit_workdays: u32,
    /// Seconds between checks for scheduled publications that are due.
    pub schedule_check_secs: u64,
    /// Rows of a spreadsheet (attachment or import) that may hold content.
    pub max_sheet_rows: u32,
    /// Columns of a spreadsheet that may hold content.
    pub max_sheet_columns: u32,
    /// What a DOCX or XLSX may unpack to, in MiB.
    pub max_unpacked_mb: u64,
    /// Address space of the process that reads a PDF, in MiB.
    pub extract_memory_mb: u64,
    /// CPU time of the process that reads a PDF, in seconds.
    pub extract_cpu_secs: u64,
    /// Units (codes) exempt from four eyes: one person writes, reviews and approves.
    pub single_person_units: Vec<String>,
    /// The OCR program (Tesseract) that reads images and scanned PDFs; empty turns OCR off.
    pub ocr_program: String,
    /// Tesseract's languages.
    pub ocr_languages: String,
    /// The program that renders PDF pages for OCR (Poppler's pdftoppm).
    pub pdf_render_program: String,
    /// Pages of a scanned PDF read by OCR at most.
    pub ocr_max_pages: u32,
}

impl Default for DisclosureSection {
    fn default() -> Self {
        let limits = gongkai_extract::Limits::default();
        DisclosureSection {
            max_attachment_mb: 20,
            publish_limit_workdays: 20,
            schedule_check_secs: 30,
            max_sheet_rows: limits.max_rows,
            max_sheet_columns: limits.max_cols,
            max_unpacked_mb: limits.max_unpacked_bytes >> 20,
            extract_memory_mb: 512,
            extract_cpu_secs: 30,
            single_person_units: Vec::new(),
            ocr_program: "tesseract".into(),
            ocr_languages: "chi_sim".into(),
            pdf_render_program: "pdftoppm".into(),
            ocr_max_pages: 30,
        }
    }
}

/// `[server]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    /// Listen address, `HOST:PORT`.
    pub addr: Option<String>,
    /// Data directory.
    pub data: Option<PathBuf>,
    /// Database URL (default: SQLite in the data directory).
    pub database: Option<String>,
    /// `text` or `json`.
    pub log_format: Option<String>,
    /// `auto`, `always` or `never`.
    pub secure_cookies: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (addresses or CIDR blocks).
    #[serde(default)]
    pub trusted_proxies: Vec<gongkai_domain::net::Net>,
    /// Addresses `/metrics` answers (default: this host).
    pub metrics_from: Option<Vec<gongkai_domain::net::Net>>,
    /// Seconds to receive a request's headers (default 10).
    pub header_timeout_secs: Option<u64>,
    /// Open connections one address may hold (default 64).
    pub max_connections_per_address: Option<usize>,
    /// Seconds a cached public page may be served before it is rendered again (default 30).
    pub page_cache_secs: Option<u64>,
}

/// `[paths]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathsSection {
    /// Template override directory.
    pub templates: Option<PathBuf>,
    /// Static file override directory.
    pub static_files: Option<PathBuf>,
}

/// The configuration after merging and validation.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where to listen.
    pub addr: SocketAddr,
    /// Data directory.
    pub data: PathBuf,
    /// Database URL, if not the default SQLite file.
    pub database: Option<String>,
    /// JSON logs.
    pub json_logs: bool,
    /// Seconds to receive a request's headers (also the idle limit of a kept-alive connection).
    pub header_timeout_secs: u64,
    /// Open connections one address may hold (trusted proxies exempt).
    pub max_connections_per_address: usize,
    /// Web layer configuration.
    pub web: WebConfig,
}

/// Reads the file named by `--config`, `GONGKAI_CONFIG`, or `./gongkai.toml` if present.
pub fn load_file(path: Option<&Path>) -> Result<FileConfig> {
    let env_path = std::env::var_os("GONGKAI_CONFIG").map(PathBuf::from);
    let (path, required) = match (path.map(Path::to_path_buf), env_path) {
        (Some(p), _) | (None, Some(p)) => (p, true),
        (None, None) => (PathBuf::from("gongkai.toml"), false),
    };
    if !path.exists() {
        if required {
            bail!(
                "配置文件不存在（config file not found）：{}",
                path.display()
            );
        }
        return Ok(FileConfig::default());
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("无法读取配置文件 {}", path.display()))?;
    toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("配置文件 {} 有误（invalid config）：{e}", path.display()))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Merges flags, environment and file into validated settings.
pub fn settings(
    file: FileConfig,
    addr: Option<String>,
    data: Option<PathBuf>,
    database: Option<String>,
) -> Result<Settings> {
    let addr_text = addr
        .or_else(|| env("GONGKAI_ADDR"))
        .or(file.server.addr)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let addr: SocketAddr = addr_text
        .parse()
        .map_err(|_| anyhow::anyhow!("监听地址无效（invalid listen address）：{addr_text}，应为 主机:端口，例如 127.0.0.1:8080"))?;
    let data = data
        .or_else(|| env("GONGKAI_DATA").map(PathBuf::from))
        .or(file.server.data)
        .unwrap_or_else(|| PathBuf::from("./gongkai-data"));
    let database = database
        .or_else(|| env("GONGKAI_DATABASE"))
        .or(file.server.database)
        .filter(|d| !d.trim().is_empty());
    let log_format = env("GONGKAI_LOG_FORMAT")
        .or(file.server.log_format)
        .unwrap_or_else(|| "text".into());
    let json_logs = match log_format.as_str() {
        "text" => false,
        "json" => true,
        other => bail!("log_format 只能是 text 或 json，实际为 {other}"),
    };
    let secure_cookies = match file.server.secure_cookies.as_deref().unwrap_or("auto") {
        "auto" => None,
        "always" => Some(true),
        "never" => Some(false),
        other => bail!("secure_cookies 只能是 auto、always 或 never，实际为 {other}"),
    };
    let site = file.site;
    if site.site_id_code.chars().count() != 10
        || !site.site_id_code.chars().all(|c| c.is_ascii_alphanumeric())
    {
        bail!(
            "site.site_id_code（网站标识码）应为10位字母或数字，实际为“{}”",
            site.site_id_code
        );
    }
    if site.name.trim().is_empty() {
        bail!("site.name（网站名称）不能为空");
    }
    if !(1..=500).contains(&file.disclosure.max_attachment_mb)
        || !(1..=120).contains(&file.disclosure.publish_limit_workdays)
        || !(1..=3600).contains(&file.disclosure.schedule_check_secs)
    {
        bail!(
            "[disclosure] max_attachment_mb 应在1-500之间，publish_limit_workdays 应在1-120之间，schedule_check_secs 应在1-3600之间"
        );
    }
    let d = &file.disclosure;
    if !(1..=1_048_576).contains(&d.max_sheet_rows)
        || !(1..=16_384).contains(&d.max_sheet_columns)
        || !(1..=4096).contains(&d.max_unpacked_mb)
        || !(128..=65536).contains(&d.extract_memory_mb)
        || !(1..=3600).contains(&d.extract_cpu_secs)
        || !(1..=1000).contains(&d.ocr_max_pages)
    {
        bail!(
            "[disclosure] max_sheet_rows 应在1-1048576之间，max_sheet_columns 应在1-16384之间，max_unpacked_mb 应在1-4096之间，extract_memory_mb 应在128-65536之间，extract_cpu_secs 应在1-3600之间，ocr_max_pages 应在1-1000之间"
        );
    }
    let sandbox = gongkai_work::sandbox::Sandbox {
        program: std::env::current_exe().ok(),
        memory_mb: d.extract_memory_mb,
        cpu_secs: d.extract_cpu_secs,
        ocr: gongkai_work::sandbox::Ocr {
            program: d.ocr_program.clone().into(),
            languages: d.ocr_languages.clone(),
            pdf_render: d.pdf_render_program.clone().into(),
            max_pages: d.ocr_max_pages,
        },
    };
    let extract_limits = gongkai_extract::Limits {
        max_rows: d.max_sheet_rows,
        max_cols: d.max_sheet_columns,
        max_unpacked_bytes: d.max_unpacked_mb << 20,
        ..gongkai_extract::Limits::default()
    };
    let w = &file.webhooks;
    if !(1..=50).contains(&w.max_attempts)
        || w.base_delay_secs < 1
        || w.max_delay_secs < w.base_delay_secs
        || !(1..=300).contains(&w.timeout_secs)
        || !(1..=3600).contains(&w.poll_secs)
    {
        bail!(
            "[webhooks] max_attempts 应在1-50之间，base_delay_secs 至少为1且不大于 max_delay_secs，timeout_secs 应在1-300之间，poll_secs 应在1-3600之间"
        );
    }
    let login = file.login;
    if login.max_failures_per_user < 1
        || login.max_failures_per_ip < 1
        || login.window_minutes < 1
        || !(1..=3600).contains(&login.delay_base_secs)
        || !(1..=720).contains(&login.session_hours)
    {
        bail!("[login] 的各项须为正整数，session_hours 不超过720，delay_base_secs 不超过3600");
    }
    for (key, dir) in [
        ("paths.templates", &file.paths.templates),
        ("paths.static_files", &file.paths.static_files),
    ] {
        if let Some(d) = dir
            && !d.is_dir()
        {
            bail!("{key} 指定的目录不存在：{}", d.display());
        }
    }
    let header_timeout_secs = file.server.header_timeout_secs.unwrap_or(10);
    let max_connections_per_address = file.server.max_connections_per_address.unwrap_or(64);
    if !(1..=600).contains(&header_timeout_secs) || max_connections_per_address < 1 {
        bail!("[server] header_timeout_secs 应在1-600之间，max_connections_per_address 至少为1");
    }
    if let Err(e) = file.evaluation.check() {
        bail!("{e}");
    }
    if let Err(e) = file.finance.check() {
        bail!("{e}");
    }
    let files_dir = data.join("files");
    let postgres = database
        .as_deref()
        .is_some_and(|d| d.starts_with("postgres://") || d.starts_with("postgresql://"));
    let file_store = match env("GONGKAI_FILES_STORE")
        .unwrap_or_else(|| file.files.store.clone())
        .as_str()
    {
        "auto" if postgres => gongkai_work::files::Kind::Database,
        "auto" => gongkai_work::files::Kind::Dir,
        other => gongkai_work::files::Kind::parse(other).ok_or_else(|| {
            anyhow::anyhow!("[files] store 只能是 auto、database 或 dir，实际为 {other}")
        })?,
    };
    if !(3..=600).contains(&file.cluster.lease_secs) || !(1..=60).contains(&file.cluster.poll_secs)
    {
        bail!("[cluster] lease_secs 应在3-600之间，poll_secs 应在1-60之间");
    }
    Ok(Settings {
        addr,
        data,
        database,
        json_logs,
        header_timeout_secs,
        max_connections_per_address,
        web: WebConfig {
            site,
            login,
            secure_cookies,
            trusted_proxies: file.server.trusted_proxies,
            metrics_from: file
                .server
                .metrics_from
                .unwrap_or_else(gongkai_web::config::default_metrics_from),
            template_dir: file.paths.templates,
            static_dir: file.paths.static_files,
            files_dir,
            file_store,
            cluster: gongkai_web::config::ClusterConfig {
                lease_secs: file.cluster.lease_secs,
                poll_secs: file.cluster.poll_secs,
            },
            max_attachment_bytes: file.disclosure.max_attachment_mb * 1024 * 1024,
            page_cache_secs: file.server.page_cache_secs.unwrap_or(30).min(86_400),
            publish_limit_workdays: file.disclosure.publish_limit_workdays,
            schedule_check_secs: file.disclosure.schedule_check_secs,
            extract_limits,
            sandbox,
            single_person_units: file.disclosure.single_person_units.clone(),
            webhooks: file.webhooks,
            power: file.power,
            applications: file.applications,
            messages: file.messages,
            ratings: file.ratings,
            oversight: file.oversight,
            evaluation: file.evaluation,
            inspection: file.inspection,
            finance: file.finance,
        },
    })
}
