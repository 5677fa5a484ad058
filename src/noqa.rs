//! `# noqa` suppressions, read from the comment tokens of a file.

use std::collections::HashMap;

use crate::rule::RuleMeta;

/// What a `# noqa` comment on one line suppresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    /// `# noqa`: every rule.
    All,
    /// `# noqa: PF301, late-binding-closure, B006`: codes or names, kept as written.
    Only(Vec<String>),
}

impl Directive {
    /// Whether this directive silences `rule`. Other linters' equivalent codes count, so
    /// a line already silenced for ruff (`# noqa: B006`) stays quiet here too.
    pub fn suppresses(&self, rule: &RuleMeta) -> bool {
        match self {
            Directive::All => true,
            Directive::Only(selectors) => selectors.iter().any(|selector| {
                rule.is_named(selector)
                    || rule
                        .equivalents
                        .iter()
                        .any(|eq| eq.code.eq_ignore_ascii_case(selector))
            }),
        }
    }
}

/// Parses one comment's text (starting at `#`). Recognises `noqa` anywhere in the
/// comment after a `#` (`# type: ignore  # noqa: PF101`), case-insensitively, as flake8
/// does; a `noqa:` with nothing usable after it counts as a blanket `noqa`.
pub fn parse_comment(comment: &str) -> Option<Directive> {
    let lower = comment.to_ascii_lowercase();
    let mut search_from = 0;
    while let Some(found) = lower[search_from..].find("noqa") {
        let at = search_from + found;
        search_from = at + 4;
        let before = lower[..at].trim_end_matches([' ', '\t']);
        if !before.ends_with('#') {
            continue;
        }
        let after = &comment[at + 4..];
        // `# noqa123` or `# noqanything` is not a directive.
        if after.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-') {
            continue;
        }
        let Some(list) = after.trim_start_matches([' ', '\t']).strip_prefix(':') else {
            return Some(Directive::All);
        };
        let selectors: Vec<String> = list
            .split([',', ' ', '\t'])
            .map(str::trim)
            .take_while(|s| !s.starts_with('#'))
            .filter(|s| !s.is_empty())
            .take_while(|s| {
                s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
            .map(str::to_owned)
            .collect();
        return Some(if selectors.is_empty() {
            Directive::All
        } else {
            Directive::Only(selectors)
        });
    }
    None
}

/// The directives of a file, by 1-based line number.
#[derive(Debug, Default)]
pub struct NoqaMap {
    by_line: HashMap<usize, Directive>,
}

impl NoqaMap {
    pub fn insert(&mut self, line: usize, directive: Directive) {
        self.by_line.insert(line, directive);
    }

    pub fn suppresses(&self, line: usize, rule: &RuleMeta) -> bool {
        self.by_line
            .get(&line)
            .is_some_and(|directive| directive.suppresses(rule))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(codes: &[&str]) -> Option<Directive> {
        Some(Directive::Only(
            codes.iter().map(|s| s.to_string()).collect(),
        ))
    }

    #[test]
    fn blanket_and_specific_forms() {
        assert_eq!(parse_comment("# noqa"), Some(Directive::All));
        assert_eq!(parse_comment("#NOQA"), Some(Directive::All));
        assert_eq!(parse_comment("# noqa:PF301"), only(&["PF301"]));
        assert_eq!(
            parse_comment("# noqa: PF301, late-binding-closure"),
            only(&["PF301", "late-binding-closure"])
        );
        assert_eq!(
            parse_comment("# noqa: PF101 trailing words"),
            only(&["PF101", "trailing", "words"])
        );
        assert_eq!(parse_comment("# noqa:"), Some(Directive::All));
    }

    #[test]
    fn noqa_after_another_comment() {
        assert_eq!(
            parse_comment("# type: ignore  # noqa: B006"),
            only(&["B006"])
        );
    }

    #[test]
    fn words_that_merely_contain_noqa_are_not_directives() {
        assert_eq!(parse_comment("# this mentions noqa in prose"), None);
        assert_eq!(parse_comment("# noqanything"), None);
        assert_eq!(parse_comment("# nothing here"), None);
    }
}
