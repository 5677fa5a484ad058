//! What the cache stores for one file: its findings in a serializable form and the
//! per-file summary that project-wide rules need, encoded with postcard (compact, and
//! quick to decode); the content hash it is valid for sits in the shard's index.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::finding::{Finding, FindingEdit, FindingFix};
use crate::registry;
use crate::rule::{Applicability, Severity};
use crate::source::Position;

/// The per-file facts project-wide rules (PF801/PF802) collect, cached with the
/// findings so a warm run still sees every file.
pub use crate::project::FileSummary;

/// One checked file, as of the content whose hash it carries.
#[derive(Debug, Clone)]
pub struct Entry {
    /// xxh3-128 of the decoded text.
    pub content_hash: u128,
    /// The encoded [`EntryBody`].
    pub body: Vec<u8>,
}

/// The answers for one file. `S` is `&FileSummary` when writing (no copy of the
/// summary) and `Box<FileSummary>` when reading; both encode the same.
#[derive(Serialize, Deserialize)]
pub struct EntryBody<S> {
    pub findings: Vec<CachedFinding>,
    pub summary: Option<S>,
}

impl Entry {
    /// The entry for a file checked just now.
    pub fn new(
        content_hash: u128,
        findings: &[Finding],
        summary: Option<&FileSummary>,
    ) -> Option<Self> {
        let body = EntryBody {
            findings: findings.iter().map(CachedFinding::from_finding).collect(),
            summary,
        };
        Some(Entry {
            content_hash,
            body: postcard::to_allocvec(&body).ok()?,
        })
    }
}

impl EntryBody<Box<FileSummary>> {
    /// Decodes a body; `None` when the bytes are damaged.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        postcard::from_bytes(bytes).ok()
    }
}

/// A `Finding` without its path (the entry's key) and with its rule as a code, since
/// `&'static RuleMeta` cannot be deserialized. The URL is rebuilt from the settings.
/// (No `skip_serializing_if`: postcard does not describe its fields, so each one must
/// always be written.)
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedFinding {
    rule: String,
    start: (usize, usize),
    end: (usize, usize),
    offset: usize,
    length: usize,
    message: String,
    help: Option<String>,
    severity: String,
    fix: Option<CachedFix>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedFix {
    /// `Applicability::as_str`: safe, unsafe or display-only.
    applicability: String,
    message: String,
    edits: Vec<CachedEdit>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedEdit {
    start_offset: usize,
    end_offset: usize,
    start: (usize, usize),
    end: (usize, usize),
    content: String,
}

impl CachedFinding {
    pub fn from_finding(finding: &Finding) -> Self {
        CachedFinding {
            rule: finding.rule.code.to_owned(),
            start: pair(finding.start),
            end: pair(finding.end),
            offset: finding.offset,
            length: finding.length,
            message: finding.message.clone(),
            help: finding.help.clone(),
            severity: finding.severity.as_str().to_owned(),
            fix: finding.fix.as_ref().map(|fix| CachedFix {
                applicability: fix.applicability.as_str().to_owned(),
                message: fix.message.clone(),
                edits: fix
                    .edits
                    .iter()
                    .map(|edit| CachedEdit {
                        start_offset: edit.start_offset,
                        end_offset: edit.end_offset,
                        start: pair(edit.start),
                        end: pair(edit.end),
                        content: edit.content.clone(),
                    })
                    .collect(),
            }),
        }
    }

    /// The finding back in `path`; `None` when the entry names a rule or severity this
    /// build does not know (an entry from elsewhere, or a damaged one).
    pub fn into_finding(self, path: &Path, settings: &Settings) -> Option<Finding> {
        let rule = registry::all_meta().find(|meta| meta.code == self.rule)?;
        let severity = match self.severity.as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            _ => return None,
        };
        let fix = match self.fix {
            None => None,
            Some(fix) => Some(FindingFix {
                applicability: match fix.applicability.as_str() {
                    "safe" => Applicability::Safe,
                    "unsafe" => Applicability::Unsafe,
                    "display-only" => Applicability::DisplayOnly,
                    _ => return None,
                },
                message: fix.message,
                edits: fix.edits.into_iter().map(CachedEdit::into_edit).collect(),
            }),
        };
        Some(Finding {
            path: path.to_owned(),
            rule,
            start: position(self.start),
            end: position(self.end),
            offset: self.offset,
            length: self.length,
            message: self.message,
            help: self.help,
            severity,
            url: settings.url(rule),
            fix,
            related: Vec::new(),
        })
    }
}

impl CachedEdit {
    fn into_edit(self) -> FindingEdit {
        FindingEdit {
            start_offset: self.start_offset,
            end_offset: self.end_offset,
            start: position(self.start),
            end: position(self.end),
            content: self.content,
        }
    }
}

fn pair(position: Position) -> (usize, usize) {
    (position.line, position.column)
}

fn position((line, column): (usize, usize)) -> Position {
    Position { line, column }
}
