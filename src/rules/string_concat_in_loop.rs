//! PF205: `s += piece` on a string inside a loop, which copies the whole string each time.
//!
//! Strings (and bytes) are immutable, so `s += piece` builds a new object holding a copy
//! of `s`; repeated over a loop that is quadratic in the final length. The rule needs
//! evidence that the target holds text: it was last bound to a string (in the same
//! function, or in the class's methods for `self.` attributes), or the piece added is
//! evidently one.

use crate::ast::{AnyNodeRef, Expr, ExprBinOp, NodeKind, Operator, Ranged, Stmt};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};
use crate::rules::list_membership_in_loop::{
    Target, blocks, class_attribute, is_scope, is_self, is_tiny_loop, prior_binding,
};

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

/// Builtins that return a string.
const STR_BUILTINS: &[&str] = &["str", "repr", "chr", "format", "ascii", "hex", "oct", "bin"];

/// Methods that return a string (or bytes, on bytes): text either way.
const STR_METHODS: &[&str] = &[
    "format",
    "format_map",
    "decode",
    "upper",
    "lower",
    "strip",
    "lstrip",
    "rstrip",
    "title",
    "capitalize",
    "casefold",
    "swapcase",
    "ljust",
    "rjust",
    "center",
    "zfill",
    "expandtabs",
    "removeprefix",
    "removesuffix",
];

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
        if ctx.enclosing_loop(node).is_none() {
            return;
        }
        let Some(prior) = prior_binding(node, target, ctx) else {
            return;
        };
        let bound = match (prior.value, target) {
            (Some(value), _) => text_kind(value, ctx, 0),
            (None, Target::SelfAttr(_)) => {
                class_attribute(prior.scope, target, ctx).map_or(Kind::Unknown, |attr| {
                    attr.values
                        .iter()
                        .map(|value| text_kind(value, ctx, 0))
                        .fold(Kind::Unknown, Kind::join)
                })
            }
            (None, Target::Name(_)) => Kind::Unknown,
        };
        let kind = match bound {
            Kind::Other => return,
            Kind::Unknown => pieces
                .iter()
                .map(|piece| text_kind(piece, ctx, 0))
                .find(|kind| matches!(kind, Kind::Str | Kind::Bytes))
                .unwrap_or(Kind::Unknown),
            known => known,
        };
        let noun = match kind {
            Kind::Str => "string",
            Kind::Bytes => "bytes object",
            Kind::Other | Kind::Unknown => return,
        };
        // Built afresh in every pass, a few passes only, or reset now and then.
        let mut loops = prior.loops.as_slice();
        match block_exit_after(node, ctx) {
            Exit::Leaves => return,
            // `s += piece; break` runs once per pass of the loops further out.
            Exit::Breaks => loops = loops.get(1..).unwrap_or_default(),
            Exit::Continues => {}
        }
        let Some(&outer) = loops.last() else {
            return;
        };
        if loops.iter().all(|lp| is_tiny_loop(*lp, ctx)) || is_reset(outer, target) {
            return;
        }

        let shown = target.shown();
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    Bytes,
    /// Evidently not text: a number, a list, a call to `list()`...
    Other,
    Unknown,
}

impl Kind {
    /// Combines what two assignments say: text only if both are the same text.
    fn join(self, other: Kind) -> Kind {
        match (self, other) {
            (Kind::Unknown, kind) | (kind, Kind::Unknown) => kind,
            (a, b) if a == b => a,
            _ => Kind::Other,
        }
    }
}

/// What kind of value `expr` evidently is.
fn text_kind(expr: &Expr, ctx: &Context, depth: usize) -> Kind {
    if depth > MAX_EXPR_DEPTH {
        return Kind::Unknown;
    }
    match expr {
        Expr::StringLiteral(_) | Expr::FString(_) => Kind::Str,
        Expr::BytesLiteral(_) => Kind::Bytes,
        Expr::NumberLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::List(_)
        | Expr::ListComp(_)
        | Expr::Tuple(_)
        | Expr::Dict(_)
        | Expr::DictComp(_)
        | Expr::Set(_)
        | Expr::SetComp(_)
        | Expr::TString(_) => Kind::Other,
        Expr::BinOp(binop) => match binop.op {
            // `"%s" % x` formats; `"-" * n` repeats.
            Operator::Mod | Operator::Mult => match text_kind(&binop.left, ctx, depth + 1) {
                Kind::Str => Kind::Str,
                Kind::Bytes => Kind::Bytes,
                _ => Kind::Unknown,
            },
            Operator::Add => {
                match (
                    text_kind(&binop.left, ctx, depth + 1),
                    text_kind(&binop.right, ctx, depth + 1),
                ) {
                    (Kind::Str, _) | (_, Kind::Str) => Kind::Str,
                    (Kind::Bytes, _) | (_, Kind::Bytes) => Kind::Bytes,
                    _ => Kind::Unknown,
                }
            }
            _ => Kind::Unknown,
        },
        Expr::If(choice) => {
            text_kind(&choice.body, ctx, depth + 1).join(text_kind(&choice.orelse, ctx, depth + 1))
        }
        Expr::Call(call) => match &*call.func {
            Expr::Name(name) => {
                let name = name.id.as_str();
                if STR_BUILTINS.contains(&name) && ctx.is_builtin(&call.func, name) {
                    Kind::Str
                } else if name == "bytes" && ctx.is_builtin(&call.func, name) {
                    Kind::Bytes
                } else if ["list", "dict", "set", "tuple", "int", "float", "bytearray"]
                    .contains(&name)
                    && ctx.is_builtin(&call.func, name)
                {
                    Kind::Other
                } else {
                    Kind::Unknown
                }
            }
            Expr::Attribute(method) => match method.attr.as_str() {
                // `"".join(...)`, `b"".join(...)`: whatever the separator is.
                "join" => match text_kind(&method.value, ctx, depth + 1) {
                    Kind::Str => Kind::Str,
                    Kind::Bytes => Kind::Bytes,
                    _ => Kind::Unknown,
                },
                "encode" => Kind::Bytes,
                "decode" => Kind::Str,
                attr if STR_METHODS.contains(&attr) => {
                    match text_kind(&method.value, ctx, depth + 1) {
                        Kind::Bytes => Kind::Bytes,
                        _ => Kind::Str,
                    }
                }
                _ => Kind::Unknown,
            },
            _ => Kind::Unknown,
        },
        _ => Kind::Unknown,
    }
}

enum Exit {
    Continues,
    /// A `break` follows in the same block: the innermost loop ends.
    Breaks,
    /// A `return` or `raise` follows: every loop of the function ends.
    Leaves,
}

/// What unconditionally follows `stmt` in the block that holds it.
fn block_exit_after(stmt: AnyNodeRef, ctx: &Context) -> Exit {
    let Some(parent) = ctx.parent() else {
        return Exit::Continues;
    };
    for block in blocks(parent) {
        let Some(at) = block.iter().position(|s| AnyNodeRef::from(s).ptr_eq(stmt)) else {
            continue;
        };
        for later in block.get(at + 1..).unwrap_or_default() {
            match later {
                Stmt::Break(_) => return Exit::Breaks,
                Stmt::Return(_) | Stmt::Raise(_) => return Exit::Leaves,
                _ => {}
            }
        }
    }
    Exit::Continues
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

fn mentions(expr: &Expr, target: Target) -> bool {
    let mut found = false;
    for_each_node(AnyNodeRef::from(expr), |node| {
        found |= match node {
            AnyNodeRef::ExprName(name) => target == Target::Name(name.id.as_str()),
            AnyNodeRef::ExprAttribute(attr) => {
                is_self(&attr.value) && target == Target::SelfAttr(attr.attr.as_str())
            }
            _ => false,
        };
        !found
    });
    found
}
