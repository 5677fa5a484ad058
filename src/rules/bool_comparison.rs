//! PF102: `x == True` / `x != False`, which is redundant for bools and wrong for other
//! truthy or falsy values.

use crate::ast::{AnyNodeRef, CmpOp, Expr, ExprCompare, NodeKind, Ranged, TextRange, UnaryOp};
use crate::checker::Context;
use crate::rule::{
    Applicability, Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic,
};
use crate::rules::eq_overload::{eq_is_overloaded, operand_text, short};
use crate::rules::none_comparison::operator_fix;

pub static META: RuleMeta = RuleMeta {
    code: "PF102",
    name: "bool-comparison",
    summary: "comparing with `True` or `False` by `==` or `!=` is redundant for bools and wrong for other truthy values",
    severity: Severity::Warning,
    topic: Topic::LanguageBasics,
    doc: include_str!("../../rules/bool-comparison.md"),
    fix: FixAvailability::Sometimes,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "E712",
            name: "true-false-comparison",
        },
        Equivalent {
            tool: "pycodestyle",
            code: "E712",
            name: "",
        },
        Equivalent {
            tool: "pylint",
            code: "C0121",
            name: "singleton-comparison",
        },
    ],
};

/// Libraries with booleans of their own that equal Python's but are not the same
/// objects, where `== True` is the deliberate test: SymPy's `S.true` and three-valued
/// assumptions (`x.is_positive == False` means "known to be false", not "falsy"), and
/// z3, whose `x == True` builds a constraint.
const SYMBOLIC_LIBRARIES: &[&str] = &["sympy", "z3"];

pub struct BoolComparison;

/// One `== True` / `!= False` link of a comparison.
#[derive(Clone, Copy)]
struct Link<'a> {
    op: CmpOp,
    /// The literal compared with.
    value: bool,
    /// The other side.
    operand: &'a Expr,
}

impl Link<'_> {
    /// Whether the link holds exactly when the operand is truthy (`x == True`,
    /// `x != False`).
    fn wants_truthy(self) -> bool {
        (self.op == CmpOp::Eq) == self.value
    }
}

impl Rule for BoolComparison {
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
        let links = bool_links(compare);
        let Some(&first) = links.first() else {
            return;
        };
        if SYMBOLIC_LIBRARIES
            .iter()
            .any(|lib| ctx.facts().imports_module(lib))
        {
            return;
        }
        let operands: Vec<&Expr> = links.iter().map(|link| link.operand).collect();
        if eq_is_overloaded(compare, &operands, ctx) || sorts_out_none(compare, first, ctx) {
            return;
        }
        let literal = py_bool(first.value);
        let expr = match short(ctx.text_of(compare), 60) {
            Some(text) => format!("`{text}`"),
            None => format!("this comparison with `{literal}`"),
        };
        let subject = match short(&operand_text(first.operand, ctx), 40) {
            Some(text) => format!("`{text}`"),
            None => "the value".to_owned(),
        };
        let (kind, counterexample) = if first.value {
            (
                "truthy",
                "`1 == True` holds but `2 == True` and `[1] == True` do not",
            )
        } else {
            (
                "falsy",
                "`0 == False` holds but `'' == False` and `[] == False` do not",
            )
        };
        let diagnostic = report.add(
            compare.range(),
            format!(
                "{expr} is redundant if {subject} is a bool and wrong if it is merely {kind}: `==` compares values, so {counterexample}"
            ),
            help(compare, &links, ctx),
        );
        // `x == True` becomes `x is True`: unsafe, since `1 == True` held and
        // `1 is True` does not.
        if let Some(fix) = operator_fix(compare, ctx, Applicability::Unsafe) {
            diagnostic.set_fix(fix);
        }
    }
}

/// Whether the comparison sits in an `and`/`or` that also tests the same operand against
/// `None` (`result is not None and result != False`): the code tells `None`, `False` and
/// other falsy values (an empty list) apart on purpose, which a plain truth test would not.
fn sorts_out_none(compare: &ExprCompare, link: Link, ctx: &Context) -> bool {
    let Some(AnyNodeRef::ExprBoolOp(bool_op)) = ctx.parent() else {
        return false;
    };
    let operand = ctx.text_of(link.operand);
    bool_op.values.iter().any(|value| {
        matches!(value, Expr::Compare(other)
            if !std::ptr::eq(other, compare)
                && ctx.text_of(&*other.left) == operand
                && matches!(other.ops.as_ref(), [CmpOp::Is | CmpOp::IsNot | CmpOp::Eq | CmpOp::NotEq])
                && matches!(other.comparators.as_ref(), [Expr::NoneLiteral(_)]))
    })
}

/// The links of a (possibly chained) comparison that compare with `True` or `False`.
fn bool_links(compare: &ExprCompare) -> Vec<Link<'_>> {
    let mut links = Vec::new();
    let mut left: &Expr = &compare.left;
    for (&op, right) in compare.ops.iter().zip(compare.comparators.iter()) {
        links.extend(as_bool_link(op, left, right));
        left = right;
    }
    links
}

/// `left op right` as a link, when it is `==` or `!=` with a `True`/`False` side.
fn as_bool_link<'a>(op: CmpOp, left: &'a Expr, right: &'a Expr) -> Option<Link<'a>> {
    if !matches!(op, CmpOp::Eq | CmpOp::NotEq) {
        return None;
    }
    let (value, operand) = match (left, right) {
        (_, Expr::BooleanLiteral(literal)) => (literal.value, left),
        (Expr::BooleanLiteral(literal), _) => (literal.value, right),
        _ => return None,
    };
    Some(Link { op, value, operand })
}

/// What to write instead, concretely for this comparison.
fn help(compare: &ExprCompare, links: &[Link], ctx: &Context) -> String {
    let ([link], 1) = (links, compare.ops.len()) else {
        return match chain_replacement(compare, ctx)
            .as_deref()
            .and_then(|r| short(r, 80))
        {
            Some(fixed) => format!("test the values themselves: `{fixed}`"),
            None => "test the values themselves (`x` for `x == True`, `not x` for `x == False`)"
                .to_owned(),
        };
    };
    let literal = py_bool(link.value);
    let identity = format!(
        "{} {} {literal}",
        operand_text(link.operand, ctx),
        if link.op == CmpOp::Eq { "is" } else { "is not" }
    );
    let truth = truth_test(*link, ctx);
    let (Some(identity), Some(truth)) = (short(&identity, 60), short(&truth, 60)) else {
        return if link.wants_truthy() {
            "test the value itself (`if x:`), or use `is` if only the singleton itself should count"
                .to_owned()
        } else {
            "test the value itself (`if not x:`), or use `is` if only the singleton itself should count"
                .to_owned()
        };
    };
    let asserted = matches!(ctx.parent(), Some(AnyNodeRef::StmtAssert(stmt)) if stmt.test.range() == compare.range());
    if asserted && ctx.in_test_code() {
        let kind = if link.value { "truthy" } else { "falsy" };
        return format!(
            "to check for exactly `{literal}`, write `assert {identity}`; `assert {truth}` accepts any {kind} value"
        );
    }
    let truth = if link.wants_truthy() && !in_boolean_context(compare.range(), ctx) {
        format!("bool({})", ctx.text_of(link.operand))
    } else {
        truth.to_owned()
    };
    let others = if link.value {
        "not `1` or another truthy value"
    } else {
        "not `0` or another falsy value"
    };
    format!(
        "write `{truth}`; if only the `{literal}` object itself should count ({others}), write `{identity}`"
    )
}

/// `x` or `not x`: the truth test a link means.
fn truth_test(link: Link, ctx: &Context) -> String {
    // A comparison operand needs no parentheses, even after `not` or inside `and`.
    let text = if matches!(link.operand, Expr::Compare(_)) {
        ctx.text_of(link.operand).to_owned()
    } else {
        operand_text(link.operand, ctx)
    };
    if link.wants_truthy() {
        text
    } else {
        format!("not {text}")
    }
}

/// A chained comparison with its `True`/`False` links turned into truth tests, the links
/// joined by `and`: `a == b == True` becomes `a == b and b`.
fn chain_replacement(compare: &ExprCompare, ctx: &Context) -> Option<String> {
    let mut parts = Vec::with_capacity(compare.ops.len());
    let mut left: &Expr = &compare.left;
    for (&op, right) in compare.ops.iter().zip(compare.comparators.iter()) {
        let part = match as_bool_link(op, left, right) {
            Some(link) => truth_test(link, ctx),
            None => format!(
                "{} {} {}",
                operand_text(left, ctx),
                op.as_str(),
                operand_text(right, ctx)
            ),
        };
        parts.push(part);
        left = right;
    }
    (!parts.is_empty()).then(|| parts.join(" and "))
}

/// Whether only the truth of the comparison's result matters: it is the test of an
/// `if`, `elif`, `while`, `assert`, conditional expression or comprehension filter, or
/// the operand of `not` (possibly through `and`/`or`).
fn in_boolean_context(range: TextRange, ctx: &Context) -> bool {
    let mut child = range;
    for node in ctx.ancestors() {
        let test = match node {
            AnyNodeRef::ExprBoolOp(bool_op) => {
                child = bool_op.range();
                continue;
            }
            AnyNodeRef::ExprUnaryOp(unary) => return unary.op == UnaryOp::Not,
            AnyNodeRef::StmtIf(stmt) => Some(&*stmt.test),
            AnyNodeRef::ElifElseClause(clause) => clause.test.as_ref(),
            AnyNodeRef::StmtWhile(stmt) => Some(&*stmt.test),
            AnyNodeRef::StmtAssert(stmt) => Some(&*stmt.test),
            AnyNodeRef::ExprIf(expr) => Some(&*expr.test),
            AnyNodeRef::Comprehension(comp) => {
                return comp.ifs.iter().any(|cond| cond.range() == child);
            }
            _ => None,
        };
        return test.is_some_and(|test| test.range() == child);
    }
    false
}

fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}
