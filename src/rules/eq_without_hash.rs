//! PF402: a class that defines `__eq__` but no `__hash__`, so its instances are unhashable.
//!
//! When a class body defines `__eq__` and not `__hash__`, `type.__new__` stores
//! `__hash__ = None` in it: `hash(obj)`, `{obj}` and `d[obj]` then raise `TypeError`,
//! whatever a base class provided. The rule stays silent where unhashability is right or
//! handled elsewhere: dataclass/attrs/pydantic classes (they generate `__hash__`), abstract
//! bases and protocols, `NamedTuple`s (their `__hash__` survives), classes whose instances
//! change after `__init__` (hashing them would be wrong), and bases whose module-level
//! subclasses restore `__hash__`. Enum members and classes that hash `self` themselves
//! (`hash(self)`, `{self}`, `@lru_cache` on a method) are errors: the `TypeError` is sure.

use crate::ast::{self, AnyNodeRef, Expr, ExprContext, NodeKind, Ranged, Stmt};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF402",
    name: "eq-without-hash",
    summary: "a class that defines `__eq__` without `__hash__` gets `__hash__ = None`, so its instances cannot go in sets or be dict keys",
    severity: Severity::Warning,
    topic: Topic::Classes,
    doc: include_str!("../../rules/eq-without-hash.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "PLW1641",
            name: "eq-without-hash",
        },
        Equivalent {
            tool: "pylint",
            code: "W1641",
            name: "eq-without-hash",
        },
    ],
};

/// Class decorators (last name segment) that generate `__hash__` or decide it themselves.
const GENERATING_DECORATORS: &[&str] = &[
    "dataclass",
    "s",
    "attrs",
    "define",
    "frozen",
    "mutable",
    "dataclass_transform",
];

/// Bases (last name segment) whose classes are abstract, generated or keep their hash.
const EXEMPT_BASES: &[&str] = &[
    "ABC",
    "Protocol",
    "NamedTuple",
    "TypedDict",
    "BaseModel",
    "RootModel",
    "Struct",
];

/// Bases (last name segment) whose instances are unhashable already (mutable containers
/// and the ABCs that define `__eq__`), so a subclass's `__eq__` changes nothing.
const UNHASHABLE_BASES: &[&str] = &[
    "list",
    "dict",
    "set",
    "bytearray",
    "deque",
    "defaultdict",
    "OrderedDict",
    "Counter",
    "UserList",
    "UserDict",
    "Mapping",
    "MutableMapping",
    "Set",
    "AbstractSet",
    "MutableSet",
    "MutableSequence",
];

const ENUM_BASES: &[&str] = &["Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "ReprEnum"];

/// Methods whose presence says instances change in place, like a container's.
const MUTATOR_METHODS: &[&str] = &[
    "__setitem__",
    "__delitem__",
    "__setattr__",
    "__delattr__",
    "__iadd__",
    "__isub__",
    "__ior__",
    "__iand__",
    "append",
    "extend",
    "insert",
    "add",
    "discard",
    "remove",
    "pop",
    "clear",
    "update",
    "setdefault",
];

/// Methods that set up an instance, where assigning `self.x` is not mutation.
const INIT_METHODS: &[&str] = &[
    "__init__",
    "__new__",
    "__post_init__",
    "__setstate__",
    "__init_subclass__",
];

/// Calls on `self.attr` that change the attribute's value in place.
const MUTATING_CALLS: &[&str] = &[
    "append",
    "appendleft",
    "extend",
    "extendleft",
    "insert",
    "add",
    "discard",
    "remove",
    "pop",
    "popleft",
    "popitem",
    "clear",
    "update",
    "setdefault",
    "sort",
    "reverse",
];

/// Methods that make a class a value type (ordering, arithmetic).
const VALUE_TYPE_METHODS: &[&str] = &[
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__add__",
    "__sub__",
    "__mul__",
    "__truediv__",
    "__neg__",
];

pub struct EqWithoutHash;

impl Rule for EqWithoutHash {
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
        if ctx.is_stub() || !binds(&class.body, "__eq__", 0) || binds(&class.body, "__hash__", 0) {
            return;
        }
        if exempt_by_header(class) {
            return;
        }
        let bases = class.bases();
        let is_enum = bases.iter().any(|b| ENUM_BASES.contains(&last_segment(b)));
        let facts = scan_methods(class, ctx);
        if facts.abstract_method
            || (facts.mutable && !is_enum)
            || subclass_restores_hash(class, ctx)
            || ancestor_explains(class, ctx)
        {
            return;
        }
        // Test doubles and equality tests define `__eq__` on purpose and never hash;
        // there only a sure `TypeError` is worth reporting.
        if ctx.in_test_code() && !is_enum && facts.hashes_self.is_none() {
            return;
        }
        let name = class.name.as_str();
        let hashed = match facts.eq_fields.as_slice() {
            [] => "...".to_owned(),
            [one] => format!("self.{one}"),
            many => {
                let listed: Vec<String> = many.iter().map(|f| format!("self.{f}")).collect();
                format!("({})", listed.join(", "))
            }
        };
        let (message, evidence) = if is_enum {
            (
                format!(
                    "enum `{name}` defines `__eq__` but not `__hash__`, so Python sets its `__hash__` to `None` and its members cannot be dict keys or set members (`{{{name}.X}}` raises `TypeError: unhashable type`)"
                ),
                true,
            )
        } else if let Some(how) = facts.hashes_self {
            (
                format!(
                    "`{name}` defines `__eq__` but not `__hash__`, so Python sets `{name}.__hash__ = None`; {how} hashes `self` and raises `TypeError: unhashable type: '{name}'`"
                ),
                true,
            )
        } else {
            (
                format!(
                    "`{name}` defines `__eq__` but not `__hash__`, so Python sets `{name}.__hash__ = None` and its instances cannot be set members or dict keys (`TypeError: unhashable type: '{name}'`)"
                ),
                false,
            )
        };
        let help = if is_enum {
            format!(
                "keep the members hashable: `def __hash__(self): return hash({hashed})`, hashing what `__eq__` compares, or `__hash__ = {}.__hash__` if equal members are always the same member",
                bases
                    .iter()
                    .find(|b| ENUM_BASES.contains(&last_segment(b)))
                    .map_or("Enum", |b| ctx.text_of(b))
            )
        } else {
            format!(
                "define `__hash__` from the fields `__eq__` compares, so equal objects hash alike: `def __hash__(self): return hash({hashed})`; if `{name}` is meant to be unhashable, say so with `__hash__ = None`"
            )
        };
        // Without a hash in sight, only a value type — ordered or with arithmetic, like
        // numbers and versions — is one people put in sets; elsewhere unhashable
        // instances are usually fine.
        // A class that calls itself mutable or an abstract base is not one, though.
        let docstring = match class.body.first() {
            Some(Stmt::Expr(expr)) => expr
                .value
                .as_string_literal_expr()
                .map(|s| s.value.to_str().to_ascii_lowercase())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let value_type = VALUE_TYPE_METHODS
            .iter()
            .any(|method| binds(&class.body, method, 0))
            && !name.contains("Mutable")
            && !docstring.contains("abstract base");
        let diagnostic = report.add(class.name.range(), message, help);
        diagnostic.severity = if evidence {
            Severity::Error
        } else if value_type {
            Severity::Warning
        } else {
            Severity::Info
        };
    }
}

/// What the class's methods reveal, gathered in one pass over the class body.
#[derive(Default)]
struct MethodFacts<'a> {
    /// A method is `@abstractmethod`: the class is an abstract base.
    abstract_method: bool,
    /// Instances change after construction (assignments to `self.x` outside `__init__`,
    /// in-place calls on `self.x`, or container-like mutator methods).
    mutable: bool,
    /// How the class hashes its own instances, if it does (`hash(self)`, `@lru_cache`).
    hashes_self: Option<String>,
    /// Attributes `__eq__` reads from `self`, for the help text.
    eq_fields: Vec<&'a str>,
}

fn scan_methods<'a>(class: &'a ast::StmtClassDef, ctx: &Context<'a>) -> MethodFacts<'a> {
    let mut facts = MethodFacts::default();
    for stmt in &class.body {
        let Stmt::FunctionDef(def) = stmt else {
            continue;
        };
        let method = def.name.as_str();
        if MUTATOR_METHODS.contains(&method) {
            facts.mutable = true;
        }
        let mut is_static = false;
        for decorator in &def.decorator_list {
            match last_segment(&decorator.expression) {
                "abstractmethod" => facts.abstract_method = true,
                "staticmethod" | "classmethod" => is_static = true,
                "lru_cache" | "cache" if facts.hashes_self.is_none() => {
                    facts.hashes_self = Some(format!(
                        "`@{}` on `{method}`",
                        decorator_text(decorator, ctx)
                    ));
                }
                _ => {}
            }
        }
        if is_static {
            continue;
        }
        let Some(this) = def
            .parameters
            .posonlyargs
            .iter()
            .chain(&def.parameters.args)
            .next()
            .map(|p| p.parameter.name.as_str())
        else {
            continue;
        };
        let init = INIT_METHODS.contains(&method);
        let eq = method == "__eq__";
        for_each_node(AnyNodeRef::from(def), |node| {
            match node {
                AnyNodeRef::StmtClassDef(_) => return false,
                AnyNodeRef::StmtAssign(ast::StmtAssign { targets, .. })
                | AnyNodeRef::StmtDelete(ast::StmtDelete { targets, .. })
                    if !init && targets.iter().any(|t| changes_self(t, this)) =>
                {
                    facts.mutable = true;
                }
                AnyNodeRef::StmtAugAssign(ast::StmtAugAssign { target, .. })
                | AnyNodeRef::StmtAnnAssign(ast::StmtAnnAssign { target, .. })
                    if !init && changes_self(target, this) =>
                {
                    facts.mutable = true;
                }
                AnyNodeRef::ExprCall(call) => {
                    if !init && mutates_self(call, this) {
                        facts.mutable = true;
                    }
                    if facts.hashes_self.is_none()
                        && matches!(&*call.func, Expr::Name(f) if f.id.as_str() == "hash")
                        && call.arguments.args.iter().any(|a| is_name(a, this))
                    {
                        facts.hashes_self = Some(format!("`hash({this})` in `{method}`"));
                    }
                }
                AnyNodeRef::ExprSet(set)
                    if facts.hashes_self.is_none() && set.elts.iter().any(|e| is_name(e, this)) =>
                {
                    facts.hashes_self = Some(format!("the set `{{{this}}}` in `{method}`"));
                }
                AnyNodeRef::ExprAttribute(attr) if eq && attr.ctx == ExprContext::Load => {
                    let field = attr.attr.as_str();
                    if is_name(&attr.value, this)
                        && !facts.eq_fields.contains(&field)
                        && facts.eq_fields.len() < 4
                    {
                        facts.eq_fields.push(field);
                    }
                }
                _ => {}
            }
            true
        });
    }
    facts
}

/// Whether an assignment target changes the instance: `self.x`, `self.x[k]`, `self.x.y`.
fn changes_self(target: &Expr, this: &str) -> bool {
    match target {
        Expr::Tuple(tuple) => tuple.elts.iter().any(|e| rooted_at_self(e, this)),
        Expr::List(list) => list.elts.iter().any(|e| rooted_at_self(e, this)),
        other => rooted_at_self(other, this),
    }
}

/// Whether `expr` is `self.a`, `self.a[k]`, `self.a.b` ... (at least one step below `self`).
fn rooted_at_self(mut expr: &Expr, this: &str) -> bool {
    let mut steps = 0;
    loop {
        expr = match expr {
            Expr::Attribute(attr) => &attr.value,
            Expr::Subscript(sub) => &sub.value,
            Expr::Starred(starred) => &starred.value,
            Expr::Name(name) => return steps > 0 && name.id.as_str() == this,
            _ => return false,
        };
        steps += 1;
    }
}

/// `self.items.append(x)`, `setattr(self, ...)`, `object.__setattr__(self, ...)`.
fn mutates_self(call: &ast::ExprCall, this: &str) -> bool {
    match &*call.func {
        Expr::Attribute(method) if MUTATING_CALLS.contains(&method.attr.as_str()) => {
            rooted_at_self(&method.value, this)
        }
        Expr::Attribute(method) if method.attr.as_str() == "__setattr__" => call
            .arguments
            .args
            .first()
            .is_some_and(|a| is_name(a, this)),
        Expr::Name(func) if func.id.as_str() == "setattr" => call
            .arguments
            .args
            .first()
            .is_some_and(|a| is_name(a, this)),
        _ => false,
    }
}

/// Decorators, bases or a metaclass that generate `__hash__`, make the class abstract,
/// or make it unhashable already.
fn exempt_by_header(class: &ast::StmtClassDef) -> bool {
    class
        .decorator_list
        .iter()
        .any(|d| GENERATING_DECORATORS.contains(&last_segment(&d.expression)))
        || class.bases().iter().any(|b| {
            let base = last_segment(b);
            EXEMPT_BASES.contains(&base) || UNHASHABLE_BASES.contains(&base)
        })
        || class.keywords().iter().any(|k| {
            k.arg.as_ref().is_some_and(|a| a.as_str() == "metaclass")
                && last_segment(&k.value) == "ABCMeta"
        })
}

/// Whether a module-level ancestor already settles the question: it is abstract,
/// mutable, generated or unhashable itself (then it is the one to fix, or the
/// unhashability is intended). Looks at most 16 ancestors deep.
fn ancestor_explains<'a>(class: &'a ast::StmtClassDef, ctx: &Context<'a>) -> bool {
    let mut queue: Vec<&'a ast::StmtClassDef> = Vec::new();
    let push_bases = |of: &'a ast::StmtClassDef, queue: &mut Vec<&'a ast::StmtClassDef>| {
        for base in of.bases() {
            if let Some(found) = ctx.resolve_class(base)
                && !std::ptr::eq(found, class)
                && !queue.iter().any(|q| std::ptr::eq(*q, found))
            {
                queue.push(found);
            }
        }
    };
    push_bases(class, &mut queue);
    let mut next = 0;
    while let Some(&ancestor) = queue.get(next) {
        next += 1;
        if next > 16 {
            return false;
        }
        let has_eq = binds(&ancestor.body, "__eq__", 0);
        let has_hash = binds(&ancestor.body, "__hash__", 0);
        if exempt_by_header(ancestor) || (has_eq && !has_hash) || assigns_hash_none(ancestor) {
            return true;
        }
        let facts = scan_methods(ancestor, ctx);
        if facts.abstract_method || facts.mutable {
            return true;
        }
        push_bases(ancestor, &mut queue);
    }
    false
}

/// `__hash__ = None` at the top of a class body.
fn assigns_hash_none(class: &ast::StmtClassDef) -> bool {
    class.body.iter().any(|stmt| {
        matches!(stmt, Stmt::Assign(assign)
            if assign.targets.iter().any(|t| is_name(t, "__hash__"))
                && assign.value.is_none_literal_expr())
    })
}

/// Whether a module-level subclass of `class` defines `__hash__` (the base is left
/// unhashable on purpose, its concrete subclasses restore hashing).
fn subclass_restores_hash(class: &ast::StmtClassDef, ctx: &Context) -> bool {
    let name = class.name.as_str();
    ctx.facts().classes().any(|other| {
        other.bases().iter().any(|b| last_segment(b) == name) && binds(&other.body, "__hash__", 0)
    })
}

/// Whether a class body binds `name`, including under `if`/`try`/`with`.
fn binds(body: &[Stmt], name: &str, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    body.iter().any(|stmt| match stmt {
        Stmt::FunctionDef(def) => def.name.as_str() == name,
        Stmt::Assign(assign) => assign.targets.iter().any(|t| is_name(t, name)),
        // An annotation alone (`__hash__: ClassVar[None]`) also declares intent.
        Stmt::AnnAssign(assign) => is_name(&assign.target, name),
        Stmt::ImportFrom(import) => import
            .names
            .iter()
            .any(|a| a.asname.as_ref().unwrap_or(&a.name).as_str() == name),
        Stmt::If(stmt) => {
            binds(&stmt.body, name, depth + 1)
                || stmt
                    .elif_else_clauses
                    .iter()
                    .any(|c| binds(&c.body, name, depth + 1))
        }
        Stmt::Try(stmt) => {
            binds(&stmt.body, name, depth + 1)
                || stmt.handlers.iter().any(|h| {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    binds(&h.body, name, depth + 1)
                })
                || binds(&stmt.orelse, name, depth + 1)
                || binds(&stmt.finalbody, name, depth + 1)
        }
        Stmt::With(stmt) => binds(&stmt.body, name, depth + 1),
        _ => false,
    })
}

/// The last segment of a (possibly called or subscripted) dotted name:
/// `dataclasses.dataclass(frozen=True)` -> `dataclass`, `typing.Protocol[T]` -> `Protocol`.
fn last_segment(mut expr: &Expr) -> &str {
    loop {
        match expr {
            Expr::Name(name) => return name.id.as_str(),
            Expr::Attribute(attr) => return attr.attr.as_str(),
            Expr::Call(call) => expr = &call.func,
            Expr::Subscript(sub) => expr = &sub.value,
            _ => return "",
        }
    }
}

/// A decorator as written, without its arguments, for the message.
fn decorator_text<'a>(decorator: &'a ast::Decorator, ctx: &Context<'a>) -> &'a str {
    let expr = match &decorator.expression {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    let text = ctx.text_of(expr);
    if text.len() <= 40 && !text.contains('\n') {
        text
    } else {
        last_segment(expr)
    }
}

fn is_name(expr: &Expr, id: &str) -> bool {
    matches!(expr, Expr::Name(name) if name.id.as_str() == id)
}
