//! Project-wide rules (PF801 circular-import, PF802 patch-target-mismatch) in the
//! editor. They need every file of the workspace, so they run on a scan of the
//! workspace folders when a document is first opened, on save and when Python files
//! change on disk — never per keystroke. The scan only collects the per-file summaries
//! (no other rule runs), reading open documents from the editor's text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::Url;

use crate::checker;
use crate::config::{Resolver, Settings};
use crate::finding::Finding;
use crate::registry::{self, Dispatch};

/// The project findings of the last scan, by file.
pub type ProjectFindings = HashMap<PathBuf, Vec<Finding>>;

/// Scans the files under `folders` (with their own config) and runs the project
/// phase. `open` holds the editor's text of open documents, which wins over the disk.
/// A file whose check panics is left out of the project, like an unreadable one.
pub fn scan(
    folders: &[PathBuf],
    resolver: &Arc<Resolver>,
    open: &HashMap<PathBuf, String>,
) -> Result<ProjectFindings, String> {
    let discovered =
        crate::discovery::discover(folders, resolver, true).map_err(|e| e.to_string())?;
    let files: Vec<(PathBuf, Arc<Settings>)> = discovered
        .files
        .into_iter()
        .filter(|(_, settings)| crate::project::wanted(settings))
        .collect();
    let table = crate::project::ModuleTable::new(&files, folders);
    let mut summary_only: HashMap<*const Settings, Arc<Settings>> = HashMap::new();
    let mut results = Vec::with_capacity(files.len());
    for (file, (path, settings)) in files.iter().enumerate() {
        let light = summary_only
            .entry(Arc::as_ptr(settings))
            .or_insert_with(|| Arc::new(collecting_only(settings)))
            .clone();
        let mut result = checker::panic_guard::catch(|| match open.get(path) {
            Some(text) => checker::check_source(path, text.clone(), &light, false),
            None => checker::check_path(path, &light, false),
        })
        .unwrap_or_else(|error| checker::unreadable(path, error));
        table.link(file, &mut result);
        results.push(result);
    }
    let findings =
        crate::project::run_with_texts(&results, &files, &table, |path| open.get(path).cloned());
    Ok(by_file(findings))
}

/// `settings` with only the project rules dispatched: the walk then only builds the
/// summary. Suppressions, ignores and severities stay those of the file.
fn collecting_only(settings: &Settings) -> Settings {
    let rules: Vec<_> = crate::project::PROJECT_RULES
        .iter()
        .chain(&crate::project::CROSS_MODULE_RULES)
        .filter(|meta| settings.dispatch.is_enabled(meta))
        .filter_map(|meta| registry::find(meta.code))
        .collect();
    let mut light = settings.clone();
    light.dispatch = Dispatch::new(&rules);
    light
}

fn by_file(findings: Vec<Finding>) -> ProjectFindings {
    let mut grouped = ProjectFindings::new();
    for finding in findings {
        grouped
            .entry(finding.path.clone())
            .or_default()
            .push(finding);
    }
    grouped
}

/// Whether a changed file on disk can change the project's findings.
pub fn is_python(uri: &Url) -> bool {
    let path = Path::new(uri.path());
    path.extension()
        .is_some_and(|ext| ext == "py" || ext == "pyi")
}
