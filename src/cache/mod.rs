//! The results cache: a re-run on an unchanged tree reuses each file's findings instead
//! of parsing and checking it again.
//!
//! Layout: `<cache dir>/<settings fingerprint>.bin`, one *shard* per distinct set of
//! effective settings, mapping each file's absolute path to an [`Entry`] (the format is
//! in `shard`). An entry is
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
mod shard;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::checker::{self, FileResult};
use crate::config::{Overrides, Resolver, Settings};
use crate::registry;
pub use entry::{CachedFinding, Entry, EntryBody, FileSummary};

/// The directory name used at the project root when `--cache-dir` is not given.
pub const DIR_NAME: &str = ".pitfall_cache";

/// The file extension of a shard.
const EXTENSION: &str = "bin";

/// The cache of one run: a shard per distinct `Settings` among the files to check.
pub struct Cache {
    dir: PathBuf,
    cwd: PathBuf,
    build: String,
    /// Keyed by the address of the shared `Settings` (files share one `Arc` per config).
    shards: HashMap<usize, Shard>,
}

/// The entries of one settings fingerprint: those loaded from disk (the file's bytes
/// and their index), plus those made during this run (to be written back).
struct Shard {
    file: PathBuf,
    fingerprint: String,
    bytes: Vec<u8>,
    loaded: rustc_hash::FxHashMap<String, shard::Slot>,
    fresh: Mutex<Vec<(String, Entry)>>,
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

fn hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
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
    format!("{:032x}", hash(&bytes))
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
            let file = dir.join(format!("{fingerprint}.{EXTENSION}"));
            let bytes = std::fs::read(&file).unwrap_or_default();
            let loaded = shard::read_index(&bytes)
                .filter(|index| index.build == build && index.settings == fingerprint)
                .map(|index| index.slots)
                .unwrap_or_default();
            shards.insert(
                key,
                Shard {
                    file,
                    fingerprint,
                    // Unusable bytes need not stay in memory.
                    bytes: if loaded.is_empty() { Vec::new() } else { bytes },
                    loaded,
                    fresh: Mutex::new(Vec::new()),
                },
            );
        }
        let cwd = std::env::current_dir().unwrap_or_default();
        Some(Cache {
            dir,
            cwd,
            build,
            shards,
        })
    }

    /// Checks the file at `path` unless its cached entry is still valid. The entry is
    /// keyed by the hash of the file's bytes, so a hit needs no decoding (only the
    /// text of a file whose findings are shown with a snippet is decoded).
    pub fn check_path(&self, path: &Path, settings: &Settings, keep_source: bool) -> FileResult {
        let shard = self.shards.get(&(std::ptr::from_ref(settings) as usize));
        let bytes = match checker::read_bytes(path) {
            Ok(bytes) => bytes,
            // Unreadable files are not cached: the reason is re-read each time.
            Err(_) => return checker::check_path(path, settings, keep_source),
        };
        let Some(shard) = shard else {
            return check_bytes(path, bytes, settings, keep_source);
        };
        let key = self.key(path);
        let content_hash = hash(&bytes);
        if let Some((findings, summary)) = shard.lookup(&key, content_hash, path, settings) {
            let keep = keep_source && !findings.is_empty();
            return FileResult {
                path: path.to_owned(),
                findings,
                error: None,
                source: keep.then(|| checker::decode(bytes).ok()).flatten(),
                summary,
            };
        }
        let result = check_bytes(path, bytes, settings, keep_source);
        if result.error.is_none()
            && let Some(entry) =
                Entry::new(content_hash, &result.findings, result.summary.as_deref())
            && let Ok(mut fresh) = shard.fresh.lock()
        {
            fresh.push((key, entry));
        }
        result
    }

    /// The absolute path that names a file's entry. Relative paths are joined to the
    /// working directory read once, rather than once per file.
    fn key(&self, path: &Path) -> String {
        let joined;
        let path = if path.is_relative() {
            joined = self.cwd.join(path);
            &joined
        } else {
            path
        };
        crate::paths::absolute(path).to_string_lossy().into_owned()
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
            if let Some(bytes) = shard.encode(&self.build) {
                let _ = write_atomic(&shard.file, &bytes);
            }
        }
    }
}

impl Shard {
    fn lookup(
        &self,
        key: &str,
        content_hash: u128,
        path: &Path,
        settings: &Settings,
    ) -> Option<(Vec<crate::finding::Finding>, Option<Box<FileSummary>>)> {
        let slot = self.loaded.get(key)?;
        if slot.content_hash != content_hash {
            return None;
        }
        let body = EntryBody::decode(self.bytes.get(slot.body.clone())?)?;
        let findings = body
            .findings
            .into_iter()
            .map(|finding| finding.into_finding(path, settings))
            .collect::<Option<_>>()?;
        Some((findings, body.summary))
    }

    /// The shard file to write: this run's entries, plus the loaded ones for files that
    /// still exist (files checked by an earlier run but not by this one stay cached).
    fn encode(&self, build: &str) -> Option<Vec<u8>> {
        let fresh = self.fresh.lock().ok()?;
        let mut entries: BTreeMap<&str, (u128, &[u8])> = self
            .loaded
            .iter()
            .filter(|(path, _)| Path::new(path).is_file())
            .filter_map(|(path, slot)| {
                let body = self.bytes.get(slot.body.clone())?;
                Some((path.as_str(), (slot.content_hash, body)))
            })
            .collect();
        for (path, entry) in fresh.iter() {
            entries.insert(path, (entry.content_hash, &entry.body));
        }
        let entries: Vec<(&str, u128, &[u8])> = entries
            .into_iter()
            .map(|(path, (content_hash, body))| (path, content_hash, body))
            .collect();
        shard::write(build, &self.fingerprint, &entries)
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

/// Checks a file from its bytes; one that cannot be decoded gets the reason as its
/// error, as `checker::check_path` gives it.
fn check_bytes(path: &Path, bytes: Vec<u8>, settings: &Settings, keep_source: bool) -> FileResult {
    match checker::decode(bytes) {
        Ok(text) => checker::check_source(path, text, settings, keep_source),
        Err(error) => checker::unreadable(path, error),
    }
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
