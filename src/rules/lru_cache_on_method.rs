//! PF408: `functools.lru_cache` / `functools.cache` on an instance method, where the
//! cache lives on the class's function and keeps every `self` it has seen alive.
//!
//! An unbounded cache (`@cache`, `maxsize=None`) on an ordinary class is an error: it
//! never lets an instance go. A bounded one (`@lru_cache`, `maxsize=N`) is a warning:
//! it holds up to N instances past their last use. Immutable value classes (frozen
//! dataclasses and attrs classes, `NamedTuple`s, classes with `__slots__` and their
//! own `__hash__`) hash by value, so a bounded cache on them is a deliberate memo
//! table and stays silent; an unbounded one still grows with every distinct value and
//! is a warning. Enum members and metaclass instances (classes) live as long as their
//! class anyway, so methods of enums and metaclasses are never flagged. Static and
//! class methods, nested functions, `functools.cached_property` and test code are not
//! concerned.

use crate::ast::{
    AnyNodeRef, Decorator, Expr, NodeKind, Ranged, Stmt, StmtClassDef, StmtFunctionDef,
};
use crate::checker::Context;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};
use std::collections::HashSet;

pub static META: RuleMeta = RuleMeta {
    code: "PF408",
    name: "lru-cache-on-method",
    summary: "`functools.lru_cache`/`cache` on a method keeps every instance it sees alive and shares one cache across instances",
    severity: Severity::Warning,
    topic: Topic::Classes,
    doc: include_str!("../../rules/lru-cache-on-method.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "B019",
            name: "cached-instance-method",
        },
        Equivalent {
            tool: "flake8-bugbear",
            code: "B019",
            name: "",
        },
        Equivalent {
            tool: "pylint",
            code: "W1518",
            name: "method-cache-max-size-none",
        },
    ],
};

/// Base classes (by last dotted segment) whose instances are a fixed set of
/// long-lived objects: enum members, and classes (for metaclasses).
const LONG_LIVED_BASES: &[&str] = &[
    "Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "ReprEnum", "type", "ABCMeta", "EnumMeta",
    "EnumType",
];

/// Base classes (by last dotted segment) of immutable value types.
const VALUE_BASES: &[&str] = &["NamedTuple", "namedtuple", "tuple", "frozenset"];

/// First-parameter names that say the method receives a class, not an instance.
const CLASS_RECEIVERS: &[&str] = &["cls", "klass", "mcs", "mcls", "metacls"];

/// How deep to follow base classes defined in the same module.
const MAX_BASE_DEPTH: usize = 8;

pub struct LruCacheOnMethod;

impl Rule for LruCacheOnMethod {
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
        if def.decorator_list.is_empty() {
            return;
        }
        let Some((decorator, cache)) = def
            .decorator_list
            .iter()
            .find_map(|d| cache_kind(d, ctx).map(|kind| (d, kind)))
        else {
            return;
        };
        let Some(class) = owning_class(ctx) else {
            return;
        };
        if !is_instance_method(def, ctx) || ctx.in_test_code() || ctx.is_stub() {
            return;
        }
        // `f = classmethod(f)` later in the class body: not an instance method after all.
        if has_base(class, ctx, LONG_LIVED_BASES, 0) || rebinds(class, def) {
            return;
        }
        let value_class = is_value_class(class, ctx);
        let severity = match (&cache, value_class) {
            (Cache::Bounded(_), true) => return,
            // A class the module instantiates once at top level (`apps = Apps()`) is a
            // singleton: the one instance lives as long as the module anyway.
            _ if module_instance(class.name.as_str(), ctx) => Severity::Info,
            (Cache::Unbounded, false) => Severity::Error,
            _ => Severity::Warning,
        };
        let class_name = class.name.as_str();
        let method = def.name.as_str();
        let shown = ctx.text_of(&decorator.expression);
        let shown = if shown.len() <= 40 && !shown.contains('\n') {
            shown
        } else {
            "lru_cache"
        };
        let message = match (&cache, value_class) {
            (Cache::Unbounded, false) => format!(
                "`@{shown}` on method `{class_name}.{method}` stores `self` in a cache that lives as long as the class, so every `{class_name}` it is called on is kept alive forever"
            ),
            (Cache::Unbounded, _) => format!(
                "`@{shown}` on method `{class_name}.{method}` never evicts: it keeps an entry, holding a `{class_name}`, for every distinct `{class_name}` and arguments it is ever called with"
            ),
            (Cache::Bounded(size), _) => format!(
                "`@{shown}` on method `{class_name}.{method}` stores `self` in a cache shared by the whole class, so up to {size} `{class_name}` instances stay alive after their last use"
            ),
        };
        let is_property = def
            .decorator_list
            .iter()
            .any(|d| matches!(&d.expression, Expr::Name(n) if n.id.as_str() == "property"));
        let help = if is_property && takes_only_self(def) {
            format!(
                "replace `@property` and `@{shown}` with `@functools.cached_property`: it stores the value on each instance and frees it with the instance"
            )
        } else if takes_only_self(def) {
            format!(
                "use `@functools.cached_property` (it stores the result on each instance, freed with it; read it as `obj.{method}` without the call), or move the computation to a module-level cached function of the values it needs"
            )
        } else {
            format!(
                "cache per instance: rename the method `_{method}` and set `self.{method} = functools.lru_cache(maxsize=...)(self._{method})` in `__init__`, so the cache goes away with the instance; or move the computation to a module-level cached function of the values it needs rather than `self`"
            )
        };
        report
            .add(decorator.expression.range(), message, help)
            .severity = severity;
    }
}

enum Cache<'a> {
    /// `maxsize` as written (`128` for the default).
    Bounded(&'a str),
    Unbounded,
}

/// Whether a decorator is `functools.cache` or `functools.lru_cache` in any form, and
/// whether the cache it builds is bounded.
fn cache_kind<'a>(decorator: &Decorator, ctx: &Context<'a>) -> Option<Cache<'a>> {
    let (callee, call) = match &decorator.expression {
        Expr::Call(call) => (&*call.func, Some(call)),
        other => (other, None),
    };
    // Cheap first: a bare name counts only if imported, an attribute only if it is
    // called `cache` or `lru_cache`.
    let name = match callee {
        Expr::Name(name) => ctx.facts().import_of(name.id.as_str())?.to_owned(),
        Expr::Attribute(attr) if matches!(attr.attr.as_str(), "cache" | "lru_cache") => {
            ctx.qualified_name(callee)?
        }
        _ => return None,
    };
    if name == "functools.cache" {
        return Some(Cache::Unbounded);
    }
    if name != "functools.lru_cache" && !name.ends_with(".lru_cache") {
        return None;
    }
    let Some(call) = call else {
        return Some(Cache::Bounded("128"));
    };
    match call.arguments.find_argument_value("maxsize", 0) {
        None => Some(Cache::Bounded("128")),
        Some(Expr::NoneLiteral(_)) => Some(Cache::Unbounded),
        Some(size) => {
            let text = ctx.text_of(size);
            Some(Cache::Bounded(if text.len() <= 20 {
                text
            } else {
                "`maxsize`"
            }))
        }
    }
}

/// The class whose body defines the function being checked (not a class further out).
fn owning_class<'a>(ctx: &Context<'a>) -> Option<&'a StmtClassDef> {
    ctx.ancestors()
        .find_map(|node| match node {
            AnyNodeRef::StmtClassDef(class) => Some(Some(class)),
            AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::ExprLambda(_) => Some(None),
            _ => None,
        })
        .flatten()
}

/// Whether the method receives the instance: not a static or class method (by
/// decorator or by its name), and it has a parameter to receive it.
fn is_instance_method(def: &StmtFunctionDef, ctx: &Context) -> bool {
    if matches!(
        def.name.as_str(),
        "__new__" | "__init_subclass__" | "__class_getitem__"
    ) {
        return false;
    }
    let parameters = &def.parameters;
    let Some(first) = parameters.posonlyargs.first().or(parameters.args.first()) else {
        return false;
    };
    // `def f(cls)` under a decorator such as `@classproperty`: keyed on classes.
    if CLASS_RECEIVERS.contains(&first.parameter.name.trim_matches('_')) {
        return false;
    }
    !def.decorator_list.iter().any(|d| {
        let expr = match &d.expression {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        let last = match expr {
            Expr::Name(name) => ctx
                .facts()
                .import_of(name.id.as_str())
                .map_or(name.id.as_str(), |full| {
                    full.rsplit('.').next().unwrap_or(full)
                }),
            Expr::Attribute(attr) => attr.attr.as_str(),
            _ => "",
        };
        matches!(
            last,
            "staticmethod" | "classmethod" | "abstractclassmethod" | "abstractstaticmethod"
        )
    })
}

fn takes_only_self(def: &StmtFunctionDef) -> bool {
    let parameters = &def.parameters;
    parameters.posonlyargs.len() + parameters.args.len() == 1
        && parameters.vararg.is_none()
        && parameters.kwonlyargs.is_empty()
        && parameters.kwarg.is_none()
}

/// Whether the class, or a base class defined in this module, derives from one of
/// `bases` (by last dotted segment).
fn has_base(class: &StmtClassDef, ctx: &Context, bases: &[&str], depth: usize) -> bool {
    depth < MAX_BASE_DEPTH
        && class.bases().iter().any(|base| {
            let callee = match base {
                Expr::Call(call) => &*call.func,
                other => other,
            };
            let last = match callee {
                Expr::Name(name) => name.id.as_str(),
                Expr::Attribute(attr) => attr.attr.as_str(),
                _ => "",
            };
            bases.contains(&last)
                || ctx.resolve_class(base).is_some_and(|parent| {
                    !std::ptr::eq(parent, class) && has_base(parent, ctx, bases, depth + 1)
                })
        })
}

/// Whether instances hash by value, so that a cache keyed on them is a memo table of
/// values rather than of objects: a frozen dataclass or attrs class, a named tuple, or
/// a class with a `__hash__` of its own or from a base class in this module.
fn is_value_class(class: &StmtClassDef, ctx: &Context) -> bool {
    let frozen_decorator = class.decorator_list.iter().any(|d| match &d.expression {
        Expr::Call(call) => call
            .arguments
            .find_keyword("frozen")
            .is_some_and(|k| matches!(k.value, Expr::BooleanLiteral(ref b) if b.value)),
        Expr::Name(name) => name.id.as_str() == "frozen",
        Expr::Attribute(attr) => attr.attr.as_str() == "frozen",
        _ => false,
    });
    frozen_decorator || has_base(class, ctx, VALUE_BASES, 0) || hashes(class, ctx, 0)
}

/// Whether the class or a base class in this module defines `__hash__` (and does not
/// set it to `None`).
fn hashes(class: &StmtClassDef, ctx: &Context, depth: usize) -> bool {
    let own = class.body.iter().find_map(|stmt| match stmt {
        Stmt::FunctionDef(def) if def.name.as_str() == "__hash__" => Some(true),
        Stmt::Assign(assign)
            if assign
                .targets
                .iter()
                .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == "__hash__")) =>
        {
            Some(!assign.value.is_none_literal_expr())
        }
        _ => None,
    });
    match own {
        Some(hashes) => hashes,
        None => {
            depth < MAX_BASE_DEPTH
                && class.bases().iter().any(|base| {
                    ctx.resolve_class(base).is_some_and(|parent| {
                        !std::ptr::eq(parent, class) && hashes(parent, ctx, depth + 1)
                    })
                })
        }
    }
}

/// Whether a class-level assignment after the `def` rebinds the method's name.
fn rebinds(class: &StmtClassDef, def: &StmtFunctionDef) -> bool {
    let name = def.name.as_str();
    class.body.iter().any(|stmt| {
        stmt.start() > def.start()
            && matches!(stmt, Stmt::Assign(assign)
                if assign.targets.iter().any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == name)))
    })
}

/// Whether a top-level statement of the module binds an instance of the class
/// (`apps = Apps(installed_apps=None)`).
fn module_instance(class_name: &str, ctx: &Context) -> bool {
    ctx.memo(|| ModuleCalls::collect(ctx.source()))
        .0
        .contains(class_name)
}

/// Every `NAME` in `= NAME(` on a line that starts with a letter or `_`: one pass over
/// the source, not one per class asked about.
struct ModuleCalls(HashSet<String>);

impl ModuleCalls {
    fn collect(source: &str) -> Self {
        let mut names = HashSet::new();
        let lines = source
            .lines()
            .filter(|line| line.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'));
        for line in lines {
            for (at, _) in line.match_indices("= ") {
                // A class name holds no `(`, `=` or space: `= NAME(` calls the name
                // that ends at the first of them, if that is a `(`.
                let rest = &line[at + 2..];
                if let Some(end) = rest.find(['(', '=', ' '])
                    && rest[end..].starts_with('(')
                {
                    names.insert(rest[..end].to_owned());
                }
            }
        }
        ModuleCalls(names)
    }
}
