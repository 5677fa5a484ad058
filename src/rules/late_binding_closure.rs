//! PF302: a closure made in a loop reads the loop variable late and outlives the iteration.
//!
//! A `lambda` or nested `def` looks its free variables up when it is *called*. Made in a
//! loop and kept past the iteration (stored, registered as a callback, yielded, turned
//! into a comprehension element), every copy sees the loop variable's final value. The
//! rule reports only closures that demonstrably escape: one that is called at once,
//! passed to a consumer such as `sorted`, or passed to an unknown call stays silent.

use std::collections::HashSet;

use crate::ast::{
    self, AnyNodeRef, Expr, ExprContext, NodeKind, Operator, Ranged, Stmt, TextRange, TextSize,
};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rule::{
    Edit, Equivalent, Fix, FixAvailability, Report, Rule, RuleMeta, Severity, Topic,
};

pub static META: RuleMeta = RuleMeta {
    code: "PF302",
    name: "late-binding-closure",
    summary: "a closure made in a loop and kept for later sees the loop variable's last value",
    severity: Severity::Error,
    topic: Topic::Functions,
    doc: include_str!("../../rules/late-binding-closure.md"),
    fix: FixAvailability::Sometimes,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "B023",
            name: "function-uses-loop-variable",
        },
        Equivalent {
            tool: "flake8-bugbear",
            code: "B023",
            name: "",
        },
        Equivalent {
            tool: "pylint",
            code: "W0640",
            name: "cell-var-from-loop",
        },
    ],
};

/// Methods that keep their argument in a container or queue that outlives the call.
pub(crate) const STORING_METHODS: &[&str] = &[
    "append",
    "appendleft",
    "add",
    "insert",
    "extend",
    "extendleft",
    "setdefault",
    "update",
    "put",
    "put_nowait",
    "push",
];

/// Methods that register a callable to be run later (callbacks, executors, event loops).
const REGISTERING_METHODS: &[&str] = &[
    "connect",
    "submit",
    "apply_async",
    "map_async",
    "starmap_async",
    "call_soon",
    "call_soon_threadsafe",
    "call_later",
    "call_at",
    "run_in_executor",
    "add_done_callback",
    "add_callback",
    "add_listener",
    "add_handler",
    "add_event_handler",
    "add_signal_handler",
    "add_reader",
    "add_writer",
    "register",
    "subscribe",
    "on",
    "once",
    "after",
    "after_idle",
    "bind",
    "bind_all",
    "bind_class",
    "trace_add",
    "start_soon",
    "singleShot",
    "callLater",
    "addCallback",
    "addErrback",
    "addBoth",
    "callback",
];

/// Functions, by qualified name, that keep a callable to run later.
const REGISTERING_FUNCTIONS: &[&str] = &[
    "threading.Thread",
    "threading.Timer",
    "multiprocessing.Process",
    "atexit.register",
    "signal.signal",
    "weakref.finalize",
];

/// Lazy iterators that call their function argument only when consumed.
const LAZY_CALLERS: &[&str] = &[
    "map",
    "filter",
    "itertools.starmap",
    "itertools.filterfalse",
    "itertools.takewhile",
    "itertools.dropwhile",
];

/// Lazy iterators that pass another lazy iterator through unconsumed.
const LAZY_WRAPPERS: &[&str] = &[
    "zip",
    "enumerate",
    "reversed",
    "iter",
    "itertools.chain",
    "itertools.islice",
    "itertools.zip_longest",
    "itertools.cycle",
];

/// Decorators (last name segment) that register the decorated function somewhere.
const REGISTERING_DECORATORS: &[&str] = &[
    "route",
    "register",
    "connect",
    "receiver",
    "listens_for",
    "on",
    "subscribe",
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "websocket",
    "command",
    "event",
    "task",
    "callback",
];

/// How far a tracked name (`f = lambda: i`, then `fns.append(f)`) is followed.
const MAX_TRACKING: usize = 2;

/// Comprehension nesting deeper than this is not searched for bindings.
const MAX_BINDING_DEPTH: usize = 50;

pub struct LateBindingClosure;

impl Rule for LateBindingClosure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::ExprLambda, NodeKind::StmtFunctionDef]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        if ctx.is_stub() {
            return;
        }
        let closure = match node {
            AnyNodeRef::ExprLambda(lambda) => Closure::Lambda(lambda),
            AnyNodeRef::StmtFunctionDef(def) => Closure::Def(def),
            _ => return,
        };
        let own_name = match closure {
            Closure::Def(def) => Some(def.name.as_str()),
            Closure::Lambda(_) => None,
        };
        // Cheapest check first: a closure that no loop of its scope re-runs cannot read a
        // loop's names late, so most functions need no walk of their body at all.
        if !in_some_loop(node.range(), ctx.ancestors()) {
            return;
        }
        let mut free = free_names(closure);
        free.retain(|&name| Some(name) != own_name);
        if free.is_empty() {
            return;
        }
        let chain: Vec<AnyNodeRef<'a>> = ctx.ancestors().collect();
        let loops = enclosing_loops(node.range(), &chain, &free);
        if loops.iter().all(|lp| lp.names.is_empty()) {
            return;
        }

        let flow = Flow {
            ctx,
            loops: &loops,
            region: loops
                .iter()
                .rev()
                .map(|lp| lp.node)
                .find(|lp| matches!(lp, AnyNodeRef::StmtFor(_) | AnyNodeRef::StmtWhile(_))),
        };
        let mut escapes = Escapes::default();
        match closure {
            Closure::Lambda(_) => {
                flow.follow(node, &chain, Carry::Closure, Vec::new(), 0, &mut escapes)
            }
            Closure::Def(def) => {
                if def
                    .decorator_list
                    .iter()
                    .any(|d| is_registering_decorator(&d.expression))
                {
                    let rest: Vec<AnyNodeRef<'a>> =
                        std::iter::once(node).chain(chain.iter().copied()).collect();
                    flow.sink(def.range, &rest, &mut escapes);
                }
                flow.track(def.name.as_str(), Carry::Closure, &[], 0, &mut escapes);
            }
        }

        let stale: Vec<&str> = free
            .iter()
            .copied()
            .filter(|name| {
                loops
                    .iter()
                    .any(|lp| lp.names.contains(name) && escapes.escape(lp))
            })
            .collect();
        if stale.is_empty() {
            return;
        }
        let (range, message, help) = describe(closure, &stale, ctx);
        let fix = bind_at_creation_fix(closure, &stale, ctx);
        let diagnostic = report.add(range, message, help);
        if let Some(fix) = fix {
            diagnostic.set_fix(fix);
        }
    }
}

#[derive(Clone, Copy)]
enum Closure<'a> {
    Lambda(&'a ast::ExprLambda),
    Def(&'a ast::StmtFunctionDef),
}

/// The range, message and help of a finding about `closure` reading `names` late.
fn describe(closure: Closure, names: &[&str], ctx: &Context) -> (TextRange, String, String) {
    let listed = list_names(names);
    let (variables, values, them) = if names.len() == 1 {
        ("loop variable", "its value", "it")
    } else {
        ("loop variables", "their values", "them")
    };
    let bindings = names
        .iter()
        .map(|name| format!("{name}={name}"))
        .collect::<Vec<_>>()
        .join(", ");
    match closure {
        Closure::Lambda(lambda) => {
            let params = lambda.parameters.as_deref();
            let existing = params.map_or("", |p| ctx.text_of(p));
            let has_kwarg = params.is_some_and(|p| p.kwarg.is_some());
            (
                lambda.range,
                format!(
                    "this lambda reads {variables} {listed} when it is called, not when it is created, so every lambda the loop keeps sees {values} from the last iteration"
                ),
                format!(
                    "bind the current value when the lambda is created, with a default argument: `lambda {}: ...`, or pass {them} in with `functools.partial`",
                    extend_parameters(existing, has_kwarg, &bindings)
                ),
            )
        }
        Closure::Def(def) => {
            let name = def.name.as_str();
            let existing = ctx.text_of(&*def.parameters);
            let existing = existing
                .strip_prefix('(')
                .and_then(|p| p.strip_suffix(')'))
                .unwrap_or(existing);
            (
                def_header(def, ctx),
                format!(
                    "`{name}` reads {variables} {listed} when it is called, not when it is defined, so every `{name}` the loop keeps sees {values} from the last iteration"
                ),
                format!(
                    "bind the current value when `{name}` is defined, with a default argument: `def {name}({}):`, or pass {them} in with `functools.partial`",
                    extend_parameters(existing, def.parameters.kwarg.is_some(), &bindings)
                ),
            )
        }
    }
}

/// Adds `name=name` parameters, so each closure keeps the value of its own iteration.
/// Unsafe: callers may now pass those arguments and override the value. Not offered
/// when the parameters end in `**kwargs` (nothing may follow it) or hold a comment.
fn bind_at_creation_fix(closure: Closure, names: &[&str], ctx: &Context) -> Option<Fix> {
    let bindings = names
        .iter()
        .map(|name| format!("{name}={name}"))
        .collect::<Vec<_>>()
        .join(", ");
    let (at, content) = match closure {
        Closure::Lambda(lambda) => match lambda.parameters.as_deref() {
            None => (
                lambda.range.start() + TextSize::new(6),
                format!(" {bindings}"),
            ),
            Some(params) if params.kwarg.is_none() => {
                let text = ctx.text_of(params);
                if text.contains('#') {
                    return None;
                }
                let separator = if text.trim_end().ends_with(',') {
                    " "
                } else {
                    ", "
                };
                (params.end(), format!("{separator}{bindings}"))
            }
            Some(_) => return None,
        },
        Closure::Def(def) => {
            let params = &*def.parameters;
            let text = ctx.text_of(params);
            if params.kwarg.is_some() || text.contains('#') || !text.ends_with(')') {
                return None;
            }
            let inner = text[..text.len() - 1].trim_end();
            let content = if inner == "(" {
                bindings
            } else if inner.ends_with(',') {
                format!(" {bindings}")
            } else {
                format!(", {bindings}")
            };
            let inner_end = u32::try_from(inner.len()).ok()?;
            (params.start() + TextSize::new(inner_end), content)
        }
    };
    Some(Fix::unsafe_(
        format!("bind {} when the function is created", list_names(names)),
        vec![Edit::replace(TextRange::empty(at), content)],
    ))
}

/// `a`, `a` and `b`, `a`, `b` and `c` — each in backticks.
fn list_names(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

/// The parameter list with `i=i` bindings added, or `..., i=i` when it is too long to quote.
fn extend_parameters(existing: &str, has_kwarg: bool, bindings: &str) -> String {
    let existing = existing.trim().trim_end_matches(',').trim_end();
    if existing.is_empty() {
        bindings.to_owned()
    } else if has_kwarg || existing.len() > 40 || existing.contains('\n') {
        format!("..., {bindings}")
    } else {
        format!("{existing}, {bindings}")
    }
}

/// `def name(...)` (with `async`), without decorators or body.
fn def_header(def: &ast::StmtFunctionDef, ctx: &Context) -> TextRange {
    let before_name = TextRange::new(def.range.start(), def.name.start());
    let prefix = ctx.slice(before_name);
    let keyword = prefix
        .rfind("def")
        .map(|at| {
            if def.is_async {
                prefix[..at].rfind("async").unwrap_or(at)
            } else {
                at
            }
        })
        .and_then(|at| u32::try_from(at).ok())
        .map_or(def.range.start(), |at| {
            def.range.start() + TextSize::new(at)
        });
    let end = def
        .returns
        .as_deref()
        .map_or(def.parameters.end(), Ranged::end);
    TextRange::new(keyword, end.max(keyword))
}

// ---------------------------------------------------------------------------------
// Which names a closure reads from outside itself.

/// A scope inside the closure (or the closure itself) and the names it binds.
struct Scope<'a> {
    region: TextRange,
    /// A part of `region` evaluated in the enclosing scope (a comprehension's first
    /// iterable).
    hole: Option<TextRange>,
    binds: HashSet<&'a str>,
}

impl Scope<'_> {
    fn binds_at(&self, name: &str, at: TextRange) -> bool {
        self.region.contains_range(at)
            && !self.hole.is_some_and(|hole| hole.contains_range(at))
            && self.binds.contains(name)
    }
}

/// The free variables of the closure, in the order they are first read.
fn free_names<'a>(closure: Closure<'a>) -> Vec<&'a str> {
    let mut scopes = Vec::new();
    let roots: Vec<AnyNodeRef<'a>> = match closure {
        Closure::Lambda(lambda) => {
            scopes.push(lambda_scope(lambda));
            vec![AnyNodeRef::from(&*lambda.body)]
        }
        Closure::Def(def) => {
            let Some(scope) = def_scope(def) else {
                return Vec::new();
            };
            scopes.push(scope);
            def.body.iter().map(AnyNodeRef::from).collect()
        }
    };
    let mut free: Vec<&'a str> = Vec::new();
    for root in roots {
        for_each_node(root, |node| {
            if let Some(scope) = nested_scope(node) {
                scopes.push(scope);
            } else if let AnyNodeRef::ExprName(name) = node
                && name.ctx == ExprContext::Load
            {
                let id = name.id.as_str();
                if !free.contains(&id) && !scopes.iter().any(|s| s.binds_at(id, name.range)) {
                    free.push(id);
                }
            }
            true
        });
    }
    free
}

fn nested_scope<'a>(node: AnyNodeRef<'a>) -> Option<Scope<'a>> {
    match node {
        AnyNodeRef::ExprLambda(lambda) => Some(lambda_scope(lambda)),
        AnyNodeRef::StmtFunctionDef(def) => def_scope(def),
        AnyNodeRef::StmtClassDef(class) => Some(Scope {
            region: body_span(&class.body)?,
            hole: None,
            binds: bindings(class.body.iter().map(AnyNodeRef::from), true),
        }),
        AnyNodeRef::ExprListComp(comp) => Some(comp_scope(comp.range, &comp.generators)),
        AnyNodeRef::ExprSetComp(comp) => Some(comp_scope(comp.range, &comp.generators)),
        AnyNodeRef::ExprDictComp(comp) => Some(comp_scope(comp.range, &comp.generators)),
        AnyNodeRef::ExprGenerator(comp) => Some(comp_scope(comp.range, &comp.generators)),
        _ => None,
    }
}

fn lambda_scope<'a>(lambda: &'a ast::ExprLambda) -> Scope<'a> {
    let mut binds = bindings([AnyNodeRef::from(&*lambda.body)], false);
    if let Some(parameters) = lambda.parameters.as_deref() {
        binds.extend(parameters.iter().map(|p| p.name().as_str()));
    }
    Scope {
        region: lambda.body.range(),
        hole: None,
        binds,
    }
}

fn def_scope<'a>(def: &'a ast::StmtFunctionDef) -> Option<Scope<'a>> {
    let body = def.body.iter().map(AnyNodeRef::from);
    let mut binds = bindings(body.clone(), true);
    for outer in declared_outer(body) {
        binds.remove(outer);
    }
    binds.extend(def.parameters.iter().map(|p| p.name().as_str()));
    Some(Scope {
        region: body_span(&def.body)?,
        hole: None,
        binds,
    })
}

fn comp_scope<'a>(range: TextRange, generators: &'a [ast::Comprehension]) -> Scope<'a> {
    Scope {
        region: range,
        hole: generators.first().map(|g| g.iter.range()),
        binds: comp_targets(generators),
    }
}

fn comp_targets(generators: &[ast::Comprehension]) -> HashSet<&str> {
    bindings(
        generators.iter().map(|g| AnyNodeRef::from(&g.target)),
        false,
    )
}

/// Names bound in the scope that `roots` belong to, without looking into nested
/// functions, lambdas, classes or comprehension targets. `all` adds the bindings that
/// are not plain assignments (`def`, `class`, `import`, `except ... as`).
fn bindings<'a>(roots: impl IntoIterator<Item = AnyNodeRef<'a>>, all: bool) -> HashSet<&'a str> {
    let mut names = HashSet::new();
    for root in roots {
        collect_bindings(root, all, 0, &mut names);
    }
    names
}

fn collect_bindings<'a>(
    root: AnyNodeRef<'a>,
    all: bool,
    depth: usize,
    names: &mut HashSet<&'a str>,
) {
    if depth > MAX_BINDING_DEPTH {
        return;
    }
    for_each_node(root, |node| match node {
        AnyNodeRef::ExprName(name) => {
            if name.ctx == ExprContext::Store {
                names.insert(name.id.as_str());
            }
            true
        }
        AnyNodeRef::StmtFunctionDef(def) => {
            if all {
                names.insert(def.name.as_str());
            }
            false
        }
        AnyNodeRef::StmtClassDef(class) => {
            if all {
                names.insert(class.name.as_str());
            }
            false
        }
        AnyNodeRef::ExprLambda(_) => false,
        AnyNodeRef::Comprehension(comp) => {
            // The target is the comprehension's own; a walrus in the iterable or a
            // condition binds in the enclosing scope.
            collect_bindings(AnyNodeRef::from(&comp.iter), all, depth + 1, names);
            for condition in &comp.ifs {
                collect_bindings(AnyNodeRef::from(condition), all, depth + 1, names);
            }
            false
        }
        AnyNodeRef::PatternMatchAs(ast::PatternMatchAs {
            name: Some(name), ..
        })
        | AnyNodeRef::PatternMatchStar(ast::PatternMatchStar {
            name: Some(name), ..
        })
        | AnyNodeRef::PatternMatchMapping(ast::PatternMatchMapping {
            rest: Some(name), ..
        }) => {
            names.insert(name.as_str());
            true
        }
        AnyNodeRef::ExceptHandlerExceptHandler(handler) => {
            if all && let Some(name) = &handler.name {
                names.insert(name.as_str());
            }
            true
        }
        AnyNodeRef::StmtImport(import) => {
            if all {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().map_or_else(
                        || alias.name.split('.').next().unwrap_or_default(),
                        |asname| asname.as_str(),
                    );
                    names.insert(bound);
                }
            }
            true
        }
        AnyNodeRef::StmtImportFrom(import) => {
            if all {
                for alias in &import.names {
                    names.insert(alias.asname.as_ref().unwrap_or(&alias.name).as_str());
                }
            }
            true
        }
        _ => true,
    });
}

/// Names a function body declares `global` or `nonlocal`: not its own locals.
fn declared_outer<'a>(body: impl IntoIterator<Item = AnyNodeRef<'a>>) -> Vec<&'a str> {
    let mut names = Vec::new();
    for root in body {
        for_each_node(root, |node| match node {
            AnyNodeRef::StmtGlobal(stmt) => {
                names.extend(stmt.names.iter().map(|n| n.as_str()));
                false
            }
            AnyNodeRef::StmtNonlocal(stmt) => {
                names.extend(stmt.names.iter().map(|n| n.as_str()));
                false
            }
            _ => !is_scope(node),
        });
    }
    names
}

fn is_scope(node: AnyNodeRef) -> bool {
    matches!(
        node,
        AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_) | AnyNodeRef::ExprLambda(_)
    )
}

fn body_span(body: &[Stmt]) -> Option<TextRange> {
    Some(TextRange::new(body.first()?.start(), body.last()?.end()))
}

// ---------------------------------------------------------------------------------
// The loops around the closure and the names each one rebinds on every iteration.

struct Loop<'a> {
    node: AnyNodeRef<'a>,
    /// Every name the loop rebinds per iteration.
    binds: HashSet<&'a str>,
    /// The closure's free names that mean this loop's variables.
    names: Vec<&'a str>,
}

/// The loops whose every iteration creates the closure at `closure`, nearest first, up to
/// the enclosing function or class (whose loops belong to another scope).
fn enclosing_loops<'a>(
    closure: TextRange,
    chain: &[AnyNodeRef<'a>],
    free: &[&'a str],
) -> Vec<Loop<'a>> {
    let mut loops = Vec::new();
    let mut shadowed: HashSet<&str> = HashSet::new();
    for &node in chain {
        if is_scope(node) {
            break;
        }
        if !in_iteration(node, closure) {
            continue;
        }
        let (binds, targets) = match node {
            AnyNodeRef::StmtFor(stmt) => {
                let roots = std::iter::once(AnyNodeRef::from(&*stmt.target))
                    .chain(stmt.body.iter().map(AnyNodeRef::from));
                (bindings(roots, false), HashSet::new())
            }
            AnyNodeRef::StmtWhile(stmt) => {
                let roots = std::iter::once(AnyNodeRef::from(&*stmt.test))
                    .chain(stmt.body.iter().map(AnyNodeRef::from));
                (bindings(roots, false), HashSet::new())
            }
            _ => {
                let Some(generators) = comp_generators(node) else {
                    continue;
                };
                let targets = comp_targets(generators);
                let mut binds = bindings([node], false);
                binds.extend(&targets);
                (binds, targets)
            }
        };
        let names = free
            .iter()
            .copied()
            .filter(|name| binds.contains(name) && !shadowed.contains(name))
            .collect();
        shadowed.extend(targets);
        loops.push(Loop { node, binds, names });
    }
    loops
}

/// Whether one of `chain` (innermost first), before the first scope, is a loop that
/// runs the code at `closure` once per iteration: what `enclosing_loops` would list.
fn in_some_loop<'a>(closure: TextRange, chain: impl IntoIterator<Item = AnyNodeRef<'a>>) -> bool {
    for node in chain {
        if is_scope(node) {
            return false;
        }
        let is_loop = matches!(node, AnyNodeRef::StmtFor(_) | AnyNodeRef::StmtWhile(_))
            || comp_generators(node).is_some();
        if is_loop && in_iteration(node, closure) {
            return true;
        }
    }
    false
}

fn comp_generators<'a>(node: AnyNodeRef<'a>) -> Option<&'a [ast::Comprehension]> {
    match node {
        AnyNodeRef::ExprListComp(comp) => Some(&comp.generators),
        AnyNodeRef::ExprSetComp(comp) => Some(&comp.generators),
        AnyNodeRef::ExprDictComp(comp) => Some(&comp.generators),
        AnyNodeRef::ExprGenerator(comp) => Some(&comp.generators),
        _ => None,
    }
}

/// Whether code at `range` runs once per iteration of `node`, if it is a loop: in a
/// `for`/`while` body, or anywhere in a comprehension but its first iterable.
fn in_iteration(node: AnyNodeRef, range: TextRange) -> bool {
    match node {
        AnyNodeRef::StmtFor(stmt) => body_span(&stmt.body).is_some_and(|s| s.contains_range(range)),
        AnyNodeRef::StmtWhile(stmt) => {
            body_span(&stmt.body).is_some_and(|s| s.contains_range(range))
        }
        _ => comp_generators(node).is_some_and(|generators| {
            node.range().contains_range(range)
                && !generators
                    .first()
                    .is_some_and(|g| g.iter.range().contains_range(range))
        }),
    }
}

// ---------------------------------------------------------------------------------
// Whether the closure outlives the iteration that made it.

/// What the value being followed is, relative to the closure.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Carry {
    /// The closure itself (or a callable that calls it, like a `partial`).
    Closure,
    /// A container holding it: keeping the container keeps the closure.
    Holds,
    /// A lazy iterator (`map(closure, ...)`) that calls it when consumed.
    Lazy,
    /// A generator expression that yields it; it escapes only if collected.
    Gen,
}

/// Where the closure escapes: the comprehensions whose element it is, and the places
/// (a `.append(...)` call, a `yield`, a stored attribute) that keep it.
#[derive(Default)]
struct Escapes {
    comps: Vec<TextRange>,
    /// Each with the loops it does not escape: a store followed by `break` never sees
    /// the loop advance, one followed by `return` or `raise` never sees any loop advance.
    sinks: Vec<(TextRange, Vec<TextRange>)>,
    /// Stores into a container made fresh by each iteration of a loop (the second
    /// range): they keep the closure only across the iterations of loops inside it.
    bounded: Vec<(TextRange, TextRange)>,
}

impl Escapes {
    fn escape(&self, lp: &Loop) -> bool {
        let range = lp.node.range();
        self.comps.contains(&range)
            || self
                .sinks
                .iter()
                .any(|(sink, spared)| in_iteration(lp.node, *sink) && !spared.contains(&range))
            || self.bounded.iter().any(|&(sink, outer)| {
                in_iteration(lp.node, sink) && outer != range && outer.contains_range(range)
            })
    }
}

/// What a call does with an argument.
enum CallEffect<'a> {
    /// Keeps it for later.
    Keeps,
    /// Stores it into the container named by the receiver (`row.append(...)`).
    StoresInto(&'a Expr),
    /// Returns something that carries it on.
    Passes(Carry),
    /// Uses it at once, or we cannot tell.
    Unknown,
}

struct Flow<'a, 'c> {
    ctx: &'c Context<'a>,
    loops: &'c [Loop<'a>],
    /// The outermost loop statement: where a name holding the closure is looked for.
    region: Option<AnyNodeRef<'a>>,
}

impl<'a> Flow<'a, '_> {
    /// Follows the value at `start` up through `chain` (its ancestors, nearest first).
    fn follow(
        &self,
        start: AnyNodeRef<'a>,
        chain: &[AnyNodeRef<'a>],
        mut carry: Carry,
        mut pending: Vec<TextRange>,
        depth: usize,
        out: &mut Escapes,
    ) {
        let mut current = start.range();
        let mut keyword: Option<&str> = None;
        let mut position: Option<usize> = None;
        for (index, &parent) in chain.iter().enumerate() {
            match parent {
                AnyNodeRef::ExprList(_)
                | AnyNodeRef::ExprTuple(_)
                | AnyNodeRef::ExprSet(_)
                | AnyNodeRef::ExprDict(_) => {
                    if carry == Carry::Gen {
                        return;
                    }
                    carry = Carry::Holds;
                }
                AnyNodeRef::ExprStarred(_)
                | AnyNodeRef::ExprBoolOp(_)
                | AnyNodeRef::ExprNamed(_) => {}
                AnyNodeRef::ExprIf(expr) => {
                    if expr.test.range() == current {
                        return;
                    }
                }
                AnyNodeRef::ExprListComp(ast::ExprListComp { elt, range, .. })
                | AnyNodeRef::ExprSetComp(ast::ExprSetComp { elt, range, .. }) => {
                    if elt.range() != current || carry == Carry::Gen {
                        return;
                    }
                    out.comps.push(*range);
                    carry = Carry::Holds;
                }
                AnyNodeRef::ExprDictComp(comp) => {
                    let is_element = comp.value.range() == current
                        || comp.key.as_deref().is_some_and(|k| k.range() == current);
                    if !is_element || carry == Carry::Gen {
                        return;
                    }
                    out.comps.push(comp.range);
                    carry = Carry::Holds;
                }
                AnyNodeRef::ExprGenerator(comp) => {
                    if comp.elt.range() != current || carry == Carry::Gen {
                        return;
                    }
                    pending.push(comp.range);
                    carry = Carry::Gen;
                }
                AnyNodeRef::Keyword(kw) => keyword = kw.arg.as_ref().map(|a| a.as_str()),
                AnyNodeRef::Arguments(arguments) => {
                    position = arguments.args.iter().position(|a| a.range() == current);
                }
                AnyNodeRef::ExprCall(call) => {
                    if call.func.range() == current {
                        return;
                    }
                    match self.call_effect(call, keyword, position, carry, chain.get(index + 1..)) {
                        CallEffect::Keeps => {
                            if carry == Carry::Gen {
                                out.comps.append(&mut pending);
                            }
                            self.sink(call.range(), &chain[index..], out);
                            return;
                        }
                        CallEffect::StoresInto(container) => {
                            if carry == Carry::Gen {
                                out.comps.append(&mut pending);
                            }
                            self.stored(container, call.range(), &chain[index..], depth, out);
                            return;
                        }
                        CallEffect::Passes(next) => {
                            if carry == Carry::Gen && next == Carry::Holds {
                                out.comps.append(&mut pending);
                            }
                            carry = next;
                        }
                        CallEffect::Unknown => return,
                    }
                    keyword = None;
                    position = None;
                }
                AnyNodeRef::ExprYield(expr) => {
                    if carry != Carry::Gen {
                        self.sink(expr.range, &chain[index..], out);
                    }
                    return;
                }
                AnyNodeRef::ExprYieldFrom(expr) => {
                    // `yield from map(...)` runs the closure while the loop is suspended.
                    if carry == Carry::Holds {
                        self.sink(expr.range, &chain[index..], out);
                    }
                    return;
                }
                AnyNodeRef::StmtAssign(stmt) => {
                    if stmt.value.range() == current {
                        for target in &stmt.targets {
                            self.assigned(target, &chain[index..], carry, &pending, depth, out);
                        }
                    }
                    return;
                }
                AnyNodeRef::StmtAnnAssign(stmt) => {
                    if stmt.value.as_deref().is_some_and(|v| v.range() == current) {
                        self.assigned(&stmt.target, &chain[index..], carry, &pending, depth, out);
                    }
                    return;
                }
                AnyNodeRef::StmtAugAssign(stmt) => {
                    // `fns += [lambda: i]` extends a list that outlives the iteration.
                    let extends = matches!(stmt.op, Operator::Add | Operator::BitOr);
                    if extends
                        && stmt.value.range() == current
                        && matches!(carry, Carry::Holds | Carry::Gen)
                    {
                        out.comps.append(&mut pending);
                        self.sink(stmt.range, &chain[index..], out);
                    }
                    return;
                }
                // Returned, awaited, dropped, compared, called...: it does not outlive the
                // iteration (a `return` ends the loop, so the variable never changes again).
                _ => return,
            }
            current = parent.range();
        }
    }

    /// The closure (as `carry`) is assigned to `target` by the statement `rest[0]`
    /// (`rest` holds it and its ancestors).
    fn assigned(
        &self,
        target: &'a Expr,
        rest: &[AnyNodeRef<'a>],
        carry: Carry,
        pending: &[TextRange],
        depth: usize,
        out: &mut Escapes,
    ) {
        let Some(stmt) = rest.first().map(|s| s.range()) else {
            return;
        };
        match target {
            Expr::Name(name) => self.track(name.id.as_str(), carry, pending, depth + 1, out),
            // `btn.handler = ...` keeps one closure per button, but `self.handler = ...`
            // overwrites a single slot, whose survivor sees its own iteration's values.
            Expr::Attribute(attr) => {
                if carry == Carry::Gen {
                    return;
                }
                if self.fresh_container(&attr.value).is_some() {
                    self.stored(&attr.value, stmt, rest, depth, out);
                } else if self.reads_loop_variable(&attr.value) {
                    self.sink(stmt, rest, out);
                }
            }
            Expr::Subscript(sub) => {
                if carry == Carry::Gen {
                    return;
                }
                if self.fresh_container(&sub.value).is_some() {
                    self.stored(&sub.value, stmt, rest, depth, out);
                } else if self.reads_loop_variable(&sub.slice)
                    || self.reads_loop_variable(&sub.value)
                {
                    // `handlers[name] = ...` keeps one closure per key; `slot[0] = ...`
                    // overwrites one slot.
                    self.sink(stmt, rest, out);
                }
            }
            _ => {}
        }
    }

    /// The closure was put into `container` at `sink`. A container that outlives the
    /// loop keeps it; one made fresh by an iteration (`row = []`) keeps it across the
    /// iterations of the loops inside that one, and beyond only if it escapes itself.
    fn stored(
        &self,
        container: &'a Expr,
        sink: TextRange,
        rest: &[AnyNodeRef<'a>],
        depth: usize,
        out: &mut Escapes,
    ) {
        match self.fresh_container(container) {
            Some((name, outer)) => {
                out.bounded.push((sink, outer));
                self.track(name, Carry::Holds, &[], depth + 1, out);
            }
            None => self.sink(sink, rest, out),
        }
    }

    /// Records that the closure is kept at `at`, inside `rest[0]` (`rest` holds the
    /// node there and its ancestors, nearest first).
    fn sink(&self, at: TextRange, rest: &[AnyNodeRef<'a>], out: &mut Escapes) {
        let spared = rest
            .iter()
            .position(|node| node.is_statement())
            .map(|index| {
                let loops = rest[index + 1..]
                    .iter()
                    .take_while(|node| !is_scope(**node))
                    .filter(|node| {
                        matches!(node, AnyNodeRef::StmtFor(_) | AnyNodeRef::StmtWhile(_))
                    })
                    .map(|node| node.range());
                match block_ends_after(rest[index], rest.get(index + 1).copied()) {
                    BlockEnd::Continues => Vec::new(),
                    BlockEnd::Breaks => loops.take(1).collect(),
                    BlockEnd::Exits => loops.collect(),
                }
            })
            .unwrap_or_default();
        out.sinks.push((at, spared));
    }

    /// The name and loop, if `expr` names a container or object that an enclosing loop
    /// statement creates afresh in its body (`row = []`, `listener = Listener()`).
    fn fresh_container(&self, expr: &'a Expr) -> Option<(&'a str, TextRange)> {
        let Expr::Name(name) = expr else {
            return None;
        };
        let name = name.id.as_str();
        self.loops.iter().find_map(|lp| {
            let body = match lp.node {
                AnyNodeRef::StmtFor(stmt) => &stmt.body,
                AnyNodeRef::StmtWhile(stmt) => &stmt.body,
                _ => return None,
            };
            let mut fresh = false;
            for stmt in body {
                for_each_node(AnyNodeRef::from(stmt), |node| {
                    if let AnyNodeRef::StmtAssign(assign) = node
                        && assign
                            .targets
                            .iter()
                            .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == name))
                        && self.is_new_container(&assign.value)
                    {
                        fresh = true;
                    }
                    !fresh && !is_scope(node)
                });
            }
            fresh.then(|| (name, lp.node.range()))
        })
    }

    fn is_new_container(&self, value: &Expr) -> bool {
        match value {
            Expr::List(_)
            | Expr::Dict(_)
            | Expr::Set(_)
            | Expr::ListComp(_)
            | Expr::DictComp(_)
            | Expr::SetComp(_) => true,
            Expr::Call(call) => {
                // A class instantiation, by the naming convention: `Listener()`.
                let class = match &*call.func {
                    Expr::Name(name) => name.id.as_str(),
                    Expr::Attribute(attr) => attr.attr.as_str(),
                    _ => "",
                };
                class.starts_with(|c: char| c.is_ascii_uppercase())
                    || self.ctx.qualified_name(&call.func).is_some_and(|q| {
                        matches!(
                            q.as_str(),
                            "list"
                                | "dict"
                                | "set"
                                | "collections.deque"
                                | "collections.defaultdict"
                                | "collections.OrderedDict"
                        )
                    })
            }
            _ => false,
        }
    }

    /// Whether `expr` reads a name some enclosing loop rebinds, or calls something.
    fn reads_loop_variable(&self, expr: &'a Expr) -> bool {
        let mut found = false;
        for_each_node(AnyNodeRef::from(expr), |node| {
            match node {
                AnyNodeRef::ExprName(name) => {
                    found |= self
                        .loops
                        .iter()
                        .any(|lp| lp.binds.contains(name.id.as_str()));
                }
                AnyNodeRef::ExprCall(_) => found = true,
                _ => {}
            }
            !found
        });
        found
    }

    /// Follows every read of `name` in the loop region, as if it were the closure.
    fn track(
        &self,
        name: &str,
        carry: Carry,
        pending: &[TextRange],
        depth: usize,
        out: &mut Escapes,
    ) {
        let Some(region) = self.region else {
            return;
        };
        if depth > MAX_TRACKING {
            return;
        }
        let mut reads: Vec<(AnyNodeRef<'a>, Vec<AnyNodeRef<'a>>)> = Vec::new();
        let mut stack: Vec<AnyNodeRef<'a>> = Vec::new();
        for_each_node(region, |node| {
            while stack
                .last()
                .is_some_and(|top| !top.range().contains_range(node.range()))
            {
                stack.pop();
            }
            if let AnyNodeRef::ExprName(read) = node
                && read.ctx == ExprContext::Load
                && read.id.as_str() == name
            {
                // A read inside a nested lambda or def: that function carries it.
                let nested = stack.iter().position(|n| {
                    matches!(
                        n,
                        AnyNodeRef::ExprLambda(_) | AnyNodeRef::StmtFunctionDef(_)
                    )
                });
                let (start, above) = match nested {
                    Some(at) => (stack[at], &stack[..at]),
                    None => (node, &stack[..]),
                };
                reads.push((start, above.iter().rev().copied().collect()));
            }
            stack.push(node);
            true
        });
        for (start, chain) in reads {
            match start {
                AnyNodeRef::StmtFunctionDef(def) => {
                    self.track(def.name.as_str(), Carry::Closure, &[], depth + 1, out);
                }
                AnyNodeRef::ExprLambda(_) => {
                    self.follow(start, &chain, Carry::Closure, Vec::new(), depth, out);
                }
                _ => self.follow(start, &chain, carry, pending.to_vec(), depth, out),
            }
        }
    }

    /// What `call` does with the followed value, passed as argument `position` or as
    /// keyword `keyword`; `after` are the call's own ancestors, nearest first.
    fn call_effect(
        &self,
        call: &'a ast::ExprCall,
        keyword: Option<&str>,
        position: Option<usize>,
        carry: Carry,
        after: Option<&[AnyNodeRef<'a>]>,
    ) -> CallEffect<'a> {
        if carry == Carry::Closure && matches!(keyword, Some("command" | "target")) {
            // `Button(command=...)`, `Thread(target=...)`.
            return scheduled(after);
        }
        let first = position == Some(0);
        if let Some(qualified) = self.ctx.qualified_name(&call.func) {
            let qualified = qualified.as_str();
            match qualified {
                "list" | "tuple" | "set" | "frozenset" | "dict" => {
                    return match carry {
                        Carry::Holds | Carry::Gen => CallEffect::Passes(Carry::Holds),
                        Carry::Closure if qualified == "dict" && keyword.is_some() => {
                            CallEffect::Passes(Carry::Holds)
                        }
                        _ => CallEffect::Unknown,
                    };
                }
                "collections.defaultdict" if carry == Carry::Closure && first => {
                    return CallEffect::Passes(Carry::Holds);
                }
                // A `partial` keeps all its arguments; the descriptors wrap their first.
                "functools.partial" if carry == Carry::Closure => {
                    return CallEffect::Passes(Carry::Closure);
                }
                "property" | "staticmethod" | "classmethod" if carry == Carry::Closure && first => {
                    return CallEffect::Passes(Carry::Closure);
                }
                // `setattr(cls, name, lambda self: ...)`: one attribute per name, like
                // `handlers[name] = ...`.
                "setattr" if carry != Carry::Gen && position == Some(2) => {
                    let varies = call
                        .arguments
                        .args
                        .iter()
                        .take(2)
                        .any(|arg| self.reads_loop_variable(arg));
                    return if varies {
                        CallEffect::Keeps
                    } else {
                        CallEffect::Unknown
                    };
                }
                _ => {}
            }
            if LAZY_CALLERS.contains(&qualified)
                && (carry == Carry::Lazy || (carry == Carry::Closure && first))
            {
                return CallEffect::Passes(Carry::Lazy);
            }
            if LAZY_WRAPPERS.contains(&qualified) && carry == Carry::Lazy {
                return CallEffect::Passes(Carry::Lazy);
            }
            if REGISTERING_FUNCTIONS.contains(&qualified) && carry == Carry::Closure {
                return scheduled(after);
            }
        }
        let Expr::Attribute(attribute) = &*call.func else {
            return CallEffect::Unknown;
        };
        let method = attribute.attr.as_str();
        if STORING_METHODS.contains(&method) {
            if carry != Carry::Gen || matches!(method, "extend" | "extendleft" | "update") {
                return CallEffect::StoresInto(&attribute.value);
            }
        } else if carry == Carry::Closure && REGISTERING_METHODS.contains(&method) {
            return scheduled(after);
        }
        CallEffect::Unknown
    }
}

/// A call (whose ancestors are `after`) scheduled the closure to run later: it is kept,
/// unless the iteration waits for it — `await ...`, `.result()` on the spot, or
/// `handle = ...` followed by `handle.result()`, `.get()`, `.join()` or `.wait()` in
/// the loop body — so it has run before the loop moves on.
fn scheduled(after: Option<&[AnyNodeRef]>) -> CallEffect<'static> {
    let after = after.unwrap_or_default();
    let waited = match after {
        [AnyNodeRef::ExprAwait(_), ..] => true,
        [
            AnyNodeRef::ExprAttribute(attr),
            AnyNodeRef::ExprCall(call),
            ..,
        ] => is_wait(attr.attr.as_str()) && call.func.range() == attr.range,
        [AnyNodeRef::StmtAssign(assign), outer @ ..] => match assign.targets.as_slice() {
            [Expr::Name(handle)] => waited_in_loop(handle.id.as_str(), outer),
            _ => false,
        },
        _ => false,
    };
    if waited {
        CallEffect::Unknown
    } else {
        CallEffect::Keeps
    }
}

fn is_wait(method: &str) -> bool {
    matches!(method, "result" | "get" | "join" | "wait")
}

/// Whether the body of the innermost loop among `ancestors` waits for `handle`.
fn waited_in_loop(handle: &str, ancestors: &[AnyNodeRef]) -> bool {
    let body = ancestors
        .iter()
        .take_while(|node| !is_scope(**node))
        .find_map(|node| match node {
            AnyNodeRef::StmtFor(stmt) => Some(&stmt.body),
            AnyNodeRef::StmtWhile(stmt) => Some(&stmt.body),
            _ => None,
        });
    let is_handle = |expr: &Expr| matches!(expr, Expr::Name(name) if name.id.as_str() == handle);
    let mut waited = false;
    for stmt in body.into_iter().flatten() {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            match node {
                AnyNodeRef::ExprAwait(expr) => waited |= is_handle(&expr.value),
                // `handle.join()`, or `handle.get` handed to `assertRaises`.
                AnyNodeRef::ExprAttribute(attr) => {
                    waited |= is_wait(attr.attr.as_str()) && is_handle(&attr.value);
                }
                _ => {}
            }
            !waited && !is_scope(node)
        });
    }
    waited
}

/// What always follows a statement in its block.
enum BlockEnd {
    Continues,
    /// A later `break`: the innermost loop stops.
    Breaks,
    /// A later `return` or `raise`: every loop of the function stops.
    Exits,
}

/// Whether a statement after `stmt` in the block of `parent` that holds it leaves the
/// loop (`break`) or the function (`return`, `raise`) unconditionally.
fn block_ends_after(stmt: AnyNodeRef, parent: Option<AnyNodeRef>) -> BlockEnd {
    let blocks: Vec<&[Stmt]> = match parent {
        Some(AnyNodeRef::StmtFor(s)) => vec![&s.body, &s.orelse],
        Some(AnyNodeRef::StmtWhile(s)) => vec![&s.body, &s.orelse],
        Some(AnyNodeRef::StmtIf(s)) => vec![&s.body],
        Some(AnyNodeRef::ElifElseClause(c)) => vec![&c.body],
        Some(AnyNodeRef::StmtWith(s)) => vec![&s.body],
        Some(AnyNodeRef::StmtTry(s)) => vec![&s.body, &s.orelse],
        Some(AnyNodeRef::ExceptHandlerExceptHandler(h)) => vec![&h.body],
        Some(AnyNodeRef::MatchCase(c)) => vec![&c.body],
        _ => return BlockEnd::Continues,
    };
    for block in blocks {
        if let Some(at) = block.iter().position(|s| AnyNodeRef::from(s).ptr_eq(stmt)) {
            for later in block.get(at + 1..).unwrap_or_default() {
                match later {
                    Stmt::Break(_) => return BlockEnd::Breaks,
                    Stmt::Return(_) | Stmt::Raise(_) => return BlockEnd::Exits,
                    _ => {}
                }
            }
            return BlockEnd::Continues;
        }
    }
    BlockEnd::Continues
}

/// `@app.route(...)`, `@bus.subscribe`, `@register`: a decorator that stores the function.
fn is_registering_decorator(expr: &Expr) -> bool {
    let callee = match expr {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    let name = match callee {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attr) => attr.attr.as_str(),
        _ => return false,
    };
    REGISTERING_DECORATORS.contains(&name)
}
