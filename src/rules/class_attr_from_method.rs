//! PF410: a method reads a bare name that exists only as a class attribute. Function
//! bodies look names up in their own scope, enclosing *function* scopes, the module and
//! the builtins (LEGB); the class body is not one of them, so the read raises
//! `NameError` when the method runs.

use rustc_hash::FxHashSet as HashSet;

use crate::ast::{self, AnyNodeRef, Expr, ExprContext, NodeKind, TextRange};
use crate::checker::Context;
use crate::checker::scope;
use crate::checker::subtree::for_each_node;
use crate::checker::word_set::WordSet;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF410",
    name: "class-attr-from-method",
    summary: "a method reads a class attribute as a bare name, which raises `NameError`: class bodies are not an enclosing scope",
    severity: Severity::Error,
    topic: Topic::Classes,
    doc: include_str!("../../rules/class-attr-from-method.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "F821",
            name: "undefined-name",
        },
        Equivalent {
            tool: "pylint",
            code: "E0602",
            name: "undefined-variable",
        },
    ],
};

/// Every name a function can read without defining it, in Python 3.8-3.14: the
/// builtins (including those `site` adds), the module's own dunders, and `__class__`,
/// the implicit closure cell of every method. `_` is here because gettext installs it.
#[rustfmt::skip]
static BUILTINS: WordSet = WordSet::new(&[
    "ArithmeticError", "AssertionError", "AttributeError", "BaseException",
    "BaseExceptionGroup", "BlockingIOError", "BrokenPipeError", "BufferError",
    "BytesWarning", "ChildProcessError", "ConnectionAbortedError", "ConnectionError",
    "ConnectionRefusedError", "ConnectionResetError", "DeprecationWarning", "EOFError",
    "Ellipsis", "EncodingWarning", "EnvironmentError", "Exception", "ExceptionGroup",
    "False", "FileExistsError", "FileNotFoundError", "FloatingPointError", "FutureWarning",
    "GeneratorExit", "IOError", "ImportError", "ImportWarning", "IndentationError",
    "IndexError", "InterruptedError", "IsADirectoryError", "KeyError", "KeyboardInterrupt",
    "LookupError", "MemoryError", "ModuleNotFoundError", "NameError", "None",
    "NotADirectoryError", "NotImplemented", "NotImplementedError", "OSError",
    "OverflowError", "PendingDeprecationWarning", "PermissionError", "ProcessLookupError",
    "PythonFinalizationError", "RecursionError", "ReferenceError", "ResourceWarning",
    "RuntimeError", "RuntimeWarning", "StopAsyncIteration", "StopIteration", "SyntaxError",
    "SyntaxWarning", "SystemError", "SystemExit", "TabError", "TimeoutError", "True",
    "TypeError", "UnboundLocalError", "UnicodeDecodeError", "UnicodeEncodeError",
    "UnicodeError", "UnicodeTranslateError", "UnicodeWarning", "UserWarning", "ValueError",
    "Warning", "WindowsError", "ZeroDivisionError", "_IncompleteInputError",
    "__build_class__", "__debug__", "__doc__", "__import__", "__loader__", "__name__",
    "__package__", "__spec__", "__file__", "__cached__", "__builtins__", "__path__",
    "__annotations__", "__dict__", "__class__", "_",
    "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "breakpoint",
    "bytearray", "bytes", "callable", "chr", "classmethod", "compile", "complex",
    "copyright", "credits", "delattr", "dict", "dir", "divmod", "enumerate", "eval", "exec",
    "exit", "filter", "float", "format", "frozenset", "getattr", "globals", "hasattr",
    "hash", "help", "hex", "id", "input", "int", "isinstance", "issubclass", "iter", "len",
    "license", "list", "locals", "map", "max", "memoryview", "min", "next", "object", "oct",
    "open", "ord", "pow", "print", "property", "quit", "range", "repr", "reversed", "round",
    "set", "setattr", "slice", "sorted", "staticmethod", "str", "sum", "super", "tuple",
    "type", "vars", "zip",
]);

pub struct ClassAttrFromMethod;

impl Rule for ClassAttrFromMethod {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::StmtFunctionDef(method) = node else {
            return;
        };
        if ctx.is_stub() {
            return;
        }
        // The classes whose bodies enclose the method directly: the method's own class
        // first, then classes it is nested in.
        let mut enclosing: Vec<&ast::StmtClassDef> = Vec::new();
        for ancestor in ctx.ancestors() {
            match ancestor {
                AnyNodeRef::StmtClassDef(class) => enclosing.push(class),
                AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::ExprLambda(_) => break,
                _ if enclosing.is_empty() && ancestor.is_statement() => {}
                _ if enclosing.is_empty() => return,
                _ => {}
            }
        }
        if enclosing.is_empty() {
            return;
        }
        // Cheapest filters first: most reads are of locals, module names and builtins,
        // and only a name some enclosing class binds can be reported.
        let facts = ctx.facts();
        let is_parameter = |name: &str| method.parameters.iter().any(|p| p.name().as_str() == name);
        let walk = Walk::collect(method, |name| {
            !is_parameter(name)
                && enclosing.iter().any(|class| ctx.class_binds(class, name))
                && !facts.binds(name)
        });
        let unresolved: Vec<&(&str, TextRange)> = walk
            .reads
            .iter()
            .filter(|(name, _)| {
                !walk.binds.contains(name)
                    && !BUILTINS.contains(name)
                    && !ctx.function_binds(method, name)
            })
            .collect();
        if unresolved.is_empty() || walk.catches_name_error {
            return;
        }
        let classes: Vec<(&ast::StmtClassDef, scope::Names)> = enclosing
            .into_iter()
            .map(|class| (class, scope::bindings(&class.body)))
            .collect();
        let mut module_escapes: Option<std::rc::Rc<Escapes>> = None;
        for (name, range) in unresolved {
            let name = *name;
            if !classes.iter().any(|(_, attrs)| attrs.contains(name))
                || bound_by_enclosing_function(ctx, name)
            {
                continue;
            }
            let escapes = module_escapes.get_or_insert_with(|| ctx.memo(|| Escapes::collect(ctx)));
            if escapes.star_import || escapes.names.contains(name) {
                continue;
            }
            let Some((class, _)) = classes.iter().find(|(_, attrs)| attrs.contains(name)) else {
                continue;
            };
            let own = std::ptr::eq(*class, classes[0].0);
            let qualified = qualify(method, class.name.as_str(), own, name);
            report.add(
                *range,
                format!(
                    "`{name}` is a class attribute of `{}`, but code in `{}` does not see the class body: a bare name there is looked up in the function, enclosing functions, the module and the builtins, so this read raises `NameError` when `{}` runs",
                    class.name, method.name, method.name
                ),
                format!("write `{qualified}` to read the class attribute"),
            );
            report.attach_to_last(qualified_suggestion(*range, &qualified));
        }
    }
}

/// `self.NAME` in a method, `cls.NAME` in a classmethod, `Class.NAME` in a
/// staticmethod or for the attribute of an enclosing class.
fn qualify(method: &ast::StmtFunctionDef, class: &str, own: bool, name: &str) -> String {
    let is_static = method
        .decorator_list
        .iter()
        .any(|d| matches!(&d.expression, Expr::Name(n) if n.id.as_str() == "staticmethod"));
    let first = method.parameters.iter_non_variadic_params().next();
    match first {
        Some(param) if own && !is_static => format!("{}.{name}", param.parameter.name),
        _ => format!("{class}.{name}"),
    }
}

/// One walk over a method's body (annotations left out: they are not evaluated in
/// the body, and a nested class's body is not looked at).
struct Walk<'a> {
    /// Reads of names that pass the caller's filter.
    reads: Vec<(&'a str, TextRange)>,
    /// Names bound anywhere in the method that `scope::bindings` does not see: walrus
    /// and comprehension targets, `del`, `global`/`nonlocal`, match captures, nested
    /// functions' parameters and everything nested scopes bind.
    binds: HashSet<&'a str>,
    /// An `except NameError` somewhere: the author expects the name may be missing.
    catches_name_error: bool,
}

impl<'a> Walk<'a> {
    fn collect(method: &'a ast::StmtFunctionDef, keep: impl Fn(&str) -> bool) -> Self {
        let mut walk = Walk {
            reads: Vec::new(),
            binds: HashSet::default(),
            catches_name_error: false,
        };
        let mut work: Vec<AnyNodeRef<'a>> = method.body.iter().map(AnyNodeRef::from).collect();
        work.reverse();
        while let Some(root) = work.pop() {
            for_each_node(root, |node| walk.visit(node, &keep, &mut work));
        }
        walk
    }

    fn visit(
        &mut self,
        node: AnyNodeRef<'a>,
        keep: &impl Fn(&str) -> bool,
        work: &mut Vec<AnyNodeRef<'a>>,
    ) -> bool {
        match node {
            AnyNodeRef::ExprName(name) => {
                let id = name.id.as_str();
                if name.ctx == ExprContext::Load {
                    if keep(id) {
                        self.reads.push((id, name.range));
                    }
                } else {
                    self.binds.insert(id);
                }
            }
            AnyNodeRef::StmtFunctionDef(def) => {
                self.binds.insert(def.name.as_str());
                self.binds
                    .extend(def.parameters.iter().map(|p| p.name().as_str()));
                work.extend(
                    def.decorator_list
                        .iter()
                        .map(|d| AnyNodeRef::from(&d.expression)),
                );
                work.extend(
                    def.parameters
                        .iter_non_variadic_params()
                        .filter_map(|p| p.default.as_deref().map(AnyNodeRef::from)),
                );
                work.extend(def.body.iter().map(AnyNodeRef::from));
                return false;
            }
            AnyNodeRef::StmtClassDef(class) => {
                self.binds.insert(class.name.as_str());
                return false;
            }
            AnyNodeRef::StmtAnnAssign(assign) => {
                work.push((&*assign.target).into());
                work.extend(assign.value.as_deref().map(AnyNodeRef::from));
                return false;
            }
            AnyNodeRef::Parameter(param) => {
                self.binds.insert(param.name.as_str());
            }
            AnyNodeRef::StmtGlobal(stmt) => {
                self.binds.extend(stmt.names.iter().map(|n| n.as_str()))
            }
            AnyNodeRef::StmtNonlocal(stmt) => {
                self.binds.extend(stmt.names.iter().map(|n| n.as_str()))
            }
            AnyNodeRef::StmtImport(_) | AnyNodeRef::StmtImportFrom(_) => {
                self.binds.extend(import_names(node));
            }
            AnyNodeRef::PatternMatchAs(p) => self.binds.extend(p.name.as_ref().map(|n| n.as_str())),
            AnyNodeRef::PatternMatchStar(p) => {
                self.binds.extend(p.name.as_ref().map(|n| n.as_str()))
            }
            AnyNodeRef::PatternMatchMapping(p) => {
                self.binds.extend(p.rest.as_ref().map(|n| n.as_str()))
            }
            AnyNodeRef::ExceptHandlerExceptHandler(handler) => {
                self.binds.extend(handler.name.as_ref().map(|n| n.as_str()));
                self.catches_name_error |= handler.type_.as_deref().is_some_and(names_name_error);
            }
            _ => {}
        }
        true
    }
}

fn import_names<'a>(node: AnyNodeRef<'a>) -> Vec<&'a str> {
    match node {
        AnyNodeRef::StmtImport(stmt) => stmt
            .names
            .iter()
            .map(|alias| match &alias.asname {
                Some(asname) => asname.as_str(),
                None => alias.name.split('.').next().unwrap_or_default(),
            })
            .collect(),
        AnyNodeRef::StmtImportFrom(stmt) => stmt
            .names
            .iter()
            .map(|alias| alias.asname.as_ref().unwrap_or(&alias.name).as_str())
            .collect(),
        _ => Vec::new(),
    }
}

fn names_name_error(expr: &Expr) -> bool {
    match expr {
        Expr::Name(name) => matches!(
            name.id.as_str(),
            "NameError" | "Exception" | "BaseException"
        ),
        Expr::Tuple(tuple) => tuple.elts.iter().any(names_name_error),
        _ => false,
    }
}

/// Whether a function the class is nested in binds `name` (the method then reads it
/// from that function's scope, legally).
fn bound_by_enclosing_function(ctx: &Context, name: &str) -> bool {
    ctx.ancestors().any(|node| match node {
        AnyNodeRef::StmtFunctionDef(def) => {
            def.parameters.iter().any(|p| p.name().as_str() == name)
                || ctx.function_binds(def, name)
        }
        _ => false,
    })
}

/// Module-level names the symbol table does not record, gathered only when a finding
/// is about to be made: `with ... as`, walrus, `except ... as` and match captures at
/// module level, names any function declares `global`, and names added to `builtins`.
/// Collected once per file (`Context::memo`), owned so the memo can hold it.
struct Escapes {
    names: HashSet<String>,
    /// `from x import *` or `globals()`/`vars()` writes: any name may exist.
    star_import: bool,
}

impl Escapes {
    fn collect(ctx: &Context) -> Self {
        let mut escapes = Escapes {
            names: HashSet::default(),
            star_import: false,
        };
        let Some(AnyNodeRef::ModModule(module)) = ctx.ancestors().last() else {
            escapes.star_import = true;
            return escapes;
        };
        // Module scope: everything outside function and class bodies.
        for stmt in &module.body {
            for_each_node(stmt.into(), |node| {
                match node {
                    AnyNodeRef::ExprName(name) if name.ctx != ExprContext::Load => {
                        escapes.names.insert(name.id.to_string());
                    }
                    AnyNodeRef::ExceptHandlerExceptHandler(h) => {
                        escapes.names.extend(h.name.as_ref().map(|n| n.to_string()));
                    }
                    AnyNodeRef::PatternMatchAs(p) => {
                        escapes.names.extend(p.name.as_ref().map(|n| n.to_string()));
                    }
                    AnyNodeRef::StmtImportFrom(stmt) => {
                        escapes.star_import |= stmt.names.iter().any(|a| a.name.as_str() == "*");
                    }
                    _ => {}
                }
                !matches!(
                    node,
                    AnyNodeRef::StmtFunctionDef(_)
                        | AnyNodeRef::StmtClassDef(_)
                        | AnyNodeRef::ExprLambda(_)
                )
            });
        }
        // Anywhere: `global NAME`, `builtins.NAME = ...`, `globals()`.
        for_each_node(AnyNodeRef::from(module), |node| {
            match node {
                AnyNodeRef::StmtGlobal(stmt) => {
                    escapes
                        .names
                        .extend(stmt.names.iter().map(|n| n.to_string()));
                }
                AnyNodeRef::ExprAttribute(attr)
                    if attr.ctx == ExprContext::Store
                        && matches!(&*attr.value, Expr::Name(n) if matches!(n.id.as_str(), "builtins" | "__builtins__")) =>
                {
                    escapes.names.insert(attr.attr.to_string());
                }
                AnyNodeRef::ExprCall(call) => {
                    escapes.star_import |=
                        matches!(&*call.func, Expr::Name(n) if n.id.as_str() == "globals");
                }
                _ => {}
            }
            true
        });
        escapes
    }
}

/// The bare name replaced by the qualified read, for teach mode. Display-only: an
/// instance attribute of the same name would now win over the class attribute.
fn qualified_suggestion(range: crate::ast::TextRange, qualified: &str) -> Option<crate::rule::Fix> {
    Some(crate::rule::Fix::display_only(
        format!("read the class attribute as `{qualified}`"),
        vec![crate::rule::Edit::replace(range, qualified)],
    ))
}
