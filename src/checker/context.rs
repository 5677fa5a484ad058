//! What a rule may ask about the code around the node it is looking at.

use rustc_hash::FxHashMap as HashMap;
use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use crate::ast::{self, AnyNodeRef, Expr, NodeKind, Ranged, TextRange, TextSize};
use crate::checker::bindings::{self, BlockValue, ClassAttribute, ScopeBindings, Target};
use crate::checker::facts::ModuleFacts;
use crate::checker::scope;
use crate::config::Settings;

/// The offsets of the file's line breaks, for `Context::line_number`.
struct LineBreaks(Vec<usize>);

/// What `Context::class_attribute` found for one class and attribute.
type ClassAttributeAnswer<'a> = Option<Rc<ClassAttribute<'a>>>;

pub struct Context<'a> {
    path: &'a Path,
    source: &'a str,
    settings: &'a Settings,
    is_test_file: bool,
    /// Listed in assert-for-validation's `extra-test-files` option.
    is_extra_assert_test_file: bool,
    is_stub: bool,
    facts: ModuleFacts<'a>,
    /// The ancestors of the node being checked, outermost first (the module is first).
    pub(crate) parents: Vec<AnyNodeRef<'a>>,
    /// Answers of `source_mentions`, so each needle is searched once per file. Keyed
    /// by the literal's address and length: rules ask per node, and comparing two
    /// integers is cheaper than comparing text (a copy of the same literal elsewhere
    /// only gets an entry of its own).
    mentions: RefCell<Vec<((usize, usize), bool)>>,
    /// Names bound in each function or class body, keyed by the statement's start offset.
    local_bindings: RefCell<HashMap<TextSize, scope::Names<'a>>>,
    /// What each function, class and module binds, keyed by its kind and start offset.
    scope_bindings: RefCell<HashMap<(NodeKind, TextSize), Rc<ScopeBindings<'a>>>>,
    /// The `self.` attributes each class's methods assign, by class and attribute.
    class_attributes: RefCell<HashMap<(TextSize, &'a str), ClassAttributeAnswer<'a>>>,
    /// The last module-level binding of each name asked about.
    module_bindings: RefCell<HashMap<&'a str, Option<BlockValue<'a>>>>,
    /// Per-file indexes built by `memo`, keyed by their type.
    memos: RefCell<HashMap<TypeId, Rc<dyn Any>>>,
}

impl<'a> Context<'a> {
    pub fn new(
        path: &'a Path,
        source: &'a str,
        module: &'a ast::ModModule,
        settings: &'a Settings,
    ) -> Self {
        Context {
            path,
            source,
            settings,
            is_test_file: is_test_path(path),
            is_extra_assert_test_file: !settings.assert_test_files.is_empty()
                && settings
                    .assert_test_files
                    .is_match(&std::path::absolute(path).unwrap_or_else(|_| path.to_owned())),
            is_stub: path.extension().is_some_and(|ext| ext == "pyi"),
            facts: ModuleFacts::collect(module),
            parents: Vec::with_capacity(64),
            local_bindings: RefCell::new(HashMap::default()),
            mentions: RefCell::new(Vec::new()),
            scope_bindings: RefCell::new(HashMap::default()),
            class_attributes: RefCell::new(HashMap::default()),
            module_bindings: RefCell::new(HashMap::default()),
            memos: RefCell::new(HashMap::default()),
        }
    }

    /// The 1-based line number of offset `at`, from an index of the file's line breaks
    /// built on the first call (so asking per finding stays linear in file size).
    pub fn line_number(&self, at: TextSize) -> usize {
        let breaks = self.memo(|| {
            let bytes = self.source.as_bytes();
            LineBreaks((0..bytes.len()).filter(|&i| bytes[i] == b'\n').collect())
        });
        breaks.0.partition_point(|&b| b < at.to_usize()) + 1
    }

    /// A per-file index of type `T`, built by `build` on the first call and shared by
    /// every later one. A rule that would otherwise rescan the module or the source for
    /// each node it checks (quadratic in file size) builds its index once here; each
    /// rule's private index type is its own key.
    pub fn memo<T: 'static>(&self, build: impl FnOnce() -> T) -> Rc<T> {
        let key = TypeId::of::<T>();
        let cached = self.memos.borrow().get(&key).cloned();
        if let Some(found) = cached.and_then(|memo| memo.downcast::<T>().ok()) {
            return found;
        }
        // Built without holding the borrow: `build` may ask for other memos.
        let built = Rc::new(build());
        self.memos
            .borrow_mut()
            .insert(key, Rc::clone(&built) as Rc<dyn Any>);
        built
    }

    /// The Python version the code targets (`target-version`), when configured.
    pub fn target_version(&self) -> Option<ast::PythonVersion> {
        self.settings.target_version
    }

    /// Whether the file's text contains `needle` anywhere (comments included). A cheap,
    /// cached pre-check: a rule whose pitfall needs a name the file never mentions can
    /// skip its per-scope work.
    pub fn source_mentions(&self, needle: &'static str) -> bool {
        let key = (needle.as_ptr() as usize, needle.len());
        if let Some(&(_, found)) = self.mentions.borrow().iter().find(|(k, _)| *k == key) {
            return found;
        }
        // `memmem` searches with wide vector loads: several times faster than
        // `str::contains` over a whole file.
        let found = memchr::memmem::find(self.source.as_bytes(), needle.as_bytes()).is_some();
        self.mentions.borrow_mut().push((key, found));
        found
    }

    /// Whether this file is the module `dotted` (`argparse` for `.../argparse.py`,
    /// `django.core.management` for `.../django/core/management/__init__.py`), as far
    /// as its path spells it: the module's parts end the path.
    pub fn is_module(&self, dotted: &str) -> bool {
        let mut parts = self.path.with_extension("");
        if parts.file_name().is_some_and(|name| name == "__init__") {
            parts.pop();
        }
        let mut components = parts.components().rev();
        dotted
            .rsplit('.')
            .all(|part| components.next().is_some_and(|c| c.as_os_str() == part))
    }

    pub fn source(&self) -> &'a str {
        self.source
    }

    /// The source text of `range`.
    pub fn slice(&self, range: TextRange) -> &'a str {
        &self.source[range]
    }

    pub fn facts(&self) -> &ModuleFacts<'a> {
        &self.facts
    }

    /// Ancestors of the current node, nearest first.
    pub fn ancestors(&self) -> impl Iterator<Item = AnyNodeRef<'a>> + '_ {
        self.parents.iter().rev().copied()
    }

    pub fn parent(&self) -> Option<AnyNodeRef<'a>> {
        self.parents.last().copied()
    }

    /// The nearest enclosing `def` or `async def`, if any.
    pub fn enclosing_function(&self) -> Option<&'a ast::StmtFunctionDef> {
        self.ancestors().find_map(|node| match node {
            AnyNodeRef::StmtFunctionDef(def) => Some(def),
            _ => None,
        })
    }

    /// The nearest enclosing `class`, if any (for a method, the class it belongs to).
    pub fn enclosing_class(&self) -> Option<&'a ast::StmtClassDef> {
        self.ancestors().find_map(|node| match node {
            AnyNodeRef::StmtClassDef(class) => Some(class),
            _ => None,
        })
    }

    /// The innermost loop that repeats the current node within the current function:
    /// a `for`/`while` statement whose body holds the node (or the `while` test, which
    /// runs every time round; not a `for` iterable or an `else`), or a comprehension (except for its first iterable, which runs once).
    /// Stops at a function, lambda or class boundary. `node` is the node being checked.
    pub fn enclosing_loop(&self, node: AnyNodeRef<'a>) -> Option<AnyNodeRef<'a>> {
        let mut child: Option<AnyNodeRef<'a>> = Some(node);
        let mut grandchild: Option<AnyNodeRef<'a>> = None;
        let in_body = |body: &[ast::Stmt], child: Option<AnyNodeRef>| {
            child.is_some_and(|c| body.iter().any(|s| s.range() == c.range()))
        };
        for ancestor in self.ancestors() {
            let node = ancestor;
            let generators = match node {
                AnyNodeRef::StmtFor(stmt) if in_body(&stmt.body, child) => return Some(node),
                AnyNodeRef::StmtWhile(stmt)
                    if in_body(&stmt.body, child)
                        || child.is_some_and(|c| c.range() == stmt.test.range()) =>
                {
                    return Some(node);
                }
                AnyNodeRef::ExprListComp(comp) => Some(&comp.generators),
                AnyNodeRef::ExprSetComp(comp) => Some(&comp.generators),
                AnyNodeRef::ExprDictComp(comp) => Some(&comp.generators),
                AnyNodeRef::ExprGenerator(comp) => Some(&comp.generators),
                AnyNodeRef::StmtFunctionDef(_)
                | AnyNodeRef::ExprLambda(_)
                | AnyNodeRef::StmtClassDef(_) => return None,
                _ => None,
            };
            if let Some(generators) = generators {
                let first_iter = generators.first().map(|g| g.iter.range());
                let in_first_iter = child
                    .is_some_and(|c| Some(c.range()) == generators.first().map(|g| g.range()))
                    && grandchild.is_some_and(|g| Some(g.range()) == first_iter);
                if !in_first_iter {
                    return Some(node);
                }
            }
            grandchild = child;
            child = Some(node);
        }
        None
    }

    /// Whether the file is a test file by its path (`test_*.py`, `*_test.py`,
    /// `conftest.py`, or anywhere under a `tests`/`test` directory).
    pub fn is_test_file(&self) -> bool {
        self.is_test_file
    }

    /// Whether the file matches assert-for-validation's `extra-test-files` globs.
    pub fn is_extra_assert_test_file(&self) -> bool {
        self.is_extra_assert_test_file
    }

    /// Whether the file is a `.pyi` stub: declarations only, nothing in it runs.
    pub fn is_stub(&self) -> bool {
        self.is_stub
    }

    /// Whether the current node is test code: in a test file, or inside a function
    /// named `test_*` or a class named `Test*`.
    pub fn in_test_code(&self) -> bool {
        self.is_test_file
            || self.ancestors().any(|node| match node {
                AnyNodeRef::StmtFunctionDef(def) => def.name.starts_with("test"),
                AnyNodeRef::StmtClassDef(class) => class.name.starts_with("Test"),
                _ => false,
            })
    }

    /// The module-level class an expression names (`Base` in `class C(Base)`), when the
    /// name is not rebound locally.
    pub fn resolve_class(&self, expr: &Expr) -> Option<&'a ast::StmtClassDef> {
        let Expr::Name(name) = expr else {
            return None;
        };
        let class = self.facts.class(name.id.as_str())?;
        (!self.is_local_binding(name.id.as_str(), name.start())).then_some(class)
    }

    /// The module-level function an expression names, when not rebound locally.
    pub fn resolve_function(&self, expr: &Expr) -> Option<&'a ast::StmtFunctionDef> {
        let Expr::Name(name) = expr else {
            return None;
        };
        let def = self.facts.function(name.id.as_str())?;
        (!self.is_local_binding(name.id.as_str(), name.start())).then_some(def)
    }

    /// Whether `name`, read at offset `at`, is a local of an enclosing function or
    /// lambda (a parameter, or bound in its body), so it does not mean a module-level
    /// or builtin object. Defaults and decorators run in the outer scope, so a function
    /// counts only when `at` is inside its body.
    pub fn is_local_binding(&self, name: &str, at: TextSize) -> bool {
        self.ancestors().any(|node| match node {
            AnyNodeRef::StmtFunctionDef(def) => {
                def.body.first().is_some_and(|first| first.start() <= at)
                    && (has_parameter(&def.parameters, name) || self.function_binds(def, name))
            }
            AnyNodeRef::ExprLambda(lambda) => {
                lambda.body.range().contains(at)
                    && lambda
                        .parameters
                        .as_deref()
                        .is_some_and(|p| has_parameter(p, name))
            }
            _ => false,
        })
    }

    /// Whether `def`'s body binds `name`; each function's bindings are collected once
    /// per file, however many names are looked up in it.
    pub fn function_binds(&self, def: &'a ast::StmtFunctionDef, name: &str) -> bool {
        self.body_binds(def.start(), &def.body, name)
    }

    /// Whether the body of `class` binds `name` (its attributes and methods); collected
    /// once per class, like `function_binds`.
    pub fn class_binds(&self, class: &'a ast::StmtClassDef, name: &str) -> bool {
        self.body_binds(class.start(), &class.body, name)
    }

    /// `scope::bindings` of the body of the statement starting at `start` (no two
    /// statements start at the same offset), cached.
    fn body_binds(&self, start: TextSize, body: &'a [ast::Stmt], name: &str) -> bool {
        let mut cache = self.local_bindings.borrow_mut();
        cache
            .entry(start)
            .or_insert_with(|| scope::bindings(body))
            .contains(name)
    }

    /// Every binding `scope` (a function, class or module) makes, by variable; collected
    /// once per scope, however many variables are looked up in it.
    pub fn scope_bindings(&self, scope: AnyNodeRef<'a>) -> Rc<ScopeBindings<'a>> {
        let key = (scope.kind(), scope.start());
        if let Some(found) = self.scope_bindings.borrow().get(&key) {
            return Rc::clone(found);
        }
        let found = Rc::new(ScopeBindings::collect(scope));
        self.scope_bindings
            .borrow_mut()
            .insert(key, Rc::clone(&found));
        found
    }

    /// The values the methods of `class` assign to `self.<attr>` (see
    /// `ClassAttribute::collect`); each class and attribute is traced once per file.
    pub fn class_attribute(
        &self,
        class: &'a ast::StmtClassDef,
        attr: &'a str,
    ) -> Option<Rc<ClassAttribute<'a>>> {
        self.class_attributes
            .borrow_mut()
            .entry((class.start(), attr))
            .or_insert_with(|| ClassAttribute::collect(class, attr).map(Rc::new))
            .clone()
    }

    /// The last plain module-level binding of `name` (see `bindings::trace_block`); each
    /// name is traced once per file.
    pub fn module_binding(
        &self,
        module: &'a ast::ModModule,
        name: &'a str,
    ) -> Option<BlockValue<'a>> {
        if let Some(&found) = self.module_bindings.borrow().get(name) {
            return found;
        }
        let found = bindings::trace_block(&module.body, Target::Name(name), self);
        self.module_bindings.borrow_mut().insert(name, found);
        found
    }

    /// The dotted name an expression refers to, resolving imports: with
    /// `from collections import defaultdict as dd`, `dd` is `collections.defaultdict`;
    /// with `import collections as c`, `c.deque` is `collections.deque`. A builtin
    /// name not rebound by the module or a parameter resolves to itself (`list`).
    pub fn qualified_name(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(name) => {
                let id = name.id.as_str();
                if let Some(full) = self.facts.import_of(id) {
                    Some(full.to_owned())
                } else if self.facts.binds(id) || self.is_local_binding(id, name.start()) {
                    None
                } else {
                    Some(id.to_owned())
                }
            }
            Expr::Attribute(attr) => {
                let mut segments = vec![attr.attr.as_str()];
                let mut value = &*attr.value;
                loop {
                    match value {
                        Expr::Attribute(inner) => {
                            segments.push(inner.attr.as_str());
                            value = &inner.value;
                        }
                        Expr::Name(head) => {
                            let base = self.facts.import_of(head.id.as_str())?;
                            segments.push(base);
                            segments.reverse();
                            return Some(segments.join("."));
                        }
                        _ => return None,
                    }
                }
            }
            _ => None,
        }
    }

    /// Whether `expr` names the builtin `builtin` (and the name is not rebound).
    pub fn is_builtin(&self, expr: &Expr, builtin: &str) -> bool {
        matches!(expr, Expr::Name(name) if name.id.as_str() == builtin)
            && self.qualified_name(expr).as_deref() == Some(builtin)
    }

    /// The source text of a node, for messages.
    pub fn text_of(&self, node: &impl Ranged) -> &'a str {
        self.slice(node.range())
    }
}

fn has_parameter(parameters: &ast::Parameters, name: &str) -> bool {
    parameters.iter().any(|param| param.name().as_str() == name)
}

fn is_test_path(path: &Path) -> bool {
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    if stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest" || stem == "tests"
    {
        return true;
    }
    path.parent().is_some_and(|dir| {
        dir.components()
            .any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "test" | "testing")))
    })
}

#[cfg(test)]
mod tests {
    use super::is_test_path;
    use std::path::Path;
    use std::sync::Mutex;

    use crate::ast::{AnyNodeRef, NodeKind, Ranged};
    use crate::checker::{Context, check_source};
    use crate::config::Settings;
    use crate::rule::{Report, Rule, RuleMeta};

    /// Records, for every call `f(...)`, the kind of its enclosing loop.
    struct LoopProbe;
    static SEEN: Mutex<Vec<(String, Option<NodeKind>)>> = Mutex::new(Vec::new());

    impl Rule for LoopProbe {
        fn meta(&self) -> &'static RuleMeta {
            &crate::rules::syntax_error::SYNTAX_ERROR
        }
        fn kinds(&self) -> &'static [NodeKind] {
            &[NodeKind::ExprCall]
        }
        fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, _: &mut Report) {
            let text = ctx.slice(node.range()).to_owned();
            SEEN.lock()
                .unwrap()
                .push((text, ctx.enclosing_loop(node).map(|n| n.kind())));
        }
    }

    #[test]
    fn enclosing_loop_knows_what_repeats() {
        let source = "\
a()
for x in b():
    c()
else:
    d()
while e():
    f()
[g() for y in h() for z in i()]
def fn():
    for q in r:
        def inner():
            j()
";
        check_source(
            Path::new("m.py"),
            source.to_owned(),
            &Settings::for_rules(&[&LoopProbe]),
            false,
        );
        let seen = SEEN.lock().unwrap().clone();
        let kind = |call: &str| seen.iter().find(|(t, _)| t == call).unwrap().1;
        assert_eq!(kind("a()"), None);
        assert_eq!(kind("b()"), None);
        assert_eq!(kind("c()"), Some(NodeKind::StmtFor));
        assert_eq!(kind("d()"), None);
        assert_eq!(kind("e()"), Some(NodeKind::StmtWhile));
        assert_eq!(kind("f()"), Some(NodeKind::StmtWhile));
        assert_eq!(kind("g()"), Some(NodeKind::ExprListComp));
        assert_eq!(kind("h()"), None);
        assert_eq!(kind("i()"), Some(NodeKind::ExprListComp));
        assert_eq!(kind("j()"), None);
    }

    /// Records the line of every call and how often its per-file memo was built.
    struct MemoProbe;
    static LINES: Mutex<Vec<usize>> = Mutex::new(Vec::new());
    static BUILDS: Mutex<usize> = Mutex::new(0);
    struct Built;

    impl Rule for MemoProbe {
        fn meta(&self) -> &'static RuleMeta {
            &crate::rules::syntax_error::SYNTAX_ERROR
        }
        fn kinds(&self) -> &'static [NodeKind] {
            &[NodeKind::ExprCall]
        }
        fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, _: &mut Report) {
            ctx.memo(|| {
                *BUILDS.lock().unwrap() += 1;
                Built
            });
            LINES.lock().unwrap().push(ctx.line_number(node.start()));
        }
    }

    #[test]
    fn memos_are_built_once_per_file_and_lines_count_from_one() {
        let settings = Settings::for_rules(&[&MemoProbe]);
        let source = "a()\n\nb(); c()\r\nif x:\n    d(\n  e())\n";
        check_source(Path::new("m.py"), source.to_owned(), &settings, false);
        assert_eq!(*LINES.lock().unwrap(), [1, 3, 3, 5, 6]);
        assert_eq!(*BUILDS.lock().unwrap(), 1);
        check_source(Path::new("n.py"), "f()\n".to_owned(), &settings, false);
        assert_eq!(*BUILDS.lock().unwrap(), 2, "a new file builds its own memo");
    }

    #[test]
    fn test_paths() {
        for path in [
            "test_app.py",
            "pkg/app_test.py",
            "conftest.py",
            "tests/helpers.py",
            "a/test/b/c.py",
        ] {
            assert!(is_test_path(Path::new(path)), "{path}");
        }
        for path in [
            "app.py",
            "testament.py",
            "contest.py",
            "latest/app.py",
            "pkg/attest.py",
        ] {
            assert!(!is_test_path(Path::new(path)), "{path}");
        }
    }
}
