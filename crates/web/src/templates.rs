//! The template set: built-in templates compiled into the binary, each overridable by a file of
//! the same name in the deployment's template directory (read at start-up, no rebuild needed).

use crate::error::AppError;
use minijinja::Environment;
use std::path::{Path, PathBuf};

/// Built-in templates: (name, source).
const BUILTIN: &[(&str, &str)] = &[
    (
        "power/_flowchart.html",
        include_str!("../../../templates/power/_flowchart.html"),
    ),
    (
        "power/list.html",
        include_str!("../../../templates/power/list.html"),
    ),
    (
        "power/item.html",
        include_str!("../../../templates/power/item.html"),
    ),
    (
        "power/apply.html",
        include_str!("../../../templates/power/apply.html"),
    ),
    (
        "power/_applicant.html",
        include_str!("../../../templates/power/_applicant.html"),
    ),
    (
        "power/applied.html",
        include_str!("../../../templates/power/applied.html"),
    ),
    (
        "power/lookup.html",
        include_str!("../../../templates/power/lookup.html"),
    ),
    (
        "power/double_publicity.html",
        include_str!("../../../templates/power/double_publicity.html"),
    ),
    (
        "admin/_power_fields.html",
        include_str!("../../../templates/admin/_power_fields.html"),
    ),
    (
        "admin/power_form.html",
        include_str!("../../../templates/admin/power_form.html"),
    ),
    (
        "admin/powers.html",
        include_str!("../../../templates/admin/powers.html"),
    ),
    (
        "admin/power.html",
        include_str!("../../../templates/admin/power.html"),
    ),
    (
        "admin/power_reviews.html",
        include_str!("../../../templates/admin/power_reviews.html"),
    ),
    (
        "admin/cases.html",
        include_str!("../../../templates/admin/cases.html"),
    ),
    (
        "admin/case.html",
        include_str!("../../../templates/admin/case.html"),
    ),
    (
        "admin/reform.html",
        include_str!("../../../templates/admin/reform.html"),
    ),
    (
        "admin/supervision.html",
        include_str!("../../../templates/admin/supervision.html"),
    ),
    ("base.html", include_str!("../../../templates/base.html")),
    ("home.html", include_str!("../../../templates/home.html")),
    ("units.html", include_str!("../../../templates/units.html")),
    (
        "sitemap.html",
        include_str!("../../../templates/sitemap.html"),
    ),
    (
        "contact.html",
        include_str!("../../../templates/contact.html"),
    ),
    (
        "privacy.html",
        include_str!("../../../templates/privacy.html"),
    ),
    (
        "applications/apply.html",
        include_str!("../../../templates/applications/apply.html"),
    ),
    (
        "applications/submitted.html",
        include_str!("../../../templates/applications/submitted.html"),
    ),
    (
        "applications/track.html",
        include_str!("../../../templates/applications/track.html"),
    ),
    (
        "applications/register.html",
        include_str!("../../../templates/applications/register.html"),
    ),
    (
        "messages/new.html",
        include_str!("../../../templates/messages/new.html"),
    ),
    (
        "messages/submitted.html",
        include_str!("../../../templates/messages/submitted.html"),
    ),
    (
        "messages/track.html",
        include_str!("../../../templates/messages/track.html"),
    ),
    (
        "ratings/new.html",
        include_str!("../../../templates/ratings/new.html"),
    ),
    (
        "ratings/results.html",
        include_str!("../../../templates/ratings/results.html"),
    ),
    (
        "admin/ratings.html",
        include_str!("../../../templates/admin/ratings.html"),
    ),
    (
        "admin/rating.html",
        include_str!("../../../templates/admin/rating.html"),
    ),
    (
        "consultations/list.html",
        include_str!("../../../templates/consultations/list.html"),
    ),
    (
        "consultations/page.html",
        include_str!("../../../templates/consultations/page.html"),
    ),
    (
        "consultations/_draft.html",
        include_str!("../../../templates/consultations/_draft.html"),
    ),
    (
        "admin/consultations.html",
        include_str!("../../../templates/admin/consultations.html"),
    ),
    (
        "admin/consultation.html",
        include_str!("../../../templates/admin/consultation.html"),
    ),
    (
        "decisions/catalog.html",
        include_str!("../../../templates/decisions/catalog.html"),
    ),
    (
        "decisions/_steps.html",
        include_str!("../../../templates/decisions/_steps.html"),
    ),
    (
        "decisions/timeline.html",
        include_str!("../../../templates/decisions/timeline.html"),
    ),
    (
        "plans/progress.html",
        include_str!("../../../templates/plans/progress.html"),
    ),
    (
        "admin/plans.html",
        include_str!("../../../templates/admin/plans.html"),
    ),
    (
        "admin/plan.html",
        include_str!("../../../templates/admin/plan.html"),
    ),
    (
        "admin/plan_task.html",
        include_str!("../../../templates/admin/plan_task.html"),
    ),
    (
        "admin/oversight.html",
        include_str!("../../../templates/admin/oversight.html"),
    ),
    (
        "admin/notice.html",
        include_str!("../../../templates/admin/notice.html"),
    ),
    (
        "admin/trainings.html",
        include_str!("../../../templates/admin/trainings.html"),
    ),
    (
        "admin/training.html",
        include_str!("../../../templates/admin/training.html"),
    ),
    (
        "admin/service_centers.html",
        include_str!("../../../templates/admin/service_centers.html"),
    ),
    (
        "evaluation.html",
        include_str!("../../../templates/evaluation.html"),
    ),
    (
        "evaluation_year.html",
        include_str!("../../../templates/evaluation_year.html"),
    ),
    (
        "admin/evaluation.html",
        include_str!("../../../templates/admin/evaluation.html"),
    ),
    (
        "admin/scorecard.html",
        include_str!("../../../templates/admin/scorecard.html"),
    ),
    (
        "admin/inspections.html",
        include_str!("../../../templates/admin/inspections.html"),
    ),
    (
        "admin/inspection.html",
        include_str!("../../../templates/admin/inspection.html"),
    ),
    (
        "finance/_table.html",
        include_str!("../../../templates/finance/_table.html"),
    ),
    (
        "finance/_chart.html",
        include_str!("../../../templates/finance/_chart.html"),
    ),
    (
        "finance/_posting.html",
        include_str!("../../../templates/finance/_posting.html"),
    ),
    (
        "finance/set.html",
        include_str!("../../../templates/finance/set.html"),
    ),
    (
        "finance/district.html",
        include_str!("../../../templates/finance/district.html"),
    ),
    (
        "finance/villages.html",
        include_str!("../../../templates/finance/villages.html"),
    ),
    (
        "finance/village.html",
        include_str!("../../../templates/finance/village.html"),
    ),
    (
        "admin/finance.html",
        include_str!("../../../templates/admin/finance.html"),
    ),
    (
        "admin/finance_set.html",
        include_str!("../../../templates/admin/finance_set.html"),
    ),
    (
        "admin/finance_oversight.html",
        include_str!("../../../templates/admin/finance_oversight.html"),
    ),
    (
        "admin/villages.html",
        include_str!("../../../templates/admin/villages.html"),
    ),
    (
        "admin/village.html",
        include_str!("../../../templates/admin/village.html"),
    ),
    (
        "demo_sites.html",
        include_str!("../../../templates/demo_sites.html"),
    ),
    (
        "admin/demo_sites.html",
        include_str!("../../../templates/admin/demo_sites.html"),
    ),
    (
        "admin/demo_site_batch.html",
        include_str!("../../../templates/admin/demo_site_batch.html"),
    ),
    (
        "admin/decisions.html",
        include_str!("../../../templates/admin/decisions.html"),
    ),
    (
        "admin/decision.html",
        include_str!("../../../templates/admin/decision.html"),
    ),
    (
        "messages/list.html",
        include_str!("../../../templates/messages/list.html"),
    ),
    (
        "messages/one.html",
        include_str!("../../../templates/messages/one.html"),
    ),
    (
        "admin/messages.html",
        include_str!("../../../templates/admin/messages.html"),
    ),
    (
        "admin/message.html",
        include_str!("../../../templates/admin/message.html"),
    ),
    (
        "admin/message_routes.html",
        include_str!("../../../templates/admin/message_routes.html"),
    ),
    (
        "admin/applications.html",
        include_str!("../../../templates/admin/applications.html"),
    ),
    (
        "admin/application_new.html",
        include_str!("../../../templates/admin/application_new.html"),
    ),
    (
        "admin/application.html",
        include_str!("../../../templates/admin/application.html"),
    ),
    (
        "admin/application_supervision.html",
        include_str!("../../../templates/admin/application_supervision.html"),
    ),
    (
        "admin/letter_templates.html",
        include_str!("../../../templates/admin/letter_templates.html"),
    ),
    (
        "admin/annual_report.html",
        include_str!("../../../templates/admin/annual_report.html"),
    ),
    ("login.html", include_str!("../../../templates/login.html")),
    ("error.html", include_str!("../../../templates/error.html")),
    (
        "admin/desk.html",
        include_str!("../../../templates/admin/desk.html"),
    ),
    (
        "admin/unit.html",
        include_str!("../../../templates/admin/unit.html"),
    ),
    (
        "admin/staff.html",
        include_str!("../../../templates/admin/staff.html"),
    ),
    (
        "admin/audit.html",
        include_str!("../../../templates/admin/audit.html"),
    ),
    (
        "admin/calendar.html",
        include_str!("../../../templates/admin/calendar.html"),
    ),
    (
        "admin/account.html",
        include_str!("../../../templates/admin/account.html"),
    ),
    (
        "admin/items.html",
        include_str!("../../../templates/admin/items.html"),
    ),
    (
        "admin/item.html",
        include_str!("../../../templates/admin/item.html"),
    ),
    (
        "admin/item_form.html",
        include_str!("../../../templates/admin/item_form.html"),
    ),
    (
        "admin/_item_fields.html",
        include_str!("../../../templates/admin/_item_fields.html"),
    ),
    (
        "portal/_items.html",
        include_str!("../../../templates/portal/_items.html"),
    ),
    (
        "portal/catalog.html",
        include_str!("../../../templates/portal/catalog.html"),
    ),
    (
        "portal/guide.html",
        include_str!("../../../templates/portal/guide.html"),
    ),
    (
        "portal/item.html",
        include_str!("../../../templates/portal/item.html"),
    ),
    (
        "portal/list.html",
        include_str!("../../../templates/portal/list.html"),
    ),
    (
        "search.html",
        include_str!("../../../templates/search.html"),
    ),
    (
        "feeds/atom.xml",
        include_str!("../../../templates/feeds/atom.xml"),
    ),
    (
        "feeds/sitemap.xml",
        include_str!("../../../templates/feeds/sitemap.xml"),
    ),
    (
        "feeds/sitemap_index.xml",
        include_str!("../../../templates/feeds/sitemap_index.xml"),
    ),
    (
        "admin/words.html",
        include_str!("../../../templates/admin/words.html"),
    ),
    (
        "admin/webhooks.html",
        include_str!("../../../templates/admin/webhooks.html"),
    ),
    (
        "admin/webhook.html",
        include_str!("../../../templates/admin/webhook.html"),
    ),
    (
        "admin/_webhook_fields.html",
        include_str!("../../../templates/admin/_webhook_fields.html"),
    ),
    (
        "standards.html",
        include_str!("../../../templates/standards.html"),
    ),
    (
        "_standards_table.html",
        include_str!("../../../templates/_standards_table.html"),
    ),
    (
        "admin/standards.html",
        include_str!("../../../templates/admin/standards.html"),
    ),
    (
        "admin/timeliness.html",
        include_str!("../../../templates/admin/timeliness.html"),
    ),
];

/// The loaded template environment.
pub struct Templates {
    env: Environment<'static>,
}

fn load_source(dir: Option<&Path>, name: &str) -> Result<Option<String>, minijinja::Error> {
    if let Some(dir) = dir
        && !name.contains("..")
    {
        let path = dir.join(name);
        if path.is_file() {
            return std::fs::read_to_string(&path).map(Some).map_err(|e| {
                minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("{}: {e}", path.display()),
                )
            });
        }
    }
    Ok(BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| s.to_string()))
}

impl Templates {
    /// Loads every template (overrides first) and checks that each one parses.
    pub fn load(override_dir: Option<&Path>) -> Result<Templates, AppError> {
        if let Some(dir) = override_dir
            && !dir.is_dir()
        {
            return Err(AppError::Template(format!(
                "模板目录不存在：{}",
                dir.display()
            )));
        }
        let mut env = Environment::new();
        let dir: Option<PathBuf> = override_dir.map(Path::to_path_buf);
        env.set_loader(move |name| load_source(dir.as_deref(), name));
        // XML templates escape with the `xml` filter only (HTML escaping would also turn `/`
        // into `&#x2f;`, which feed readers show literally in some places).
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".xml") {
                minijinja::AutoEscape::None
            } else {
                minijinja::default_auto_escape_callback(name)
            }
        });
        env.add_filter("xml", |v: String| -> String {
            v.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&apos;")
        });
        // Stored times are UTC; staff read Beijing time (`YYYY-MM-DD HH:MM:SS`).
        env.add_filter("beijing", |v: String| -> String {
            chrono::DateTime::parse_from_rfc3339(&v)
                .map(|t| {
                    (t + chrono::Duration::hours(8))
                        .format("%Y-%m-%d %H:%M:%S")
                        .to_string()
                })
                .unwrap_or(v)
        });
        for (name, _) in BUILTIN {
            env.get_template(name)?;
        }
        Ok(Templates { env })
    }

    /// Renders one template.
    pub fn render(&self, name: &str, ctx: minijinja::Value) -> Result<String, AppError> {
        Ok(self.env.get_template(name)?.render(ctx)?)
    }
}
