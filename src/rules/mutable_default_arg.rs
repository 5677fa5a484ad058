//! PF301: a mutable object as a parameter default, shared by every call.

use crate::ast::{AnyNodeRef, Expr, NodeKind, Parameters, Ranged};
use crate::checker::Context;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF301",
    name: "mutable-default-arg",
    summary: "a mutable default value is created once and shared by every call",
    severity: Severity::Warning,
    topic: Topic::Functions,
    doc: include_str!("../../rules/mutable-default-arg.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "B006",
            name: "mutable-argument-default",
        },
        Equivalent {
            tool: "flake8-bugbear",
            code: "B006",
            name: "",
        },
        Equivalent {
            tool: "pylint",
            code: "W0102",
            name: "dangerous-default-value",
        },
    ],
};

/// Calls that build a new mutable container, by qualified name.
const MUTABLE_FACTORIES: &[&str] = &[
    "list",
    "dict",
    "set",
    "bytearray",
    "collections.deque",
    "collections.defaultdict",
    "collections.OrderedDict",
    "collections.Counter",
    "collections.ChainMap",
    "collections.UserDict",
    "collections.UserList",
];

pub struct MutableDefaultArg;

impl Rule for MutableDefaultArg {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef, NodeKind::ExprLambda]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        // Stubs only declare signatures; their defaults are never evaluated.
        if ctx.is_stub() {
            return;
        }
        let parameters: &Parameters = match node {
            AnyNodeRef::StmtFunctionDef(def) => &def.parameters,
            AnyNodeRef::ExprLambda(lambda) => match &lambda.parameters {
                Some(parameters) => parameters,
                None => return,
            },
            _ => return,
        };
        let with_defaults = parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .chain(&parameters.kwonlyargs);
        for param in with_defaults {
            let Some(default) = param.default.as_deref() else {
                continue;
            };
            let Some(kind) = mutable_kind(default, ctx) else {
                continue;
            };
            let name = param.parameter.name.as_str();
            report.add(
                default.range(),
                format!(
                    "the default {kind} of `{name}` is created once, when the function is defined, and every call that omits `{name}` shares it"
                ),
                format!(
                    "default `{name}` to `None` and build the {kind} inside the function: `if {name} is None: {name} = {}`",
                    fresh_value(default, ctx)
                ),
            );
        }
    }
}

/// What kind of mutable object `expr` creates, if it creates one.
fn mutable_kind(expr: &Expr, ctx: &Context) -> Option<&'static str> {
    match expr {
        Expr::List(_) | Expr::ListComp(_) => Some("list"),
        Expr::Dict(_) | Expr::DictComp(_) => Some("dict"),
        Expr::Set(_) | Expr::SetComp(_) => Some("set"),
        Expr::Call(call) => {
            let name = ctx.qualified_name(&call.func)?;
            let found = MUTABLE_FACTORIES.iter().find(|&&f| f == name)?;
            Some(match *found {
                "list" | "collections.UserList" => "list",
                "dict" | "collections.UserDict" => "dict",
                "set" => "set",
                "bytearray" => "bytearray",
                "collections.deque" => "deque",
                "collections.defaultdict" => "defaultdict",
                "collections.OrderedDict" => "OrderedDict",
                "collections.Counter" => "Counter",
                _ => "ChainMap",
            })
        }
        _ => None,
    }
}

/// The default as written, when short enough to quote in the help; else a placeholder.
fn fresh_value<'a>(default: &Expr, ctx: &Context<'a>) -> &'a str {
    let text = ctx.text_of(default);
    if text.len() <= 40 && !text.contains('\n') {
        text
    } else {
        "..."
    }
}
