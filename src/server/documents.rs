//! The open documents: their text as the editor has it (full-text sync), and the
//! findings of the last check of each.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lsp_types::Url;

use crate::finding::Finding;

/// How long typing must pause before a changed document is checked again.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

pub struct Document {
    pub text: String,
    pub version: i32,
    /// The file the document is (or would be) saved as; settings are resolved for it.
    pub path: PathBuf,
    /// When a pending change is due to be checked.
    pub due: Option<Instant>,
    /// The findings of the last check, with the version they belong to.
    pub checked: Option<(i32, Arc<Vec<Finding>>)>,
}

impl Document {
    /// The findings for the current text, if it has been checked since it last changed.
    pub fn current_findings(&self) -> Option<Arc<Vec<Finding>>> {
        match &self.checked {
            Some((version, findings)) if *version == self.version && self.due.is_none() => {
                Some(findings.clone())
            }
            _ => None,
        }
    }
}

#[derive(Default)]
pub struct Documents {
    open: HashMap<Url, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: Url, text: String, version: i32, path: PathBuf) {
        let document = Document {
            text,
            version,
            path,
            due: None,
            checked: None,
        };
        self.open.insert(uri, document);
    }

    /// Replaces the text and schedules a check once typing pauses.
    pub fn change(&mut self, uri: &Url, text: String, version: i32) {
        if let Some(document) = self.open.get_mut(uri) {
            document.text = text;
            document.version = version;
            document.due = Some(Instant::now() + DEBOUNCE);
        }
    }

    pub fn close(&mut self, uri: &Url) -> Option<Document> {
        self.open.remove(uri)
    }

    pub fn get(&self, uri: &Url) -> Option<&Document> {
        self.open.get(uri)
    }

    pub fn get_mut(&mut self, uri: &Url) -> Option<&mut Document> {
        self.open.get_mut(uri)
    }

    pub fn uris(&self) -> Vec<Url> {
        self.open.keys().cloned().collect()
    }

    /// The earliest moment a pending check is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.open.values().filter_map(|d| d.due).min()
    }

    /// The documents whose pending check is due at `now`.
    pub fn due_at(&self, now: Instant) -> Vec<Url> {
        self.open
            .iter()
            .filter(|(_, d)| d.due.is_some_and(|due| due <= now))
            .map(|(uri, _)| uri.clone())
            .collect()
    }
}
