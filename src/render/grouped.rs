//! Findings under a heading per file, as ruff's `grouped` format.

use std::io::{self, Write};

use crate::finding::Finding;

pub fn write(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    let width = findings
        .iter()
        .map(|f| format!("{}:{}", f.start.line, f.start.column).len())
        .max()
        .unwrap_or(0);
    let mut current = None;
    for f in findings {
        if current != Some(&f.path) {
            if current.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}:", f.path.display())?;
            current = Some(&f.path);
        }
        let position = format!("{}:{}", f.start.line, f.start.column);
        writeln!(
            out,
            "  {position:<width$} {} [{}] {}",
            f.rule.code, f.rule.name, f.message
        )?;
    }
    Ok(())
}
