//! Findings as LSP diagnostics.

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Url,
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
        related_information: related_information(finding, lines),
        tags,
        data: None,
    }
}

/// The other locations of a finding (every import of a circular-import chain). Their
/// offsets index into their own file's text: the open document's when the location is in
/// it, otherwise the file as decoded from disk (a file that cannot be read is left out).
fn related_information(
    finding: &Finding,
    lines: &LineMap,
) -> Option<Vec<DiagnosticRelatedInformation>> {
    if finding.related.is_empty() {
        return None;
    }
    let items = finding
        .related
        .iter()
        .filter_map(|related| {
            let uri = Url::from_file_path(&related.path).ok()?;
            let end = related.offset + related.length;
            let range = if related.path == finding.path {
                lines.range(related.offset, end)
            } else {
                let text = crate::source::decode(std::fs::read(&related.path).ok()?).ok()?;
                LineMap::new(&text, lines.encoding()).range(related.offset, end)
            };
            Some(DiagnosticRelatedInformation {
                location: Location { uri, range },
                message: related.message.clone(),
            })
        })
        .collect();
    Some(items)
}
