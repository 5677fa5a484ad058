//! Findings as LSP diagnostics.

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    NumberOrString, Url,
};

use super::positions::LineMap;
use crate::finding::Finding;
use crate::rule::Severity;
use crate::rules::unused_noqa::UNUSED_NOQA;

/// What the editor shows as a diagnostic's origin.
pub const SOURCE: &str = "pitfall";

pub fn to_diagnostic(finding: &Finding, lines: &LineMap) -> Diagnostic {
    let severity = match finding.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    };
    // A stale `# noqa` is dead text: editors fade it out.
    let tags = (finding.rule.code == UNUSED_NOQA.code).then(|| vec![DiagnosticTag::UNNECESSARY]);
    Diagnostic {
        range: lines.range(finding.offset, finding.offset + finding.length),
        severity: Some(severity),
        code: Some(NumberOrString::String(finding.rule.code.to_owned())),
        code_description: Url::parse(&finding.url)
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_owned()),
        message: format!("{} [{}]", finding.message, finding.rule.name),
        related_information: related_information(finding),
        tags,
        data: None,
    }
}

/// CONVERSION POINT for findings with other locations (every import of a circular-import
/// chain). Findings carry no such list on this branch. When project-wide rules add one
/// (`Finding::related`, entries with a `path`, a byte `offset` and `length` into that
/// file's decoded text, and a `message`), map each entry here to a
/// `DiagnosticRelatedInformation`: the location's URI is `Url::from_file_path(path)`,
/// its range `LineMap::new(text of that file, encoding).range(offset, offset + length)`
/// (the open document's text when it is open, else the file read from disk), and the
/// message is the entry's.
fn related_information(_finding: &Finding) -> Option<Vec<DiagnosticRelatedInformation>> {
    None
}
