//! Renderers: turn findings into text. Only this module knows about output formats.

mod concise;
mod full;
mod github;
mod grouped;
mod json;
mod junit;
mod sarif;
mod statistics;

pub use statistics::write as write_statistics;

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use clap::ValueEnum;

use crate::finding::Finding;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A report per finding with the source snippet, a help line and the doc link.
    Full,
    /// One line per finding: `path:line:col: CODE [rule-name] message`.
    Concise,
    /// A JSON array of findings.
    Json,
    /// One JSON object per line.
    JsonLines,
    /// SARIF 2.1.0, as GitHub code scanning accepts it.
    Sarif,
    /// GitHub Actions workflow annotations (`::warning file=...::message`).
    Github,
    /// Findings listed under each file name.
    Grouped,
    /// JUnit XML: a test suite per file, a failed test case per finding.
    Junit,
}

/// How the full report decorates its output.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// OSC 8 hyperlinks for the doc links, on terminals that support them.
    pub links: bool,
    pub width: usize,
    /// Teach mode (`--explain`): why each finding bites and its fix, under the finding.
    pub teach: bool,
}

/// Writes `findings` (already sorted) in `format`. `sources` holds the decoded text of
/// each file with findings, which only the full format reads.
pub fn write(
    out: &mut dyn Write,
    format: OutputFormat,
    findings: &[Finding],
    sources: &HashMap<PathBuf, Arc<str>>,
    style: Style,
) -> io::Result<()> {
    match format {
        OutputFormat::Full => full::write(out, findings, sources, style),
        OutputFormat::Concise => concise::write(out, findings, sources, style),
        OutputFormat::Json => json::write(out, findings),
        OutputFormat::JsonLines => json::write_lines(out, findings),
        OutputFormat::Sarif => sarif::write(out, findings),
        OutputFormat::Github => github::write(out, findings),
        OutputFormat::Grouped => grouped::write(out, findings),
        OutputFormat::Junit => junit::write(out, findings),
    }
}
