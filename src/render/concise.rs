use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use super::Style;
use crate::finding::Finding;

pub fn write(
    out: &mut dyn Write,
    findings: &[Finding],
    sources: &HashMap<PathBuf, Arc<str>>,
    style: Style,
) -> io::Result<()> {
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
        if style.teach {
            let source = sources.get(&f.path).map(|s| &**s);
            crate::explain::teach::write(out, f, source, style, false)?;
        }
    }
    Ok(())
}
