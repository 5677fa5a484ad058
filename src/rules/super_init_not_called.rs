//! PF407: a subclass `__init__` that never runs its base class's `__init__`, when that
//! base has state to set up: a class of the module with its own `__init__` (or a
//! dataclass), or a standard-library class that breaks without its initialiser.

use std::collections::HashSet;

use crate::ast::{self, AnyNodeRef, Expr, ExprContext, NodeKind, Ranged, Stmt};
use crate::checker::subtree::for_each_node;
use crate::checker::{Context, scope};
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF407",
    name: "super-init-not-called",
    summary: "an `__init__` that never calls the base class's `__init__` leaves the state it sets up missing",
    severity: Severity::Warning,
    topic: Topic::Classes,
    doc: include_str!("../../rules/super-init-not-called.md"),
    fix: FixAvailability::None,
    equivalents: &[Equivalent {
        tool: "pylint",
        code: "W0231",
        name: "super-init-not-called",
    }],
};

/// Standard-library classes whose instances break without their `__init__`, with what
/// goes wrong. `Exception` is not here: `BaseException.__new__` already stores `args`.
const HANDLER: &str =
    "the first record it handles raises `AttributeError` (no `level`, `filters` or `lock`)";

const NEEDS_INIT: &[(&str, &str)] = &[
    (
        "threading.Thread",
        "`start()` raises `RuntimeError: thread.__init__() not called`",
    ),
    (
        "multiprocessing.Process",
        "`start()` raises `AttributeError`",
    ),
    ("logging.Handler", HANDLER),
    ("logging.StreamHandler", HANDLER),
    ("logging.FileHandler", HANDLER),
    ("logging.Formatter", "`format()` raises `AttributeError`"),
    ("logging.Filter", "`filter()` raises `AttributeError`"),
    (
        "argparse.Action",
        "`argparse` reads `dest`, `nargs` and `type` from it and raises `AttributeError`",
    ),
    (
        "argparse.ArgumentParser",
        "`add_argument()` and `parse_args()` raise `AttributeError`",
    ),
    ("json.JSONEncoder", "`encode()` raises `AttributeError`"),
    ("json.JSONDecoder", "`decode()` raises `AttributeError`"),
    (
        "collections.UserDict",
        "there is no `self.data`, so almost every operation raises `AttributeError`",
    ),
    (
        "collections.UserList",
        "there is no `self.data`, so almost every operation raises `AttributeError`",
    ),
    (
        "collections.UserString",
        "there is no `self.data`, so almost every operation raises `AttributeError`",
    ),
    ("html.parser.HTMLParser", "`feed()` raises `AttributeError`"),
    (
        "unittest.TestCase",
        "the test runner raises `AttributeError` (no `_testMethodName`)",
    ),
    ("queue.Queue", "`put()` and `get()` raise `AttributeError`"),
    (
        "queue.LifoQueue",
        "`put()` and `get()` raise `AttributeError`",
    ),
    (
        "queue.PriorityQueue",
        "`put()` and `get()` raise `AttributeError`",
    ),
    (
        "socketserver.BaseRequestHandler",
        "the request is never handled: the base `__init__` is what calls `setup()`, `handle()` and `finish()`",
    ),
    (
        "socketserver.StreamRequestHandler",
        "the request is never handled: the base `__init__` is what calls `setup()`, `handle()` and `finish()`",
    ),
];

/// Containers whose `__init__` fills them from the constructor's arguments.
const CONTAINERS: &[&str] = &[
    "dict",
    "list",
    "set",
    "collections.OrderedDict",
    "collections.defaultdict",
    "collections.Counter",
    "collections.deque",
];

/// Parameter names that announce the data a container subclass is built from.
const DATA_PARAMETERS: &[&str] = &[
    "data", "items", "iterable", "mapping", "values", "seq", "sequence", "elements", "initial",
    "contents", "entries", "pairs",
];

const MAX_BASE_DEPTH: usize = 20;

pub struct SuperInitNotCalled;

impl Rule for SuperInitNotCalled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::StmtFunctionDef(init) = node else {
            return;
        };
        if init.name.as_str() != "__init__" || ctx.is_stub() || !init.decorator_list.is_empty() {
            return;
        }
        let Some(AnyNodeRef::StmtClassDef(class)) = ctx.parent() else {
            return;
        };
        if class.bases().is_empty() || is_trivial(&init.body) {
            return;
        }
        let Some(this) = init.parameters.iter_non_variadic_params().next() else {
            return;
        };
        let this = this.parameter.name.as_str();
        let Some(body) = Body::scan(&init.body, this) else {
            return; // it mentions `__init__` or `self.__dict__`: it sets itself up
        };
        let mut visited = HashSet::new();
        let Some((what, consequence, base)) = class.bases().iter().find_map(|base| {
            let need = needs_init(base, ctx, 0, &mut visited)?;
            let (what, consequence) = explain(need, base, &body, class, init, ctx)?;
            Some((what, consequence, base))
        }) else {
            return;
        };
        if class_mentions_init(class, init) {
            return;
        }
        let owner = format!("{}.__init__", class.name);
        report.add(
            init.name.range(),
            format!(
                "`{owner}` never calls `super().__init__()`, so {what} never runs: {consequence}"
            ),
            format!(
                "call `super().__init__(...)` in `{owner}` with the arguments `{}` expects",
                ctx.text_of(unsubscripted(base))
            ),
        );
        report.attach_to_last(super_call_suggestion(init, ctx));
    }
}

/// How many of the base's attributes a subclass must set itself, at least half of them,
/// to count as replacing the base setup rather than forgetting it.
const MIN_REPLACED: usize = 3;

/// What does not run and what goes wrong because of it; `None` when the subclass
/// makes up for it (sets every attribute the base would, or uses the data itself).
fn explain<'a>(
    need: Need<'a>,
    base: &'a Expr,
    body: &Body<'a>,
    class: &'a ast::StmtClassDef,
    init: &'a ast::StmtFunctionDef,
    ctx: &Context<'a>,
) -> Option<(String, String)> {
    let named = ctx.text_of(unsubscripted(base));
    Some(match need {
        Need::Module {
            class: definer,
            attrs,
            generated,
        } => {
            // An attribute the subclass sets itself, or that either class defines at
            // class level (a default, a property), is not missing.
            let definer_names = ctx
                .facts()
                .class(definer)
                .filter(|_| !generated)
                .map(|c| scope::bindings(&c.body))
                .unwrap_or_default();
            let own_names = scope::bindings(&class.body);
            let missing: Vec<&str> = attrs
                .iter()
                .filter(|a| {
                    !body.sets.contains(*a)
                        && !definer_names.contains(*a)
                        && !own_names.contains(*a)
                })
                .copied()
                .collect();
            // A subclass that sets most of what the base sets itself (several of them)
            // replaces the base setup on purpose (multiprocessing's `_MainProcess`).
            let replaced = attrs.iter().filter(|a| body.sets.contains(*a)).count();
            if missing.is_empty()
                || (!generated && replaced >= MIN_REPLACED && replaced * 2 >= attrs.len())
            {
                return None;
            }
            if generated {
                let consequence = if missing.len() == attrs.len() {
                    format!("the fields of the dataclass `{definer}` are never set")
                } else {
                    format!("instances lack the dataclass field {}", quoted(&missing))
                };
                return Some((format!("the generated `{definer}.__init__`"), consequence));
            }
            // Only attributes some code reads are a problem: the subclass's methods, or
            // inherited methods it does not override.
            let defining = ctx.facts().class(definer)?;
            let replaced_below = overridden_by_every_subclass(class, ctx);
            let (readers, set_elsewhere) = usage(&missing, defining, class, &replaced_below);
            let missing: Vec<&str> = missing
                .into_iter()
                .filter(|a| readers.iter().any(|(r, _)| r == a) && !set_elsewhere.contains(a))
                .collect();
            if missing.is_empty() {
                return None;
            }
            let (_, reader) = readers.first()?;
            let via = if definer == named {
                String::new()
            } else {
                format!(" (inherited through `{named}`)")
            };
            let consequence = format!(
                "instances lack {}, which `{reader}` reads",
                quoted(&missing)
            );
            (format!("`{definer}.__init__`{via}"), consequence)
        }
        Need::Library(consequence, unless) => {
            // A `Filter` that overrides `filter` never touches the state `__init__` sets;
            // a `TestCase` without tests is never run as one.
            let overrides = |name: &str| {
                class
                    .body
                    .iter()
                    .any(|s| matches!(s, Stmt::FunctionDef(d) if d.name.as_str() == name))
            };
            let has_tests = || {
                class.body.iter().any(
                    |s| matches!(s, Stmt::FunctionDef(d) if d.name.as_str().starts_with("test")),
                )
            };
            let harmless = match unless {
                Unless::Overrides(method) => overrides(method),
                Unless::HasNoTests => !has_tests(),
                Unless::Never => false,
            };
            if harmless {
                return None;
            }
            (format!("`{named}.__init__`"), consequence.to_owned())
        }
        Need::Container => {
            let dropped = body.dropped_data(&init.parameters)?;
            (
                format!("`{named}.__init__`"),
                format!(
                    "the `{named}` stays empty, and the constructor's `{dropped}` argument is never used"
                ),
            )
        }
    })
}

/// Which of `attrs` are read on `self`, each with the first method that reads it, and
/// which are also assigned outside `__init__` (set up lazily or by a helper): in any
/// method of `class`, and in the methods of `definer` that `class` does not override.
fn usage<'a>(
    attrs: &[&'a str],
    definer: &'a ast::StmtClassDef,
    class: &'a ast::StmtClassDef,
    replaced_below: &HashSet<&str>,
) -> (Vec<(&'a str, String)>, HashSet<&'a str>) {
    let mut set_elsewhere = HashSet::new();
    let methods = |c: &'a ast::StmtClassDef| {
        c.body.iter().filter_map(|s| match s {
            Stmt::FunctionDef(def) => Some(def),
            _ => None,
        })
    };
    let overridden = |name: &str| methods(class).any(|d| d.name.as_str() == name);
    let inherited = methods(definer)
        .filter(|d| {
            let name = d.name.as_str();
            name != "__init__" && !overridden(name) && !replaced_below.contains(name)
        })
        .map(|d| (definer, d));
    let mut found: Vec<(&'a str, String)> = Vec::new();
    for (owner, def) in methods(class).map(|d| (class, d)).chain(inherited) {
        let Some(this) = def.parameters.iter_non_variadic_params().next() else {
            continue;
        };
        let this = this.parameter.name.as_str();
        let is_init = def.name.as_str() == "__init__";
        for stmt in &def.body {
            for_each_node(stmt.into(), |node| {
                if let AnyNodeRef::ExprAttribute(attr) = node
                    && attr.ctx == ExprContext::Store
                    && !is_init
                    && is_name(&attr.value, this)
                {
                    set_elsewhere.insert(attr.attr.as_str());
                }
                if let AnyNodeRef::ExprAttribute(attr) = node
                    && attr.ctx == ExprContext::Load
                    && is_name(&attr.value, this)
                    && let Some(name) = attrs.iter().find(|a| **a == attr.attr.as_str())
                    && !found.iter().any(|(f, _)| f == name)
                {
                    found.push((name, format!("{}.{}", owner.name, def.name)));
                }
                true
            });
        }
    }
    found.sort_by_key(|(name, _)| attrs.iter().position(|a| a == name));
    (found, set_elsewhere)
}

/// The methods every direct subclass of `class` in the module defines again (empty when
/// it has none there). `class` is then an intermediate base: its instances are the
/// subclasses', and an inherited method they all replace never runs on them
/// (`TableColumns` skips `Table.__init__`, whose `quote_name` only `Table.__str__` reads,
/// and each subclass has its own `__str__`).
fn overridden_by_every_subclass<'a>(
    class: &ast::StmtClassDef,
    ctx: &Context<'a>,
) -> HashSet<&'a str> {
    let name = class.name.as_str();
    let mut common: Option<HashSet<&'a str>> = None;
    for sub in ctx.facts().classes() {
        let derives = sub
            .bases()
            .iter()
            .any(|base| is_name(unsubscripted(base), name));
        if !derives || std::ptr::eq(sub, class) {
            continue;
        }
        let own: HashSet<&'a str> = sub
            .body
            .iter()
            .filter_map(|s| match s {
                Stmt::FunctionDef(def) => Some(def.name.as_str()),
                _ => None,
            })
            .collect();
        common = Some(match common {
            None => own,
            Some(so_far) => so_far.intersection(&own).copied().collect(),
        });
    }
    common.unwrap_or_default()
}

/// `self.a`, `self.b` and `self.c` (and more).
fn quoted(attrs: &[&str]) -> String {
    let shown: Vec<String> = attrs
        .iter()
        .take(3)
        .map(|a| format!("`self.{a}`"))
        .collect();
    match shown.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] if attrs.len() <= 3 => format!("{} and {last}", init.join(", ")),
        _ => format!("{} and more", shown.join(", ")),
    }
}

/// When a standard-library base's missing state does no harm.
enum Unless {
    /// The subclass overrides the only method that uses it.
    Overrides(&'static str),
    /// A `TestCase` subclass without `test*` methods (a helper, never run as a test).
    HasNoTests,
    Never,
}

enum Need<'a> {
    /// A module class defines `__init__` (or `@dataclass` generates it); the
    /// attributes it assigns on `self`.
    Module {
        class: &'a str,
        attrs: Vec<&'a str>,
        generated: bool,
    },
    /// What goes wrong, and when it does not.
    Library(&'static str, Unless),
    /// A builtin container, which its `__init__` fills from the arguments.
    Container,
}

/// What the subclass `__init__` does, from one walk over it.
struct Body<'a> {
    /// Attributes assigned on `self`.
    sets: HashSet<&'a str>,
    /// Every name read.
    reads: HashSet<&'a str>,
}

impl<'a> Body<'a> {
    /// `None` when the body mentions `__init__` at all (any call of a base's or
    /// `super()`'s initialiser, however spelled) or replaces `self.__dict__`.
    fn scan(body: &'a [Stmt], this: &str) -> Option<Self> {
        let mut scan = Body {
            sets: HashSet::new(),
            reads: HashSet::new(),
        };
        let mut delegates = false;
        for stmt in body {
            for_each_node(stmt.into(), |node| {
                match node {
                    AnyNodeRef::ExprAttribute(attr) => {
                        let on_self = is_name(&attr.value, this);
                        delegates |= attr.attr.as_str() == "__init__"
                            || on_self && attr.attr.as_str() == "__dict__";
                        if on_self && attr.ctx == ExprContext::Store {
                            scan.sets.insert(attr.attr.as_str());
                        }
                    }
                    AnyNodeRef::ExprName(name) if name.ctx == ExprContext::Load => {
                        scan.reads.insert(name.id.as_str());
                    }
                    _ => {}
                }
                !delegates
            });
        }
        (!delegates).then_some(scan)
    }

    /// The data-like parameter (or `*args`/`**kwargs`) the body never reads.
    fn dropped_data(&self, parameters: &'a ast::Parameters) -> Option<String> {
        let unread = |name: &str| !self.reads.contains(name);
        let variadic = [parameters.vararg.as_deref(), parameters.kwarg.as_deref()];
        if let Some(param) = variadic
            .into_iter()
            .flatten()
            .find(|p| unread(p.name.as_str()))
        {
            let stars = if parameters.vararg.as_deref() == Some(param) {
                "*"
            } else {
                "**"
            };
            return Some(format!("{stars}{}", param.name));
        }
        parameters
            .iter_non_variadic_params()
            .skip(1)
            .map(|p| p.parameter.name.as_str())
            .find(|name| DATA_PARAMETERS.contains(name) && unread(name))
            .map(str::to_owned)
    }
}

/// `Base[T]` is `Base` at run time (its `__mro_entries__` says so).
fn unsubscripted(expr: &Expr) -> &Expr {
    match expr {
        Expr::Subscript(sub) => &sub.value,
        _ => expr,
    }
}

fn is_name(expr: &Expr, id: &str) -> bool {
    matches!(expr, Expr::Name(name) if name.id.as_str() == id)
}

/// A body that only declares (`pass`, `...`, a docstring) or only raises: there is no
/// instance to set up, or nothing is done on purpose.
fn is_trivial(body: &[Stmt]) -> bool {
    body.iter().all(|stmt| match stmt {
        Stmt::Pass(_) | Stmt::Raise(_) => true,
        Stmt::Expr(expr) => matches!(
            &*expr.value,
            Expr::StringLiteral(_) | Expr::EllipsisLiteral(_)
        ),
        _ => false,
    })
}

/// Whether the class mentions `__init__` outside its own `__init__`: a setup helper
/// or a deferred initialisation (`Base.__init__(self, sock)` once connected), or an
/// alias (`__super_init = Base.__init__`).
fn class_mentions_init(class: &ast::StmtClassDef, init: &ast::StmtFunctionDef) -> bool {
    let mut found = false;
    for stmt in &class.body {
        if matches!(stmt, Stmt::FunctionDef(def) if std::ptr::eq(def, init)) {
            continue;
        }
        for_each_node(stmt.into(), |node| {
            found |= matches!(node, AnyNodeRef::ExprAttribute(a) if a.attr.as_str() == "__init__");
            !found
        });
    }
    found
}

/// Whether the base `expr` has an `__init__` that a subclass must run, and which.
fn needs_init<'a>(
    expr: &'a Expr,
    ctx: &Context<'a>,
    depth: usize,
    visited: &mut HashSet<&'a str>,
) -> Option<Need<'a>> {
    let expr = unsubscripted(expr);
    if depth > MAX_BASE_DEPTH {
        return None;
    }
    let class = if depth == 0 {
        ctx.resolve_class(expr)
    } else {
        match expr {
            Expr::Name(name) => ctx.facts().class(name.id.as_str()),
            _ => None,
        }
    };
    let Some(class) = class else {
        let name = ctx.qualified_name(expr)?;
        if CONTAINERS.contains(&name.as_str()) {
            return Some(Need::Container);
        }
        let found = NEEDS_INIT.iter().find(|(lib, _)| *lib == name);
        let handler = name.starts_with("logging.handlers.") && name.ends_with("Handler");
        return match found {
            Some((_, consequence)) => {
                let unless = match name.as_str() {
                    "logging.Filter" => Unless::Overrides("filter"),
                    "logging.Formatter" => Unless::Overrides("format"),
                    "unittest.TestCase" => Unless::HasNoTests,
                    _ => Unless::Never,
                };
                Some(Need::Library(consequence, unless))
            }
            None if handler => Some(Need::Library(HANDLER, Unless::Never)),
            None => None,
        };
    };
    let name = class.name.as_str();
    if name.ends_with("Mixin") || !visited.insert(name) {
        return None;
    }
    for stmt in &class.body {
        match stmt {
            Stmt::FunctionDef(def) if def.name.as_str() == "__init__" => {
                return base_init(class, def, ctx, depth, visited);
            }
            Stmt::Assign(assign) if assign.targets.iter().any(|t| is_name(t, "__init__")) => {
                return None; // `__init__ = ...`: not something to reason about
            }
            _ => {}
        }
    }
    let fields = dataclass_fields(class, ctx);
    if !fields.is_empty() {
        return Some(Need::Module {
            class: name,
            attrs: fields,
            generated: true,
        });
    }
    class
        .bases()
        .iter()
        .find_map(|b| needs_init(b, ctx, depth + 1, visited))
}

/// The need created by a base's own `__init__`: none when it is trivial or abstract,
/// its own bases' when all it does is pass the call on.
fn base_init<'a>(
    class: &'a ast::StmtClassDef,
    def: &'a ast::StmtFunctionDef,
    ctx: &Context<'a>,
    depth: usize,
    visited: &mut HashSet<&'a str>,
) -> Option<Need<'a>> {
    if !def.decorator_list.is_empty() || is_trivial(&def.body) {
        return None;
    }
    let this = def
        .parameters
        .iter_non_variadic_params()
        .next()?
        .parameter
        .name
        .as_str();
    let body = docstring_free(&def.body);
    let passes_on = matches!(body, [Stmt::Expr(e)] if matches!(&*e.value, Expr::Call(c)
        if matches!(&*c.func, Expr::Attribute(a) if a.attr.as_str() == "__init__")));
    if passes_on {
        return class
            .bases()
            .iter()
            .find_map(|b| needs_init(b, ctx, depth + 1, visited));
    }
    let mut attrs = Vec::new();
    for stmt in &def.body {
        for_each_node(stmt.into(), |node| {
            if let AnyNodeRef::ExprAttribute(attr) = node
                && attr.ctx == ExprContext::Store
                && is_name(&attr.value, this)
                && !attrs.contains(&attr.attr.as_str())
            {
                attrs.push(attr.attr.as_str());
            }
            !matches!(
                node,
                AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_)
            )
        });
    }
    Some(Need::Module {
        class: class.name.as_str(),
        attrs,
        generated: false,
    })
}

fn docstring_free(body: &[Stmt]) -> &[Stmt] {
    match body.split_first() {
        Some((Stmt::Expr(e), rest)) if matches!(&*e.value, Expr::StringLiteral(_)) => rest,
        _ => body,
    }
}

/// The fields of a `@dataclass` (not `init=False`), which has a generated `__init__`.
fn dataclass_fields<'a>(class: &'a ast::StmtClassDef, ctx: &Context<'a>) -> Vec<&'a str> {
    let dataclass = class.decorator_list.iter().any(|d| {
        let (func, call) = match &d.expression {
            Expr::Call(call) => (&*call.func, Some(call)),
            other => (other, None),
        };
        ctx.qualified_name(func).as_deref() == Some("dataclasses.dataclass")
            && !call.is_some_and(|c| {
                c.arguments
                    .find_keyword("init")
                    .is_some_and(|k| matches!(&k.value, Expr::BooleanLiteral(b) if !b.value))
            })
    });
    if !dataclass {
        return Vec::new();
    }
    class
        .body
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::AnnAssign(a) if !is_pseudo_field(ctx.text_of(&*a.annotation)) => {
                match &*a.target {
                    Expr::Name(name) => Some(name.id.as_str()),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

/// Annotations in a dataclass body that make no instance attribute.
fn is_pseudo_field(annotation: &str) -> bool {
    ["ClassVar", "InitVar", "KW_ONLY"]
        .iter()
        .any(|marker| annotation.contains(marker))
}

/// `super().__init__()` as the first statement of `__init__` (after its docstring), for
/// teach mode. Display-only: the base may need arguments.
fn super_call_suggestion(init: &ast::StmtFunctionDef, ctx: &Context) -> Option<crate::rule::Fix> {
    let source = ctx.source();
    let has_docstring = matches!(
        init.body.first(),
        Some(Stmt::Expr(expr)) if expr.value.is_string_literal_expr()
    );
    let first = init.body.get(usize::from(has_docstring))?;
    let start = first.start().to_usize();
    let line_start = source[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let indent = &source[line_start..start];
    if indent.is_empty() || !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let at = crate::ast::TextSize::try_from(line_start).ok()?;
    Some(crate::rule::Fix::display_only(
        "call the base class's `__init__` first",
        vec![crate::rule::Edit::replace(
            crate::ast::TextRange::empty(at),
            format!("{indent}super().__init__()\n"),
        )],
    ))
}
