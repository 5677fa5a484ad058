//! Teach mode (`pitfall check --explain`): under each finding, why the pitfall bites and
//! the fix written out for the reader's own lines.
//!
//! Everything shown comes from the rule: the "why" is the opening of its doc's
//! "Why is this bad?" section, the fix is the finding's fix (or display-only
//! suggestion) applied to the user's source. No rule is special-cased here.

use std::borrow::Cow;
use std::io::{self, Write};

use super::highlight;
use super::terminal::{self, Layout};
use crate::finding::{Finding, FindingFix};
use crate::render::Style;
use crate::rule::{Applicability, RuleMeta};

/// At most this many lines of before/after code are shown.
const MAX_LINES: usize = 16;

/// Writes the teaching block for `finding`. `source` is the checked file's text;
/// `help_shown` says whether the renderer already printed the finding's help line.
pub fn write(
    out: &mut dyn Write,
    finding: &Finding,
    source: Option<&str>,
    style: Style,
    help_shown: bool,
) -> io::Result<()> {
    let width = style.width.clamp(40, 100);
    let layout = Layout {
        color: style.color,
        width,
        indent: 2,
    };
    let label = |text: &str| {
        if style.color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    writeln!(out, "  {}", label("Why this bites:"))?;
    out.write_all(terminal::render(&why_it_bites(finding.rule), layout).as_bytes())?;

    let change = finding
        .fix
        .as_ref()
        .zip(source)
        .and_then(|(fix, source)| before_after(source, fix).map(|lines| (fix, lines)));
    match change {
        Some((fix, (first_line, before, after))) => {
            writeln!(out)?;
            writeln!(
                out,
                "  {} {}",
                label(fix_heading(fix.applicability)),
                fix.message
            )?;
            writeln!(out, "    your code:")?;
            write_code(out, first_line, &before, style.color)?;
            writeln!(out, "    {}:", after_label(fix.applicability))?;
            write_code(out, first_line, &after, style.color)?;
            writeln!(out, "    ({})", fix_note(fix.applicability))?;
        }
        None if !help_shown => {
            if let Some(help) = &finding.help {
                writeln!(out)?;
                writeln!(out, "  {} {help}", label("How to fix it:"))?;
            }
        }
        None => {}
    }
    writeln!(
        out,
        "\n  {} pitfall explain {}\n",
        label("Learn more:"),
        finding.rule.name
    )
}

fn fix_heading(applicability: Applicability) -> &'static str {
    match applicability {
        Applicability::DisplayOnly => "A suggested change:",
        _ => "The fix:",
    }
}

fn fix_note(applicability: Applicability) -> &'static str {
    match applicability {
        Applicability::Safe => "safe: `pitfall check --fix` applies it",
        Applicability::Unsafe => {
            "unsafe, it may change behaviour: review it; `--fix --unsafe-fixes` applies it"
        }
        Applicability::DisplayOnly => "a suggestion: make the change by hand; `--fix` leaves it",
    }
}

fn after_label(applicability: Applicability) -> &'static str {
    match applicability {
        Applicability::DisplayOnly => "suggested",
        _ => "fixed",
    }
}

/// Longer blocks are left to `pitfall explain`: teach mode stays short.
const MAX_WHY_BLOCK_LINES: usize = 12;

/// The opening of the doc's "Why is this bad?" section: its first paragraph, and the
/// short block (code or list) that paragraph introduces when it ends with a colon.
pub fn why_it_bites(rule: &RuleMeta) -> Cow<'static, str> {
    let Some(section) = super::section(rule.doc, "Why is this bad?") else {
        return Cow::Borrowed(rule.summary);
    };
    let section = section.trim_start();
    let first_end = section.find("\n\n").unwrap_or(section.len());
    let paragraph = section[..first_end].trim_end();
    let Some(lead) = paragraph.strip_suffix(':') else {
        return Cow::Borrowed(paragraph);
    };
    let rest = &section[first_end..];
    let next = first_end + (rest.len() - rest.trim_start().len());
    let block = &section[next..];
    let block_len = if let Some(code) = block.strip_prefix("```") {
        code.find("\n```").map_or(0, |close| 3 + close + 4)
    } else {
        block.find("\n\n").unwrap_or(block.len())
    };
    if block_len == 0 || block[..block_len].lines().count() > MAX_WHY_BLOCK_LINES {
        return Cow::Owned(format!("{lead}."));
    }
    Cow::Borrowed(section[..next + block_len].trim_end())
}

/// The number of the first line shown, and the lines the fix touches before and after
/// it is applied.
fn before_after(source: &str, fix: &FindingFix) -> Option<(usize, String, String)> {
    let start = fix.edits.iter().map(|e| e.start_offset).min()?;
    let end = fix.edits.iter().map(|e| e.end_offset).max()?;
    if end > source.len() || !source.is_char_boundary(start) || !source.is_char_boundary(end) {
        return None;
    }
    let region_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let region_end = source[end..].find('\n').map_or(source.len(), |i| end + i);
    let mut edits: Vec<_> = fix.edits.iter().collect();
    edits.sort_by_key(|e| (e.start_offset, e.end_offset));
    let mut after = String::new();
    let mut at = region_start;
    for edit in edits {
        let inside = |offset: usize| offset <= region_end && source.is_char_boundary(offset);
        if edit.start_offset < at || !inside(edit.start_offset) || !inside(edit.end_offset) {
            return None;
        }
        after.push_str(&source[at..edit.start_offset]);
        after.push_str(&edit.content);
        at = edit.end_offset;
    }
    after.push_str(&source[at..region_end]);
    let first_line = source[..region_start].matches('\n').count() + 1;
    Some((
        first_line,
        source[region_start..region_end].to_owned(),
        after,
    ))
}

fn write_code(out: &mut dyn Write, first_line: usize, code: &str, color: bool) -> io::Result<()> {
    let code = code.trim_end_matches(['\n', '\r']);
    let lines = if color {
        highlight::ansi_lines(code, "python")
    } else {
        code.lines().map(str::to_owned).collect()
    };
    let total = lines.len();
    for (i, line) in lines.into_iter().take(MAX_LINES).enumerate() {
        writeln!(out, "    {:>5} │ {line}", first_line + i)?;
    }
    if total > MAX_LINES {
        writeln!(out, "          │ … {} more lines", total - MAX_LINES)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::FindingEdit;
    use crate::source::Position;

    fn edit(start: usize, end: usize, content: &str) -> FindingEdit {
        let position = Position { line: 1, column: 1 };
        FindingEdit {
            start_offset: start,
            end_offset: end,
            start: position,
            end: position,
            content: content.to_owned(),
        }
    }

    #[test]
    fn before_and_after_cover_whole_lines() {
        let source = "x = 1\ndef f(a=[]):\n    a.append(1)\n";
        let fix = FindingFix {
            applicability: Applicability::Unsafe,
            message: String::new(),
            edits: vec![
                edit(14, 16, "None"),
                edit(19, 19, "    if a is None:\n        a = []\n"),
            ],
        };
        let (line, before, after) = before_after(source, &fix).unwrap();
        assert_eq!(line, 2);
        assert_eq!(before, "def f(a=[]):\n    a.append(1)");
        assert_eq!(
            after,
            "def f(a=None):\n    if a is None:\n        a = []\n    a.append(1)"
        );
    }

    #[test]
    fn the_why_includes_the_example_its_paragraph_introduces() {
        let why = why_it_bites(&crate::rules::late_binding_closure::META);
        assert!(why.starts_with("A function reads"), "{why}");
        assert!(why.ends_with("```"), "{why}");
        let why = why_it_bites(&crate::rules::mutable_default_arg::META);
        assert!(why.starts_with("Python evaluates a default value"), "{why}");
        assert!(!why.contains("\n\n"), "{why}");
        let why = why_it_bites(&crate::rules::lambda_assignment::META);
        assert!(
            why.contains("several things missing:\n\n- **Its name.**"),
            "{why}"
        );
        // A long list is left for `pitfall explain`; the colon becomes a full stop.
        let why = why_it_bites(&crate::rules::is_literal::META);
        assert!(why.ends_with("not by your program."), "{why}");
    }
}
