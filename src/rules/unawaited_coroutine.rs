//! PF602: a coroutine created by calling an `async def` and never awaited.
//!
//! Calling an `async def` function runs none of its body: it returns a coroutine
//! object, which does the work only when awaited or scheduled. Dropped on the floor,
//! tested for truth (always true) or used as if it were the result, the coroutine is
//! a silent no-op. Here the rule knows which functions are `async def` within the
//! module: module-level functions called by name and methods called on `self`/`cls`.
//! Calls of imported functions are judged here too (`lost_call`) but reported by the
//! project phase, which knows the other modules' `async def`s (`project::summary`).

use std::collections::HashMap;

use crate::ast::{self, AnyNodeRef, Expr, ExprContext, NodeKind, Ranged, Stmt, UnaryOp};
use crate::checker::Context;
use crate::checker::subtree::{any_in_scope, for_each_node};
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF602",
    name: "unawaited-coroutine",
    summary: "calling an `async def` without awaiting it creates a coroutine that never runs",
    severity: Severity::Error,
    topic: Topic::Concurrency,
    doc: include_str!("../../rules/unawaited-coroutine.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "mypy",
            code: "unused-coroutine",
            name: "",
        },
        Equivalent {
            tool: "pyright",
            code: "reportUnusedCoroutine",
            name: "",
        },
    ],
};

/// Builtins that use their argument's value on the spot and never await it.
const CONSUMING_BUILTINS: &[&str] = &[
    "len",
    "list",
    "tuple",
    "set",
    "frozenset",
    "dict",
    "sorted",
    "sum",
    "min",
    "max",
    "any",
    "all",
    "int",
    "float",
    "bool",
    "iter",
    "next",
    "enumerate",
    "zip",
];

/// Attributes a coroutine object really has: driving it by hand is legitimate.
const COROUTINE_ATTRIBUTES: &[&str] = &[
    "send",
    "throw",
    "close",
    "__await__",
    "cr_await",
    "cr_frame",
    "cr_running",
    "cr_code",
    "cr_origin",
    "cr_suspended",
    "__name__",
    "__qualname__",
];

/// Decorators that leave an `async def` a coroutine function. Any other decorator may
/// wrap it in something synchronous (`async_to_sync`, a CLI command), so it is skipped.
const TRANSPARENT_DECORATORS: &[&str] = &[
    "staticmethod",
    "classmethod",
    "abc.abstractmethod",
    "typing.override",
    "typing_extensions.override",
    "functools.wraps",
];

pub struct UnawaitedCoroutine;

impl Rule for UnawaitedCoroutine {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::ExprCall, NodeKind::StmtFunctionDef]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        // Every finding needs an `async def` in this file (`coroutine_function`): a file
        // that never says `async` needs no look at its calls and assignments.
        if ctx.is_stub() || !ctx.source_mentions("async") {
            return;
        }
        match node {
            AnyNodeRef::ExprCall(call) => check_call(call, node, ctx, report),
            AnyNodeRef::StmtFunctionDef(def) => check_assigned(def, ctx, report),
            _ => {}
        }
    }
}

/// How the value of an expression is used by the node above it.
enum Use<'a> {
    /// An expression statement: the value is thrown away.
    Dropped,
    /// A truth test: `if`, `while`, `not`, `and`/`or`, `assert`.
    Tested,
    /// Used by this node as the result would be: `.attr`, `[key]`, arithmetic,
    /// comparison, iteration, or a builtin such as `len`.
    Consumed(AnyNodeRef<'a>),
    /// Awaited, returned, stored, passed on: someone may await it.
    HandedOver,
}

/// Cases (a) and (b), and direct misuse: the call's own parent shows what happens to it.
fn check_call<'a>(
    call: &'a ast::ExprCall,
    node: AnyNodeRef<'a>,
    ctx: &Context<'a>,
    report: &mut Report,
) {
    // The cheapest test first: most calls are awaited, assigned or passed on.
    let mut ancestors = ctx.ancestors();
    let use_ = use_of(node, &mut ancestors);
    let misuse = match use_ {
        Use::HandedOver => return,
        Use::Dropped => Misuse::Dropped,
        Use::Tested => Misuse::Tested,
        Use::Consumed(_) => Misuse::Consumed,
    };
    let Some(callee) = coroutine_function(&call.func, ctx, None) else {
        return;
    };
    if expects_error(ctx) {
        return;
    }
    let shown = shown(call, ctx);
    let in_async = ctx.enclosing_function().is_some_and(|def| def.is_async);
    let awaited = match use_ {
        Use::Consumed(consumer) => awaited_in(consumer, call, ctx),
        _ => format!("await {shown}"),
    };
    let (message, help) = message(misuse, &shown, callee, in_async, &awaited);
    report.add(call.range(), message, help);
    report.attach_to_last(await_suggestion(call, in_async));
}

/// What a call site does with a coroutine it never awaits; the project phase keeps
/// this for calls of functions imported from other modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Misuse {
    Dropped,
    Tested,
    Consumed,
}

/// A call of an imported function whose coroutine (if the function is `async def`)
/// would be lost here: how, and whether the call is inside `async def` code. `None`
/// when the value is handed on, or the call is expected to raise.
pub fn lost_call<'a>(node: AnyNodeRef<'a>, ctx: &Context<'a>) -> Option<(Misuse, bool)> {
    let misuse = match use_of(node, &mut ctx.ancestors()) {
        Use::HandedOver => return None,
        Use::Dropped => Misuse::Dropped,
        Use::Tested => Misuse::Tested,
        Use::Consumed(_) => Misuse::Consumed,
    };
    if ctx.is_stub() || expects_error(ctx) {
        return None;
    }
    let in_async = ctx.enclosing_function().is_some_and(|def| def.is_async);
    Some((misuse, in_async))
}

/// Whether `name`, called in the current scope, still means what the module imported:
/// neither the enclosing function nor the module's top level binds it again.
pub fn imported_name_intact(name: &str, ctx: &Context) -> bool {
    !ctx.enclosing_function()
        .is_some_and(|def| binds(def, name, ctx))
        && !rebound_in_module(name, ctx)
}

/// Whether the module-level `def` at hand creates a coroutine when called: `async def`,
/// not a generator, only transparent decorators, not rebound at module level.
pub fn is_coroutine_function(def: &ast::StmtFunctionDef, ctx: &Context) -> bool {
    def.is_async
        && is_plain(def, ctx)
        && !is_generator(def)
        && !rebound_in_module(def.name.as_str(), ctx)
}

/// The message and help for a call `shown` of the coroutine function `callee` that is
/// lost as `misuse` says; `awaited` is the corrected use, shown when consumed.
pub fn message(
    misuse: Misuse,
    shown: &str,
    callee: &str,
    in_async: bool,
    awaited: &str,
) -> (String, String) {
    match misuse {
        Misuse::Dropped => (
            format!(
                "`{shown}` creates a coroutine and drops it: `{callee}` is `async def`, so its body never runs (Python only warns \"coroutine was never awaited\" when the object is collected)"
            ),
            if in_async {
                format!(
                    "write `await {shown}`, or `asyncio.create_task({shown})` and keep a reference to the task to run it in the background"
                )
            } else {
                format!(
                    "call it from `async def` code as `await {shown}`, or run it to completion with `asyncio.run({shown})` when no event loop is running"
                )
            },
        ),
        Misuse::Tested => (
            format!(
                "`{shown}` is tested for truth, but a coroutine object is always true: `{callee}` is `async def`, so the test never sees its result and its body never runs"
            ),
            if in_async {
                format!("test the awaited result: `await {shown}`")
            } else {
                format!(
                    "only `async def` code can await `{callee}`: make this function `async def` and test `await {shown}`"
                )
            },
        ),
        Misuse::Consumed => (
            format!(
                "`{shown}` is used as if it were `{callee}`'s result, but it is a coroutine object: `{callee}` is `async def`, and the coroutine is never awaited"
            ),
            format!("await the call first: `{awaited}`"),
        ),
    }
}

/// `consumer`'s text with `await` put before `call`, when short; else just the call.
fn awaited_in(consumer: AnyNodeRef, call: &ast::ExprCall, ctx: &Context) -> String {
    let call_text = ctx.text_of(call);
    let (awaited, text) = match consumer {
        AnyNodeRef::ExprAttribute(_) | AnyNodeRef::ExprSubscript(_) => {
            (format!("(await {call_text})"), ctx.slice(consumer.range()))
        }
        _ if consumer.is_expression() => {
            (format!("await {call_text}"), ctx.slice(consumer.range()))
        }
        _ => (format!("await {call_text}"), ""),
    };
    if text.len() <= 70 && !text.contains('\n') && text.contains(call_text) {
        text.replacen(call_text, &awaited, 1)
    } else {
        awaited
    }
}

/// What the node above `node` does with its value; `ancestors` are `node`'s, nearest first.
fn use_of<'a>(
    node: AnyNodeRef<'a>,
    ancestors: &mut impl Iterator<Item = AnyNodeRef<'a>>,
) -> Use<'a> {
    let mut child = node;
    let is = |expr: &Expr, child: AnyNodeRef| AnyNodeRef::from(expr).ptr_eq(child);
    loop {
        let Some(parent) = ancestors.next() else {
            return Use::HandedOver;
        };
        return match parent {
            AnyNodeRef::StmtExpr(_) => Use::Dropped,
            AnyNodeRef::StmtIf(stmt) if is(&stmt.test, child) => Use::Tested,
            AnyNodeRef::ElifElseClause(clause)
                if clause.test.as_ref().is_some_and(|t| is(t, child)) =>
            {
                Use::Tested
            }
            AnyNodeRef::StmtWhile(stmt) if is(&stmt.test, child) => Use::Tested,
            AnyNodeRef::StmtAssert(stmt) if is(&stmt.test, child) => Use::Tested,
            AnyNodeRef::ExprIf(expr) if is(&expr.test, child) => Use::Tested,
            AnyNodeRef::Comprehension(comp) if comp.ifs.iter().any(|t| is(t, child)) => Use::Tested,
            AnyNodeRef::Comprehension(comp) if is(&comp.iter, child) => Use::Consumed(parent),
            AnyNodeRef::ExprUnaryOp(expr) if expr.op == UnaryOp::Not => Use::Tested,
            AnyNodeRef::ExprUnaryOp(_) | AnyNodeRef::ExprBinOp(_) | AnyNodeRef::ExprCompare(_) => {
                Use::Consumed(parent)
            }
            AnyNodeRef::ExprBoolOp(expr) => {
                // `and`/`or` pass their last operand's value on: see what uses the whole.
                if expr.values.last().is_some_and(|last| is(last, child)) {
                    child = parent;
                    continue;
                }
                Use::Tested
            }
            AnyNodeRef::ExprAttribute(attr)
                if !COROUTINE_ATTRIBUTES.contains(&attr.attr.as_str()) =>
            {
                Use::Consumed(parent)
            }
            AnyNodeRef::ExprSubscript(sub) if is(&sub.value, child) => Use::Consumed(parent),
            AnyNodeRef::StmtFor(stmt) if is(&stmt.iter, child) => Use::Consumed(parent),
            AnyNodeRef::Arguments(args) if args.keywords.is_empty() && args.args.len() == 1 => {
                match ancestors.next() {
                    Some(outer @ AnyNodeRef::ExprCall(call)) if is_consuming_builtin(call) => {
                        Use::Consumed(outer)
                    }
                    _ => Use::HandedOver,
                }
            }
            _ => Use::HandedOver,
        };
    }
}

fn is_consuming_builtin(call: &ast::ExprCall) -> bool {
    matches!(&*call.func, Expr::Name(name) if CONSUMING_BUILTINS.contains(&name.id.as_str()))
}

/// The name of the coroutine function `func` calls, when it is a module-level `async def`
/// called by name or a method of the enclosing class called on `self` or `cls`.
/// `own` is the function being checked when it is not among `ctx.ancestors()`.
fn coroutine_function<'a>(
    func: &Expr,
    ctx: &Context<'a>,
    own: Option<&'a ast::StmtFunctionDef>,
) -> Option<&'a str> {
    let def = match func {
        Expr::Name(name) => {
            let id = name.id.as_str();
            let def = ctx.facts().function(id)?;
            if !def.is_async
                || ctx.facts().import_of(id).is_some()
                || own.is_some_and(|own| binds(own, id, ctx))
                || rebound_in_module(id, ctx)
            {
                return None;
            }
            ctx.resolve_function(func)?
        }
        Expr::Attribute(attr) => {
            let Expr::Name(receiver) = &*attr.value else {
                return None;
            };
            if !matches!(receiver.id.as_str(), "self" | "cls") {
                return None;
            }
            let class = ctx.enclosing_class()?;
            method(class, attr.attr.as_str())?
        }
        _ => return None,
    };
    (def.is_async && is_plain(def, ctx) && !is_generator(def)).then_some(def.name.as_str())
}

/// Whether `def` (the function being checked) binds `name` itself.
fn binds<'a>(def: &'a ast::StmtFunctionDef, name: &str, ctx: &Context<'a>) -> bool {
    def.parameters.iter().any(|p| p.name().as_str() == name) || ctx.function_binds(def, name)
}

/// Whether the module's top level also binds `name` by assignment or a plain `def`
/// (`fetch = async_to_sync(fetch)`): then a call may not create a coroutine.
fn rebound_in_module(name: &str, ctx: &Context) -> bool {
    let Some(AnyNodeRef::ModModule(module)) = ctx.ancestors().last() else {
        return false;
    };
    // Answered once per name and file, not once per call.
    let answers = ctx.memo(ModuleRebinds::default);
    if let Some(&known) = answers.0.borrow().get(name) {
        return known;
    }
    let found = module.body.iter().any(|stmt| match stmt {
        Stmt::FunctionDef(def) => def.name.as_str() == name && !def.is_async,
        Stmt::AugAssign(assign) => {
            matches!(&*assign.target, Expr::Name(n) if n.id.as_str() == name)
        }
        _ => binds_name(stmt, name),
    });
    answers.0.borrow_mut().insert(name.to_owned(), found);
    found
}

/// `rebound_in_module`'s answers, by name.
#[derive(Default)]
struct ModuleRebinds(std::cell::RefCell<rustc_hash::FxHashMap<String, bool>>);

/// The method `name` of `class`, if the class body defines it last as a function.
fn method<'a>(class: &'a ast::StmtClassDef, name: &str) -> Option<&'a ast::StmtFunctionDef> {
    let mut found = None;
    for stmt in &class.body {
        match stmt {
            Stmt::FunctionDef(def) if def.name.as_str() == name => found = Some(def),
            Stmt::Assign(_) | Stmt::AnnAssign(_) if binds_name(stmt, name) => found = None,
            _ => {}
        }
    }
    found
}

fn binds_name(stmt: &Stmt, name: &str) -> bool {
    let targets: &[Expr] = match stmt {
        Stmt::Assign(assign) => &assign.targets,
        Stmt::AnnAssign(assign) => std::slice::from_ref(&*assign.target),
        _ => return false,
    };
    targets
        .iter()
        .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == name))
}

/// Whether every decorator of `def` keeps it a coroutine function.
fn is_plain(def: &ast::StmtFunctionDef, ctx: &Context) -> bool {
    def.decorator_list.iter().all(|decorator| {
        let callee = match &decorator.expression {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        ctx.qualified_name(callee)
            .is_some_and(|q| TRANSPARENT_DECORATORS.contains(&q.as_str()))
    })
}

/// Whether `def`'s own body yields: an `async def` with `yield` is an async generator,
/// used with `async for`, not awaited.
fn is_generator(def: &ast::StmtFunctionDef) -> bool {
    any_in_scope(&def.body, |node| {
        matches!(
            node,
            AnyNodeRef::ExprYield(_) | AnyNodeRef::ExprYieldFrom(_)
        )
    })
}

/// Inside `with pytest.raises(...)` or `self.assertRaises(...)`: a call with bad
/// arguments raises `TypeError` before any coroutine exists, which a test may check.
fn expects_error(ctx: &Context) -> bool {
    ctx.ancestors()
        .take_while(|node| !matches!(node, AnyNodeRef::StmtFunctionDef(_)))
        .any(|node| match node {
            AnyNodeRef::StmtWith(with) => with.items.iter().any(|item| {
                matches!(&item.context_expr, Expr::Call(call)
                    if matches!(&*call.func, Expr::Attribute(attr)
                        if matches!(attr.attr.as_str(), "raises" | "assertRaises" | "assertRaisesRegex")))
            }),
            _ => false,
        })
}

/// Case (c): `result = fetch(url)` in a function, then `result` used as the result
/// (`result.status`, `if result:`) or not at all, and never awaited or handed on.
fn check_assigned<'a>(def: &'a ast::StmtFunctionDef, ctx: &Context<'a>, report: &mut Report) {
    let mut candidates: Vec<(&'a str, &'a ast::ExprCall, &'a str)> = Vec::new();
    for stmt in &def.body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            let (target, value) = match node {
                AnyNodeRef::StmtAssign(assign) => match assign.targets.as_slice() {
                    [target] => (target, &*assign.value),
                    _ => return false,
                },
                AnyNodeRef::StmtAnnAssign(assign) => match &assign.value {
                    Some(value) => (&*assign.target, &**value),
                    None => return false,
                },
                AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_) => return false,
                // Statements only: assignments are never inside expressions.
                other => return !other.is_expression(),
            };
            if let (Expr::Name(name), Expr::Call(call)) = (target, value)
                && let Some(callee) = coroutine_function(&call.func, ctx, Some(def))
            {
                candidates.push((name.id.as_str(), call, callee));
            }
            false
        });
    }
    if candidates.is_empty() {
        return;
    }
    let uses = uses_of(def, &candidates);
    let in_async = def.is_async;
    for (name, call, callee) in candidates {
        let Some(tally) = uses.get(name) else {
            continue;
        };
        if tally.stores != 1 || tally.handed_over {
            continue;
        }
        let shown = shown(call, ctx);
        let awaited = match tally.first_misuse {
            Some(_) => format!("{name} = await {shown}"),
            None => format!("await {shown}"),
        };
        let fix = if in_async {
            format!("`{awaited}`")
        } else {
            format!(
                "`{awaited}` inside an `async def`, or `asyncio.run({shown})` when no event loop is running"
            )
        };
        let message = match tally.first_misuse {
            Some(misuse) => format!(
                "`{name}` holds the coroutine `{shown}` returned, not its result: `{callee}` is `async def` and `{name}` is never awaited, so `{}` goes wrong and `{callee}` never runs",
                ctx.text_of(&misuse)
            ),
            None => format!(
                "the coroutine `{shown}` is stored in `{name}` but never awaited, so `{callee}`, an `async def`, never runs"
            ),
        };
        report.add(call.range(), message, format!("await the call: {fix}"));
        report.attach_to_last(await_suggestion(call, in_async));
    }
}

#[derive(Default)]
struct Tally {
    stores: usize,
    handed_over: bool,
    first_misuse: Option<ast::TextRange>,
}

/// How each candidate name is bound and read anywhere in `def`, nested scopes included.
fn uses_of<'a>(
    def: &'a ast::StmtFunctionDef,
    candidates: &[(&'a str, &'a ast::ExprCall, &'a str)],
) -> HashMap<&'a str, Tally> {
    let mut tallies: HashMap<&'a str, Tally> = candidates
        .iter()
        .map(|&(name, _, _)| (name, Tally::default()))
        .collect();
    let mut stack: Vec<AnyNodeRef<'a>> = Vec::new();
    for stmt in &def.body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            while stack
                .last()
                .is_some_and(|top| !top.range().contains_range(node.range()))
            {
                stack.pop();
            }
            match node {
                AnyNodeRef::StmtGlobal(ast::StmtGlobal { names, .. })
                | AnyNodeRef::StmtNonlocal(ast::StmtNonlocal { names, .. }) => {
                    for name in names {
                        if let Some(tally) = tallies.get_mut(name.as_str()) {
                            tally.handed_over = true;
                        }
                    }
                }
                AnyNodeRef::ExprName(name) => {
                    if let Some(tally) = tallies.get_mut(name.id.as_str()) {
                        if name.ctx == ExprContext::Load {
                            let nested = stack.iter().any(|n| {
                                matches!(
                                    n,
                                    AnyNodeRef::StmtFunctionDef(_)
                                        | AnyNodeRef::ExprLambda(_)
                                        | AnyNodeRef::StmtClassDef(_)
                                )
                            });
                            let mut ancestors = stack.iter().rev().copied();
                            match use_of(node, &mut ancestors) {
                                _ if nested => tally.handed_over = true,
                                Use::HandedOver => tally.handed_over = true,
                                _ => {
                                    let parent = stack.last().map_or(name.range, |p| p.range());
                                    tally.first_misuse.get_or_insert(parent);
                                }
                            }
                        } else {
                            tally.stores += 1;
                        }
                    }
                }
                _ => {}
            }
            stack.push(node);
            true
        });
    }
    tallies
}

/// The call as written, when short; else its callee with `(...)`.
pub fn shown<'a>(call: &ast::ExprCall, ctx: &Context<'a>) -> String {
    let text = ctx.text_of(call);
    if text.len() <= 60 && !text.contains('\n') {
        text.to_owned()
    } else {
        format!("{}(...)", ctx.text_of(&*call.func))
    }
}

/// `await` put before the call, for teach mode (only where `await` is allowed).
/// Display-only: running it in the background (`asyncio.create_task`) may be meant.
fn await_suggestion(call: &ast::ExprCall, in_async: bool) -> Option<crate::rule::Fix> {
    in_async.then(|| {
        crate::rule::Fix::display_only(
            "await the coroutine",
            vec![crate::rule::Edit::replace(
                ast::TextRange::empty(call.range().start()),
                "await ",
            )],
        )
    })
}
