//! PF304: a `lambda` bound to a name with `=`, where a `def` would give the function
//! that name.
//!
//! Only a plain name target is reported (`f = lambda ...`, `f: T = lambda ...`); an
//! attribute or item target, tuple unpacking, a lambda passed as an argument or put in
//! a container, and a conditional expression stay silent, as does an annotated lambda
//! in a class body (a dataclass, attrs or Pydantic field, not a method) and the
//! `_ = lambda s: s` gettext placeholder.

use crate::ast::{AnyNodeRef, Expr, ExprLambda, NodeKind, Ranged};
use crate::checker::Context;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF304",
    name: "lambda-assignment",
    summary: "a lambda assigned to a name is a function called `<lambda>`; use `def`",
    severity: Severity::Warning,
    topic: Topic::Functions,
    doc: include_str!("../../rules/lambda-assignment.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "E731",
            name: "lambda-assignment",
        },
        Equivalent {
            tool: "pycodestyle",
            code: "E731",
            name: "",
        },
        Equivalent {
            tool: "pylint",
            code: "C3001",
            name: "unnecessary-lambda-assignment",
        },
    ],
};

/// The longest `def` rewrite quoted in the help.
const MAX_REWRITE: usize = 88;

pub struct LambdaAssignment;

impl Rule for LambdaAssignment {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtAssign, NodeKind::StmtAnnAssign]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let (target, value, annotated) = match node {
            AnyNodeRef::StmtAssign(assign) => match assign.targets.as_slice() {
                [target] => (target, &*assign.value, false),
                _ => return,
            },
            AnyNodeRef::StmtAnnAssign(assign) => match assign.value.as_deref() {
                Some(value) => (&*assign.target, value, true),
                None => return,
            },
            _ => return,
        };
        let (Expr::Lambda(lambda), Expr::Name(target)) = (value, target) else {
            return;
        };
        let name = target.id.as_str();
        if ctx.is_stub() || (name == "_" && is_identity(lambda)) {
            return;
        }
        let in_class = matches!(
            ctx.ancestors().find(|node| matches!(
                node,
                AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_)
            )),
            Some(AnyNodeRef::StmtClassDef(_))
        );
        // In a class body an annotation makes a field (dataclass, attrs, Pydantic,
        // NamedTuple) whose default is the lambda; a `def` would silently remove it.
        if in_class && annotated {
            return;
        }
        report.add(
            node.range(),
            format!(
                "`{name}` is a lambda bound to a name: its `__name__` is `<lambda>`, so tracebacks, profilers and `repr` never show `{name}`"
            ),
            help(name, lambda, in_class, annotated, ctx),
        );
    }
}

/// `lambda s: s`: assigned to `_`, the conventional stand-in for gettext's translation
/// function, which marks strings for extraction without translating them.
fn is_identity(lambda: &ExprLambda) -> bool {
    let Some(parameters) = lambda.parameters.as_deref() else {
        return false;
    };
    let [only] = parameters.args.as_slice() else {
        return false;
    };
    matches!(&*lambda.body, Expr::Name(body) if body.id == only.parameter.name.as_str())
}

/// The `def` to write instead, quoted in full when it fits on one line.
fn help(name: &str, lambda: &ExprLambda, in_class: bool, annotated: bool, ctx: &Context) -> String {
    let params = lambda.parameters.as_deref().map_or("", |p| ctx.text_of(p));
    let takes_positional = lambda
        .parameters
        .as_deref()
        .is_some_and(|p| !p.posonlyargs.is_empty() || !p.args.is_empty() || p.vararg.is_some());
    let body = ctx.text_of(&*lambda.body);
    // `return yield` and `return x := 1` are syntax errors; the lambda had parentheses.
    let rewrite = if matches!(
        *lambda.body,
        Expr::Yield(_) | Expr::YieldFrom(_) | Expr::Named(_)
    ) {
        format!("def {name}({params}): return ({body})")
    } else {
        format!("def {name}({params}): return {body}")
    };
    let mut help = if rewrite.len() <= MAX_REWRITE && !rewrite.contains('\n') {
        format!("define it with `def`: `{rewrite}`")
    } else {
        format!(
            "define it with `def {name}(...):` and `return` the lambda's expression from its body"
        )
    };
    if in_class && !takes_positional {
        help.push_str(
            ", marked `@staticmethod`: without parameters it can only be called through the class",
        );
    } else if annotated {
        help.push_str(", moving the types from the annotation onto its parameters and return");
    }
    help
}
