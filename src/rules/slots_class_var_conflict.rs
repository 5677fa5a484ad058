//! PF405: a name in `__slots__` that the class body also binds.
//!
//! `type.__new__` turns every slot into a descriptor stored in the class namespace
//! under the slot's name. If the class body already put a value there (a default, a
//! method, a property), the two would collide, so class creation fails with
//! `ValueError: 'x' in __slots__ conflicts with class variable`. Only literal slot
//! lists are read; a binding inherited from a base class is legal (the slot shadows it).

use crate::ast::{self, AnyNodeRef, Expr, NodeKind, Stmt, TextRange};
use crate::checker::Context;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF405",
    name: "slots-class-var-conflict",
    summary: "a name listed in `__slots__` that also has a class-level value makes class creation raise `ValueError`",
    severity: Severity::Error,
    topic: Topic::Classes,
    doc: include_str!("../../rules/slots-class-var-conflict.md"),
    fix: FixAvailability::None,
    equivalents: &[Equivalent {
        tool: "pylint",
        code: "E0242",
        name: "class-variable-slots-conflict",
    }],
};

pub struct SlotsClassVarConflict;

/// What the class body binds under a slot's name.
#[derive(Clone, Copy)]
enum BindingKind {
    Value,
    Method,
    Property,
    Class,
    Import,
}

struct Binding<'a> {
    name: &'a str,
    range: TextRange,
    kind: BindingKind,
    /// The binding statement as written, for the help text (`x = 0`).
    stmt: &'a Stmt,
}

impl Rule for SlotsClassVarConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtClassDef]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::StmtClassDef(class) = node else {
            return;
        };
        // Cheapest test first: most classes have no `__slots__` at all.
        let Some(slots) = final_slots(&class.body) else {
            return;
        };
        let bindings = class_bindings(&class.body);
        for binding in &bindings {
            if !slots.contains(&binding.name) {
                continue;
            }
            let name = binding.name;
            let class_name = class.name.as_str();
            let what = match binding.kind {
                BindingKind::Value => "a class-level value",
                BindingKind::Method => "a method of that name",
                BindingKind::Property => "a property of that name",
                BindingKind::Class => "a nested class of that name",
                BindingKind::Import => "an import of that name",
            };
            let help = match binding.kind {
                BindingKind::Value => format!(
                    "a slot cannot have a class-level default: remove `{}` from the class body and set `self.{name}` in `__init__`",
                    short(ctx.text_of(binding.stmt))
                ),
                BindingKind::Property | BindingKind::Method => format!(
                    "store the data in a differently named slot (e.g. `_{name}`) and let the {} read it, or drop `{name}` from `__slots__`",
                    if matches!(binding.kind, BindingKind::Property) {
                        "property"
                    } else {
                        "method"
                    }
                ),
                BindingKind::Class | BindingKind::Import => {
                    format!("rename the slot or the class-level `{name}`; one name cannot be both")
                }
            };
            // Special dunders (`__qualname__`, `__classcell__`) fail with `TypeError`.
            let failure = if name.starts_with("__") && name.ends_with("__") {
                "fails".to_owned()
            } else {
                format!("raises `ValueError: '{name}' in __slots__ conflicts with class variable`")
            };
            report.add(
                binding.range,
                format!(
                    "`{name}` is listed in `__slots__` and `{class_name}` also gives it {what}, so creating the class {failure}"
                ),
                help,
            );
        }
    }
}

/// The slot names of the last top-level `__slots__` assignment, when it is a literal
/// (a string, or a tuple/list/set of strings, or a dict with string keys). `None`
/// when there is no `__slots__` or the last one is computed.
fn final_slots(body: &[Stmt]) -> Option<Vec<&str>> {
    let mut slots: Option<Vec<&str>> = None;
    for stmt in body {
        let value = match stmt {
            Stmt::Assign(assign) if assign.targets.iter().any(|t| is_name(t, "__slots__")) => {
                Some(&*assign.value)
            }
            Stmt::AnnAssign(assign) if is_name(&assign.target, "__slots__") => {
                assign.value.as_deref()
            }
            Stmt::AugAssign(assign) if is_name(&assign.target, "__slots__") => {
                // `__slots__ += ("b",)` extends a known literal; anything else is unknown.
                slots = match (slots, literal_slots(&assign.value)) {
                    (Some(mut known), Some(more)) => {
                        known.extend(more);
                        Some(known)
                    }
                    _ => None,
                };
                continue;
            }
            _ => continue,
        };
        if let Some(value) = value {
            slots = literal_slots(value);
        }
    }
    slots
}

fn literal_slots(value: &Expr) -> Option<Vec<&str>> {
    let elements: &[Expr] = match value {
        Expr::StringLiteral(string) => return Some(vec![string.value.to_str()]),
        Expr::Tuple(tuple) => &tuple.elts,
        Expr::List(list) => &list.elts,
        Expr::Set(set) => &set.elts,
        Expr::Dict(dict) => {
            let mut names = Vec::new();
            for item in &dict.items {
                let Some(Expr::StringLiteral(key)) = &item.key else {
                    return None;
                };
                names.push(key.value.to_str());
            }
            return Some(names);
        }
        _ => return None,
    };
    let mut names = Vec::with_capacity(elements.len());
    for element in elements {
        let Expr::StringLiteral(string) = element else {
            return None;
        };
        let name = string.value.to_str();
        // `__dict__` and `__weakref__` are special slot requests, not attributes.
        if name != "__dict__" && name != "__weakref__" {
            names.push(name);
        }
    }
    Some(names)
}

/// The names the class body itself binds at its top level, each once (its first
/// binding after any `del` of it), in source order. Bindings inside `if`/`try` are
/// left out: they may not run.
fn class_bindings(body: &[Stmt]) -> Vec<Binding<'_>> {
    let mut bindings: Vec<Binding> = Vec::new();
    for stmt in body {
        match stmt {
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    for name in target_names(target) {
                        if name.id.as_str() != "__slots__" {
                            push(
                                &mut bindings,
                                name.id.as_str(),
                                name.range,
                                BindingKind::Value,
                                stmt,
                            );
                        }
                    }
                }
            }
            Stmt::AnnAssign(assign) if assign.value.is_some() => {
                if let Expr::Name(name) = &*assign.target {
                    push(
                        &mut bindings,
                        name.id.as_str(),
                        name.range,
                        BindingKind::Value,
                        stmt,
                    );
                }
            }
            Stmt::FunctionDef(def) => {
                let kind = if def.decorator_list.iter().any(is_property_decorator) {
                    BindingKind::Property
                } else {
                    BindingKind::Method
                };
                push(&mut bindings, def.name.as_str(), def.name.range, kind, stmt);
            }
            Stmt::ClassDef(inner) => {
                push(
                    &mut bindings,
                    inner.name.as_str(),
                    inner.name.range,
                    BindingKind::Class,
                    stmt,
                );
            }
            Stmt::Import(ast::StmtImport { names, .. })
            | Stmt::ImportFrom(ast::StmtImportFrom { names, .. }) => {
                for alias in names {
                    let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                    let local = local.split('.').next().unwrap_or(local);
                    push(&mut bindings, local, alias.range, BindingKind::Import, stmt);
                }
            }
            Stmt::Delete(delete) => {
                for target in &delete.targets {
                    if let Expr::Name(name) = target {
                        bindings.retain(|b| b.name != name.id.as_str());
                    }
                }
            }
            _ => {}
        }
    }
    bindings
}

fn push<'a>(
    bindings: &mut Vec<Binding<'a>>,
    name: &'a str,
    range: TextRange,
    kind: BindingKind,
    stmt: &'a Stmt,
) {
    if !bindings.iter().any(|b| b.name == name) {
        bindings.push(Binding {
            name,
            range,
            kind,
            stmt,
        });
    }
}

/// The plain names an assignment target binds (`a`, and `a, b` in `a, b = ...`).
fn target_names(target: &Expr) -> Vec<&ast::ExprName> {
    let mut names = Vec::new();
    let mut stack = vec![target];
    while let Some(expr) = stack.pop() {
        match expr {
            Expr::Name(name) => names.push(name),
            Expr::Starred(starred) => stack.push(&starred.value),
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                stack.extend(elts.iter().rev());
            }
            _ => {}
        }
    }
    names
}

fn is_name(expr: &Expr, id: &str) -> bool {
    matches!(expr, Expr::Name(name) if name.id.as_str() == id)
}

/// `@property`, `@functools.cached_property`, or a `@x.setter`/`.getter`/`.deleter`.
fn is_property_decorator(decorator: &ast::Decorator) -> bool {
    match &decorator.expression {
        Expr::Name(name) => matches!(name.id.as_str(), "property" | "cached_property"),
        Expr::Attribute(attr) => matches!(
            attr.attr.as_str(),
            "setter" | "getter" | "deleter" | "cached_property"
        ),
        _ => false,
    }
}

/// A statement short enough to quote; else a placeholder.
fn short(text: &str) -> &str {
    if text.len() <= 40 && !text.contains('\n') {
        text
    } else {
        "the class-level value"
    }
}
