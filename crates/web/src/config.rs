//! Web configuration: the site's identity (government-website conventions), security settings
//! and override directories. Loaded by the binary from TOML and the environment.

use serde::Deserialize;
use std::path::PathBuf;

/// The site's identity, shown in every page's `<head>` and footer (DOMAIN.md §4).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    /// 网站名称 (`SiteName`).
    pub name: String,
    /// 网站域名 (`SiteDomain`).
    pub domain: String,
    /// 网站标识码 (`SiteIDCode`), 10 characters.
    pub site_id_code: String,
    /// 主办单位.
    pub sponsor: String,
    /// ICP备案号.
    pub icp: String,
    /// 公安机关备案号.
    pub police_filing: String,
    /// Address of the 公安备案 record.
    pub police_filing_url: String,
    /// Address of the "我为政府网站找错" entry.
    pub error_report_url: String,
    /// Address behind the 党政机关网站标识.
    pub dzjg_url: String,
    /// Contact phone in the footer.
    pub phone: String,
    /// Postal address (联系我们).
    pub address: String,
    /// Contact e-mail (联系我们).
    pub email: String,
    /// The emblem or logo shown in the header beside the site's name: an image address (e.g.
    /// `/static/logo.png` from `[paths] static_files`); empty shows the name alone.
    pub logo: String,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            name: "示范区人民政府".into(),
            domain: "www.example.gov.cn".into(),
            site_id_code: "3301020001".into(),
            sponsor: "示范区人民政府办公室".into(),
            icp: "浙ICP备00000000号".into(),
            police_filing: "浙公网安备 33010202000000号".into(),
            police_filing_url: "https://www.beian.gov.cn/".into(),
            error_report_url: "https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteCode.action?siteCode=3301020001".into(),
            dzjg_url: "https://bszs.conac.cn/".into(),
            phone: "0571-00000000".into(),
            address: "示范区政务服务中心（示范路1号）".into(),
            email: "gongkai@example.gov.cn".into(),
            logo: String::new(),
        }
    }
}

/// Login throttling against password guessing.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoginConfig {
    /// Failed attempts for one account name within the window before logins are refused.
    pub max_failures_per_user: i64,
    /// Failed attempts from one address within the window before logins are refused.
    pub max_failures_per_ip: i64,
    /// The window, in minutes (also the longest delay).
    pub window_minutes: i64,
    /// The delay after the first failure beyond the free ones, in seconds; it doubles with each
    /// further failure.
    pub delay_base_secs: i64,
    /// How long a session lasts, in hours.
    pub session_hours: i64,
}

impl Default for LoginConfig {
    fn default() -> Self {
        LoginConfig {
            max_failures_per_user: 5,
            max_failures_per_ip: 30,
            window_minutes: 15,
            delay_base_secs: 30,
            session_hours: 8,
        }
    }
}

/// Everything the web layer needs to know from the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Site identity.
    pub site: SiteConfig,
    /// Login settings.
    pub login: LoginConfig,
    /// `Some(true)`: always mark cookies `Secure`; `Some(false)`: never; `None`: when the
    /// request came over TLS (`X-Forwarded-Proto: https` from the proxy).
    pub secure_cookies: Option<bool>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`[server] trusted_proxies`);
    /// from any other peer the header is ignored.
    pub trusted_proxies: Vec<gongkai_domain::net::Net>,
    /// Addresses `/metrics` answers (`[server] metrics_from`; by default this host only).
    pub metrics_from: Vec<gongkai_domain::net::Net>,
    /// A directory whose templates override the built-in ones (same file names).
    pub template_dir: Option<PathBuf>,
    /// A directory whose files override the built-in static files.
    pub static_dir: Option<PathBuf>,
    /// The data directory's file store, content-addressed (`ab/abcdef…`): where file bytes
    /// are kept with `[files] store = "dir"`, and read from as a fallback with `"database"`.
    pub files_dir: PathBuf,
    /// Where file bytes are kept (`[files] store`: the directory, or the database so that
    /// every server on it reads every file).
    pub file_store: gongkai_work::files::Kind,
    /// Several servers on one database (`[cluster]`).
    pub cluster: ClusterConfig,
    /// Largest attachment accepted, in bytes.
    pub max_attachment_bytes: usize,
    /// How long a cached public page may be served before it is rendered again even if nothing
    /// was published (`[server] page_cache_secs`; 0 turns the cache off).
    pub page_cache_secs: u64,
    /// What an uploaded or imported file may make the server read (sheet rows and columns,
    /// unpacked bytes, extracted text).
    pub extract_limits: gongkai_extract::Limits,
    /// Units (by code) where one person writes, reviews and approves: exempt from four eyes,
    /// each such step noted in the audit trail (`[disclosure] single_person_units`).
    pub single_person_units: Vec<String>,
    /// Where untrusted PDFs are read (a child process with limits, or in process).
    pub sandbox: crate::sandbox::Sandbox,
    /// Working days allowed between forming and publishing (条例 Art. 26: 20).
    pub publish_limit_workdays: u32,
    /// Seconds between checks for due scheduled publications (`[disclosure]
    /// schedule_check_secs`, 30).
    pub schedule_check_secs: u64,
    /// Webhook delivery settings.
    pub webhooks: crate::jobs::WebhookConfig,
    /// Power list, cases, e-supervision and double publicity.
    pub power: PowerConfig,
    /// Disclosure applications.
    pub applications: ApplicationsConfig,
    /// Messages to the government.
    pub messages: MessagesConfig,
    /// Service ratings.
    pub ratings: RatingsConfig,
    /// The oversight loop's local settings.
    pub oversight: OversightConfig,
    /// The units' yearly assessment: indicator weights and the fairness prior.
    pub evaluation: gongkai_domain::evaluation::Rules,
    /// Website inspection: the thresholds and weights the national text leaves open.
    pub inspection: gongkai_domain::inspection::Rules,
    /// Public finance: the rounding tolerance, the days to publish, the villages' posting days.
    pub finance: gongkai_domain::finance::Rules,
}

/// Service ratings' local settings (`[ratings]` in the configuration file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RatingsConfig {
    /// Working days to verify, rectify and answer a bad rating (DOMAIN.md §11: set locally).
    pub rectify_workdays: u32,
    /// Working days before that due date that a bad rating shows yellow on e-supervision.
    pub due_soon_workdays: u32,
    /// Ratings a unit needs before it is ranked.
    pub min_ratings: i64,
    /// The smoothing of the ranking: as if each unit also had this many ratings at the
    /// district's mean.
    pub prior_ratings: f64,
}

impl Default for RatingsConfig {
    fn default() -> Self {
        RatingsConfig {
            rectify_workdays: 5,
            due_soon_workdays: 1,
            min_ratings: 5,
            prior_ratings: 10.0,
        }
    }
}

/// The oversight loop's local settings (`[oversight]` in the configuration file): the
/// deductions of the rectification indicator are the district's own assessment rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OversightConfig {
    /// Working days before a notice's deadline that it shows yellow on e-supervision.
    pub due_soon_workdays: u32,
    /// Points lost for a rectification accepted but filed after the deadline.
    pub late_points: f64,
    /// Points lost for each notice still open past its deadline.
    pub overdue_points: f64,
}

impl Default for OversightConfig {
    fn default() -> Self {
        let w = gongkai_domain::oversight::Weights::default();
        OversightConfig {
            due_soon_workdays: 2,
            late_points: w.late,
            overdue_points: w.overdue,
        }
    }
}

impl OversightConfig {
    /// The deductions as the domain takes them.
    pub fn weights(&self) -> gongkai_domain::oversight::Weights {
        gongkai_domain::oversight::Weights {
            late: self.late_points,
            overdue: self.overdue_points,
        }
    }
}

/// Messages' local settings (`[messages]` in the configuration file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MessagesConfig {
    /// Working days to answer a consultation (咨询).
    pub consultation_workdays: u32,
    /// Working days to answer a complaint (投诉).
    pub complaint_workdays: u32,
    /// Working days to answer a suggestion (建议).
    pub suggestion_workdays: u32,
    /// Working days to answer a letter to a leader (领导信箱).
    pub leader_workdays: u32,
    /// Messages accepted from one address per hour.
    pub per_address_per_hour: u32,
    /// Working days before the due date that a message shows yellow on e-supervision.
    pub due_soon_workdays: u32,
    /// Days back in which a message nearly repeating one from the same address or phone is
    /// marked as a near-duplicate.
    pub duplicate_window_days: u32,
}

impl Default for MessagesConfig {
    fn default() -> Self {
        let l = gongkai_domain::message::Limits::default();
        MessagesConfig {
            consultation_workdays: l.consultation,
            complaint_workdays: l.complaint,
            suggestion_workdays: l.suggestion,
            leader_workdays: l.leader,
            per_address_per_hour: 10,
            due_soon_workdays: 1,
            duplicate_window_days: 30,
        }
    }
}

impl MessagesConfig {
    /// The answer limits the domain rules take.
    pub fn limits(&self) -> gongkai_domain::message::Limits {
        gongkai_domain::message::Limits {
            consultation: self.consultation_workdays,
            complaint: self.complaint_workdays,
            suggestion: self.suggestion_workdays,
            leader: self.leader_workdays,
        }
    }
}

/// Disclosure applications' local settings (`[applications]` in the configuration file): the
/// numbers the regulation leaves to the agency.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApplicationsConfig {
    /// Working days the applicant is given to correct an application (条例 Art. 30 says only
    /// "reasonable").
    pub correction_workdays: u32,
    /// Working days the applicant is given to pay a fee.
    pub fee_workdays: u32,
    /// An application is "due soon" on the e-supervision dashboard (and gets its yellow
    /// reminder) this many working days before its due date.
    pub due_soon_workdays: u32,
    /// Online applications accepted from one address per hour.
    pub per_address_per_hour: u32,
    /// An online application whose text is this similar (0-1, shingle overlap) to one the same
    /// applicant sent to the same unit in the last `duplicate_days` is held as a near-duplicate.
    pub duplicate_similarity: f64,
    /// How far back near-duplicates are looked for, in days.
    pub duplicate_days: u32,
    /// Largest identity-document scan, in MiB.
    pub max_scan_mb: usize,
    /// The TrueType font (or collection) letters are set in; Debian's `fonts-wqy-microhei`.
    pub letter_font: PathBuf,
    /// The face of a collection.
    pub letter_font_index: u32,
}

impl Default for ApplicationsConfig {
    fn default() -> Self {
        ApplicationsConfig {
            correction_workdays: 15,
            fee_workdays: 20,
            due_soon_workdays: 5,
            per_address_per_hour: 10,
            duplicate_similarity: 0.9,
            duplicate_days: 30,
            max_scan_mb: 5,
            letter_font: PathBuf::from("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
            letter_font_index: 0,
        }
    }
}

impl ApplicationsConfig {
    /// The handling limits the domain rules take.
    pub fn limits(&self) -> gongkai_domain::application::handling::Limits {
        gongkai_domain::application::handling::Limits {
            correction_workdays: self.correction_workdays,
            fee_workdays: self.fee_workdays,
        }
    }
}

/// The power list's local settings (`[power]` in the configuration file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PowerConfig {
    /// The region part of power codes (e.g. `33019900`).
    pub region_code: String,
    /// Unit code of the establishment office (编办), which reviews power items first.
    pub establishment_office: String,
    /// Unit code of the legal-affairs office (法制审核机构), which reviews them second.
    pub legal_office: String,
    /// A step turns yellow this many working days before its due date.
    pub yellow_workdays: u32,
    /// How often the server runs the alert scan, in seconds.
    pub scan_secs: u64,
    /// How long anonymous visitors may be served a rendered power list, item page or double
    /// publicity page, in seconds (0: never cached). This server's own changes show at once.
    pub public_cache_secs: u64,
    /// Double publicity: limits and public periods.
    pub double_publicity: gongkai_domain::power::double_publicity::PublicityRules,
    /// Where alert reminders are mailed.
    pub mail: crate::power::reminders::MailConfig,
}

impl Default for PowerConfig {
    fn default() -> Self {
        PowerConfig {
            region_code: "33019900".into(),
            establishment_office: "BB".into(),
            legal_office: "SFJ".into(),
            yellow_workdays: 1,
            scan_secs: 300,
            public_cache_secs: 5,
            double_publicity: Default::default(),
            mail: Default::default(),
        }
    }
}

/// Several servers on one database (`[cluster]`).
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// How long the lease of the once-per-cluster periodic work lasts without renewal: the
    /// longest a dead server's work waits before another server takes it over (`lease_secs`,
    /// 15). The holder renews it every third of that.
    pub lease_secs: u64,
    /// Index sync by polling, the fallback when change notifications are missed
    /// (`poll_secs`, 2).
    pub poll_secs: u64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            lease_secs: 15,
            poll_secs: 2,
        }
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            site: SiteConfig::default(),
            login: LoginConfig::default(),
            secure_cookies: None,
            trusted_proxies: Vec::new(),
            metrics_from: default_metrics_from(),
            template_dir: None,
            static_dir: None,
            files_dir: std::env::temp_dir().join("gongkai-files"),
            file_store: gongkai_work::files::Kind::Dir,
            cluster: ClusterConfig::default(),
            max_attachment_bytes: 20 * 1024 * 1024,
            page_cache_secs: 30,
            extract_limits: gongkai_extract::Limits::default(),
            sandbox: crate::sandbox::Sandbox::default(),
            single_person_units: Vec::new(),
            publish_limit_workdays: 20,
            schedule_check_secs: 30,
            webhooks: crate::jobs::WebhookConfig::default(),
            power: PowerConfig::default(),
            applications: ApplicationsConfig::default(),
            messages: MessagesConfig::default(),
            ratings: RatingsConfig::default(),
            oversight: OversightConfig::default(),
            evaluation: gongkai_domain::evaluation::Rules::default(),
            finance: gongkai_domain::finance::Rules::default(),
            inspection: gongkai_domain::inspection::Rules::default(),
        }
    }
}

/// `/metrics` by default: this host (IPv4 and IPv6 loopback).
pub fn default_metrics_from() -> Vec<gongkai_domain::net::Net> {
    ["127.0.0.0/8", "::1"]
        .iter()
        .filter_map(|n| n.parse().ok())
        .collect()
}
