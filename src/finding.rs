//! Findings: plain data, placed in a file, ready for any renderer.

use std::cmp::Ordering;
use std::path::PathBuf;

use crate::rule::{Applicability, RuleMeta, Severity};
use crate::source::Position;

/// Where pitfall's rule documentation lives by default (`docs-url` in the config); a
/// finding's `url` is this plus the rule name.
pub const DOCS_URL: &str = "https://pitfall.dev/rules/";

#[derive(Debug, Clone)]
pub struct Finding {
    pub path: PathBuf,
    pub rule: &'static RuleMeta,
    pub start: Position,
    pub end: Position,
    /// Byte offsets into the decoded source, for renderers that show a snippet.
    pub offset: usize,
    pub length: usize,
    pub message: String,
    pub help: Option<String>,
    pub severity: Severity,
    /// The rule's documentation page (under the configured `docs-url`).
    pub url: String,
    /// The automatic fix, with its edits placed in the file.
    pub fix: Option<FindingFix>,
    /// Other places that explain the finding, possibly in other files (the other imports
    /// of an import cycle). Empty for most rules.
    pub related: Vec<RelatedLocation>,
}

/// A place, in this file or another, that is part of a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedLocation {
    pub path: PathBuf,
    pub start: Position,
    pub end: Position,
    /// Byte offsets into that file's decoded source, for renderers that show a snippet.
    pub offset: usize,
    pub length: usize,
    pub message: String,
}

/// A fix placed in a file: every edit has byte offsets (for applying) and positions
/// (for renderers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingFix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<FindingEdit>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingEdit {
    /// Byte offsets into the decoded source, end exclusive.
    pub start_offset: usize,
    pub end_offset: usize,
    pub start: Position,
    pub end: Position,
    pub content: String,
}

impl Finding {
    fn sort_key(&self) -> (&PathBuf, Position, &'static str, &str) {
        (&self.path, self.start, self.rule.code, &self.message)
    }
}

impl PartialEq for Finding {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Finding {}

impl PartialOrd for Finding {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Output order: path, line, column, rule code — the same whatever the thread count.
impl Ord for Finding {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}
