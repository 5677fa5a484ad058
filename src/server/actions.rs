//! Code actions: apply a finding's fix, disable the rule for the line, open the rule's
//! documentation, and fix everything safe (`source.fixAll.pitfall`, for fix-on-save).
//!
//! Every text change comes from the one fix engine (`crate::fix`); this module only
//! turns the engine's output into the smallest edit that produces it.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Command, Diagnostic, TextEdit, Url,
    WorkspaceEdit,
};

use super::diagnostics::to_diagnostic;
use super::positions::LineMap;
use super::suppress::{ByteEdit, noqa_edit};
use crate::ast;
use crate::finding::Finding;
use crate::fix::{FixMode, apply_once};
use crate::rule::Applicability;

/// The kind of the fix-everything action editors run on save.
pub const FIX_ALL: CodeActionKind = CodeActionKind::new("source.fixAll.pitfall");

/// The command behind "open the rule's documentation"; its argument is the URL.
pub const OPEN_DOCS: &str = "pitfall.openRuleDocs";

/// Whether the client asked for actions of `kind` (`only` lists kinds or their parents).
pub fn wants(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|wanted| {
            let (kind, wanted) = (kind.as_str(), wanted.as_str());
            kind == wanted
                || kind
                    .strip_prefix(wanted)
                    .is_some_and(|r| r.starts_with('.'))
        })
    })
}

/// What the actions for one document are built from.
pub struct Document<'a> {
    pub uri: &'a Url,
    pub text: &'a str,
    pub lines: &'a LineMap<'a>,
    pub is_stub: bool,
}

/// The quick fixes for the findings that touch the byte range `start..=end`: for each,
/// its fix, "disable for this line", and "open the documentation".
pub fn quick_fixes(
    doc: &Document,
    findings: &[Finding],
    start: usize,
    end: usize,
) -> Vec<CodeActionOrCommand> {
    let hits: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.offset <= end && start <= f.offset + f.length)
        .collect();
    if hits.is_empty() {
        return Vec::new();
    }
    let parsed = ast::parse(doc.text, doc.is_stub);
    let mut actions = Vec::new();
    let mut docs_offered = Vec::new();
    let mut noqa_offered = Vec::new();
    for finding in &hits {
        let diagnostic = to_diagnostic(finding, doc.lines);
        if let Some(action) = fix_action(doc, finding, &diagnostic) {
            actions.push(action);
        }
        let line = doc.lines.line_of(finding.offset);
        if !noqa_offered.contains(&(line, finding.rule.code))
            && let Some(edit) = noqa_edit(
                doc.text,
                doc.lines,
                &parsed.comments,
                parsed.errors.len(),
                finding,
                doc.is_stub,
            )
        {
            noqa_offered.push((line, finding.rule.code));
            actions.push(CodeAction {
                title: format!(
                    "Disable {} ({}) for this line",
                    finding.rule.code, finding.rule.name
                ),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(workspace_edit(doc, &edit)),
                ..CodeAction::default()
            });
        }
        if !docs_offered.contains(&finding.rule.code) {
            docs_offered.push(finding.rule.code);
            actions.push(CodeAction {
                title: format!(
                    "Open the documentation of {} ({})",
                    finding.rule.code, finding.rule.name
                ),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic]),
                command: Some(Command {
                    title: format!("Open {}", finding.url),
                    command: OPEN_DOCS.to_owned(),
                    arguments: Some(vec![serde_json::Value::String(finding.url.clone())]),
                }),
                ..CodeAction::default()
            });
        }
    }
    // The fixes first, so that the preferred one heads the menu.
    actions.sort_by_key(|action| action.edit.is_none() || action.title.starts_with("Disable"));
    actions
        .into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

/// The finding's own fix, applied alone by the fix engine. Safe fixes are preferred,
/// so that editors apply them with one key; unsafe ones say so in their title.
fn fix_action(doc: &Document, finding: &Finding, diagnostic: &Diagnostic) -> Option<CodeAction> {
    let fix = finding.fix.as_ref()?;
    let safe = fix.applicability == Applicability::Safe;
    let (fixed, applied) = apply_once(
        doc.text,
        std::slice::from_ref(finding),
        FixMode { unsafe_fixes: true },
    );
    let edit = smallest_edit(doc.text, &fixed).filter(|_| applied == 1)?;
    Some(CodeAction {
        title: format!(
            "Fix {}: {}{}",
            finding.rule.code,
            fix.message,
            if safe {
                ""
            } else {
                " (unsafe: may change behaviour)"
            }
        ),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(workspace_edit(doc, &edit)),
        is_preferred: Some(safe),
        ..CodeAction::default()
    })
}

/// The fix-all action for a document whose safe fixes, applied to a fixed point by
/// [`crate::fix::fix_source`], give `fixed`. `None` when nothing changes.
pub fn fix_all(doc: &Document, fixed: &str, count: usize) -> Option<CodeAction> {
    let edit = smallest_edit(doc.text, fixed)?;
    Some(CodeAction {
        title: format!(
            "Fix all safely fixable pitfalls ({count} fix{})",
            if count == 1 { "" } else { "es" }
        ),
        kind: Some(FIX_ALL),
        edit: Some(workspace_edit(doc, &edit)),
        ..CodeAction::default()
    })
}

fn workspace_edit(doc: &Document, edit: &ByteEdit) -> WorkspaceEdit {
    let text_edit = TextEdit {
        range: doc.lines.range(edit.start, edit.end),
        new_text: edit.content.clone(),
    };
    WorkspaceEdit {
        changes: Some(HashMap::from([(doc.uri.clone(), vec![text_edit])])),
        ..WorkspaceEdit::default()
    }
}

/// One replacement that turns `old` into `new`: everything between their common
/// prefix and common suffix. `None` when they are equal.
pub fn smallest_edit(old: &str, new: &str) -> Option<ByteEdit> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let room = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Some(ByteEdit {
        start: prefix,
        end: old.len() - suffix,
        content: new[prefix..new.len() - suffix].to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smallest_edit_rebuilds_the_new_text() {
        for (old, new) in [
            ("x == None\n", "x is None\n"),
            ("aaa", "aaaa"),
            ("abc", "ac"),
            ("é😀x", "é😁x"),
            ("", "new"),
            ("old", ""),
        ] {
            let edit = smallest_edit(old, new).unwrap();
            assert_eq!(edit.apply(old), new, "{old:?} -> {new:?}");
        }
        assert_eq!(smallest_edit("same", "same"), None);
        let edit = smallest_edit("if x == None:\n", "if x is None:\n").unwrap();
        assert_eq!((edit.start, edit.end, edit.content.as_str()), (5, 7, "is"));
    }

    #[test]
    fn kinds_match_their_parents() {
        let only = [CodeActionKind::SOURCE_FIX_ALL];
        assert!(wants(Some(&only), &FIX_ALL));
        assert!(!wants(Some(&only), &CodeActionKind::QUICKFIX));
        assert!(wants(None, &CodeActionKind::QUICKFIX));
        let only = [CodeActionKind::new("source.fix")];
        assert!(
            !wants(Some(&only), &FIX_ALL),
            "a prefix of a word is no parent"
        );
    }
}
