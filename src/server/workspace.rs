//! The workspace folders and their configuration: the same `pyproject.toml` /
//! `pitfall.toml` files the command line reads, found through the same [`Resolver`]
//! (the nearest config above each file wins), reloaded when one of them changes.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::Url;

use crate::config::{ConfigError, Overrides, Resolver, Settings};

/// The names of the files that configure pitfall; a change to any of them reloads.
pub const CONFIG_FILE_NAMES: &[&str] = &["pyproject.toml", "pitfall.toml"];

pub struct Workspace {
    folders: Vec<PathBuf>,
    resolver: Arc<Resolver>,
    /// Used while a config file is broken, so the editor still shows something.
    fallback: Arc<Settings>,
    /// Config errors already shown to the user, so each is shown once per reload.
    reported: HashSet<String>,
}

impl Workspace {
    pub fn new(folders: Vec<PathBuf>) -> Result<Workspace, ConfigError> {
        let fallback = Resolver::new(Overrides {
            isolated: true,
            ..Overrides::default()
        })?
        .settings_for(Path::new("."))?;
        Ok(Workspace {
            folders,
            resolver: Arc::new(Resolver::new(Overrides::default())?),
            fallback,
            reported: HashSet::new(),
        })
    }

    pub fn folders(&self) -> &[PathBuf] {
        &self.folders
    }

    pub fn resolver(&self) -> &Arc<Resolver> {
        &self.resolver
    }

    pub fn set_folders(&mut self, added: Vec<PathBuf>, removed: &[PathBuf]) {
        self.folders.retain(|folder| !removed.contains(folder));
        self.folders.extend(added);
    }

    /// Forgets every cached config, so that the next check reads the files again.
    pub fn reload(&mut self) -> Result<(), ConfigError> {
        self.resolver = Arc::new(Resolver::new(Overrides::default())?);
        self.reported.clear();
        Ok(())
    }

    /// The file a document stands for: its path for `file:` URIs; for unsaved
    /// documents (`untitled:`), a file of that name in the first workspace folder, so
    /// that the folder's config applies.
    pub fn path_for(&self, uri: &Url) -> PathBuf {
        if uri.scheme() == "file"
            && let Ok(path) = uri.to_file_path()
        {
            return path;
        }
        // `untitled:Untitled-1` has no path segments, only a path.
        let name = uri
            .path()
            .rsplit('/')
            .next()
            .filter(|name| !name.is_empty())
            .unwrap_or("untitled.py");
        match self.folders.first() {
            Some(folder) => folder.join(name),
            None => PathBuf::from(name),
        }
    }

    /// The settings for `path`, and the config error to show the user, if there is one
    /// not shown yet (the defaults are used meanwhile).
    pub fn settings_for(&mut self, path: &Path) -> (Arc<Settings>, Option<ConfigError>) {
        match self.resolver.settings_for(path) {
            Ok(settings) => (settings, None),
            Err(error) => {
                let fresh = self.reported.insert(error.to_string());
                (self.fallback.clone(), fresh.then_some(error))
            }
        }
    }
}

/// Whether the config says not to check `path` (`exclude`), as `--force-exclude` does
/// on the command line. Only with a config file: without one, the defaults would be
/// matched against every directory above the server's working directory.
pub fn is_excluded(settings: &Settings, path: &Path) -> bool {
    settings.file.is_some()
        && (settings.is_excluded(path) || settings.excludes_with_ancestors(path))
}

/// Whether a changed file is a config file.
pub fn is_config_file(uri: &Url) -> bool {
    uri.path_segments()
        .and_then(|mut segments| segments.next_back())
        .is_some_and(|name| CONFIG_FILE_NAMES.contains(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsaved_documents_stand_in_the_first_folder() {
        let folder = std::env::temp_dir().join("project");
        let workspace = Workspace::new(vec![folder.clone()]).unwrap();
        let saved = folder.join("app.py");
        let uri = Url::from_file_path(&saved).unwrap();
        assert_eq!(workspace.path_for(&uri), saved);
        let untitled = Url::parse("untitled:Untitled-1").unwrap();
        assert_eq!(workspace.path_for(&untitled), folder.join("Untitled-1"));
    }

    #[test]
    fn only_config_files_reload() {
        let changed = |path: &str| is_config_file(&Url::parse(path).unwrap());
        assert!(changed("file:///p/pyproject.toml"));
        assert!(changed("file:///p/sub/pitfall.toml"));
        assert!(!changed("file:///p/app.py"));
        assert!(!changed("file:///p/not-pyproject.toml"));
    }
}
