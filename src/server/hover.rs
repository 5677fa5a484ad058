//! Hover over a finding: the rule's short explanation, in Markdown.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use super::positions::LineMap;
use crate::finding::Finding;
use crate::rule::RuleMeta;

/// The explanation of every finding whose range contains `offset` (its ends included,
/// so that an empty range can be hovered too), or `None` when there is none.
pub fn hover(findings: &[Finding], offset: usize, lines: &LineMap) -> Option<Hover> {
    let mut hit: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.offset <= offset && offset <= f.offset + f.length)
        .collect();
    hit.dedup_by_key(|f| f.rule.code);
    let first = hit.first()?;
    let sections: Vec<String> = hit.iter().map(|f| explain(f)).collect();
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: Some(lines.range(first.offset, first.offset + first.length)),
    })
}

fn explain(finding: &Finding) -> String {
    let rule = finding.rule;
    let mut text = format!("**{}** `{}`: {}", rule.code, rule.name, rule.summary);
    if let Some(why) = why_section(rule) {
        text.push_str("\n\n");
        text.push_str(why);
    }
    if let Some(help) = &finding.help {
        text.push_str(&format!("\n\n**Fix:** {help}"));
    }
    text.push_str(&format!(
        "\n\n[Documentation of {}]({})",
        rule.name, finding.url
    ));
    text
}

/// The body of the "## Why is this bad?" section of the rule's doc.
pub fn why_section(rule: &RuleMeta) -> Option<&'static str> {
    let doc = rule.doc;
    let start = doc.find("## Why is this bad?")?;
    let body = &doc[start..];
    let body = &body[body.find('\n')? + 1..];
    let end = body.find("\n## ").unwrap_or(body.len());
    Some(body[..end].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_a_why_section() {
        for rule in crate::registry::all_meta() {
            let why = why_section(rule).unwrap_or_else(|| panic!("{} has no why", rule.name));
            assert!(!why.is_empty() && !why.contains("## "), "{}", rule.name);
        }
    }
}
