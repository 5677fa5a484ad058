//! PF204: `x in some_list` inside a loop, where the list was built before the loop and
//! never changes in it, so every pass scans the whole list.

use crate::ast::{AnyNodeRef, BoolOp, CmpOp, Expr, ExprBoolOp, ExprContext, NodeKind, Ranged};
use crate::checker::Context;
use crate::checker::bindings::{
    LIST_MUTATORS, MAX_VISITS, Target, class_attribute, is_self, is_tiny_loop, prior_binding,
    reads_only,
};
use crate::checker::subtree::for_each_node;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};
use crate::rules::loop_findings::first_in_loop;

pub static META: RuleMeta = RuleMeta {
    code: "PF204",
    name: "list-membership-in-loop",
    summary: "`x in some_list` inside a loop scans the whole list on every pass; a set built once answers in constant time",
    severity: Severity::Warning,
    topic: Topic::DataStructures,
    doc: include_str!("../../rules/list-membership-in-loop.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "PLR6201",
            name: "literal-membership",
        },
        Equivalent {
            tool: "pylint",
            code: "R6201",
            name: "use-set-for-membership",
        },
    ],
};

/// A list display with at most this many elements is cheap to scan.
const TINY_LIST: usize = 4;

/// A list whose length was just checked to be at most this is cheap to scan.
const SHORT_CHECKED: usize = 8;

pub struct ListMembershipInLoop;

impl Rule for ListMembershipInLoop {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::ExprCompare]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::ExprCompare(compare) = node else {
            return;
        };
        for (index, (op, right)) in compare.ops.iter().zip(&compare.comparators).enumerate() {
            if !matches!(op, CmpOp::In | CmpOp::NotIn) {
                continue;
            }
            let Some(target) = Target::of(right) else {
                continue;
            };
            let left = match index.checked_sub(1) {
                Some(previous) => compare.comparators.get(previous),
                None => Some(&*compare.left),
            };
            if left.is_none_or(is_unhashable) {
                continue;
            }
            let Some(repeating) = ctx.enclosing_loop(node) else {
                continue;
            };
            let Some(size) = list_size(node, target, ctx) else {
                continue;
            };
            if length_checked_small(node, target, ctx) {
                continue;
            }
            let shown = target.shown();
            // Size::Small is never reported, so it must not claim the loop's finding.
            if matches!(size, Size::Small) {
                continue;
            }
            // More tests against the same list in the same loop repeat the finding: one
            // set built before the loop serves them all.
            if !first_in_loop(META.code, repeating, &shown, ctx) {
                continue;
            }
            let negation = if *op == CmpOp::NotIn { "not in" } else { "in" };
            let needle = left.map(|l| ctx.text_of(l)).filter(|text| is_short(text));
            let (test, value) = match needle {
                Some(needle) => (
                    format!("`{needle} {negation} {shown}`"),
                    format!("`{needle}`"),
                ),
                None => (
                    format!("this `{negation} {shown}` test"),
                    "the value".to_owned(),
                ),
            };
            let (message, help) = match size {
                Size::Small => continue,
                Size::Literal(count) => (
                    format!(
                        "{test} compares {value} with up to {count} elements of the list `{shown}` one by one, on every pass of the loop; a set finds it with one hash lookup"
                    ),
                    format!(
                        "write `{shown}` as a set literal, `{{...}}` instead of `[...]` (or a `frozenset`), if nothing needs its order"
                    ),
                ),
                Size::Unbounded => {
                    let set_name = format!("{}_set", target.stem());
                    (
                        format!(
                            "{test} compares {value} with the elements of the list `{shown}` one by one, on every pass of the loop, so the loop does work proportional to its own length times the length of `{shown}`"
                        ),
                        format!(
                            "build a set once before the loop, `{set_name} = set({shown})`, and test against `{set_name}` (the elements must be hashable); or build `{shown}` as a set in the first place if its order and duplicates do not matter"
                        ),
                    )
                }
            };
            let finding = report.add(right.range(), message, help);
            // A display nothing adds to costs the same few comparisons on every pass:
            // the loop stays linear in its own length, so this is only a speed-up.
            if matches!(size, Size::Literal(_)) {
                finding.severity = Severity::Info;
            }
        }
    }
}

/// How long a list can be.
enum Size {
    /// A display of a few elements, cheap to scan.
    Small,
    /// A display of this many elements, never added to.
    Literal(usize),
    /// Built from data, or added to.
    Unbounded,
}

/// Whether `target`, read at `node`, is a list built before the loop and left alone by
/// it, and how long it can be; `None` when it is not evidently such a list.
fn list_size<'a>(node: AnyNodeRef<'a>, target: Target<'a>, ctx: &Context<'a>) -> Option<Size> {
    let prior = prior_binding(node, target, ctx)?;
    // A module-level list: any function of the module may change it.
    let mut global = matches!(prior.scope, AnyNodeRef::ModModule(_));
    let (values, grown) = match (prior.value, target, prior.scope) {
        (Some(value), _, _) => (vec![value], prior.grown),
        // A module-level list read inside a function.
        (None, Target::Name(name), AnyNodeRef::StmtFunctionDef(_)) => {
            if ctx.is_local_binding(name, node.start()) {
                return None;
            }
            let Some(AnyNodeRef::ModModule(module)) = ctx.ancestors().last() else {
                return None;
            };
            let found = ctx.module_binding(module, name)?;
            global = true;
            (vec![found.value?], found.grown)
        }
        (None, Target::SelfAttr(_), AnyNodeRef::StmtFunctionDef(_)) => {
            let attr = class_attribute(prior.scope, target, ctx)?;
            (attr.values.clone(), attr.grown)
        }
        _ => return None,
    };
    // No loop between the binding and the test: the list is rebuilt on every pass.
    let outer = *prior.loops.last()?;
    if prior.loops.iter().all(|lp| is_tiny_loop(*lp, ctx)) || changed_in(outer, target, global, ctx)
    {
        return None;
    }
    let mut literal = Some(0);
    for value in &values {
        match value {
            Expr::List(list) => {
                if list.elts.iter().any(is_unhashable) {
                    return None;
                }
                if list.elts.iter().any(Expr::is_starred_expr) {
                    literal = None;
                }
                literal = literal.map(|n: usize| n.max(list.elts.len()));
            }
            Expr::ListComp(comp) if !is_unhashable(&comp.elt) => literal = None,
            Expr::Call(call)
                if ctx.is_builtin(&call.func, "list") || ctx.is_builtin(&call.func, "sorted") =>
            {
                if !call.arguments.is_empty() {
                    literal = None;
                }
            }
            _ => return None,
        }
    }
    Some(match literal {
        _ if grown => Size::Unbounded,
        Some(count) if count <= TINY_LIST => Size::Small,
        Some(count) => Size::Literal(count),
        None => Size::Unbounded,
    })
}

/// Whether the loop `outer` may change the list: rebinding it, calling a mutating method,
/// assigning or deleting an item, or handing it to code that could do either.
fn changed_in<'a>(
    outer: AnyNodeRef<'a>,
    target: Target<'a>,
    global: bool,
    ctx: &Context<'a>,
) -> bool {
    let mut changed = false;
    let mut budget = MAX_VISITS;
    for_each_node(outer, |node| {
        budget = budget.saturating_sub(1);
        changed |= budget == 0
            || match node {
                AnyNodeRef::ExprName(_) => target.is_stored_by(node),
                AnyNodeRef::ExprAttribute(attr) => {
                    (target.is(&attr.value) && LIST_MUTATORS.contains(&attr.attr.as_str()))
                        || target.is_stored_by(node)
                }
                AnyNodeRef::ExprSubscript(sub) => {
                    target.is(&sub.value) && sub.ctx != ExprContext::Load
                }
                AnyNodeRef::ExprCall(call) => passes_on(call, target, global, ctx),
                AnyNodeRef::StmtAssign(assign) => target.is(&assign.value),
                AnyNodeRef::StmtAnnAssign(assign) => {
                    assign.value.as_deref().is_some_and(|v| target.is(v))
                }
                AnyNodeRef::ExprNamed(named) => target.is(&named.value),
                AnyNodeRef::ExprYield(yielded) => yielded.value.as_deref().is_some_and(|v| {
                    target.is(v) || matches!(target, Target::SelfAttr(_)) && is_self(v)
                }),
                AnyNodeRef::ExprList(list) => list.elts.iter().any(|e| target.is(e)),
                AnyNodeRef::ExprTuple(tuple) => tuple.elts.iter().any(|e| target.is(e)),
                AnyNodeRef::ExprSet(set) => set.elts.iter().any(|e| target.is(e)),
                AnyNodeRef::ExprDict(dict) => dict.iter_values().any(|e| target.is(e)),
                _ => false,
            };
        !changed
    });
    changed
}

/// Whether `call` could change the list: it receives the list (or, for `self.`
/// attributes, `self`) and is not known to only read it; or it is a method of `self`,
/// or (for a module-level list) a function of the module, which may reach it directly.
fn passes_on(call: &crate::ast::ExprCall, target: Target, global: bool, ctx: &Context) -> bool {
    let is_self_attr = matches!(target, Target::SelfAttr(_));
    let reaches = match &*call.func {
        Expr::Attribute(method) => is_self_attr && is_self(&method.value),
        Expr::Name(func) => {
            let func = func.id.as_str();
            global && ctx.facts().binds(func) && ctx.facts().import_of(func).is_none()
        }
        _ => false,
    };
    if reaches {
        return true;
    }
    let receives = call
        .arguments
        .args
        .iter()
        .chain(call.arguments.keywords.iter().map(|kw| &kw.value))
        .any(|arg| target.is(arg) || (is_self_attr && is_self(arg)));
    receives && !reads_only(call, ctx)
}

/// Whether the code leading to `node` has just required the list to be short:
/// `len(xs) == 3 and all(x in xs for ...)`, or the test is inside `if len(xs) <= 4:`.
fn length_checked_small<'a>(node: AnyNodeRef<'a>, target: Target<'a>, ctx: &Context<'a>) -> bool {
    let earlier_operand_caps = |bool_op: &ExprBoolOp| {
        bool_op.op == BoolOp::And
            && bool_op
                .values
                .iter()
                .filter(|value| value.end() <= node.start())
                .any(|value| caps_length(value, target, ctx))
    };
    let guards = |test: &Expr| match test {
        Expr::BoolOp(bool_op) => earlier_operand_caps(bool_op),
        test => caps_length(test, target, ctx),
    };
    for ancestor in ctx.ancestors() {
        let held = match ancestor {
            AnyNodeRef::ExprBoolOp(bool_op) => earlier_operand_caps(bool_op),
            AnyNodeRef::StmtIf(stmt) => {
                stmt.body
                    .first()
                    .is_some_and(|first| first.start() <= node.start())
                    && guards(&stmt.test)
            }
            AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_) => return false,
            _ => false,
        };
        if held {
            return true;
        }
    }
    false
}

/// `len(xs) == N`, `len(xs) < N` or `len(xs) <= N`, with a literal `N` small enough that
/// scanning the list costs nothing.
fn caps_length(test: &Expr, target: Target, ctx: &Context) -> bool {
    let Expr::Compare(compare) = test else {
        return false;
    };
    let ([op], [Expr::NumberLiteral(bound)]) = (compare.ops.as_ref(), compare.comparators.as_ref())
    else {
        return false;
    };
    let small = bound
        .value
        .as_int()
        .and_then(|i| i.as_i64())
        .is_some_and(|n| n <= SHORT_CHECKED as i64);
    let Expr::Call(call) = &*compare.left else {
        return false;
    };
    small
        && matches!(op, CmpOp::Eq | CmpOp::Lt | CmpOp::LtE)
        && ctx.is_builtin(&call.func, "len")
        && matches!(call.arguments.args.as_ref(), [arg] if target.is(arg))
}

/// A list, dict or set display or comprehension: cannot go into a set.
fn is_unhashable(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::List(_)
            | Expr::ListComp(_)
            | Expr::Dict(_)
            | Expr::DictComp(_)
            | Expr::Set(_)
            | Expr::SetComp(_)
    )
}

fn is_short(text: &str) -> bool {
    text.len() <= 30 && !text.contains('\n')
}
