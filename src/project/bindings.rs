//! Where a module first binds each of its module-level names. PF801 needs it to tell a
//! cycle that fails (`from a import f` while `a` is stopped before `def f`) from one
//! that works because of the order of the lines.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::ast::{self, Expr, Ranged, Stmt};

/// Statement nesting deeper than this is not searched; such files are reported as too
/// deeply nested anyway.
const MAX_DEPTH: usize = 200;

/// A name the module defines at module level (also under `if`, `try`, `for`, `while`,
/// `with` and `match` at module level): by `def`, `class`, an assignment, a loop or
/// `with` target. Names bound by imports are not repeated here: the summary's imports
/// have them, with their places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub name: CompactString,
    /// The start of the first statement that binds it, in bytes.
    pub offset: usize,
}

/// The module's definitions, sorted by name, and the offset of its first
/// `from x import *` (which may bind any name).
pub fn collect(module: &ast::ModModule) -> (Vec<Binding>, Option<usize>) {
    let mut collector = Collector::default();
    collector.body(&module.body, 0);
    let mut bindings = collector.bindings;
    // Stable: for each name, the first binding in source order comes first.
    bindings.sort_by(|a, b| a.name.cmp(&b.name));
    bindings.dedup_by(|later, first| later.name == first.name);
    (bindings, collector.star_import)
}

#[derive(Default)]
struct Collector {
    bindings: Vec<Binding>,
    star_import: Option<usize>,
}

impl Collector {
    fn body(&mut self, body: &[Stmt], depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for stmt in body {
            self.stmt(stmt, depth + 1);
        }
    }

    fn bind(&mut self, name: &str, offset: usize) {
        self.bindings.push(Binding {
            name: name.into(),
            offset,
        });
    }

    fn stmt(&mut self, stmt: &Stmt, depth: usize) {
        let at = stmt.range().start().to_usize();
        match stmt {
            Stmt::FunctionDef(def) => self.bind(def.name.as_str(), at),
            Stmt::ClassDef(class) => self.bind(class.name.as_str(), at),
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.target(target, at, 0);
                }
            }
            Stmt::AnnAssign(assign) if assign.value.is_some() => {
                self.target(&assign.target, at, 0);
            }
            Stmt::AugAssign(assign) => self.target(&assign.target, at, 0),
            Stmt::TypeAlias(alias) => self.target(&alias.name, at, 0),
            Stmt::ImportFrom(import)
                if import.names.iter().any(|alias| alias.name.as_str() == "*") =>
            {
                self.star_import.get_or_insert(at);
            }
            Stmt::For(stmt) => {
                self.target(&stmt.target, at, 0);
                self.body(&stmt.body, depth);
                self.body(&stmt.orelse, depth);
            }
            Stmt::While(stmt) => {
                self.body(&stmt.body, depth);
                self.body(&stmt.orelse, depth);
            }
            Stmt::If(stmt) => {
                self.body(&stmt.body, depth);
                for clause in &stmt.elif_else_clauses {
                    self.body(&clause.body, depth);
                }
            }
            Stmt::With(stmt) => {
                for item in &stmt.items {
                    if let Some(target) = &item.optional_vars {
                        self.target(target, at, 0);
                    }
                }
                self.body(&stmt.body, depth);
            }
            Stmt::Try(stmt) => {
                self.body(&stmt.body, depth);
                for handler in &stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    self.body(&handler.body, depth);
                }
                self.body(&stmt.orelse, depth);
                self.body(&stmt.finalbody, depth);
            }
            Stmt::Match(stmt) => {
                for case in &stmt.cases {
                    self.body(&case.body, depth);
                }
            }
            _ => {}
        }
    }

    fn target(&mut self, target: &Expr, at: usize, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match target {
            Expr::Name(name) => self.bind(name.id.as_str(), at),
            Expr::Tuple(tuple) => tuple
                .elts
                .iter()
                .for_each(|e| self.target(e, at, depth + 1)),
            Expr::List(list) => list.elts.iter().for_each(|e| self.target(e, at, depth + 1)),
            Expr::Starred(starred) => self.target(&starred.value, at, depth + 1),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_binding_of_each_name_in_source_order() {
        let source = "import a.b\nfrom c import d as e, *\nif x:\n    def f(): pass\nelse:\n    f = 1\ntry:\n    import g\nexcept ImportError:\n    g = None\nfor i, (j, *k) in []:\n    pass\nwith open() as h:\n    class C: pass\nn: int\nm: int = 1\nm += 1\ndef inner():\n    hidden = 1\n";
        let parsed = crate::ast::parse(source, false);
        let (bindings, star) = collect(&parsed.module);
        let at = |text: &str| source.find(text).unwrap();
        let got: Vec<(&str, usize)> = bindings
            .iter()
            .map(|b| (b.name.as_str(), b.offset))
            .collect();
        // Imports (`a`, `e`, the first `g`) are left to the summary's imports.
        assert_eq!(
            got,
            [
                ("C", at("class C")),
                ("f", at("def f")),
                ("g", at("g = None")),
                ("h", at("with")),
                ("i", at("for")),
                ("inner", at("def inner")),
                ("j", at("for")),
                ("k", at("for")),
                ("m", at("m: int = 1")),
            ]
        );
        assert_eq!(star, Some(at("from c")));
    }
}
