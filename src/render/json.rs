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
    /// Always null until fixes land.
    fix: Option<()>,
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
        fix: None,
    }
}
