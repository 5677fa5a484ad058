//! PF409: a `@staticmethod` alternate constructor that builds its own class by name
//! (`return User(**data)`), so on a subclass it still returns the base class.
//!
//! Recognised: `return C(...)`, and `obj = C(...)` followed later by `return obj`, in
//! the static method's own body (not in nested functions), where `C` is the class the
//! method belongs to and the name is not rebound in the method. Silent for classes
//! that cannot be subclassed (`@final`, enums), for classes nested in another class
//! (their name is not visible from the method), for `__new__`, and in stubs. A factory
//! that must return exactly the base class is a `# noqa` case.

use crate::ast::{
    AnyNodeRef, Expr, ExprCall, NodeKind, Ranged, Stmt, StmtClassDef, StmtFunctionDef,
};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rule::{FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF409",
    name: "staticmethod-constructor",
    summary: "a `@staticmethod` factory that builds its own class by name returns the base class when called on a subclass",
    severity: Severity::Warning,
    topic: Topic::Classes,
    doc: include_str!("../../rules/staticmethod-constructor.md"),
    fix: FixAvailability::None,
    equivalents: &[],
};

/// Base classes (by last dotted segment) of classes that cannot be subclassed once
/// they have members.
const ENUM_BASES: &[&str] = &["Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"];

pub struct StaticmethodConstructor;

impl Rule for StaticmethodConstructor {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::StmtFunctionDef(def) = node else {
            return;
        };
        if def.decorator_list.is_empty()
            || def.name.as_str() == "__new__"
            || !def
                .decorator_list
                .iter()
                .any(|d| ctx.is_builtin(&d.expression, "staticmethod"))
        {
            return;
        }
        let mut scopes = ctx.ancestors().filter(|node| is_scope(*node));
        let Some(AnyNodeRef::StmtClassDef(class)) = scopes.next() else {
            return;
        };
        // A class nested in a class: its name is not visible inside the method.
        if matches!(scopes.next(), Some(AnyNodeRef::StmtClassDef(_)))
            || ctx.is_stub()
            || cannot_be_subclassed(class, ctx)
            || picks_own_class(class)
        {
            return;
        }
        let class_name = class.name.as_str();
        if binds(def, class_name, ctx) {
            return;
        }
        let Some(call) = returned_instance(def, class_name) else {
            return;
        };
        let method = def.name.as_str();
        let arguments = ctx.text_of(&call.arguments);
        let arguments = if arguments.len() <= 40 && !arguments.contains('\n') {
            arguments
        } else {
            "(...)"
        };
        // Name a real subclass from this module when there is one.
        let real_subclass = ctx
            .facts()
            .classes()
            .filter(|other| {
                other
                    .bases()
                    .iter()
                    .any(|base| matches!(base, Expr::Name(n) if n.id.as_str() == class_name))
            })
            .map(|other| other.name.as_str())
            .min();
        let subclass = real_subclass.map_or_else(
            || format!("a subclass (`Sub.{method}(...)`)"),
            |sub| format!("`{sub}.{method}(...)`"),
        );
        let diagnostic = report.add(
            call.range(),
            format!(
                "static method `{class_name}.{method}` creates its object with `{class_name}(...)`, naming the class, so calling it as {subclass} still returns a plain `{class_name}`"
            ),
            format!(
                "make it a `@classmethod`, add `cls` as its first parameter and build the object with `cls{arguments}`, so each subclass gets instances of its own class"
            ),
        );
        // Evidence: a subclass in this module gets the wrong class back. Without one
        // the class may never be subclassed: a hint.
        if real_subclass.is_none() {
            diagnostic.severity = Severity::Info;
        }
    }
}

fn is_scope(node: AnyNodeRef) -> bool {
    matches!(
        node,
        AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_) | AnyNodeRef::ExprLambda(_)
    )
}

/// Whether the class is `@final` (`typing.final`, `typing_extensions.final`) or an
/// enum, so no subclass can inherit the factory.
fn cannot_be_subclassed(class: &StmtClassDef, ctx: &Context) -> bool {
    let last = |expr: &Expr| -> Option<String> {
        let expr = match expr {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        match expr {
            Expr::Attribute(attr) => Some(attr.attr.to_string()),
            Expr::Name(_) => ctx
                .qualified_name(expr)
                .map(|full| full.rsplit('.').next().unwrap_or_default().to_owned()),
            _ => None,
        }
    };
    class
        .decorator_list
        .iter()
        .any(|d| last(&d.expression).as_deref() == Some("final"))
        || class
            .bases()
            .iter()
            .any(|base| last(base).is_some_and(|name| ENUM_BASES.contains(&name.as_str())))
}

/// Whether the class's `__init__` or `__new__` assigns `__class__` (GDAL's
/// `OGRGeometry` turns itself into `Point`, `Polygon`, ... from the data): then
/// `C(...)` already gives the right class and `cls(...)` would change nothing.
fn picks_own_class(class: &StmtClassDef) -> bool {
    class.body.iter().any(|stmt| {
        let Stmt::FunctionDef(def) = stmt else {
            return false;
        };
        if !matches!(def.name.as_str(), "__init__" | "__new__") {
            return false;
        }
        let mut found = false;
        for_each_node(AnyNodeRef::from(def), |node| {
            if let AnyNodeRef::StmtAssign(assign) = node {
                found |= assign.targets.iter().any(
                    |target| matches!(target, Expr::Attribute(attr) if attr.attr.as_str() == "__class__"),
                );
            }
            !found
        });
        found
    })
}

/// Whether the method rebinds the class's name (as a parameter or in its body), so
/// that the name no longer means the class.
fn binds<'a>(def: &'a StmtFunctionDef, name: &str, ctx: &Context<'a>) -> bool {
    def.parameters.iter().any(|p| p.name().as_str() == name) || ctx.function_binds(def, name)
}

/// The call that builds the instance the method returns, when the method is a pure
/// factory: every `return` gives either a new instance (`return C(...)`, or `obj =
/// C(...)` and a later `return obj`) or `None`, and at least one gives an instance. A
/// method that sometimes returns something else (`return args.pop()`,
/// `return q1 * q2`) is an algorithm that happens to build the class, not a
/// constructor.
fn returned_instance<'a>(def: &'a StmtFunctionDef, class_name: &str) -> Option<&'a ExprCall> {
    let built_call = |expr: &'a Expr| -> Option<&'a ExprCall> {
        match expr {
            Expr::Call(call) if matches!(&*call.func, Expr::Name(n) if n.id.as_str() == class_name) => {
                Some(call)
            }
            _ => None,
        }
    };
    let mut built: Vec<(&str, &ExprCall)> = Vec::new();
    let mut first = None;
    let mut pure = true;
    for stmt in &def.body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            match node {
                AnyNodeRef::StmtAssign(assign) => {
                    if let ([Expr::Name(target)], Some(call)) =
                        (assign.targets.as_slice(), built_call(&assign.value))
                    {
                        built.push((target.id.as_str(), call));
                    }
                }
                AnyNodeRef::StmtReturn(ret) => {
                    let instance = match ret.value.as_deref() {
                        None | Some(Expr::NoneLiteral(_)) => return true,
                        Some(Expr::Name(name)) => built
                            .iter()
                            .rev()
                            .find(|(bound, _)| *bound == name.id.as_str())
                            .map(|(_, call)| *call),
                        Some(value) => built_call(value),
                    };
                    match instance {
                        Some(call) => {
                            first.get_or_insert(call);
                        }
                        None => pure = false,
                    }
                }
                _ => {}
            }
            pure && !is_scope(node)
        });
        if !pure {
            return None;
        }
    }
    first
}
