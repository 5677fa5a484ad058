use std::io::{self, Write};

use serde::Serialize;

use crate::finding::Finding;

/// One finding as JSON; fields appear in this order.
#[derive(Serialize)]
struct JsonFinding<'f> {
    rule: &'static str,
    code: &'static str,
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'f str,
    help: Option<&'f str>,
    severity: &'static str,
    url: String,
    fix: Option<JsonFix<'f>>,
    /// Other places that belong to the finding (the other imports of an import cycle).
    related: Vec<JsonRelated<'f>>,
}

#[derive(Serialize)]
struct JsonRelated<'f> {
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'f str,
}

#[derive(Serialize)]
struct JsonFix<'f> {
    applicability: &'static str,
    message: &'f str,
    edits: Vec<JsonEdit<'f>>,
}

#[derive(Serialize)]
struct JsonEdit<'f> {
    start: JsonPosition,
    end: JsonPosition,
    content: &'f str,
}

#[derive(Serialize)]
struct JsonPosition {
    line: usize,
    column: usize,
}

pub fn write(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    let items: Vec<JsonFinding> = findings.iter().map(to_json).collect();
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
}

/// One compact JSON object per line, for streaming consumers.
pub fn write_lines(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    for finding in findings {
        serde_json::to_writer(&mut *out, &to_json(finding))?;
        writeln!(out)?;
    }
    Ok(())
}

fn to_json(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        rule: f.rule.name,
        code: f.rule.code,
        path: f.path.to_string_lossy().into_owned(),
        line: f.start.line,
        column: f.start.column,
        end_line: f.end.line,
        end_column: f.end.column,
        message: &f.message,
        help: f.help.as_deref(),
        severity: f.severity.as_str(),
        url: f.url.clone(),
        fix: f.fix.as_ref().map(|fix| JsonFix {
            applicability: fix.applicability.as_str(),
            message: &fix.message,
            edits: fix
                .edits
                .iter()
                .map(|e| JsonEdit {
                    start: JsonPosition {
                        line: e.start.line,
                        column: e.start.column,
                    },
                    end: JsonPosition {
                        line: e.end.line,
                        column: e.end.column,
                    },
                    content: &e.content,
                })
                .collect(),
        }),
        related: f
            .related
            .iter()
            .map(|r| JsonRelated {
                path: r.path.to_string_lossy().into_owned(),
                line: r.start.line,
                column: r.start.column,
                end_line: r.end.line,
                end_column: r.end.column,
                message: &r.message,
            })
            .collect(),
    }
}
