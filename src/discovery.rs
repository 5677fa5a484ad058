//! Finding the Python files to check under the paths the user gave.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

/// Directories never worth linting: environments, caches and build output.
const SKIPPED_DIRS: &[&str] = &[
    ".venv",
    "venv",
    "__pycache__",
    "build",
    "dist",
    "site-packages",
    "node_modules",
    ".git",
    ".hg",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
];

#[derive(Debug, Default)]
pub struct Discovered {
    /// Sorted and without duplicates.
    pub files: Vec<PathBuf>,
    /// Paths that could not be walked, with the reason.
    pub errors: Vec<(PathBuf, String)>,
}

fn is_python_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext == "py" || ext == "pyi")
}

/// Walks `paths`: directories recursively (respecting `.gitignore`, skipping hidden
/// and environment directories), files as given — a file named explicitly is always
/// checked, whatever its name.
pub fn discover(paths: &[PathBuf]) -> Discovered {
    let mut found = Discovered::default();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk_dir(path, &mut found),
            Ok(_) => found.files.push(path.clone()),
            Err(error) => {
                let reason = if std::fs::symlink_metadata(path).is_ok() {
                    "dangling symbolic link".to_owned()
                } else if error.kind() == std::io::ErrorKind::NotFound {
                    "no such file or directory".to_owned()
                } else {
                    error.to_string()
                };
                found.errors.push((path.clone(), reason));
            }
        }
    }
    found.files.sort();
    found.files.dedup();
    found.errors.sort();
    found
}

fn walk_dir(root: &Path, found: &mut Discovered) {
    let walker = WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            !(entry.depth() > 0
                && entry.file_type().is_some_and(|t| t.is_dir())
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| SKIPPED_DIRS.contains(&name)))
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let Some(file_type) = entry.file_type() else {
                    continue;
                };
                let path = entry.path();
                if !is_python_file(path) {
                    continue;
                }
                if file_type.is_file() {
                    found.files.push(entry.into_path());
                } else if file_type.is_symlink() {
                    // A link to a file is checked as the link; a dangling one is reported.
                    match std::fs::metadata(path) {
                        Ok(meta) if meta.is_file() => found.files.push(entry.into_path()),
                        Ok(_) => {}
                        Err(_) => found
                            .errors
                            .push((entry.into_path(), "dangling symbolic link".to_owned())),
                    }
                }
            }
            Err(error) => {
                let path = error_path(&error).unwrap_or_else(|| root.to_owned());
                found.errors.push((path, walk_error_reason(&error)));
            }
        }
    }
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn walk_error_reason(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => walk_error_reason(err),
        ignore::Error::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
            "permission denied".to_owned()
        }
        other => other.to_string(),
    }
}
