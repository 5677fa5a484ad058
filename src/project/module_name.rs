//! Module names from the package structure: `a/b/c.py` is `a.b.c` when `a/` and `a/b/`
//! hold an `__init__.py`; above the last regular package, directories under a source
//! root count as namespace packages (PEP 420).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A module's dotted name, and whether it is a package (`__init__.py`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleName {
    pub name: String,
    /// The name counted from the outermost regular package only, when namespace
    /// directories above it made `name` longer: the code may import it either way,
    /// depending on what is on `sys.path`.
    pub alias: Option<String>,
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
}

/// Names modules, remembering which directories are packages.
pub struct Namer {
    /// Absolute source roots, deepest first.
    roots: Vec<PathBuf>,
    is_package: HashMap<PathBuf, bool>,
    /// The working directory, read once: `std::path::absolute` would ask the system
    /// for it again for every relative path.
    cwd: Option<PathBuf>,
}

impl Namer {
    pub fn new(roots: impl IntoIterator<Item = PathBuf>) -> Self {
        let mut namer = Namer {
            roots: Vec::new(),
            is_package: HashMap::new(),
            cwd: std::env::current_dir().ok(),
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
    pub fn name(&mut self, path: &Path) -> Option<ModuleName> {
        let extension = path.extension()?;
        if extension != "py" && extension != "pyi" {
            return None;
        }
        let path = self.absolute(path);
        let stem = path.file_stem()?.to_str()?;
        let is_package = stem == "__init__";
        let mut parts: Vec<&str> = Vec::new();
        if !is_package {
            parts.push(stem);
        }
        let mut dir = path.parent()?;
        while self.has_init(dir) {
            parts.push(dir.file_name()?.to_str()?);
            dir = dir.parent()?;
        }
        let regular = parts.len();
        // Directories between the deepest enclosing source root and the outermost
        // regular package are namespace packages, if their names can be imported.
        if let Some(root) = self.roots.iter().find(|root| dir.starts_with(root)) {
            let between: Option<Vec<&str>> = dir
                .strip_prefix(root)
                .ok()?
                .components()
                .rev()
                .map(|c| c.as_os_str().to_str().filter(|s| is_identifier(s)))
                .collect();
            if let Some(between) = between {
                parts.extend(between);
            }
        }
        if parts.is_empty() {
            return None;
        }
        parts.reverse();
        let alias = (regular < parts.len() && regular > 0)
            .then(|| parts[parts.len() - regular..].join("."));
        Some(ModuleName {
            name: parts.join("."),
            alias,
            is_package,
        })
    }

    fn has_init(&mut self, dir: &Path) -> bool {
        if let Some(&known) = self.is_package.get(dir) {
            return known;
        }
        let found = dir.join("__init__.py").is_file() || dir.join("__init__.pyi").is_file();
        self.is_package.insert(dir.to_owned(), found);
        found
    }
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

    fn name_of(namer: &mut Namer, root: &Path, file: &str) -> Option<String> {
        namer.name(&root.join(file)).map(|m| m.name)
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
        let mut namer = Namer::new([root.to_owned(), root.join("src")]);
        let mut name = |file: &str| name_of(&mut namer, root, file);
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
    fn without_roots_the_outermost_package_decides() {
        let dir = tree(&["lib/pkg/__init__.py", "lib/pkg/m.py"]);
        let mut namer = Namer::new([]);
        assert_eq!(
            name_of(&mut namer, dir.path(), "lib/pkg/m.py").as_deref(),
            Some("pkg.m")
        );
    }

    #[test]
    fn relative_bases() {
        let module = |name: &str, is_package| ModuleName {
            name: name.to_owned(),
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
    }
}
