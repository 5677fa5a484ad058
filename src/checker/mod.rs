//! Checking one file: decode, parse, walk once with all rules, apply `# noqa`.

pub mod bindings;
mod context;
pub mod facts;
pub mod intent;
pub mod panic_guard;
pub mod scope;
pub mod subtree;
mod walk;
pub mod word_set;

use std::path::{Path, PathBuf};

pub use context::Context;
pub use walk::MAX_DEPTH;

use crate::ast::{self, AnyNodeRef, TextRange, TextSize};
use crate::config::Settings;
use crate::finding::{Finding, FindingEdit, FindingFix};
use crate::noqa::Suppressions;
use crate::rule::Diagnostic;
use crate::rule::RuleMeta;
use crate::rules::python2_leftover;
use crate::rules::syntax_error::SYNTAX_ERROR;
use crate::rules::unused_noqa::{self, UNUSED_NOQA};
use crate::source::{self, SourceText};

/// The outcome for one path: findings, or the reason it could not be checked.
#[derive(Debug)]
pub struct FileResult {
    pub path: PathBuf,
    pub findings: Vec<Finding>,
    pub error: Option<String>,
    /// The decoded text, kept only when findings need a source snippet to render.
    pub source: Option<String>,
    /// What the project-wide rules need from this file; only when one is enabled.
    /// Boxed: results are moved around in bulk, and most of a summary is its header.
    pub summary: Option<Box<crate::project::FileSummary>>,
}

/// Reads and checks the file at `path`.
pub fn check_path(path: &Path, settings: &Settings, keep_source: bool) -> FileResult {
    match read_source(path) {
        Ok(text) => check_source(path, text, settings, keep_source),
        Err(error) => unreadable(path, error),
    }
}

/// The result for a file that could not be read or decoded, and why.
pub fn unreadable(path: &Path, error: String) -> FileResult {
    FileResult {
        path: path.to_owned(),
        findings: Vec::new(),
        error: Some(error),
        source: None,
        summary: None,
    }
}

/// Reads a file's bytes and decodes them; the error says why in a user's terms.
pub fn read_source(path: &Path) -> Result<String, String> {
    decode(read_bytes(path)?)
}

/// Decodes bytes read by `read_bytes`.
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    source::decode(bytes).map_err(|e| e.to_string())
}

/// Reads a regular file's bytes, refusing what cannot be source (directories, FIFOs,
/// huge files); the error says why in a user's terms.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    let metadata = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
    if metadata.is_dir() {
        return Err("is a directory".to_owned());
    }
    if !metadata.is_file() {
        // Reading a FIFO or a device could block forever or never end.
        return Err("not a regular file".to_owned());
    }
    if metadata.len() > source::MAX_FILE_BYTES {
        return Err(format!(
            "file is too large ({} MiB; the limit is {} MiB)",
            metadata.len() >> 20,
            source::MAX_FILE_BYTES >> 20
        ));
    }
    // The size is known: read exactly that much, without `fs::read`'s second `stat`
    // and its extra read to find the end (two of the five system calls per file).
    let file = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or_default());
    std::io::Read::read_to_end(&mut std::io::Read::take(file, metadata.len()), &mut bytes)
        .map_err(|e| io_reason(&e))?;
    Ok(bytes)
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string(),
    }
}

/// Checks already-decoded source text as if it were the file at `path`.
pub fn check_source(
    path: &Path,
    text: String,
    settings: &Settings,
    keep_source: bool,
) -> FileResult {
    let dispatch = &settings.dispatch;
    let source = SourceText::new(text);
    let is_stub = path.extension().is_some_and(|ext| ext == "pyi");
    let parsed = ast::parse_for(&source.text, is_stub, settings.target_version);

    // Error recovery can report several follow-on errors on one line; the first one is
    // the one that explains the problem.
    let mut error_lines = std::collections::HashSet::new();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for error in &parsed.errors {
        let range = before_trailing_newlines(&source.text, error.range);
        let line = source.line_number(range.start());
        if !error_lines.insert(line) {
            continue;
        }
        // A Python 2 line is reported as what it is, with a fix, not as a bare syntax
        // error — unless python2-leftover is off, when the syntax error must still show.
        if let Some(python2) = dispatch
            .is_enabled(&python2_leftover::META)
            .then(|| {
                panic_guard::in_rule(&python2_leftover::META, || {
                    python2_leftover::diagnose_syntax_error(&source.text, range, &error.message)
                })
            })
            .flatten()
        {
            diagnostics.push(python2);
            continue;
        }
        diagnostics.push(Diagnostic {
            rule: &SYNTAX_ERROR,
            range,
            message: error.message.clone(),
            help: Some("fix the syntax; the other rules still ran on the recovered code".into()),
            severity: SYNTAX_ERROR.severity,
            fix: None,
        });
    }

    let ctx = Context::new(path, &source.text, &parsed.module, settings);
    let mut walker = walk::Walker::new(ctx, dispatch);
    if crate::project::wanted(settings) {
        let coroutines = dispatch.is_enabled(&crate::rules::unawaited_coroutine::META);
        let patches = dispatch.is_enabled(&crate::rules::patch_target_mismatch::META);
        walker.summary = Some(crate::project::summary::Collector::new(coroutines, patches));
    }
    source_order_walk(&mut walker, &parsed.module);
    let too_deep = walker.too_deep;
    if let Some(range) = too_deep {
        // Findings from a partly walked tree would be misleading; report only the depth.
        diagnostics.push(Diagnostic {
            rule: &SYNTAX_ERROR,
            range,
            message: format!(
                "code nested more than {MAX_DEPTH} levels deep; CPython refuses to compile it and pitfall does not check it"
            ),
            help: Some("split the expression or block into smaller named pieces".into()),
            severity: SYNTAX_ERROR.severity,
            fix: None,
        });
    } else {
        let mut found = walker.take_diagnostics();
        intent::lower_explained(&mut found, &source, &parsed.comments);
        diagnostics.append(&mut found);
    }
    let mut suppressions = suppressions(&source, &parsed.comments);
    let summary = walker.summary.take().map(|collector| {
        // Most files have no `noqa`: then no line index is needed at all.
        Box::new(collector.finish(&parsed.module, |offset, rule| {
            if suppressions.is_empty() {
                return false;
            }
            let line = source.line_number(TextSize::try_from(offset).unwrap_or_default());
            if rule.topic == crate::rule::Topic::ProjectWide {
                suppressions.silences(line, rule)
            } else {
                // A per-file rule (PF602) reported across modules: its `noqa` counts as
                // used here, since the per-file check cannot see that it is needed.
                suppressions.suppresses(line, rule)
            }
        }))
    });
    drop(walker);

    let ignored = settings.ignored_for(path);
    let is_on =
        |rule: &RuleMeta| dispatch.is_enabled(rule) && !ignored.iter().any(|r| r.code == rule.code);
    let kept: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| is_on(d.rule))
        .filter(|d| !suppressions.suppresses(source.line_number(d.range.start()), d.rule))
        // After `# noqa`, so that a noqa on a hidden finding still counts as used.
        .filter(|d| d.severity <= settings.min_severity)
        .collect();
    let mut findings: Vec<Finding> = kept
        .into_iter()
        .map(|d| to_finding(path, &source, settings, d))
        .collect();
    if is_on(&UNUSED_NOQA) {
        findings.extend(
            suppressions
                // Project-wide findings come later, from the project phase; their
                // suppressions cannot be judged here.
                .unused(|rule| is_on(rule) && rule.topic != crate::rule::Topic::ProjectWide)
                .into_iter()
                .map(|(range, selector)| {
                    let diagnostic = unused_noqa::diagnostic(range, &selector);
                    to_finding(path, &source, settings, diagnostic)
                }),
        );
    }
    findings.sort();
    findings.dedup();

    if too_deep.is_some() {
        // Dropping a pathologically deep tree recurses once per level and can overflow
        // the stack; leaking it is the safe disposal (such files are vanishingly rare).
        std::mem::forget(parsed);
    }
    let keep = keep_source && !findings.is_empty();
    FileResult {
        path: path.to_owned(),
        findings,
        error: None,
        source: keep.then_some(source.text),
        summary,
    }
}

fn source_order_walk<'a>(walker: &mut walk::Walker<'a, '_>, module: &'a ast::ModModule) {
    ast::source_order::walk_node(walker, AnyNodeRef::from(module));
    debug_assert!(walker.ctx.parents.is_empty());
}

/// An error at the very end of the file ("unexpected EOF") is moved back onto the last
/// line with code, so that it points at something a user can see.
fn before_trailing_newlines(text: &str, range: TextRange) -> TextRange {
    if range.start().to_usize() < text.trim_end().len() {
        return range;
    }
    let end = TextSize::try_from(text.trim_end().len()).unwrap_or_default();
    TextRange::empty(end)
}

fn suppressions(source: &SourceText, comments: &[TextRange]) -> Suppressions {
    let own_line = |range: TextRange| {
        let before = &source.text[..range.start().to_usize()];
        let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
        before[line_start..].trim().is_empty()
    };
    Suppressions::collect(
        comments.iter().map(|&range| (range, &source.text[range])),
        |range| source.line_number(range.start()),
        own_line,
    )
}

fn to_finding(path: &Path, source: &SourceText, settings: &Settings, d: Diagnostic) -> Finding {
    let end: TextSize = d.range.end().min(TextSize::of(source.text.as_str()));
    let start = d.range.start().min(end);
    Finding {
        path: path.to_owned(),
        rule: d.rule,
        start: source.position(start),
        end: source.position(end),
        offset: start.to_usize(),
        length: (end - start).to_usize(),
        message: d.message,
        help: d.help,
        severity: d.severity,
        url: settings.url(d.rule),
        fix: d.fix.map(|fix| place_fix(source, fix)),
        related: Vec::new(),
    }
}

fn place_fix(source: &SourceText, fix: crate::rule::Fix) -> FindingFix {
    let len = TextSize::of(source.text.as_str());
    FindingFix {
        applicability: fix.applicability,
        message: fix.message,
        edits: fix
            .edits
            .into_iter()
            .map(|edit| {
                let end = edit.range.end().min(len);
                let start = edit.range.start().min(end);
                FindingEdit {
                    start_offset: start.to_usize(),
                    end_offset: end.to_usize(),
                    start: source.position(start),
                    end: source.position(end),
                    content: edit.content,
                }
            })
            .collect(),
    }
}
