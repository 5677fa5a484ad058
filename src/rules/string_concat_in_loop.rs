//! PF205: `s += piece` on a string inside a loop, which copies the whole string each time.
//!
//! Strings (and bytes) are immutable, so `s += piece` builds a new object holding a copy
//! of `s`; repeated over a loop that is quadratic in the final length. The rule needs
//! evidence that the target holds text: it was last bound to a string (in the same
//! function, or in the class's methods for `self.` attributes), or the piece added is
//! evidently one.

use crate::ast::{AnyNodeRef, Expr, ExprBinOp, NodeKind, Operator, Ranged, Stmt};
use crate::checker::Context;
use crate::checker::bindings::{
    Exit, Kind, Target, class_attribute, exit_after, is_scope, is_tiny_loop, prior_binding,
    value_kind,
};
use crate::checker::subtree::for_each_node;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};
use crate::rules::loop_findings::first_in_loop;

pub static META: RuleMeta = RuleMeta {
    code: "PF205",
    name: "string-concat-in-loop",
    summary: "`s += piece` on a string in a loop copies the whole string every time, which is quadratic",
    severity: Severity::Warning,
    topic: Topic::DataStructures,
    doc: include_str!("../../rules/string-concat-in-loop.md"),
    fix: FixAvailability::None,
    equivalents: &[Equivalent {
        tool: "pylint",
        code: "R1713",
        name: "consider-using-join",
    }],
};

/// How many nodes of a loop are read looking for a reset of the string.
const MAX_LOOP_NODES: usize = 4_000;

/// How deep the string evidence looks into `a + b + c` chains and conditionals.
const MAX_EXPR_DEPTH: usize = 16;

pub struct StringConcatInLoop;

impl Rule for StringConcatInLoop {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtAugAssign, NodeKind::StmtAssign]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let Some((target, pieces, prepends)) = concatenation(node) else {
            return;
        };
        let Some(repeating) = ctx.enclosing_loop(node) else {
            return;
        };
        let Some(prior) = prior_binding(node, target, ctx) else {
            return;
        };
        let bound = match (prior.value, target) {
            (Some(value), _) => text_kind(value, ctx),
            (None, Target::SelfAttr(_)) => {
                class_attribute(prior.scope, target, ctx).map_or(Kind::Unknown, |attr| {
                    attr.values
                        .iter()
                        .map(|value| text_kind(value, ctx))
                        .fold(Kind::Unknown, Kind::join)
                })
            }
            (None, Target::Name(_)) => Kind::Unknown,
        };
        let kind = match bound {
            Kind::Unknown => pieces
                .iter()
                .map(|piece| text_kind(piece, ctx))
                .find(|kind| matches!(kind, Kind::Str | Kind::Bytes))
                .unwrap_or(Kind::Unknown),
            known => known,
        };
        let noun = match kind {
            Kind::Str => "string",
            Kind::Bytes => "bytes object",
            _ => return,
        };
        // Built afresh in every pass, a few passes only, or reset now and then.
        let mut loops = prior.loops.as_slice();
        match ctx.parent().and_then(|parent| exit_after(parent, node)) {
            Some(Exit::Leave) => return,
            // `s += piece; break` runs once per pass of the loops further out.
            Some(Exit::Break) => loops = loops.get(1..).unwrap_or_default(),
            None => {}
        }
        let Some(&outer) = loops.last() else {
            return;
        };
        if loops.iter().all(|lp| is_tiny_loop(*lp, ctx))
            || is_reset(outer, target)
            || grows_until_free(loops.first().copied(), target, ctx)
        {
            return;
        }

        let shown = target.shown();
        // More additions to the same string in the same loop repeat the finding.
        if !first_in_loop(META.code, repeating, &shown, ctx) {
            return;
        }
        let written = match (node, prepends) {
            (AnyNodeRef::StmtAugAssign(_), _) => format!("{shown} += ..."),
            (_, false) => format!("{shown} = {shown} + ..."),
            (_, true) => format!("{shown} = ... + {shown}"),
        };
        let cost = match (kind, target) {
            (Kind::Bytes, _) => "so the total time grows with the square of its final length",
            (_, Target::SelfAttr(_)) => {
                "so the total time grows with the square of its final length (CPython's in-place shortcut for local strings cannot help an attribute)"
            }
            _ if prepends => "so the total time grows with the square of its final length",
            _ => {
                "so the total time can grow with the square of its final length (CPython sometimes avoids the copy for a local string, an implementation detail other interpreters lack)"
            }
        };
        let parts = format!("{}_parts", target.stem());
        let (empty, buffer) = match kind {
            Kind::Bytes => ("b\"\"", "a `bytearray`"),
            _ => ("\"\"", "an `io.StringIO`"),
        };
        let join = if prepends {
            format!("`{shown} = {empty}.join(reversed({parts}))`")
        } else {
            format!("`{shown} = {empty}.join({parts})`")
        };
        report.add(
            node.range(),
            format!(
                "`{written}` builds a new {noun} on every pass of the loop and copies all of `{shown}` into it, because {noun}s are immutable, {cost}"
            ),
            format!(
                "append the pieces to a list in the loop (`{parts}.append(...)`) and join them once after it: {join}; or write them to {buffer}"
            ),
        );
    }
}

/// `s += piece`, `s = s + piece` or `s = piece + s`: the target, the pieces added,
/// and whether they go in front.
fn concatenation<'a>(node: AnyNodeRef<'a>) -> Option<(Target<'a>, Vec<&'a Expr>, bool)> {
    match node {
        AnyNodeRef::StmtAugAssign(assign) if assign.op == Operator::Add => {
            Some((Target::of(&assign.target)?, vec![&*assign.value], false))
        }
        AnyNodeRef::StmtAssign(assign) => {
            let [single] = assign.targets.as_slice() else {
                return None;
            };
            let target = Target::of(single)?;
            let Expr::BinOp(sum) = &*assign.value else {
                return None;
            };
            let mut operands = Vec::new();
            flatten_sum(sum, &mut operands, 0);
            let first = operands.first().is_some_and(|e| target.is(e));
            let last = operands.last().is_some_and(|e| target.is(e));
            if operands.len() < 2 || !(first || last) || (first && last) {
                return None;
            }
            operands.retain(|e| !target.is(e));
            Some((target, operands, !first))
        }
        _ => None,
    }
}

/// The operands of `a + b + c`, left to right.
fn flatten_sum<'a>(sum: &'a ExprBinOp, out: &mut Vec<&'a Expr>, depth: usize) {
    if sum.op != Operator::Add || depth > MAX_EXPR_DEPTH {
        out.push(&sum.left);
        out.push(&sum.right);
        return;
    }
    match &*sum.left {
        Expr::BinOp(left) if left.op == Operator::Add => flatten_sum(left, out, depth + 1),
        left => out.push(left),
    }
    out.push(&sum.right);
}

/// Whether `expr` is evidently text: `Str` or `Bytes`, `Other` when it is evidently
/// something else, `Unknown` when nothing shows.
fn text_kind(expr: &Expr, ctx: &Context) -> Kind {
    match value_kind(expr, ctx) {
        kind @ (Kind::Str | Kind::Bytes | Kind::Unknown) => kind,
        _ => Kind::Other,
    }
}

/// Whether the loop also assigns the target a value that does not build on it
/// (`line = ""` after flushing a full line), which keeps the string short.
fn is_reset(outer: AnyNodeRef, target: Target) -> bool {
    let mut reset = false;
    let mut budget = MAX_LOOP_NODES;
    for_each_node(outer, |node| {
        budget = budget.saturating_sub(1);
        // A loop too large to read is assumed to reset the string: stay silent.
        reset |= budget == 0;
        let value = match node {
            AnyNodeRef::StmtAssign(assign) if assign.targets.iter().any(|t| target.is(t)) => {
                Some(&*assign.value)
            }
            AnyNodeRef::StmtAnnAssign(assign) if target.is(&assign.target) => {
                assign.value.as_deref()
            }
            AnyNodeRef::StmtDelete(delete) if delete.targets.iter().any(|t| target.is(t)) => {
                reset = true;
                None
            }
            _ => None,
        };
        if let Some(value) = value {
            reset |= !mentions(value, target);
        }
        !reset && !is_scope(node)
    });
    reset
}

/// Whether the innermost loop is a `while` that grows the string until the string
/// itself passes a test: the loop's condition, or the `if` guarding the concatenation,
/// reads it (`while kern in text: kern += choice(letters)`, `if clash(prefix + name):
/// prefix += "_"; continue`), or an `if` in its body that reads it and leaves the loop
/// (`if name not in used: break`). Such a search for an unused name or a fitting width stops
/// after a few passes; its length is not driven by data. A test of its length
/// (`while len(line) < width`) is not such a search: the width may be anything.
fn grows_until_free(innermost: Option<AnyNodeRef>, target: Target, ctx: &Context) -> bool {
    let Some(AnyNodeRef::StmtWhile(stmt)) = innermost else {
        return false;
    };
    if tests_content(&stmt.test, target, ctx) {
        return true;
    }
    // `while True: name += "_"; if name not in used: break`: the exit tests it.
    let exit_tests_it = stmt.body.iter().any(|inner| {
        matches!(inner, Stmt::If(exit) if tests_content(&exit.test, target, ctx)
            && matches!(exit.body.last(), Some(Stmt::Break(_) | Stmt::Return(_))))
    });
    exit_tests_it
        || ctx
            .ancestors()
            .take_while(|node| !node.ptr_eq(AnyNodeRef::from(stmt)))
            .any(|node| matches!(node, AnyNodeRef::StmtIf(guard) if tests_content(&guard.test, target, ctx)))
}

/// Whether `test` reads the string other than through `len(...)`.
fn tests_content(test: &Expr, target: Target, ctx: &Context) -> bool {
    let mut found = false;
    for_each_node(AnyNodeRef::from(test), |node| {
        if let AnyNodeRef::ExprCall(call) = node
            && ctx.is_builtin(&call.func, "len")
        {
            return false;
        }
        found |= target.is_node(node);
        !found
    });
    found
}

fn mentions(expr: &Expr, target: Target) -> bool {
    let mut found = false;
    for_each_node(AnyNodeRef::from(expr), |node| {
        found |= target.is_node(node);
        !found
    });
    found
}
