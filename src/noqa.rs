//! `# noqa` suppressions, read from the comment tokens of a file.

use std::collections::HashMap;

use crate::ast::TextRange;
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
            Directive::Only(selectors) => selectors.iter().any(|selector| names(rule, selector)),
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

/// Whether `selector` names `rule`: its code or name, or the code or name of an
/// equivalent check in another linter (`B006`, `dangerous-default-value`).
fn names(rule: &RuleMeta, selector: &str) -> bool {
    rule.is_named(selector)
        || rule.equivalents.iter().any(|eq| {
            eq.code.eq_ignore_ascii_case(selector)
                || (!eq.name.is_empty() && eq.name.eq_ignore_ascii_case(selector))
        })
}

/// `# pylint: disable=dangerous-default-value, W0102` (also `disable-next` on the line
/// before, handled by the caller): the pylint names or codes listed.
pub fn parse_pylint_comment(comment: &str) -> Option<(bool, Vec<String>)> {
    let at = comment.find("pylint:")?;
    let rest = comment[at + "pylint:".len()..].trim_start();
    let (next, list) = if let Some(list) = rest.strip_prefix("disable-next") {
        (true, list)
    } else {
        (false, rest.strip_prefix("disable")?)
    };
    let list = list.trim_start().strip_prefix('=')?;
    let selectors: Vec<String> = list
        .split(',')
        .map(|s| s.split_whitespace().next().unwrap_or_default())
        .take_while(|s| !s.starts_with('#'))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    (!selectors.is_empty()).then_some((next, selectors))
}

/// `# pitfall: noqa` or `# pitfall: noqa: PF301, PF101`, on a line of its own: applies
/// to the whole file.
pub fn parse_file_comment(comment: &str) -> Option<Directive> {
    let rest = comment.strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("pitfall:")?.trim_start();
    let rest = rest.strip_prefix("noqa")?.trim_start();
    if rest.is_empty() {
        return Some(Directive::All);
    }
    let list = rest.strip_prefix(':')?;
    let selectors: Vec<String> = list
        .split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    Some(if selectors.is_empty() {
        Directive::All
    } else {
        Directive::Only(selectors)
    })
}

/// One suppression comment and which of its selectors silenced something.
#[derive(Debug)]
struct Entry {
    directive: Directive,
    /// Where the comment is, for reporting it as unused.
    range: TextRange,
    /// A `# noqa` (checked for unused codes), not a pylint or file-level directive.
    is_noqa: bool,
    used: Vec<bool>,
}

impl Entry {
    fn new(directive: Directive, range: TextRange, is_noqa: bool) -> Self {
        let used = match &directive {
            Directive::All => vec![false],
            Directive::Only(selectors) => vec![false; selectors.len()],
        };
        Entry {
            directive,
            range,
            is_noqa,
            used,
        }
    }

    fn suppresses(&mut self, rule: &RuleMeta) -> bool {
        match &self.directive {
            Directive::All => {
                self.used[0] = true;
                true
            }
            Directive::Only(selectors) => {
                let mut hit = false;
                for (index, selector) in selectors.iter().enumerate() {
                    if names(rule, selector) {
                        self.used[index] = true;
                        hit = true;
                    }
                }
                hit
            }
        }
    }
}

/// The suppressions of one file: per line (`# noqa`, `# pylint: disable=`) and for
/// the whole file (`# pitfall: noqa`).
#[derive(Debug, Default)]
pub struct Suppressions {
    by_line: HashMap<usize, Vec<Entry>>,
    file: Vec<Entry>,
}

impl Suppressions {
    /// Reads the directives from the comments. `line_of` gives a comment's line;
    /// `own_line` says whether nothing but whitespace precedes it on that line.
    pub fn collect<'s>(
        comments: impl Iterator<Item = (TextRange, &'s str)>,
        line_of: impl Fn(TextRange) -> usize,
        own_line: impl Fn(TextRange) -> bool,
    ) -> Self {
        let mut map = Suppressions::default();
        for (range, comment) in comments {
            // Every comment of the file passes here: test the first byte (either case)
            // before comparing the whole window.
            let lower_has = |needle: &[u8]| {
                comment
                    .as_bytes()
                    .windows(needle.len())
                    .any(|w| w[0] | 0x20 == needle[0] && w.eq_ignore_ascii_case(needle))
            };
            // Cheap pre-filter: most comments are not directives.
            let has_noqa = lower_has(b"noqa");
            if !has_noqa && !lower_has(b"pylint") {
                continue;
            }
            if has_noqa
                && own_line(range)
                && let Some(directive) = parse_file_comment(comment)
            {
                map.file.push(Entry::new(directive, range, false));
                continue;
            }
            let line = line_of(range);
            if has_noqa && let Some(directive) = parse_comment(comment) {
                map.by_line
                    .entry(line)
                    .or_default()
                    .push(Entry::new(directive, range, true));
            }
            if let Some((next, selectors)) = parse_pylint_comment(comment) {
                let target = if next { line + 1 } else { line };
                let entry = Entry::new(Directive::Only(selectors), range, false);
                map.by_line.entry(target).or_default().push(entry);
            }
        }
        map
    }

    /// Whether a finding of `rule` starting on `line` is suppressed; records the use.
    pub fn suppresses(&mut self, line: usize, rule: &RuleMeta) -> bool {
        let mut hit = false;
        for entry in self.file.iter_mut() {
            hit |= entry.suppresses(rule);
        }
        if let Some(entries) = self.by_line.get_mut(&line) {
            for entry in entries {
                hit |= entry.suppresses(rule);
            }
        }
        hit
    }

    /// Whether a finding of `rule` on `line` would be suppressed, without recording a
    /// use (for findings that are only made later, in the project phase).
    /// Whether the file has no directive at all.
    pub fn is_empty(&self) -> bool {
        self.by_line.is_empty() && self.file.is_empty()
    }

    pub fn silences(&self, line: usize, rule: &RuleMeta) -> bool {
        self.file
            .iter()
            .chain(self.by_line.get(&line).into_iter().flatten())
            .any(|entry| entry.directive.suppresses(rule))
    }

    /// `# noqa: CODE` selectors that name an enabled pitfall rule yet suppressed nothing,
    /// as (comment range, selector). Other linters' codes are theirs to judge.
    pub fn unused(&self, enabled: impl Fn(&RuleMeta) -> bool) -> Vec<(TextRange, String)> {
        let mut unused = Vec::new();
        for entry in self.by_line.values().flatten().filter(|e| e.is_noqa) {
            let Directive::Only(selectors) = &entry.directive else {
                continue;
            };
            for (selector, used) in selectors.iter().zip(&entry.used) {
                let ours = crate::registry::all_meta().find(|m| m.is_named(selector));
                if !used && ours.is_some_and(&enabled) {
                    unused.push((entry.range, selector.clone()));
                }
            }
        }
        unused.sort_by_key(|(range, _)| range.start());
        unused
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
    fn pylint_and_file_level_forms() {
        assert_eq!(
            parse_pylint_comment("# pylint: disable=dangerous-default-value, W0102"),
            Some((
                false,
                vec!["dangerous-default-value".to_string(), "W0102".to_string()]
            ))
        );
        assert_eq!(
            parse_pylint_comment("# pylint: disable-next=bare-except"),
            Some((true, vec!["bare-except".to_string()]))
        );
        assert_eq!(parse_pylint_comment("# pylint: enable=bare-except"), None);
        assert_eq!(parse_file_comment("# pitfall: noqa"), Some(Directive::All));
        assert_eq!(
            parse_file_comment("# pitfall: noqa: PF301, PF101"),
            only(&["PF301", "PF101"])
        );
        assert_eq!(parse_file_comment("# noqa"), None);
    }

    #[test]
    fn words_that_merely_contain_noqa_are_not_directives() {
        assert_eq!(parse_comment("# this mentions noqa in prose"), None);
        assert_eq!(parse_comment("# noqanything"), None);
        assert_eq!(parse_comment("# nothing here"), None);
    }
}
