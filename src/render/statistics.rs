//! `--statistics`: how many findings each rule produced, most first.

use std::collections::HashMap;
use std::io::{self, Write};

use crate::finding::Finding;
use crate::rule::FixAvailability;

pub fn write(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    let mut counts: HashMap<&'static str, (usize, &Finding)> = HashMap::new();
    for f in findings {
        counts.entry(f.rule.code).or_insert((0, f)).0 += 1;
    }
    let mut rows: Vec<(usize, &Finding)> = counts.into_values().collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.rule.code.cmp(b.1.rule.code)));
    let width = rows
        .iter()
        .map(|(n, _)| n.to_string().len())
        .max()
        .unwrap_or(1);
    let name_width = rows
        .iter()
        .map(|(_, f)| f.rule.name.len())
        .max()
        .unwrap_or(0);
    for (count, f) in rows {
        let fixable = match f.rule.fix {
            FixAvailability::None => "",
            FixAvailability::Sometimes | FixAvailability::Always => "[*] fixable",
        };
        let line = format!(
            "{count:>width$}  {}  {:<name_width$}  {fixable}",
            f.rule.code, f.rule.name
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}
