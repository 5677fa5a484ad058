//! PF203: `xs.pop(0)`, `xs.insert(0, x)` or `del xs[0]` on a list, inside a loop.
//!
//! A list keeps its elements in one contiguous array, so removing or inserting at the
//! front moves every other element: O(n) per call, O(n²) for a loop that drains or
//! builds a list from the front. The rule reports only receivers that are lists or
//! could be: it stays silent for anything bound to a dict, set, deque or other known
//! non-list in the same function (or class, for `self.` attributes), and reports
//! `insert(0, x)` only on a known list, because GUI widgets (`entry.insert(0, text)`)
//! share that signature.

use crate::ast::{self, AnyNodeRef, Expr, NodeKind, Ranged};
use crate::checker::Context;
use crate::checker::bindings::{
    Kind, agreed, assigned_in, evidence, exit_after, is_self, is_target_chain, same_target,
};
use crate::checker::subtree::for_each_node;
use crate::rule::{FixAvailability, Report, Rule, RuleMeta, Severity, Topic};
use crate::rules::loop_findings::first_in_loop;

pub static META: RuleMeta = RuleMeta {
    code: "PF203",
    name: "list-pop-front",
    summary: "removing or inserting at the front of a list in a loop shifts every element each time, O(n²) in all",
    severity: Severity::Warning,
    topic: Topic::DataStructures,
    doc: include_str!("../../rules/list-pop-front.md"),
    fix: FixAvailability::None,
    equivalents: &[],
};

/// A loop over at most this many literal items is too short to matter.
const FEW: usize = 16;

pub struct ListPopFront;

impl Rule for ListPopFront {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::ExprCall, NodeKind::StmtDelete]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let Some((op, receiver)) = front_operation(node) else {
            return;
        };
        if !is_target_chain(receiver) {
            return;
        }
        let Some(repeating) = ctx.enclosing_loop(node) else {
            return;
        };
        // A comprehension repeats within its statement, whatever follows it.
        let statement_loop = matches!(repeating, AnyNodeRef::StmtFor(_) | AnyNodeRef::StmtWhile(_));
        if loop_iterates(receiver, ctx)
            || is_loop_target(repeating, receiver)
            || few_iterations(repeating, ctx)
            || (statement_loop && stops_after(node, ctx))
            || loop_body(repeating).is_some_and(|body| assigned_in(body, receiver))
        {
            return;
        }
        match binding_kind(receiver, ctx) {
            Kind::List => {}
            // `entry.insert(0, text)` on a Tk widget looks the same; insist on a list.
            Kind::Unknown if op != Op::Insert => {}
            _ => return,
        }
        let name = ctx.text_of(receiver);
        // A prefix strip is only a hint (below); every other front operation on the same
        // list in the same loop is the same quadratic loop: report it once.
        let hint = op != Op::Insert && strips_prefix(repeating, receiver);
        if !hint && !first_in_loop(META.code, repeating, name, ctx) {
            return;
        }
        let (what, shift, help) = match op {
            Op::Pop => (
                format!("`{name}.pop(0)`"),
                "removes the first element",
                format!(
                    "make `{name}` a `collections.deque` and call `{name}.popleft()`, which is O(1); or walk the list with an index or a `for` loop instead of consuming it"
                ),
            ),
            Op::Del => (
                format!("`del {name}[0]`"),
                "removes the first element",
                format!(
                    "make `{name}` a `collections.deque` and call `{name}.popleft()`, which is O(1); or walk the list with an index instead of deleting from it"
                ),
            ),
            Op::Insert => (
                format!("`{name}.insert(0, ...)`"),
                "inserts before the first element",
                format!(
                    "`{name}.append(...)` in the loop and reverse `{name}` once afterwards, or make it a `collections.deque` and call `{name}.appendleft(...)`"
                ),
            ),
        };
        let diagnostic = report.add(
            node.range(),
            format!(
                "{what} {shift} of list `{name}`, moving every other element: O(n) each time, so this loop takes O(n²) time as `{name}` grows"
            ),
            help,
        );
        // `while xs and xs[0] == 0: xs.pop(0)` strips a prefix: the cost is the prefix's
        // length times the list's, and a stripped prefix (leading zeros, blank lines) is
        // short. A hint, hidden by default.
        if hint {
            diagnostic.severity = Severity::Info;
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Pop,
    Insert,
    Del,
}

/// `xs.pop(0)`, `xs.insert(0, x)` or `del xs[0]`, with the receiver `xs`.
fn front_operation<'a>(node: AnyNodeRef<'a>) -> Option<(Op, &'a Expr)> {
    match node {
        AnyNodeRef::ExprCall(call) => {
            let Expr::Attribute(attr) = &*call.func else {
                return None;
            };
            let args = &call.arguments.args;
            if !call.arguments.keywords.is_empty() {
                return None;
            }
            let op = match (attr.attr.as_str(), args.len()) {
                ("pop", 1) => Op::Pop,
                ("insert", 2) => Op::Insert,
                _ => return None,
            };
            is_zero(args.first()?).then_some((op, &*attr.value))
        }
        AnyNodeRef::StmtDelete(delete) => match delete.targets.as_slice() {
            [Expr::Subscript(sub)] if is_zero(&sub.slice) => Some((Op::Del, &*sub.value)),
            _ => None,
        },
        _ => None,
    }
}

fn is_zero(expr: &Expr) -> bool {
    matches!(expr, Expr::NumberLiteral(n) if n.value.as_int().and_then(ast::Int::as_u8) == Some(0))
}

/// Whether the innermost loop is `for x in xs:` over the receiver itself; changing the
/// list being iterated is `modify-while-iterating`'s business.
fn loop_iterates(receiver: &Expr, ctx: &Context) -> bool {
    ctx.ancestors()
        .find_map(|node| match node {
            AnyNodeRef::StmtFor(stmt) => Some(Some(&*stmt.iter)),
            AnyNodeRef::StmtWhile(_)
            | AnyNodeRef::StmtFunctionDef(_)
            | AnyNodeRef::StmtClassDef(_)
            | AnyNodeRef::ExprLambda(_) => Some(None),
            _ => None,
        })
        .flatten()
        .is_some_and(|iter| same_target(iter, receiver))
}

/// Whether the receiver is the loop's own variable (`for item in items: del item[0]`):
/// each pass shifts a different list once, which is linear in all.
fn is_loop_target(repeating: AnyNodeRef, receiver: &Expr) -> bool {
    let AnyNodeRef::StmtFor(stmt) = repeating else {
        return false;
    };
    match &*stmt.target {
        Expr::Tuple(tuple) => tuple.elts.iter().any(|elt| same_target(elt, receiver)),
        target => same_target(target, receiver),
    }
}

/// Whether the loop is `while ... xs[0] ...:`: it removes elements only while the
/// first one passes a test, so it strips a prefix rather than draining the list.
fn strips_prefix(repeating: AnyNodeRef, receiver: &Expr) -> bool {
    let AnyNodeRef::StmtWhile(stmt) = repeating else {
        return false;
    };
    let mut found = false;
    for_each_node(AnyNodeRef::from(&*stmt.test), |node| {
        found |= matches!(node, AnyNodeRef::ExprSubscript(sub)
            if is_zero(&sub.slice) && same_target(&sub.value, receiver));
        !found
    });
    found
}

/// Whether the loop is `for ... in range(4)` or over a short literal tuple or list: a
/// handful of front operations costs nothing worth a change.
fn few_iterations(repeating: AnyNodeRef, ctx: &Context) -> bool {
    let AnyNodeRef::StmtFor(stmt) = repeating else {
        return false;
    };
    match &*stmt.iter {
        Expr::Tuple(tuple) => tuple.elts.len() <= FEW,
        Expr::List(list) => list.elts.len() <= FEW,
        Expr::Call(call) if ctx.is_builtin(&call.func, "range") => {
            let bounds: Option<Vec<i64>> = call
                .arguments
                .args
                .iter()
                .map(|arg| match arg {
                    Expr::NumberLiteral(n) => n.value.as_int().and_then(ast::Int::as_i64),
                    _ => None,
                })
                .collect();
            match bounds.as_deref() {
                Some([stop]) => *stop <= FEW as i64,
                Some([start, stop, ..]) => stop.saturating_sub(*start) <= FEW as i64,
                _ => false,
            }
        }
        _ => false,
    }
}

/// The body of a `for` or `while` loop. When the body assigns the receiver afresh
/// (`for o in logs: l = list(o); l.pop(0)`), each pass works on a new list and shifts
/// it only once.
fn loop_body(repeating: AnyNodeRef<'_>) -> Option<&[ast::Stmt]> {
    match repeating {
        AnyNodeRef::StmtFor(stmt) => Some(&stmt.body),
        AnyNodeRef::StmtWhile(stmt) => Some(&stmt.body),
        _ => None,
    }
}

/// Whether the statement holding `node` is followed, in its block, by `break`, `return`
/// or `raise`: then it runs at most once per loop, not once per iteration.
fn stops_after(node: AnyNodeRef, ctx: &Context) -> bool {
    let mut child = node;
    for parent in ctx.ancestors() {
        if child.is_statement() {
            return matches!(child, AnyNodeRef::StmtReturn(_) | AnyNodeRef::StmtRaise(_))
                || exit_after(parent, child).is_some();
        }
        child = parent;
    }
    false
}

/// What `receiver` is, from its assignments and annotations (`bindings::evidence`): a
/// list, or evidently something else (any such binding wins). Attributes of modules
/// (`sys.path`), imported names and values returned by imported functions are not
/// judged to be lists.
fn binding_kind<'a>(receiver: &'a Expr, ctx: &Context<'a>) -> Kind {
    match receiver {
        Expr::Name(name) if ctx.facts().import_of(name.id.as_str()).is_some() => Kind::Other,
        Expr::Attribute(attr) if !is_self(&attr.value) => Kind::Other,
        _ => agreed(evidence(receiver, ctx).unwrap_or_default().iter().map(|e| {
            match (e.kind, e.value) {
                (Kind::List, _) => Kind::List,
                (Kind::Unknown, Some(Expr::Call(call)))
                    if ctx
                        .qualified_name(&call.func)
                        .is_some_and(|n| n.contains('.')) =>
                {
                    Kind::Other
                }
                (Kind::Unknown, _) => Kind::Unknown,
                _ => Kind::Other,
            }
        })),
    }
}
