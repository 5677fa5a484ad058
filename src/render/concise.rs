use std::io::{self, Write};

use crate::finding::Finding;

pub fn write(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    for f in findings {
        writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            f.path.display(),
            f.start.line,
            f.start.column,
            f.rule.code,
            f.rule.name,
            f.message
        )?;
    }
    Ok(())
}
