//! Whether an `except` handler is the last word of a function a worker thread runs.
//! Python delivers Ctrl-C (`KeyboardInterrupt`) to the main thread only, and a
//! `SystemExit` raised in another thread ends just that thread; so a broad handler
//! after which the thread ends anyway takes nothing from either (PF701's evidence).

use crate::ast::{AnyNodeRef, ExceptHandlerExceptHandler, Expr, Stmt, StmtFunctionDef};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rules::bare_except::is_logging_call;

/// Whether the handler logs what it caught, belongs to a `try` in a thread's function
/// (see [`runs_in_thread`]), and the thread ends when the handler does: its last
/// statement is `return`, or the `try` is the last statement of the function's body.
pub fn logs_and_ends_thread(handler: &ExceptHandlerExceptHandler, ctx: &Context) -> bool {
    let logs = handler.body.iter().any(|stmt| {
        matches!(stmt, Stmt::Expr(expr)
            if matches!(&*expr.value, Expr::Call(call) if is_logging_call(&call.func)))
    });
    if !logs {
        return false;
    }
    let (Some(AnyNodeRef::StmtTry(stmt)), Some(def)) = (ctx.parent(), ctx.enclosing_function())
    else {
        return false;
    };
    let try_is_last = def
        .body
        .last()
        .is_some_and(|last| AnyNodeRef::from(last).ptr_eq(AnyNodeRef::from(stmt)));
    // A `return` ends the thread however deep the `try` sits.
    let returns = matches!(handler.body.last(), Some(Stmt::Return(_)));
    (try_is_last || returns) && runs_in_thread(def, ctx)
}

/// A function passed as `target=` to `Thread(...)` in this module (by name, or as
/// `self.name` for a method), or the `run` method of a class deriving from `Thread`.
fn runs_in_thread(def: &StmtFunctionDef, ctx: &Context) -> bool {
    let name = def.name.as_str();
    if name == "run"
        && ctx.enclosing_class().is_some_and(|class| {
            class
                .bases()
                .iter()
                .any(|base| last_segment(base) == Some("Thread"))
        })
    {
        return true;
    }
    let Some(module) = ctx.ancestors().last() else {
        return false;
    };
    let mut found = false;
    for_each_node(module, |node| {
        if let AnyNodeRef::ExprCall(call) = node
            && last_segment(&call.func) == Some("Thread")
        {
            found |= call
                .arguments
                .find_keyword("target")
                .is_some_and(|target| last_segment(&target.value) == Some(name));
        }
        !found
    });
    found
}

/// `Thread` for `Thread` and `threading.Thread`, `work` for `self.work`.
fn last_segment(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attr) => Some(attr.attr.as_str()),
        _ => None,
    }
}
