//! The letters of an application (政府信息公开申请答复书, 补正告知书, 延期答复告知书, 征求第三方意见书,
//! 收费通知书) as PDF: the body comes from a template the openness office edits (one per letter
//! kind, and one paragraph per outcome for the answer), filled from the application and its
//! steps; the frame (title, number, salutation, issuing body, date in Chinese, seal area) is
//! fixed. Staff download them from the desk; the applicant downloads the ones sent to them.

use crate::AppState;
use crate::auth::{ClientIp, StaffSession, permit};
use crate::error::AppError;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use gongkai_domain::access::Action;
use gongkai_domain::application::Outcome;
use gongkai_domain::application::handling::THIRD_PARTY_WORKDAYS;
use gongkai_extract::pdf::{Block, Font, Letter};
use gongkai_store::applications::{Application, ApplicationEvent};
use std::sync::{Arc, OnceLock};

/// The letter kinds: (code, title, sent to the applicant).
pub(crate) const KINDS: [(&str, &str, bool); 5] = [
    ("answer", "政府信息公开申请答复书", true),
    ("correction", "补正告知书", true),
    ("extension", "延期答复告知书", true),
    ("consultation", "征求第三方意见书", false),
    ("fee", "收费通知书", true),
];

/// The letters an application has so far: (code, title).
pub(crate) fn available(
    a: &Application,
    events: &[ApplicationEvent],
) -> Vec<(&'static str, &'static str)> {
    let has = |k: &str| events.iter().any(|e| e.kind == k);
    KINDS
        .iter()
        .filter(|(code, _, _)| match *code {
            "answer" => {
                !a.outcome.is_empty()
                    && matches!(a.state.as_str(), "drafted" | "approved" | "closed")
            }
            "correction" => has("correction_requested"),
            "extension" => has("extended"),
            "consultation" => events
                .iter()
                .any(|e| e.kind == "consultation_sent" && e.party == "third_party"),
            "fee" => has("fee_notice"),
            _ => false,
        })
        .map(|(c, t, _)| (*c, *t))
        .collect()
}

/// The shipped template of a key: `answer`, `correction`, `extension`, `consultation`, `fee`,
/// or `outcome.CODE` (the answer's decision paragraph for one outcome).
pub fn default_template(key: &str) -> String {
    match key {
        "answer" => "本机关于{{ received }}收到{{ you }}提出的政府信息公开申请（申请编号 {{ tracking_no }}），申请获取“{{ content }}”。\n\
            经审查，现答复如下：\n{{ decision }}\n{% if answer_text %}{{ answer_text }}\n{% endif %}\
            如对本答复不服，可以自收到本答复之日起60日内依法申请行政复议，或者在6个月内依法向人民法院提起行政诉讼。".into(),
        "correction" => "本机关于{{ received }}收到{{ you }}提出的政府信息公开申请（申请编号 {{ tracking_no }}）。\
            经审查，您的申请内容不够明确，根据《中华人民共和国政府信息公开条例》第三十条的规定，请您作出补正：{{ what }}。\n\
            请于{{ deadline }}前补正。答复期限自本机关收到补正后的申请之日起计算。无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。".into(),
        "extension" => "本机关于{{ received }}收到{{ you }}提出的政府信息公开申请（申请编号 {{ tracking_no }}）。\
            因{{ reason }}，不能在规定期限内答复。根据《中华人民共和国政府信息公开条例》第三十三条第二款的规定，\
            经本机关政府信息公开工作机构负责人同意，答复期限延长{{ days }}个工作日，最迟于{{ due }}前作出答复。".into(),
        "consultation" => "本机关于{{ received }}收到政府信息公开申请（申请编号 {{ tracking_no }}），申请公开的政府信息可能涉及贵方的合法权益：{{ question }}。\n\
            根据《中华人民共和国政府信息公开条例》第三十二条的规定，现书面征求贵方意见。请于收到本意见书之日起{{ third_party_days }}个工作日内提出意见；逾期未提出意见的，由本机关依照条例的规定决定是否公开。".into(),
        "fee" => "本机关于{{ received }}收到{{ you }}提出的政府信息公开申请（申请编号 {{ tracking_no }}）。\
            根据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），您本月提出的政府信息公开申请数量超过规定，\
            需缴纳信息处理费人民币{{ amount }}元。\n请于收到本通知之日起{{ fee_days }}个工作日内缴纳。自本通知发出之日至缴费之日的期间不计算在答复期限内；逾期未缴纳的，视为放弃申请，本机关不再处理该政府信息公开申请。".into(),
        k => match k.strip_prefix("outcome.").and_then(Outcome::from_code) {
            Some(Outcome::Disclosed) => "{{ you }}申请获取的政府信息属于公开范围，根据{{ basis }}的规定，现予以提供（见附件）。".into(),
            Some(Outcome::AlreadyPublished) => "{{ you }}申请获取的政府信息已经主动公开，根据{{ basis }}的规定，告知{{ you }}获取该政府信息的方式和途径：{{ pointer }}。".into(),
            Some(Outcome::PartlyDisclosed) => "{{ you }}申请获取的政府信息中含有不应当公开的内容（{{ reason }}）。根据{{ basis }}的规定，经作区分处理，现向{{ you }}提供可以公开的部分（见附件）。".into(),
            Some(Outcome::Withheld(_)) => "经审查，{{ you }}申请获取的政府信息属于不予公开的情形（{{ outcome }}：{{ reason }}）。根据{{ basis }}的规定，本机关决定不予公开。".into(),
            Some(Outcome::CannotProvide(1)) => "经检索查找，本机关未制作或获取{{ you }}申请的政府信息（{{ reason }}）。根据{{ basis }}的规定，告知{{ you }}：{{ pointer }}。".into(),
            Some(Outcome::CannotProvide(_)) => "经审查，{{ outcome }}（{{ reason }}）。根据{{ basis }}的规定，本机关无法提供。".into(),
            Some(Outcome::NotHandled(2)) => "{{ you }}的申请与此前提出的申请（{{ pointer }}）重复，本机关已作出答复（{{ reason }}）。根据{{ basis }}的规定，不予重复处理。".into(),
            Some(Outcome::NotHandled(_)) => "经审查，{{ you }}的申请属于“{{ outcome }}”（{{ reason }}）。根据{{ basis }}的规定，本机关不作为政府信息公开申请处理。".into(),
            Some(Outcome::Other(_)) | None => "{{ outcome }}：{{ reason }}。（依据：{{ basis }}）".into(),
        },
    }
}

/// Every template key, in the order the editing page lists them.
pub fn template_keys() -> Vec<String> {
    let mut keys: Vec<String> = KINDS.iter().map(|(k, _, _)| k.to_string()).collect();
    keys.extend(
        Outcome::all()
            .into_iter()
            .map(|o| format!("outcome.{}", o.code())),
    );
    keys
}

/// The Chinese form of a date, as letters write it (二〇二六年三月二十日).
pub fn chinese_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let year: String = d
        .year()
        .to_string()
        .chars()
        .filter_map(|c| c.to_digit(10).map(|n| DIGITS[n as usize]))
        .collect();
    let small = |n: u32| -> String {
        match n {
            0..=9 => DIGITS[n as usize].to_string(),
            10 => "十".into(),
            11..=19 => format!("十{}", DIGITS[(n - 10) as usize]),
            _ if n.is_multiple_of(10) => format!("{}十", DIGITS[(n / 10) as usize]),
            _ => format!(
                "{}十{}",
                DIGITS[(n / 10) as usize],
                DIGITS[(n % 10) as usize]
            ),
        }
    };
    format!("{year}年{}月{}日", small(d.month()), small(d.day()))
}

/// The issuing body's short form in document numbers: a leading 区 and the name's first
/// character (区教育局 → 区教, 青山镇人民政府 → 青).
fn issuer_short(name: &str) -> String {
    match name.strip_prefix('区') {
        Some(rest) => format!("区{}", rest.chars().next().unwrap_or('政')),
        None => name.chars().next().map_or(String::new(), String::from),
    }
}

/// A phrase without its closing punctuation, as the templates put their own after it.
fn trim_end(s: &str) -> String {
    s.trim()
        .trim_end_matches(['。', '；', ';', '.', '，', ',', '！', '!'])
        .to_string()
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The letter's text, laid out in blocks; the template renders the body.
pub(crate) async fn compose(
    state: &AppState,
    a: &Application,
    events: &[ApplicationEvent],
    kind: &str,
) -> Result<Letter, AppError> {
    let Some((_, title, _)) = KINDS.iter().find(|(k, _, _)| *k == kind) else {
        return Err(AppError::NotFound);
    };
    if !available(a, events).iter().any(|(k, _)| *k == kind) {
        return Err(AppError::Conflict(format!(
            "该申请当前没有{title}（尚未进行相应的办理步骤）"
        )));
    }
    let unit = state.store.get_unit(a.unit_id).await?;
    let templates = state.store.applications().letter_templates().await?;
    let template = |key: &str| {
        templates
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(|| default_template(key), |(_, b)| b.clone())
    };
    let last = |k: &str| events.iter().rev().find(|e| e.kind == k);
    let cn = |s: &str| parse_day(s).map_or(s.to_string(), chinese_date);
    let cal = state.store.calendar().await?;
    let add = |s: &str, n: u32| {
        parse_day(s)
            .and_then(|d| {
                cal.add_workdays(d, n, gongkai_domain::calendar::Coverage::Strict)
                    .ok()
            })
            .map_or(String::new(), chinese_date)
    };
    let outcome = Outcome::from_code(&a.outcome);
    let (date, mut vars) = (
        match kind {
            "answer" => a.closed_on.clone(),
            "correction" => last("correction_requested").map(|e| e.on_date.clone()),
            "extension" => last("extended").map(|e| e.on_date.clone()),
            "consultation" => last("consultation_sent").map(|e| e.on_date.clone()),
            "fee" => last("fee_notice").map(|e| e.on_date.clone()),
            _ => None,
        }
        .unwrap_or_else(|| super::handling::day(super::today())),
        minijinja::context! {
            applicant => &a.name, tracking_no => &a.tracking_no, received => cn(&a.received_on),
            content => &a.content, unit => &unit.name,
            outcome => outcome.map(|o| o.label()), basis => outcome.map(|o| o.basis()),
            reason => trim_end(&a.outcome_reason), pointer => trim_end(&a.outcome_pointer), answer_text => &a.answer_text,
            you => if gongkai_domain::application::ApplicantType::from_code(&a.applicant_type).is_some_and(|t| t.is_organisation()) { "贵单位" } else { "您" },
            third_party_days => THIRD_PARTY_WORKDAYS, fee_days => state.config.applications.fee_workdays,
        },
    );
    let extra = match kind {
        "correction" => last("correction_requested").map(|e| {
            minijinja::context! { what => trim_end(&e.note), deadline => add(&e.on_date, state.config.applications.correction_workdays) }
        }),
        "extension" => last("extended").map(|e| {
            minijinja::context! { reason => trim_end(&e.note), days => e.days, due => e.due_on.as_deref().map(cn) }
        }),
        "consultation" => last("consultation_sent").map(|e| {
            minijinja::context! { question => trim_end(&e.note), party => &e.name }
        }),
        "fee" => last("fee_notice").map(|e| minijinja::context! { amount => e.amount }),
        "answer" => {
            let decision = render_template(
                &template(&format!("outcome.{}", a.outcome)),
                &vars,
            )?;
            Some(minijinja::context! { decision })
        }
        _ => None,
    };
    if let Some(extra) = extra {
        vars = minijinja::context! { ..extra, ..vars };
    }
    let body = render_template(&template(kind), &vars)?;
    let addressee = if kind == "consultation" {
        last("consultation_sent").map_or(String::new(), |e| e.name.clone())
    } else {
        a.name.clone()
    };
    let year = a.received_on.get(..4).unwrap_or("");
    let short = match kind {
        "answer" => "复",
        "correction" => "补",
        "extension" => "延",
        "consultation" => "征",
        _ => "费",
    };
    let mut blocks = vec![
        Block::Title(format!("{}\n{title}", unit.name)),
        Block::Number(format!(
            "{}依申{short}〔{year}〕{}号",
            issuer_short(&unit.name),
            a.id
        )),
        Block::Plain(format!("{addressee}：")),
    ];
    blocks.extend(
        body.split('\n')
            .filter(|p| !p.trim().is_empty())
            .map(|p| Block::Para(p.trim().to_string())),
    );
    blocks.push(Block::Space(2.0));
    blocks.push(Block::Seal);
    blocks.push(Block::Right(unit.name.clone()));
    blocks.push(Block::Right(
        parse_day(&date).map_or(date.clone(), chinese_date),
    ));
    Ok(Letter {
        title: format!("{title}（{}）", a.tracking_no),
        blocks: blocks
            .into_iter()
            .flat_map(|b| match b {
                // a title of two lines: the unit, then the letter's name
                Block::Title(t) => t.split('\n').map(|l| Block::Title(l.to_string())).collect(),
                other => vec![other],
            })
            .collect(),
    })
}

fn render_template(src: &str, vars: &minijinja::Value) -> Result<String, AppError> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env.render_str(src, vars)
        .map_err(|e| AppError::BadRequest(format!("文书模板有误：{e}")))
}

/// Checks a template before it is saved: it must render with sample values.
pub(crate) fn check_template(src: &str) -> Result<(), String> {
    let vars = minijinja::context! {
        applicant => "张三", tracking_no => "YSQ2026-JYJ-000001", received => "二〇二六年三月二日",
        content => "某文件", unit => "某局", outcome => "予以公开", basis => "条例", reason => "理由",
        pointer => "网址", answer_text => "正文", decision => "答复", what => "补正内容", deadline => "日期",
        days => 10, due => "日期", question => "事项", party => "某公司", amount => 100, you => "您",
        third_party_days => 15, fee_days => 20,
    };
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env.render_str(src, vars)
        .map(|_| ())
        .map_err(|e| format!("模板有误：{e}"))
}

static FONT: OnceLock<Result<Arc<Font>, String>> = OnceLock::new();

/// The letter font (`[applications] letter_font`), read once.
pub(crate) fn font(state: &AppState) -> Result<Arc<Font>, AppError> {
    FONT.get_or_init(|| {
        let c = &state.config.applications;
        Font::load(&c.letter_font, c.letter_font_index)
            .map(Arc::new)
            .map_err(|e| e.to_string())
    })
    .clone()
    .map_err(|e| AppError::Internal(format!("文书字体不可用：{e}")))
}

/// Makes the PDF of a letter.
pub(crate) async fn pdf(
    state: &AppState,
    a: &Application,
    kind: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let events = state.store.applications().events(a.id).await?;
    let letter = compose(state, a, &events, kind).await?;
    let font = font(state)?;
    let title = letter.title.clone();
    let bytes = state
        .cpu
        .run(move || gongkai_extract::pdf::render(&font, &letter))
        .await?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((title, bytes))
}

fn pdf_response(title: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename*=UTF-8''{}",
                    crate::pages::url_encode(&format!("{title}.pdf"))
                ),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /admin/applications/{id}/letters/{kind}`: a letter of the application as PDF.
pub async fn download(
    State(state): State<AppState>,
    s: StaffSession,
    Path((id, kind)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let a = state.store.applications().get(id).await?;
    permit(s.staff(), Action::ViewUnitDesk, a.unit_id)?;
    let (title, bytes) = pdf(&state, &a, &kind).await?;
    Ok(pdf_response(&title, bytes))
}

/// `?no=&code=` of the applicant's download.
#[derive(serde::Deserialize, Default)]
pub struct PublicQuery {
    #[serde(default)]
    no: String,
    #[serde(default)]
    code: String,
}

/// `GET /apply/track/letters/{kind}?no=&code=`: a letter sent to the applicant, for whoever
/// holds the application's number and query code (throttled like the lookup). The answer is
/// available once it was delivered.
pub async fn public_download(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(kind): Path<String>,
    Query(q): Query<PublicQuery>,
) -> Result<Response, AppError> {
    let a = match super::lookup(&state, &ip, &q.no, &q.code).await? {
        crate::auth::Lookup::Found(a) => a,
        crate::auth::Lookup::Throttled(wait) => {
            return Err(AppError::TooManyRequests(format!(
                "查询失败次数过多，请{wait}秒后再试"
            )));
        }
        crate::auth::Lookup::NotFound => {
            return Err(AppError::NotFoundMessage("申请编号或查询码不正确".into()));
        }
    };
    let sent = KINDS
        .iter()
        .any(|(k, _, to_applicant)| *k == kind && *to_applicant);
    if !sent || (kind == "answer" && a.state != "closed") {
        return Err(AppError::NotFoundMessage("该文书尚未送达".into()));
    }
    let (title, bytes) = pdf(&state, &a, &kind).await?;
    Ok(pdf_response(&title, bytes))
}

/// `GET /admin/letter-templates`: every letter template, as stored or as shipped, to edit.
pub async fn templates_page(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    s: StaffSession,
    Query(q): Query<TemplatesQuery>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::EditLetterTemplates, s.staff().unit_id)?;
    let stored = state.store.applications().letter_templates().await?;
    let rows: Vec<_> = template_keys()
        .into_iter()
        .map(|key| {
            let title = match key.strip_prefix("outcome.").and_then(Outcome::from_code) {
                Some(o) => format!("答复书·{}·{}", o.group(), o.label()),
                None => KINDS
                    .iter()
                    .find(|(k, _, _)| *k == key)
                    .map_or(key.clone(), |(_, t, _)| format!("{t}（正文）")),
            };
            let own = stored.iter().find(|(k, _)| *k == key).map(|(_, b)| b.clone());
            minijinja::context! {
                edited => own.is_some(), body => own.unwrap_or_else(|| default_template(&key)), key, title,
            }
        })
        .collect();
    Ok(crate::pages::render(
        &state,
        &headers,
        "admin/letter_templates.html",
        "答复文书模板",
        minijinja::context! { rows, saved => q.saved },
        Some(&s.session),
    ))
}

/// `?saved=` (the key just saved).
#[derive(serde::Deserialize, Default)]
pub struct TemplatesQuery {
    saved: Option<String>,
}

/// The template form.
#[derive(serde::Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    body: String,
}

/// `POST /admin/letter-templates`: saves one template after checking that it renders.
pub async fn save_template(
    State(state): State<AppState>,
    s: StaffSession,
    crate::forms::CsrfForm(f): crate::forms::CsrfForm<TemplateForm>,
) -> Result<Response, AppError> {
    permit(s.staff(), Action::EditLetterTemplates, s.staff().unit_id)?;
    if !template_keys().contains(&f.key) {
        return Err(AppError::BadRequest("未知的文书模板".into()));
    }
    let body = f.body.trim();
    if body.is_empty() || body.chars().count() > 5000 {
        return Err(AppError::BadRequest(
            "模板内容不能为空，且不超过5000字".into(),
        ));
    }
    check_template(body).map_err(AppError::BadRequest)?;
    state
        .store
        .applications()
        .save_letter_template(&s.actor(), &f.key, body)
        .await?;
    Ok(axum::response::Redirect::to(&format!(
        "/admin/letter-templates?saved={}#t-{}",
        crate::pages::url_encode(&f.key),
        f.key.replace('.', "-")
    ))
    .into_response())
}
