//! Which names a function body binds, found by scanning its statements (not the
//! bodies of nested functions or classes, which are scopes of their own).

use crate::ast::{ExceptHandler, Expr, Stmt};

/// Deeper statement nesting is not scanned (CPython stops at 100 indentation levels).
const MAX_NESTING: usize = 100;

/// Whether `body` binds `name` in its own scope.
pub fn body_binds(body: &[Stmt], name: &str) -> bool {
    binds_in(body, name, 0)
}

fn binds_in(body: &[Stmt], name: &str, depth: usize) -> bool {
    depth <= MAX_NESTING && body.iter().any(|stmt| stmt_binds(stmt, name, depth + 1))
}

fn stmt_binds(stmt: &Stmt, name: &str, depth: usize) -> bool {
    match stmt {
        Stmt::FunctionDef(def) => def.name.as_str() == name,
        Stmt::ClassDef(class) => class.name.as_str() == name,
        Stmt::Assign(assign) => assign.targets.iter().any(|t| target_binds(t, name, 0)),
        Stmt::AnnAssign(assign) => assign.value.is_some() && target_binds(&assign.target, name, 0),
        Stmt::AugAssign(assign) => target_binds(&assign.target, name, 0),
        Stmt::Import(import) => import.names.iter().any(|alias| match &alias.asname {
            Some(asname) => asname.as_str() == name,
            None => alias.name.split('.').next() == Some(name),
        }),
        Stmt::ImportFrom(import) => import
            .names
            .iter()
            .any(|alias| alias.asname.as_ref().unwrap_or(&alias.name).as_str() == name),
        Stmt::For(stmt) => {
            target_binds(&stmt.target, name, 0)
                || binds_in(&stmt.body, name, depth)
                || binds_in(&stmt.orelse, name, depth)
        }
        Stmt::While(stmt) => {
            binds_in(&stmt.body, name, depth) || binds_in(&stmt.orelse, name, depth)
        }
        Stmt::If(stmt) => {
            binds_in(&stmt.body, name, depth)
                || stmt
                    .elif_else_clauses
                    .iter()
                    .any(|c| binds_in(&c.body, name, depth))
        }
        Stmt::With(stmt) => {
            stmt.items.iter().any(|item| {
                item.optional_vars
                    .as_deref()
                    .is_some_and(|v| target_binds(v, name, 0))
            }) || binds_in(&stmt.body, name, depth)
        }
        Stmt::Try(stmt) => {
            binds_in(&stmt.body, name, depth)
                || stmt.handlers.iter().any(|handler| {
                    let ExceptHandler::ExceptHandler(handler) = handler;
                    handler.name.as_ref().is_some_and(|n| n.as_str() == name)
                        || binds_in(&handler.body, name, depth)
                })
                || binds_in(&stmt.orelse, name, depth)
                || binds_in(&stmt.finalbody, name, depth)
        }
        Stmt::Match(stmt) => stmt
            .cases
            .iter()
            .any(|case| binds_in(&case.body, name, depth)),
        _ => false,
    }
}

fn target_binds(target: &Expr, name: &str, depth: usize) -> bool {
    if depth > MAX_NESTING {
        return false;
    }
    match target {
        Expr::Name(n) => n.id.as_str() == name,
        Expr::Tuple(t) => t.elts.iter().any(|e| target_binds(e, name, depth + 1)),
        Expr::List(l) => l.elts.iter().any(|e| target_binds(e, name, depth + 1)),
        Expr::Starred(s) => target_binds(&s.value, name, depth + 1),
        _ => false,
    }
}
