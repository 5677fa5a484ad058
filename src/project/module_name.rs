//! Module names from the package structure: `a/b/c.py` is `a.b.c` when `a/` and `a/b/`
//! hold an `__init__.py`; above the last regular package, directories under a source
//! root count as namespace packages (PEP 420).

use std::borrow::Cow;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use compact_str::CompactString;

use rustc_hash::{FxHashMap, FxHashSet};

/// A module's dotted name, and whether it is a package (`__init__.py`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleName {
    /// Inline when short (most module names are), so naming thousands of modules
    /// allocates little.
    pub name: CompactString,
    /// The name counted from the outermost regular package only, when namespace
    /// directories above it made `name` longer: the code may import it either way,
    /// depending on what is on `sys.path`.
    pub alias: Option<CompactString>,
    pub is_package: bool,
}

impl ModuleName {
    /// The package a relative import of `level` dots starts from, if it exists:
    /// `from . import x` in `a.b.c` is relative to `a.b`, in `a/b/__init__.py` too.
    pub fn relative_base(&self, level: u32) -> Option<String> {
        let mut base = self.name.as_str();
        let mut up = level;
        if !self.is_package {
            up += 1;
        }
        for _ in 1..up {
            base = base.rsplit_once('.')?.0;
        }
        Some(base.to_owned())
    }

    /// The absolute name of `rest` read from this module with `level` leading dots
    /// (`from ..x import y` in `a.b.c` names `a.x`; `rest` may be empty), if the dots do
    /// not climb out of the top package. Level 0 is `rest` itself.
    pub fn absolute<'r>(&self, level: u32, rest: &'r str) -> Option<Cow<'r, str>> {
        if level == 0 {
            return Some(Cow::Borrowed(rest));
        }
        let base = self.relative_base(level)?;
        Some(Cow::Owned(match rest {
            "" => base,
            rest => format!("{base}.{rest}"),
        }))
    }

    /// `absolute` for a dotted name that spells its level as leading dots (`.mod.name`),
    /// as summaries keep names reached through relative imports.
    pub fn resolve<'r>(&self, dotted: &'r str) -> Option<Cow<'r, str>> {
        let rest = dotted.trim_start_matches('.');
        self.absolute((dotted.len() - rest.len()) as u32, rest)
    }
}

/// Names modules, remembering what each directory is. Shared by the threads that
/// name the modules of a project together.
pub struct Namer {
    /// Absolute source roots, deepest first.
    roots: Vec<PathBuf>,
    /// Directories as given (relative or not), by their text: what a module directly
    /// inside them is called. Files share a few directories, so each directory is made
    /// absolute, and its `__init__.py` looked for, once (twice at worst, when two
    /// threads meet a new directory at once: the answers are the same).
    dirs: Mutex<FxHashMap<OsString, Option<Arc<DirName>>>>,
    /// The working directory, read once: `std::path::absolute` would ask the system
    /// for it again for every relative path.
    cwd: Option<PathBuf>,
    /// Absolute directories known to hold an `__init__.py` (or `.pyi`) without asking
    /// the file system: those of the run's own `__init__` files (`know_packages`).
    packages: FxHashSet<PathBuf>,
}

/// What a directory contributes to the names of the modules in it.
#[derive(Debug, Clone)]
struct DirName {
    /// Its dotted name as a package (namespace or regular); empty outside any package.
    name: CompactString,
    /// How many parts `name` has.
    parts: usize,
    /// The trailing parts of `name` that are regular packages (with `__init__.py`),
    /// dotted, and how many there are.
    regular: CompactString,
    regular_parts: usize,
}

/// The directory of the file named last (the bytes of its path before the file name),
/// and what it is (see `Namer::name_after`).
#[derive(Default)]
pub struct LastDir<'p> {
    dir: Option<&'p [u8]>,
    named: Option<Arc<DirName>>,
}

/// `prefix.part`, or `part` alone after an empty prefix. Joined on the stack and
/// copied once: pushing onto a `CompactString` piece by piece (or `format!`) costs
/// more than the rest of naming a module.
fn dotted(prefix: &str, part: &str) -> CompactString {
    if prefix.is_empty() {
        return part.into();
    }
    let length = prefix.len() + 1 + part.len();
    let mut buffer = [0u8; 64];
    if let Some(joined) = buffer.get_mut(..length) {
        joined[..prefix.len()].copy_from_slice(prefix.as_bytes());
        joined[prefix.len()] = b'.';
        joined[prefix.len() + 1..].copy_from_slice(part.as_bytes());
        if let Ok(joined) = std::str::from_utf8(joined) {
            return joined.into();
        }
    }
    let mut joined = String::with_capacity(length);
    joined.push_str(prefix);
    joined.push('.');
    joined.push_str(part);
    joined.into()
}

impl Namer {
    pub fn new(roots: impl IntoIterator<Item = PathBuf>) -> Self {
        let mut namer = Namer {
            roots: Vec::new(),
            dirs: Mutex::default(),
            cwd: std::env::current_dir().ok(),
            packages: FxHashSet::default(),
        };
        let mut roots: Vec<PathBuf> = roots
            .into_iter()
            .map(|root| namer.absolute(&root))
            .collect();
        roots.sort_by_key(|root| std::cmp::Reverse(root.components().count()));
        roots.dedup();
        namer.roots = roots;
        namer
    }

    /// Takes the directories of the `__init__.py` and `__init__.pyi` files among
    /// `paths` (files that exist) for packages, so that naming the modules of a run
    /// asks the file system only about directories whose `__init__` it did not see.
    pub fn know_packages<'p>(&mut self, paths: impl IntoIterator<Item = &'p Path>) {
        for path in paths {
            let bytes = path.as_os_str().as_encoded_bytes();
            let is_init = [&b"__init__.py"[..], b"__init__.pyi"].iter().any(|init| {
                bytes.ends_with(init)
                    && (bytes.len() == init.len()
                        || std::path::is_separator(bytes[bytes.len() - init.len() - 1].into()))
            });
            if is_init && let Some(dir) = path.parent() {
                let dir = self.absolute(dir);
                self.packages.insert(dir);
            }
        }
    }

    /// `path` made absolute and normalised as `std::path::absolute` does it (`.`
    /// components dropped, `..` kept), with the working directory read once.
    fn absolute(&self, path: &Path) -> PathBuf {
        match &self.cwd {
            Some(cwd) if path.is_relative() => {
                std::path::absolute(cwd.join(path)).unwrap_or_else(|_| path.to_owned())
            }
            _ => std::path::absolute(path).unwrap_or_else(|_| path.to_owned()),
        }
    }

    /// The module name of the Python file at `path`, or `None` for a path that cannot
    /// be a module (no file name, not `.py`/`.pyi`).
    pub fn name(&self, path: &Path) -> Option<ModuleName> {
        self.name_after(path, &mut LastDir::default())
    }

    /// `name`, for files met one after another: `last` remembers the directory of the
    /// previous one, and files come grouped by directory, so that most answers need no
    /// look-up in the shared table.
    pub fn name_after<'p>(&self, path: &'p Path, last: &mut LastDir<'p>) -> Option<ModuleName> {
        let (dir, file) = crate::paths::split_dir(path);
        let stem = match std::str::from_utf8(file).ok()?.rsplit_once('.')? {
            (stem, "py" | "pyi") if !stem.is_empty() => stem,
            _ => return None,
        };
        if last.dir != Some(dir) {
            let parent = path.parent()?;
            let named = match self.known(parent) {
                Some(known) => known,
                None => {
                    let absolute = self.absolute(parent);
                    let named = self.dir_name(&absolute);
                    self.remember(parent, named.clone());
                    named
                }
            };
            *last = LastDir {
                dir: Some(dir),
                named,
            };
        }
        let dir = last.named.as_deref()?;
        let is_package = stem == "__init__";
        let (parts, regular_parts) = match is_package {
            true => (dir.parts, dir.regular_parts),
            false => (dir.parts + 1, dir.regular_parts + 1),
        };
        if parts == 0 {
            return None;
        }
        let in_dir = |prefix: &str| match is_package {
            true => CompactString::from(prefix),
            false => dotted(prefix, stem),
        };
        let name = in_dir(&dir.name);
        let alias = (regular_parts < parts && regular_parts > 0).then(|| in_dir(&dir.regular));
        Some(ModuleName {
            name,
            alias,
            is_package,
        })
    }

    /// What `dir` was found to be, if it was looked at already.
    fn known(&self, dir: &Path) -> Option<Option<Arc<DirName>>> {
        // A poisoned lock only means another thread panicked while holding it; the
        // map itself is always whole.
        let dirs = self.dirs.lock().unwrap_or_else(PoisonError::into_inner);
        dirs.get(dir.as_os_str()).cloned()
    }

    fn remember(&self, dir: &Path, named: Option<Arc<DirName>>) {
        let mut dirs = self.dirs.lock().unwrap_or_else(PoisonError::into_inner);
        dirs.insert(dir.as_os_str().to_owned(), named);
    }

    /// The name of the absolute directory `dir` as a package: grown by one part for
    /// each directory with an `__init__.py`; above the outermost one, the directories
    /// between it and the deepest enclosing source root are namespace packages, if
    /// their names can be imported. `None` for a directory without a name.
    fn dir_name(&self, dir: &Path) -> Option<Arc<DirName>> {
        if !self.packages.contains(dir) && !has_init(dir) {
            let mut name = DirName {
                name: CompactString::default(),
                parts: 0,
                regular: CompactString::default(),
                regular_parts: 0,
            };
            if let Some(root) = self.roots.iter().find(|root| dir.starts_with(root)) {
                let between: Option<Vec<&str>> = dir
                    .strip_prefix(root)
                    .ok()?
                    .components()
                    .map(|c| c.as_os_str().to_str().filter(|s| is_identifier(s)))
                    .collect();
                if let Some(between) = between {
                    name.parts = between.len();
                    name.name = between.join(".").into();
                }
            }
            return Some(Arc::new(name));
        }
        let part = dir.file_name()?.to_str()?;
        let parent = dir.parent()?;
        // The parent is looked up by its absolute text, which its own files may not
        // use; that only costs a second entry.
        let above = match self.known(parent) {
            Some(known) => known?,
            None => {
                let named = self.dir_name(parent);
                self.remember(parent, named.clone());
                named?
            }
        };
        Some(Arc::new(DirName {
            name: dotted(&above.name, part),
            parts: above.parts + 1,
            regular: dotted(&above.regular, part),
            regular_parts: above.regular_parts + 1,
        }))
    }
}

fn has_init(dir: &Path) -> bool {
    dir.join("__init__.py").is_file() || dir.join("__init__.pyi").is_file()
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        dir
    }

    fn name_of(namer: &Namer, root: &Path, file: &str) -> Option<String> {
        namer.name(&root.join(file)).map(|m| m.name.into())
    }

    #[test]
    fn packages_src_layouts_and_namespaces() {
        let dir = tree(&[
            "src/app/__init__.py",
            "src/app/core/__init__.py",
            "src/app/core/db.py",
            "src/ns/plugin/__init__.py",
            "src/ns/plugin/x.py",
            "my-scripts/tool.py",
            "top.py",
        ]);
        let root = dir.path();
        let namer = Namer::new([root.to_owned(), root.join("src")]);
        let name = |file: &str| name_of(&namer, root, file);
        assert_eq!(name("src/app/core/db.py").as_deref(), Some("app.core.db"));
        assert_eq!(name("src/app/__init__.py").as_deref(), Some("app"));
        assert_eq!(name("src/ns/plugin/x.py").as_deref(), Some("ns.plugin.x"));
        assert_eq!(name("top.py").as_deref(), Some("top"));
        // `my-scripts` cannot be imported, so the file stands alone.
        assert_eq!(name("my-scripts/tool.py").as_deref(), Some("tool"));
        assert_eq!(name("README.md"), None);
        assert_eq!(
            namer
                .name(&root.join("src/ns/plugin/x.py"))
                .unwrap()
                .alias
                .as_deref(),
            Some("plugin.x")
        );
    }

    #[test]
    fn known_packages_name_modules_as_the_file_system_does() {
        let files = [
            "src/app/__init__.py",
            "src/app/core/__init__.pyi",
            "src/app/core/db.py",
            "src/ns/plugin/x.py",
            "src/app/not__init__.py",
        ];
        let dir = tree(&files);
        let root = dir.path();
        let plain = Namer::new([root.join("src")]);
        let mut told = Namer::new([root.join("src")]);
        let paths: Vec<PathBuf> = files.iter().map(|f| root.join(f)).collect();
        told.know_packages(paths.iter().map(PathBuf::as_path));
        assert_eq!(told.packages.len(), 2, "only real `__init__` files count");
        for path in &paths {
            assert_eq!(told.name(path), plain.name(path), "{}", path.display());
        }
        assert_eq!(
            told.name(&paths[2]).map(|m| m.name),
            Some("app.core.db".into())
        );
    }

    #[test]
    fn without_roots_the_outermost_package_decides() {
        let dir = tree(&["lib/pkg/__init__.py", "lib/pkg/m.py"]);
        let namer = Namer::new([]);
        assert_eq!(
            name_of(&namer, dir.path(), "lib/pkg/m.py").as_deref(),
            Some("pkg.m")
        );
    }

    #[test]
    fn relative_bases() {
        let module = |name: &str, is_package| ModuleName {
            name: name.into(),
            alias: None,
            is_package,
        };
        assert_eq!(
            module("a.b.c", false).relative_base(1).as_deref(),
            Some("a.b")
        );
        assert_eq!(
            module("a.b.c", false).relative_base(2).as_deref(),
            Some("a")
        );
        assert_eq!(module("a.b", true).relative_base(1).as_deref(), Some("a.b"));
        assert_eq!(module("a.b", true).relative_base(2).as_deref(), Some("a"));
        assert_eq!(module("a.b.c", false).relative_base(3), None);
        let c = module("a.b.c", false);
        assert_eq!(c.absolute(0, "x.y").as_deref(), Some("x.y"));
        assert_eq!(c.absolute(2, "x").as_deref(), Some("a.x"));
        assert_eq!(c.absolute(1, "").as_deref(), Some("a.b"));
        assert_eq!(c.resolve("..x.y").as_deref(), Some("a.x.y"));
        assert_eq!(c.resolve("pkg.m").as_deref(), Some("pkg.m"));
        assert_eq!(c.resolve("...x"), None);
    }
}
