//! The project's modules, named from the paths of a run's files before any file is
//! checked. Each checking thread can then resolve its own file's imports to modules
//! (`ModuleTable::link`) while the summary is still in its cache, and the project phase
//! has nothing left to look up: resolving every import there, over summaries spread
//! across all threads' memory, was most of its time.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use compact_str::CompactString;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use super::module_name::{LastDir, ModuleName, Namer};
use super::summary::{FileSummary, Import, Links, Resolved, Targets};
use crate::checker::FileResult;
use crate::config::Settings;

/// The modules of a run, sorted by name.
#[derive(Default)]
pub struct ModuleTable {
    /// Each module's name, and the index of its file among the run's files.
    modules: Vec<(ModuleName, usize)>,
    /// The module of each of the run's files: `None` for a file outside the project
    /// phase, one that cannot be a module, or the second of two files with one name.
    of_file: Vec<Option<usize>>,
    /// Modules by name, and by alias where no module has that name.
    by_name: FxHashMap<CompactString, usize>,
}

impl ModuleTable {
    /// Names the modules among `files` (a run's files, each with its settings): those
    /// whose settings turn on a project-wide rule. `checked` are the paths given on the
    /// command line, which count as source roots.
    pub fn new(files: &[(PathBuf, Arc<Settings>)], checked: &[PathBuf]) -> Self {
        let settings: Vec<&Arc<Settings>> = files.iter().map(|(_, s)| s).collect();
        let mut namer = Namer::new(super::source_roots(&settings, checked));
        namer.know_packages(files.iter().map(|(path, _)| path.as_path()));
        // Files come grouped by directory, so each task names a run of neighbours and
        // mostly asks the shared table of directories nothing (`LastDir`).
        // Collected in file order into an array of the files' length, then copied into
        // one of the modules' length: a filtered parallel collect grows a vector per
        // task, doubling, and copies them all (three times the memory touched).
        let named: Vec<Option<(ModuleName, usize)>> = files
            .par_iter()
            .enumerate()
            .with_min_len(NAMING_CHUNK)
            .map_init(LastDir::default, |last, (file, (path, settings))| {
                if !super::wanted(settings) {
                    return None;
                }
                Some((namer.name_after(path, last)?, file))
            })
            .collect();
        let mut modules = Vec::with_capacity(named.iter().flatten().count());
        modules.extend(named.into_iter().flatten());
        // Two files with one name (a `.py` and its `.pyi`, or two trees): the first path
        // in sorted order stands for the module, so the answer does not depend on order.
        modules.sort_unstable_by(|(a, a_file), (b, b_file)| {
            (&a.name, &files[*a_file].0).cmp(&(&b.name, &files[*b_file].0))
        });
        modules.dedup_by(|(b, _), (a, _)| a.name == b.name);
        let mut of_file = vec![None; files.len()];
        for (module, (_, file)) in modules.iter().enumerate() {
            of_file[*file] = Some(module);
        }
        let aliases = modules.iter().filter(|(name, _)| name.alias.is_some());
        let mut by_name = FxHashMap::default();
        by_name.reserve(modules.len() + aliases.count());
        for (module, (name, _)) in modules.iter().enumerate() {
            by_name.insert(name.name.clone(), module);
        }
        // The shorter names come second: a full name always wins over an alias.
        for (module, (name, _)) in modules.iter().enumerate() {
            if let Some(alias) = &name.alias {
                by_name.entry(alias.clone()).or_insert(module);
            }
        }
        ModuleTable {
            modules,
            of_file,
            by_name,
        }
    }

    /// How many modules there are; they are numbered from 0 in name order.
    pub fn len(&self) -> usize {
        self.modules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }

    /// Module `module`'s name, and the index of its file.
    pub fn module(&self, module: usize) -> (&ModuleName, usize) {
        let (name, file) = &self.modules[module];
        (name, *file)
    }

    /// The module with this name (or alias).
    pub fn get(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// Resolves the imports of the summary of `result`, file number `file` of the run,
    /// if that file is a module: for the checking thread, right after the check.
    pub fn link(&self, file: usize, result: &mut FileResult) {
        if let (Some(Some(module)), Some(summary)) =
            (self.of_file.get(file), result.summary.as_deref_mut())
        {
            self.resolve(*module, summary);
        }
    }

    /// Fills in what each import of module `module` (with `summary`) leads to, and the
    /// module's links.
    fn resolve(&self, module: usize, summary: &mut FileSummary) {
        // One buffer for every `module.name` looked up in the file: growing a fresh one
        // for each import cost more than the look-ups.
        let mut buffer = String::with_capacity(128);
        let mut successors = SmallVec::new();
        for import in &mut summary.imports {
            import.resolved = self.resolved(module, import, &mut buffer);
            if import.when.is_import_time() {
                successors.extend_from_slice(&import.resolved.targets);
            }
        }
        successors.sort_unstable();
        successors.dedup();
        summary.links = Links {
            successors,
            parent: self.nearest_parent(module),
        };
    }

    /// The nearest parent package of `module` that is a project module.
    fn nearest_parent(&self, module: usize) -> Option<usize> {
        let name = self.modules[module].0.name.as_str();
        self.longest_module(parent_name(name)?)
    }

    /// The absolute name of the module an import names (`from ..x import y` in `a.b.c`
    /// names `a.x`), if relative dots do not climb out of the top package.
    pub fn imported_module<'i>(&self, module: usize, import: &'i Import) -> Option<Cow<'i, str>> {
        self.modules[module]
            .0
            .absolute(import.level, &import.module)
    }

    /// The project module that `dotted` or its longest dotted prefix names.
    fn longest_module(&self, dotted: &str) -> Option<usize> {
        let mut candidate = dotted;
        loop {
            if let Some(module) = self.get(candidate) {
                return Some(module);
            }
            candidate = parent_name(candidate)?;
        }
    }

    /// What an import of module `module` leads to: the project modules it loads
    /// (besides their parent packages) — `import a.b` loads `a.b`; `from a import b`
    /// loads the submodule `a.b` if there is one, else `a` — and the module a `from`
    /// import takes its names from. `submodule` is a buffer for `module.name`.
    fn resolved(&self, module: usize, import: &Import, submodule: &mut String) -> Resolved {
        let Some(imported) = self.imported_module(module, import) else {
            return Resolved::default();
        };
        let Some(names) = &import.names else {
            let targets = self.longest_module(&imported).filter(|&t| t != module);
            return Resolved {
                targets: targets.into_iter().collect(),
                source: None,
            };
        };
        let source = self.get(&imported);
        // Pushed one by one: most imports load one module, and `SmallVec`'s generic
        // collecting, sorting and deduplicating cost more than the look-ups.
        let mut targets = Targets::new();
        let mut fallback = None;
        for name in names {
            submodule.clear();
            if !imported.is_empty() {
                submodule.push_str(&imported);
                submodule.push('.');
            }
            submodule.push_str(&name.name);
            let target = match self.get(submodule) {
                Some(target) => target,
                None => {
                    let found = *fallback.get_or_insert_with(|| {
                        source.or_else(|| self.longest_module(parent_name(&imported)?))
                    });
                    match found {
                        Some(target) => target,
                        None => continue,
                    }
                }
            };
            if target != module && !targets.contains(&target) {
                targets.push(target);
            }
        }
        if targets.len() > 1 {
            targets.sort_unstable();
        }
        Resolved { targets, source }
    }
}

/// `a.b` for `a.b.c`; `None` for a name without dots.
fn parent_name(dotted: &str) -> Option<&str> {
    let dot = dotted.bytes().rposition(|b| b == b'.')?;
    Some(&dotted[..dot])
}

/// Files named by one task: large enough that the directory of the previous file
/// answers for most of them, small enough to spread over the threads.
const NAMING_CHUNK: usize = 256;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    /// A tree of `(path, text)` files under a temporary directory, as a run's files.
    fn run_files(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<(PathBuf, Arc<Settings>)>) {
        let dir = tempfile::tempdir().unwrap();
        let settings = Arc::new(Settings::for_rules(registry::RULES));
        let mut run = Vec::new();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            run.push((path, settings.clone()));
        }
        run.sort_by(|a, b| a.0.cmp(&b.0));
        (dir, run)
    }

    fn module_named(table: &ModuleTable, name: &str) -> usize {
        table
            .get(name)
            .unwrap_or_else(|| panic!("no module {name}"))
    }

    #[test]
    fn linking_resolves_imports_successors_and_parents() {
        let (dir, files) = run_files(&[
            ("app/__init__.py", ""),
            (
                "app/core.py",
                "from app import util, missing\nimport app.models as m\n",
            ),
            ("app/util.py", "def f():\n    from app import core\n"),
            (
                "app/models.py",
                "from . import util\nfrom .util import f\nimport os\n",
            ),
            // Two files, one module: the first path in sorted order stands for it.
            ("app/models.pyi", ""),
        ]);
        let table = ModuleTable::new(&files, &[dir.path().to_owned()]);
        assert_eq!(table.len(), 4);
        let [app, core, util, models] =
            ["app", "app.core", "app.util", "app.models"].map(|n| module_named(&table, n));
        assert_eq!(
            table.module(models).1,
            files
                .iter()
                .position(|(p, _)| p.ends_with("models.py"))
                .unwrap()
        );
        let linked = |file: &str| {
            let index = files.iter().position(|(p, _)| p.ends_with(file)).unwrap();
            let (path, settings) = &files[index];
            let mut result = crate::checker::check_path(path, settings, false);
            table.link(index, &mut result);
            *result.summary.unwrap()
        };
        let core_summary = linked("app/core.py");
        let targets: Vec<&[usize]> = core_summary
            .imports
            .iter()
            .map(|i| &i.resolved.targets[..])
            .collect();
        // `missing` is no submodule: the import loads `app` itself for it.
        let mut util_and_app = [util, app];
        util_and_app.sort();
        assert_eq!(targets, [&util_and_app[..], &[models][..]]);
        assert_eq!(core_summary.imports[0].resolved.source, Some(app));
        assert_eq!(core_summary.links.successors.to_vec(), {
            let mut all = vec![app, util, models];
            all.sort();
            all
        });
        assert_eq!(core_summary.links.parent, Some(app));
        // An import inside a function is resolved, but is no import-time successor.
        let util_summary = linked("app/util.py");
        assert_eq!(util_summary.imports[0].resolved.targets.to_vec(), [core]);
        assert!(util_summary.links.successors.is_empty());
        // Relative imports; `os` is outside the project, a leaf.
        let models_summary = linked("app/models.py");
        let targets: Vec<Vec<usize>> = models_summary
            .imports
            .iter()
            .map(|i| i.resolved.targets.to_vec())
            .collect();
        assert_eq!(targets, [vec![util], vec![util], vec![]]);
        assert_eq!(models_summary.imports[1].resolved.source, Some(util));
        // The `.pyi` twin is not a module: linking its result leaves it alone.
        let index = files
            .iter()
            .position(|(p, _)| p.ends_with("models.pyi"))
            .unwrap();
        let mut result = crate::checker::check_source(
            &files[index].0,
            "import app.core\n".into(),
            &files[index].1,
            false,
        );
        table.link(index, &mut result);
        assert!(
            result.summary.unwrap().imports[0]
                .resolved
                .targets
                .is_empty()
        );
    }
}
