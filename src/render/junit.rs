//! JUnit XML, which CI systems show as test results: one suite per file, one failed
//! test case per finding.

use std::io::{self, Write};

use crate::finding::Finding;

pub fn write(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="pitfall" tests="{0}" failures="{0}" errors="0">"#,
        findings.len()
    )?;
    for file in findings.chunk_by(|a, b| a.path == b.path) {
        let path = escape(&file[0].path.to_string_lossy());
        writeln!(
            out,
            r#"  <testsuite name="{path}" tests="{0}" failures="{0}" errors="0">"#,
            file.len()
        )?;
        for f in file {
            writeln!(
                out,
                r#"    <testcase name="{} {}" classname="{path}" file="{path}" line="{}">"#,
                f.rule.code, f.rule.name, f.start.line
            )?;
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}:{}: {}</failure>"#,
                escape(&f.message),
                f.severity.as_str(),
                f.start.line,
                f.start.column,
                escape(f.help.as_deref().unwrap_or(&f.message))
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// Escapes text for XML attributes and content; drops characters XML 1.0 forbids.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' | '\r' => escaped.push(c),
            c if (c as u32) < 0x20 => {}
            c => escaped.push(c),
        }
    }
    escaped
}
