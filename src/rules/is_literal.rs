//! PF103: `x is 1000`, `s is "abc"`, `x is []`: identity with a literal, which depends
//! on CPython's caching or can never hold.

use crate::ast::{AnyNodeRef, CmpOp, Expr, ExprCompare, NodeKind, Number, Ranged, UnaryOp};
use crate::checker::Context;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};
use crate::rules::eq_overload::{operand_text, short};

pub static META: RuleMeta = RuleMeta {
    code: "PF103",
    name: "is-literal",
    summary: "`is` with a number, string or container literal tests object identity, which CPython's caching decides",
    severity: Severity::Error,
    topic: Topic::LanguageBasics,
    doc: include_str!("../../rules/is-literal.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "F632",
            name: "is-literal",
        },
        Equivalent {
            tool: "pyflakes",
            code: "F632",
            name: "",
        },
        Equivalent {
            tool: "pylint",
            code: "R0123",
            name: "literal-comparison",
        },
    ],
};

pub struct IsLiteral;

/// What sort of literal an operand is, which decides why `is` with it bites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Literal {
    Int,
    Float,
    Str,
    Bytes,
    FString,
    /// A tuple of constants, which the compiler folds into one constant.
    Tuple,
    /// A list, dict or set display, or a tuple of non-constants: a new object every time.
    Fresh(&'static str),
}

impl Rule for IsLiteral {
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
        if !compare
            .ops
            .iter()
            .any(|op| matches!(op, CmpOp::Is | CmpOp::IsNot))
        {
            return;
        }
        let Some((op, literal)) = first_literal_link(compare) else {
            return;
        };
        let expr = match short(ctx.text_of(compare), 60) {
            Some(text) => format!("`{text}`"),
            None => "this comparison".to_owned(),
        };
        let outcome = if op == CmpOp::Is { "False" } else { "True" };
        let why = match literal {
            Literal::Int => "whether equal ints are one object is a CPython detail (only -5 to 256 are cached), so the result can change with the value, the Python version or how the int was computed".to_owned(),
            Literal::Float => "equal floats are usually separate objects, so the result depends on how each was computed".to_owned(),
            Literal::Str | Literal::Bytes | Literal::FString => format!(
                "whether equal {} are one object depends on interning and on how they were built, CPython details that change between versions",
                if literal == Literal::Bytes { "bytes" } else { "strings" }
            ),
            Literal::Tuple => "whether an equal tuple is the very same constant object depends on how the compiler shares constants".to_owned(),
            Literal::Fresh(kind) => format!(
                "a {kind} display builds a new {kind} each time it runs, so this is always `{outcome}`"
            ),
        };
        let warning = if matches!(
            literal,
            Literal::Int | Literal::Float | Literal::Str | Literal::Bytes | Literal::Tuple
        ) {
            "; CPython warns about it at compile time"
        } else {
            ""
        };
        let help = match replacement(compare, ctx)
            .as_deref()
            .and_then(|r| short(r, 80))
        {
            Some(fixed) => format!("compare values: write `{fixed}`"),
            None => "compare values with `==` and `!=` instead of `is` and `is not`".to_owned(),
        };
        report.add(
            compare.range(),
            format!("{expr} tests identity, not equality: {why}{warning}"),
            help,
        );
        report.attach_to_last(equality_suggestion(compare, ctx));
    }
}

/// The first `is` / `is not` link with a literal on either side.
fn first_literal_link(compare: &ExprCompare) -> Option<(CmpOp, Literal)> {
    let mut left: &Expr = &compare.left;
    for (&op, right) in compare.ops.iter().zip(compare.comparators.iter()) {
        if matches!(op, CmpOp::Is | CmpOp::IsNot) {
            if let Some(literal) = literal_kind(right) {
                return Some((op, literal));
            }
            if let Some(literal) = literal_kind(left) {
                return Some((op, literal));
            }
        }
        left = right;
    }
    None
}

/// What kind of literal `expr` is; `None` for anything else, including the singletons
/// `None`, `True`, `False` and `...`, for which `is` is right.
fn literal_kind(expr: &Expr) -> Option<Literal> {
    match expr {
        Expr::NumberLiteral(number) => Some(match number.value {
            Number::Int(_) => Literal::Int,
            Number::Float(_) | Number::Complex { .. } => Literal::Float,
        }),
        // `x is -1`: folded into a constant by the compiler.
        Expr::UnaryOp(unary)
            if matches!(unary.op, UnaryOp::USub | UnaryOp::UAdd | UnaryOp::Invert) =>
        {
            match literal_kind(&unary.operand)? {
                number @ (Literal::Int | Literal::Float) => Some(number),
                _ => None,
            }
        }
        Expr::StringLiteral(_) => Some(Literal::Str),
        Expr::BytesLiteral(_) => Some(Literal::Bytes),
        Expr::FString(_) => Some(Literal::FString),
        // A tuple of constants is folded into one constant; any other tuple is built anew.
        Expr::Tuple(_) if is_constant(expr, 0) => Some(Literal::Tuple),
        Expr::Tuple(_) => Some(Literal::Fresh("tuple")),
        Expr::List(_) => Some(Literal::Fresh("list")),
        Expr::Dict(_) => Some(Literal::Fresh("dict")),
        Expr::Set(_) => Some(Literal::Fresh("set")),
        _ => None,
    }
}

/// Whether `expr` is a constant the compiler folds (CPython warns about `is` with one).
fn is_constant(expr: &Expr, depth: usize) -> bool {
    if depth > 16 {
        return false;
    }
    match expr {
        Expr::Tuple(tuple) => tuple.elts.iter().all(|elt| is_constant(elt, depth + 1)),
        Expr::NoneLiteral(_) | Expr::BooleanLiteral(_) | Expr::EllipsisLiteral(_) => true,
        _ => matches!(
            literal_kind(expr),
            Some(Literal::Int | Literal::Float | Literal::Str | Literal::Bytes)
        ),
    }
}

/// The comparison with `==` / `!=` in the links that test a literal.
fn replacement(compare: &ExprCompare, ctx: &Context) -> Option<String> {
    let mut text = operand_text(&compare.left, ctx);
    let mut left: &Expr = &compare.left;
    for (&op, right) in compare.ops.iter().zip(compare.comparators.iter()) {
        let literal = literal_kind(left).is_some() || literal_kind(right).is_some();
        let op = match op {
            CmpOp::Is if literal => "==",
            CmpOp::IsNot if literal => "!=",
            other => other.as_str(),
        };
        text = format!("{text} {op} {}", operand_text(right, ctx));
        left = right;
    }
    Some(text)
}

/// The comparison rewritten with `==`/`!=`, for teach mode. Display-only: an object
/// whose `__eq__` is unusual (NumPy arrays, sentinels) may compare differently.
fn equality_suggestion(compare: &ExprCompare, ctx: &Context) -> Option<crate::rule::Fix> {
    let text = replacement(compare, ctx).filter(|text| !text.contains(['\n', '\r']))?;
    Some(crate::rule::Fix::display_only(
        "compare values with `==` / `!=`",
        vec![crate::rule::Edit::replace(compare.range(), text)],
    ))
}
