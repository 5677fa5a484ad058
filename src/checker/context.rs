//! What a rule may ask about the code around the node it is looking at.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::ast::{self, AnyNodeRef, Expr, Ranged, TextRange, TextSize};
use crate::checker::facts::ModuleFacts;
use crate::checker::scope;

pub struct Context<'a> {
    source: &'a str,
    is_test_file: bool,
    is_stub: bool,
    facts: ModuleFacts<'a>,
    /// The ancestors of the node being checked, outermost first (the module is first).
    pub(crate) parents: Vec<AnyNodeRef<'a>>,
    /// Names bound in each function body, keyed by the function's start offset.
    local_bindings: RefCell<HashMap<TextSize, HashSet<&'a str>>>,
}

impl<'a> Context<'a> {
    pub fn new(path: &Path, source: &'a str, module: &'a ast::ModModule) -> Self {
        Context {
            source,
            is_test_file: is_test_path(path),
            is_stub: path.extension().is_some_and(|ext| ext == "pyi"),
            facts: ModuleFacts::collect(module),
            parents: Vec::with_capacity(64),
            local_bindings: RefCell::new(HashMap::new()),
        }
    }

    pub fn source(&self) -> &'a str {
        self.source
    }

    /// The source text of `range`.
    pub fn slice(&self, range: TextRange) -> &'a str {
        &self.source[range]
    }

    pub fn facts(&self) -> &ModuleFacts<'a> {
        &self.facts
    }

    /// Ancestors of the current node, nearest first.
    pub fn ancestors(&self) -> impl Iterator<Item = AnyNodeRef<'a>> + '_ {
        self.parents.iter().rev().copied()
    }

    pub fn parent(&self) -> Option<AnyNodeRef<'a>> {
        self.parents.last().copied()
    }

    /// The nearest enclosing `def` or `async def`, if any.
    pub fn enclosing_function(&self) -> Option<&'a ast::StmtFunctionDef> {
        self.ancestors().find_map(|node| match node {
            AnyNodeRef::StmtFunctionDef(def) => Some(def),
            _ => None,
        })
    }

    /// Whether the file is a test file by its path (`test_*.py`, `*_test.py`,
    /// `conftest.py`, or anywhere under a `tests`/`test` directory).
    pub fn is_test_file(&self) -> bool {
        self.is_test_file
    }

    /// Whether the file is a `.pyi` stub: declarations only, nothing in it runs.
    pub fn is_stub(&self) -> bool {
        self.is_stub
    }

    /// Whether the current node is test code: in a test file, or inside a function
    /// named `test_*` or a class named `Test*`.
    pub fn in_test_code(&self) -> bool {
        self.is_test_file
            || self.ancestors().any(|node| match node {
                AnyNodeRef::StmtFunctionDef(def) => def.name.starts_with("test"),
                AnyNodeRef::StmtClassDef(class) => class.name.starts_with("Test"),
                _ => false,
            })
    }

    /// Whether `name`, read at offset `at`, is a local of an enclosing function or
    /// lambda (a parameter, or bound in its body), so it does not mean a module-level
    /// or builtin object. Defaults and decorators run in the outer scope, so a function
    /// counts only when `at` is inside its body.
    pub fn is_local_binding(&self, name: &str, at: TextSize) -> bool {
        self.ancestors().any(|node| match node {
            AnyNodeRef::StmtFunctionDef(def) => {
                def.body.first().is_some_and(|first| first.start() <= at)
                    && (has_parameter(&def.parameters, name) || self.function_binds(def, name))
            }
            AnyNodeRef::ExprLambda(lambda) => {
                lambda.body.range().contains(at)
                    && lambda
                        .parameters
                        .as_deref()
                        .is_some_and(|p| has_parameter(p, name))
            }
            _ => false,
        })
    }

    /// Whether `def`'s body binds `name`; each function's bindings are collected once
    /// per file, however many names are looked up in it.
    pub fn function_binds(&self, def: &'a ast::StmtFunctionDef, name: &str) -> bool {
        let mut cache = self.local_bindings.borrow_mut();
        cache
            .entry(def.start())
            .or_insert_with(|| scope::bindings(&def.body))
            .contains(name)
    }

    /// The dotted name an expression refers to, resolving imports: with
    /// `from collections import defaultdict as dd`, `dd` is `collections.defaultdict`;
    /// with `import collections as c`, `c.deque` is `collections.deque`. A builtin
    /// name not rebound by the module or a parameter resolves to itself (`list`).
    pub fn qualified_name(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(name) => {
                let id = name.id.as_str();
                if let Some(full) = self.facts.import_of(id) {
                    Some(full.to_owned())
                } else if self.facts.binds(id) || self.is_local_binding(id, name.start()) {
                    None
                } else {
                    Some(id.to_owned())
                }
            }
            Expr::Attribute(attr) => {
                let mut segments = vec![attr.attr.as_str()];
                let mut value = &*attr.value;
                loop {
                    match value {
                        Expr::Attribute(inner) => {
                            segments.push(inner.attr.as_str());
                            value = &inner.value;
                        }
                        Expr::Name(head) => {
                            let base = self.facts.import_of(head.id.as_str())?;
                            segments.push(base);
                            segments.reverse();
                            return Some(segments.join("."));
                        }
                        _ => return None,
                    }
                }
            }
            _ => None,
        }
    }

    /// Whether `expr` names the builtin `builtin` (and the name is not rebound).
    pub fn is_builtin(&self, expr: &Expr, builtin: &str) -> bool {
        matches!(expr, Expr::Name(name) if name.id.as_str() == builtin)
            && self.qualified_name(expr).as_deref() == Some(builtin)
    }

    /// The source text of a node, for messages.
    pub fn text_of(&self, node: &impl Ranged) -> &'a str {
        self.slice(node.range())
    }
}

fn has_parameter(parameters: &ast::Parameters, name: &str) -> bool {
    parameters.iter().any(|param| param.name().as_str() == name)
}

fn is_test_path(path: &Path) -> bool {
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    if stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest" || stem == "tests"
    {
        return true;
    }
    path.parent().is_some_and(|dir| {
        dir.components()
            .any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "test" | "testing")))
    })
}

#[cfg(test)]
mod tests {
    use super::is_test_path;
    use std::path::Path;

    #[test]
    fn test_paths() {
        for path in [
            "test_app.py",
            "pkg/app_test.py",
            "conftest.py",
            "tests/helpers.py",
            "a/test/b/c.py",
        ] {
            assert!(is_test_path(Path::new(path)), "{path}");
        }
        for path in [
            "app.py",
            "testament.py",
            "contest.py",
            "latest/app.py",
            "pkg/attest.py",
        ] {
            assert!(!is_test_path(Path::new(path)), "{path}");
        }
    }
}
