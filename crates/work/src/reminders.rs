//! Reminders of e-supervision alerts, sent as e-mail through the jobs table: the alert scan
//! queues one `reminder` job per unit with new alerts in the transaction that raised them; this
//! worker claims them with a lease, mails the unit's and the supervisor's addresses a digest,
//! records every attempt (shown like webhook deliveries) and retries with backoff.

use crate::mail::{Mail, send};
use gongkai_domain::webhook::RetryPolicy;
use gongkai_store::Store;
use gongkai_store::jobs::{Job, JobAttempt, JobNext};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where reminders go (`[power.mail]`). An empty `smtp_addr` turns mail off: reminders are then
/// recorded as not sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// The SMTP relay, `host:port`.
    pub smtp_addr: String,
    /// Sender address.
    pub from: String,
    /// The supervisor's addresses: every reminder.
    pub supervisor: Vec<String>,
    /// Each unit's addresses, by unit code: that unit's reminders.
    pub units: BTreeMap<String, Vec<String>>,
}

/// The reminder worker of one server.
pub struct Reminders {
    worker: String,
    mail: MailConfig,
    wake: tokio::sync::Notify,
}

impl Reminders {
    /// A worker named `worker`.
    pub fn new(worker: &str, mail: MailConfig) -> Arc<Reminders> {
        Arc::new(Reminders {
            worker: worker.into(),
            mail,
            wake: tokio::sync::Notify::new(),
        })
    }

    /// Wakes the worker (after a scan raised alerts).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Sends every reminder due now. Returns how many were tried.
    pub async fn run_due(&self, store: &Store) -> Result<usize, gongkai_store::StoreError> {
        crate::queue::run_due(self, store).await
    }

    async fn send_one(&self, store: &Store, job: &Job) -> Result<(), gongkai_store::StoreError> {
        let started_at = gongkai_store::now_text();
        let clock = Instant::now();
        let outcome = match self.compose(store, job).await? {
            Err(reason) => Err((reason, false)),
            Ok(mail) => {
                let addr = self.mail.smtp_addr.clone();
                let id = format!("{}@gongkai", job.job_key.replace([':', ' '], "."));
                tokio::task::spawn_blocking(move || {
                    send(&addr, &mail, &id, Duration::from_secs(10))
                })
                .await
                .unwrap_or_else(|e| Err(format!("发送线程异常：{e}")))
                .map_err(|e| (e, true))
            }
        };
        let (next, error, response) = match outcome {
            Ok(answer) => (JobNext::Delivered, String::new(), answer),
            Err((reason, false)) => (JobNext::Cancelled, reason, String::new()),
            Err((reason, true)) => {
                let delay = RetryPolicy::default()
                    .delay_after(u32::try_from(job.attempts).unwrap_or(u32::MAX));
                let next = match delay {
                    Some(secs) => JobNext::RetryAt(gongkai_store::time_text(
                        chrono::Utc::now() + chrono::Duration::seconds(secs as i64),
                    )),
                    None => JobNext::Failed,
                };
                (next, reason, String::new())
            }
        };
        let attempt = JobAttempt {
            job_id: job.id,
            attempt: job.attempts,
            worker: self.worker.clone(),
            started_at,
            duration_ms: clock.elapsed().as_millis() as i64,
            status_code: None,
            error,
            response: response.chars().take(1024).collect(),
        };
        store
            .jobs()
            .finish_job(&self.worker, job, &attempt, &next)
            .await?;
        Ok(())
    }

    /// The mail for a job, or why none is sent.
    async fn compose(
        &self,
        store: &Store,
        job: &Job,
    ) -> Result<Result<Mail, String>, gongkai_store::StoreError> {
        if self.mail.smtp_addr.is_empty() {
            return Ok(Err(
                "未配置邮件服务器（[power.mail] smtp_addr），提醒未发送".into(),
            ));
        }
        let Some((unit_id, raised_at)) = job
            .payload
            .split_once('|')
            .and_then(|(u, t)| Some((u.parse::<i64>().ok()?, t.to_string())))
        else {
            return Ok(Err(format!("提醒任务内容无效：{}", job.payload)));
        };
        let unit = store.get_unit(unit_id).await?;
        let (alerts, total) = store.power().alerts_raised(unit_id, &raised_at, 50).await?;
        let mut to: Vec<String> = self.mail.units.get(&unit.code).cloned().unwrap_or_default();
        to.extend(self.mail.supervisor.iter().cloned());
        // the handlers of the applications in the digest, where they gave an address
        for a in &alerts {
            if let Some(id) = a.application_id {
                let handler = store.applications().get(id).await?.handler;
                if !handler.is_empty() {
                    let email = store.staff_email(&handler).await?;
                    if !email.is_empty() {
                        to.push(email);
                    }
                }
            }
        }
        to.sort();
        to.dedup();
        if to.is_empty() {
            return Ok(Err(format!(
                "未配置{}或监察人员的邮件地址，提醒未发送",
                unit.name
            )));
        }
        let red = alerts.iter().filter(|a| a.level == "red").count();
        let mut body = format!("{}：\n\n电子监察新增预警{total}个：\n\n", unit.name);
        for a in &alerts {
            let level = if a.level == "red" {
                "红牌警告"
            } else {
                "黄牌预警"
            };
            let link = a
                .case_id
                .map(|c| format!("（/admin/cases/{c}）"))
                .or_else(|| {
                    a.application_id
                        .map(|i| format!("（/admin/applications/{i}）"))
                })
                .unwrap_or_default();
            body.push_str(&format!("- {level}：{}{link}\n", a.detail));
        }
        if total > alerts.len() as i64 {
            body.push_str(&format!(
                "……另有{}个，见工作台“电子监察”。\n",
                total - alerts.len() as i64
            ));
        }
        body.push_str("\n请及时处理。本邮件由政务公开平台自动发送。\n");
        Ok(Ok(Mail {
            from: self.mail.from.clone(),
            to,
            subject: format!(
                "【电子监察】{}：新增预警{total}个{}",
                unit.name,
                if red > 0 { "（含红牌警告）" } else { "" }
            ),
            body,
        }))
    }
}

impl crate::queue::JobKind for Reminders {
    const KIND: &'static str = "reminder";
    fn worker(&self) -> &str {
        &self.worker
    }
    fn lease(&self) -> chrono::Duration {
        chrono::Duration::seconds(120)
    }
    fn wake_signal(&self) -> &tokio::sync::Notify {
        &self.wake
    }
    async fn perform(&self, store: &Store, job: Job) -> Result<(), gongkai_store::StoreError> {
        self.send_one(store, &job).await
    }
}
