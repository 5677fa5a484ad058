//! Which names a function body binds, found by scanning its statements (not the
//! bodies of nested functions or classes, which are scopes of their own).

use rustc_hash::FxHashSet as HashSet;

use crate::ast::{ExceptHandler, Expr, Stmt};

/// Deeper statement nesting is not scanned (CPython stops at 100 indentation levels).
const MAX_NESTING: usize = 100;

/// A scope's names (FxHash: rules ask it once per name read).
pub type Names<'a> = HashSet<&'a str>;

/// Every name `body` binds in its own scope: assignment and loop targets, `with ... as`,
/// `except ... as`, imports, and nested `def`/`class` names.
pub fn bindings(body: &[Stmt]) -> Names<'_> {
    let mut names = HashSet::default();
    collect_body(body, 0, &mut names);
    names
}

fn collect_body<'a>(body: &'a [Stmt], depth: usize, names: &mut HashSet<&'a str>) {
    if depth > MAX_NESTING {
        return;
    }
    for stmt in body {
        collect_stmt(stmt, depth + 1, names);
    }
}

fn collect_stmt<'a>(stmt: &'a Stmt, depth: usize, names: &mut HashSet<&'a str>) {
    match stmt {
        Stmt::FunctionDef(def) => {
            names.insert(def.name.as_str());
        }
        Stmt::ClassDef(class) => {
            names.insert(class.name.as_str());
        }
        Stmt::Assign(assign) => {
            for target in &assign.targets {
                collect_target(target, 0, names);
            }
        }
        Stmt::AnnAssign(assign) if assign.value.is_some() => {
            collect_target(&assign.target, 0, names);
        }
        Stmt::AugAssign(assign) => collect_target(&assign.target, 0, names),
        Stmt::Import(import) => {
            for alias in &import.names {
                let local = match &alias.asname {
                    Some(asname) => asname.as_str(),
                    None => alias.name.split('.').next().unwrap_or_default(),
                };
                names.insert(local);
            }
        }
        Stmt::ImportFrom(import) => {
            for alias in &import.names {
                names.insert(alias.asname.as_ref().unwrap_or(&alias.name).as_str());
            }
        }
        Stmt::For(stmt) => {
            collect_target(&stmt.target, 0, names);
            collect_body(&stmt.body, depth, names);
            collect_body(&stmt.orelse, depth, names);
        }
        Stmt::While(stmt) => {
            collect_body(&stmt.body, depth, names);
            collect_body(&stmt.orelse, depth, names);
        }
        Stmt::If(stmt) => {
            collect_body(&stmt.body, depth, names);
            for clause in &stmt.elif_else_clauses {
                collect_body(&clause.body, depth, names);
            }
        }
        Stmt::With(stmt) => {
            for item in &stmt.items {
                if let Some(vars) = item.optional_vars.as_deref() {
                    collect_target(vars, 0, names);
                }
            }
            collect_body(&stmt.body, depth, names);
        }
        Stmt::Try(stmt) => {
            collect_body(&stmt.body, depth, names);
            for handler in &stmt.handlers {
                let ExceptHandler::ExceptHandler(handler) = handler;
                if let Some(name) = &handler.name {
                    names.insert(name.as_str());
                }
                collect_body(&handler.body, depth, names);
            }
            collect_body(&stmt.orelse, depth, names);
            collect_body(&stmt.finalbody, depth, names);
        }
        Stmt::Match(stmt) => {
            for case in &stmt.cases {
                collect_body(&case.body, depth, names);
            }
        }
        _ => {}
    }
}

fn collect_target<'a>(target: &'a Expr, depth: usize, names: &mut HashSet<&'a str>) {
    if depth > MAX_NESTING {
        return;
    }
    match target {
        Expr::Name(n) => {
            names.insert(n.id.as_str());
        }
        Expr::Tuple(t) => t
            .elts
            .iter()
            .for_each(|e| collect_target(e, depth + 1, names)),
        Expr::List(l) => l
            .elts
            .iter()
            .for_each(|e| collect_target(e, depth + 1, names)),
        Expr::Starred(s) => collect_target(&s.value, depth + 1, names),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_the_scope_but_not_nested_scopes() {
        let parsed = crate::ast::parse(
            "import os.path\nfrom a import b as c\nx, (y, *z) = 1\nfor i in r:\n    with f() as g:\n        pass\ntry:\n    pass\nexcept E as e:\n    pass\ndef inner():\n    hidden = 1\nn: int\n",
            false,
        );
        let mut names: Vec<_> = bindings(&parsed.module.body).into_iter().collect();
        names.sort();
        assert_eq!(names, ["c", "e", "g", "i", "inner", "os", "x", "y", "z"]);
    }
}
