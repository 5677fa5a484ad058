//! The fix engine: applies the fixes findings carry, to a fixed point, and writes the
//! result only when it still parses.
//!
//! Rules never touch files. They attach a [`crate::rule::Fix`] (byte-range edits plus a
//! safe/unsafe applicability) to a diagnostic; this module is the one place that turns
//! those edits into new source text and, for files, into bytes on disk.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::checker::{self, FileResult};
use crate::config::Settings;
use crate::finding::{Finding, FindingFix};
use crate::rule::Applicability;

/// At most this many check-and-fix passes per file; a fix that keeps producing new
/// fixable findings stops here.
pub const MAX_PASSES: usize = 10;

/// Which fixes to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixMode {
    pub unsafe_fixes: bool,
}

impl FixMode {
    pub fn allows(self, fix: &FindingFix) -> bool {
        match fix.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => self.unsafe_fixes,
            Applicability::DisplayOnly => false,
        }
    }
}

/// Applies the allowed fixes of `findings` to `text` in one pass. Fixes are taken in
/// source order; one whose edits overlap an edit already taken is left for the next
/// pass (insertions at the same point are applied in source order of their fixes).
/// Returns the new text and how many fixes were applied.
pub fn apply_once(text: &str, findings: &[Finding], mode: FixMode) -> (String, usize) {
    let mut fixes: Vec<&FindingFix> = findings
        .iter()
        .filter_map(|f| f.fix.as_ref())
        .filter(|fix| mode.allows(fix) && !fix.edits.is_empty())
        .collect();
    fixes.sort_by_key(|fix| {
        let first = fix.edits.iter().map(|e| e.start_offset).min().unwrap_or(0);
        (first, fix.edits.iter().map(|e| e.end_offset).max())
    });
    let line_ending = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut taken: Vec<(usize, usize, String)> = Vec::new();
    let mut applied = 0;
    for fix in fixes {
        let mut edits: Vec<(usize, usize, String)> = fix
            .edits
            .iter()
            .map(|e| {
                // Rules write `\n`; a CRLF file keeps CRLF.
                let content = if line_ending == "\r\n" && !e.content.contains('\r') {
                    e.content.replace('\n', "\r\n")
                } else {
                    e.content.clone()
                };
                (e.start_offset, e.end_offset, content)
            })
            .collect();
        edits.sort_by_key(|e| (e.0, e.1));
        let overlaps_itself = edits.windows(2).any(|w| w[1].0 < w[0].1);
        let in_bounds = edits.iter().all(|e| {
            e.0 <= e.1
                && e.1 <= text.len()
                && text.is_char_boundary(e.0)
                && text.is_char_boundary(e.1)
        });
        let overlaps_taken = edits
            .iter()
            .any(|e| taken.iter().any(|t| e.0 < t.1 && t.0 < e.1));
        if overlaps_itself || !in_bounds || overlaps_taken {
            continue;
        }
        taken.extend(edits);
        applied += 1;
    }
    taken.sort_by_key(|e| (e.0, e.1));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, content) in taken {
        out.push_str(&text[at..start]);
        out.push_str(&content);
        at = end;
    }
    out.push_str(&text[at..]);
    (out, applied)
}

/// The outcome of fixing one source text.
#[derive(Debug)]
pub struct Fixed {
    /// The fixed text (the input when nothing was fixed).
    pub text: String,
    /// How many fixes were applied.
    pub count: usize,
    /// The findings that remain in the fixed text.
    pub result: FileResult,
    /// Set when a pass was refused because its result would not parse.
    pub refused: Option<String>,
}

/// Fixes `text` (the decoded source of `path`) to a fixed point: check, apply, re-check,
/// at most [`MAX_PASSES`] times. If a pass's result gains syntax errors, every fix is
/// discarded and the text is returned unchanged.
pub fn fix_source(
    path: &Path,
    text: String,
    settings: &Settings,
    mode: FixMode,
    keep_source: bool,
) -> Fixed {
    let is_stub = path.extension().is_some_and(|ext| ext == "pyi");
    let errors_in = |text: &str| {
        crate::ast::parse_for(text, is_stub, settings.target_version)
            .errors
            .len()
    };
    let (text, count, refused) = fix_loop(
        text,
        mode,
        |text| checker::check_source(path, text.to_owned(), settings, false).findings,
        errors_in,
    );
    let result = checker::check_source(path, text.clone(), settings, keep_source);
    Fixed {
        text,
        count,
        result,
        refused,
    }
}

/// The fixed-point loop behind [`fix_source`], with checking and parsing passed in.
fn fix_loop(
    mut text: String,
    mode: FixMode,
    check: impl Fn(&str) -> Vec<Finding>,
    errors_in: impl Fn(&str) -> usize,
) -> (String, usize, Option<String>) {
    let original = text.clone();
    let original_errors = errors_in(&text);
    let mut count = 0;
    for _ in 0..MAX_PASSES {
        let findings = check(&text);
        let (next, applied) = apply_once(&text, &findings, mode);
        if applied == 0 || next == text {
            break;
        }
        if errors_in(&next) > original_errors {
            // Nothing is written: the file stays exactly as it was.
            let refused =
                "the fixed code would not parse, so no fix was applied to this file".to_owned();
            return (original, 0, Some(refused));
        }
        text = next;
        count += applied;
    }
    (text, count, None)
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Whether the file's bytes are exactly UTF-8 of `text` (after an optional BOM): only
/// such files are rewritten, so that a PEP 263 encoding is never silently changed.
/// Returns whether there is a BOM.
pub fn utf8_layout(bytes: &[u8], text: &str) -> Option<bool> {
    let bom = bytes.starts_with(UTF8_BOM);
    let body = if bom { &bytes[UTF8_BOM.len()..] } else { bytes };
    (body == text.as_bytes()).then_some(bom)
}

/// Writes `text` (plus a BOM when `bom`) to `path` atomically: a temporary file in the
/// same directory, given the original's permissions, then renamed over it. Through a
/// symbolic link, the file it points to is rewritten and the link stays a link.
pub fn write_atomic(path: &Path, text: &str, bom: bool) -> std::io::Result<()> {
    static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);
    let real;
    let path = if std::fs::symlink_metadata(path)?.is_symlink() {
        real = std::fs::canonicalize(path)?;
        real.as_path()
    } else {
        path
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = std::fs::metadata(path)?.permissions();
    // Unique per process and write, and created exclusively: two paths to one file
    // (a link and its target) never share a temporary file.
    let unique = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(
        ".{name}.pitfall-{}-{unique}.tmp",
        std::process::id()
    ));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        if bom {
            file.write_all(UTF8_BOM)?;
        }
        let (first, second) = text.as_bytes().split_at(text.len() / 2);
        file.write_all(first)?;
        injected_failure("midway")?;
        file.write_all(second)?;
        file.sync_all()?;
        drop(file);
        std::fs::set_permissions(&temp, permissions)?;
        injected_failure("rename")?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// Debug builds can be told to fail a write at one stage (`PITFALL_DEBUG_FAIL_WRITE=
/// midway` or `rename`), so tests can show that an interrupted write leaves the file
/// as it was. Release builds have no such switch.
fn injected_failure(stage: &str) -> std::io::Result<()> {
    if cfg!(debug_assertions)
        && std::env::var("PITFALL_DEBUG_FAIL_WRITE").is_ok_and(|wanted| wanted == stage)
    {
        return Err(std::io::Error::other(format!(
            "injected failure ({stage}) for testing"
        )));
    }
    Ok(())
}

/// A unified diff of two texts, with three lines of context around each change.
/// Empty when the texts are equal.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = line_ops(&a, &b);
    let context = 3;
    let changes: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].0 != ' ').collect();
    let mut out = format!("--- {path}\n+++ {path}\n");
    let mut i = 0;
    while i < changes.len() {
        // Changes closer than twice the context share a hunk.
        let mut j = i;
        while j + 1 < changes.len() && changes[j + 1] - changes[j] <= 2 * context + 1 {
            j += 1;
        }
        let from = changes[i].saturating_sub(context);
        let to = (changes[j] + 1 + context).min(ops.len());
        let before = &ops[..from];
        let old_start = before.iter().filter(|op| op.0 != '+').count();
        let new_start = before.iter().filter(|op| op.0 != '-').count();
        let hunk = &ops[from..to];
        let old_len = hunk.iter().filter(|op| op.0 != '+').count();
        let new_len = hunk.iter().filter(|op| op.0 != '-').count();
        let range = |start: usize, len: usize| {
            let first = if len == 0 { start } else { start + 1 };
            format!("{first},{len}")
        };
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(old_start, old_len),
            range(new_start, new_len)
        ));
        for &(mark, text) in hunk {
            out.push(mark);
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
        i = j + 1;
    }
    out
}

/// The lines of `a` and `b` as kept (' '), deleted ('-') and inserted ('+'), from a
/// longest common subsequence of the lines between the common prefix and suffix.
fn line_ops<'t>(a: &[&'t str], b: &[&'t str]) -> Vec<(char, &'t str)> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<(char, &str)> = a[..prefix].iter().map(|&l| (' ', l)).collect();
    if ma.len().saturating_mul(mb.len()) > 4_000_000 {
        // Too large for the table: one block of deletions, then one of insertions.
        ops.extend(ma.iter().map(|&l| ('-', l)));
        ops.extend(mb.iter().map(|&l| ('+', l)));
    } else {
        // lcs[i][j]: the LCS length of ma[i..] and mb[j..].
        let w = mb.len() + 1;
        let mut lcs = vec![0u32; (ma.len() + 1) * w];
        for i in (0..ma.len()).rev() {
            for j in (0..mb.len()).rev() {
                lcs[i * w + j] = if ma[i] == mb[j] {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < ma.len() || j < mb.len() {
            if i < ma.len() && j < mb.len() && ma[i] == mb[j] {
                ops.push((' ', ma[i]));
                i += 1;
                j += 1;
            } else if i < ma.len() && (j == mb.len() || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])
            {
                ops.push(('-', ma[i]));
                i += 1;
            } else {
                ops.push(('+', mb[j]));
                j += 1;
            }
        }
    }
    ops.extend(a[a.len() - suffix..].iter().map(|&l| (' ', l)));
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::FindingEdit;
    use crate::source::Position;

    fn finding_with(edits: &[(usize, usize, &str)], applicability: Applicability) -> Finding {
        let at = Position { line: 1, column: 1 };
        Finding {
            path: "t.py".into(),
            rule: &crate::rules::none_comparison::META,
            start: at,
            end: at,
            offset: 0,
            length: 0,
            message: String::new(),
            help: None,
            severity: crate::rule::Severity::Warning,
            url: String::new(),
            fix: Some(FindingFix {
                applicability,
                message: String::new(),
                edits: edits
                    .iter()
                    .map(|&(s, e, c)| FindingEdit {
                        start_offset: s,
                        end_offset: e,
                        start: at,
                        end: at,
                        content: c.to_owned(),
                    })
                    .collect(),
            }),
            related: Vec::new(),
        }
    }

    const SAFE: FixMode = FixMode {
        unsafe_fixes: false,
    };

    #[test]
    fn overlapping_fixes_wait_for_the_next_pass() {
        let text = "abcdef";
        let findings = [
            finding_with(&[(0, 2, "X")], Applicability::Safe),
            finding_with(&[(1, 3, "Y")], Applicability::Safe),
            finding_with(&[(4, 5, "Z")], Applicability::Safe),
        ];
        assert_eq!(apply_once(text, &findings, SAFE), ("XcdZf".to_owned(), 2));
    }

    #[test]
    fn unsafe_fixes_need_the_flag() {
        let findings = [finding_with(&[(0, 1, "X")], Applicability::Unsafe)];
        assert_eq!(apply_once("ab", &findings, SAFE).1, 0);
        let mode = FixMode { unsafe_fixes: true };
        assert_eq!(apply_once("ab", &findings, mode).0, "Xb");
    }

    #[test]
    fn crlf_files_keep_crlf() {
        let findings = [finding_with(&[(1, 1, "\ny")], Applicability::Safe)];
        assert_eq!(apply_once("x\r\n", &findings, SAFE).0, "x\r\ny\r\n");
    }

    #[test]
    fn a_pass_that_breaks_the_syntax_is_refused() {
        let errors = |text: &str| crate::ast::parse(text, false).errors.len();
        // A "fix" that deletes the closing parenthesis.
        let check = |text: &str| {
            text.find(')')
                .map(|at| finding_with(&[(at, at + 1, "")], Applicability::Safe))
                .into_iter()
                .collect()
        };
        let (text, count, refused) = fix_loop("f(x)\n".to_owned(), SAFE, check, errors);
        assert_eq!((text.as_str(), count), ("f(x)\n", 0));
        assert!(refused.is_some());
    }

    #[test]
    fn a_later_bad_pass_discards_the_earlier_good_ones() {
        let errors = |text: &str| crate::ast::parse(text, false).errors.len();
        // Pass 1 renames `y` (fine); pass 2 deletes the `)` (breaks): nothing is kept.
        let check = |text: &str| {
            if let Some(at) = text.find("y") {
                vec![finding_with(&[(at, at + 1, "z")], Applicability::Safe)]
            } else if let Some(at) = text.find(')') {
                vec![finding_with(&[(at, at + 1, "")], Applicability::Safe)]
            } else {
                Vec::new()
            }
        };
        let (text, count, refused) = fix_loop("f(y)\n".to_owned(), SAFE, check, errors);
        assert_eq!((text.as_str(), count), ("f(y)\n", 0));
        assert!(refused.is_some());
    }

    #[test]
    fn fixes_repeat_to_a_fixed_point() {
        let errors = |_: &str| 0;
        // Each pass fixes the first `a` only (the others overlap it).
        let check = |text: &str| {
            text.find('a')
                .map(|_| {
                    finding_with(
                        &[(0, text.len(), &text.replacen('a', "b", 1))],
                        Applicability::Safe,
                    )
                })
                .into_iter()
                .collect()
        };
        let (text, count, refused) = fix_loop("aaa".to_owned(), SAFE, check, errors);
        assert_eq!((text.as_str(), count, refused), ("bbb", 3, None));
    }

    #[test]
    fn diff_has_one_hunk_with_context() {
        let diff = unified_diff("a.py", "1\n2\n3\n4\n5\n", "1\n2\nX\n4\n5\n");
        assert_eq!(
            diff,
            "--- a.py\n+++ a.py\n@@ -1,5 +1,5 @@\n 1\n 2\n-3\n+X\n 4\n 5\n"
        );
    }

    #[test]
    fn distant_changes_get_their_own_hunks() {
        let old: String = (1..=20).map(|n| format!("{n}\n")).collect();
        let new: String = (1..=20)
            .map(|n| match n {
                2 => "two\n".to_owned(),
                18 => "eighteen\n".to_owned(),
                _ => format!("{n}\n"),
            })
            .collect();
        let diff = unified_diff("a.py", &old, &new);
        assert_eq!(diff.matches("@@ -").count(), 2, "{diff}");
        assert!(
            diff.contains("@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n"),
            "{diff}"
        );
        assert!(diff.contains("@@ -15,6 +15,6 @@\n"), "{diff}");
    }

    #[test]
    fn utf8_layout_refuses_other_encodings() {
        assert_eq!(utf8_layout(b"x = 1\n", "x = 1\n"), Some(false));
        assert_eq!(utf8_layout(b"\xEF\xBB\xBFx\n", "x\n"), Some(true));
        assert_eq!(utf8_layout(b"s = '\xe9'\n", "s = '\u{e9}'\n"), None);
    }
}
