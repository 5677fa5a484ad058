//! What one file tells the project phase: plain data, gathered during the file's single
//! walk, so that the project-wide rules never parse anything again.
//!
//! The module name is not part of it, nor is what the imports lead to: they depend on
//! the directories around the file (`__init__.py`, source roots) and on the other
//! files, not on its text. The `ModuleTable` works them out for each run (the
//! `resolved` and `links` fields are never cached), so a cached summary stays valid
//! when the tree around it changes.

use compact_str::CompactString;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

pub use super::bindings::Binding;
use crate::ast::{self, AnyNodeRef, Expr, Ranged, TextRange};
use crate::checker::Context;
use crate::checker::facts::ModuleFacts;
use crate::rule::RuleMeta;
use crate::rules::unawaited_coroutine::{self, Misuse};

/// The project-relevant facts of one file. Kept until the end of the run, one per
/// module, so each list is a slice of exactly its length (see `exact`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSummary {
    /// Every import statement (one entry per module of `import a, b`), in source order.
    pub imports: Box<[Import]>,
    /// String targets of `mock.patch(...)`, `mocker.patch(...)` and `@patch(...)`.
    pub patches: Box<[PatchTarget]>,
    /// Dotted names reached by attribute access from an imported module (`pkg.mod.name`
    /// after `import pkg.mod`), resolved through the import; sorted, without repeats.
    pub attribute_uses: Box<[CompactString]>,
    /// Names the module defines at module level, sorted, with where each is defined
    /// first (names bound by imports are in `imports`).
    pub bindings: Box<[Binding]>,
    /// Where the module's first `from x import *` is, which may bind any name.
    pub star_import: Option<usize>,
    /// The module-level functions among `defines` that return a coroutine when called
    /// (plain `async def`), sorted.
    #[serde(default)]
    pub coroutine_functions: Box<[CompactString]>,
    /// Calls of imported names whose result would be lost if the callee is `async def`
    /// (PF602 across modules); only gathered while PF602 is on.
    #[serde(default)]
    pub lost_calls: Box<[LostCall]>,
    /// Project-wide rules silenced by `# noqa` on the lines of the imports, patch
    /// targets and calls above, or for the whole file: (the item's offset, rule code).
    pub suppressed: Box<[(usize, CompactString)]>,
    /// Where the module stands among the project's modules. Not part of what the file
    /// says (it depends on the other files), so never cached: filled in on the checking
    /// thread once every module is named (`ModuleTable::link`).
    #[serde(skip)]
    pub links: Links,
}

/// A module's place among the project's modules (numbered as in the `ModuleTable`):
/// kept next to the summary's header, so that the project phase reads one place per
/// module to build the import graph.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// The modules its import-time imports load, sorted, without repeats.
    pub successors: SmallVec<[usize; 4]>,
    /// Its nearest parent package that is a project module: importing the module runs
    /// that package first.
    pub parent: Option<usize>,
}

impl FileSummary {
    /// Where the module first binds `name` at import time: by a definition, or by an
    /// import outside functions (imports in class bodies or under `if TYPE_CHECKING:`
    /// count too, which only makes a name bound earlier). `None` when the module does
    /// not bind it visibly.
    pub fn first_binding(&self, name: &str) -> Option<usize> {
        let defined = self.definition(name).map(|b| b.offset);
        let imported = self
            .imports
            .iter()
            .filter(|import| import.when != When::InFunction && import.binds(name))
            .map(|import| import.span.offset())
            .next();
        defined.into_iter().chain(imported).min()
    }

    fn definition(&self, name: &str) -> Option<&Binding> {
        let index = self
            .bindings
            .binary_search_by(|b| b.name.as_str().cmp(name))
            .ok()?;
        Some(&self.bindings[index])
    }

    /// Whether the module defines `name` itself (not only by importing it).
    pub fn defines(&self, name: &str) -> bool {
        self.definition(name).is_some()
    }
}

/// A place in the file, in bytes. Line and column are worked out only for the few
/// places that end up in findings (placing every import would need each file's line
/// index, which most files never build). Kept in `u32`s, as the parser's own ranges
/// are: summaries live until the end of the run, one per module.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    offset: u32,
    length: u32,
}

impl Span {
    fn of(range: TextRange) -> Self {
        Span {
            offset: range.start().to_u32(),
            length: range.len().to_u32(),
        }
    }

    pub fn offset(self) -> usize {
        self.offset as usize
    }

    pub fn length(self) -> usize {
        self.length as usize
    }
}

/// A call of an imported name, `callee(...)`, in a place that loses a coroutine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LostCall {
    pub span: Span,
    /// The dotted name the callee stands for through the imports (`pkg.mod.fetch`;
    /// relative ones start with dots, `.mod.fetch`).
    pub callee: CompactString,
    /// The call as written, when short.
    pub shown: CompactString,
    pub misuse: Misuse,
    pub in_async: bool,
}

/// When an import runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum When {
    /// While the module itself is being imported.
    ImportTime,
    /// Inside a function: when the function is called.
    InFunction,
    /// Under `if TYPE_CHECKING:`: never at run time.
    TypeChecking,
    /// In an `except ImportError:` handler: only when the guarded import failed.
    ImportErrorFallback,
    /// Under `if __name__ == "__main__":`: only when the file is run as a script.
    ScriptOnly,
}

impl When {
    pub fn is_import_time(self) -> bool {
        self == When::ImportTime
    }
}

/// One `import x.y [as z]` or `from [.]x import a [as b], ...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Import {
    pub span: Span,
    /// `from` imports: the dots before the module (`from ..x` is 2); 0 otherwise.
    pub level: u32,
    /// The module as written: `x.y` in `import x.y` and `from x.y import a`; empty in
    /// `from . import a`.
    pub module: CompactString,
    /// `None` for `import x.y`; the imported names for `from` imports.
    pub names: Option<Box<[ImportedName]>>,
    pub when: When,
    /// What the import leads to among the project's modules. Not part of what the file
    /// says: it depends on the other files, so it is never cached, and it is filled in
    /// on the checking thread once every module is named (`ModuleTable::link`).
    #[serde(skip)]
    pub resolved: Resolved,
}

/// The project modules an import loads; most imports load one.
pub type Targets = SmallVec<[usize; 2]>;

/// What an import leads to among the project's modules (numbered as in the
/// `ModuleTable`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// The modules it loads, besides their parent packages: `import a.b` loads `a.b`,
    /// `from a import b` the submodule `a.b` if there is one, else `a`. Sorted.
    pub targets: Targets,
    /// For a `from` import: the module it takes its names from, if it is one.
    pub source: Option<usize>,
}

impl Import {
    /// Whether the import binds the local `name` (`import a.b` binds `a`; an `as`
    /// name of a plain import is not kept, so it is not seen).
    fn binds(&self, name: &str) -> bool {
        match &self.names {
            Some(names) => names.iter().any(|imported| imported.local() == name),
            None => self.module.split('.').next() == Some(name),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedName {
    pub name: CompactString,
    /// The local name, when it differs (`as b`).
    pub asname: Option<CompactString>,
}

impl ImportedName {
    pub fn local(&self) -> &str {
        self.asname.as_deref().unwrap_or(&self.name)
    }
}

/// The string given to a patch call, as written, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchTarget {
    pub span: Span,
    pub target: CompactString,
}

/// Gathers a summary while the walker visits the nodes of one file.
#[derive(Debug, Default)]
pub struct Collector<'a> {
    imports: Vec<Import>,
    patches: Vec<PatchTarget>,
    attribute_uses: Vec<CompactString>,
    /// The source text of each attribute chain met so far: a chain written the same
    /// way twice resolves the same way (imports are the module's), so code that uses
    /// `os.path.join` a hundred times resolves it once.
    attribute_texts: FxHashSet<&'a str>,
    /// Whether to gather what PF602 needs across modules.
    coroutines: bool,
    /// Whether to gather what PF802 needs (patch targets, attribute chains).
    patches_wanted: bool,
    coroutine_functions: Vec<CompactString>,
    lost_calls: Vec<LostCall>,
    /// Whether the module imports `patch` itself under some name; asked on the first
    /// call, so that the other calls need no lookup of their name.
    patch_imported: Option<bool>,
}

impl<'a> Collector<'a> {
    /// A collector; `coroutines` asks for the calls and definitions PF602 needs,
    /// `patches` for the patch targets and attribute chains PF802 needs.
    pub fn new(coroutines: bool, patches: bool) -> Self {
        Collector {
            coroutines,
            patches_wanted: patches,
            ..Collector::default()
        }
    }

    /// Looks at one node, with the walker's context (its ancestors and module facts).
    pub fn visit(&mut self, node: AnyNodeRef<'a>, ctx: &Context<'a>) {
        match node {
            AnyNodeRef::StmtImport(import) => {
                let when = when(node, ctx);
                for alias in &import.names {
                    let module = CompactString::from(alias.name.as_str());
                    self.imports.push(Import {
                        span: Span::of(alias.range()),
                        level: 0,
                        module,
                        names: None,
                        when,
                        resolved: Resolved::default(),
                    });
                }
            }
            AnyNodeRef::StmtImportFrom(import) => {
                let names = import
                    .names
                    .iter()
                    .map(|alias| ImportedName {
                        name: alias.name.as_str().into(),
                        asname: alias.asname.as_ref().map(|a| a.as_str().into()),
                    })
                    .collect();
                let module = import
                    .module
                    .as_ref()
                    .map_or_else(CompactString::default, |m| m.as_str().into());
                self.imports.push(Import {
                    span: Span::of(import.range()),
                    level: import.level,
                    module,
                    names: Some(names),
                    when: when(node, ctx),
                    resolved: Resolved::default(),
                });
            }
            AnyNodeRef::ExprCall(call) => {
                if let Some(target) = self
                    .patches_wanted
                    .then(|| {
                        let facts = ctx.facts();
                        let imported = *self
                            .patch_imported
                            .get_or_insert_with(|| facts.imports_any_of(PATCH_FUNCTIONS));
                        patch_target(call, facts, imported)
                    })
                    .flatten()
                {
                    self.patches.push(target);
                } else if self.coroutines
                    && let Some(lost) = lost_call(call, node, ctx)
                {
                    self.lost_calls.push(lost);
                }
            }
            AnyNodeRef::StmtFunctionDef(def)
                if self.coroutines
                    && matches!(ctx.parent(), Some(AnyNodeRef::ModModule(_)))
                    && unawaited_coroutine::is_coroutine_function(def, ctx) =>
            {
                self.coroutine_functions.push(def.name.as_str().into());
            }
            AnyNodeRef::ExprAttribute(attribute) if self.patches_wanted => {
                // Only the outermost attribute of a chain: `a.b.c` is one use, not two.
                if !matches!(ctx.parent(), Some(AnyNodeRef::ExprAttribute(outer)) if outer.value.range() == attribute.range())
                    // Most chains start at a local (`self.x`): one look-up of the root
                    // rules them out before the whole text is hashed.
                    && imported_root(&attribute.value, ctx.facts()).is_some()
                    && self.attribute_texts.insert(ctx.slice(attribute.range()))
                    && let Some(mut dotted) = resolve_dotted(&attribute.value, ctx.facts())
                {
                    dotted.push('.');
                    dotted.push_str(attribute.attr.as_str());
                    self.attribute_uses.push(dotted);
                }
            }
            _ => {}
        }
    }

    /// The summary. `silenced` says whether a `# noqa` silences a rule at an offset
    /// (on its line, or for the file).
    pub fn finish(
        self,
        module: &ast::ModModule,
        mut silenced: impl FnMut(usize, &RuleMeta) -> bool,
    ) -> FileSummary {
        let mut suppressed = Vec::new();
        let offsets = self
            .imports
            .iter()
            .map(|i| i.span.offset())
            .chain(self.patches.iter().map(|p| p.span.offset()));
        for offset in offsets {
            for rule in super::PROJECT_RULES {
                if silenced(offset, rule) {
                    suppressed.push((offset, rule.code.into()));
                }
            }
        }
        for call in &self.lost_calls {
            if silenced(call.span.offset(), &unawaited_coroutine::META) {
                suppressed.push((call.span.offset(), unawaited_coroutine::META.code.into()));
            }
        }
        suppressed.sort();
        suppressed.dedup();
        let mut attribute_uses = self.attribute_uses;
        attribute_uses.sort();
        attribute_uses.dedup();
        let (bindings, star_import) = super::bindings::collect(module);
        let mut coroutine_functions = self.coroutine_functions;
        coroutine_functions.sort();
        coroutine_functions.dedup();
        FileSummary {
            imports: exact(self.imports),
            patches: exact(self.patches),
            attribute_uses: exact(attribute_uses),
            bindings: exact(bindings),
            star_import,
            coroutine_functions: exact(coroutine_functions),
            lost_calls: exact(self.lost_calls),
            suppressed: exact(suppressed),
            links: Links::default(),
        }
    }
}

/// `items` in a block of exactly their size. Summaries are kept until the end of the
/// run, one per module, and their lists are short: a vector's spare room (it grows to
/// 4 items, then doubles) was a third of their memory. `into_boxed_slice` alone would
/// not do: mimalloc keeps a block in place when shrinking it by half or less.
fn exact<T>(items: Vec<T>) -> Box<[T]> {
    if items.len() == items.capacity() {
        return items.into_boxed_slice();
    }
    let mut exact = Vec::with_capacity(items.len());
    exact.extend(items);
    exact.into_boxed_slice()
}

/// Whether the import at `node` runs when its module is imported, or later, or never.
fn when<'a>(node: AnyNodeRef<'a>, ctx: &Context<'a>) -> When {
    let mut fallback = false;
    let mut type_checking = false;
    let mut script = false;
    for ancestor in ctx.ancestors() {
        match ancestor {
            AnyNodeRef::StmtFunctionDef(_) => return When::InFunction,
            AnyNodeRef::StmtIf(stmt)
                if stmt
                    .body
                    .iter()
                    .any(|s| s.range().contains_range(node.range())) =>
            {
                type_checking |= is_type_checking(&stmt.test);
                script |= is_main_guard(&stmt.test);
            }
            AnyNodeRef::ExceptHandlerExceptHandler(handler)
                if handler.type_.as_deref().is_some_and(catches_import_error) =>
            {
                fallback = true;
            }
            _ => {}
        }
    }
    if type_checking {
        When::TypeChecking
    } else if script {
        When::ScriptOnly
    } else if fallback {
        When::ImportErrorFallback
    } else {
        When::ImportTime
    }
}

fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(name) => name.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(attribute) => attribute.attr.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}

/// `__name__ == "__main__"` (either way round).
fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(compare) = test else {
        return false;
    };
    let [right] = &*compare.comparators else {
        return false;
    };
    let is = |expr: &Expr, name: bool| match expr {
        Expr::Name(n) => name && n.id.as_str() == "__name__",
        Expr::StringLiteral(s) => !name && s.value.to_str() == "__main__",
        _ => false,
    };
    matches!(&*compare.ops, [ast::CmpOp::Eq])
        && ((is(&compare.left, true) && is(right, false))
            || (is(&compare.left, false) && is(right, true)))
}

fn catches_import_error(type_: &Expr) -> bool {
    match type_ {
        Expr::Name(name) => matches!(name.id.as_str(), "ImportError" | "ModuleNotFoundError"),
        Expr::Tuple(tuple) => tuple.elts.iter().any(catches_import_error),
        _ => false,
    }
}

/// What `patch` itself is called when imported by name.
const PATCH_FUNCTIONS: &[&str] = &["unittest.mock.patch", "mock.patch"];

/// `mock.patch("a.b.c")`, `patch("a.b.c")` (from `unittest.mock` or `mock`) and
/// `mocker.patch("a.b.c")` (pytest-mock's fixture): the string and its range.
/// `patch_imported` says whether the module imports one of `PATCH_FUNCTIONS` at all.
fn patch_target(
    call: &ast::ExprCall,
    facts: &ModuleFacts<'_>,
    patch_imported: bool,
) -> Option<PatchTarget> {
    let is_patch = match call.func.as_ref() {
        Expr::Attribute(attribute) if attribute.attr.as_str() == "patch" => {
            match attribute.value.as_ref() {
                Expr::Name(name) if name.id.as_str() == "mocker" => true,
                value => resolve_dotted(value, facts)
                    .is_some_and(|m| m == "unittest.mock" || m == "mock"),
            }
        }
        Expr::Name(name) => {
            patch_imported
                && facts
                    .import_of(name.id.as_str())
                    .is_some_and(|full| PATCH_FUNCTIONS.contains(&full))
        }
        _ => false,
    };
    if !is_patch {
        return None;
    }
    let first = call
        .arguments
        .args
        .first()
        .or_else(|| call.arguments.find_keyword("target").map(|k| &k.value))?;
    let Expr::StringLiteral(string) = first else {
        return None;
    };
    Some(PatchTarget {
        span: Span::of(string.range()),
        target: string.value.to_str().into(),
    })
}

/// A call of an imported name (`fetch(...)` after `from m import fetch`, `m.fetch(...)`
/// after `import m`) whose coroutine would be lost where it stands, as PF602 judges it.
fn lost_call<'a>(
    call: &'a ast::ExprCall,
    node: AnyNodeRef<'a>,
    ctx: &Context<'a>,
) -> Option<LostCall> {
    // Cheapest first: most calls are not of a name or of a chain rooted in one.
    let root = root_name(&call.func)?;
    // A hash look-up first: most calls in real code are dropped statements of
    // local or `self` methods, which judging lost-ness would not rule out.
    ctx.facts().import_of(root.id.as_str())?;
    let (misuse, in_async) = unawaited_coroutine::lost_call(node, ctx)?;
    if !unawaited_coroutine::imported_name_intact(root.id.as_str(), ctx) {
        return None;
    }
    let callee = resolve_dotted(&call.func, ctx.facts())?;
    Some(LostCall {
        span: Span::of(call.range()),
        callee,
        shown: unawaited_coroutine::shown(call, ctx).into(),
        misuse,
        in_async,
    })
}

/// The name `a` at the root of `a`, `a.b.c`; `None` for a chain on anything else.
fn root_name(expr: &Expr) -> Option<&ast::ExprName> {
    let mut current = expr;
    while let Expr::Attribute(attribute) = current {
        current = &attribute.value;
    }
    current.as_name_expr()
}

/// What the name at the root of `a.b.c` was imported as, if `a` was imported.
fn imported_root<'f>(expr: &Expr, facts: &'f ModuleFacts<'_>) -> Option<&'f str> {
    facts.import_of(root_name(expr)?.id.as_str())
}

/// `a.b.c` where `a` was imported: the dotted name it stands for (`import x.y as a`
/// makes it `x.y.b.c`). `None` for anything not rooted in an import.
fn resolve_dotted(expr: &Expr, facts: &ModuleFacts<'_>) -> Option<CompactString> {
    // Find the root first, so that the common case (not an import) allocates nothing.
    let root = imported_root(expr, facts)?;
    let mut attributes = Vec::new();
    let mut current = expr;
    while let Expr::Attribute(attribute) = current {
        attributes.push(attribute.attr.as_str());
        current = &attribute.value;
    }
    let mut dotted = CompactString::from(root);
    for attribute in attributes.iter().rev() {
        dotted.push('.');
        dotted.push_str(attribute);
    }
    Some(dotted)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Settings;
    use crate::registry;

    fn summary(source: &str) -> FileSummary {
        let settings = Settings::for_rules(registry::RULES);
        *crate::checker::check_source(Path::new("t.py"), source.to_owned(), &settings, false)
            .summary
            .expect("project rules are on")
    }

    #[test]
    fn imports_know_when_they_run() {
        let s = summary(
            "import a.b as ab, c\nfrom ..d import (e as f, g)\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import h\nelse:\n    import i\ntry:\n    import j\nexcept (ValueError, ImportError):\n    import k\ndef fn():\n    import l\nclass C:\n    import m\nif __name__ == '__main__':\n    import n\n",
        );
        let got: Vec<(&str, u32, When)> = s
            .imports
            .iter()
            .map(|i| (i.module.as_str(), i.level, i.when))
            .collect();
        use When::*;
        assert_eq!(
            got,
            [
                ("a.b", 0, ImportTime),
                ("c", 0, ImportTime),
                ("d", 2, ImportTime),
                ("typing", 0, ImportTime),
                ("h", 0, TypeChecking),
                ("i", 0, ImportTime),
                ("j", 0, ImportTime),
                ("k", 0, ImportErrorFallback),
                ("l", 0, InFunction),
                ("m", 0, ImportTime),
                ("n", 0, ScriptOnly),
            ]
        );
        let names = s.imports[2].names.as_ref().unwrap();
        assert_eq!((names[0].local(), names[1].local()), ("f", "g"));
        assert_eq!(
            (s.imports[1].span.offset(), s.imports[1].span.length()),
            (18, 1)
        );
    }

    #[test]
    fn patch_targets_attribute_uses_definitions_and_noqa() {
        let source = "from unittest import mock\nfrom unittest.mock import patch as p\nimport pkg.mod\nfrom . import sib\n\nX = pkg.mod.name.attr\nsib.value\nsib.value  # the same chain again\nself_thing = object().x\n\n@p('a.b')\ndef test(mocker):\n    mock.patch('c.d')  # noqa: PF802\n    mocker.patch(target='e.f')\n    other.patch('g.h')\n";
        let s = summary(source);
        let at = |text: &str| source.find(text).unwrap();
        let targets: Vec<(&str, usize)> = s
            .patches
            .iter()
            .map(|t| (t.target.as_str(), t.span.offset()))
            .collect();
        assert_eq!(
            targets,
            [
                ("a.b", at("'a.b'")),
                ("c.d", at("'c.d'")),
                ("e.f", at("'e.f'"))
            ]
        );
        assert_eq!(
            *s.attribute_uses,
            [".sib.value", "pkg.mod.name.attr", "unittest.mock.patch"]
        );
        let defined: Vec<&str> = s.bindings.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(defined, ["X", "self_thing", "test"]);
        assert_eq!(*s.suppressed, [(at("'c.d'"), "PF802".into())]);
    }

    #[test]
    fn lost_calls_of_imported_names_and_coroutine_functions() {
        let source = "import asyncio\nimport pkg.mod as m\nfrom .sib import fetch, other\n\nasync def own():\n    pass\n\nasync def gen():\n    yield 1\n\ndef main():\n    fetch(1)\n    if m.get():\n        pass\n    x = fetch(2)\n    await_me = m.go()\n    asyncio.run(fetch(3))\n    return other().value  # noqa: PF602\n\ndef shadow(fetch):\n    fetch()\n";
        let s = summary(source);
        let got: Vec<(&str, &str, Misuse)> = s
            .lost_calls
            .iter()
            .map(|c| (c.callee.as_str(), c.shown.as_str(), c.misuse))
            .collect();
        assert_eq!(
            got,
            [
                (".sib.fetch", "fetch(1)", Misuse::Dropped),
                ("pkg.mod.get", "m.get()", Misuse::Tested),
                // Kept: whether `asyncio.run` is a coroutine function is the project
                // phase's question (it is not a project module).
                ("asyncio.run", "asyncio.run(fetch(3))", Misuse::Dropped),
                (".sib.other", "other()", Misuse::Consumed),
            ]
        );
        assert_eq!(*s.coroutine_functions, ["own"]);
        assert_eq!(
            *s.suppressed,
            [(source.find("other()").unwrap(), "PF602".into())]
        );
    }

    #[test]
    fn no_summary_without_project_rules() {
        let settings = Settings::for_rules(&[registry::find("PF301").unwrap()]);
        let result =
            crate::checker::check_source(Path::new("t.py"), "import a\n".into(), &settings, false);
        assert!(result.summary.is_none());
    }
}
