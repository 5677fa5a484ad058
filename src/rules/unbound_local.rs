//! PF306: a name read in a function before the assignment that makes it local there,
//! and a name read after the `except ... as name` handler that deleted it.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::ast::{
    AnyNodeRef, ExceptHandler, Expr, ExprContext, NodeKind, Parameters, Ranged, Stmt, TextRange,
    TextSize,
};
use crate::checker::subtree::for_each_node;
use crate::checker::word_set::WordSet;
use crate::checker::{Context, MAX_DEPTH};
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF306",
    name: "unbound-local",
    summary: "a name is read before the assignment that makes it local, or after `except ... as` deleted it",
    severity: Severity::Error,
    topic: Topic::Functions,
    doc: include_str!("../../rules/unbound-local.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "F823",
            name: "undefined-local",
        },
        Equivalent {
            tool: "ruff",
            code: "F821",
            name: "undefined-name",
        },
        Equivalent {
            tool: "pylint",
            code: "E0601",
            name: "used-before-assignment",
        },
        Equivalent {
            tool: "pylint",
            code: "E0606",
            name: "possibly-used-before-assignment",
        },
    ],
};

/// Builtins a function may shadow by assigning to them (`list = list(items)`).
#[rustfmt::skip]
static BUILTINS: WordSet = WordSet::new(&[
    "abs", "all", "any", "ascii", "bin", "bool", "breakpoint", "bytearray", "bytes",
    "callable", "chr", "classmethod", "compile", "complex", "delattr", "dict", "dir",
    "divmod", "enumerate", "eval", "exec", "filter", "float", "format", "frozenset",
    "getattr", "globals", "hasattr", "hash", "help", "hex", "id", "input", "int",
    "isinstance", "issubclass", "iter", "len", "list", "locals", "map", "max", "memoryview",
    "min", "next", "object", "oct", "open", "ord", "pow", "print", "property", "range",
    "repr", "reversed", "round", "set", "setattr", "slice", "sorted", "staticmethod", "str",
    "sum", "super", "tuple", "type", "vars", "zip",
]);

/// Exceptions whose handler swallows the `UnboundLocalError` of a read in its `try`.
const NAME_ERROR_CATCHERS: &[&str] = &[
    "NameError",
    "UnboundLocalError",
    "Exception",
    "BaseException",
];

pub struct UnboundLocal;

impl Rule for UnboundLocal {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef, NodeKind::ModModule]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        if ctx.is_stub() {
            return;
        }
        match node {
            AnyNodeRef::StmtFunctionDef(def) => {
                let scope = Scope::collect(&def.body, Some(&def.parameters));
                read_before_assignment(def, &scope, ctx, report);
                read_after_handler(&scope, "UnboundLocalError", ctx, report);
            }
            // At module level only handlers matter: a file that never says `except`
            // has none, and needs no walk.
            AnyNodeRef::ModModule(module) if ctx.source_mentions("except") => {
                let scope = Scope::collect(&module.body, None);
                read_after_handler(&scope, "NameError", ctx, report);
            }
            _ => {}
        }
    }
}

/// What a read does with the name: `x`, `x += ...` or `del x`.
#[derive(Clone, Copy)]
enum Access {
    Load,
    Augmented(&'static str),
    Delete,
}

struct Read<'a> {
    name: &'a str,
    range: TextRange,
    access: Access,
}

/// Where a name gets a value (after its right-hand side ran), and the `except ... as`
/// handler that bound it, if one did.
struct Binding {
    at: TextSize,
    handler: Option<usize>,
}

/// An `except ... as name` handler.
struct Handler {
    range: TextRange,
    try_range: TextRange,
    /// The end of the last handler of the same `try`.
    handlers_end: TextSize,
    /// The `else` block of the same `try`, which runs only when no handler did.
    orelse: Option<TextRange>,
    /// The handler's last statement is `return`, `raise`, `continue` or `break`.
    ends_in_jump: bool,
}

/// One scope's names in source order, and the regions that make code conditional.
#[derive(Default)]
struct Scope<'a> {
    reads: Vec<Read<'a>>,
    bindings: HashMap<&'a str, Vec<Binding>>,
    /// Names made local without a binding: by `x += 1`, `del x` and a bare `x: int`.
    /// With the keys of `bindings`, every name the scope makes local.
    unbound_locals: HashSet<&'a str>,
    declared: HashSet<&'a str>,
    handlers: Vec<Handler>,
    /// Code that runs again on each iteration: a `for` body, a `while` test and body.
    loops: Vec<TextRange>,
    /// Code that may not run: branches, handlers, `else` blocks, right operands of
    /// `and`/`or`, the arms of `a if c else b`.
    branches: Vec<TextRange>,
    /// `try` bodies whose handlers would catch an `UnboundLocalError`.
    guarded: Vec<TextRange>,
    nested: Vec<AnyNodeRef<'a>>,
}

enum Work<'a> {
    Code(AnyNodeRef<'a>),
    /// A comprehension (except its first iterable): only its walruses bind here.
    Comprehension(AnyNodeRef<'a>, TextRange),
}

impl<'a> Scope<'a> {
    /// One walk over `body`, not entering nested functions, lambdas, classes or
    /// comprehensions beyond the parts of them that run in this scope.
    /// Parameters count as bound from the start.
    fn collect(body: &'a [Stmt], parameters: Option<&'a Parameters>) -> Self {
        let mut scope = Scope::default();
        for param in parameters.into_iter().flat_map(|p| p.iter()) {
            scope.bind(param.name().as_str(), TextSize::default(), None);
        }
        // Reversed, so that statements come off the stack in source order and the reads
        // are (nearly) sorted already.
        let mut work: Vec<Work<'a>> = body.iter().rev().map(|s| Work::Code(s.into())).collect();
        while let Some(item) = work.pop() {
            match item {
                Work::Code(root) => for_each_node(root, |node| scope.visit(node, &mut work)),
                Work::Comprehension(root, first_iter) => for_each_node(root, |node| {
                    if let AnyNodeRef::ExprNamed(named) = node {
                        scope.bind_target(&named.target, named.value.end(), 0);
                    }
                    node.range() != first_iter && !matches!(node, AnyNodeRef::ExprLambda(_))
                }),
            }
        }
        // Mostly sorted already: checking is cheaper than sorting (which allocates). No
        // two reads start at the same offset, so the order they were gathered in does
        // not change the result.
        for list in scope.bindings.values_mut() {
            if !list.is_sorted_by_key(|b| b.at) {
                list.sort_by_key(|b| b.at);
            }
        }
        if !scope.reads.is_sorted_by_key(|r| r.range.start()) {
            scope.reads.sort_by_key(|r| r.range.start());
        }
        scope
    }

    fn visit(&mut self, node: AnyNodeRef<'a>, work: &mut Vec<Work<'a>>) -> bool {
        let code = |expr: &'a Expr| Work::Code(expr.into());
        match node {
            AnyNodeRef::StmtFunctionDef(def) => {
                self.bind(def.name.as_str(), def.end(), None);
                work.extend(def.decorator_list.iter().map(|d| code(&d.expression)));
                work.extend(defaults(&def.parameters).map(code));
                self.nested.push(node);
                return false;
            }
            AnyNodeRef::StmtClassDef(class) => {
                self.bind(class.name.as_str(), class.end(), None);
                work.extend(class.decorator_list.iter().map(|d| code(&d.expression)));
                if let Some(arguments) = &class.arguments {
                    work.push(Work::Code((&**arguments).into()));
                }
                self.nested.push(node);
                return false;
            }
            AnyNodeRef::ExprLambda(lambda) => {
                work.extend(lambda.parameters.iter().flat_map(|p| defaults(p)).map(code));
                return false;
            }
            AnyNodeRef::ExprListComp(c) => return comprehension(node, &c.generators, work),
            AnyNodeRef::ExprSetComp(c) => return comprehension(node, &c.generators, work),
            AnyNodeRef::ExprDictComp(c) => return comprehension(node, &c.generators, work),
            AnyNodeRef::ExprGenerator(c) => return comprehension(node, &c.generators, work),
            AnyNodeRef::StmtGlobal(stmt) => {
                self.declared.extend(stmt.names.iter().map(|n| n.as_str()))
            }
            AnyNodeRef::StmtNonlocal(stmt) => {
                self.declared.extend(stmt.names.iter().map(|n| n.as_str()))
            }
            AnyNodeRef::StmtAssign(stmt) => {
                for target in &stmt.targets {
                    self.bind_target(target, stmt.end(), 0);
                }
            }
            AnyNodeRef::StmtAnnAssign(stmt) => {
                // The annotation of a local variable is never evaluated.
                match &stmt.value {
                    Some(value) => {
                        self.bind_target(&stmt.target, stmt.end(), 0);
                        work.push(code(value));
                    }
                    None => {
                        if let Expr::Name(name) = &*stmt.target {
                            self.unbound_locals.insert(name.id.as_str());
                        }
                    }
                }
                work.push(code(&stmt.target));
                return false;
            }
            AnyNodeRef::StmtAugAssign(stmt) => {
                if let Expr::Name(name) = &*stmt.target {
                    self.unbound_locals.insert(name.id.as_str());
                    self.read(
                        name.id.as_str(),
                        name.range,
                        Access::Augmented(stmt.op.as_str()),
                    );
                }
            }
            AnyNodeRef::StmtDelete(stmt) => {
                for target in &stmt.targets {
                    if let Expr::Name(name) = target {
                        self.unbound_locals.insert(name.id.as_str());
                        self.read(name.id.as_str(), name.range, Access::Delete);
                    }
                }
            }
            AnyNodeRef::StmtFor(stmt) => {
                self.bind_target(&stmt.target, stmt.iter.end(), 0);
                self.loops.extend(span(&stmt.body));
                self.branches.extend(span(&stmt.orelse));
            }
            AnyNodeRef::StmtWhile(stmt) => {
                let end = span(&stmt.body).map_or(stmt.test.end(), |body| body.end());
                self.loops.push(TextRange::new(stmt.test.start(), end));
                self.branches.extend(span(&stmt.orelse));
            }
            AnyNodeRef::StmtIf(stmt) => {
                self.branches.extend(span(&stmt.body));
                self.branches
                    .extend(stmt.elif_else_clauses.iter().map(Ranged::range));
            }
            AnyNodeRef::StmtMatch(stmt) => {
                self.branches.extend(stmt.cases.iter().map(Ranged::range));
            }
            AnyNodeRef::StmtWith(stmt) => {
                for item in &stmt.items {
                    if let Some(vars) = &item.optional_vars {
                        self.bind_target(vars, item.context_expr.end(), 0);
                    }
                    if expects_name_error(&item.context_expr) {
                        self.guarded.extend(span(&stmt.body));
                    }
                }
            }
            AnyNodeRef::StmtTry(stmt) => self.try_statement(stmt),
            AnyNodeRef::PatternMatchAs(p) => self.bind_identifier(p.name.as_ref()),
            AnyNodeRef::PatternMatchStar(p) => self.bind_identifier(p.name.as_ref()),
            AnyNodeRef::PatternMatchMapping(p) => self.bind_identifier(p.rest.as_ref()),
            AnyNodeRef::StmtImport(stmt) => {
                for alias in &stmt.names {
                    let local = match &alias.asname {
                        Some(asname) => asname.as_str(),
                        None => alias.name.split('.').next().unwrap_or_default(),
                    };
                    self.bind(local, stmt.start(), None);
                }
            }
            AnyNodeRef::StmtImportFrom(stmt) => {
                for alias in stmt.names.iter().filter(|a| a.name.as_str() != "*") {
                    let local = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.bind(local.as_str(), stmt.start(), None);
                }
            }
            AnyNodeRef::ExprBoolOp(op) => {
                if let (Some(second), Some(last)) = (op.values.get(1), op.values.last()) {
                    self.branches
                        .push(TextRange::new(second.start(), last.end()));
                }
            }
            AnyNodeRef::ExprIf(expr) => {
                self.branches.push(expr.body.range());
                self.branches.push(expr.orelse.range());
            }
            AnyNodeRef::StmtAssert(stmt) => {
                self.branches.extend(stmt.msg.as_ref().map(|m| m.range()))
            }
            AnyNodeRef::ExprNamed(named) => self.bind_target(&named.target, named.value.end(), 0),
            AnyNodeRef::ExprName(name) if name.ctx == ExprContext::Load => {
                self.read(name.id.as_str(), name.range, Access::Load);
            }
            AnyNodeRef::StmtTypeAlias(stmt) => {
                self.bind_target(&stmt.name, stmt.end(), 0);
                return false;
            }
            _ => {}
        }
        true
    }

    fn try_statement(&mut self, stmt: &'a crate::ast::StmtTry) {
        let orelse = span(&stmt.orelse);
        self.branches.extend(orelse);
        let handlers_end = stmt.handlers.last().map_or(stmt.start(), Ranged::end);
        for handler in &stmt.handlers {
            let ExceptHandler::ExceptHandler(handler) = handler;
            self.branches.push(handler.range);
            if handler.type_.as_deref().is_none_or(catches_name_error) {
                self.guarded.extend(span(&stmt.body));
            }
            if let Some(name) = &handler.name {
                self.handlers.push(Handler {
                    range: handler.range,
                    try_range: stmt.range,
                    handlers_end,
                    orelse,
                    ends_in_jump: matches!(
                        handler.body.last(),
                        Some(Stmt::Return(_) | Stmt::Raise(_) | Stmt::Break(_) | Stmt::Continue(_))
                    ),
                });
                let index = self.handlers.len() - 1;
                self.bind(name.as_str(), handler.start(), Some(index));
            }
        }
    }

    fn read(&mut self, name: &'a str, range: TextRange, access: Access) {
        self.reads.push(Read {
            name,
            range,
            access,
        });
    }

    fn bind(&mut self, name: &'a str, at: TextSize, handler: Option<usize>) {
        self.bindings
            .entry(name)
            .or_default()
            .push(Binding { at, handler });
    }

    fn bind_identifier(&mut self, name: Option<&'a crate::ast::Identifier>) {
        if let Some(name) = name {
            self.bind(name.as_str(), name.start(), None);
        }
    }

    fn bind_target(&mut self, target: &'a Expr, at: TextSize, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match target {
            Expr::Name(name) => self.bind(name.id.as_str(), at, None),
            Expr::Tuple(t) => t
                .elts
                .iter()
                .for_each(|e| self.bind_target(e, at, depth + 1)),
            Expr::List(l) => l
                .elts
                .iter()
                .for_each(|e| self.bind_target(e, at, depth + 1)),
            Expr::Starred(s) => self.bind_target(&s.value, at, depth + 1),
            _ => {}
        }
    }

    fn is_guarded(&self, at: TextSize) -> bool {
        self.guarded.iter().any(|r| r.contains(at))
    }

    /// Whether a read that precedes every binding of its name runs before any of them
    /// on the first pass: outside loops that bind the name, or, inside one, not in a
    /// branch or an inner loop (a later iteration may follow the binding).
    fn first_pass_reaches(&self, at: TextSize, bindings: &[Binding]) -> bool {
        let Some(outer) = self
            .loops
            .iter()
            .filter(|l| l.contains(at) && bindings.iter().any(|b| l.contains_inclusive(b.at)))
            .max_by_key(|l| l.len())
        else {
            return true;
        };
        let within = |r: &TextRange| r != outer && outer.contains_range(*r) && r.contains(at);
        !self.branches.iter().any(within) && !self.loops.iter().any(within)
    }

    /// Names some nested function or class declares `nonlocal` (it may bind them first).
    fn nested_nonlocals(&self) -> HashSet<&'a str> {
        let mut names = HashSet::default();
        for &root in &self.nested {
            for_each_node(root, |node| {
                if let AnyNodeRef::StmtNonlocal(stmt) = node {
                    names.extend(stmt.names.iter().map(|n| n.as_str()));
                }
                !node.is_expression()
            });
        }
        names
    }
}

fn comprehension<'a>(
    node: AnyNodeRef<'a>,
    generators: &'a [crate::ast::Comprehension],
    work: &mut Vec<Work<'a>>,
) -> bool {
    if let Some(first) = generators.first() {
        work.push(Work::Code((&first.iter).into()));
        work.push(Work::Comprehension(node, first.iter.range()));
    }
    false
}

fn defaults(parameters: &Parameters) -> impl Iterator<Item = &Expr> {
    parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .chain(&parameters.kwonlyargs)
        .filter_map(|p| p.default.as_deref())
}

fn span(body: &[Stmt]) -> Option<TextRange> {
    Some(TextRange::new(body.first()?.start(), body.last()?.end()))
}

/// `pytest.raises(NameError)`, `self.assertRaises(UnboundLocalError)`: a test that
/// expects the error.
fn expects_name_error(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    matches!(&*call.func, Expr::Attribute(attr) if matches!(attr.attr.as_str(), "raises" | "assertRaises"))
        && call.arguments.args.first().is_some_and(catches_name_error)
}

fn catches_name_error(expr: &Expr) -> bool {
    match expr {
        Expr::Name(name) => NAME_ERROR_CATCHERS.contains(&name.id.as_str()),
        Expr::Tuple(tuple) => tuple.elts.iter().any(catches_name_error),
        _ => false,
    }
}

/// Where the name a function makes local also lives outside it.
enum Outer<'a> {
    Enclosing(&'a str),
    Module,
    Builtin,
}

fn outer_binding<'a>(ctx: &Context<'a>, name: &str) -> Option<Outer<'a>> {
    for node in ctx.ancestors() {
        if let AnyNodeRef::StmtFunctionDef(outer) = node
            && (outer.parameters.iter().any(|p| p.name().as_str() == name)
                || ctx.function_binds(outer, name))
        {
            return Some(Outer::Enclosing(outer.name.as_str()));
        }
    }
    if ctx.facts().binds(name) {
        Some(Outer::Module)
    } else if BUILTINS.contains(name) {
        Some(Outer::Builtin)
    } else {
        None
    }
}

fn read_before_assignment<'a>(
    def: &'a crate::ast::StmtFunctionDef,
    scope: &Scope<'a>,
    ctx: &Context<'a>,
    report: &mut Report,
) {
    let mut reported: HashSet<&str> = HashSet::default();
    let mut nested_nonlocals = None;
    for read in &scope.reads {
        let (name, at) = (read.name, read.range.start());
        // One lookup answers both whether the name is local and where it is bound.
        let bindings = match scope.bindings.get(name) {
            Some(bindings) => bindings.as_slice(),
            None if scope.unbound_locals.contains(name) => &[][..],
            None => continue,
        };
        if scope.declared.contains(name) || name == "__class__" || reported.contains(name) {
            continue;
        }
        if bindings.first().is_some_and(|b| b.at <= at)
            || scope.is_guarded(at)
            || !scope.first_pass_reaches(at, bindings)
        {
            continue;
        }
        let Some(outer) = outer_binding(ctx, name) else {
            continue;
        };
        if nested_nonlocals
            .get_or_insert_with(|| scope.nested_nonlocals())
            .contains(name)
        {
            continue;
        }
        reported.insert(name);
        let func = def.name.as_str();
        let (what, verb) = match read.access {
            Access::Load => ("this read".to_owned(), "reading"),
            Access::Augmented(op) => (format!("`{name} {op}= ...`"), "updating"),
            Access::Delete => (format!("`del {name}`"), "deleting"),
        };
        let (outside, help) = match outer {
            Outer::Module => (
                format!("the module-level `{name}`"),
                format!(
                    "add `global {name}` at the top of `{func}` to use the module-level `{name}`, or give the local `{name}` a value before this line"
                ),
            ),
            Outer::Enclosing(outer) => (
                format!("the `{name}` of the enclosing `{outer}`"),
                format!(
                    "add `nonlocal {name}` at the top of `{func}` to use the `{name}` of `{outer}`, or give the local `{name}` a value before this line"
                ),
            ),
            Outer::Builtin => (
                format!("the builtin `{name}`"),
                format!("rename the local variable `{name}` so it does not hide the builtin"),
            ),
        };
        report.add(
            read.range,
            format!(
                "`{name}` is assigned in `{func}`, which makes it local to the whole function; {what} runs before it has a value and raises `UnboundLocalError` instead of {verb} {outside}"
            ),
            help,
        );
    }
}

/// Reads of a name after the `except ... as name` handler that bound it last: Python
/// deletes the name when the handler ends.
fn read_after_handler(scope: &Scope, error: &str, ctx: &Context, report: &mut Report) {
    if scope.handlers.is_empty() {
        return;
    }
    let mut reported = HashSet::default();
    for read in &scope.reads {
        let (name, at) = (read.name, read.range.start());
        let bindings = scope.bindings.get(name).map_or(&[][..], Vec::as_slice);
        let Some(Binding {
            handler: Some(index),
            ..
        }) = bindings[..bindings.partition_point(|b| b.at <= at)].last()
        else {
            continue;
        };
        let Some(handler) = scope.handlers.get(*index) else {
            continue;
        };
        let key = (name, handler.try_range.start());
        if reported.contains(&key)
            || handler.range.contains(at)
            || at < handler.handlers_end
            || handler.orelse.is_some_and(|r| r.contains(at))
            || scope.declared.contains(name)
            || scope.is_guarded(at)
        {
            continue;
        }
        // When every handler of the `try` that binds the name leaves the block, no
        // path reaches this read with the name deleted.
        let same_try = |b: &Binding| {
            b.handler
                .and_then(|i| scope.handlers.get(i))
                .filter(|h| h.try_range == handler.try_range)
        };
        if bindings.iter().filter_map(same_try).all(|h| h.ends_in_jump) {
            continue;
        }
        // A name bound before the handler still has that value when the handler did
        // not run: a read in a branch taken after it may only run on such a path.
        let bound_before = bindings
            .first()
            .is_some_and(|b| b.at < handler.range.start());
        if bound_before
            && scope
                .branches
                .iter()
                .any(|r| r.start() >= handler.range.end() && r.contains(at))
            || !reported.insert(key)
        {
            continue;
        }
        let line = ctx.line_number(handler.range.start());
        report.add(
            read.range,
            format!(
                "`{name}` was bound by `except ... as {name}` on line {line}, and Python deletes that name when the handler ends, so this read raises `{error}`"
            ),
            format!(
                "inside the handler, keep the exception under another name (`error = {name}`) and use that name here"
            ),
        );
    }
}
