//! Intent comments: a comment that says a construct is deliberate lowers its finding to
//! `info`, which is hidden unless `--min-severity info`.
//!
//! The convention, applied once to every rule's findings after the rules ran:
//! - **where**: a trailing comment on the line the finding starts on, or the block of
//!   own-line comments directly above that line (no blank line in between);
//! - **what**: the comment says the code is meant to be that way, in one of the
//!   [`INTENT_PHRASES`] (`# must be == None`, `# intentionally broad`, `# deliberate`,
//!   `# on purpose`, `# by design`, ...);
//! - **not**: tool directives (`# noqa`, `# type:`, `# pragma:`, `# pylint:`, ...) and
//!   notes that flag a problem (`# TODO`, `# FIXME`, `# XXX`). A `# noqa` suppresses;
//!   an intent comment keeps the finding, one level that needs asking for.
//!
//! A comment may hold several parts (`# noqa: E711  # must be == None`); each part after
//! a `#` is judged on its own.

use std::collections::HashMap;

use crate::ast::TextRange;
use crate::rule::{Diagnostic, Severity};
use crate::source::SourceText;

/// Words and phrases that say the author chose the construct (matched in lower case).
pub const INTENT_PHRASES: &[&str] = &[
    "intentional",
    "intended",
    "deliberate",
    "on purpose",
    "purposely",
    "purposefully",
    "by design",
    "must be",
    "must stay",
    "must use",
    "cannot use",
    "can't use",
    "cannot be",
    "has to be",
    "needs to be",
    "need to be",
    "not a bug",
    "is fine",
    "is ok",
    "is safe",
    "safe to ",
    "don't care",
    "do not care",
    // A comment that names the alternative it turned down explains a choice
    // (`# compared with == instead of is: arg may be a NoneToken`).
    "instead of",
    "rather than",
];

/// Comment parts that are for a tool, not an explanation for a reader.
const DIRECTIVES: &[&str] = &[
    "noqa",
    "type:",
    "pragma",
    "pylint:",
    "mypy:",
    "pyright:",
    "fmt:",
    "isort:",
    "nosec",
    "pitfall:",
    "ruff:",
    "flake8:",
    "coverage:",
    // This project's fixture marker (`# error: <rule>`).
    "error:",
];

/// Notes that say something is wrong or unfinished, the opposite of intent.
const PROBLEM_NOTES: &[&str] = &["todo", "fixme", "xxx", "bug:", "hack"];

/// How many own-line comments above a finding are read.
const MAX_BLOCK_ABOVE: usize = 6;

/// The parts of a comment's text (from its first `#`), lower-cased and trimmed.
fn parts(comment: &str) -> impl Iterator<Item = String> + '_ {
    comment
        .split('#')
        .skip(1)
        .map(|part| part.trim().to_ascii_lowercase())
}

fn is_directive(part: &str) -> bool {
    DIRECTIVES
        .iter()
        .any(|directive| part.starts_with(directive))
}

fn is_problem_note(part: &str) -> bool {
    PROBLEM_NOTES.iter().any(|note| part.starts_with(note))
}

/// Whether a comment (its text from the `#`) explains anything at all: some part of it
/// is neither empty nor a tool directive. Rules use this where any explanation counts,
/// such as a comment inside an empty `except` handler (`pass  # optional module`).
pub fn explains(comment: &str) -> bool {
    parts(comment).any(|part| !part.is_empty() && !is_directive(&part) && !is_problem_note(&part))
}

/// Whether a comment (its text from the `#`) says the code is deliberate.
pub fn states_intent(comment: &str) -> bool {
    parts(comment).any(|part| {
        !is_directive(&part)
            && !is_problem_note(&part)
            && INTENT_PHRASES.iter().any(|phrase| part.contains(phrase))
    })
}

/// The comments of a file by line: whether each stands on a line of its own, and its text.
struct CommentLines<'s> {
    by_line: HashMap<usize, (bool, &'s str)>,
}

impl<'s> CommentLines<'s> {
    fn new(source: &'s SourceText, comments: &[TextRange]) -> Self {
        let text = source.text.as_str();
        let by_line = comments
            .iter()
            .filter_map(|range| {
                let comment = text.get(range.start().to_usize()..range.end().to_usize())?;
                let before = &text[..range.start().to_usize()];
                let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
                let own_line = before[line_start..].trim().is_empty();
                Some((source.line_number(range.start()), (own_line, comment)))
            })
            .collect();
        CommentLines { by_line }
    }

    /// Whether the comment on `line`, or the own-line comment block just above it,
    /// states intent.
    fn explain(&self, line: usize) -> bool {
        if self
            .by_line
            .get(&line)
            .is_some_and(|(_, text)| states_intent(text))
        {
            return true;
        }
        (1..=MAX_BLOCK_ABOVE)
            .map_while(|back| line.checked_sub(back))
            .map_while(|above| self.by_line.get(&above).filter(|(own, _)| *own))
            .any(|(_, text)| states_intent(text))
    }
}

/// Lowers to `info` every finding that an intent comment explains.
pub fn lower_explained(
    diagnostics: &mut [Diagnostic],
    source: &SourceText,
    comments: &[TextRange],
) {
    if diagnostics.is_empty() || comments.is_empty() {
        return;
    }
    let lines = CommentLines::new(source, comments);
    for diagnostic in diagnostics {
        if lines.explain(source.line_number(diagnostic.range.start())) {
            diagnostic.severity = Severity::Info;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{explains, states_intent};

    #[test]
    fn intent_phrases_count_and_directives_do_not() {
        assert!(states_intent("# must be == None: sympy overloads __eq__"));
        assert!(states_intent("# Intentionally broad"));
        assert!(states_intent("# noqa: E711  # deliberate"));
        assert!(!states_intent("# noqa: E711 deliberate"));
        assert!(!states_intent("# TODO: this is intended to go away"));
        assert!(!states_intent("# compare with None"));
        assert!(states_intent(
            "# arg may be NoneToken(), so comparison is done using == instead of `is`"
        ));
        assert!(!states_intent("# type: ignore"));
    }

    #[test]
    fn any_reader_facing_comment_explains() {
        assert!(explains("# optional dependency"));
        assert!(explains("# pragma: no cover  # best effort"));
        assert!(!explains("# pragma: no cover"));
        assert!(!explains("#"));
    }
}
