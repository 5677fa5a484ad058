//! Facts about a whole module, gathered once before the rules run: what each imported
//! name refers to and which names the module binds itself.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::ast::{self, Expr, Stmt};

/// Statement nesting deeper than this is not searched for imports; the walker reports
/// such files as too deeply nested anyway.
const MAX_STATEMENT_DEPTH: usize = 200;

#[derive(Debug, Default)]
pub struct ModuleFacts<'a> {
    /// Local name -> fully qualified name: `import numpy as np` gives `np -> numpy`,
    /// `from collections import deque as dq` gives `dq -> collections.deque`.
    imports: HashMap<&'a str, String>,
    /// Top-level modules imported anywhere in the file (`numpy`, `sqlalchemy`).
    imported_roots: HashSet<String>,
    /// Names bound at module level by `def`, `class`, assignment or `for`.
    module_bindings: HashSet<&'a str>,
    /// Module-level classes by name (the last definition wins, as at run time).
    classes: HashMap<&'a str, &'a ast::StmtClassDef>,
    /// Module-level functions by name, `async def` included.
    functions: HashMap<&'a str, &'a ast::StmtFunctionDef>,
}

impl<'a> ModuleFacts<'a> {
    pub fn collect(module: &'a ast::ModModule) -> Self {
        let mut facts = ModuleFacts::default();
        facts.visit_body(&module.body, 0, true);
        facts
    }

    /// What a local name was imported as, if it was imported.
    pub fn import_of(&self, name: &str) -> Option<&str> {
        self.imports.get(name).map(String::as_str)
    }

    /// Whether some local name is imported as one of `full_names`.
    pub fn imports_any_of(&self, full_names: &[&str]) -> bool {
        self.imports
            .values()
            .any(|full| full_names.contains(&full.as_str()))
    }

    /// Whether the module imports `root` (or a submodule of it) anywhere.
    pub fn imports_module(&self, root: &str) -> bool {
        self.imported_roots.contains(root)
    }

    /// The module-level class called `name`, if the module defines one.
    pub fn class(&self, name: &str) -> Option<&'a ast::StmtClassDef> {
        self.classes.get(name).copied()
    }

    /// The module-level function called `name`, if the module defines one.
    pub fn function(&self, name: &str) -> Option<&'a ast::StmtFunctionDef> {
        self.functions.get(name).copied()
    }

    /// Every module-level class, in no particular order.
    pub fn classes(&self) -> impl Iterator<Item = &'a ast::StmtClassDef> + '_ {
        self.classes.values().copied()
    }

    /// The names bound at module level by `def`, `class`, assignment or `for`.
    pub fn module_bindings(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.module_bindings.iter().copied()
    }

    /// Whether the module binds `name` itself (so a builtin of that name is shadowed).
    pub fn binds(&self, name: &str) -> bool {
        self.module_bindings.contains(name) || self.imports.contains_key(name)
    }

    fn visit_body(&mut self, body: &'a [Stmt], depth: usize, module_level: bool) {
        if depth > MAX_STATEMENT_DEPTH {
            return;
        }
        for stmt in body {
            self.visit_stmt(stmt, depth, module_level);
        }
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt, depth: usize, module_level: bool) {
        let inner = depth + 1;
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    let full = alias.name.as_str();
                    self.note_root(full);
                    match &alias.asname {
                        Some(asname) => {
                            self.imports.insert(asname.as_str(), full.to_owned());
                        }
                        None => {
                            let head = full.split('.').next().unwrap_or(full);
                            self.imports.insert(head, head.to_owned());
                        }
                    }
                }
            }
            Stmt::ImportFrom(import) => {
                let dots = ".".repeat(import.level as usize);
                let module = import.module.as_ref().map_or("", |m| m.as_str());
                if import.level == 0 {
                    self.note_root(module);
                }
                for alias in &import.names {
                    if alias.name.as_str() == "*" {
                        continue;
                    }
                    let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                    let full = if module.is_empty() {
                        format!("{dots}{}", alias.name)
                    } else {
                        format!("{dots}{module}.{}", alias.name)
                    };
                    self.imports.insert(local, full);
                }
            }
            Stmt::FunctionDef(def) => {
                if module_level {
                    self.module_bindings.insert(def.name.as_str());
                    self.functions.insert(def.name.as_str(), def);
                }
                self.visit_body(&def.body, inner, false);
            }
            Stmt::ClassDef(class) => {
                if module_level {
                    self.module_bindings.insert(class.name.as_str());
                    self.classes.insert(class.name.as_str(), class);
                }
                self.visit_body(&class.body, inner, false);
            }
            Stmt::Assign(assign) if module_level => {
                for target in &assign.targets {
                    self.bind_target(target, 0);
                }
            }
            Stmt::AnnAssign(assign) if module_level => self.bind_target(&assign.target, 0),
            Stmt::AugAssign(assign) if module_level => self.bind_target(&assign.target, 0),
            Stmt::For(stmt) => {
                if module_level {
                    self.bind_target(&stmt.target, 0);
                }
                self.visit_body(&stmt.body, inner, module_level);
                self.visit_body(&stmt.orelse, inner, module_level);
            }
            Stmt::While(stmt) => {
                self.visit_body(&stmt.body, inner, module_level);
                self.visit_body(&stmt.orelse, inner, module_level);
            }
            Stmt::If(stmt) => {
                self.visit_body(&stmt.body, inner, module_level);
                for clause in &stmt.elif_else_clauses {
                    self.visit_body(&clause.body, inner, module_level);
                }
            }
            Stmt::With(stmt) => self.visit_body(&stmt.body, inner, module_level),
            Stmt::Try(stmt) => {
                self.visit_body(&stmt.body, inner, module_level);
                for handler in &stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    self.visit_body(&handler.body, inner, module_level);
                }
                self.visit_body(&stmt.orelse, inner, module_level);
                self.visit_body(&stmt.finalbody, inner, module_level);
            }
            Stmt::Match(stmt) => {
                for case in &stmt.cases {
                    self.visit_body(&case.body, inner, module_level);
                }
            }
            _ => {}
        }
    }

    fn note_root(&mut self, module: &str) {
        let root = module.split('.').next().unwrap_or(module);
        if !root.is_empty() && !self.imported_roots.contains(root) {
            self.imported_roots.insert(root.to_owned());
        }
    }

    fn bind_target(&mut self, target: &'a Expr, depth: usize) {
        if depth > MAX_STATEMENT_DEPTH {
            return;
        }
        match target {
            Expr::Name(name) => {
                self.module_bindings.insert(name.id.as_str());
            }
            Expr::Tuple(tuple) => tuple
                .elts
                .iter()
                .for_each(|e| self.bind_target(e, depth + 1)),
            Expr::List(list) => list
                .elts
                .iter()
                .for_each(|e| self.bind_target(e, depth + 1)),
            Expr::Starred(starred) => self.bind_target(&starred.value, depth + 1),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbol_table_of_a_module() {
        let parsed = crate::ast::parse(
            "import numpy as np\nfrom collections import deque as dq\nfrom . import sibling\n\nclass A: pass\nif True:\n    class B(A): pass\nasync def fetch(): pass\ndef helper():\n    class Inner: pass\n    import json\nx, (y, z) = 1, (2, 3)\n",
            false,
        );
        let facts = ModuleFacts::collect(&parsed.module);
        assert_eq!(facts.import_of("np"), Some("numpy"));
        assert_eq!(facts.import_of("dq"), Some("collections.deque"));
        assert_eq!(facts.import_of("sibling"), Some(".sibling"));
        assert!(facts.imports_module("json") && facts.imports_module("numpy"));
        assert!(facts.class("A").is_some() && facts.class("B").is_some());
        assert!(
            facts.class("Inner").is_none(),
            "nested classes are not module-level"
        );
        assert!(facts.function("fetch").is_some_and(|f| f.is_async));
        assert!(facts.function("helper").is_some_and(|f| !f.is_async));
        for name in ["x", "y", "z", "A", "fetch", "np"] {
            assert!(facts.binds(name), "{name}");
        }
        assert!(!facts.binds("Inner"));
    }
}
