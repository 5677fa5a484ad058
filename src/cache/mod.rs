//! The results cache: a re-run on an unchanged tree reuses each file's findings instead
//! of parsing and checking it again.
//!
//! Layout: `<cache dir>/<settings fingerprint>.json`, one *shard* per distinct set of
//! effective settings, mapping each file's absolute path to an [`Entry`]. An entry is
//! used only when the hash of the file's decoded text matches, so an edited file —
//! including one rewritten by `--fix` — is always checked afresh. The fingerprint
//! covers everything that changes output (the config file's text, command-line
//! overrides, the project root, the selected rules, `target-version`, `docs-url`); a
//! shard also records the build that wrote it (version plus the executable's size and
//! modification time, so a rebuilt pitfall never trusts an older build's answers).
//!
//! Everything here is best effort: an unreadable or damaged shard counts as empty, an
//! entry that no longer makes sense counts as a miss, and a failed write is ignored.
//!
//! `--fix`, `--diff` and standard input bypass the cache.

pub mod entry;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::checker::{self, FileResult};
use crate::config::{Overrides, Resolver, Settings};
use crate::registry;
pub use entry::{CachedFinding, Entry, FileSummary};

/// The directory name used at the project root when `--cache-dir` is not given.
pub const DIR_NAME: &str = ".pitfall_cache";

/// The cache of one run: a shard per distinct `Settings` among the files to check.
pub struct Cache {
    dir: PathBuf,
    build: String,
    /// Keyed by the address of the shared `Settings` (files share one `Arc` per config).
    shards: HashMap<usize, Shard>,
}

/// The entries of one settings fingerprint: those loaded from disk, plus those made
/// during this run (to be written back).
struct Shard {
    file: PathBuf,
    fingerprint: String,
    loaded: BTreeMap<String, Entry>,
    fresh: Mutex<Vec<(String, Entry)>>,
}

/// The file format of a shard.
#[derive(Serialize, Deserialize)]
struct ShardFile {
    build: String,
    settings: String,
    entries: BTreeMap<String, Entry>,
}

/// The cache directory for this run: `--cache-dir` if given, else `.pitfall_cache`
/// next to the config file that applies to the working directory, else in it.
pub fn default_dir(resolver: &Resolver) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = resolver
        .settings_for(&cwd.join("__pitfall_cache_probe__.py"))
        .ok()
        .and_then(|settings| settings.file.as_ref()?.parent().map(Path::to_owned))
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(cwd);
    root.join(DIR_NAME)
}

/// Identifies the build: answers of another version or another compile of the same
/// version may differ, so they are never reused.
fn build_id() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "{}+{}.{}",
        env!("CARGO_PKG_VERSION"),
        meta.len(),
        modified.as_nanos()
    ))
}

fn hash_hex(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// A fingerprint of every setting that changes what a file's check reports.
fn settings_fingerprint(settings: &Settings, overrides: &Overrides) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = settings
        .file
        .as_ref()
        .and_then(|file| file.parent().map(Path::to_owned))
        .unwrap_or_else(|| cwd.clone());
    // The config file's whole text covers every key, including ones added later.
    let config_text = settings
        .file
        .as_ref()
        .map(|file| std::fs::read(file).unwrap_or_else(|e| e.to_string().into_bytes()))
        .unwrap_or_default();
    let enabled: Vec<&str> = registry::all_meta()
        .filter(|meta| settings.dispatch.is_enabled(meta))
        .map(|meta| meta.code)
        .collect();
    let description = format!(
        "file={:?}\nroot={root:?}\ncwd={cwd:?}\noverrides={overrides:?}\nrules={enabled:?}\ntarget={:?}\ndocs={}\n",
        settings.file, settings.target_version, settings.docs_url,
    );
    let mut bytes = description.into_bytes();
    bytes.extend_from_slice(&config_text);
    hash_hex(&bytes)
}

impl Cache {
    /// Loads the shards the given files need. `None` when the build cannot be
    /// identified, in which case the run goes uncached.
    pub fn load<'s>(
        dir: PathBuf,
        overrides: &Overrides,
        settings: impl IntoIterator<Item = &'s Arc<Settings>>,
    ) -> Option<Cache> {
        let build = build_id()?;
        let mut shards = HashMap::new();
        for settings in settings {
            let key = Arc::as_ptr(settings) as usize;
            if shards.contains_key(&key) {
                continue;
            }
            let fingerprint = settings_fingerprint(settings, overrides);
            let file = dir.join(format!("{fingerprint}.json"));
            let loaded = std::fs::read(&file)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<ShardFile>(&bytes).ok())
                .filter(|shard| shard.build == build && shard.settings == fingerprint)
                .map(|shard| shard.entries)
                .unwrap_or_default();
            shards.insert(
                key,
                Shard {
                    file,
                    fingerprint,
                    loaded,
                    fresh: Mutex::new(Vec::new()),
                },
            );
        }
        Some(Cache { dir, build, shards })
    }

    /// Checks the file at `path` unless its cached entry is still valid.
    pub fn check_path(&self, path: &Path, settings: &Settings, keep_source: bool) -> FileResult {
        let shard = self.shards.get(&(std::ptr::from_ref(settings) as usize));
        let text = match checker::read_source(path) {
            Ok(text) => text,
            // Unreadable files are not cached: the reason is re-read each time.
            Err(_) => return checker::check_path(path, settings, keep_source),
        };
        let Some(shard) = shard else {
            return checker::check_source(path, text, settings, keep_source);
        };
        let key = std::path::absolute(path)
            .unwrap_or_else(|_| path.to_owned())
            .to_string_lossy()
            .into_owned();
        let content_hash = hash_hex(text.as_bytes());
        if let Some((findings, summary)) = shard.lookup(&key, &content_hash, path, settings) {
            let keep = keep_source && !findings.is_empty();
            return FileResult {
                path: path.to_owned(),
                findings,
                error: None,
                source: keep.then_some(text),
                summary,
            };
        }
        let result = checker::check_source(path, text, settings, keep_source);
        if result.error.is_none() {
            let entry = Entry {
                content_hash,
                findings: result
                    .findings
                    .iter()
                    .map(CachedFinding::from_finding)
                    .collect(),
                summary: result.summary.clone(),
            };
            if let Ok(mut fresh) = shard.fresh.lock() {
                fresh.push((key, entry));
            }
        }
        result
    }

    /// Writes back every shard that gained entries. Failures are ignored: the cache
    /// only ever saves time.
    pub fn persist(self) {
        let dirty: Vec<Shard> = self
            .shards
            .into_values()
            .filter(|shard| shard.fresh.lock().is_ok_and(|fresh| !fresh.is_empty()))
            .collect();
        if dirty.is_empty() || prepare_dir(&self.dir).is_err() {
            return;
        }
        for shard in dirty {
            let file = shard.file.clone();
            let fingerprint = shard.fingerprint.clone();
            let entries = shard.merged();
            let shard_file = ShardFile {
                build: self.build.clone(),
                settings: fingerprint,
                entries,
            };
            if let Ok(bytes) = serde_json::to_vec(&shard_file) {
                let _ = write_atomic(&file, &bytes);
            }
        }
    }
}

impl Shard {
    fn lookup(
        &self,
        key: &str,
        content_hash: &str,
        path: &Path,
        settings: &Settings,
    ) -> Option<(Vec<crate::finding::Finding>, Option<FileSummary>)> {
        let entry = self.loaded.get(key)?;
        if entry.content_hash != content_hash {
            return None;
        }
        let findings = entry
            .findings
            .iter()
            .map(|finding| finding.to_finding(path, settings))
            .collect::<Option<_>>()?;
        Some((findings, entry.summary.clone()))
    }

    /// The entries to write: this run's, plus the loaded ones for files that still
    /// exist (files checked by an earlier run but not by this one stay cached).
    fn merged(self) -> BTreeMap<String, Entry> {
        let fresh = self.fresh.into_inner().unwrap_or_default();
        let mut entries: BTreeMap<String, Entry> = self
            .loaded
            .into_iter()
            .filter(|(path, _)| Path::new(path).is_file())
            .collect();
        entries.extend(fresh);
        entries
    }
}

/// Creates the cache directory with a `.gitignore` that hides it from git.
fn prepare_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let gitignore = dir.join(".gitignore");
    if !gitignore.exists() {
        write_atomic(&gitignore, b"# Automatically created by pitfall.\n*\n")?;
    }
    let tag = dir.join("CACHEDIR.TAG");
    if !tag.exists() {
        write_atomic(
            &tag,
            b"Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by pitfall.\n",
        )?;
    }
    Ok(())
}

/// Writes through a temporary file renamed into place, so a reader (another pitfall
/// running at the same time) sees the old shard or the new one, never half of one.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}
