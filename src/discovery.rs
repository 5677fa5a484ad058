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
    // In `Path`'s order, component by component. Comparing bytes with the separator
    // ranked first gives that order for paths without `.` components or doubled
    // separators (those a walk yields), at a fraction of the cost. Paths that extend
    // one argument share it as a prefix, and what follows is a walk's; so only several
    // arguments, one of them not plain, need the check (comparing `Path`s costs as
    // much as the sort).
    found
        .files
        .sort_unstable_by(|a, b| separator_first(&a.0, &b.0));
    // (Not on Windows, whose separator `separator_first` does not rank first.)
    let plain = cfg!(unix) && (paths.len() == 1 || paths.iter().all(|path| is_plain(path)));
    if !plain && !found.files.is_sorted_by(|a, b| a.0 <= b.0) {
        found.files.sort_by(|a, b| a.0.cmp(&b.0));
    }
    // `Path`'s equality, too, parses components whenever the bytes differ.
    found.files.dedup_by(|a, b| match plain {
        true => a.0.as_os_str() == b.0.as_os_str(),
        false => a.0 == b.0,
    });
    found.errors.sort();
    Ok(found)
}

fn walk_dir(
    root: &Path,
    resolver: &Arc<Resolver>,
    found: &mut Discovered,
) -> Result<(), ConfigError> {
    let filter_resolver = resolver.clone();
    let filter_last = std::sync::Mutex::new(DirSettings::default());
    // Links found in the walk are followed only to places inside the root.
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_owned());
    let walker = WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(move |entry| {
            // The walk's root was named by the user: never excluded.
            if entry.depth() == 0 {
                return true;
            }
            // Other files are passed over below anyway: no need for their settings.
            if !entry.file_type().is_some_and(|kind| kind.is_dir()) && !is_python_file(entry.path())
            {
                return true;
            }
            // Nothing panics while holding the lock; if something did, the memo is
            // still sound.
            let mut last = filter_last
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match last.settings_for(&filter_resolver, entry.path()) {
                Ok(settings) => !settings.is_excluded(entry.path()),
                Err(error) => {
                    filter_resolver.defer(error);
                    false
                }
            }
        })
        .build();
    let mut last = DirSettings::default();
    let mut settings_of = |path: &Path| last.settings_for(resolver, path);
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

/// Whether `path` holds only named components: no `.` or `..`, and no repeated or
/// trailing separator.
fn is_plain(path: &Path) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    let relative = bytes.strip_prefix(b"/").unwrap_or(bytes);
    !relative.is_empty()
        && relative
            .split(|&byte| byte == b'/')
            .all(|part| !matches!(part, b"" | b"." | b".."))
}

/// Orders paths by their bytes, with `/` before any other byte: a path comes before
/// its neighbour in the same directory whose name it starts (`a/b` < `a-b`), as in
/// `Path`'s order.
fn separator_first(a: &Path, b: &Path) -> std::cmp::Ordering {
    let rank = |byte: u8| if byte == b'/' { 0 } else { u16::from(byte) + 1 };
    let (a, b) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    // Paths of a walk share long prefixes: skip them a word at a time.
    let shorter = a.len().min(b.len());
    let mut at = 0;
    while at + 8 <= shorter && a[at..at + 8] == b[at..at + 8] {
        at += 8;
    }
    while at < shorter && a[at] == b[at] {
        at += 1;
    }
    match at < shorter {
        true => rank(a[at]).cmp(&rank(b[at])),
        false => a.len().cmp(&b.len()),
    }
}

/// The settings of the directory met last in a walk (as written before the entry's
/// name). Entries of one directory share their settings (those of the directory they
/// are in), and a walk meets them one after the other: looking them up once per
/// directory spares an absolute path and a locked table lookup per entry.
#[derive(Default)]
struct DirSettings(Option<(Vec<u8>, Arc<Settings>)>);

impl DirSettings {
    fn settings_for(
        &mut self,
        resolver: &Resolver,
        path: &Path,
    ) -> Result<Arc<Settings>, ConfigError> {
        let (dir, _) = crate::paths::split_dir(path);
        if let Some((last_dir, settings)) = &self.0
            && last_dir.as_slice() == dir
        {
            return Ok(settings.clone());
        }
        let settings = resolver.settings_for(path)?;
        self.0 = Some((dir.to_vec(), settings.clone()));
        Ok(settings)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_have_only_named_components() {
        for plain in ["a", "a/b.py", "/x/y", "a-b/_c"] {
            assert!(is_plain(Path::new(plain)), "{plain}");
        }
        for odd in ["", "/", ".", "./a", "a/./b", "../a", "a/..", "a//b", "a/"] {
            assert!(!is_plain(Path::new(odd)), "{odd}");
        }
    }

    /// Several arguments, one of them not plain: the walk's order is checked against
    /// `Path`'s, which skips the `.` of `d/./a` and so puts `d/0.py` first, unlike the
    /// bytes (`.` sorts before `0`).
    #[test]
    fn arguments_of_mixed_forms_come_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/m.py"), "").unwrap();
        std::fs::write(dir.path().join("0.py"), "").unwrap();
        let resolver = Arc::new(Resolver::new(Default::default()).unwrap());
        let (file, odd) = (dir.path().join("0.py"), dir.path().join(".").join("a"));
        let found = discover(&[odd.clone(), file.clone()], &resolver, false).unwrap();
        let files: Vec<PathBuf> = found.files.into_iter().map(|(path, _)| path).collect();
        assert_eq!(files, [file, odd.join("m.py")]);
    }

    /// On the paths a walk yields, the byte order with the separator first is `Path`'s.
    #[test]
    fn separator_first_agrees_with_path_order() {
        let paths = [
            "a", "a/b", "a-b", "a.b", "a/b/c", "a/b-c", "a/bc", "a0", "ab", "a/b.py", "a/b.pyi",
            "A", "_a", "a/_b", "./a", "./a/b", "./a-b", "/x/y", "/x/y.py", "/x-y", "é/a", "e/a",
        ];
        for a in paths {
            for b in paths {
                let (a, b) = (Path::new(a), Path::new(b));
                assert_eq!(separator_first(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }
}
