//! Finding the Python files to check under the paths the user gave.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::WalkBuilder;

use crate::config::{ConfigError, Resolver, Settings};

#[derive(Default)]
pub struct Discovered {
    /// Sorted and without duplicates, each with the settings that apply to it.
    pub files: Vec<(PathBuf, Arc<Settings>)>,
    /// Paths that could not be walked, with the reason.
    pub errors: Vec<(PathBuf, String)>,
}

fn is_python_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext == "py" || ext == "pyi")
}

/// Walks `paths`: directories recursively (respecting `.gitignore`, skipping hidden
/// directories and the config's `exclude`), files as given — a file named explicitly
/// is always checked, whatever its name. A bad config file is an error for the whole
/// run, returned as such.
///
/// With `force_exclude`, the config's `exclude` applies to named files too (pre-commit
/// passes every changed file by name).
pub fn discover(
    paths: &[PathBuf],
    resolver: &Arc<Resolver>,
    force_exclude: bool,
) -> Result<Discovered, ConfigError> {
    let mut found = Discovered::default();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk_dir(path, resolver, &mut found)?,
            Ok(_) => {
                let settings = resolver.settings_for(path)?;
                if !(force_exclude && settings.excludes_with_ancestors(path)) {
                    found.files.push((path.clone(), settings));
                }
            }
            Err(error) => {
                let reason = if std::fs::symlink_metadata(path).is_ok() {
                    broken_link_reason(&error)
                } else if error.kind() == std::io::ErrorKind::NotFound {
                    "no such file or directory".to_owned()
                } else {
                    error.to_string()
                };
                found.errors.push((path.clone(), reason));
            }
        }
    }
    found.files.sort_by(|a, b| a.0.cmp(&b.0));
    found.files.dedup_by(|a, b| a.0 == b.0);
    found.errors.sort();
    Ok(found)
}

fn walk_dir(
    root: &Path,
    resolver: &Arc<Resolver>,
    found: &mut Discovered,
) -> Result<(), ConfigError> {
    let filter_resolver = resolver.clone();
    // Links found in the walk are followed only to places inside the root.
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_owned());
    let walker = WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .follow_links(false)
        // Visiting each directory's entries by name yields the files in path order, so
        // the final sort of all files only confirms it.
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |entry| {
            // The walk's root was named by the user: never excluded.
            if entry.depth() == 0 {
                return true;
            }
            match filter_resolver.settings_for(entry.path()) {
                Ok(settings) => !settings.is_excluded(entry.path()),
                Err(error) => {
                    filter_resolver.defer(error);
                    false
                }
            }
        })
        .build();
    // Files of one directory share their settings: resolve them once per directory.
    let mut last: Option<(PathBuf, Arc<Settings>)> = None;
    let mut settings_of = |path: &Path| -> Result<Arc<Settings>, ConfigError> {
        let dir = path.parent().unwrap_or(path);
        if let Some((last_dir, settings)) = &last
            && last_dir == dir
        {
            return Ok(settings.clone());
        }
        let settings = resolver.settings_for(path)?;
        last = Some((dir.to_owned(), settings.clone()));
        Ok(settings)
    };
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
                    let settings = settings_of(path)?;
                    found.files.push((entry.into_path(), settings));
                } else if file_type.is_symlink() {
                    // A link to a file inside the root is checked as the link; one that
                    // leads out of the root is not followed; a broken one is reported.
                    match std::fs::metadata(path) {
                        Ok(meta) if meta.is_file() && leads_inside(path, &real_root) => {
                            let settings = settings_of(path)?;
                            found.files.push((entry.into_path(), settings));
                        }
                        Ok(_) => {}
                        Err(error) => found
                            .errors
                            .push((entry.into_path(), broken_link_reason(&error))),
                    }
                }
            }
            Err(error) => {
                let path = error_path(&error).unwrap_or_else(|| root.to_owned());
                found.errors.push((path, walk_error_reason(&error)));
            }
        }
    }
    match resolver
        .deferred_error
        .lock()
        .ok()
        .and_then(|mut slot| slot.take())
    {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Whether the symbolic link `path` resolves to a file under `real_root` (itself
/// canonical), so that walking a directory never reads files outside it.
fn leads_inside(path: &Path, real_root: &Path) -> bool {
    std::fs::canonicalize(path).is_ok_and(|target| target.starts_with(real_root))
}

/// Why following a symbolic link failed, in a user's terms.
fn broken_link_reason(error: &std::io::Error) -> String {
    // `ErrorKind::FilesystemLoop` is not stable yet; its name is.
    if format!("{:?}", error.kind()) == "FilesystemLoop" {
        "symbolic link loop".to_owned()
    } else if error.kind() == std::io::ErrorKind::NotFound {
        "dangling symbolic link".to_owned()
    } else {
        error.to_string()
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
