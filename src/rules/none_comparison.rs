//! PF101: `x == None` / `x != None`, which asks the object instead of checking identity.

use crate::ast::{AnyNodeRef, CmpOp, Expr, ExprCompare, NodeKind, Ranged, TextRange, TextSize};
use crate::checker::Context;
use crate::rule::{
    Applicability, Edit, Equivalent, Fix, FixAvailability, Report, Rule, RuleMeta, Severity, Topic,
};
use crate::rules::eq_overload::{eq_is_overloaded, operand_text, short};

pub static META: RuleMeta = RuleMeta {
    code: "PF101",
    name: "none-comparison",
    summary: "comparing with `None` by `==` or `!=` asks the object's `__eq__` instead of checking identity",
    severity: Severity::Info,
    topic: Topic::LanguageBasics,
    doc: include_str!("../../rules/none-comparison.md"),
    fix: FixAvailability::Sometimes,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "E711",
            name: "none-comparison",
        },
        Equivalent {
            tool: "pycodestyle",
            code: "E711",
            name: "",
        },
        Equivalent {
            tool: "pylint",
            code: "C0121",
            name: "singleton-comparison",
        },
    ],
};

pub struct NoneComparison;

impl Rule for NoneComparison {
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
        let pairs = none_pairs(compare);
        let Some(&(op, operand)) = pairs.first() else {
            return;
        };
        let operands: Vec<&Expr> = pairs.iter().map(|&(_, operand)| operand).collect();
        if eq_is_overloaded(compare, &operands, ctx) {
            return;
        }
        let (dunder, relation, identity) = if op == CmpOp::Eq {
            ("__eq__", "equals", "is None")
        } else {
            ("__ne__", "differs from", "is not None")
        };
        let expr = match short(ctx.text_of(compare), 60) {
            Some(text) => format!("`{text}`"),
            None => "this comparison".to_owned(),
        };
        let asked = match short(&operand_text(operand, ctx), 40) {
            Some(text) => format!("`{text}`"),
            None => "the compared value".to_owned(),
        };
        let help = match replacement(compare, ctx).and_then(|r| short(&r, 80).map(str::to_owned)) {
            Some(fixed) => format!("write `{fixed}`"),
            None if pairs.iter().all(|&(op, _)| op == CmpOp::Eq) => {
                "write `is None` instead of `== None`".to_owned()
            }
            None if pairs.iter().all(|&(op, _)| op == CmpOp::NotEq) => {
                "write `is not None` instead of `!= None`".to_owned()
            }
            None => "write `is None` instead of `== None` and `is not None` instead of `!= None`"
                .to_owned(),
        };
        let diagnostic = report.add(
            compare.range(),
            format!(
                "{expr} asks {asked} whether it {relation} `None` through its `{dunder}`, which a class can override to return anything; `{identity}` checks identity with the singleton, cannot be fooled and is faster"
            ),
            help,
        );
        if let Some(fix) = operator_fix(compare, ctx, Applicability::Safe) {
            diagnostic.set_fix(fix);
        }
    }
}

/// For the simple two-operand form only: replace the `==` / `!=` token by `is` /
/// `is not`; nothing else in the expression changes.
pub(crate) fn operator_fix(
    compare: &ExprCompare,
    ctx: &Context,
    applicability: Applicability,
) -> Option<Fix> {
    let ([op], [right]) = (&*compare.ops, &*compare.comparators) else {
        return None;
    };
    let (token, identity) = match op {
        CmpOp::Eq => ("==", "is"),
        CmpOp::NotEq => ("!=", "is not"),
        _ => return None,
    };
    let gap = TextRange::new(compare.left.end(), right.start());
    // Between the operands there is only the operator, parentheses, whitespace and
    // comments; the first `==`/`!=` outside a comment is the operator.
    let text = ctx.slice(gap);
    let mut at = None;
    let mut in_comment = false;
    for (i, c) in text.char_indices() {
        match c {
            '#' => in_comment = true,
            '\n' | '\r' => in_comment = false,
            _ if !in_comment && text[i..].starts_with(token) => {
                at = Some(i);
                break;
            }
            _ => {}
        }
    }
    let start = gap.start() + TextSize::try_from(at?).ok()?;
    let range = TextRange::at(start, TextSize::of(token));
    // `x==None` needs spaces around a keyword operator.
    let source = ctx.source();
    let before = source[..range.start().to_usize()].chars().next_back();
    let after = source[range.end().to_usize()..].chars().next();
    let pad = |c: Option<char>| {
        if c.is_some_and(char::is_whitespace) {
            ""
        } else {
            " "
        }
    };
    let content = format!("{}{identity}{}", pad(before), pad(after));
    Some(Fix {
        applicability,
        message: format!("use `{identity}`"),
        edits: vec![Edit::replace(range, content)],
    })
}

/// The `== None` / `!= None` links of a (possibly chained) comparison: the operator and
/// the operand compared with `None`.
fn none_pairs(compare: &ExprCompare) -> Vec<(CmpOp, &Expr)> {
    let mut pairs = Vec::new();
    let mut left: &Expr = &compare.left;
    for (&op, right) in compare.ops.iter().zip(compare.comparators.iter()) {
        if matches!(op, CmpOp::Eq | CmpOp::NotEq) {
            if right.is_none_literal_expr() {
                pairs.push((op, left));
            } else if left.is_none_literal_expr() {
                pairs.push((op, right));
            }
        }
        left = right;
    }
    pairs
}

/// The comparison rewritten with identity tests, chained links joined by `and`.
fn replacement(compare: &ExprCompare, ctx: &Context) -> Option<String> {
    let mut parts = Vec::with_capacity(compare.ops.len());
    let mut left: &Expr = &compare.left;
    for (&op, right) in compare.ops.iter().zip(compare.comparators.iter()) {
        let identity = if op == CmpOp::Eq { "is" } else { "is not" };
        let part = if matches!(op, CmpOp::Eq | CmpOp::NotEq) && right.is_none_literal_expr() {
            format!("{} {identity} None", operand_text(left, ctx))
        } else if matches!(op, CmpOp::Eq | CmpOp::NotEq) && left.is_none_literal_expr() {
            format!("{} {identity} None", operand_text(right, ctx))
        } else {
            format!(
                "{} {} {}",
                operand_text(left, ctx),
                op.as_str(),
                operand_text(right, ctx)
            )
        };
        parts.push(part);
        left = right;
    }
    (!parts.is_empty()).then(|| parts.join(" and "))
}
