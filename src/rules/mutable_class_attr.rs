//! PF401: a mutable class attribute that methods change through `self`.
//!
//! A list, dict or set assigned in the class body is created once, when the class is
//! defined, and lives on the class. `self.items` finds it there whenever the instance has
//! no `items` of its own, so `self.items.append(x)` changes the one object that every
//! instance sees. The rule needs that evidence: it reports a class-level container only
//! when a method of the same class mutates it through `self` and no method ever gives the
//! instance its own value (`self.items = []`). Declared sharing (`ClassVar`, `Final`, a
//! mutation through the class or `cls`, an instance registering itself) and classes that
//! copy or generate defaults (dataclass fields, attrs, pydantic, enums) stay silent.

use crate::ast::{self, AnyNodeRef, Expr, NodeKind, Operator, Ranged, Stmt};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF401",
    name: "mutable-class-attr",
    summary: "a list, dict or set class attribute that methods mutate through `self` is shared by every instance",
    severity: Severity::Error,
    topic: Topic::Classes,
    doc: include_str!("../../rules/mutable-class-attr.md"),
    fix: FixAvailability::None,
    equivalents: &[Equivalent {
        tool: "ruff",
        code: "RUF012",
        name: "mutable-class-default",
    }],
};

/// Methods that change a container in place.
pub(crate) const MUTATING_METHODS: &[&str] = &[
    "append",
    "appendleft",
    "extend",
    "extendleft",
    "insert",
    "add",
    "update",
    "setdefault",
    "pop",
    "popleft",
    "popitem",
    "remove",
    "discard",
    "clear",
    "sort",
    "reverse",
    "rotate",
    "difference_update",
    "intersection_update",
    "symmetric_difference_update",
];

/// Class decorators (last name segment) that turn annotated attributes into per-instance
/// fields: an annotated mutable default there is a field, not a shared attribute.
const FIELD_DECORATORS: &[&str] = &["dataclass", "s", "attrs", "define", "frozen", "mutable"];

/// Bases (last name segment) whose classes copy defaults per instance, hold members
/// rather than state, or only declare types.
const EXEMPT_BASES: &[&str] = &[
    "BaseModel",
    "RootModel",
    "BaseSettings",
    "Enum",
    "IntEnum",
    "StrEnum",
    "Flag",
    "IntFlag",
    "NamedTuple",
    "TypedDict",
    "Protocol",
    "type",
];

/// Words in an attribute's name or comment that say it is shared on purpose.
const SHARED_INTENT: &[&str] = &[
    "cache",
    "registry",
    "pool",
    "instances",
    "memo",
    "shared",
    "global",
    "singleton",
    "all objects",
    "class-level",
    "class level",
];

pub struct MutableClassAttr;

/// A class-level container that may be shared.
struct Candidate<'a> {
    name: &'a str,
    target: &'a Expr,
    kind: &'static str,
    value: &'a Expr,
    stmt: &'a Stmt,
}

/// The first place a method mutates `self.<name>`.
struct Mutation<'a> {
    method: &'a str,
    /// The mutation as the user wrote it, shortened: `self.items.append(...)`.
    how: String,
}

impl Rule for MutableClassAttr {
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
        if ctx.is_stub()
            || class
                .bases()
                .iter()
                .any(|b| EXEMPT_BASES.contains(&last_segment(b)))
            || class.keywords().iter().any(|k| {
                k.arg.as_ref().is_some_and(|a| a.as_str() == "metaclass")
                    && last_segment(&k.value) == "ModelMetaclass"
            })
        {
            return;
        }
        // Test doubles record calls in class-level lists on purpose (the test reads them
        // through the class); only test cases, where every test method runs on a fresh
        // instance and a mutated class-level fixture leaks into later tests, count.
        if ctx.in_test_code() && !is_test_case(class) {
            return;
        }
        let fields = class
            .decorator_list
            .iter()
            .any(|d| FIELD_DECORATORS.contains(&last_segment(&d.expression)));
        let candidates = candidates(class, fields, ctx);
        if candidates.is_empty() {
            return;
        }
        let mut mutations: Vec<Option<Mutation<'a>>> = candidates.iter().map(|_| None).collect();
        let mut rebound = vec![false; candidates.len()];
        for stmt in &class.body {
            let Stmt::FunctionDef(def) = stmt else {
                continue;
            };
            let Some(this) = self_parameter(def) else {
                continue;
            };
            scan_method(def, this, ctx, &candidates, &mut mutations, &mut rebound);
        }
        for ((candidate, mutation), rebound) in candidates.iter().zip(&mutations).zip(&rebound) {
            let (Some(mutation), false) = (mutation, rebound) else {
                continue;
            };
            if states_sharing(candidate, ctx) || is_singleton(class, ctx) {
                continue;
            }
            let (name, kind) = (candidate.name, candidate.kind);
            let class_name = class.name.as_str();
            report.add(
                candidate.target.range(),
                format!(
                    "`{name}` is one {kind} created with class `{class_name}` and shared by all its instances, and `{}` mutates it through `{}`, so a change made by one instance shows up in every other",
                    mutation.method, mutation.how
                ),
                format!(
                    "give each instance its own {kind}: set `self.{name} = {}` in `{}`; if one shared {kind} is intended, annotate it `ClassVar` and mutate it through the class (`{class_name}.{name}`)",
                    fresh_value(candidate, ctx),
                    if is_test_case(class) { "setUp" } else { "__init__" }
                ),
            );
        }
    }
}

/// Top-level class-body assignments of a fresh mutable container, minus declared class
/// variables (`ClassVar`/`Final`) and, in dataclass-like classes, annotated fields.
fn candidates<'a>(
    class: &'a ast::StmtClassDef,
    fields: bool,
    ctx: &Context<'a>,
) -> Vec<Candidate<'a>> {
    let mut found = Vec::new();
    for stmt in &class.body {
        let (targets, value): (&[Expr], &Expr) = match stmt {
            Stmt::Assign(assign) => (&assign.targets, &assign.value),
            Stmt::AnnAssign(assign) => {
                let Some(value) = assign.value.as_deref() else {
                    continue;
                };
                if fields || declares_class_var(&assign.annotation) {
                    continue;
                }
                (std::slice::from_ref(&*assign.target), value)
            }
            _ => continue,
        };
        let Some(kind) = mutable_kind(value, ctx) else {
            continue;
        };
        for target in targets {
            if let Expr::Name(name) = target
                && !(name.id.as_str().starts_with("__") && name.id.as_str().ends_with("__"))
            {
                found.push(Candidate {
                    name: name.id.as_str(),
                    target,
                    kind,
                    value,
                    stmt,
                });
            }
        }
    }
    found
}

/// Walks one method, noting the first mutation of each candidate through `self` and
/// whether the method gives the instance its own value.
fn scan_method<'a>(
    def: &'a ast::StmtFunctionDef,
    this: &str,
    ctx: &Context<'a>,
    candidates: &[Candidate<'a>],
    mutations: &mut [Option<Mutation<'a>>],
    // Set when the instance gets its own value, or registers itself (deliberate sharing).
    rebound: &mut [bool],
) {
    let method = def.name.as_str();
    let index_of = |expr: &Expr| -> Option<usize> {
        let Expr::Attribute(attr) = expr else {
            return None;
        };
        if !matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == this) {
            return None;
        }
        candidates.iter().position(|c| c.name == attr.attr.as_str())
    };
    let note = |index: Option<usize>, how: String, mutations: &mut [Option<Mutation<'a>>]| {
        if let Some(slot) = index.and_then(|i| mutations.get_mut(i))
            && slot.is_none()
        {
            *slot = Some(Mutation { method, how });
        }
    };
    for stmt in &def.body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            match node {
                AnyNodeRef::StmtClassDef(_) => return false,
                AnyNodeRef::StmtAssign(assign) => {
                    for target in &assign.targets {
                        for element in unpacked(target) {
                            if let Some(i) = index_of(element) {
                                rebound[i] = true;
                            } else if let Expr::Subscript(sub) = element {
                                let index = index_of(&sub.value);
                                if is_self(&sub.slice, this) || holds_self(&assign.value, this) {
                                    // `self.registry[self] = ...`, `self.by_key[k] = self`.
                                    if let Some(i) = index {
                                        rebound[i] = true;
                                    }
                                } else {
                                    note(
                                        index,
                                        format!("{} = ...", short(ctx.text_of(element))),
                                        mutations,
                                    );
                                }
                            }
                        }
                    }
                }
                AnyNodeRef::StmtAnnAssign(assign) if assign.value.is_some() => {
                    if let Some(i) = index_of(&assign.target) {
                        rebound[i] = true;
                    }
                }
                AnyNodeRef::StmtAugAssign(assign) => {
                    let container = match &*assign.target {
                        Expr::Subscript(sub) => &sub.value,
                        other => other,
                    };
                    // `self.items += [x]` extends the shared list in place (and then
                    // stores the same list on the instance); `-`, `|`, `&`, `^` do the
                    // same for sets and dicts.
                    if matches!(
                        assign.op,
                        Operator::Add
                            | Operator::Sub
                            | Operator::BitOr
                            | Operator::BitAnd
                            | Operator::BitXor
                            | Operator::Mult
                    ) || matches!(&*assign.target, Expr::Subscript(_))
                    {
                        let how = format!(
                            "{} {}= ...",
                            short(ctx.text_of(&*assign.target)),
                            assign.op.as_str()
                        );
                        note(index_of(container), how, mutations);
                    }
                }
                AnyNodeRef::StmtDelete(delete) => {
                    for target in &delete.targets {
                        if let Expr::Subscript(sub) = target {
                            note(
                                index_of(&sub.value),
                                format!("del {}", short(ctx.text_of(target))),
                                mutations,
                            );
                        }
                    }
                }
                AnyNodeRef::ExprCall(call) => {
                    if let Expr::Attribute(method_ref) = &*call.func
                        && MUTATING_METHODS.contains(&method_ref.attr.as_str())
                    {
                        // `self.items.append(x)`, or `self.groups[k].append(x)`.
                        let container = match &*method_ref.value {
                            Expr::Subscript(sub) => &sub.value,
                            other => other,
                        };
                        let index = index_of(container);
                        if call.arguments.args.iter().any(|a| holds_self(a, this)) {
                            // `self.instances.append(self)`: an instance registering
                            // itself in a collection meant to be shared.
                            if let Some(i) = index {
                                rebound[i] = true;
                            }
                        } else {
                            note(
                                index,
                                format!("{}(...)", short(ctx.text_of(&*call.func))),
                                mutations,
                            );
                        }
                    } else if is_setattr_of(call, this) {
                        // `setattr(self, "items", ...)` gives the instance its own value.
                        if let Some(Expr::StringLiteral(attr)) = call.arguments.args.get(1)
                            && let Some(i) = candidates
                                .iter()
                                .position(|c| c.name == attr.value.to_str())
                        {
                            rebound[i] = true;
                        }
                    }
                }
                _ => {}
            }
            true
        });
    }
}

/// Whether the attribute's name or the comment on or just above its line says the
/// sharing is intended (`_cache = {}`, `# shared by all instances`).
fn states_sharing(candidate: &Candidate, ctx: &Context) -> bool {
    let says_shared = |text: &str| {
        let text = text.to_ascii_lowercase();
        SHARED_INTENT.iter().any(|word| text.contains(word))
    };
    if says_shared(candidate.name) {
        return true;
    }
    let source = ctx.source();
    let start = usize::from(candidate.stmt.start()).min(source.len());
    let end = usize::from(candidate.stmt.end()).min(source.len());
    let (Some(before), Some(after)) = (source.get(..start), source.get(end..)) else {
        return false;
    };
    let trailing = after.lines().next().unwrap_or("");
    if trailing.trim_start().starts_with('#') && says_shared(trailing) {
        return true;
    }
    // `before` ends with the indentation of the statement's own line; skip that line.
    let mut lines = before.lines().rev();
    if !before.ends_with('\n') {
        lines.next();
    }
    lines
        .take(3)
        .map(str::trim)
        .take_while(|line| line.starts_with('#'))
        .any(says_shared)
}

/// A private module-level class instantiated once at module level
/// (`_registry = _Registry()`): with one instance there is nobody to share with.
fn is_singleton(class: &ast::StmtClassDef, ctx: &Context) -> bool {
    let name = class.name.as_str();
    if !name.starts_with('_') {
        return false;
    }
    let Some(AnyNodeRef::ModModule(module)) = ctx.ancestors().last() else {
        return false;
    };
    if !matches!(ctx.parent(), Some(AnyNodeRef::ModModule(_))) {
        return false;
    }
    module.body.iter().any(|stmt| {
        matches!(stmt, Stmt::Assign(assign)
            if matches!(&*assign.value, Expr::Call(call)
                if matches!(&*call.func, Expr::Name(f) if f.id.as_str() == name)))
    })
}

/// A unittest/pytest test case: `Test*`, `*TestCase`, `*Tests`, or a `*TestCase` base.
fn is_test_case(class: &ast::StmtClassDef) -> bool {
    let name = class.name.as_str();
    name.starts_with("Test")
        || name.ends_with("TestCase")
        || name.ends_with("Tests")
        || class
            .bases()
            .iter()
            .any(|b| last_segment(b).ends_with("TestCase"))
}

fn is_self(expr: &Expr, this: &str) -> bool {
    matches!(expr, Expr::Name(n) if n.id.as_str() == this)
}

/// `self`, or a tuple/list display with `self` among its elements.
fn holds_self(expr: &Expr, this: &str) -> bool {
    match expr {
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
            elts.iter().any(|e| is_self(e, this))
        }
        other => is_self(other, this),
    }
}

fn is_setattr_of(call: &ast::ExprCall, this: &str) -> bool {
    matches!(&*call.func, Expr::Name(f) if f.id.as_str() == "setattr")
        && matches!(call.arguments.args.first(), Some(Expr::Name(n)) if n.id.as_str() == this)
}

/// The elements an assignment target binds: `a` itself, or each of `a, b`.
fn unpacked(target: &Expr) -> Vec<&Expr> {
    match target {
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => elts
            .iter()
            .map(|e| match e {
                Expr::Starred(starred) => &*starred.value,
                other => other,
            })
            .collect(),
        other => vec![other],
    }
}

/// The instance parameter of a regular method (`self`), or `None` for static and class
/// methods and methods without parameters.
fn self_parameter(def: &ast::StmtFunctionDef) -> Option<&str> {
    if def
        .decorator_list
        .iter()
        .any(|d| matches!(last_segment(&d.expression), "staticmethod" | "classmethod"))
        || matches!(
            def.name.as_str(),
            "__new__" | "__init_subclass__" | "__class_getitem__"
        )
    {
        return None;
    }
    def.parameters
        .posonlyargs
        .iter()
        .chain(&def.parameters.args)
        .next()
        .map(|p| p.parameter.name.as_str())
}

/// `ClassVar[...]`, `Final[...]` or a bare `ClassVar`/`Final`, also as a string.
fn declares_class_var(annotation: &Expr) -> bool {
    match annotation {
        Expr::StringLiteral(text) => {
            let text = text.value.to_str();
            text.contains("ClassVar") || text.starts_with("Final") || text.contains(".Final")
        }
        other => matches!(last_segment(other), "ClassVar" | "Final"),
    }
}

/// What kind of mutable object `expr` creates: the same containers as
/// mutable-default-arg, plus `[0] * n`, which also builds a fresh list.
fn mutable_kind(expr: &Expr, ctx: &Context) -> Option<&'static str> {
    match expr {
        Expr::BinOp(binop)
            if binop.op == Operator::Mult
                && (matches!(&*binop.left, Expr::List(_))
                    || matches!(&*binop.right, Expr::List(_))) =>
        {
            Some("list")
        }
        _ => crate::rules::mutable_default_arg::mutable_kind(expr, ctx),
    }
}

/// Source text short enough to quote in a message, or `...`.
fn short(text: &str) -> &str {
    if text.len() <= 40 && !text.contains('\n') {
        text
    } else {
        "..."
    }
}

/// The class-level value as written when short, to copy into `__init__`; else a fresh
/// empty container of the same kind.
fn fresh_value<'a>(candidate: &Candidate<'a>, ctx: &Context<'a>) -> &'a str {
    let text = ctx.text_of(candidate.value);
    if text.len() <= 40 && !text.contains('\n') {
        return text;
    }
    match candidate.kind {
        "list" => "[]",
        "dict" => "{}",
        "set" => "set()",
        "bytearray" => "bytearray()",
        "deque" => "deque()",
        "OrderedDict" => "OrderedDict()",
        "Counter" => "Counter()",
        "ChainMap" => "ChainMap()",
        _ => "...",
    }
}

/// The last segment of a (possibly called or subscripted) dotted name.
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
