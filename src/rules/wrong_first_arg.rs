//! PF404: a method whose first parameter is missing (every call raises `TypeError`) or
//! is not named for what it receives (`self` for the instance, `cls` for the class).
//!
//! Checked for each `def` directly in a class body. Static methods are skipped, and so
//! is any method with a decorator not known to keep the method's shape (a framework
//! decorator may turn it into a class method, as pydantic's `@validator` does).
//! Accepted spellings: `_self`, `self_`, `subself`, `_cls`, `cls_`; in metaclasses
//! (and any `__new__`) `mcs`, `mcls`, `metacls` too. Silent for a class with its own
//! house style (two or more methods of a kind sharing a departure), for classes
//! defined inside a method (where `self` is taken), for zope `Interface` classes, for
//! functions the class body itself uses (helpers run while the class is created, or
//! rewrapped as in `f = staticmethod(f)`), and for `def m(*args)`. A parameterless
//! method is an error, unless the class has several: then it is a namespace whose
//! functions are called through the class, and the finding is a warning. A misnamed
//! receiver the body never reads, or one the module spells so for the same method in
//! other classes, is `info` (but not `cls` on a method lacking `@classmethod`).

use crate::ast::{
    AnyNodeRef, Decorator, Expr, NodeKind, Ranged, Stmt, StmtClassDef, StmtFunctionDef,
};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF404",
    name: "wrong-first-arg",
    summary: "a method's first parameter receives the instance (`self`) or the class (`cls`); missing or misnamed, it breaks calls or misleads readers",
    severity: Severity::Warning,
    topic: Topic::Classes,
    doc: include_str!("../../rules/wrong-first-arg.md"),
    fix: FixAvailability::None,
    equivalents: &[
        equivalent("ruff", "N805", "invalid-first-argument-name-for-method"),
        equivalent(
            "ruff",
            "N804",
            "invalid-first-argument-name-for-class-method",
        ),
        equivalent("ruff", "PLE0211", "no-method-argument"),
        equivalent("pylint", "E0211", "no-method-argument"),
        equivalent("pylint", "E0213", "no-self-argument"),
        equivalent("pylint", "C0202", "bad-classmethod-argument"),
        equivalent("pylint", "C0204", "bad-mcs-classmethod-argument"),
    ],
};

const fn equivalent(tool: &'static str, code: &'static str, name: &'static str) -> Equivalent {
    Equivalent { tool, code, name }
}

/// Decorators (by last dotted segment) that leave a method taking `self` (or, stacked
/// on `@classmethod`, `cls`) as its first parameter.
const SHAPE_KEEPING: &[&str] = &[
    "property",
    "cached_property",
    "setter",
    "getter",
    "deleter",
    "abstractmethod",
    "abstractproperty",
    "overload",
    "override",
    "final",
    "lru_cache",
    "cache",
    "wraps",
    "contextmanager",
    "asynccontextmanager",
    "singledispatchmethod",
    "deprecated",
    "recursive_repr",
];

/// Base classes (by last dotted segment) that make a class a metaclass.
const METACLASS_BASES: &[&str] = &["type", "ABCMeta", "EnumMeta", "EnumType"];

/// First-parameter names a metaclass may use, for instance and class methods alike.
const METACLASS_NAMES: &[&str] = &[
    "cls",
    "mcs",
    "mcls",
    "mcl",
    "metacls",
    "metaclass",
    "meta",
    "self",
];

/// How deep to follow base classes defined in the same module.
const MAX_BASE_DEPTH: usize = 8;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Instance,
    Class,
    /// `__new__`: an implicit static method that is handed the class.
    New,
}

pub struct WrongFirstArg;

impl Rule for WrongFirstArg {
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
        let Some(class) = owning_class(ctx) else {
            return;
        };
        let Some(kind) = method_kind(def, ctx) else {
            return;
        };
        match first_parameter(def) {
            Some(name) => check_name(def, name, kind, class, ctx, report),
            None => check_missing(def, kind, class, ctx, report),
        }
    }
}

/// The first positional parameter's name, if the method has one.
fn first_parameter(def: &StmtFunctionDef) -> Option<&crate::ast::Parameter> {
    let parameters = &def.parameters;
    parameters
        .posonlyargs
        .first()
        .or(parameters.args.first())
        .map(|p| &p.parameter)
}

/// A method with no positional parameter: the receiver has nowhere to go.
fn check_missing(
    def: &StmtFunctionDef,
    kind: Kind,
    class: &StmtClassDef,
    ctx: &Context,
    report: &mut Report,
) {
    if def.parameters.vararg.is_some()
        || (def.decorator_list.is_empty() && only_docstring(def))
        || is_interface(class, ctx)
        || used_by_class_body(class, def)
    {
        return;
    }
    let class_name = class.name.as_str();
    let method = def.name.as_str();
    let (receiver, call) = match kind {
        Kind::Instance => ("instance", format!("`obj.{method}()` on an instance")),
        Kind::Class => ("class", format!("`{class_name}.{method}()`")),
        Kind::New => ("class", format!("`{class_name}()`")),
    };
    // Several parameterless methods: a class used as a namespace, whose functions are
    // only ever called through the class, where they work (`_Processor.get_win32()`).
    let namespace = kind == Kind::Instance && parameterless_methods(class, ctx) >= 2;
    let (message, help) = if kind == Kind::Instance {
        (
            format!(
                "method `{class_name}.{method}` takes no parameters, but Python passes the instance as the first argument, so {call} raises `TypeError`{}",
                if namespace {
                    format!(
                        "; it works only when called through the class, as `{class_name}.{method}()`"
                    )
                } else {
                    String::new()
                }
            ),
            format!(
                "decorate `{method}` with `@staticmethod` if it needs no instance; otherwise add `self` as its first parameter"
            ),
        )
    } else {
        (
            format!(
                "`{class_name}.{method}` takes no parameters, but Python passes the {receiver} as the first argument, so {call} raises `TypeError`"
            ),
            format!("add `cls` as the first parameter: `def {method}(cls, ...)`"),
        )
    };
    let diagnostic = report.add(def.name.range(), message, help);
    diagnostic.severity = if namespace {
        Severity::Info
    } else {
        Severity::Error
    };
    report.attach_to_last(receiver_suggestion(def, kind, ctx));
}

/// Whether the body is nothing but a docstring: a declaration never meant to be called
/// (a doctest container, an interface method), not a method missing its `self`.
fn only_docstring(def: &StmtFunctionDef) -> bool {
    matches!(def.body.as_slice(), [Stmt::Expr(expr)] if expr.value.is_string_literal_expr())
        || matches!(def.body.as_slice(), [Stmt::Pass(_)])
}

/// A first parameter named against the convention for what it receives.
fn check_name(
    def: &StmtFunctionDef,
    param: &crate::ast::Parameter,
    kind: Kind,
    class: &StmtClassDef,
    ctx: &Context,
    report: &mut Report,
) {
    let name = param.name.as_str();
    if is_conventional(name, kind, false) {
        return;
    }
    let metaclass = is_metaclass(class, ctx);
    if is_conventional(name, kind, metaclass)
        || (kind == Kind::Instance && name != "cls" && nested_in_method(ctx))
        || def.name.as_str() == "_generate_next_value_"
        || is_interface(class, ctx)
        || has_own_convention(class, kind, metaclass, ctx)
        || used_by_class_body(class, def)
    {
        return;
    }
    let class_name = class.name.as_str();
    let method = def.name.as_str();
    let (message, help) = match kind {
        Kind::Instance if name == "cls" => (
            format!(
                "the first parameter of method `{class_name}.{method}` is `cls`, but without `@classmethod` it receives the instance, not the class"
            ),
            format!(
                "if `{method}` should receive the class, decorate it with `@classmethod`; otherwise rename `cls` to `self`"
            ),
        ),
        Kind::Instance => (
            format!(
                "the first parameter of method `{class_name}.{method}` is `{name}`, but it receives the instance; readers, IDEs and type checkers expect it to be called `self`"
            ),
            format!(
                "rename `{name}` to `self`; if `{method}` needs no instance and `{name}` is a real argument, decorate it with `@staticmethod`"
            ),
        ),
        Kind::Class | Kind::New => {
            let what = if kind == Kind::New {
                ""
            } else {
                "class method "
            };
            (
                format!(
                    "the first parameter of {what}`{class_name}.{method}` is `{name}`, but it receives the class, not an instance; readers and type checkers expect it to be called `cls`"
                ),
                format!("rename `{name}` to `cls`"),
            )
        }
    };
    let diagnostic = report.add(param.range(), message, help);
    // `_eval_power(b, e)`, `from_ring(K1, a, K0)`, `is_similar(t1, t2)`: the receiver is
    // named as one operand among peers in the method's own notation — deliberate.
    let notation = kind == Kind::Instance && is_operand_notation(def);
    // `cls` on a method without `@classmethod` is a missing decorator, whatever the
    // body does; any other misnaming only misleads, so it matters where the name is read
    // and where it is a slip rather than the module's habit.
    // A default (`def bind(sequence=None)`) marks an argument, not a receiver: `self`
    // is missing. A name taken from an enclosing function (`def _pdf(dist, x)` inside a
    // function of `dist`) is a trap for the next edit even when unread.
    let missing_decorator = kind == Kind::Instance && name == "cls";
    let naming_only = !(missing_decorator || has_default(def) || shadows_enclosing(name, ctx));
    if notation
        || (naming_only && (!reads_name(&def.body, name) || module_habit(def, name, kind, ctx)))
    {
        diagnostic.severity = Severity::Info;
    }
}

/// Whether the first parameter has a default value.
fn has_default(def: &StmtFunctionDef) -> bool {
    let parameters = &def.parameters;
    parameters
        .posonlyargs
        .first()
        .or(parameters.args.first())
        .is_some_and(|p| p.default.is_some())
}

/// Whether a function around the class binds `name` (as a parameter or in its body).
fn shadows_enclosing(name: &str, ctx: &Context) -> bool {
    ctx.ancestors()
        .filter_map(|node| match node {
            AnyNodeRef::StmtFunctionDef(outer) => Some(outer),
            _ => None,
        })
        .any(|outer| outer.parameters.includes(name) || ctx.function_binds(outer, name))
}

/// Whether `body` reads `name` anywhere, nested functions and lambdas included.
fn reads_name(body: &[Stmt], name: &str) -> bool {
    let mut found = false;
    for stmt in body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            found |= matches!(node, AnyNodeRef::ExprName(n) if n.id.as_str() == name);
            !found
        });
    }
    found
}

/// Whether another class of the module defines a method of the same name and kind with
/// the same first parameter (SymPy's `dual_class(self)` class methods, one per state
/// class): the module's own spelling, not a slip.
fn module_habit(def: &StmtFunctionDef, name: &str, kind: Kind, ctx: &Context) -> bool {
    let Some(module) = ctx.ancestors().last() else {
        return false;
    };
    let mut alike = 0;
    for_each_node(module, |node| {
        if let AnyNodeRef::StmtClassDef(class) = node {
            alike += class
                .body
                .iter()
                .filter(|stmt| {
                    matches!(stmt, Stmt::FunctionDef(other)
                        if other.name.as_str() == def.name.as_str()
                            && first_parameter(other).is_some_and(|p| p.name.as_str() == name)
                            && method_kind(other, ctx) == Some(kind))
                })
                .count();
        }
        alike < 2
    });
    alike >= 2
}

/// Whether the first parameter is named as a peer of another positional parameter, in
/// a notation: both one letter (`b, e`; `H, K`), or the same one-letter stem with
/// different digits (`t1, t2`; `K1, a, K0`).
fn is_operand_notation(def: &StmtFunctionDef) -> bool {
    let mut names = def
        .parameters
        .posonlyargs
        .iter()
        .chain(&def.parameters.args)
        .map(|p| p.parameter.name.as_str());
    let Some(first) = names.next() else {
        return false;
    };
    let stem = |name: &str| name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let letter = |name: &str| name.len() == 1 && name.chars().all(|c| c.is_ascii_alphabetic());
    let numbered = |name: &str| stem(name) == 1 && name.len() > 1;
    names.any(|other| {
        (letter(first) && letter(other))
            || (numbered(first) && numbered(other) && first[..1] == other[..1])
    })
}

/// Whether the class being checked is defined inside a method, where `self` is
/// already taken by the outer method and the inner one picks another name
/// (`self_`, `proto`) on purpose.
fn nested_in_method(ctx: &Context) -> bool {
    ctx.ancestors().any(|node| {
        matches!(node, AnyNodeRef::StmtFunctionDef(outer)
            if first_parameter(outer).is_some_and(|p| p.name.as_str() == "self"))
    })
}

/// How many of the class's own methods take no parameters at all.
fn parameterless_methods(class: &StmtClassDef, ctx: &Context) -> usize {
    class
        .body
        .iter()
        .filter(|stmt| {
            matches!(stmt, Stmt::FunctionDef(method)
                if method_kind(method, ctx) == Some(Kind::Instance)
                    && first_parameter(method).is_none()
                    && method.parameters.vararg.is_none())
        })
        .count()
}

/// Whether `name` is the usual first parameter for a method of this kind: `self` or
/// `cls`, with leading or trailing underscores (`_self`, `cls_`) or as part of a
/// longer name (`subself`); in a metaclass or `__new__`, the metaclass spellings too.
fn is_conventional(name: &str, kind: Kind, metaclass: bool) -> bool {
    let bare = name.trim_matches('_');
    let meta = METACLASS_NAMES.contains(&bare);
    match kind {
        Kind::Instance => bare.starts_with("self") || bare.ends_with("self") || (metaclass && meta),
        Kind::Class => bare == "cls" || (metaclass && meta),
        // `__new__(type, ...)` names the class for what it is.
        Kind::New => bare == "cls" || bare == "type" || (meta && bare != "self"),
    }
}

/// Whether the class deliberately names the first parameter its own way: two or more
/// of its methods of the same kind depart from the convention (SymPy's `def
/// degree(f)`, `fractions.Fraction`'s `def __neg__(a)`, or `cls` throughout a
/// metaclass whose base lives in another module). A house style is not a slip.
fn has_own_convention(class: &StmtClassDef, kind: Kind, metaclass: bool, ctx: &Context) -> bool {
    let mut departures = 0;
    for stmt in &class.body {
        let Stmt::FunctionDef(method) = stmt else {
            continue;
        };
        let Some(first) = first_parameter(method) else {
            continue;
        };
        if method_kind(method, ctx) == Some(kind)
            && !is_conventional(first.name.as_str(), kind, metaclass)
        {
            departures += 1;
            if departures >= 2 {
                return true;
            }
        }
    }
    false
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

/// What the method's first parameter receives, or `None` for a static method or a
/// method whose decorators may change that.
fn method_kind(def: &StmtFunctionDef, ctx: &Context) -> Option<Kind> {
    let mut kind = match def.name.as_str() {
        "__new__" => Kind::New,
        "__init_subclass__" | "__class_getitem__" => Kind::Class,
        _ => Kind::Instance,
    };
    for decorator in &def.decorator_list {
        match last_segment(decorator, ctx) {
            Some("staticmethod" | "abstractstaticmethod") if kind != Kind::New => return None,
            Some("classmethod" | "abstractclassmethod") if kind != Kind::New => {
                kind = Kind::Class;
            }
            Some(name) if SHAPE_KEEPING.contains(&name) => {}
            _ => return None,
        }
    }
    Some(kind)
}

/// The last dotted segment of what a decorator names (`abstractmethod` for
/// `@abc.abstractmethod`, `setter` for `@value.setter`, `lru_cache` for `@lru_cache()`);
/// an imported name counts by what it was imported as (`from x import y as z`).
fn last_segment<'s>(decorator: &'s Decorator, ctx: &'s Context) -> Option<&'s str> {
    let expr = match &decorator.expression {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    match expr {
        Expr::Name(name) => Some(
            ctx.facts()
                .import_of(name.id.as_str())
                .map_or(name.id.as_str(), |full| {
                    full.rsplit('.').next().unwrap_or(full)
                }),
        ),
        Expr::Attribute(attr) => Some(attr.attr.as_str()),
        _ => None,
    }
}

/// Whether the class is a metaclass: named or derived (directly or through a class of
/// this module) like one — `type`, `ABCMeta`, `...Meta`, `...Metaclass`.
fn is_metaclass(class: &StmtClassDef, ctx: &Context) -> bool {
    let meta = |name: &str| {
        METACLASS_BASES.contains(&name)
            || name.ends_with("Meta")
            || name.ends_with("Metaclass")
            || name.ends_with("MetaClass")
    };
    meta(class.name.as_str()) || derives_from(class, ctx, &meta, 0)
}

/// Whether the class is a zope-style interface (`class IFoo(Interface)`), whose
/// methods are declared without `self`.
fn is_interface(class: &StmtClassDef, ctx: &Context) -> bool {
    derives_from(class, ctx, &|name| name == "Interface", 0)
}

/// Whether a base class (by last dotted segment), or a base of a base defined in this
/// module, satisfies `wanted`.
fn derives_from(
    class: &StmtClassDef,
    ctx: &Context,
    wanted: &dyn Fn(&str) -> bool,
    depth: usize,
) -> bool {
    depth < MAX_BASE_DEPTH
        && class.bases().iter().any(|base| {
            let name = match base {
                Expr::Name(name) => name.id.as_str(),
                Expr::Attribute(attr) => attr.attr.as_str(),
                _ => "",
            };
            wanted(name)
                || ctx.resolve_class(base).is_some_and(|parent| {
                    !std::ptr::eq(parent, class) && derives_from(parent, ctx, wanted, depth + 1)
                })
        })
}

/// Whether the class body itself uses the function while the class is being created:
/// as a decorator of another method, in a class-level statement (`x = _make('x')`,
/// `f = staticmethod(f)`, `del f`), or rebinds its name. Such a function is a helper
/// of the class body, not a method.
fn used_by_class_body(class: &StmtClassDef, def: &StmtFunctionDef) -> bool {
    let name = def.name.as_str();
    let mut used = false;
    for stmt in &class.body {
        match stmt {
            Stmt::FunctionDef(other) => {
                used |= other.decorator_list.iter().any(|d| match &d.expression {
                    Expr::Name(n) => n.id.as_str() == name,
                    Expr::Call(call) => {
                        matches!(&*call.func, Expr::Name(n) if n.id.as_str() == name)
                            || call.arguments.args.iter().any(|arg| mentions(arg, name))
                    }
                    _ => false,
                });
            }
            Stmt::ClassDef(_) => {}
            other => {
                for_each_node(AnyNodeRef::from(other), |node| {
                    if let AnyNodeRef::ExprName(n) = node {
                        used |= n.id.as_str() == name;
                    }
                    !used
                        && !matches!(
                            node,
                            AnyNodeRef::StmtFunctionDef(_)
                                | AnyNodeRef::StmtClassDef(_)
                                | AnyNodeRef::ExprLambda(_)
                        )
                });
            }
        }
        if used {
            return true;
        }
    }
    false
}

/// Whether `expr` reads the name `name` anywhere.
fn mentions(expr: &Expr, name: &str) -> bool {
    let mut found = false;
    for_each_node(AnyNodeRef::from(expr), |node| {
        found |= matches!(node, AnyNodeRef::ExprName(n) if n.id.as_str() == name);
        !found
    });
    found
}

/// `self` (or `cls`) added as the first parameter, for teach mode. Display-only:
/// `@staticmethod` may be what the author meant.
fn receiver_suggestion(
    def: &StmtFunctionDef,
    kind: Kind,
    ctx: &Context,
) -> Option<crate::rule::Fix> {
    let receiver = if kind == Kind::Instance {
        "self"
    } else {
        "cls"
    };
    let text = ctx.text_of(&*def.parameters);
    let inner = text.strip_prefix('(')?.strip_suffix(')')?;
    let content = if inner.trim().is_empty() {
        receiver.to_owned()
    } else {
        format!("{receiver}, ")
    };
    let at = def.parameters.start() + crate::ast::TextSize::new(1);
    Some(crate::rule::Fix::display_only(
        format!("add `{receiver}` as the first parameter"),
        vec![crate::rule::Edit::replace(
            crate::ast::TextRange::empty(at),
            content,
        )],
    ))
}
