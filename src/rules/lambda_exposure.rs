//! Evidence for PF304's severity: whether a lambda bound at module or class level is
//! part of what other code meets (an API callable whose `<lambda>` name shows up in
//! tracebacks, `repr`, `help()` and pickles) or an internal piece the module keeps to
//! itself. Only the first is worth a warning.

use crate::ast::{AnyNodeRef, Expr, ExprLambda, ExprName, Stmt};
use crate::checker::Context;
use crate::checker::bindings::block_holding;
use crate::checker::subtree::for_each_node;

/// Lambdas in a row with the same parameters that make a table rather than a stray
/// helper (four comparison dunders, a block of `_eval_is_*` hooks).
const MIN_TABLE: usize = 3;

/// Why a lambda bound to `name` at module or class level is internal, if the code says
/// so; `None` when it is (or may be) a public callable.
pub fn internal_reason(
    name: &str,
    stmt: AnyNodeRef,
    lambda: &ExprLambda,
    in_class: bool,
    ctx: &Context,
) -> Option<&'static str> {
    if is_private(name) {
        return Some("its name is private");
    }
    if ctx.parent().is_some_and(is_import_fallback) {
        return Some("it stands in for an import that failed");
    }
    if in_table(stmt, lambda, ctx) {
        return Some("it is one row of a table of lambdas written alike");
    }
    if in_class {
        return None;
    }
    let Some(AnyNodeRef::ModModule(module)) = ctx.ancestors().last() else {
        return None;
    };
    if let Some(exported) = dunder_all(&module.body) {
        return (!exported.contains(&name)).then_some("the module's `__all__` leaves it out");
    }
    only_called_at_import(name, &module.body)
        .then_some("it is only called while the module is imported")
}

/// `_helper`, but not a dunder such as `__lt__`, which Python itself calls.
fn is_private(name: &str) -> bool {
    name.starts_with('_') && !(name.starts_with("__") && name.ends_with("__"))
}

/// An `except ImportError:` (or `ModuleNotFoundError`) handler: the lambda replaces
/// something optional that could not be imported.
fn is_import_fallback(parent: AnyNodeRef) -> bool {
    let AnyNodeRef::ExceptHandlerExceptHandler(handler) = parent else {
        return false;
    };
    let is_import_error = |e: &Expr| matches!(e, Expr::Name(n) if matches!(n.id.as_str(), "ImportError" | "ModuleNotFoundError"));
    match handler.type_.as_deref() {
        Some(Expr::Tuple(tuple)) => tuple.elts.iter().any(is_import_error),
        Some(other) => is_import_error(other),
        None => false,
    }
}

/// Whether `stmt` belongs to a run of at least [`MIN_TABLE`] adjacent lambda
/// assignments whose parameters are written the same way.
fn in_table(stmt: AnyNodeRef, lambda: &ExprLambda, ctx: &Context) -> bool {
    let Some(block) = ctx.parent().and_then(|parent| block_holding(parent, stmt)) else {
        return false;
    };
    let Some(at) = block.iter().position(|s| AnyNodeRef::from(s).ptr_eq(stmt)) else {
        return false;
    };
    let signature = |lambda: &ExprLambda| lambda.parameters.as_deref().map(|p| ctx.text_of(p));
    let mine = signature(lambda);
    let alike = |s: &Stmt| named_lambda(s).is_some_and(|other| signature(other) == mine);
    let before = block[..at].iter().rev().take_while(|s| alike(s)).count();
    let after = block[at + 1..].iter().take_while(|s| alike(s)).count();
    before + 1 + after >= MIN_TABLE
}

/// The lambda of `name = lambda ...`.
fn named_lambda(stmt: &Stmt) -> Option<&ExprLambda> {
    match stmt {
        Stmt::Assign(assign) if matches!(assign.targets.as_slice(), [Expr::Name(_)]) => {
            assign.value.as_lambda_expr()
        }
        _ => None,
    }
}

/// The names of a module-level `__all__ = [...]` or `(...)` of string literals.
fn dunder_all(body: &[Stmt]) -> Option<Vec<&str>> {
    body.iter().find_map(|stmt| {
        let Stmt::Assign(assign) = stmt else {
            return None;
        };
        let [Expr::Name(target)] = assign.targets.as_slice() else {
            return None;
        };
        if target.id.as_str() != "__all__" {
            return None;
        }
        let elts = match &*assign.value {
            Expr::List(list) => &list.elts,
            Expr::Tuple(tuple) => &tuple.elts,
            _ => return None,
        };
        elts.iter()
            .map(|e| e.as_string_literal_expr().map(|s| s.value.to_str()))
            .collect()
    })
}

/// Whether every read of `name` in the module is a direct call made by module-level
/// code (a helper that builds tables at import time), and there is at least one. A
/// read inside a function or lambda, or one that passes the lambda on, lets it reach
/// code that runs later.
fn only_called_at_import(name: &str, body: &[Stmt]) -> bool {
    let reads_it = |n: &ExprName| n.id.as_str() == name && n.ctx.is_load();
    let (mut reads, mut import_calls) = (0usize, 0usize);
    for stmt in body {
        for_each_node(stmt.into(), |node| {
            if let AnyNodeRef::ExprName(n) = node {
                reads += usize::from(reads_it(n));
            }
            true
        });
        for_each_node(stmt.into(), |node| {
            if let AnyNodeRef::ExprCall(call) = node {
                import_calls += usize::from(call.func.as_name_expr().is_some_and(reads_it));
            }
            !matches!(
                node,
                AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::ExprLambda(_)
            )
        });
    }
    import_calls > 0 && reads == import_calls
}
