//! PF202: changing the size of a list, dict or set inside a `for` loop over it.
//!
//! A dict or set raises `RuntimeError` as soon as the loop resumes after its size
//! changed; a list is walked by index, so removing skips the next element and inserting
//! repeats one. Deliberate patterns stay silent: appending to a list being walked (a
//! worklist), replacing a list element or an existing dict key in place, iterating a
//! copy (`list(d)`, `xs[:]`), and any change followed by `break`, `return` or `raise`.

use crate::ast::{AnyNodeRef, Expr, ExprCall, NodeKind, Operator, Ranged, Stmt};
use crate::checker::Context;
use crate::checker::bindings::{
    Kind, agreed, assigned_in, block_holding, evidence, is_scope, is_target_chain, same_target,
};
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF202",
    name: "modify-while-iterating",
    summary: "changing the size of a list, dict or set while a `for` loop iterates over it skips elements or raises `RuntimeError`",
    severity: Severity::Error,
    topic: Topic::DataStructures,
    doc: include_str!("../../rules/modify-while-iterating.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "B909",
            name: "loop-iterator-mutation",
        },
        Equivalent {
            tool: "flake8-bugbear",
            code: "B909",
            name: "",
        },
        Equivalent {
            tool: "ruff",
            code: "PLE4703",
            name: "modified-iterating-set",
        },
        Equivalent {
            tool: "pylint",
            code: "W4701",
            name: "modified-iterating-list",
        },
        Equivalent {
            tool: "pylint",
            code: "E4702",
            name: "modified-iterating-dict",
        },
        Equivalent {
            tool: "pylint",
            code: "E4703",
            name: "modified-iterating-set",
        },
    ],
};

/// Methods that may change the size of a list, dict, set or deque.
const MUTATORS: &[&str] = &[
    "remove",
    "pop",
    "clear",
    "insert",
    "append",
    "extend",
    "add",
    "discard",
    "update",
    "difference_update",
    "intersection_update",
    "symmetric_difference_update",
    "popitem",
    "setdefault",
    "appendleft",
    "extendleft",
    "popleft",
];

pub struct ModifyWhileIterating;

impl Rule for ModifyWhileIterating {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[
            NodeKind::ExprCall,
            NodeKind::StmtDelete,
            NodeKind::StmtAssign,
            NodeKind::StmtAugAssign,
        ]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let Some((change, receiver)) = change_of(node) else {
            return;
        };
        // A class iterating itself defines its own `__iter__`, which may well copy.
        if !is_target_chain(receiver)
            || matches!(receiver, Expr::Name(name) if matches!(name.id.as_str(), "self" | "cls"))
        {
            return;
        }
        // The loop over `receiver` whose body holds `node`, and how it iterates.
        let mut child = node;
        let mut found = None;
        for (depth, ancestor) in ctx.ancestors().enumerate() {
            if is_scope(ancestor) {
                return;
            }
            if let AnyNodeRef::StmtFor(stmt) = ancestor
                && stmt.body.iter().any(|s| AnyNodeRef::from(s).ptr_eq(child))
                && let Some(via) = iterates(&stmt.iter, receiver, ctx)
            {
                found = Some((stmt, via, depth));
                break;
            }
            child = ancestor;
        }
        let Some((stmt, via, depth)) = found else {
            return;
        };
        // `node` and its ancestors below the loop, nearest first.
        let chain: Vec<AnyNodeRef> = std::iter::once(node)
            .chain(ctx.ancestors().take(depth))
            .collect();
        if expects_runtime_error(stmt, ctx) {
            return;
        }
        let kind = match (via, binding_kind(receiver, ctx)) {
            (_, Kind::Other) => return,
            (Via::DictView, _) => Kind::Dict,
            (_, Kind::Unknown) => implied_kind(change),
            (_, known) => known,
        };
        if !changes_size(change, kind, &stmt.target)
            || is_move(change, receiver, &chain)
            || leaves_loop(&chain, stmt)
            || assigned_in(&stmt.body, receiver)
        {
            return;
        }
        let name = ctx.text_of(receiver);
        let what = match short(ctx.text_of(&node), 50) {
            Some(text) => format!("`{text}`"),
            None => "this change".to_owned(),
        };
        let loop_head = match short(ctx.text_of(&*stmt.iter), 40) {
            Some(iter) => format!("`for ... in {iter}`"),
            None => "the `for` loop".to_owned(),
        };
        let target = short(ctx.text_of(&*stmt.target), 30).unwrap_or("item");
        let copy = match (kind, via) {
            (Kind::Dict, Via::DictView) => match short(ctx.text_of(&*stmt.iter), 40) {
                Some(view) => format!("list({view})"),
                None => format!("list({name}.items())"),
            },
            (Kind::List, _) => format!("{name}[:]"),
            (Kind::Set, _) => format!("{name}.copy()"),
            _ => format!("list({name})"),
        };
        let copy = match &*stmt.iter {
            Expr::Call(call) if ctx.is_builtin(&call.func, "enumerate") => {
                format!("enumerate({copy})")
            }
            _ => copy,
        };
        let iterate_copy = format!("iterate over a copy: `for {target} in {copy}:`");
        let (effect, help) = match kind {
            Kind::Dict => (
                "Python raises `RuntimeError: dictionary changed size during iteration` when the loop resumes",
                format!("{iterate_copy}, or collect the changes and apply them after the loop"),
            ),
            Kind::Set => (
                "Python raises `RuntimeError: Set changed size during iteration` when the loop resumes",
                format!("{iterate_copy}, or build the new set after the loop"),
            ),
            Kind::Deque => (
                "Python raises `RuntimeError: deque mutated during iteration` when the loop resumes",
                format!(
                    "{iterate_copy}, or drain it as a queue: `while {name}: item = {name}.popleft()`"
                ),
            ),
            _ if matches!(change, Change::Method("clear", _)) => (
                "the loop stops after this pass, and the elements it had not reached yet are never visited",
                format!(
                    "clear `{name}` after the loop, or `break` right after clearing it if stopping is the intent"
                ),
            ),
            _ if matches!(change, Change::Method("pop", [])) => (
                "the loop walks it by index, so each element taken off the end is one the loop never reaches",
                format!(
                    "{iterate_copy}, or drain it as a stack: `while {name}: item = {name}.pop()`"
                ),
            ),
            Kind::Unknown if !matches!(change, Change::Method("insert", _)) => (
                "a list skips the element after each one removed, and a dict or set raises `RuntimeError` when the loop resumes",
                format!("{iterate_copy}, or collect what to change and apply it after the loop"),
            ),
            _ if matches!(change, Change::Method("insert", _)) => (
                "the loop walks the list by index, so shifting elements right makes it see one again, and it may never end",
                iterate_copy,
            ),
            _ => (
                "the loop walks the list by index, so the element after each removed one slides into its place and is skipped",
                match &*stmt.target {
                    Expr::Name(_) => format!(
                        "{iterate_copy}, or keep what you want with a comprehension: `{name}[:] = [{target} for {target} in {name} if ...]`"
                    ),
                    _ => iterate_copy,
                },
            ),
        };
        let kind_name = match kind {
            Kind::Dict => "dict ",
            Kind::Set => "set ",
            Kind::Deque => "deque ",
            Kind::List => "list ",
            _ => "",
        };
        report.add(
            node.range(),
            format!(
                "{what} changes {kind_name}`{name}` while {loop_head} iterates over it: {effect}"
            ),
            help,
        );
    }
}

/// How a statement or call changes its receiver.
#[derive(Clone, Copy)]
enum Change<'a> {
    /// `xs.remove(x)`, with the positional arguments.
    Method(&'a str, &'a [Expr]),
    /// `del xs[i]`, with the index.
    Del(&'a Expr),
    /// `d[key] = value`, with the key.
    SetItem(&'a Expr),
    /// `xs += ...`, `s |= ...`.
    InPlace(Operator),
}

/// How the loop reaches the collection: directly (`for x in xs`, `enumerate(xs)`) or
/// through a dict view (`d.items()`).
#[derive(Clone, Copy)]
enum Via {
    Direct,
    DictView,
}

fn change_of<'a>(node: AnyNodeRef<'a>) -> Option<(Change<'a>, &'a Expr)> {
    match node {
        AnyNodeRef::ExprCall(call) => {
            let Expr::Attribute(attr) = &*call.func else {
                return None;
            };
            let method = MUTATORS.iter().find(|&&m| m == attr.attr.as_str())?;
            Some((Change::Method(method, &call.arguments.args), &attr.value))
        }
        AnyNodeRef::StmtDelete(delete) => delete.targets.iter().find_map(|target| match target {
            Expr::Subscript(sub) => Some((Change::Del(&sub.slice), &*sub.value)),
            _ => None,
        }),
        AnyNodeRef::StmtAssign(assign) => assign.targets.iter().find_map(|target| match target {
            Expr::Subscript(sub) if !matches!(*sub.slice, Expr::Slice(_)) => {
                Some((Change::SetItem(&sub.slice), &*sub.value))
            }
            _ => None,
        }),
        AnyNodeRef::StmtAugAssign(assign) => Some((Change::InPlace(assign.op), &*assign.target)),
        _ => None,
    }
}

/// Whether `iter` iterates `receiver` itself (not a copy of it), and how.
fn iterates(iter: &Expr, receiver: &Expr, ctx: &Context) -> Option<Via> {
    if same_target(iter, receiver) {
        return Some(Via::Direct);
    }
    let Expr::Call(call) = iter else {
        return None;
    };
    let first = call.arguments.args.first();
    match &*call.func {
        Expr::Attribute(attr)
            if matches!(attr.attr.as_str(), "keys" | "values" | "items")
                && call.arguments.is_empty()
                && same_target(&attr.value, receiver) =>
        {
            Some(Via::DictView)
        }
        func if ctx.is_builtin(func, "enumerate")
            && first.is_some_and(|arg| same_target(arg, receiver)) =>
        {
            Some(Via::Direct)
        }
        _ => None,
    }
}

/// The kind a change implies when the bindings say nothing: `add` is a set's, `popitem`
/// a dict's; the rest are read as a list's.
fn implied_kind(change: Change) -> Kind {
    match change {
        Change::Method(
            "add"
            | "discard"
            | "difference_update"
            | "intersection_update"
            | "symmetric_difference_update",
            _,
        ) => Kind::Set,
        Change::Method("popitem" | "setdefault", _) => Kind::Dict,
        Change::Method("appendleft" | "extendleft" | "popleft", _) => Kind::Deque,
        _ => Kind::Unknown,
    }
}

/// Whether `change` changes the size of a `kind` being iterated by a loop whose
/// target is `target` in a way that breaks the loop.
///
/// A dict, set or deque breaks on any change of size; `d[k] = v` or
/// `d.setdefault(k, ...)` with the loop's own key and `s.add(x)` with the loop's own
/// element change nothing. A list (or a receiver of unknown type) breaks when the
/// change is at or before the loop's position: removing the current element
/// (`remove(x)`, `del xs[i]`, `pop(i)` with the loop's element or index), removing
/// from an end (`pop()`, `pop(0)`), `clear()`, or inserting at the front or at the
/// current index. Appending is a worklist, replacing an element is harmless, and a
/// change at some other position may be deliberate.
fn changes_size(change: Change, kind: Kind, target: &Expr) -> bool {
    let loop_names: Vec<&str> = match target {
        Expr::Name(name) => vec![name.id.as_str()],
        Expr::Tuple(tuple) => tuple
            .elts
            .iter()
            .filter_map(|e| match e {
                Expr::Name(name) => Some(name.id.as_str()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let key = loop_names.first().copied();
    let is_key = |expr: Option<&Expr>| matches!(expr, Some(Expr::Name(name)) if Some(name.id.as_str()) == key);
    let is_current = |expr: Option<&Expr>| matches!(expr, Some(Expr::Name(name)) if loop_names.contains(&name.id.as_str()));
    let is_literal =
        |expr: Option<&Expr>| matches!(expr, Some(Expr::NumberLiteral(_) | Expr::UnaryOp(_)));
    match (kind, change) {
        (Kind::Other, _) => false,
        (Kind::Deque, Change::SetItem(_)) => false,
        (Kind::Deque, Change::InPlace(op)) => op == Operator::Add,
        (Kind::Deque, _) => true,
        (Kind::Dict, Change::SetItem(item)) => !is_key(Some(item)),
        (Kind::Dict, Change::Method("setdefault", args)) => !is_key(args.first()),
        (Kind::Dict, Change::Method(m, _)) => matches!(m, "pop" | "popitem" | "clear" | "update"),
        (Kind::Dict, Change::InPlace(op)) => op == Operator::BitOr,
        (Kind::Set, Change::Method("add", args)) => !is_key(args.first()),
        (Kind::Set, Change::Method(m, _)) => !matches!(m, "append" | "extend" | "insert"),
        (Kind::Set, Change::InPlace(op)) => matches!(
            op,
            Operator::BitOr | Operator::Sub | Operator::BitAnd | Operator::BitXor
        ),
        (Kind::Dict | Kind::Set, Change::Del(_)) => true,
        (_, Change::Method("remove", args)) => is_current(args.first()),
        (_, Change::Method("pop", args)) => {
            args.is_empty() || is_current(args.first()) || is_literal(args.first())
        }
        (_, Change::Method("clear", _)) => true,
        (_, Change::Method("insert", args)) => {
            is_current(args.first())
                || matches!(args.first(), Some(Expr::NumberLiteral(n)) if n.value.as_int().and_then(crate::ast::Int::as_u8) == Some(0))
        }
        (_, Change::Del(item)) => is_current(Some(item)) || is_literal(Some(item)),
        _ => false,
    }
}

/// `xs.insert(0, xs.pop(i))`: moving an element within a list keeps its size, and the
/// elements after the larger index stay where the loop expects them.
fn is_move(change: Change, receiver: &Expr, chain: &[AnyNodeRef]) -> bool {
    let is_call_on = |call: &ExprCall, method: &str| {
        matches!(&*call.func, Expr::Attribute(attr)
            if attr.attr.as_str() == method && same_target(&attr.value, receiver))
    };
    match change {
        Change::Method("insert", args) => {
            matches!(args.get(1), Some(Expr::Call(value)) if is_call_on(value, "pop"))
        }
        Change::Method("pop", _) => {
            chain.iter().skip(1).take(2).any(
                |node| matches!(node, AnyNodeRef::ExprCall(call) if is_call_on(call, "insert")),
            )
        }
        _ => false,
    }
}

/// Whether, after the change, control certainly leaves `stmt` (the loop) before it
/// takes its next element: a later `break` in a block of the loop itself (not of a
/// nested loop), or a later `return` or `raise`, with no `continue` before it; or the
/// change is inside a `return` or `raise`.
fn leaves_loop(chain: &[AnyNodeRef], stmt: &crate::ast::StmtFor) -> bool {
    let outer = AnyNodeRef::from(stmt);
    for (at, child) in chain.iter().enumerate() {
        if !child.is_statement() {
            continue;
        }
        if matches!(child, AnyNodeRef::StmtReturn(_) | AnyNodeRef::StmtRaise(_)) {
            return true;
        }
        let parent = chain.get(at + 1).copied().unwrap_or(outer);
        let nested = chain
            .get(at + 1..)
            .unwrap_or_default()
            .iter()
            .any(|n| matches!(n, AnyNodeRef::StmtFor(_) | AnyNodeRef::StmtWhile(_)));
        let Some(block) = block_holding(parent, *child) else {
            continue;
        };
        let after = block
            .iter()
            .position(|s| AnyNodeRef::from(s).ptr_eq(*child))
            .and_then(|i| block.get(i + 1..))
            .unwrap_or_default();
        for later in after {
            match later {
                Stmt::Return(_) | Stmt::Raise(_) => return true,
                Stmt::Break(_) if !nested => return true,
                Stmt::Continue(_) if !nested => return false,
                // A nested loop's `break`/`continue` leads on past that loop.
                Stmt::Break(_) | Stmt::Continue(_) => break,
                _ => {}
            }
        }
    }
    false
}

/// Whether the loop runs where a `RuntimeError` is expected: inside
/// `with self.assertRaises(...)` / `with pytest.raises(...)`, or in the body of a `try`
/// that catches `RuntimeError`.
fn expects_runtime_error(stmt: &crate::ast::StmtFor, ctx: &Context) -> bool {
    let names_runtime_error = |expr: &Expr| match expr {
        Expr::Tuple(tuple) => tuple
            .elts
            .iter()
            .any(|e| last_segment(e) == Some("RuntimeError")),
        other => last_segment(other) == Some("RuntimeError"),
    };
    let at = stmt.range();
    ctx.ancestors()
        .skip_while(|node| !node.range().contains_range(at) || node.ptr_eq(AnyNodeRef::from(stmt)))
        .take_while(|node| !is_scope(*node))
        .any(|node| match node {
            AnyNodeRef::StmtWith(with) => with.items.iter().any(|item| {
                matches!(&item.context_expr, Expr::Call(call)
                    if last_segment(&call.func).is_some_and(|name| name.starts_with("assertRaises") || name == "raises"))
            }),
            AnyNodeRef::StmtTry(try_stmt) => {
                try_stmt.body.iter().any(|s| s.range().contains_range(at))
                    && try_stmt.handlers.iter().any(|handler| {
                        let crate::ast::ExceptHandler::ExceptHandler(handler) = handler;
                        handler.type_.as_deref().is_some_and(names_runtime_error)
                    })
            }
            _ => false,
        })
}

fn last_segment(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attr) => Some(attr.attr.as_str()),
        _ => None,
    }
}

/// What `receiver` is, from its assignments and annotations (`bindings::evidence`).
/// An attribute the class never assigns comes from a base class we cannot see.
fn binding_kind<'a>(receiver: &'a Expr, ctx: &Context<'a>) -> Kind {
    match evidence(receiver, ctx) {
        None => Kind::Unknown,
        Some(found) if found.is_empty() && matches!(receiver, Expr::Attribute(_)) => Kind::Other,
        Some(found) => agreed(found.iter().map(|e| match e.kind {
            Kind::List | Kind::Dict | Kind::Set | Kind::Deque | Kind::Unknown => e.kind,
            // A mutable sequence, walked by index like a list.
            Kind::ByteArray => Kind::Unknown,
            _ => Kind::Other,
        })),
    }
}

fn short(text: &str, max: usize) -> Option<&str> {
    (text.len() <= max && !text.contains('\n')).then_some(text)
}
