//! PF403: an `__init__` that returns a value, is a generator, or is `async`, so that
//! creating the object raises `TypeError: __init__() should return None`.
//!
//! Checked once per `__init__` defined in a class body: its own `return`s and
//! `yield`s (not those of nested functions, lambdas or classes). `return` and
//! `return None` are fine. A returned call that may well give `None` is not certain:
//! `return super().__init__(...)` and calls of this class's methods or module-level
//! functions that never return a value stay silent; any other call is a warning.

use crate::ast::{AnyNodeRef, Expr, NodeKind, Ranged, Stmt, StmtClassDef, StmtFunctionDef};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF403",
    name: "init-returns-value",
    summary: "`__init__` must return `None`; returning a value or yielding makes creating the object raise `TypeError`",
    severity: Severity::Error,
    topic: Topic::Classes,
    doc: include_str!("../../rules/init-returns-value.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "PLE0101",
            name: "return-in-init",
        },
        Equivalent {
            tool: "pylint",
            code: "E0101",
            name: "return-in-init",
        },
    ],
};

pub struct InitReturnsValue;

impl Rule for InitReturnsValue {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::StmtFunctionDef(init) = node else {
            return;
        };
        if init.name.as_str() != "__init__" || ctx.is_stub() {
            return;
        }
        let Some(class) = owning_class(ctx) else {
            return;
        };
        let class_name = class.name.as_str();
        if init.is_async {
            report.add(
                init.name.range(),
                format!(
                    "`async def __init__` returns a coroutine, so `{class_name}(...)` raises `TypeError: __init__() should return None, not 'coroutine'`"
                ),
                format!(
                    "make `__init__` a plain `def`; do the awaiting in an `async` classmethod factory (`instance = await {class_name}.create(...)`) that builds the object and then awaits its setup"
                ),
            );
            return;
        }
        let (returns, first_yield) = own_returns_and_yield(init);
        if let Some(yield_range) = first_yield {
            report.add(
                yield_range,
                format!(
                    "`yield` makes `{class_name}.__init__` a generator function, so `{class_name}(...)` raises `TypeError: __init__() should return None, not 'generator'`"
                ),
                format!(
                    "keep `__init__` for setting attributes; move the loop into another method (for example `__iter__`, so `for item in {class_name}(...)` works)"
                ),
            );
            return;
        }
        for value in returns {
            let certain = match value {
                Expr::NoneLiteral(_) => continue,
                Expr::Call(call) => {
                    if may_return_none(&call.func, class, ctx) {
                        continue;
                    }
                    false
                }
                _ => true,
            };
            let text = ctx.text_of(value);
            let quoted = if text.len() <= 40 && !text.contains('\n') {
                format!("`{text}`")
            } else {
                "a value".to_owned()
            };
            let (message, help) = if certain {
                let error = match type_name(value, class_name) {
                    Some(type_name) => {
                        format!("`TypeError: __init__() should return None, not '{type_name}'`")
                    }
                    None => "`TypeError` unless the value is `None`".to_owned(),
                };
                (
                    format!(
                        "`{class_name}.__init__` returns {quoted}, but `__init__` must return `None`: `{class_name}(...)` raises {error}"
                    ),
                    if matches!(value, Expr::Name(n) if n.id.as_str() == "self") {
                        format!(
                            "drop `return self`: `{class_name}(...)` already evaluates to the new instance"
                        )
                    } else {
                        help_for(class_name)
                    },
                )
            } else {
                (
                    format!(
                        "`{class_name}.__init__` returns {quoted}; unless that call gives `None`, `{class_name}(...)` raises `TypeError: __init__() should return None`"
                    ),
                    format!(
                        "call {quoted} on a line of its own (keeping any result it gives on `self`) and let `__init__` end without a value"
                    ),
                )
            };
            let diagnostic = report.add(value.range(), message, help);
            if !certain {
                diagnostic.severity = Severity::Warning;
            }
        }
    }
}

fn help_for(class_name: &str) -> String {
    format!(
        "store the result on `self` and use a bare `return`; to hand back another object, write a `@classmethod` factory (`{class_name}.create(...)`) or override `__new__`"
    )
}

/// The class whose body defines the function being checked (not a class further out).
fn owning_class<'a>(ctx: &Context<'a>) -> Option<&'a StmtClassDef> {
    ctx.ancestors()
        .find_map(|node| match node {
            AnyNodeRef::StmtClassDef(class) => Some(Some(class)),
            AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::ExprLambda(_) => Some(None),
            _ => None,
        })
        .flatten()
}

/// The values `def` returns itself, and where its first own `yield` is.
fn own_returns_and_yield(def: &StmtFunctionDef) -> (Vec<&Expr>, Option<crate::ast::TextRange>) {
    let mut returns = Vec::new();
    let mut first_yield = None;
    for stmt in &def.body {
        for_each_node(AnyNodeRef::from(stmt), |node| match node {
            AnyNodeRef::StmtReturn(ret) => {
                if let Some(value) = ret.value.as_deref() {
                    returns.push(value);
                }
                true
            }
            AnyNodeRef::ExprYield(_) | AnyNodeRef::ExprYieldFrom(_) => {
                first_yield.get_or_insert(node.range());
                true
            }
            AnyNodeRef::StmtFunctionDef(_)
            | AnyNodeRef::StmtClassDef(_)
            | AnyNodeRef::ExprLambda(_) => false,
            _ => true,
        });
    }
    (returns, first_yield)
}

/// Whether a returned call may well give `None`: another `__init__`
/// (`super().__init__(...)`), or a method of this class or a module-level function
/// that never returns a value.
fn may_return_none(func: &Expr, class: &StmtClassDef, ctx: &Context) -> bool {
    match func {
        Expr::Attribute(attr) if attr.attr.as_str() == "__init__" => true,
        Expr::Attribute(attr) if matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == "self") => {
            class.body.iter().any(|stmt| {
                matches!(stmt, Stmt::FunctionDef(method)
                    if method.name.as_str() == attr.attr.as_str() && never_returns_value(method))
            })
        }
        Expr::Name(_) => ctx.resolve_function(func).is_some_and(never_returns_value),
        _ => false,
    }
}

fn never_returns_value(def: &StmtFunctionDef) -> bool {
    let (returns, first_yield) = own_returns_and_yield(def);
    first_yield.is_none() && returns.iter().all(|v| matches!(v, Expr::NoneLiteral(_)))
}

/// The type named in the `TypeError`, when the returned expression shows it.
fn type_name<'a>(value: &Expr, class_name: &'a str) -> Option<&'a str> {
    Some(match value {
        Expr::Name(name) if name.id.as_str() == "self" => class_name,
        Expr::BooleanLiteral(_) | Expr::Compare(_) => "bool",
        Expr::NumberLiteral(number) => match number.value {
            crate::ast::Number::Int(_) => "int",
            crate::ast::Number::Float(_) => "float",
            crate::ast::Number::Complex { .. } => "complex",
        },
        Expr::StringLiteral(_) | Expr::FString(_) => "str",
        Expr::BytesLiteral(_) => "bytes",
        Expr::List(_) | Expr::ListComp(_) => "list",
        Expr::Dict(_) | Expr::DictComp(_) => "dict",
        Expr::Set(_) | Expr::SetComp(_) => "set",
        Expr::Tuple(_) => "tuple",
        _ => return None,
    })
}
