//! The project phase: after every file was checked on its own (in parallel), the
//! project-wide rules look at all the files' summaries together. Nothing is parsed
//! again; the phase only reads the summaries gathered during each file's walk.

pub mod bindings;
mod cycles;
pub mod graph;
pub mod module_name;
pub mod summary;
mod table;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
pub use summary::FileSummary;

use crate::ast;
use crate::checker::FileResult;
use crate::config::Settings;
use crate::finding::{Finding, RelatedLocation};
use crate::rule::RuleMeta;
use crate::rules::{circular_import, patch_target_mismatch, unawaited_coroutine};
use crate::source::{Position, SourceText};
pub use module_name::{ModuleName, Namer};
use summary::{Import, Span, When};
pub use table::ModuleTable;

/// The rules that run in the project phase rather than on each file.
pub static PROJECT_RULES: [&RuleMeta; 2] = [&circular_import::META, &patch_target_mismatch::META];

/// Per-file rules that the project phase extends across modules (PF602: an imported
/// `async def` whose coroutine is lost).
pub static CROSS_MODULE_RULES: [&RuleMeta; 1] = [&unawaited_coroutine::META];

/// Whether `settings` turn on any project-wide or cross-module rule, so that files
/// under them need a summary.
pub fn wanted(settings: &Settings) -> bool {
    settings.project_phase
        && PROJECT_RULES
            .iter()
            .chain(&CROSS_MODULE_RULES)
            .any(|rule| settings.dispatch.is_enabled(rule))
}

/// One checked file as the project phase sees it: borrowed from the file's result,
/// so that the phase copies nothing per file.
#[derive(Clone, Copy)]
pub struct ProjectFile<'r> {
    pub path: &'r Path,
    pub settings: &'r Arc<Settings>,
    pub summary: &'r FileSummary,
}

/// The source roots for naming modules: the `src` (by default its directory and its
/// `src/`) of every config whose files take part in the project phase, plus each
/// checked directory and its `src/`.
pub fn source_roots(settings: &[&Arc<Settings>], checked: &[PathBuf]) -> Vec<PathBuf> {
    // Files share a few settings; visit each once, not once per file.
    let mut distinct: Vec<&Arc<Settings>> = settings.to_vec();
    distinct.dedup_by(|a, b| Arc::ptr_eq(a, b));
    let mut roots: Vec<PathBuf> = distinct
        .iter()
        .filter(|settings| wanted(settings))
        .flat_map(|settings| settings.src.iter().cloned())
        .chain(
            checked
                .iter()
                .filter(|path| path.is_dir())
                .flat_map(|dir| [dir.clone(), dir.join("src")]),
        )
        .collect();
    roots.sort();
    roots.dedup();
    roots
}

/// The project phase of a `check` run over `files` (with their settings), whose
/// modules `table` named and whose results (in the same order, each linked with
/// `ModuleTable::link`) are `results`: the project-wide findings.
pub fn run(
    results: &[FileResult],
    files: &[(PathBuf, Arc<Settings>)],
    table: &ModuleTable,
) -> Vec<Finding> {
    run_with_texts(results, files, table, |_| None)
}

/// `run`, where `text_of` gives the text a file was checked with when it is not the
/// one on disk (an editor's unsaved buffer), to place the findings in it.
pub fn run_with_texts(
    results: &[FileResult],
    files: &[(PathBuf, Arc<Settings>)],
    table: &ModuleTable,
    text_of: impl Fn(&Path) -> Option<String> + Sync,
) -> Vec<Finding> {
    let mut findings = check(results, files, table);
    place(&mut findings, text_of);
    findings.sort();
    findings
}

/// Works out line and column of the findings and their related locations from their
/// byte offsets, reading each file involved once. A file that cannot be read again
/// (gone since) keeps its findings at its start.
fn place(findings: &mut [Finding], text_of: impl Fn(&Path) -> Option<String> + Sync) {
    let mut paths: Vec<&Path> = findings
        .iter()
        .flat_map(|f| std::iter::once(&f.path).chain(f.related.iter().map(|r| &r.path)))
        .map(PathBuf::as_path)
        .collect();
    paths.sort_unstable();
    paths.dedup();
    // Read in parallel: the phase is otherwise serial, and reading is most of placing.
    let sources: HashMap<PathBuf, Option<SourceText>> = paths
        .into_par_iter()
        .map(|path| {
            let text = text_of(path).or_else(|| crate::checker::read_source(path).ok());
            (path.to_owned(), text.map(SourceText::new))
        })
        .collect();
    let at = |path: &Path, offset: usize, length: usize| {
        let Some(Some(source)) = sources.get(path) else {
            return (position(1, 1), position(1, 1));
        };
        // Clamped: a file changed since its summary must not make the index panic.
        let size = |offset: usize| {
            let offset = offset.min(source.text.len());
            let offset = (0..=offset)
                .rev()
                .find(|&o| source.text.is_char_boundary(o))
                .unwrap_or(0);
            ast::TextSize::try_from(offset).unwrap_or_default()
        };
        (
            source.position(size(offset)),
            source.position(size(offset + length)),
        )
    };
    for finding in findings {
        (finding.start, finding.end) = at(&finding.path, finding.offset, finding.length);
        for related in &mut finding.related {
            (related.start, related.end) = at(&related.path, related.offset, related.length);
        }
    }
}

/// Reads the text of the files that project findings point into (their own and their
/// related locations) and that have no text kept yet, for the snippets of the full
/// report. A file that cannot be read again is shown without a snippet.
pub fn add_sources(findings: &[Finding], sources: &mut HashMap<PathBuf, Arc<str>>) {
    let paths = findings
        .iter()
        .flat_map(|f| std::iter::once(&f.path).chain(f.related.iter().map(|r| &r.path)));
    for path in paths {
        if !sources.contains_key(path)
            && let Ok(text) = crate::checker::read_source(path)
        {
            sources.insert(path.clone(), Arc::from(text));
        }
    }
}

/// Runs the project-wide rules over the modules of `table`, whose files are `files`
/// and were checked into `results` (in the same order). The findings carry byte
/// offsets only: `place` gives them lines and columns.
fn check(
    results: &[FileResult],
    files: &[(PathBuf, Arc<Settings>)],
    table: &ModuleTable,
) -> Vec<Finding> {
    let project = Project::new(results, files, table);
    // The three rules read the summaries independently; the phase is otherwise serial.
    let (mut findings, (patches, coroutines)) = rayon::join(
        || cycles::circular_imports(&project),
        || {
            rayon::join(
                || patch_target_mismatches(&project),
                || lost_coroutines(&project),
            )
        },
    );
    findings.extend(patches);
    findings.extend(coroutines);
    findings
}

/// The summary of a file that says nothing: what a module stands for when its file
/// could not be read.
static EMPTY_SUMMARY: std::sync::LazyLock<FileSummary> =
    std::sync::LazyLock::new(FileSummary::default);

struct Module<'f> {
    file: ProjectFile<'f>,
    name: &'f ModuleName,
}

/// The modules, in the table's order (by name), with their summaries.
struct Project<'f> {
    modules: Vec<Module<'f>>,
    table: &'f ModuleTable,
}

impl<'f> Project<'f> {
    fn new(
        results: &'f [FileResult],
        files: &'f [(PathBuf, Arc<Settings>)],
        table: &'f ModuleTable,
    ) -> Self {
        let modules = (0..table.len())
            .map(|module| {
                let (name, file) = table.module(module);
                // A module whose file could not be read says nothing: no imports, no
                // names.
                let summary = results[file].summary.as_deref().unwrap_or(&EMPTY_SUMMARY);
                let file = ProjectFile {
                    path: &files[file].0,
                    settings: &files[file].1,
                    summary,
                };
                Module { file, name }
            })
            .collect();
        Project { modules, table }
    }

    /// The imports of module `index`, in source order, each resolved.
    fn imports(&self, index: usize) -> &'f [Import] {
        &self.modules[index].file.summary.imports
    }

    /// The module with this name (or alias).
    fn get(&self, name: &str) -> Option<usize> {
        self.table.get(name)
    }

    /// Whether module `index` reaches `dotted` by attribute access (`pkg.mod.name`, or
    /// `mod.name` after `from pkg import mod`, relative imports included), alone or
    /// as the start of a longer chain (`pkg.mod.name.attr`).
    fn uses_attribute(&self, index: usize, dotted: &str) -> bool {
        let reaches = |used: &str| {
            used.strip_prefix(dotted)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        };
        self.modules[index]
            .file
            .summary
            .attribute_uses
            .iter()
            .any(|used| {
                self.modules[index]
                    .name
                    .resolve(used)
                    .is_some_and(|used| reaches(&used))
            })
    }

    /// The module's alias if it starts with `first` (as a patch string naming modules
    /// by their alias does), else its name.
    fn name_like(&self, index: usize, first: &str) -> &str {
        self.modules[index]
            .name
            .alias
            .as_deref()
            .filter(|alias| alias.split('.').next() == Some(first))
            .unwrap_or(self.name(index))
    }

    /// The project module and name that `dotted` (a name reached through module
    /// `index`'s imports, relative ones starting with dots) is defined as.
    fn defined_at<'d>(&self, index: usize, dotted: &'d str) -> Option<(usize, &'d str)> {
        let (owner, name) = dotted.rsplit_once('.')?;
        let owner = self.modules[index].name.resolve(owner)?;
        Some((self.get(&owner)?, name))
    }

    fn name(&self, index: usize) -> &str {
        &self.modules[index].name.name
    }
}

/// Whether `rule` is on for `file` and no `# noqa` silences it at the item at `offset`.
fn reports(file: ProjectFile, rule: &RuleMeta, offset: usize) -> bool {
    file.settings.dispatch.is_enabled(rule)
        && !file
            .settings
            .ignored_for(file.path)
            .iter()
            .any(|ignored| ignored.code == rule.code)
        && !file
            .summary
            .suppressed
            .iter()
            .any(|(at, code)| *at == offset && code == rule.code)
}

fn position(line: usize, column: usize) -> Position {
    Position { line, column }
}

fn finding(
    file: ProjectFile,
    span: &Span,
    rule: &'static RuleMeta,
    message: String,
    help: String,
    related: Vec<RelatedLocation>,
) -> Finding {
    Finding {
        path: file.path.to_owned(),
        rule,
        // Placed by `place` once all findings are known.
        start: position(1, 1),
        end: position(1, 1),
        offset: span.offset(),
        length: span.length(),
        message,
        help: Some(help),
        severity: rule.severity,
        url: file.settings.url(rule),
        fix: None,
        related,
    }
}

fn related(path: &Path, span: &Span, message: String) -> RelatedLocation {
    RelatedLocation {
        path: path.to_owned(),
        // Placed by `place` once all findings are known.
        start: position(1, 1),
        end: position(1, 1),
        offset: span.offset(),
        length: span.length(),
        message,
    }
}

/// A module that binds a name with `from module import name`: the module, the local
/// name, and whether the import is inside a function.
type Consumer<'p> = (usize, &'p str, bool);

/// PF802: `patch("pkg.mod.name")` where `pkg.mod` defines `name` but the module under
/// test took its own reference with `from pkg.mod import name`.
fn patch_target_mismatches(project: &Project) -> Vec<Finding> {
    let rule = &patch_target_mismatch::META;
    // Each patch whose target names something a project module defines: the test
    // module, the patch, and the defining module and name.
    let mut targets = Vec::new();
    for (test, module) in project.modules.iter().enumerate() {
        for patch in &module.file.summary.patches {
            if let Some((defining, name)) = patch
                .target
                .rsplit_once('.')
                .and_then(|(owner, name)| Some((project.get(owner)?, name)))
                && project.modules[defining].file.summary.defines(name)
            {
                targets.push((test, patch, defining, name));
            }
        }
    }
    if targets.is_empty() {
        return Vec::new();
    }
    // (module, name) -> the modules that bind that name with `from module import name`,
    // the local name they bind it to, and whether they do so only inside a function
    // (at call time, when a patch is in place and the import picks it up). Only for
    // the patched names: every `from` import of the project is looked at, but few
    // are patched.
    let mut by_name: FxHashMap<(usize, &str), Vec<Consumer>> = targets
        .iter()
        .map(|&(_, _, defining, name)| ((defining, name), Vec::new()))
        .collect();
    for index in 0..project.modules.len() {
        for import in project.imports(index) {
            let (Some(names), Some(source)) = (&import.names, import.resolved.source) else {
                continue;
            };
            if import.when == When::TypeChecking {
                continue;
            }
            for imported in names {
                if let Some(consumers) = by_name.get_mut(&(source, imported.name.as_str())) {
                    consumers.push((index, imported.local(), import.when == When::InFunction));
                }
            }
        }
    }
    let mut findings = Vec::new();
    for (test, patch, defining, name) in targets {
        let module = &project.modules[test];
        let Some(consumers) = by_name.get(&(defining, name)).filter(|c| !c.is_empty()) else {
            continue;
        };
        let Some((user, local)) =
            module_under_test(project, test, defining, &patch.target, consumers)
        else {
            continue;
        };
        if !reports(module.file, rule, patch.span.offset()) {
            continue;
        }
        // Name the modules the way the patch string does.
        let first = patch.target.split('.').next().unwrap_or_default();
        let user_name = project.name_like(user, first);
        let defining_name = project.name_like(defining, first);
        findings.push(finding(
            module.file,
            &patch.span,
            rule,
            format!(
                "this patches `{name}` in `{defining_name}`, where it is defined, but `{user_name}` imported it by name, so the code there keeps using the original",
            ),
            format!("patch `\"{user_name}.{local}\"`, the name the code under test looks up"),
            Vec::new(),
        ));
    }
    findings
}

/// The module the test exercises that took its own reference to the patched name, and
/// that reference's local name. Only the test's own imports are candidates. If any of
/// them would see the patch — the defining module itself, a module reading the name
/// through its module (`pkg.mod.name`), or one importing it inside a function, at call
/// time — the patch may well be meant for it, and there is nothing to report. Package
/// `__init__` modules that re-export the name are not taken for the code under test.
fn module_under_test<'p>(
    project: &Project,
    test: usize,
    defining: usize,
    target: &str,
    consumers: &[Consumer<'p>],
) -> Option<(usize, &'p str)> {
    let mut imported: Vec<usize> = project
        .imports(test)
        .iter()
        .filter(|import| import.when != When::TypeChecking)
        .flat_map(|import| import.resolved.targets.iter().copied())
        .collect();
    imported.sort_unstable();
    imported.dedup();
    let mut by_name = None;
    for module in imported {
        let consumer = consumers.iter().find(|(user, _, _)| *user == module);
        let sees_patch = module == defining
            || project.uses_attribute(module, target)
            || consumer.is_some_and(|&(_, _, deferred)| deferred);
        if sees_patch {
            return None;
        }
        if let Some(&(user, local, _)) = consumer
            && !project.modules[user].name.is_package
        {
            by_name.get_or_insert((user, local));
        }
    }
    by_name
}

/// PF602 across modules: a call of a function imported from a project module, where
/// that module's `async def` of the name is lost (dropped, tested, used as a result).
fn lost_coroutines(project: &Project) -> Vec<Finding> {
    let rule = &unawaited_coroutine::META;
    let mut findings = Vec::new();
    for (index, module) in project.modules.iter().enumerate() {
        for call in &module.file.summary.lost_calls {
            let Some((defining, name)) = project.defined_at(index, &call.callee) else {
                continue;
            };
            let defines = &project.modules[defining].file.summary.coroutine_functions;
            if defining == index
                || defines.binary_search_by(|d| d.as_str().cmp(name)).is_err()
                || !reports(module.file, rule, call.span.offset())
            {
                continue;
            }
            let callee = format!("{}.{name}", project.name(defining));
            let awaited = format!("(await {})", call.shown);
            let (message, help) = unawaited_coroutine::message(
                call.misuse,
                &call.shown,
                &callee,
                call.in_async,
                &awaited,
            );
            findings.push(finding(
                module.file,
                &call.span,
                rule,
                message,
                help,
                Vec::new(),
            ));
        }
    }
    findings
}

/// Checks the files at `paths` with `settings`, then runs the project phase over them
/// with `roots` as source roots: every finding, sorted. For embedding and tests; the
/// command line does the same with discovery, per-directory settings and threads.
pub fn check_files(paths: &[PathBuf], settings: Arc<Settings>, roots: &[PathBuf]) -> Vec<Finding> {
    let files: Vec<(PathBuf, Arc<Settings>)> = paths
        .iter()
        .map(|path| (path.clone(), settings.clone()))
        .collect();
    let table = ModuleTable::new(&files, roots);
    let results: Vec<FileResult> = paths
        .iter()
        .enumerate()
        .map(|(file, path)| {
            let mut result = crate::checker::check_path(path, &settings, false);
            table.link(file, &mut result);
            result
        })
        .collect();
    let mut findings = check(&results, &files, &table);
    place(&mut findings, |_| None);
    findings.extend(results.into_iter().flat_map(|result| result.findings));
    findings.sort();
    findings
}
