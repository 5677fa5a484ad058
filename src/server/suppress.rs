//! "Disable for this line": the edit that adds `# noqa: CODE` where a finding starts.

use crate::ast::{self, TextRange};
use crate::finding::Finding;
use crate::noqa::{self, Directive};

use super::positions::LineMap;

/// A replacement of the byte range `start..end` of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteEdit {
    pub start: usize,
    pub end: usize,
    pub content: String,
}

impl ByteEdit {
    pub fn apply(&self, text: &str) -> String {
        format!(
            "{}{}{}",
            &text[..self.start],
            self.content,
            &text[self.end..]
        )
    }
}

/// The edit that silences `finding` on its first line: the code is added to a
/// `# noqa:` list already there, or a `  # noqa: CODE` comment goes at the end of the
/// line (after any other comment, where `noqa` is still recognised). `None` when the
/// line cannot take a comment — it ends inside a string or after a backslash — which is
/// found by parsing the edited text rather than guessed.
pub fn noqa_edit(
    text: &str,
    lines: &LineMap,
    comments: &[TextRange],
    syntax_errors: usize,
    finding: &Finding,
    is_stub: bool,
) -> Option<ByteEdit> {
    let code = finding.rule.code;
    let line = lines.line_of(finding.offset);
    let start = lines.line_start(line);
    let content = lines.line_content(line);
    let end = start + content.len();
    let on_line = |range: &&TextRange| (start..end).contains(&range.start().to_usize());

    let mut edit = None;
    for comment in comments.iter().filter(on_line) {
        let comment_text = &text[comment.start().to_usize()..comment.end().to_usize()];
        match noqa::parse_comment(comment_text) {
            Some(Directive::Only(selectors)) => {
                let at = end_of_list(comment_text, &selectors)?;
                let at = comment.start().to_usize() + at;
                edit = Some(ByteEdit {
                    start: at,
                    end: at,
                    content: format!(", {code}"),
                });
            }
            // A blanket `# noqa` already silences every rule on the line.
            Some(Directive::All) => return None,
            None => {}
        }
    }
    let edit = edit.unwrap_or_else(|| ByteEdit {
        start: start + content.trim_end().len(),
        end,
        content: format!("  # noqa: {code}"),
    });

    let edited = edit.apply(text);
    let parsed = ast::parse(&edited, is_stub);
    let edited_end = end + edit.content.len() - (edit.end - edit.start);
    let silenced = parsed.comments.iter().any(|range| {
        (start..edited_end).contains(&range.start().to_usize())
            && noqa::parse_comment(&edited[range.start().to_usize()..range.end().to_usize()])
                .is_some_and(|directive| directive.suppresses(finding.rule))
    });
    (silenced && parsed.errors.len() <= syntax_errors).then_some(edit)
}

/// The offset in `comment` just past the last selector of its `noqa:` list.
fn end_of_list(comment: &str, selectors: &[String]) -> Option<usize> {
    let lower = comment.to_ascii_lowercase();
    let mut from = 0;
    let mut at = loop {
        let noqa = from + lower[from..].find("noqa")?;
        let rest = comment[noqa + 4..].trim_start_matches([' ', '\t']);
        if rest.starts_with(':') {
            break comment.len() - rest.len() + 1;
        }
        from = noqa + 4;
    };
    for selector in selectors {
        at += comment[at..].find(selector.as_str())? + selector.len();
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::server::positions::Encoding;
    use std::path::Path;

    fn disable(text: &str) -> Option<String> {
        let settings = Settings::for_rules(crate::registry::RULES);
        let result = crate::checker::check_source(Path::new("t.py"), text.into(), &settings, false);
        let finding = result.findings.first().expect("a finding");
        let lines = LineMap::new(text, Encoding::Utf16);
        let parsed = ast::parse(text, false);
        let edit = noqa_edit(
            text,
            &lines,
            &parsed.comments,
            parsed.errors.len(),
            finding,
            false,
        )?;
        Some(edit.apply(text))
    }

    #[test]
    fn a_new_comment_goes_at_the_end_of_the_line() {
        assert_eq!(
            disable("if x == None:   \n    pass\n").as_deref(),
            Some("if x == None:  # noqa: PF101\n    pass\n")
        );
    }

    #[test]
    fn an_existing_list_is_extended() {
        assert_eq!(
            disable("if x == None:  # noqa: E501, B006 # why\n    pass\n").as_deref(),
            Some("if x == None:  # noqa: E501, B006, PF101 # why\n    pass\n")
        );
    }

    #[test]
    fn another_comment_is_kept() {
        assert_eq!(
            disable("y = x == None  # type: ignore\n").as_deref(),
            Some("y = x == None  # type: ignore  # noqa: PF101\n")
        );
    }

    #[test]
    fn no_comment_inside_a_string_or_after_a_backslash() {
        assert_eq!(disable("y = (x == None, '''\n''')\n"), None);
        assert_eq!(disable("y = x == None or \\\n    z\n"), None);
    }
}
