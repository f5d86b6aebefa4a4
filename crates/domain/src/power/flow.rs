//! The flow graph of a power item (办理流程): steps, transitions, validation and layout.
//!
//! One graph serves two purposes. It is drawn as the public flowchart (流程图), and it drives
//! cases: a case may only move along the graph's transitions. [`Flow::validate`] checks the
//! graph and explains every problem in Chinese; [`layout`] turns any graph, valid or not, into
//! coordinates that a template draws as SVG (top to bottom, narrow enough for a phone).

use std::collections::{HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};

/// How long a step may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "days", rename_all = "snake_case")]
pub enum Limit {
    /// Not set. Only valid on end steps.
    None,
    /// 即时办结: done on the spot (0 days).
    Immediate,
    /// At most this many working days (工作日).
    Days(u32),
}

impl Limit {
    /// Working days this limit adds to a path (`Immediate` and `None` add nothing).
    fn days(self) -> u32 {
        match self {
            Limit::Days(n) => n,
            Limit::None | Limit::Immediate => 0,
        }
    }

    /// The text shown in a flowchart box, if any.
    fn text(self) -> Option<String> {
        match self {
            Limit::None => None,
            Limit::Immediate => Some("即时办结".to_owned()),
            Limit::Days(n) => Some(format!("{n}个工作日")),
        }
    }
}

/// A step's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// A step in which someone acts (申请, 受理, 审查, 决定…).
    Task,
    /// An outcome that ends the case (办结, 不予受理, 准予许可…).
    End,
}

/// One step of a flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Short identifier, unique within the flow (e.g. `accept`).
    pub key: String,
    /// Chinese name (e.g. 受理).
    pub name: String,
    /// Who acts (e.g. 窗口工作人员); empty on end steps.
    pub actor: String,
    /// How long the step may take.
    pub limit: Limit,
    /// Task or end.
    pub kind: StepKind,
}

/// What a transition means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransitionKind {
    /// 下一步: the ordinary next step.
    Next,
    /// 受理: the application is accepted.
    Accept,
    /// 不予通过: not accepted / not granted.
    Refuse,
    /// 补正: back to the applicant to correct or complete the materials.
    Correct,
    /// 准予: granted.
    Approve,
}

impl TransitionKind {
    /// Every kind, in display order.
    pub const ALL: [TransitionKind; 5] = [
        TransitionKind::Next,
        TransitionKind::Accept,
        TransitionKind::Refuse,
        TransitionKind::Correct,
        TransitionKind::Approve,
    ];

    /// The code used in the database, the CLI and the API.
    pub fn code(self) -> &'static str {
        match self {
            TransitionKind::Next => "next",
            TransitionKind::Accept => "accept",
            TransitionKind::Refuse => "refuse",
            TransitionKind::Correct => "correct",
            TransitionKind::Approve => "approve",
        }
    }

    /// The Chinese label shown on the flowchart when a transition has no label of its own.
    pub fn label(self) -> &'static str {
        match self {
            TransitionKind::Next => "下一步",
            TransitionKind::Accept => "受理",
            TransitionKind::Refuse => "不予通过",
            TransitionKind::Correct => "补正",
            TransitionKind::Approve => "准予",
        }
    }

    /// The kind with this [`code`](Self::code).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

/// A directed edge between two steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// Key of the step the edge leaves.
    pub from: String,
    /// Key of the step the edge enters.
    pub to: String,
    /// What the edge means.
    pub kind: TransitionKind,
    /// Optional free text; when empty the flowchart shows [`TransitionKind::label`].
    pub label: String,
}

impl Transition {
    /// The text shown on the flowchart.
    fn display_label(&self) -> &str {
        if self.label.trim().is_empty() {
            self.kind.label()
        } else {
            self.label.trim()
        }
    }
}

/// A flow: steps in order (the first step is the start) and transitions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    /// The steps; the first one is the start.
    pub steps: Vec<Step>,
    /// The edges between steps.
    pub transitions: Vec<Transition>,
}

/// A validation problem, saying what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowError {
    /// Key of the step concerned, if any.
    pub step: Option<String>,
    /// A whole Chinese sentence naming the step by its name and key.
    pub message: String,
}

const MAX_KEY_CHARS: usize = 32;
const MAX_NAME_CHARS: usize = 40;
const MAX_DAYS: u32 = 365;

/// `"审查"（review）`: how messages name a step.
fn named(step: &Step) -> String {
    let name = step.name.trim();
    match (name.is_empty(), step.key.is_empty()) {
        (false, false) => format!("\"{name}\"（{}）", step.key),
        (false, true) => format!("\"{name}\""),
        (true, _) => format!("（{}）", step.key),
    }
}

fn error(step: Option<&str>, message: String) -> FlowError {
    FlowError {
        step: step.filter(|key| !key.is_empty()).map(str::to_owned),
        message,
    }
}

/// An edge between two existing steps (`t` indexes [`Flow::transitions`]).
struct Edge {
    u: usize,
    v: usize,
    t: usize,
}

/// The flow as an index graph. A key used twice refers to its first step.
struct Graph {
    edges: Vec<Edge>,
    /// Edge ids leaving each step, in stored order.
    out: Vec<Vec<usize>>,
    /// Edges closing a cycle, found by DFS from the start (then from every unvisited step, in
    /// stored order) following transitions in stored order.
    back: Vec<bool>,
    /// Steps reachable from the start.
    reachable: Vec<bool>,
    /// The DFS finish order; for every edge that is not a back edge, its target comes first.
    post: Vec<usize>,
}

impl Graph {
    fn new(flow: &Flow) -> Self {
        let n = flow.steps.len();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, step) in flow.steps.iter().enumerate() {
            index.entry(step.key.as_str()).or_insert(i);
        }
        let mut edges = Vec::new();
        let mut out = vec![Vec::new(); n];
        for (t, transition) in flow.transitions.iter().enumerate() {
            if let (Some(&u), Some(&v)) = (
                index.get(transition.from.as_str()),
                index.get(transition.to.as_str()),
            ) {
                out[u].push(edges.len());
                edges.push(Edge { u, v, t });
            }
        }

        // 0 = unvisited, 1 = on the DFS stack, 2 = finished.
        let mut state = vec![0_u8; n];
        let mut back = vec![false; edges.len()];
        let mut reachable = vec![false; n];
        let mut post = Vec::with_capacity(n);
        for root in 0..n {
            if state[root] != 0 {
                continue;
            }
            state[root] = 1;
            let mut stack = vec![(root, 0_usize)];
            while let Some(&(node, next)) = stack.last() {
                if let Some(&e) = out[node].get(next) {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    let v = edges[e].v;
                    match state[v] {
                        0 => {
                            state[v] = 1;
                            stack.push((v, 0));
                        }
                        1 => back[e] = true,
                        _ => {}
                    }
                } else {
                    state[node] = 2;
                    post.push(node);
                    stack.pop();
                }
            }
            if root == 0 {
                for (r, &s) in reachable.iter_mut().zip(&state) {
                    *r = s != 0;
                }
            }
        }
        Graph {
            edges,
            out,
            back,
            reachable,
            post,
        }
    }

    /// Steps from which one of `targets` can be reached (following every edge).
    fn reaching(&self, targets: impl Iterator<Item = usize>) -> Vec<bool> {
        let n = self.out.len();
        let mut incoming = vec![Vec::new(); n];
        for edge in &self.edges {
            incoming[edge.v].push(edge.u);
        }
        let mut seen = vec![false; n];
        let mut queue = VecDeque::new();
        for t in targets {
            if !seen[t] {
                seen[t] = true;
                queue.push_back(t);
            }
        }
        while let Some(v) = queue.pop_front() {
            for &u in &incoming[v] {
                if !seen[u] {
                    seen[u] = true;
                    queue.push_back(u);
                }
            }
        }
        seen
    }
}

impl Flow {
    /// Every problem (empty = valid). Rules:
    /// - at least two steps, at least one end step; the first step is the start and must be a
    ///   task;
    /// - keys non-empty, unique, at most 32 characters; names non-empty (at most 40
    ///   characters); actor non-empty for task steps;
    /// - every transition's `from`/`to` names an existing step; no duplicate
    ///   (`from`, `to`, `kind`); no self-loop;
    /// - end steps have no outgoing transitions; every task step has one at least;
    /// - every step is reachable from the start;
    /// - from every task step some end step is reachable (no cycle without an exit);
    /// - every task step has [`Limit::Immediate`] or [`Limit::Days`] between 1 and 365; end
    ///   steps have [`Limit::None`].
    ///
    /// Messages are whole Chinese sentences naming the step by its name and key, e.g.
    /// `步骤"审查"（review）从开始步骤无法到达`.
    pub fn validate(&self) -> Vec<FlowError> {
        let Some(first) = self.steps.first() else {
            return vec![error(
                None,
                "流程至少需要两个步骤（开始步骤和结束步骤）".to_owned(),
            )];
        };
        let mut errors = Vec::new();
        if self.steps.len() < 2 {
            errors.push(error(
                None,
                "流程至少需要两个步骤（开始步骤和结束步骤）".to_owned(),
            ));
        }
        if !self.steps.iter().any(|s| s.kind == StepKind::End) {
            errors.push(error(
                None,
                "流程没有结束步骤，至少需要一个结束步骤（如办结、不予受理）".to_owned(),
            ));
        }
        if first.kind == StepKind::End {
            errors.push(error(
                Some(&first.key),
                format!(
                    "开始步骤{}不能是结束步骤，流程须从办理步骤开始",
                    named(first)
                ),
            ));
        }

        // The steps themselves.
        let mut seen_keys: HashMap<&str, usize> = HashMap::new();
        for (i, step) in self.steps.iter().enumerate() {
            let who = named(step);
            let key = Some(step.key.as_str());
            if step.key.is_empty() {
                errors.push(error(None, format!("第{}个步骤{who}缺少标识", i + 1)));
            } else {
                if step.key.chars().count() > MAX_KEY_CHARS {
                    errors.push(error(
                        key,
                        format!("步骤{who}的标识超过{MAX_KEY_CHARS}个字符"),
                    ));
                }
                if let Some(&j) = seen_keys.get(step.key.as_str()) {
                    errors.push(error(
                        key,
                        format!("步骤{who}的标识与步骤{}重复", named(&self.steps[j])),
                    ));
                } else {
                    seen_keys.insert(&step.key, i);
                }
            }
            if step.name.trim().is_empty() {
                errors.push(error(key, format!("第{}个步骤{who}缺少名称", i + 1)));
            } else if step.name.trim().chars().count() > MAX_NAME_CHARS {
                errors.push(error(
                    key,
                    format!("步骤{who}的名称超过{MAX_NAME_CHARS}个字"),
                ));
            }
            match step.kind {
                StepKind::Task => {
                    if step.actor.trim().is_empty() {
                        errors.push(error(key, format!("步骤{who}未写明办理人员")));
                    }
                    match step.limit {
                        Limit::None => {
                            errors.push(error(key, format!("步骤{who}未设时限，且未标注即时办结")))
                        }
                        Limit::Days(0) => errors.push(error(
                            key,
                            format!("步骤{who}的时限为0个工作日，当场办结的请标注即时办结"),
                        )),
                        Limit::Days(n) if n > MAX_DAYS => errors.push(error(
                            key,
                            format!("步骤{who}的时限为{n}个工作日，超过{MAX_DAYS}个工作日"),
                        )),
                        Limit::Days(_) | Limit::Immediate => {}
                    }
                }
                StepKind::End => {
                    if step.limit != Limit::None {
                        errors.push(error(key, format!("结束步骤{who}不应设时限")));
                    }
                }
            }
        }

        // The transitions.
        let index = |key: &str| self.steps.iter().position(|s| s.key == key);
        let mut seen_transitions: HashSet<(&str, &str, TransitionKind)> = HashSet::new();
        for t in &self.transitions {
            let Some(u) = index(&t.from) else {
                let message = if t.from.is_empty() {
                    format!("有一条指向\"{}\"的流转缺少起点", t.to)
                } else {
                    format!("流转的起点\"{}\"不是流程中的步骤", t.from)
                };
                errors.push(error(None, message));
                continue;
            };
            let from = &self.steps[u];
            let Some(v) = index(&t.to) else {
                errors.push(error(
                    Some(&from.key),
                    format!("步骤{}的流转指向不存在的步骤\"{}\"", named(from), t.to),
                ));
                continue;
            };
            if u == v {
                errors.push(error(
                    Some(&from.key),
                    format!("步骤{}的流转指向自身", named(from)),
                ));
            }
            if !seen_transitions.insert((&t.from, &t.to, t.kind)) {
                errors.push(error(
                    Some(&from.key),
                    format!(
                        "步骤{}到{}的\"{}\"流转重复",
                        named(from),
                        named(&self.steps[v]),
                        t.kind.label()
                    ),
                ));
            }
        }

        // The graph.
        let graph = Graph::new(self);
        let can_end = graph.reaching(
            self.steps
                .iter()
                .enumerate()
                .filter(|(_, s)| s.kind == StepKind::End)
                .map(|(i, _)| i),
        );
        // Task steps with no usable way on; their problem is reported on its own, so steps that
        // can only run into them are not also blamed for a cycle.
        let stuck = graph.reaching(
            self.steps
                .iter()
                .enumerate()
                .filter(|&(i, s)| s.kind == StepKind::Task && graph.out[i].is_empty())
                .map(|(i, _)| i),
        );
        let has_outgoing: HashSet<&str> =
            self.transitions.iter().map(|t| t.from.as_str()).collect();
        for (i, step) in self.steps.iter().enumerate() {
            let who = named(step);
            let key = Some(step.key.as_str());
            let outgoing = has_outgoing.contains(step.key.as_str());
            match step.kind {
                StepKind::End if outgoing => {
                    errors.push(error(key, format!("结束步骤{who}不能再有后续流转")));
                }
                StepKind::Task if !outgoing => {
                    errors.push(error(key, format!("步骤{who}没有后续流转，路径未结束")));
                }
                StepKind::Task if !can_end[i] && !stuck[i] => {
                    errors.push(error(
                        key,
                        format!("步骤{who}无法到达任何结束步骤，存在无法结束的循环"),
                    ));
                }
                StepKind::Task | StepKind::End => {}
            }
            if i > 0 && !graph.reachable[i] {
                errors.push(error(key, format!("步骤{who}从开始步骤无法到达")));
            }
        }
        errors
    }

    /// The step with `key`.
    pub fn step(&self, key: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.key == key)
    }

    /// The start step (the first one).
    pub fn start(&self) -> Option<&Step> {
        self.steps.first()
    }

    /// Transitions leaving `key`, in stored order.
    pub fn outgoing(&self, key: &str) -> Vec<&Transition> {
        self.transitions.iter().filter(|t| t.from == key).collect()
    }

    /// The transition from `from` to `to`, if the graph has it (the first one stored).
    pub fn transition(&self, from: &str, to: &str) -> Option<&Transition> {
        self.transitions
            .iter()
            .find(|t| t.from == from && t.to == to)
    }

    /// Steps in reading order for the text version of the chart: breadth-first from the start
    /// following transitions in stored order, then any unreachable steps in stored order.
    pub fn reading_order(&self) -> Vec<&Step> {
        let graph = Graph::new(self);
        let n = self.steps.len();
        let mut seen = vec![false; n];
        let mut order = Vec::with_capacity(n);
        let mut queue = VecDeque::new();
        if n > 0 {
            seen[0] = true;
            queue.push_back(0);
        }
        while let Some(u) = queue.pop_front() {
            order.push(u);
            for &e in &graph.out[u] {
                let v = graph.edges[e].v;
                if !seen[v] {
                    seen[v] = true;
                    queue.push_back(v);
                }
            }
        }
        order.extend((0..n).filter(|&i| !seen[i]));
        order.into_iter().map(|i| &self.steps[i]).collect()
    }

    /// Sum of the day limits along the longest path of task steps from the start to an end step,
    /// ignoring back edges (so every path counted is simple); [`Limit::Immediate`] counts 0.
    /// 0 when the start cannot reach an end step. Linear in the size of the graph.
    pub fn total_days(&self) -> u32 {
        let graph = Graph::new(self);
        let mut best: Vec<Option<u32>> = vec![None; self.steps.len()];
        // Post-order: the targets of all non-back edges are done before their source.
        for &u in &graph.post {
            let step = &self.steps[u];
            best[u] = match step.kind {
                StepKind::End => Some(0),
                StepKind::Task => graph.out[u]
                    .iter()
                    .filter(|&&e| !graph.back[e])
                    .filter_map(|&e| best[graph.edges[e].v])
                    .max()
                    .map(|rest| rest.saturating_add(step.limit.days())),
            };
        }
        best.first().copied().flatten().unwrap_or(0)
    }
}

/// The five-step licence procedure most licences follow: apply → accept (or refuse) → review
/// (or send back for correction) → decide (or deny) → deliver → granted. New items start from it
/// and the demo uses it.
pub fn licence_example() -> Flow {
    let step = |key: &str, name: &str, actor: &str, limit: Limit, kind: StepKind| Step {
        key: key.into(),
        name: name.into(),
        actor: actor.into(),
        limit,
        kind,
    };
    let tr = |from: &str, to: &str, kind: TransitionKind| Transition {
        from: from.into(),
        to: to.into(),
        kind,
        label: String::new(),
    };
    Flow {
        steps: vec![
            step("apply", "申请", "申请人", Limit::Immediate, StepKind::Task),
            step(
                "accept",
                "受理",
                "窗口工作人员",
                Limit::Days(2),
                StepKind::Task,
            ),
            step("review", "审查", "业务科室", Limit::Days(5), StepKind::Task),
            step(
                "decide",
                "决定",
                "分管负责人",
                Limit::Days(2),
                StepKind::Task,
            ),
            step(
                "deliver",
                "送达",
                "窗口工作人员",
                Limit::Days(1),
                StepKind::Task,
            ),
            step("granted", "准予许可", "", Limit::None, StepKind::End),
            step("refused", "不予受理", "", Limit::None, StepKind::End),
            step("denied", "不予许可", "", Limit::None, StepKind::End),
        ],
        transitions: vec![
            tr("apply", "accept", TransitionKind::Next),
            tr("accept", "review", TransitionKind::Accept),
            tr("accept", "refused", TransitionKind::Refuse),
            tr("review", "apply", TransitionKind::Correct),
            tr("review", "decide", TransitionKind::Next),
            tr("decide", "deliver", TransitionKind::Next),
            tr("decide", "denied", TransitionKind::Refuse),
            tr("deliver", "granted", TransitionKind::Approve),
        ],
    }
}

/// A laid-out flowchart, for a template to draw as SVG (`viewBox="0 0 width height"`).
/// Units are SVG user units (px); every number is rounded to one decimal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    /// Canvas width, including the channels of back edges and the labels.
    pub width: f64,
    /// Canvas height.
    pub height: f64,
    /// One box per step, in stored step order.
    pub nodes: Vec<NodeBox>,
    /// One path per drawable transition, in stored transition order.
    pub edges: Vec<EdgePath>,
}

/// A step's box.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeBox {
    /// The step's key.
    pub key: String,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// The text: the name wrapped (font 14), then smaller lines (font 12) for the actor and the
    /// time limit; end steps have just the name.
    pub lines: Vec<TextLine>,
    /// Whether this is an end step.
    pub end: bool,
    /// Whether this is the start step.
    pub start: bool,
}

/// One line of text in a box.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextLine {
    /// The text.
    pub text: String,
    /// Horizontal centre (draw with `text-anchor="middle"`).
    pub x: f64,
    /// Baseline.
    pub y: f64,
    /// Small text (font 12) rather than the name font (14).
    pub small: bool,
}

/// A drawn transition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgePath {
    /// Key of the source step.
    pub from: String,
    /// Key of the target step.
    pub to: String,
    /// SVG polyline points `"x1,y1 x2,y2 …"`, from source to target (put the arrow at the end).
    pub points: String,
    /// The label: the transition's own label, else its kind's label.
    pub label: String,
    /// Horizontal centre of the label (draw with `text-anchor="middle"`, font 12).
    pub label_x: f64,
    /// Baseline of the label.
    pub label_y: f64,
    /// Whether the edge goes back up (to the same or an earlier layer), drawn through a channel
    /// to the right of all boxes.
    pub back: bool,
}

const NODE_W: f64 = 150.0;
const H_GAP: f64 = 30.0;
/// Horizontal gap next to a dummy (the point where a long edge crosses a layer).
const DUMMY_GAP: f64 = 16.0;
const V_GAP: f64 = 50.0;
const PAD_Y: f64 = 10.0;
const NAME_LINE: f64 = 18.0;
const SMALL_LINE: f64 = 15.0;
const NAME_FONT: f64 = 14.0;
const SMALL_FONT: f64 = 12.0;
/// Width units per line: a CJK character counts 2, an ASCII one 1.
const NAME_UNITS: usize = 18;
const SMALL_UNITS: usize = 22;
const MARGIN: f64 = 16.0;
/// From the right of the widest layer to the first back-edge channel.
const CHANNEL_OFFSET: f64 = 20.0;
const CHANNEL_GAP: f64 = 14.0;
/// Largest distance between two edge ends on the same side of a box.
const PORT_STEP: f64 = 14.0;
/// How far below / above a layer a detouring back edge runs.
const RUN_OFFSET: f64 = 8.0;
const RUN_STEP: f64 = 5.0;

fn r1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Estimated width of `text` drawn at `font` px.
fn text_width(text: &str, font: f64) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { font * 0.55 } else { font })
        .sum()
}

/// Greedy wrapping by width units (CJK 2, ASCII 1); closing punctuation never starts a line.
fn wrap(text: &str, max_units: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut units = 0;
    for c in text.chars() {
        let w = if c.is_ascii() { 1 } else { 2 };
        let closing = "，。、；：？！）」』”’》,.;:?!)".contains(c);
        if units + w > max_units && !line.is_empty() && !closing {
            lines.push(std::mem::take(&mut line));
            units = 0;
        }
        line.push(c);
        units += w;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The lines of a step's box: (text, small).
fn box_lines(step: &Step) -> Vec<(String, bool)> {
    let name = step.name.trim();
    let name = if name.is_empty() {
        step.key.as_str()
    } else {
        name
    };
    let mut lines: Vec<(String, bool)> = wrap(name, NAME_UNITS)
        .into_iter()
        .map(|l| (l, false))
        .collect();
    if lines.is_empty() {
        lines.push((String::new(), false));
    }
    if step.kind == StepKind::Task {
        lines.extend(
            wrap(step.actor.trim(), SMALL_UNITS)
                .into_iter()
                .map(|l| (l, true)),
        );
        if let Some(limit) = step.limit.text() {
            lines.push((limit, true));
        }
    }
    lines
}

fn box_height(lines: &[(String, bool)]) -> f64 {
    2.0 * PAD_Y
        + lines
            .iter()
            .map(|(_, small)| if *small { SMALL_LINE } else { NAME_LINE })
            .sum::<f64>()
}

/// Longest-path layers over the graph without its back edges. Steps unreachable from the start
/// get their own layers below all reachable ones.
fn ranks(graph: &Graph) -> Vec<usize> {
    let mut rank = vec![0_usize; graph.out.len()];
    // Reverse post-order is a topological order of the non-back edges.
    for &u in graph.post.iter().rev() {
        for &e in &graph.out[u] {
            let v = graph.edges[e].v;
            if !graph.back[e] && graph.reachable[u] == graph.reachable[v] {
                rank[v] = rank[v].max(rank[u] + 1);
            }
        }
    }
    let offset = rank
        .iter()
        .zip(&graph.reachable)
        .filter(|(_, reachable)| **reachable)
        .map(|(r, _)| r + 1)
        .max()
        .unwrap_or(0);
    for (r, reachable) in rank.iter_mut().zip(&graph.reachable) {
        if !reachable {
            *r += offset;
        }
    }
    rank
}

/// Crossings between consecutive layers (pairwise count; the graphs are small).
fn crossings(layers: &[Vec<usize>], succs: &[Vec<usize>], pos: &[usize]) -> usize {
    let mut total = 0;
    for layer in layers {
        let segments: Vec<(usize, usize)> = layer
            .iter()
            .flat_map(|&a| succs[a].iter().map(move |&b| (pos[a], pos[b])))
            .collect();
        for (i, &(a1, b1)) in segments.iter().enumerate() {
            for &(a2, b2) in &segments[i + 1..] {
                if (a1 < a2 && b1 > b2) || (a1 > a2 && b1 < b2) {
                    total += 1;
                }
            }
        }
    }
    total
}

/// Sorts a layer by the barycenter of its neighbours in the adjacent layer (stable; items
/// without neighbours keep their index as key).
fn reorder(layer: &mut [usize], neighbours: &[Vec<usize>], pos: &mut [usize]) {
    let mut keyed: Vec<(f64, usize)> = layer
        .iter()
        .enumerate()
        .map(|(k, &item)| {
            let ns = &neighbours[item];
            let key = if ns.is_empty() {
                k as f64
            } else {
                ns.iter().map(|&m| pos[m] as f64).sum::<f64>() / ns.len() as f64
            };
            (key, item)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (k, (slot, (_, item))) in layer.iter_mut().zip(keyed).enumerate() {
        *slot = item;
        pos[item] = k;
    }
}

/// Orders every layer: down, up, down, up barycenter sweeps, keeping the order with the fewest
/// crossings.
fn order_layers(layers: &mut [Vec<usize>], preds: &[Vec<usize>], succs: &[Vec<usize>]) {
    let mut pos = vec![0_usize; preds.len()];
    for layer in layers.iter() {
        for (k, &item) in layer.iter().enumerate() {
            pos[item] = k;
        }
    }
    let mut best = layers.to_vec();
    let mut best_crossings = crossings(layers, succs, &pos);
    for sweep in 0..4 {
        if best_crossings == 0 {
            break;
        }
        if sweep % 2 == 0 {
            for layer in layers.iter_mut().skip(1) {
                reorder(layer, preds, &mut pos);
            }
        } else {
            for layer in layers.iter_mut().rev().skip(1) {
                reorder(layer, succs, &mut pos);
            }
        }
        let c = crossings(layers, succs, &pos);
        if c < best_crossings {
            best_crossings = c;
            best = layers.to_vec();
        }
    }
    layers.clone_from_slice(&best);
}

/// Offsets of `k` edge ends spread along a box side, centred on 0.
fn spread(k: usize) -> Vec<f64> {
    if k <= 1 {
        return vec![0.0; k];
    }
    let step = PORT_STEP.min((NODE_W - 40.0) / (k - 1) as f64);
    (0..k)
        .map(|j| (j as f64 - (k - 1) as f64 / 2.0) * step)
        .collect()
}

/// The first of `candidates` (label centre, baseline) whose label is clear of `placed` and
/// `boxes`, else the first one; records the label in `placed`.
fn place(
    candidates: impl IntoIterator<Item = (f64, f64)>,
    half: f64,
    placed: &mut Vec<Rect>,
    boxes: &[Rect],
) -> (f64, f64) {
    let mut chosen = None;
    for (x, y) in candidates {
        let x = x.max(half + 2.0);
        let rect = label_rect(x, y, half);
        let taken = placed.iter().chain(boxes).any(|r| overlaps(r, &rect));
        if chosen.is_none() || !taken {
            chosen = Some((x, y, rect));
        }
        if !taken {
            break;
        }
    }
    match chosen {
        Some((x, y, rect)) => {
            placed.push(rect);
            (x, y)
        }
        None => (half + 2.0, 0.0),
    }
}

/// An axis-parallel rectangle.
struct Rect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

/// The rectangle covered by a label centred on `x` with its baseline at `y`.
fn label_rect(x: f64, y: f64, half: f64) -> Rect {
    Rect {
        x0: x - half,
        y0: y - SMALL_FONT + 2.0,
        x1: x + half,
        y1: y + 3.0,
    }
}

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
}

fn points_text(points: &[(f64, f64)]) -> String {
    let mut out: Vec<String> = Vec::with_capacity(points.len());
    let mut last = None;
    for &(x, y) in points {
        let p = (r1(x), r1(y));
        if last != Some(p) {
            out.push(format!("{},{}", p.0, p.1));
            last = Some(p);
        }
    }
    out.join(" ")
}

/// Lays out the flow top to bottom (a layered drawing). Works for any flow, valid or not:
/// transitions whose endpoints do not exist are skipped.
///
/// Layers are longest-path ranks over the graph without its back edges (found by DFS from the
/// start in stored transition order); unreachable steps go in extra layers at the bottom. Long
/// edges pass through each layer between their ends at a point of their own, layers are ordered
/// by barycenter sweeps and centred. Forward edges run from the bottom of the source to the top
/// of the target; back edges leave the right side of the source, run up a channel of their own
/// to the right of all boxes and enter the right side of the target.
pub fn layout(flow: &Flow) -> Layout {
    let n = flow.steps.len();
    let graph = Graph::new(flow);
    let rank = ranks(&graph);
    let layer_count = rank.iter().max().map_or(0, |&m| m + 1);

    // Items: 0..n are the steps, then one dummy per layer crossed by a long forward edge.
    let mut item_layer = rank.clone();
    let mut chains: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut backs: Vec<usize> = Vec::new();
    for (e, edge) in graph.edges.iter().enumerate() {
        if rank[edge.v] > rank[edge.u] {
            let mut chain = vec![edge.u];
            for r in rank[edge.u] + 1..rank[edge.v] {
                chain.push(item_layer.len());
                item_layer.push(r);
            }
            chain.push(edge.v);
            chains.push((e, chain));
        } else {
            backs.push(e);
        }
    }
    let items = item_layer.len();
    let mut preds = vec![Vec::new(); items];
    let mut succs = vec![Vec::new(); items];
    for (_, chain) in &chains {
        for pair in chain.windows(2) {
            succs[pair[0]].push(pair[1]);
            preds[pair[1]].push(pair[0]);
        }
    }
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    for (item, &layer) in item_layer.iter().enumerate() {
        layers[layer].push(item);
    }
    order_layers(&mut layers, &preds, &succs);

    // Vertical geometry: boxes in a layer share their top.
    let lines: Vec<Vec<(String, bool)>> = flow.steps.iter().map(box_lines).collect();
    let heights: Vec<f64> = lines.iter().map(|l| box_height(l)).collect();
    let mut layer_h = vec![0.0_f64; layer_count];
    for (&r, &h) in rank.iter().zip(&heights) {
        layer_h[r] = layer_h[r].max(h);
    }
    let mut layer_y = Vec::with_capacity(layer_count);
    let mut y = MARGIN;
    for h in &layer_h {
        layer_y.push(y);
        y += h + V_GAP;
    }
    let item_y = |item: usize| layer_y[item_layer[item]];

    // Horizontal geometry: each layer centred in the width of the widest one.
    let width_of = |item: usize| if item < n { NODE_W } else { 0.0 };
    let gap = |a: usize, b: usize| if a < n && b < n { H_GAP } else { DUMMY_GAP };
    let layer_width = |layer: &[usize]| {
        layer.iter().map(|&i| width_of(i)).sum::<f64>()
            + layer.windows(2).map(|p| gap(p[0], p[1])).sum::<f64>()
    };
    let inner_w = layers.iter().map(|l| layer_width(l)).fold(NODE_W, f64::max);
    let mut item_x = vec![0.0_f64; items];
    let mut item_pos = vec![0_usize; items];
    for layer in &layers {
        let mut x = MARGIN + (inner_w - layer_width(layer)) / 2.0;
        for (k, &item) in layer.iter().enumerate() {
            if k > 0 {
                x += gap(layer[k - 1], item);
            }
            item_x[item] = x;
            item_pos[item] = k;
            x += width_of(item);
        }
    }
    let centre = |item: usize| item_x[item] + width_of(item) / 2.0;
    // The gap to the next item on the right, if a box lies somewhere to the right.
    let detour_gap = |node: usize| {
        let layer = &layers[item_layer[node]];
        let right = &layer[item_pos[node] + 1..];
        if right.iter().any(|&i| i < n) {
            right
                .first()
                .map(|&next| item_x[next] - (item_x[node] + NODE_W))
        } else {
            None
        }
    };

    let mut paths: Vec<Option<EdgePath>> = (0..graph.edges.len()).map(|_| None).collect();
    let mut extent_x = MARGIN;
    let mut extent_y = MARGIN;
    let label_of = |e: usize| {
        flow.transitions[graph.edges[e].t]
            .display_label()
            .to_owned()
    };
    let mut finish = |e: usize, points: &[(f64, f64)], label_x: f64, label_y: f64, back: bool| {
        let label = label_of(e);
        let half = text_width(&label, SMALL_FONT) / 2.0;
        let label_x = label_x.max(half + 2.0);
        for &(x, y) in points {
            extent_x = extent_x.max(x);
            extent_y = extent_y.max(y);
        }
        extent_x = extent_x.max(label_x + half);
        extent_y = extent_y.max(label_y + 4.0);
        let t = &flow.transitions[graph.edges[e].t];
        paths[e] = Some(EdgePath {
            from: t.from.clone(),
            to: t.to.clone(),
            points: points_text(points),
            label,
            label_x: r1(label_x),
            label_y: r1(label_y),
            back,
        });
    };

    // Forward edges: ends spread along the bottom / top side, ordered by where the other end is.
    let mut start_x = vec![0.0_f64; chains.len()];
    let mut end_x = vec![0.0_f64; chains.len()];
    let mut out_chains = vec![Vec::new(); n];
    let mut in_chains = vec![Vec::new(); n];
    for (c, (_, chain)) in chains.iter().enumerate() {
        out_chains[chain[0]].push(c);
        in_chains[chain[chain.len() - 1]].push(c);
    }
    for node in 0..n {
        let mut outs = std::mem::take(&mut out_chains[node]);
        outs.sort_by(|&a, &b| centre(chains[a].1[1]).total_cmp(&centre(chains[b].1[1])));
        for (&c, offset) in outs.iter().zip(spread(outs.len())) {
            start_x[c] = centre(node) + offset;
        }
        let mut ins = std::mem::take(&mut in_chains[node]);
        ins.sort_by(|&a, &b| {
            let before = |c: usize| centre(chains[c].1[chains[c].1.len() - 2]);
            before(a).total_cmp(&before(b))
        });
        for (&c, offset) in ins.iter().zip(spread(ins.len())) {
            end_x[c] = centre(node) + offset;
        }
    }
    // Rectangles labels must keep clear of: the boxes, then the labels already placed.
    let boxes: Vec<Rect> = (0..n)
        .map(|i| Rect {
            x0: item_x[i],
            y0: item_y(i),
            x1: item_x[i] + NODE_W,
            y1: item_y(i) + heights[i],
        })
        .collect();
    let mut placed: Vec<Rect> = Vec::new();
    for (c, (e, chain)) in chains.iter().enumerate() {
        let (u, v) = (chain[0], chain[chain.len() - 1]);
        let mut points = vec![(start_x[c], item_y(u) + heights[u])];
        for &d in &chain[1..chain.len() - 1] {
            let r = item_layer[d];
            points.push((item_x[d], layer_y[r]));
            points.push((item_x[d], layer_y[r] + layer_h[r]));
        }
        points.push((end_x[c], item_y(v)));
        // Label beside the middle of the first segment, on the outer side, clear of the line;
        // if that spot is taken (edges converging on one box), slide along the segment or
        // switch sides.
        let ((x1, y1), (x2, y2)) = (points[0], points[1]);
        let half = text_width(&label_of(*e), SMALL_FONT) / 2.0;
        let slope = if y2 > y1 { (x2 - x1) / (y2 - y1) } else { 0.0 };
        let clear = half + 5.0 + slope.abs() * 7.0;
        let outer = if x2 < x1 - 0.5 { -1.0 } else { 1.0 };
        let candidates = [0.5, 0.3, 0.7].into_iter().flat_map(|t| {
            let (mx, my) = (x1 + (x2 - x1) * t, y1 + (y2 - y1) * t);
            [outer, -outer].map(|side| (mx + side * clear, my + 4.0))
        });
        let (label_x, label_y) = place(candidates, half, &mut placed, &boxes);
        finish(*e, &points, label_x, label_y, false);
    }

    // Back edges: the shortest get the innermost channels.
    backs.sort_by_key(|&e| (rank[graph.edges[e].u] - rank[graph.edges[e].v], e));
    let channel_x = |k: usize| MARGIN + inner_w + CHANNEL_OFFSET + CHANNEL_GAP * k as f64;
    // Ends on the right side of each box: (rank of the other end, tie-break, is target, k).
    let mut right_ports: Vec<Vec<(usize, i64, bool, usize)>> = vec![Vec::new(); n];
    for (k, &e) in backs.iter().enumerate() {
        let Edge { u, v, .. } = graph.edges[e];
        let k_key = |own: usize, other: usize| {
            if rank[other] > rank[own] {
                -(k as i64)
            } else {
                k as i64
            }
        };
        right_ports[u].push((rank[v], k_key(u, v), false, k));
        right_ports[v].push((rank[u], k_key(v, u), true, k));
    }
    let mut source_y = vec![0.0_f64; backs.len()];
    let mut target_y = vec![0.0_f64; backs.len()];
    for (node, ports) in right_ports.iter_mut().enumerate() {
        ports.sort_unstable();
        let m = ports.len() as f64;
        for (j, &(_, _, is_target, k)) in ports.iter().enumerate() {
            let y = item_y(node) + heights[node] * (j as f64 + 1.0) / (m + 1.0);
            if is_target {
                target_y[k] = y;
            } else {
                source_y[k] = y;
            }
        }
    }
    let mut runs_below = vec![0_usize; layer_count];
    let mut runs_above = vec![0_usize; layer_count];
    for (k, &e) in backs.iter().enumerate() {
        let Edge { u, v, .. } = graph.edges[e];
        let cx = channel_x(k);
        let half = text_width(&label_of(e), SMALL_FONT) / 2.0;
        let (ur, vr) = (item_x[u] + NODE_W, item_x[v] + NODE_W);
        let (sy, ty) = (source_y[k], target_y[k]);
        let mut points = vec![(ur, sy)];
        // A box to the right in the same layer: go round it through the gap below the layer.
        let (label_x, label_y) = if let Some(g) = detour_gap(u) {
            let r = item_layer[u];
            let run = layer_y[r] + layer_h[r] + RUN_OFFSET + RUN_STEP * (runs_below[r] % 4) as f64;
            runs_below[r] += 1;
            let xs = ur + g / 2.0;
            points.extend([(xs, sy), (xs, run), (cx, run)]);
            let candidates = [0.5, 0.8, 0.2].into_iter().flat_map(|t| {
                let x = (xs + (cx - xs) * t).max(xs + half + 4.0);
                [(x, run + 13.0), (x, run - 4.0)]
            });
            place(candidates, half, &mut placed, &boxes)
        } else {
            points.push((cx, sy));
            let x = ((ur + cx) / 2.0).max(ur + half + 4.0);
            let candidates = [(x, sy - 4.0), (x, sy + 14.0), (x, sy - 16.0)];
            place(candidates, half, &mut placed, &boxes)
        };
        if let Some(g) = detour_gap(v) {
            let r = item_layer[v];
            let run = layer_y[r] - RUN_OFFSET - RUN_STEP * (runs_above[r] % 4) as f64;
            runs_above[r] += 1;
            let xt = vr + g / 2.0;
            points.extend([(cx, run), (xt, run), (xt, ty), (vr, ty)]);
        } else {
            points.extend([(cx, ty), (vr, ty)]);
        }
        finish(e, &points, label_x, label_y, true);
    }

    let nodes: Vec<NodeBox> = flow
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let (x, y) = (item_x[i], item_y(i));
            let cx = x + NODE_W / 2.0;
            let mut top = y + PAD_Y;
            let lines = lines[i]
                .iter()
                .map(|(text, small)| {
                    let (line, font) = if *small {
                        (SMALL_LINE, SMALL_FONT)
                    } else {
                        (NAME_LINE, NAME_FONT)
                    };
                    let baseline = top + (line + font) / 2.0 - 2.0;
                    top += line;
                    TextLine {
                        text: text.clone(),
                        x: r1(cx),
                        y: r1(baseline),
                        small: *small,
                    }
                })
                .collect();
            extent_x = extent_x.max(x + NODE_W);
            extent_y = extent_y.max(y + heights[i]);
            NodeBox {
                key: step.key.clone(),
                x: r1(x),
                y: r1(y),
                w: NODE_W,
                h: r1(heights[i]),
                lines,
                end: step.kind == StepKind::End,
                start: i == 0,
            }
        })
        .collect();

    Layout {
        width: r1(extent_x + MARGIN),
        height: r1(extent_y + MARGIN),
        nodes,
        edges: paths.into_iter().flatten().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(key: &str, name: &str, limit: Limit) -> Step {
        Step {
            key: key.into(),
            name: name.into(),
            actor: "窗口工作人员".into(),
            limit,
            kind: StepKind::Task,
        }
    }

    fn end(key: &str, name: &str) -> Step {
        Step {
            key: key.into(),
            name: name.into(),
            actor: String::new(),
            limit: Limit::None,
            kind: StepKind::End,
        }
    }

    fn tr(from: &str, to: &str, kind: TransitionKind) -> Transition {
        Transition {
            from: from.into(),
            to: to.into(),
            kind,
            label: String::new(),
        }
    }

    use TransitionKind::{Accept, Approve, Correct, Next, Refuse};

    /// 申请 → 受理 / 不予受理; 受理 → 审查; 审查 → 补正 back to 申请, or → 决定;
    /// 决定 → 准予许可 / 不予许可.
    fn licence() -> Flow {
        let mut apply = task("apply", "申请", Limit::Immediate);
        apply.actor = "申请人".into();
        Flow {
            steps: vec![
                apply,
                task("accept", "受理", Limit::Days(5)),
                task("review", "审查", Limit::Days(10)),
                task("decide", "决定", Limit::Days(5)),
                end("grant", "准予许可"),
                end("deny", "不予许可"),
                end("reject", "不予受理"),
            ],
            transitions: vec![
                tr("apply", "accept", Accept),
                tr("apply", "reject", Refuse),
                tr("accept", "review", Next),
                tr("review", "apply", Correct),
                tr("review", "decide", Next),
                tr("decide", "grant", Approve),
                tr("decide", "deny", Refuse),
            ],
        }
    }

    /// 20 steps: a chain of 14 tasks with refusal ends, a parallel branch, a long edge that skips
    /// two layers and two 补正 back edges. No layer holds more than 3 steps.
    fn twenty() -> Flow {
        let mut steps: Vec<Step> = (0..14)
            .map(|i| task(&format!("t{i}"), &format!("第{i}步审查"), Limit::Days(2)))
            .collect();
        steps.push(task("p", "现场核查", Limit::Days(3)));
        steps.push(end("ok", "办结"));
        for i in [2, 5, 8, 11] {
            steps.push(end(&format!("r{i}"), "不予许可"));
        }
        let mut transitions: Vec<Transition> = (0..13)
            .map(|i| tr(&format!("t{i}"), &format!("t{}", i + 1), Next))
            .collect();
        transitions.push(tr("t13", "ok", Approve));
        for i in [2, 5, 8, 11] {
            transitions.push(tr(&format!("t{i}"), &format!("r{i}"), Refuse));
        }
        transitions.push(tr("t6", "p", Next));
        transitions.push(tr("p", "t8", Next));
        transitions.push(tr("t3", "t6", Next));
        transitions.push(tr("t4", "t1", Correct));
        transitions.push(tr("t10", "t7", Correct));
        Flow { steps, transitions }
    }

    fn keys<'a>(steps: &[&'a Step]) -> Vec<&'a str> {
        steps.iter().map(|s| s.key.as_str()).collect()
    }

    fn points(edge: &EdgePath) -> Vec<(f64, f64)> {
        edge.points
            .split(' ')
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect()
    }

    /// Every box inside the canvas and no two boxes overlapping.
    fn assert_boxes_fit(layout: &Layout) {
        for node in &layout.nodes {
            assert!(node.x >= 0.0 && node.y >= 0.0, "{node:?}");
            assert!(node.x + node.w <= layout.width, "{node:?} {}", layout.width);
            assert!(
                node.y + node.h <= layout.height,
                "{node:?} {}",
                layout.height
            );
        }
        for (i, a) in layout.nodes.iter().enumerate() {
            for b in &layout.nodes[i + 1..] {
                let apart =
                    a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
                assert!(apart, "{} overlaps {}", a.key, b.key);
            }
        }
        for edge in &layout.edges {
            for (x, y) in points(edge) {
                assert!((0.0..=layout.width).contains(&x), "{edge:?}");
                assert!((0.0..=layout.height).contains(&y), "{edge:?}");
            }
        }
    }

    fn node<'a>(layout: &'a Layout, key: &str) -> &'a NodeBox {
        layout.nodes.iter().find(|n| n.key == key).unwrap()
    }

    #[test]
    fn transition_kind_codes_round_trip() {
        for kind in TransitionKind::ALL {
            assert_eq!(TransitionKind::from_code(kind.code()), Some(kind));
            assert!(!kind.label().is_empty());
        }
        assert_eq!(TransitionKind::from_code("nope"), None);
        assert_eq!(TransitionKind::Refuse.label(), "不予通过");
        let t = tr("a", "b", Correct);
        assert_eq!(t.display_label(), "补正");
        let t = Transition {
            label: "材料不全".into(),
            ..t
        };
        assert_eq!(t.display_label(), "材料不全");
    }

    #[test]
    fn limit_serializes_adjacently_tagged() {
        let cases = [
            (Limit::None, r#"{"type":"none"}"#),
            (Limit::Immediate, r#"{"type":"immediate"}"#),
            (Limit::Days(5), r#"{"type":"days","days":5}"#),
        ];
        for (limit, json) in cases {
            assert_eq!(serde_json::to_string(&limit).unwrap(), json);
            assert_eq!(serde_json::from_str::<Limit>(json).unwrap(), limit);
        }
        let flow = licence();
        let back: Flow = serde_json::from_str(&serde_json::to_string(&flow).unwrap()).unwrap();
        assert_eq!(back, flow);
    }

    #[test]
    fn licence_flow_is_valid() {
        let flow = licence();
        assert_eq!(flow.validate(), vec![]);
        assert_eq!(flow.total_days(), 20);
        assert_eq!(
            keys(&flow.reading_order()),
            [
                "apply", "accept", "reject", "review", "decide", "grant", "deny"
            ]
        );
    }

    #[test]
    fn licence_flow_lookups() {
        let flow = licence();
        assert_eq!(flow.start().map(|s| s.key.as_str()), Some("apply"));
        assert_eq!(flow.step("review").map(|s| s.name.as_str()), Some("审查"));
        assert_eq!(flow.step("nope"), None);
        let out: Vec<&str> = flow
            .outgoing("review")
            .iter()
            .map(|t| t.to.as_str())
            .collect();
        assert_eq!(out, ["apply", "decide"]);
        assert!(flow.outgoing("grant").is_empty());
        assert_eq!(
            flow.transition("review", "apply").map(|t| t.kind),
            Some(Correct)
        );
        assert_eq!(flow.transition("apply", "review"), None);
        assert_eq!(Flow::default().start(), None);
        assert!(Flow::default().reading_order().is_empty());
    }

    #[test]
    fn reading_order_appends_unreachable_steps() {
        let mut flow = licence();
        flow.steps.insert(2, task("orphan", "核查", Limit::Days(1)));
        flow.transitions.push(tr("orphan", "grant", Next));
        assert_eq!(
            keys(&flow.reading_order()),
            [
                "apply", "accept", "reject", "review", "decide", "grant", "deny", "orphan"
            ]
        );
    }

    #[test]
    fn total_days_table() {
        fn with(f: fn(&mut Flow)) -> Flow {
            let mut flow = licence();
            f(&mut flow);
            flow
        }
        let cases: Vec<(&str, Flow, u32)> = vec![
            ("licence", licence(), 20),
            (
                "immediate decision",
                with(|f| f.steps[3].limit = Limit::Immediate),
                15,
            ),
            (
                "longer branch wins",
                with(|f| {
                    f.steps.push(task("hearing", "听证", Limit::Days(20)));
                    f.transitions.push(tr("review", "hearing", Next));
                    f.transitions.push(tr("hearing", "decide", Next));
                }),
                40,
            ),
            (
                "shortcut does not shorten",
                with(|f| f.transitions.push(tr("accept", "grant", Approve))),
                20,
            ),
            // t6 → 现场核查 (3 days) → t8 beats t6 → t7 (2 days) → t8.
            ("twenty", twenty(), 14 * 2 - 2 + 3),
            ("empty", Flow::default(), 0),
            (
                "no end",
                Flow {
                    steps: vec![
                        task("a", "甲", Limit::Days(1)),
                        task("b", "乙", Limit::Days(1)),
                    ],
                    transitions: vec![tr("a", "b", Next), tr("b", "a", Correct)],
                },
                0,
            ),
        ];
        for (name, flow, days) in cases {
            assert_eq!(flow.total_days(), days, "{name}");
        }
    }

    #[test]
    fn total_days_is_not_exponential() {
        // 60 layers of diamonds: 2^60 paths, one DP pass.
        let mut flow = Flow::default();
        flow.steps.push(task("s0", "开始", Limit::Days(1)));
        for i in 0..60 {
            flow.steps
                .push(task(&format!("a{i}"), "甲", Limit::Days(1)));
            flow.steps
                .push(task(&format!("b{i}"), "乙", Limit::Days(2)));
            flow.steps
                .push(task(&format!("s{}", i + 1), "合", Limit::Immediate));
            for x in ["a", "b"] {
                flow.transitions
                    .push(tr(&format!("s{i}"), &format!("{x}{i}"), Next));
                flow.transitions
                    .push(tr(&format!("{x}{i}"), &format!("s{}", i + 1), Next));
            }
        }
        flow.steps.push(end("done", "办结"));
        flow.transitions.push(tr("s60", "done", Next));
        assert_eq!(flow.validate(), vec![]);
        assert_eq!(flow.total_days(), 1 + 60 * 2);
        assert_boxes_fit(&layout(&flow));
    }

    #[test]
    fn invalid_flows_report_expected_errors() {
        type Case = (
            &'static str,
            fn(&mut Flow),
            Option<&'static str>,
            &'static str,
        );
        let cases: Vec<Case> = vec![
            (
                "unreachable step",
                |f| {
                    f.steps.push(task("check", "核查", Limit::Days(3)));
                    f.transitions.push(tr("check", "grant", Next));
                },
                Some("check"),
                "步骤\"核查\"（check）从开始步骤无法到达",
            ),
            (
                "no end",
                |f| {
                    *f = Flow {
                        steps: vec![
                            task("a", "甲", Limit::Days(1)),
                            task("b", "乙", Limit::Days(1)),
                        ],
                        transitions: vec![tr("a", "b", Next), tr("b", "a", Correct)],
                    }
                },
                None,
                "流程没有结束步骤，至少需要一个结束步骤（如办结、不予受理）",
            ),
            (
                "cycle without exit (first)",
                |f| {
                    f.steps.push(task("x", "核实", Limit::Days(1)));
                    f.steps.push(task("y", "复核", Limit::Days(1)));
                    f.transitions.push(tr("review", "x", Next));
                    f.transitions.push(tr("x", "y", Next));
                    f.transitions.push(tr("y", "x", Correct));
                },
                Some("x"),
                "步骤\"核实\"（x）无法到达任何结束步骤，存在无法结束的循环",
            ),
            (
                "cycle without exit (second)",
                |f| {
                    f.steps.push(task("x", "核实", Limit::Days(1)));
                    f.steps.push(task("y", "复核", Limit::Days(1)));
                    f.transitions.push(tr("review", "x", Next));
                    f.transitions.push(tr("x", "y", Next));
                    f.transitions.push(tr("y", "x", Correct));
                },
                Some("y"),
                "步骤\"复核\"（y）无法到达任何结束步骤，存在无法结束的循环",
            ),
            (
                "task without a time limit",
                |f| f.steps[2].limit = Limit::None,
                Some("review"),
                "步骤\"审查\"（review）未设时限，且未标注即时办结",
            ),
            (
                "zero days",
                |f| f.steps[2].limit = Limit::Days(0),
                Some("review"),
                "步骤\"审查\"（review）的时限为0个工作日，当场办结的请标注即时办结",
            ),
            (
                "more than 365 days",
                |f| f.steps[2].limit = Limit::Days(400),
                Some("review"),
                "步骤\"审查\"（review）的时限为400个工作日，超过365个工作日",
            ),
            (
                "end step with a limit",
                |f| f.steps[4].limit = Limit::Days(1),
                Some("grant"),
                "结束步骤\"准予许可\"（grant）不应设时限",
            ),
            (
                "transition to an unknown step",
                |f| f.transitions.push(tr("decide", "nowhere", Next)),
                Some("decide"),
                "步骤\"决定\"（decide）的流转指向不存在的步骤\"nowhere\"",
            ),
            (
                "transition from an unknown step",
                |f| f.transitions.push(tr("ghost", "grant", Next)),
                None,
                "流转的起点\"ghost\"不是流程中的步骤",
            ),
            (
                "end step with an outgoing transition",
                |f| f.transitions.push(tr("grant", "apply", Next)),
                Some("grant"),
                "结束步骤\"准予许可\"（grant）不能再有后续流转",
            ),
            (
                "duplicate key",
                |f| f.steps.push(task("review", "复审", Limit::Days(3))),
                Some("review"),
                "步骤\"复审\"（review）的标识与步骤\"审查\"（review）重复",
            ),
            (
                "empty flow",
                |f| *f = Flow::default(),
                None,
                "流程至少需要两个步骤（开始步骤和结束步骤）",
            ),
            (
                "task without outgoing transition",
                |f| {
                    f.steps.push(task("archive", "归档", Limit::Days(1)));
                    f.transitions.push(tr("decide", "archive", Next));
                },
                Some("archive"),
                "步骤\"归档\"（archive）没有后续流转，路径未结束",
            ),
            (
                "self-loop",
                |f| f.transitions.push(tr("review", "review", Correct)),
                Some("review"),
                "步骤\"审查\"（review）的流转指向自身",
            ),
            (
                "duplicate transition",
                |f| f.transitions.push(tr("apply", "accept", Accept)),
                Some("apply"),
                "步骤\"申请\"（apply）到\"受理\"（accept）的\"受理\"流转重复",
            ),
            (
                "start is an end step",
                |f| f.steps.insert(0, end("closed", "办结")),
                Some("closed"),
                "开始步骤\"办结\"（closed）不能是结束步骤，流程须从办理步骤开始",
            ),
            (
                "task without actor",
                |f| f.steps[1].actor = " ".into(),
                Some("accept"),
                "步骤\"受理\"（accept）未写明办理人员",
            ),
            (
                "empty name",
                |f| f.steps[1].name = String::new(),
                Some("accept"),
                "第2个步骤（accept）缺少名称",
            ),
            (
                "empty key",
                |f| f.steps[6].key = String::new(),
                None,
                "第7个步骤\"不予受理\"缺少标识",
            ),
            (
                "key too long",
                |f| {
                    let key = "k".repeat(33);
                    f.transitions[0].to = key.clone();
                    f.steps[1].key = key;
                    f.transitions[2].from = f.steps[1].key.clone();
                },
                Some("kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"),
                "步骤\"受理\"（kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk）的标识超过32个字符",
            ),
            (
                "name too long",
                |f| f.steps[1].name = "受".repeat(41),
                Some("accept"),
                "步骤\"受受受受受受受受受受受受受受受受受受受受受受受受受受受受受受受受受受受受受受受受受\"（accept）的名称超过40个字",
            ),
        ];
        for (name, mutate, step, message) in cases {
            let mut flow = licence();
            mutate(&mut flow);
            let errors = flow.validate();
            let expected = FlowError {
                step: step.map(str::to_owned),
                message: message.to_owned(),
            };
            assert!(
                errors.contains(&expected),
                "{name}: expected {expected:?}, got {errors:?}"
            );
            // Whatever is wrong, the chart can still be drawn.
            assert_boxes_fit(&layout(&flow));
        }
    }

    #[test]
    fn a_dead_end_is_not_also_called_a_cycle() {
        let mut flow = licence();
        flow.steps.push(task("archive", "归档", Limit::Days(1)));
        flow.transitions[4].to = "archive".into();
        flow.transitions.retain(|t| t.from != "decide");
        flow.steps.retain(|s| s.key != "decide");
        let errors = flow.validate();
        assert!(
            errors.iter().all(|e| !e.message.contains("循环")),
            "{errors:?}"
        );
        assert!(errors.iter().any(|e| e.step.as_deref() == Some("archive")));
    }

    #[test]
    fn names_wrap_by_width() {
        let cases: [(&str, usize, &[&str]); 5] = [
            ("受理", 18, &["受理"]),
            ("一二三四五六七八九十", 18, &["一二三四五六七八九", "十"]),
            ("ABCDEFGHIJKLMNOPQRST", 18, &["ABCDEFGHIJKLMNOPQR", "ST"]),
            (
                "审查ABC材料是否齐全有效",
                18,
                &["审查ABC材料是否齐", "全有效"],
            ),
            ("一二三四五六七八九。", 18, &["一二三四五六七八九。"]),
        ];
        for (text, units, lines) in cases {
            assert_eq!(wrap(text, units), lines, "{text}");
        }
    }

    #[test]
    fn layout_licence_geometry() {
        let flow = licence();
        let layout = layout(&flow);
        assert_boxes_fit(&layout);
        assert_eq!(layout.nodes.len(), 7);
        assert_eq!(layout.edges.len(), 7);
        assert!(node(&layout, "apply").start && !node(&layout, "accept").start);
        assert!(node(&layout, "grant").end && !node(&layout, "decide").end);
        let texts: Vec<&str> = node(&layout, "accept")
            .lines
            .iter()
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(texts, ["受理", "窗口工作人员", "5个工作日"]);
        assert_eq!(node(&layout, "apply").lines[2].text, "即时办结");
        assert_eq!(node(&layout, "grant").lines.len(), 1);
        let layers: [&[&str]; 5] = [
            &["apply"],
            &["accept", "reject"],
            &["review"],
            &["decide"],
            &["grant", "deny"],
        ];
        let mut last_y = -1.0;
        for layer in layers {
            let y = node(&layout, layer[0]).y;
            assert!(y > last_y, "{layer:?}");
            for key in layer {
                assert_eq!(node(&layout, key).y, y, "{key}");
            }
            last_y = y;
        }
        for edge in &layout.edges {
            assert_eq!(
                edge.back,
                edge.from == "review" && edge.to == "apply",
                "{edge:?}"
            );
        }
        let back = layout.edges.iter().find(|e| e.back).unwrap();
        assert_eq!(back.label, "补正");
        let refuse = layout.edges.iter().find(|e| e.to == "reject").unwrap();
        assert_eq!(refuse.label, "不予通过");
    }

    #[test]
    fn layout_edges_go_down_or_through_the_right_channel() {
        for flow in [licence(), twenty()] {
            let layout = layout(&flow);
            assert_boxes_fit(&layout);
            let right = layout.nodes.iter().map(|n| n.x + n.w).fold(0.0, f64::max);
            for edge in &layout.edges {
                let pts = points(edge);
                let (from, to) = (node(&layout, &edge.from), node(&layout, &edge.to));
                if edge.back {
                    assert!(to.y <= from.y, "{edge:?}");
                    let channel = pts.iter().map(|p| p.0).fold(0.0, f64::max);
                    assert!(channel > right, "{edge:?}");
                    assert_eq!(pts[0], (from.x + from.w, pts[0].1));
                    assert!(pts[0].1 > from.y && pts[0].1 < from.y + from.h);
                    let last = pts[pts.len() - 1];
                    assert_eq!(last.0, to.x + to.w);
                    assert!(last.1 > to.y && last.1 < to.y + to.h);
                } else {
                    assert!(to.y > from.y, "{edge:?}");
                    assert!(pts.windows(2).all(|w| w[1].1 >= w[0].1), "{edge:?}");
                    assert_eq!(pts[0].1, from.y + from.h);
                    assert_eq!(pts[pts.len() - 1].1, to.y);
                    assert!((from.x..=from.x + from.w).contains(&pts[0].0));
                    assert!((to.x..=to.x + to.w).contains(&pts[pts.len() - 1].0));
                }
            }
        }
    }

    #[test]
    fn layout_back_edges_have_their_own_channels() {
        let layout = layout(&twenty());
        let channels: Vec<f64> = layout
            .edges
            .iter()
            .filter(|e| e.back)
            .map(|e| points(e).iter().map(|p| p.0).fold(0.0, f64::max))
            .collect();
        assert_eq!(channels.len(), 2);
        assert!((channels[0] - channels[1]).abs() >= 14.0, "{channels:?}");
    }

    #[test]
    fn layout_layers_share_y() {
        for flow in [licence(), twenty()] {
            let layout = layout(&flow);
            let rank = ranks(&Graph::new(&flow));
            for (a, ra) in layout.nodes.iter().zip(&rank) {
                for (b, rb) in layout.nodes.iter().zip(&rank) {
                    match ra.cmp(rb) {
                        std::cmp::Ordering::Equal => assert_eq!(a.y, b.y),
                        std::cmp::Ordering::Less => assert!(a.y + a.h < b.y),
                        std::cmp::Ordering::Greater => assert!(b.y + b.h < a.y),
                    }
                }
            }
        }
    }

    #[test]
    fn layout_twenty_steps_is_narrow() {
        let flow = twenty();
        assert_eq!(flow.validate(), vec![]);
        let rank = ranks(&Graph::new(&flow));
        for r in 0..=rank.iter().copied().max().unwrap() {
            assert!(rank.iter().filter(|&&x| x == r).count() <= 3);
        }
        let layout = layout(&flow);
        assert_eq!(layout.nodes.len(), 20);
        assert!(layout.width <= 700.0, "width {}", layout.width);
        assert_boxes_fit(&layout);
        // Its speed is measured by `bench/power.sh`, not here.
    }

    #[test]
    fn layout_is_deterministic() {
        for flow in [licence(), twenty()] {
            let a = layout(&flow);
            let b = layout(&flow.clone());
            assert_eq!(a, b);
            assert_eq!(
                serde_json::to_string(&a).unwrap(),
                serde_json::to_string(&b).unwrap()
            );
        }
    }

    #[test]
    fn layout_rounds_to_one_decimal() {
        let layout = layout(&twenty());
        let one = |x: f64| ((x * 10.0).round() - x * 10.0).abs() < 1e-6;
        assert!(one(layout.width) && one(layout.height));
        for n in &layout.nodes {
            assert!(one(n.x) && one(n.y) && one(n.h));
            assert!(n.lines.iter().all(|l| one(l.x) && one(l.y)));
        }
        for e in &layout.edges {
            assert!(one(e.label_x) && one(e.label_y));
            assert!(points(e).iter().all(|&(x, y)| one(x) && one(y)));
        }
    }

    #[test]
    fn layout_of_broken_flows() {
        let empty = layout(&Flow::default());
        assert!(empty.nodes.is_empty() && empty.edges.is_empty());
        assert!(empty.width > 0.0 && empty.height > 0.0);

        let mut flow = licence();
        flow.transitions.push(tr("decide", "nowhere", Next));
        flow.transitions.push(tr("ghost", "grant", Next));
        flow.transitions.push(tr("review", "review", Correct));
        flow.steps.push(task("orphan", "核查", Limit::None));
        flow.steps.push(task("orphan2", "复核", Limit::Days(1)));
        flow.transitions.push(tr("orphan", "orphan2", Next));
        flow.transitions.push(tr("orphan2", "apply", Next));
        flow.steps.push(task("review", "重复标识", Limit::Days(1)));
        let layout = layout(&flow);
        assert_boxes_fit(&layout);
        assert_eq!(layout.nodes.len(), flow.steps.len());
        // Unknown endpoints are skipped; the rest is drawn.
        assert_eq!(layout.edges.len(), flow.transitions.len() - 2);
        // Unreachable steps sit below every reachable one.
        let lowest = ["grant", "deny"].map(|k| node(&layout, k).y + node(&layout, k).h);
        assert!(node(&layout, "orphan").y > lowest[0].max(lowest[1]));
        assert!(node(&layout, "orphan2").y > node(&layout, "orphan").y);
        let self_loop = layout
            .edges
            .iter()
            .find(|e| e.from == "review" && e.to == "review")
            .unwrap();
        assert!(self_loop.back);
        let up = layout.edges.iter().find(|e| e.from == "orphan2").unwrap();
        assert!(up.back);
    }

    #[test]
    fn layout_avoids_boxes_beside_a_back_edge() {
        // 审查 shares its layer with a step to its right; its back edge goes round below.
        let mut flow = licence();
        flow.steps.push(task("hearing", "听证", Limit::Days(10)));
        flow.transitions.push(tr("accept", "hearing", Next));
        flow.transitions.push(tr("hearing", "decide", Next));
        let layout = layout(&flow);
        assert_boxes_fit(&layout);
        for edge in layout.edges.iter().filter(|e| e.back) {
            let pts = points(edge);
            for seg in pts.windows(2) {
                for n in &layout.nodes {
                    // Segments are axis-parallel; none may pass through a box's inside.
                    let (x0, x1) = (seg[0].0.min(seg[1].0), seg[0].0.max(seg[1].0));
                    let (y0, y1) = (seg[0].1.min(seg[1].1), seg[0].1.max(seg[1].1));
                    let crosses = x0 < n.x + n.w && x1 > n.x && y0 < n.y + n.h && y1 > n.y;
                    assert!(!crosses, "{edge:?} crosses {}", n.key);
                }
            }
        }
    }

    #[test]
    fn layout_labels_of_converging_edges_do_not_overlap() {
        // 审查 and 听证 both lead to 决定 with the same label.
        let mut flow = licence();
        flow.steps.push(task("hearing", "听证", Limit::Days(10)));
        flow.transitions.push(tr("accept", "hearing", Next));
        flow.transitions.push(tr("hearing", "decide", Next));
        flow.transitions.push(tr("accept", "grant", Approve));
        for flow in [flow, licence(), twenty()] {
            let layout = layout(&flow);
            let rects: Vec<Rect> = layout
                .edges
                .iter()
                .filter(|e| !e.back)
                .map(|e| {
                    let half = text_width(&e.label, SMALL_FONT) / 2.0;
                    label_rect(e.label_x, e.label_y, half)
                })
                .collect();
            for (i, a) in rects.iter().enumerate() {
                for b in &rects[i + 1..] {
                    assert!(!overlaps(a, b), "{layout:?}");
                }
                for n in &layout.nodes {
                    let r = Rect {
                        x0: n.x,
                        y0: n.y,
                        x1: n.x + n.w,
                        y1: n.y + n.h,
                    };
                    assert!(!overlaps(a, &r), "{}", n.key);
                }
            }
        }
    }
}
