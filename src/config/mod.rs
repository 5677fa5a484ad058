//! Settings: `[tool.pitfall]` in `pyproject.toml` or a `pitfall.toml`, found by walking
//! up from each checked file (the nearest wins), overridden by command-line flags.

mod raw;
mod selection;

use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};

pub use selection::{Selector, parse_selectors};

use crate::ast::PythonVersion;
use crate::finding::DOCS_URL;
use crate::registry::{self, Dispatch};
use crate::rule::{Rule, RuleMeta, Severity};
use raw::RawConfig;

/// Directories never worth linting unless the config says otherwise (`exclude`).
pub const DEFAULT_EXCLUDE: &[&str] = &[
    ".venv",
    "venv",
    "__pycache__",
    "build",
    "dist",
    "site-packages",
    "node_modules",
    ".git",
    ".hg",
    ".svn",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".pitfall_cache",
];

/// Config file names in the order they are looked for in each directory.
const CONFIG_FILES: &[&str] = &["pitfall.toml", "pyproject.toml"];

/// What the command line says, which wins over every config file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub target_version: Option<String>,
    /// `--min-severity`: the least severe findings still reported.
    pub min_severity: Option<String>,
    /// `--config PATH`: use this file for every checked file.
    pub config: Option<PathBuf>,
    /// `--isolated`: ignore every config file.
    pub isolated: bool,
    /// `--no-project` (hidden): per-file rules only, no summaries and no project
    /// phase, so that `bench/` can measure what the project phase costs.
    pub no_project: bool,
}

/// A configuration problem, reported with the file and the offending key.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub file: Option<PathBuf>,
    /// The file's text and the byte range of the offending part, when known.
    pub source: Option<(Arc<str>, std::ops::Range<usize>)>,
    pub message: String,
    pub help: Option<String>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{}: {}", file.display(), self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Paths matched by globs the way ruff matches them: a pattern with a `/` is a path
/// relative to the config's directory; one without matches a file or directory name
/// anywhere below it.
#[derive(Debug, Default, Clone)]
pub struct PathMatcher {
    by_name: GlobSet,
    by_path: GlobSet,
    /// For each glob, the index of its entry (so callers can map a match back).
    name_owner: Vec<usize>,
    path_owner: Vec<usize>,
}

impl PathMatcher {
    fn new(root: &Path, patterns: &[String]) -> Result<Self, (usize, String)> {
        let mut by_name = GlobSetBuilder::new();
        let mut by_path = GlobSetBuilder::new();
        let (mut name_owner, mut path_owner) = (Vec::new(), Vec::new());
        for (index, pattern) in patterns.iter().enumerate() {
            let trimmed = pattern.trim_end_matches('/');
            if trimmed.contains('/') {
                let absolute = root.join(trimmed.trim_start_matches("./"));
                let glob = Glob::new(&absolute.to_string_lossy())
                    .map_err(|e| (index, e.kind().to_string()))?;
                by_path.add(glob);
                path_owner.push(index);
            } else {
                let glob = Glob::new(trimmed).map_err(|e| (index, e.kind().to_string()))?;
                by_name.add(glob);
                name_owner.push(index);
            }
        }
        let build = |b: GlobSetBuilder| b.build().map_err(|e| (0, e.to_string()));
        Ok(PathMatcher {
            by_name: build(by_name)?,
            by_path: build(by_path)?,
            name_owner,
            path_owner,
        })
    }

    /// Indices of the patterns matching `path` (absolute) or its file name.
    pub fn matches(&self, path: &Path) -> Vec<usize> {
        let mut hits: Vec<usize> = Vec::new();
        if let Some(name) = path.file_name() {
            hits.extend(
                self.by_name
                    .matches(name)
                    .into_iter()
                    .map(|i| self.name_owner[i]),
            );
        }
        hits.extend(
            self.by_path
                .matches(path)
                .into_iter()
                .map(|i| self.path_owner[i]),
        );
        hits
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty() && self.by_path.is_empty()
    }

    /// Whether `path` (absolute) or its file name matches a pattern. An empty set is
    /// asked nothing: `GlobSet` prepares its candidate before it looks.
    pub fn is_match(&self, path: &Path) -> bool {
        path.file_name().is_some_and(|name| self.name_matches(name))
            || (!self.by_path.is_empty() && self.by_path.is_match(path))
    }

    fn name_matches(&self, name: &std::ffi::OsStr) -> bool {
        !self.by_name.is_empty() && self.by_name.is_match(name)
    }

    /// `is_match` for a path as given or walked, relative or not. Name patterns need
    /// only its file name, so the absolute path (a copy, for the relative paths of
    /// `pitfall check .`) is made only for patterns with a `/`, or for a path without
    /// a name (ending in `..`).
    pub fn is_match_anywhere(&self, path: &Path) -> bool {
        match path.file_name() {
            Some(name) if self.name_matches(name) => true,
            Some(_) if self.by_path.is_empty() => false,
            _ => self.is_match(&crate::paths::absolute(path)),
        }
    }
}

/// The effective settings for the files under one config file.
#[derive(Clone)]
pub struct Settings {
    /// The config file, if any; relative patterns are relative to its directory.
    pub file: Option<PathBuf>,
    pub dispatch: Dispatch,
    per_file_ignores: PathMatcher,
    per_file_rules: Vec<Vec<&'static RuleMeta>>,
    pub exclude: PathMatcher,
    pub target_version: Option<PythonVersion>,
    pub src: Vec<PathBuf>,
    pub docs_url: String,
    /// Extra test-file globs for assert-for-validation.
    pub assert_test_files: PathMatcher,
    /// Findings less severe than this are not reported (`min-severity`; default warning).
    pub min_severity: Severity,
    /// Whether files gather summaries for the project phase (off only for measuring
    /// its cost, `--no-project`).
    pub project_phase: bool,
}

impl Settings {
    /// Default settings with exactly `rules` selected (for embedding and tests).
    pub fn for_rules(rules: &[&'static dyn Rule]) -> Settings {
        let none = PathMatcher::default();
        Settings {
            file: None,
            dispatch: Dispatch::new(rules),
            per_file_ignores: PathMatcher::default(),
            per_file_rules: Vec::new(),
            exclude: none,
            target_version: None,
            src: Vec::new(),
            docs_url: DOCS_URL.to_owned(),
            assert_test_files: PathMatcher::default(),
            min_severity: Severity::Warning,
            project_phase: true,
        }
    }

    /// The rules `per-file-ignores` switches off for `path`.
    pub fn ignored_for(&self, path: &Path) -> Vec<&'static RuleMeta> {
        // Asked for every file; most projects set no per-file ignores at all.
        if self.per_file_rules.is_empty() {
            return Vec::new();
        }
        let absolute = crate::paths::absolute(path);
        self.per_file_ignores
            .matches(&absolute)
            .into_iter()
            .flat_map(|index| self.per_file_rules[index].iter().copied())
            .collect()
    }

    /// Whether `path` (a directory or file met during a walk) is excluded.
    pub fn is_excluded(&self, path: &Path) -> bool {
        self.exclude.is_match_anywhere(path)
    }

    /// Whether `path` or one of its directories below the project root (the config's
    /// directory, or the working directory without one) is excluded.
    pub fn excludes_with_ancestors(&self, path: &Path) -> bool {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
        let root = match &self.file {
            Some(file) => file.parent().map(Path::to_owned),
            None => std::env::current_dir().ok(),
        };
        let root = root
            .and_then(|r| std::path::absolute(r).ok())
            .unwrap_or_default();
        absolute
            .ancestors()
            .take_while(|ancestor| ancestor.starts_with(&root) && *ancestor != root)
            .any(|ancestor| self.exclude.is_match(ancestor))
    }

    /// The documentation link of a rule.
    pub fn url(&self, rule: &RuleMeta) -> String {
        let base = self.docs_url.trim_end_matches('/');
        // The page `pitfall docs` writes for the rule.
        format!("{base}/{}.html", rule.name)
    }

    fn build(
        raw: RawConfig,
        file: Option<PathBuf>,
        text: Option<Arc<str>>,
        overrides: &Overrides,
    ) -> Result<Settings, ConfigError> {
        let root = file
            .as_ref()
            .and_then(|f| f.parent().map(Path::to_owned))
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        let root = std::path::absolute(&root).unwrap_or(root);
        let error = |key: &str, message: String, help: Option<String>| ConfigError {
            file: file.clone(),
            source: text.clone().map(|t| {
                let range = key_range(&t, key);
                (t, range)
            }),
            message,
            help,
        };
        let selectors = |key: &str, values: &[String]| -> Result<Vec<Selector>, ConfigError> {
            parse_selectors(values)
                .map_err(|(bad, help)| error(key, format!("`{key}` names no rule: `{bad}`"), help))
        };

        // Selection: `select` (or the default) + `extend-select` - `ignore`; the
        // command line's `--select` replaces the file's.
        let select = match (&overrides.select, &raw.select) {
            (Some(cli), _) => selectors("--select", cli)?,
            (None, Some(file_select)) => selectors("select", file_select)?,
            (None, None) => vec![Selector::Default],
        };
        let mut extend = selectors(
            "extend-select",
            raw.extend_select.as_deref().unwrap_or_default(),
        )?;
        extend.extend(selectors("--extend-select", &overrides.extend_select)?);
        let mut ignore = selectors("ignore", raw.ignore.as_deref().unwrap_or_default())?;
        ignore.extend(selectors("--ignore", &overrides.ignore)?);
        let chosen: Vec<&'static dyn Rule> = registry::RULES
            .iter()
            .copied()
            .filter(|rule| {
                let meta = rule.meta();
                let selected = select.iter().chain(&extend).any(|s| s.matches(meta));
                selected && !ignore.iter().any(|s| s.matches_explicitly(meta))
            })
            .collect();

        let mut per_file_rules = Vec::new();
        let mut patterns = Vec::new();
        for (pattern, values) in raw.per_file_ignores.unwrap_or_default() {
            let rules = selectors("per-file-ignores", &values)?;
            per_file_rules.push(
                registry::all_meta()
                    .filter(|m| rules.iter().any(|s| s.matches_explicitly(m)))
                    .collect(),
            );
            patterns.push(pattern);
        }
        let per_file_ignores = PathMatcher::new(&root, &patterns).map_err(|(i, e)| {
            error(
                "per-file-ignores",
                format!("bad glob `{}` in `per-file-ignores`: {e}", patterns[i]),
                None,
            )
        })?;

        let mut excludes: Vec<String> = match raw.exclude {
            Some(list) => list,
            None => DEFAULT_EXCLUDE.iter().map(|s| (*s).to_owned()).collect(),
        };
        excludes.extend(raw.extend_exclude.unwrap_or_default());
        let exclude = PathMatcher::new(&root, &excludes).map_err(|(i, e)| {
            error(
                "exclude",
                format!("bad glob `{}` in `exclude`: {e}", excludes[i]),
                None,
            )
        })?;

        let version_text = overrides.target_version.clone().or(raw.target_version);
        let target_version = match version_text {
            None => None,
            Some(text) => Some(parse_version(&text).ok_or_else(|| {
                error(
                    "target-version",
                    format!("unknown `target-version` `{text}`"),
                    Some("use one of py38, py39, py310, py311, py312, py313, py314".to_owned()),
                )
            })?),
        };
        let severity_text = overrides.min_severity.clone().or(raw.min_severity);
        let min_severity = match severity_text {
            None => Severity::Warning,
            Some(text) => parse_severity(&text).ok_or_else(|| {
                error(
                    "min-severity",
                    format!("unknown `min-severity` `{text}`"),
                    Some("use one of error, warning, info".to_owned()),
                )
            })?,
        };
        let test_globs = raw
            .assert_for_validation
            .and_then(|o| o.extra_test_files)
            .unwrap_or_default();
        let assert_test_files = PathMatcher::new(&root, &test_globs).map_err(|(i, e)| {
            error(
                "extra-test-files",
                format!("bad glob `{}`: {e}", test_globs[i]),
                None,
            )
        })?;

        let src = match raw.src {
            Some(list) => list.iter().map(|s| root.join(s)).collect(),
            None => vec![root.clone(), root.join("src")],
        };
        Ok(Settings {
            file,
            dispatch: Dispatch::new(&chosen),
            per_file_ignores,
            per_file_rules,
            exclude,
            target_version,
            src,
            docs_url: raw.docs_url.unwrap_or_else(|| DOCS_URL.to_owned()),
            assert_test_files,
            min_severity,
            project_phase: !overrides.no_project,
        })
    }
}

fn parse_severity(text: &str) -> Option<Severity> {
    [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .find(|severity| severity.as_str() == text)
}

fn parse_version(text: &str) -> Option<PythonVersion> {
    let minor: u8 = text.strip_prefix("py3")?.parse().ok()?;
    (8..=14)
        .contains(&minor)
        .then_some(PythonVersion { major: 3, minor })
}

/// The byte range of `key` in a TOML text (its first occurrence at a line start), for
/// pointing at it in an error report; the whole first line when it is not found.
fn key_range(text: &str, key: &str) -> std::ops::Range<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with(key) && trimmed[key.len()..].trim_start().starts_with('=') {
            let start = offset + (line.len() - trimmed.len());
            return start..start + key.len();
        }
        offset += line.len();
    }
    0..text.find('\n').unwrap_or(text.len())
}

/// Finds and caches the settings of every directory it is asked about.
pub struct Resolver {
    overrides: Overrides,
    /// Settings shared by every file (`--isolated` or `--config`), when fixed.
    fixed: Option<Arc<Settings>>,
    by_dir: Mutex<HashMap<PathBuf, Arc<Settings>>>,
    by_file: Mutex<HashMap<PathBuf, Arc<Settings>>>,
    default: Mutex<Option<Arc<Settings>>>,
    /// The first error met while resolving inside a directory walk.
    pub deferred_error: Mutex<Option<ConfigError>>,
}

impl Resolver {
    pub fn new(overrides: Overrides) -> Result<Resolver, ConfigError> {
        let fixed = if let Some(path) = &overrides.config {
            Some(Arc::new(load(path, &overrides, true)?.ok_or_else(
                || ConfigError {
                    file: Some(path.clone()),
                    source: None,
                    message: "has no `[tool.pitfall]` table".to_owned(),
                    help: None,
                },
            )?))
        } else if overrides.isolated {
            Some(Arc::new(Settings::build(
                RawConfig::default(),
                None,
                None,
                &overrides,
            )?))
        } else {
            None
        };
        Ok(Resolver {
            overrides,
            fixed,
            by_dir: Mutex::new(HashMap::default()),
            by_file: Mutex::new(HashMap::default()),
            default: Mutex::new(None),
            deferred_error: Mutex::new(None),
        })
    }

    /// The settings that apply to the file or directory at `path`: those of the
    /// nearest config file in its parent directory or above.
    pub fn settings_for(&self, path: &Path) -> Result<Arc<Settings>, ConfigError> {
        if let Some(fixed) = &self.fixed {
            return Ok(fixed.clone());
        }
        let absolute = crate::paths::absolute(path);
        self.settings_for_dir(absolute.parent().unwrap_or(Path::new("")))
    }

    fn settings_for_dir(&self, dir: &Path) -> Result<Arc<Settings>, ConfigError> {
        if let Some(found) = self.by_dir.lock().map_err(poisoned)?.get(dir) {
            return Ok(found.clone());
        }
        let mut found = None;
        for name in CONFIG_FILES {
            let candidate = dir.join(name);
            if !candidate.is_file() {
                continue;
            }
            if let Some(cached) = self.by_file.lock().map_err(poisoned)?.get(&candidate) {
                found = Some(cached.clone());
                break;
            }
            if let Some(settings) = load(&candidate, &self.overrides, false)? {
                let settings = Arc::new(settings);
                self.by_file
                    .lock()
                    .map_err(poisoned)?
                    .insert(candidate, settings.clone());
                found = Some(settings);
                break;
            }
        }
        let settings = match found {
            Some(settings) => settings,
            None => match dir.parent() {
                Some(parent) if parent != dir => self.settings_for_dir(parent)?,
                _ => self.default_settings()?,
            },
        };
        self.by_dir
            .lock()
            .map_err(poisoned)?
            .insert(dir.to_owned(), settings.clone());
        Ok(settings)
    }

    fn default_settings(&self) -> Result<Arc<Settings>, ConfigError> {
        let mut slot = self.default.lock().map_err(poisoned)?;
        if let Some(settings) = &*slot {
            return Ok(settings.clone());
        }
        let settings = Arc::new(Settings::build(
            RawConfig::default(),
            None,
            None,
            &self.overrides,
        )?);
        *slot = Some(settings.clone());
        Ok(settings)
    }

    /// Records an error met where it cannot be returned (inside a directory walk).
    pub fn defer(&self, error: ConfigError) {
        if let Ok(mut slot) = self.deferred_error.lock() {
            slot.get_or_insert(error);
        }
    }
}

fn poisoned<T>(_: std::sync::PoisonError<T>) -> ConfigError {
    ConfigError {
        file: None,
        source: None,
        message: "internal error: settings cache poisoned".to_owned(),
        help: None,
    }
}

/// Reads a config file. `Ok(None)` for a `pyproject.toml` without `[tool.pitfall]`
/// (unless `required`, when the caller reports it).
fn load(
    path: &Path,
    overrides: &Overrides,
    required: bool,
) -> Result<Option<Settings>, ConfigError> {
    let text: Arc<str> = std::fs::read_to_string(path)
        .map_err(|e| ConfigError {
            file: Some(path.to_owned()),
            source: None,
            message: format!("cannot read: {e}"),
            help: None,
        })?
        .into();
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let parsed = if is_pyproject {
        toml::from_str::<raw::PyProject>(&text).map(|p| p.tool.and_then(|t| t.pitfall))
    } else {
        toml::from_str::<RawConfig>(&text).map(Some)
    };
    let raw = match parsed {
        Ok(Some(raw)) => raw,
        Ok(None) if required => RawConfig::default(),
        Ok(None) => return Ok(None),
        Err(error) => {
            let range = error.span().unwrap_or(0..0);
            return Err(ConfigError {
                file: Some(path.to_owned()),
                source: Some((text.clone(), range)),
                message: error.message().trim_end().to_owned(),
                help: Some(
                    "the keys pitfall reads are select, extend-select, ignore, per-file-ignores, exclude, extend-exclude, target-version, min-severity, src, docs-url and [assert-for-validation]".to_owned(),
                ),
            });
        }
    };
    Settings::build(raw, Some(path.to_owned()), Some(text), overrides).map(Some)
}
