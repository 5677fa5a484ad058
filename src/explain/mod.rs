//! Explaining rules to people: `pitfall explain` (a rule's doc rendered for the
//! terminal) and teach mode (`pitfall check --explain`).

pub mod highlight;
pub mod teach;
pub mod terminal;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use crate::rule::RuleMeta;

/// How `pitfall explain` prints a doc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    /// Rendered for the terminal: wrapped, with highlighted code (plain text when piped).
    Terminal,
    /// The Markdown source of the doc.
    Markdown,
}

/// The body of the `## {heading}` section of a rule doc, up to the next `## ` heading.
pub fn section<'d>(doc: &'d str, heading: &str) -> Option<&'d str> {
    let marker = format!("\n## {heading}\n");
    let start = doc.find(&marker)? + marker.len();
    let body = &doc[start..];
    let end = body.find("\n## ").map_or(body.len(), |i| i + 1);
    Some(&body[..end])
}

/// Writes `rule`'s doc to stdout in `format`; `color` is the user's choice, already
/// combined with whether stdout is a terminal.
pub fn print_doc(rule: &RuleMeta, format: ExplainFormat, color: bool) -> io::Result<()> {
    let text = match format {
        ExplainFormat::Markdown => rule.doc.to_owned(),
        ExplainFormat::Terminal => terminal::render(
            rule.doc,
            terminal::Layout {
                color,
                width: terminal_width().min(100),
                indent: 0,
            },
        ),
    };
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Runs `pitfall explain`: 0 on success, 2 when the output cannot be written.
pub fn run(rule: &RuleMeta, format: ExplainFormat, color: Option<bool>) -> ExitCode {
    let color = color.unwrap_or_else(|| {
        io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
    });
    match print_doc(rule, format, color) {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the output: {error}");
            ExitCode::from(2)
        }
        _ => ExitCode::SUCCESS,
    }
}

/// The terminal's width: `COLUMNS` if set, else the terminal's own size, else 80.
pub fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
        .unwrap_or(80)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_end_at_the_next_heading() {
        let doc = "# x (PF1)\n\n## A\none\n\n## B\ntwo\n";
        assert_eq!(section(doc, "A"), Some("one\n\n"));
        assert_eq!(section(doc, "B"), Some("two\n"));
        assert_eq!(section(doc, "C"), None);
    }
}
