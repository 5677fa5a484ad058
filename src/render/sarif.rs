//! SARIF 2.1.0, the format GitHub code scanning and other dashboards import.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::finding::{DOCS_URL, Finding};
use crate::registry;
use crate::rule::{RuleMeta, Severity};

pub fn write(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    let rules: Vec<&'static RuleMeta> = registry::all_meta().collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "pitfall",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": DOCS_URL,
                    "rules": rules.iter().map(|rule| describe(rule)).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": findings.iter().map(|f| result(f, &rules)).collect::<Vec<_>>(),
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn describe(rule: &RuleMeta) -> Value {
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": rule.summary },
        "help": { "text": rule.doc, "markdown": rule.doc },
        "helpUri": format!("{}/{}.html", DOCS_URL.trim_end_matches('/'), rule.name),
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": { "tags": [rule.topic.title()] },
    })
}

fn result(f: &Finding, rules: &[&'static RuleMeta]) -> Value {
    let index = rules
        .iter()
        .position(|r| r.code == f.rule.code)
        .unwrap_or(0);
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let mut result = json!({
        "ruleId": f.rule.code,
        "ruleIndex": index,
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&f.path.to_string_lossy()) },
                "region": {
                    "startLine": f.start.line,
                    "startColumn": f.start.column,
                    "endLine": f.end.line,
                    "endColumn": f.end.column,
                }
            }
        }],
    });
    if !f.related.is_empty() {
        let related: Vec<Value> = f
            .related
            .iter()
            .enumerate()
            .map(|(id, r)| {
                json!({
                    "id": id,
                    "message": { "text": r.message },
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&r.path.to_string_lossy()) },
                        "region": {
                            "startLine": r.start.line,
                            "startColumn": r.start.column,
                            "endLine": r.end.line,
                            "endColumn": r.end.column,
                        }
                    }
                })
            })
            .collect();
        result["relatedLocations"] = json!(related);
    }
    if let Some(fix) = &f.fix {
        // A display-only suggestion is for people; SARIF consumers would apply it.
        if fix.applicability == crate::rule::Applicability::DisplayOnly {
            return result;
        }
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                json!({
                    "deletedRegion": {
                        "startLine": e.start.line,
                        "startColumn": e.start.column,
                        "endLine": e.end.line,
                        "endColumn": e.end.column,
                    },
                    "insertedContent": { "text": e.content },
                })
            })
            .collect();
        result["fixes"] = json!([{
            "description": { "text": format!("{} ({})", fix.message, fix.applicability.as_str()) },
            "artifactChanges": [{
                "artifactLocation": { "uri": uri(&f.path.to_string_lossy()) },
                "replacements": replacements,
            }],
        }]);
    }
    result
}

/// A relative URI reference for a path: forward slashes, and percent-encoding for the
/// characters a URI cannot hold as they are.
fn uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path);
    let mut encoded = String::with_capacity(path.len());
    for byte in path.replace('\\', "/").bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                encoded.push(byte as char)
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}
