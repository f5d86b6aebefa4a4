//! The power list as a spreadsheet, so a unit can load the list it already keeps and export it
//! again: one row per item under a header row, multi-valued cells one entry per line with the
//! same `|`-separated fields as the back-office form, the flow as two cells (steps, transitions).
//! Columns are found by their header, so their order may vary. Every bad row is reported with the
//! row number staff see in Excel; parsing goes through [`PowerForm`], the one input of an item.

use super::input::{PowerForm, StepRow, TransitionRow};
use super::{Category, PowerContent, pipe_lines};
use crate::standard::RowError;

/// The columns, in export order, with the form field each fills (`code`, `steps` and
/// `transitions` are special).
pub const COLUMNS: [(&str, &str); 23] = [
    ("事项编码", "code"),
    ("事项名称", "name"),
    ("事项类型", "category"),
    ("实施主体", "implementing_body"),
    ("法定时限（工作日）", "statutory_days"),
    ("承诺时限（工作日）", "promised_days"),
    ("进驻政务服务中心", "at_service_center"),
    ("实施依据（法律法规|条款|条文）", "bases"),
    ("责任事项", "responsibilities"),
    ("追责情形", "accountability"),
    ("收费（项目|依据|标准）", "fees"),
    ("受理条件", "guide_conditions"),
    ("申请材料（名称|原件|复印件|说明）", "guide_materials"),
    ("办理程序", "guide_procedure"),
    ("办理地点", "guide_window"),
    ("办理时间", "guide_hours"),
    ("咨询电话", "guide_consult_phone"),
    ("监督电话", "guide_supervise_phone"),
    ("网上办理", "guide_online"),
    ("最多跑几次", "guide_visits"),
    (
        "裁量基准（违法行为|情节|最低罚款|最高罚款|其他措施）",
        "discretion",
    ),
    ("流程步骤（标识|名称|办理人|时限|办理环节或结束）", "steps"),
    ("流程流转（从|到|类型|说明）", "transitions"),
];

/// Column widths for the export, in characters.
pub const WIDTHS: [f64; 23] = [
    22.0, 24.0, 10.0, 16.0, 8.0, 8.0, 8.0, 40.0, 24.0, 24.0, 20.0, 24.0, 30.0, 20.0, 18.0, 18.0,
    14.0, 14.0, 8.0, 8.0, 36.0, 36.0, 28.0,
];

/// One parsed row.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    /// 1-based row number as the spreadsheet shows it.
    pub row: usize,
    /// The item's code (empty: a new item).
    pub code: Option<String>,
    /// Its content.
    pub content: PowerContent,
}

fn yes(v: &str) -> &'static str {
    match v.trim() {
        "是" | "可以" | "1" | "√" | "Y" | "y" | "yes" | "true" => "1",
        _ => "0",
    }
}

/// The cells of one item (`code` and its content) in [`COLUMNS`] order.
pub fn to_row(code: &str, content: &PowerContent) -> Vec<String> {
    let form = PowerForm::from_content(content);
    COLUMNS
        .iter()
        .map(|(_, field)| match *field {
            "code" => code.to_string(),
            "category" => content
                .category()
                .map_or(content.category.clone(), |c| c.label().to_string()),
            "at_service_center" | "guide_online" => {
                if form.f.get(*field).map(String::as_str) == Some("1") {
                    "是".into()
                } else {
                    "否".into()
                }
            }
            "steps" => form
                .steps
                .iter()
                .map(|s| {
                    let kind = if s.kind == "end" {
                        "结束"
                    } else {
                        "办理环节"
                    };
                    format!("{}|{}|{}|{}|{kind}", s.key, s.name, s.actor, s.limit)
                })
                .collect::<Vec<_>>()
                .join("\n"),
            "transitions" => form
                .transitions
                .iter()
                .map(|t| {
                    let kind = super::flow::TransitionKind::from_code(&t.kind)
                        .map_or(t.kind.clone(), |k| k.label().to_string());
                    format!("{}|{}|{kind}|{}", t.from, t.to, t.label)
                })
                .collect::<Vec<_>>()
                .join("\n"),
            other => form.f.get(other).cloned().unwrap_or_default(),
        })
        .collect()
}

/// Parses a grid (rows of cell text at the positions Excel shows): a header row naming at least
/// 事项名称, then one item per non-empty row. All rows or every error.
pub fn parse_grid(grid: &[Vec<String>]) -> Result<Vec<SheetRow>, Vec<RowError>> {
    let header_at = grid
        .iter()
        .position(|r| r.iter().any(|c| c.trim() == "事项名称"));
    let Some(header_at) = header_at else {
        return Err(vec![RowError {
            row: 0,
            message: "找不到表头（应有“事项名称”等列，可先导出一份作为模板）".into(),
        }]);
    };
    let header = &grid[header_at];
    let mut at: Vec<(usize, &str)> = Vec::new();
    for (i, cell) in header.iter().enumerate() {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        // A header matches a column by its name before any bracketed hint.
        let stem = cell.split(['（', '(']).next().unwrap_or(cell);
        if let Some((_, field)) = COLUMNS
            .iter()
            .find(|(name, _)| name.split(['（', '(']).next() == Some(stem))
        {
            at.push((i, field));
        }
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (r, cells) in grid.iter().enumerate().skip(header_at + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row = r + 1;
        let mut form = PowerForm::default();
        let mut code = None;
        for (i, field) in &at {
            let v = cells.get(*i).map(|c| c.trim()).unwrap_or("");
            match *field {
                "code" => code = (!v.is_empty()).then(|| v.to_string()),
                "category" => {
                    let c = Category::parse(v).map_or(v.to_string(), |c| c.code().to_string());
                    form.f.insert("category".into(), c);
                }
                "at_service_center" | "guide_online" => {
                    form.f.insert((*field).into(), yes(v).into());
                }
                "steps" => {
                    form.steps = pipe_lines(v, 5)
                        .into_iter()
                        .map(|(_, f)| StepRow {
                            key: f[0].clone(),
                            name: f[1].clone(),
                            actor: f[2].clone(),
                            limit: f[3].clone(),
                            kind: if f[4] == "结束" || f[4] == "end" {
                                "end".into()
                            } else {
                                "task".into()
                            },
                        })
                        .collect();
                }
                "transitions" => {
                    form.transitions = pipe_lines(v, 4)
                        .into_iter()
                        .map(|(_, f)| TransitionRow {
                            from: f[0].clone(),
                            to: f[1].clone(),
                            kind: super::flow::TransitionKind::ALL
                                .into_iter()
                                .find(|k| k.label() == f[2] || k.code() == f[2])
                                .map_or(f[2].clone(), |k| k.code().to_string()),
                            label: f[3].clone(),
                        })
                        .collect();
                }
                other => {
                    form.f.insert(other.into(), v.to_string());
                }
            }
        }
        match form.to_content() {
            Ok(content) => rows.push(SheetRow { row, code, content }),
            Err(list) => {
                let name = form.f.get("name").cloned().unwrap_or_default();
                for e in list {
                    errors.push(RowError {
                        row,
                        message: format!(
                            "{}：{}",
                            if name.is_empty() {
                                "（未填事项名称）"
                            } else {
                                &name
                            },
                            e.message
                        ),
                    });
                }
            }
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError {
            row: header_at + 1,
            message: "表头下没有任何事项".into(),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_parses_back_unchanged() {
        let header: Vec<String> = COLUMNS.iter().map(|(h, _)| h.to_string()).collect();
        let row = vec![
            "",
            "食品经营许可",
            "行政许可",
            "区市场监督管理局",
            "20",
            "10",
            "是",
            "《中华人民共和国食品安全法》|第三十五条|国家对食品生产经营实行许可制度。",
            "受理责任\n审查责任",
            "违反法定程序实施行政许可的",
            "",
            "具备经营场所",
            "申请书|1|0|\n营业执照|0|1|",
            "",
            "政务服务中心",
            "工作日",
            "0571-1",
            "0571-12345",
            "是",
            "1",
            "",
            "apply|申请|申请人|即时|办理环节\naccept|受理|窗口|2|办理环节\nreview|审查|科室|5|办理环节\nok|准予许可|||结束\nno|不予受理|||结束",
            "apply|accept|下一步|\naccept|review|受理|\naccept|no|不予通过|\nreview|apply|补正|\nreview|ok|准予|",
        ];
        let grid = vec![
            vec!["某单位权责清单".to_string()],
            header,
            row.iter().map(|s| s.to_string()).collect(),
        ];
        let parsed = parse_grid(&grid).unwrap();
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].row, 3);
        let again = to_row("33019900SJJ-XK-0001", &parsed[0].content);
        let mut grid2 = grid.clone();
        grid2[2] = again;
        let reparsed = parse_grid(&grid2).unwrap();
        assert_eq!(reparsed[0].content, parsed[0].content);
        assert_eq!(reparsed[0].code.as_deref(), Some("33019900SJJ-XK-0001"));
    }

    #[test]
    fn bad_rows_are_reported_by_row_number() {
        let header: Vec<String> = COLUMNS.iter().map(|(h, _)| h.to_string()).collect();
        let mut row: Vec<String> = vec![String::new(); COLUMNS.len()];
        row[1] = "无依据的事项".into();
        row[2] = "行政检查".into();
        let grid = vec![header, vec![], row];
        let errors = parse_grid(&grid).unwrap_err();
        assert!(errors.iter().all(|e| e.row == 3), "{errors:?}");
        assert!(
            errors.iter().any(|e| e.message.contains("实施依据")),
            "{errors:?}"
        );
        assert!(
            parse_grid(&[vec!["x".into()]]).unwrap_err()[0]
                .message
                .contains("表头")
        );
    }
}
