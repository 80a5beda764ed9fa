//! The rollout manifest as the rules see it: typed values, each with the
//! JSON pointer of its YAML node so that a finding lands on its line and
//! column. Built leniently from the YAML value: ill-typed nodes are left out
//! (the JSON Schema reports them).

use std::ops::Range;

use serde_json::Value;

use crate::finding::{Finding, Location};
use crate::rule::RuleMeta;
use crate::yaml::{escape_pointer, YamlDoc};

/// A value and where it is in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<T> {
    pub value: T,
    /// JSON pointer of the YAML node.
    pub ptr: String,
}

/// The unit a value carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Percent,
    Millis,
    Seconds,
    Minutes,
    Hours,
    Days,
    /// A plain number (a count, or a ratio written without `%`).
    None,
}

/// What kind of quantity a unit measures: only values of one dimension compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Percent,
    Time,
    Plain,
}

impl Unit {
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Millis => "ms",
            Unit::Seconds => "s",
            Unit::Minutes => "m",
            Unit::Hours => "h",
            Unit::Days => "d",
            Unit::None => "",
        }
    }

    fn parse(s: &str) -> Option<Unit> {
        Some(match s {
            "%" => Unit::Percent,
            "ms" => Unit::Millis,
            "s" => Unit::Seconds,
            "m" => Unit::Minutes,
            "h" => Unit::Hours,
            "d" => Unit::Days,
            "" => Unit::None,
            _ => return None,
        })
    }

    pub fn dimension(self) -> Dimension {
        match self {
            Unit::Percent => Dimension::Percent,
            Unit::None => Dimension::Plain,
            _ => Dimension::Time,
        }
    }

    /// Milliseconds per unit, for durations.
    fn millis(self) -> f64 {
        match self {
            Unit::Millis => 1.0,
            Unit::Seconds => 1_000.0,
            Unit::Minutes => 60_000.0,
            Unit::Hours => 3_600_000.0,
            Unit::Days => 86_400_000.0,
            _ => 1.0,
        }
    }
}

/// A number with its unit, as written (`2%`, `500ms`, `0.05`, `3d`).
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub value: f64,
    pub unit: Unit,
    /// The value as written in the manifest.
    pub text: String,
}

impl Quantity {
    /// Reads a YAML number or a string such as `2%`, `500 ms`, `3d`.
    pub fn parse(v: &Value) -> Option<Quantity> {
        match v {
            Value::Number(n) => Some(Quantity {
                value: n.as_f64()?,
                unit: Unit::None,
                text: n.to_string(),
            }),
            Value::String(s) => {
                let t = s.trim();
                let split = t
                    .char_indices()
                    .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (c == '-' && i == 0)))
                    .map_or(t.len(), |(i, _)| i);
                let (num, unit) = t.split_at(split);
                let value: f64 = num.parse().ok()?;
                if !value.is_finite() {
                    return None;
                }
                Some(Quantity {
                    value,
                    unit: Unit::parse(unit.trim())?,
                    text: t.to_string(),
                })
            }
            _ => None,
        }
    }

    /// The value in its dimension's base unit (percent, milliseconds, plain).
    pub fn normalized(&self) -> (Dimension, f64) {
        match self.unit.dimension() {
            Dimension::Time => (Dimension::Time, self.value * self.unit.millis()),
            d => (d, self.value),
        }
    }

    /// Milliseconds, for a duration.
    pub fn millis(&self) -> Option<f64> {
        (self.unit.dimension() == Dimension::Time).then(|| self.value * self.unit.millis())
    }
}

/// `max` (pass at or below) or `min` (pass at or above).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Max,
    Min,
}

/// `above` or `below`: which side of the threshold rolls back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Above,
    Below,
}

/// A metric compared with a threshold over a window: an exit gate (`B` is
/// [`Bound`]: `max`/`min`) or a rollback trigger (`B` is [`Side`]: `above`/`below`).
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold<B> {
    pub ptr: String,
    pub metric: Node<String>,
    /// Which way the comparison goes.
    pub bound: B,
    pub threshold: Node<Quantity>,
    pub window: Option<Node<Quantity>>,
}

pub type ExitGate = Threshold<Bound>;
pub type RollbackTrigger = Threshold<Side>;

#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub ptr: String,
    pub index: usize,
    pub name: Option<Node<String>>,
    /// `audience` itself, when present.
    pub audience: Option<String>,
    pub percentage: Option<Node<f64>>,
    pub allowlist: Vec<Node<String>>,
    pub denylist: Vec<Node<String>>,
    pub steps: Vec<Node<f64>>,
    pub bake: Option<Node<Quantity>>,
    /// Pointer of the `exit` list when present.
    pub exit_ptr: Option<String>,
    pub exit: Vec<ExitGate>,
    pub rollback_ptr: Option<String>,
    pub rollback: Vec<RollbackTrigger>,
    pub approvers: Vec<String>,
    pub experiment: bool,
}

impl Phase {
    /// The phase's name for messages: its name, or its position.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("`{}`", n.value),
            None => format!("number {}", self.index + 1),
        }
    }

    /// The share of traffic the phase ends at (0 without a percentage).
    pub fn exposure(&self) -> f64 {
        self.percentage.as_ref().map_or(0.0, |p| p.value)
    }

    /// The phase has users: a share of traffic, or named tenants.
    /// An allowlist-only phase (internal, dogfood) is exposed at 0%.
    pub fn is_exposed(&self) -> bool {
        self.exposure() > 0.0 || self.steps.iter().any(|s| s.value > 0.0) || !self.allowlist.is_empty()
    }

    /// Where to point for something the phase lacks: its name, else the phase.
    pub fn anchor(&self) -> &str {
        self.name.as_ref().map_or(&self.ptr, |n| &n.ptr)
    }

    /// Where its exposure is written: the percentage, else the audience, else the phase.
    pub fn exposure_anchor(&self) -> &str {
        match (&self.percentage, &self.audience) {
            (Some(p), _) => &p.ptr,
            (None, Some(a)) => a,
            (None, None) => self.anchor(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistItem {
    pub ptr: String,
    pub item: Option<Node<String>>,
    /// `None` when absent; the node when present (possibly null or blank).
    pub owner: Option<Node<Option<String>>>,
    pub done: Option<Node<bool>>,
}

impl ChecklistItem {
    pub fn is_done(&self) -> bool {
        self.done.as_ref().is_some_and(|d| d.value)
    }

    pub fn label(&self) -> String {
        self.item
            .as_ref()
            .map_or_else(|| "(unnamed)".to_string(), |i| i.value.clone())
    }
}

/// One parsed manifest with positions.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// Path relative to the repository root.
    pub path: String,
    pub src: String,
    pub doc: YamlDoc,
    line_starts: Vec<usize>,
    pub feature: Option<Node<String>>,
    pub owner: Option<Node<String>>,
    pub flag: Option<Node<String>>,
    pub kill_switch: Option<Node<String>>,
    pub rollback_plan: Option<Node<String>>,
    /// Whether `rollback_plan` names a file of the repository (resolved by the input module).
    pub rollback_plan_exists: bool,
    pub current_phase: Option<Node<String>>,
    /// Top-level `experiment: true`.
    pub experiment: bool,
    pub phases: Vec<Phase>,
    pub checklist: Vec<ChecklistItem>,
}

fn string(v: &Value, ptr: &str) -> Option<Node<String>> {
    v.as_str().map(|s| Node {
        value: s.to_string(),
        ptr: ptr.to_string(),
    })
}

fn percent(v: &Value, ptr: &str) -> Option<Node<f64>> {
    let q = Quantity::parse(v)?;
    matches!(q.unit, Unit::Percent | Unit::None).then(|| Node {
        value: q.value,
        ptr: ptr.to_string(),
    })
}

fn quantity(v: &Value, ptr: &str) -> Option<Node<Quantity>> {
    Quantity::parse(v).map(|q| Node {
        value: q,
        ptr: ptr.to_string(),
    })
}

fn child(ptr: &str, key: &str) -> String {
    format!("{ptr}/{}", escape_pointer(key))
}

fn list<'v>(v: &'v Value, key: &str, ptr: &str) -> (Option<String>, Vec<(&'v Value, String)>) {
    match v.get(key) {
        Some(Value::Array(items)) => {
            let base = child(ptr, key);
            let items = items
                .iter()
                .enumerate()
                .map(|(i, item)| (item, format!("{base}/{i}")))
                .collect();
            (Some(base), items)
        }
        Some(_) => (Some(child(ptr, key)), Vec::new()),
        None => (None, Vec::new()),
    }
}

fn strings(v: &Value, key: &str, ptr: &str) -> Vec<Node<String>> {
    list(v, key, ptr)
        .1
        .into_iter()
        .filter_map(|(item, p)| string(item, &p))
        .collect()
}

/// A metric with exactly one of the two threshold keys (`max`/`min` for an
/// exit gate, `above`/`below` for a rollback trigger).
fn threshold<B: Copy>(v: &Value, ptr: &str, keys: [(&str, B); 2]) -> Option<Threshold<B>> {
    let metric = string(v.get("metric")?, &child(ptr, "metric"))?;
    let [(k1, b1), (k2, b2)] = keys;
    let (bound, key) = match (v.get(k1), v.get(k2)) {
        (Some(_), None) => (b1, k1),
        (None, Some(_)) => (b2, k2),
        _ => return None,
    };
    Some(Threshold {
        ptr: ptr.to_string(),
        metric,
        bound,
        threshold: quantity(v.get(key)?, &child(ptr, key))?,
        window: v.get("window").and_then(|w| quantity(w, &child(ptr, "window"))),
    })
}

fn exit_gate(v: &Value, ptr: &str) -> Option<ExitGate> {
    threshold(v, ptr, [("max", Bound::Max), ("min", Bound::Min)])
}

fn rollback_trigger(v: &Value, ptr: &str) -> Option<RollbackTrigger> {
    threshold(v, ptr, [("above", Side::Above), ("below", Side::Below)])
}

fn phase(v: &Value, ptr: &str, index: usize) -> Phase {
    let audience_ptr = child(ptr, "audience");
    let audience = v.get("audience").filter(|a| a.is_object());
    let empty = Value::Null;
    let a = audience.unwrap_or(&empty);
    let (exit_ptr, exits) = list(v, "exit", ptr);
    let (rollback_ptr, rollbacks) = list(v, "rollback", ptr);
    Phase {
        ptr: ptr.to_string(),
        index,
        name: v.get("name").and_then(|n| string(n, &child(ptr, "name"))),
        audience: audience.map(|_| audience_ptr.clone()),
        percentage: a
            .get("percentage")
            .and_then(|p| percent(p, &child(&audience_ptr, "percentage"))),
        allowlist: strings(a, "allowlist", &audience_ptr),
        denylist: strings(a, "denylist", &audience_ptr),
        steps: list(v, "steps", ptr)
            .1
            .into_iter()
            .filter_map(|(s, p)| percent(s, &p))
            .collect(),
        bake: v.get("bake").and_then(|b| quantity(b, &child(ptr, "bake"))),
        exit_ptr,
        exit: exits.into_iter().filter_map(|(g, p)| exit_gate(g, &p)).collect(),
        rollback_ptr,
        rollback: rollbacks
            .into_iter()
            .filter_map(|(t, p)| rollback_trigger(t, &p))
            .collect(),
        approvers: strings(v, "approvers", ptr).into_iter().map(|n| n.value).collect(),
        experiment: v.get("experiment").and_then(Value::as_bool).unwrap_or(false),
    }
}

fn checklist_item(v: &Value, ptr: &str) -> ChecklistItem {
    ChecklistItem {
        ptr: ptr.to_string(),
        item: v.get("item").and_then(|i| string(i, &child(ptr, "item"))),
        owner: v.get("owner").map(|o| Node {
            value: o.as_str().map(str::to_string),
            ptr: child(ptr, "owner"),
        }),
        done: v.get("done").and_then(Value::as_bool).map(|d| Node {
            value: d,
            ptr: child(ptr, "done"),
        }),
    }
}

impl Manifest {
    /// Builds the model of a parsed YAML document.
    pub fn new(path: String, src: String, doc: YamlDoc) -> Manifest {
        let mut line_starts = vec![0];
        line_starts.extend(src.bytes().enumerate().filter(|&(_, c)| c == b'\n').map(|(i, _)| i + 1));
        let v = &doc.value;
        let top = |key: &str| v.get(key).and_then(|n| string(n, &format!("/{key}")));
        let phases = list(v, "phases", "")
            .1
            .into_iter()
            .enumerate()
            .filter(|(_, (p, _))| p.is_object())
            .map(|(i, (p, ptr))| phase(p, &ptr, i))
            .collect();
        let checklist = list(v, "checklist", "")
            .1
            .into_iter()
            .filter(|(c, _)| c.is_object())
            .map(|(c, ptr)| checklist_item(c, &ptr))
            .collect();
        Manifest {
            feature: top("feature"),
            owner: top("owner"),
            flag: top("flag"),
            kill_switch: top("kill_switch"),
            rollback_plan: top("rollback_plan"),
            rollback_plan_exists: false,
            current_phase: top("current_phase"),
            experiment: v.get("experiment").and_then(Value::as_bool).unwrap_or(false),
            phases,
            checklist,
            path,
            src,
            doc,
            line_starts,
        }
    }

    /// The index of the phase named `name`.
    pub fn phase_index(&self, name: &str) -> Option<usize> {
        self.phases
            .iter()
            .position(|p| p.name.as_ref().is_some_and(|n| n.value == name))
    }

    /// The `bake` of the phase named `name`, when it has one.
    pub fn bake(&self, name: &str) -> Option<&Node<Quantity>> {
        self.phases[self.phase_index(name)?].bake.as_ref()
    }

    /// The phase `current_phase` names.
    pub fn current_index(&self) -> Option<usize> {
        self.phase_index(&self.current_phase.as_ref()?.value)
    }

    /// 1-based line and column of byte `offset`.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.line_starts[line];
        let col = self
            .src
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// The location of a byte range (end exclusive).
    pub fn location(&self, span: &Range<usize>) -> Location {
        let (line, column) = self.position(span.start);
        let last = span.end.max(span.start + 1) - 1;
        let (end_line, end_column) = self.position(last);
        Location {
            line,
            column,
            end_line,
            end_column: end_column + 1,
        }
    }

    /// Whether the node at `ptr` sits inside a flow collection (`[...]`, `{...}`).
    fn in_flow(&self, ptr: &str) -> bool {
        let mut p = ptr;
        while let Some(i) = p.rfind('/') {
            p = &p[..i];
            if let Some(pos) = self.doc.values.get(p) {
                if matches!(self.src.as_bytes().get(pos.offset), Some(b'[' | b'{')) {
                    return true;
                }
            }
        }
        false
    }

    /// The byte range of the value at `ptr` (or of its nearest ancestor).
    pub fn span(&self, ptr: &str) -> Range<usize> {
        let start = self.doc.locate(ptr).offset.min(self.src.len());
        start..node_end(&self.src, start, self.in_flow(ptr), false)
    }

    /// The byte range of the key of `ptr`, or of its value when it has no key.
    pub fn key_span(&self, ptr: &str) -> Range<usize> {
        match self.doc.keys.get(ptr) {
            Some(pos) => {
                let start = pos.offset.min(self.src.len());
                start..node_end(&self.src, start, self.in_flow(ptr), true)
            }
            None => self.span(ptr),
        }
    }

    /// A finding on the value at `ptr`.
    pub fn finding(
        &self,
        meta: &'static RuleMeta,
        ptr: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Finding {
        let span = self.span(ptr);
        let loc = self.location(&span);
        Finding::new(meta, message).help(help).at(&self.path, span, loc)
    }

    /// A finding on the key of `ptr`.
    pub fn finding_at_key(
        &self,
        meta: &'static RuleMeta,
        ptr: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Finding {
        let span = self.key_span(ptr);
        let loc = self.location(&span);
        Finding::new(meta, message).help(help).at(&self.path, span, loc)
    }

    /// The 1-based line of the node at `ptr`, for messages that name another place.
    pub fn line_of(&self, ptr: &str) -> usize {
        self.doc.locate(ptr).line
    }
}

/// Where the YAML node starting at `start` ends: a quoted scalar at its
/// closing quote, a flow collection at its closing bracket, a plain scalar
/// at the end of its line (or at `,`, `]`, `}` inside a flow collection, or
/// at `: ` for a key), without a trailing comment.
pub fn node_end(src: &str, start: usize, flow: bool, key: bool) -> usize {
    let bytes = src.as_bytes();
    let line_end = src[start..].find('\n').map_or(src.len(), |i| start + i);
    let end = match bytes.get(start) {
        None => return start,
        Some(b'"') => {
            let mut i = start + 1;
            loop {
                match bytes.get(i) {
                    None => break src.len(),
                    Some(b'\\') => i += 2,
                    Some(b'"') => break i + 1,
                    Some(_) => i += 1,
                }
            }
        }
        Some(b'\'') => {
            let mut i = start + 1;
            loop {
                match (bytes.get(i), bytes.get(i + 1)) {
                    (None, _) => break src.len(),
                    (Some(b'\''), Some(b'\'')) => i += 2,
                    (Some(b'\''), _) => break i + 1,
                    _ => i += 1,
                }
            }
        }
        Some(b'[' | b'{') => {
            let mut depth = 0usize;
            let mut quote: Option<u8> = None;
            let mut i = start;
            loop {
                let Some(&c) = bytes.get(i) else { break line_end };
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(b'"'), b'\\') => i += 1,
                    (Some(_), _) => {}
                    (None, b'"' | b'\'') => quote = Some(c),
                    (None, b'[' | b'{') => depth += 1,
                    (None, b']' | b'}') => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            break i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        Some(_) => {
            let line = &src[start..line_end];
            let mut cut = line.len();
            if let Some(i) = line.find(" #") {
                cut = cut.min(i);
            }
            if flow {
                if let Some(i) = line.find([',', ']', '}']) {
                    cut = cut.min(i);
                }
            }
            if key {
                if let Some(i) = line.find(": ") {
                    cut = cut.min(i);
                } else if line.trim_end().ends_with(':') {
                    cut = cut.min(line.trim_end().len() - 1);
                }
            }
            start + line[..cut].trim_end().len()
        }
    };
    let mut end = end.min(src.len()).max((start + 1).min(src.len()));
    while !src.is_char_boundary(end) {
        end += 1;
    }
    end
}

/// A number as a manifest writes it: `10`, `12.5`, `0.05`.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(src: &str) -> Manifest {
        Manifest::new("m.yml".into(), src.into(), crate::yaml::parse(src).unwrap())
    }

    #[test]
    fn quantities_keep_their_units() {
        let q = Quantity::parse(&Value::String("500ms".into())).unwrap();
        assert_eq!((q.value, q.unit), (500.0, Unit::Millis));
        assert_eq!(
            Quantity::parse(&Value::String("5m".into())).unwrap().millis(),
            Some(300_000.0)
        );
        assert_eq!(Quantity::parse(&serde_json::json!(0.05)).unwrap().unit, Unit::None);
        assert_eq!(
            Quantity::parse(&Value::String("2 %".into())).unwrap().unit,
            Unit::Percent
        );
        assert!(Quantity::parse(&Value::String("5 percent".into())).is_none());
        assert!(Quantity::parse(&Value::String("%".into())).is_none());
    }

    #[test]
    fn spans_cover_the_node() {
        let m = manifest("a: { percentage: 10, x: \"q, r\" }\nb: plain text # note\nc:\n  - [1, 2]\n");
        let s = m.span("/a/percentage");
        assert_eq!(&m.src[s], "10");
        let s = m.span("/a/x");
        assert_eq!(&m.src[s], "\"q, r\"");
        let s = m.span("/b");
        assert_eq!(&m.src[s], "plain text");
        let s = m.key_span("/a/percentage");
        assert_eq!(&m.src[s], "percentage");
        let s = m.span("/c/0");
        assert_eq!(&m.src[s], "[1, 2]");
        assert_eq!(m.location(&m.span("/b")).line, 2);
    }

    #[test]
    fn allowlist_only_phases_are_exposed_at_zero() {
        let m = manifest("phases:\n  - name: internal\n    audience: { allowlist: [team] }\n");
        let p = &m.phases[0];
        assert_eq!(p.exposure(), 0.0);
        assert!(p.is_exposed());
    }
}
