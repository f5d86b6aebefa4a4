//! The one input of a power item, for the back-office form, the XLSX import and the API alike:
//! named text fields (repeated `step_*` and `tr_*` fields are the rows of the flow's step and
//! transition tables, in order) to a [`PowerContent`], and a content back to the fields, so a
//! form with errors is shown again exactly as it was typed and an export imports back unchanged.

use super::discretion;
use super::flow::{Flow, Limit, Step, StepKind, Transition, TransitionKind};
use super::{Fee, FieldError, Guide, LegalBasis, Material, PowerContent, parse_count, pipe_lines};
use serde::Serialize;
use std::collections::HashMap;

/// Blank rows offered below the filled ones in each table.
const BLANK_ROWS: usize = 3;

/// One row of the steps table.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StepRow {
    /// Step key.
    pub key: String,
    /// Step name.
    pub name: String,
    /// Who acts.
    pub actor: String,
    /// Working days, "即时", or empty (end steps).
    pub limit: String,
    /// `task` or `end`.
    pub kind: String,
}

/// One row of the transitions table.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TransitionRow {
    /// From step key.
    pub from: String,
    /// To step key.
    pub to: String,
    /// Transition kind code.
    pub kind: String,
    /// Free label.
    pub label: String,
}

/// The form as typed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PowerForm {
    /// Single fields by name.
    pub f: HashMap<String, String>,
    /// Steps table.
    pub steps: Vec<StepRow>,
    /// Transitions table.
    pub transitions: Vec<TransitionRow>,
}

impl PowerForm {
    /// The posted fields.
    pub fn from_pairs(pairs: &[(String, String)]) -> PowerForm {
        let mut form = PowerForm::default();
        let list = |name: &str| -> Vec<String> {
            pairs
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_string())
                .collect()
        };
        for (k, v) in pairs {
            if !k.starts_with("step_") && !k.starts_with("tr_") {
                form.f.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        let (keys, names, actors, limits, kinds) = (
            list("step_key"),
            list("step_name"),
            list("step_actor"),
            list("step_limit"),
            list("step_kind"),
        );
        for (i, key) in keys.iter().enumerate() {
            let row = StepRow {
                key: key.clone(),
                name: names.get(i).cloned().unwrap_or_default(),
                actor: actors.get(i).cloned().unwrap_or_default(),
                limit: limits.get(i).cloned().unwrap_or_default(),
                kind: kinds.get(i).cloned().unwrap_or_default(),
            };
            if !(row.key.is_empty() && row.name.is_empty()) {
                form.steps.push(row);
            }
        }
        let (froms, tos, tkinds, labels) = (
            list("tr_from"),
            list("tr_to"),
            list("tr_kind"),
            list("tr_label"),
        );
        for (i, from) in froms.iter().enumerate() {
            let row = TransitionRow {
                from: from.clone(),
                to: tos.get(i).cloned().unwrap_or_default(),
                kind: tkinds.get(i).cloned().unwrap_or_default(),
                label: labels.get(i).cloned().unwrap_or_default(),
            };
            if !(row.from.is_empty() && row.to.is_empty()) {
                form.transitions.push(row);
            }
        }
        form
    }

    /// The form showing `c`.
    pub fn from_content(c: &PowerContent) -> PowerForm {
        let mut f = HashMap::new();
        let mut put = |k: &str, v: String| {
            f.insert(k.to_string(), v);
        };
        put("name", c.name.clone());
        put("category", c.category.clone());
        put("implementing_body", c.implementing_body.clone());
        put("statutory_days", c.statutory_days.to_string());
        put("promised_days", c.promised_days.to_string());
        put(
            "at_service_center",
            if c.at_service_center { "1" } else { "0" }.into(),
        );
        put(
            "bases",
            c.bases
                .iter()
                .map(|b| format!("{}|{}|{}", b.law, b.article, b.text))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        put("responsibilities", c.responsibilities.join("\n"));
        put("accountability", c.accountability.join("\n"));
        put(
            "fees",
            c.fees
                .iter()
                .map(|x| format!("{}|{}|{}", x.name, x.basis, x.standard))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        put("discretion", discretion::to_lines(&c.discretion));
        if let Some(g) = &c.guide {
            put("guide_conditions", g.conditions.clone());
            put(
                "guide_materials",
                g.materials
                    .iter()
                    .map(|m| format!("{}|{}|{}|{}", m.name, m.originals, m.copies, m.note))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            put("guide_procedure", g.procedure.clone());
            put("guide_window", g.window.clone());
            put("guide_hours", g.hours.clone());
            put("guide_consult_phone", g.consult_phone.clone());
            put("guide_supervise_phone", g.supervise_phone.clone());
            put("guide_online", if g.online { "1" } else { "0" }.into());
            put("guide_visits", g.visits.to_string());
        }
        let steps = c
            .flow
            .steps
            .iter()
            .map(|s| StepRow {
                key: s.key.clone(),
                name: s.name.clone(),
                actor: s.actor.clone(),
                limit: match s.limit {
                    Limit::None => String::new(),
                    Limit::Immediate => "即时".into(),
                    Limit::Days(n) => n.to_string(),
                },
                kind: match s.kind {
                    StepKind::Task => "task".into(),
                    StepKind::End => "end".into(),
                },
            })
            .collect();
        let transitions = c
            .flow
            .transitions
            .iter()
            .map(|t| TransitionRow {
                from: t.from.clone(),
                to: t.to.clone(),
                kind: t.kind.code().into(),
                label: t.label.clone(),
            })
            .collect();
        PowerForm {
            f,
            steps,
            transitions,
        }
    }

    /// The form with blank rows added to both tables, for display.
    pub fn with_blank_rows(mut self) -> PowerForm {
        for _ in 0..BLANK_ROWS {
            self.steps.push(StepRow::default());
            self.transitions.push(TransitionRow::default());
        }
        self
    }

    fn get(&self, k: &str) -> &str {
        self.f.get(k).map(|s| s.trim()).unwrap_or("")
    }

    /// The content the form describes, or every problem with it (parsing and validation).
    pub fn to_content(&self) -> Result<PowerContent, Vec<FieldError>> {
        let mut errors = Vec::new();
        let e = |field: &'static str, message: String| FieldError { field, message };
        let days = |field: &'static str, label: &str, errors: &mut Vec<FieldError>| -> u32 {
            match self.get(field).parse::<u32>() {
                Ok(n) => n,
                Err(_) => {
                    errors.push(e(field, format!("{label}应为工作日天数（整数）")));
                    0
                }
            }
        };
        let statutory_days = days("statutory_days", "法定时限", &mut errors);
        let promised_days = days("promised_days", "承诺时限", &mut errors);
        let bases = pipe_lines(self.get("bases"), 3)
            .into_iter()
            .map(|(_, f)| LegalBasis {
                law: f[0].clone(),
                article: f[1].clone(),
                text: f[2].clone(),
            })
            .collect();
        let fees = pipe_lines(self.get("fees"), 3)
            .into_iter()
            .map(|(_, f)| Fee {
                name: f[0].clone(),
                basis: f[1].clone(),
                standard: f[2].clone(),
            })
            .collect();
        let lines = |k: &str| -> Vec<String> {
            self.get(k)
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        };
        let discretion = match discretion::parse_lines(self.get("discretion")) {
            Ok(v) => v,
            Err(list) => {
                errors.extend(list.into_iter().map(|m| e("discretion", m)));
                Vec::new()
            }
        };
        let guide_given = [
            "guide_conditions",
            "guide_materials",
            "guide_window",
            "guide_hours",
        ]
        .iter()
        .any(|k| !self.get(k).is_empty());
        let guide = if guide_given {
            let mut materials = Vec::new();
            for (line, f) in pipe_lines(self.get("guide_materials"), 4) {
                match (parse_count(&f[1]), parse_count(&f[2])) {
                    (Some(originals), Some(copies)) => materials.push(Material {
                        name: f[0].clone(),
                        originals,
                        copies,
                        note: f[3].clone(),
                    }),
                    _ => errors.push(e(
                        "guide_materials",
                        format!("申请材料第{line}行：原件、复印件份数应为整数"),
                    )),
                }
            }
            Some(Guide {
                conditions: self.get("guide_conditions").into(),
                materials,
                procedure: self.get("guide_procedure").into(),
                window: self.get("guide_window").into(),
                hours: self.get("guide_hours").into(),
                consult_phone: self.get("guide_consult_phone").into(),
                supervise_phone: self.get("guide_supervise_phone").into(),
                online: self.get("guide_online") == "1",
                visits: parse_count(self.get("guide_visits")).unwrap_or(0),
            })
        } else {
            None
        };
        let mut flow = Flow::default();
        for (i, r) in self.steps.iter().enumerate() {
            let kind = if r.kind == "end" {
                StepKind::End
            } else {
                StepKind::Task
            };
            let limit = match r.limit.as_str() {
                "" => Limit::None,
                "即时" | "即办" | "0" => Limit::Immediate,
                n => match parse_count(n) {
                    Some(d) => Limit::Days(d),
                    None => {
                        errors.push(e(
                            "flow",
                            format!(
                                "步骤表第{}行：时限应为工作日天数或“即时”（现为“{n}”）",
                                i + 1
                            ),
                        ));
                        Limit::None
                    }
                },
            };
            flow.steps.push(Step {
                key: r.key.clone(),
                name: r.name.clone(),
                actor: r.actor.clone(),
                limit,
                kind,
            });
        }
        for (i, r) in self.transitions.iter().enumerate() {
            let Some(kind) = TransitionKind::from_code(&r.kind) else {
                errors.push(e("flow", format!("流转表第{}行：请选择流转类型", i + 1)));
                continue;
            };
            flow.transitions.push(Transition {
                from: r.from.clone(),
                to: r.to.clone(),
                kind,
                label: r.label.clone(),
            });
        }
        let content = PowerContent {
            name: self.get("name").into(),
            category: self.get("category").into(),
            bases,
            implementing_body: self.get("implementing_body").into(),
            responsibilities: lines("responsibilities"),
            accountability: lines("accountability"),
            statutory_days,
            promised_days,
            fees,
            at_service_center: self.get("at_service_center") == "1",
            guide,
            flow,
            discretion,
        };
        // Every problem at once: the rules' findings for fields that parsed.
        let parsed_badly: Vec<&'static str> = errors.iter().map(|e| e.field).collect();
        errors.extend(
            content
                .validate()
                .into_iter()
                .filter(|e| !parsed_badly.contains(&e.field)),
        );
        if errors.is_empty() {
            Ok(content)
        } else {
            Err(errors)
        }
    }
}
