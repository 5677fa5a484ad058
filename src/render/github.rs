//! GitHub Actions workflow commands: each finding becomes an annotation on the diff.

use std::io::{self, Write};

use crate::finding::Finding;
use crate::rule::Severity;

pub fn write(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    for f in findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        writeln!(
            out,
            "::{level} title={},file={},line={},col={},endLine={},endColumn={}::{}",
            property(&format!("pitfall {} {}", f.rule.code, f.rule.name)),
            property(&f.path.to_string_lossy()),
            f.start.line,
            f.start.column,
            f.end.line,
            f.end.column,
            data(&format!(
                "{}:{}:{}: {} {}",
                f.path.display(),
                f.start.line,
                f.start.column,
                f.rule.code,
                f.message
            )),
        )?;
    }
    Ok(())
}

/// The message part of a workflow command: `%`, CR and LF must be escaped.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value additionally escapes `:` and `,`, which delimit properties.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}
