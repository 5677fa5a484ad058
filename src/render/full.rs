//! The human report, drawn by miette: snippet, label, help and doc link.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode, SourceSpan,
};

use super::Style;
use crate::finding::{Finding, RelatedLocation};
use crate::rule::Severity;

pub fn write(
    out: &mut dyn Write,
    findings: &[Finding],
    sources: &HashMap<PathBuf, Arc<str>>,
    style: Style,
) -> io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(style.links)
        .with_width(style.width);
    for finding in findings {
        let source = sources.get(&finding.path).cloned();
        let report = Report {
            finding,
            source: source.map(|text| NamedSource::new(finding.path.display().to_string(), text)),
            related: finding
                .related
                .iter()
                .map(|location| Related {
                    location,
                    source: sources.get(&location.path).map(|text| {
                        NamedSource::new(location.path.display().to_string(), text.clone())
                    }),
                })
                .collect(),
        };
        let mut text = String::new();
        handler
            .render_report(&mut text, &report)
            .map_err(|_| io::Error::other("could not format a finding"))?;
        writeln!(out, "{text}")?;
        if style.teach {
            let source = sources.get(&finding.path).map(|s| &**s);
            crate::explain::teach::write(out, finding, source, style, true)?;
        }
    }
    Ok(())
}

struct Report<'f> {
    finding: &'f Finding,
    source: Option<NamedSource<Arc<str>>>,
    /// The finding's other locations (possibly in other files), each drawn as a note
    /// with its own snippet under the main one.
    related: Vec<Related<'f>>,
}

struct Related<'f> {
    location: &'f RelatedLocation,
    source: Option<NamedSource<Arc<str>>>,
}

impl fmt::Debug for Related<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.location.message)
    }
}

impl fmt::Display for Related<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.location;
        if self.source.is_some() {
            f.write_str(&at.message)
        } else {
            // Without a snippet, the place must be in the text.
            write!(
                f,
                "{}:{}:{}: {}",
                at.path.display(),
                at.start.line,
                at.start.column,
                at.message
            )
        }
    }
}

impl std::error::Error for Related<'_> {}

impl miette::Diagnostic for Related<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let span = SourceSpan::new(self.location.offset.into(), self.location.length);
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".to_owned()),
            span,
        ))))
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let rule = self.finding.rule;
        Some(Box::new(format!("{} {}", rule.code, rule.name)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.finding.url.clone()))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let span = SourceSpan::new(self.finding.offset.into(), self.finding.length);
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.finding.rule.summary.to_owned()),
            span,
        ))))
    }
}
