//! `--format sarif`: SARIF 2.1.0 for code scanning.

use serde_json::{json, Value};

use crate::app::Report;
use crate::finding::Severity;

pub fn value(report: &Report) -> Value {
    let mut ids: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    ids.sort_unstable();
    ids.dedup();
    let rules: Vec<Value> = ids
        .iter()
        .filter_map(|id| crate::registry::find(id))
        .map(|m| {
            json!({
                "id": m.id,
                "name": m.id,
                "shortDescription": {"text": m.summary()},
                "fullDescription": {"text": m.summary()},
                "help": {"text": m.summary(), "markdown": crate::registry::page(m)},
                "defaultConfiguration": {"level": level(m.default)},
                "properties": {"tags": [m.domain.as_str()]},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut r = json!({
                "ruleId": f.rule,
                "ruleIndex": ids.iter().position(|i| *i == f.rule),
                "level": level(f.severity),
                "message": {"text": match &f.help { Some(h) => format!("{}\nhelp: {h}", f.message), None => f.message.clone() }},
            });
            if let Some(file) = &f.file {
                let mut phys = json!({"artifactLocation": {"uri": uri(file)}});
                if let Some(l) = f.location {
                    phys["region"] = json!({"startLine": l.line, "startColumn": l.column, "endLine": l.end_line, "endColumn": l.end_column});
                }
                r["locations"] = json!([{"physicalLocation": phys}]);
            }
            let related: Vec<Value> = f
                .related
                .iter()
                .filter_map(|rel| {
                    let file = rel.file.as_ref().or(f.file.as_ref())?;
                    let l = rel.location;
                    Some(json!({
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri(file)},
                            "region": {"startLine": l.line, "startColumn": l.column, "endLine": l.end_line, "endColumn": l.end_column},
                        },
                        "message": {"text": rel.label},
                    }))
                })
                .enumerate()
                .map(|(i, mut v)| {
                    v["id"] = json!(i);
                    v
                })
                .collect();
            if !related.is_empty() {
                r["relatedLocations"] = Value::Array(related);
            }
            if f.approved {
                r["suppressions"] = json!([{"kind": "inSource", "justification": f.approval_reason.clone().unwrap_or_default()}]);
            }
            r
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "shipgate",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/shipgate/shipgate",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A relative URI reference for a repository path (spaces and the like percent-encoded).
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&value(report)).expect("sarif serialises");
    s.push('\n');
    s
}
