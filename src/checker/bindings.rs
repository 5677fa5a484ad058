//! What a variable holds: the bindings of a name or `self.` attribute in its scope, the
//! kind of value each gives it, and what the code before a node last bound it to.
//!
//! Rules ask here instead of scanning the enclosing function, class or module for each
//! node they look at. What a scope binds is collected once per file
//! (`Context::scope_bindings`), and so are the answers about class attributes
//! (`Context::class_attribute`) and module-level names (`Context::module_binding`).
//! Kinds are worked out when asked, because resolving a call (`list(...)`) depends on
//! the names bound around the node being checked.

use rustc_hash::FxHashMap as HashMap;
use std::rc::Rc;

use crate::ast::{
    AnyNodeRef, BoolOp, CmpOp, Comprehension, ExceptHandler, Expr, ExprCall, ExprContext, Operator,
    Ranged, Stmt, StmtClassDef, StmtFunctionDef,
};
use crate::checker::subtree::for_each_node;
use crate::checker::{Context, MAX_DEPTH};

/// Attribute chains (`self.a.b`) and unpacking targets (`a, (b, c)`) nested deeper than
/// this are not followed.
const MAX_TARGET_DEPTH: usize = 8;

/// How deep `value_kind` looks into `a + b + c` chains, conditionals and receivers.
const MAX_EXPR_DEPTH: usize = 16;

/// How many nodes one trace of the code before a node may visit, so that a huge
/// function stays linear enough.
pub const MAX_VISITS: usize = 4_000;

/// List methods that change the list.
pub const LIST_MUTATORS: &[&str] = &[
    "append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse",
];

// ---------------------------------------------------------------------------------
// Kinds of value

/// What kind of value an expression or a variable holds, as far as the code shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    List,
    Dict,
    Set,
    FrozenSet,
    Tuple,
    Deque,
    Str,
    Bytes,
    ByteArray,
    /// `int`, `float`, `complex` or `bool`.
    Number,
    /// Evidently something else: a generator, an instance of a class.
    Other,
    /// Nothing shows what it is.
    Unknown,
}

impl Kind {
    /// What a value that is one of two kinds is (`a if c else b`): the kind both agree
    /// on, the known one when the other is unknown, and `Other` when they differ.
    pub fn join(self, other: Kind) -> Kind {
        match (self, other) {
            (Kind::Unknown, kind) | (kind, Kind::Unknown) => kind,
            (a, b) if a == b => a,
            _ => Kind::Other,
        }
    }

    /// A kind of builtin value, not `Other` or `Unknown`.
    fn is_concrete(self) -> bool {
        !matches!(self, Kind::Other | Kind::Unknown)
    }
}

/// What a call of the function or class with this qualified name returns, if known.
fn known_call(name: &str) -> Option<Kind> {
    Some(match name {
        "list" | "sorted" | "os.listdir" | "glob.glob" | "re.findall" | "re.split"
        | "shlex.split" => Kind::List,
        "dict" | "collections.defaultdict" | "collections.OrderedDict" | "collections.Counter" => {
            Kind::Dict
        }
        "set" => Kind::Set,
        "frozenset" => Kind::FrozenSet,
        "tuple" => Kind::Tuple,
        "collections.deque" => Kind::Deque,
        "str" | "repr" | "chr" | "format" | "ascii" | "hex" | "oct" | "bin" => Kind::Str,
        "bytes" => Kind::Bytes,
        "bytearray" => Kind::ByteArray,
        "int" | "float" => Kind::Number,
        _ => return None,
    })
}

/// What a type named in an annotation declares, by its name in the builtins or in
/// `typing`, `collections` or `collections.abc` (see `type_name`).
fn annotation_type(name: &str) -> Kind {
    match name {
        "list" | "List" | "MutableSequence" => Kind::List,
        "dict" | "Dict" | "defaultdict" | "DefaultDict" | "OrderedDict" | "Counter" => Kind::Dict,
        "set" | "Set" => Kind::Set,
        "frozenset" | "FrozenSet" => Kind::FrozenSet,
        "tuple" | "Tuple" => Kind::Tuple,
        "deque" | "Deque" => Kind::Deque,
        "str" => Kind::Str,
        "bytes" => Kind::Bytes,
        "int" | "float" | "complex" | "bool" => Kind::Number,
        _ => Kind::Other,
    }
}

/// Modules whose type names `annotation_type` knows.
const TYPING_MODULES: &[&str] = &[
    "typing",
    "typing_extensions",
    "collections",
    "collections.abc",
];

/// What kind of value `expr` evidently is: a display, comprehension or literal; a call
/// of a known constructor or function (resolved through imports), or of a method that
/// returns a list or text; or an operator or conditional over those.
pub fn value_kind(expr: &Expr, ctx: &Context) -> Kind {
    value_kind_at(expr, ctx, 0)
}

fn value_kind_at(expr: &Expr, ctx: &Context, depth: usize) -> Kind {
    if depth > MAX_EXPR_DEPTH {
        return Kind::Unknown;
    }
    let inner = |expr: &Expr| value_kind_at(expr, ctx, depth + 1);
    match expr {
        Expr::List(_) | Expr::ListComp(_) => Kind::List,
        Expr::Dict(_) | Expr::DictComp(_) => Kind::Dict,
        Expr::Set(_) | Expr::SetComp(_) => Kind::Set,
        Expr::Tuple(_) => Kind::Tuple,
        Expr::StringLiteral(_) | Expr::FString(_) => Kind::Str,
        Expr::BytesLiteral(_) => Kind::Bytes,
        Expr::NumberLiteral(_) | Expr::BooleanLiteral(_) => Kind::Number,
        Expr::Generator(_) | Expr::TString(_) => Kind::Other,
        Expr::BinOp(binop) => match binop.op {
            // `[0] * n`, `[head] + rest`.
            Operator::Add | Operator::Mult
                if matches!(*binop.left, Expr::List(_))
                    || matches!(*binop.right, Expr::List(_)) =>
            {
                Kind::List
            }
            Operator::Add => match (inner(&binop.left), inner(&binop.right)) {
                (Kind::Str, _) | (_, Kind::Str) => Kind::Str,
                (Kind::Bytes, _) | (_, Kind::Bytes) => Kind::Bytes,
                _ => Kind::Unknown,
            },
            // `"%s" % x` formats; `"-" * n` repeats.
            Operator::Mod | Operator::Mult => text(inner(&binop.left)),
            _ => Kind::Unknown,
        },
        Expr::If(choice) => inner(&choice.body).join(inner(&choice.orelse)),
        Expr::Call(call) => call_kind(call, ctx, depth),
        _ => Kind::Unknown,
    }
}

/// `kind` if it is text, else `Unknown`.
fn text(kind: Kind) -> Kind {
    match kind {
        Kind::Str | Kind::Bytes => kind,
        _ => Kind::Unknown,
    }
}

fn call_kind(call: &ExprCall, ctx: &Context, depth: usize) -> Kind {
    let qualified = ctx.qualified_name(&call.func);
    if let Some(kind) = qualified.as_deref().and_then(known_call) {
        return kind;
    }
    let Expr::Attribute(method) = &*call.func else {
        return Kind::Unknown;
    };
    let receiver = || value_kind_at(&method.value, ctx, depth + 1);
    match method.attr.as_str() {
        "fromkeys" if ctx.is_builtin(&method.value, "dict") => Kind::Dict,
        // `"".join(...)`, `b"".join(...)`: whatever the separator is.
        "join" => text(receiver()),
        "encode" => Kind::Bytes,
        "decode" => Kind::Str,
        // Text (bytes on bytes, else a string).
        "format" | "format_map" | "upper" | "lower" | "strip" | "lstrip" | "rstrip" | "title"
        | "capitalize" | "casefold" | "swapcase" | "ljust" | "rjust" | "center" | "zfill"
        | "expandtabs" | "removeprefix" | "removesuffix" => match receiver() {
            Kind::Bytes => Kind::Bytes,
            _ => Kind::Str,
        },
        // A new list; unless this is a function of an imported module (`os.path.split`).
        "split" | "rsplit" | "splitlines" | "readlines" | "findall" if qualified.is_none() => {
            Kind::List
        }
        _ => Kind::Unknown,
    }
}

/// What kind of value an annotation declares: `list[int]`, `typing.Dict`, `set[str]`;
/// `Optional[list]` and `list | None` declare a list too. `Other` for any other type,
/// `Unknown` for a string (a forward reference) or `None`.
pub fn annotation_kind(annotation: &Expr, ctx: &Context) -> Kind {
    declared(annotation, ctx, 0).0
}

/// What an annotation declares, and whether it allows `None` too.
fn declared(annotation: &Expr, ctx: &Context, depth: usize) -> (Kind, bool) {
    if depth > MAX_EXPR_DEPTH {
        return (Kind::Unknown, false);
    }
    let inner = |expr: &Expr| declared(expr, ctx, depth + 1);
    match annotation {
        Expr::NoneLiteral(_) => (Kind::Unknown, true),
        Expr::BinOp(union) if union.op == Operator::BitOr => {
            union_of([&*union.left, &*union.right], inner)
        }
        Expr::Subscript(subscript) => match type_name(&subscript.value, ctx).as_deref() {
            Some("Optional") => (inner(&subscript.slice).0, true),
            Some("Union") => match &*subscript.slice {
                Expr::Tuple(members) => union_of(&members.elts, inner),
                member => inner(member),
            },
            Some("Annotated") => match &*subscript.slice {
                Expr::Tuple(parts) => parts.elts.first().map_or((Kind::Unknown, false), inner),
                other => inner(other),
            },
            Some(name) => (annotation_type(name), false),
            None => (Kind::Other, false),
        },
        Expr::Name(_) | Expr::Attribute(_) => (
            type_name(annotation, ctx).map_or(Kind::Other, |name| annotation_type(&name)),
            false,
        ),
        _ => (Kind::Unknown, false),
    }
}

/// What a union of types declares: the kind its members agree on (see `Kind::join`).
fn union_of<'e>(
    members: impl IntoIterator<Item = &'e Expr>,
    declared: impl Fn(&Expr) -> (Kind, bool),
) -> (Kind, bool) {
    members
        .into_iter()
        .map(declared)
        .fold((Kind::Unknown, false), |(kind, or_none), member| {
            (kind.join(member.0), or_none || member.1)
        })
}

/// The name of a builtin or `typing`/`collections` type an expression refers to
/// (`List` for `typing.List`), resolving imports; `None` for anything else.
fn type_name(expr: &Expr, ctx: &Context) -> Option<String> {
    let qualified = ctx.qualified_name(expr)?;
    match qualified.rsplit_once('.') {
        None => Some(qualified),
        Some((module, name)) => TYPING_MODULES.contains(&module).then(|| name.to_owned()),
    }
}

// ---------------------------------------------------------------------------------
// Targets

/// A plain name, or an attribute of `self`: a variable whose bindings a scope shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target<'a> {
    Name(&'a str),
    SelfAttr(&'a str),
}

impl<'a> Target<'a> {
    pub fn of(expr: &'a Expr) -> Option<Self> {
        match expr {
            Expr::Name(name) => Some(Target::Name(name.id.as_str())),
            Expr::Attribute(attr) if is_self(&attr.value) => {
                Some(Target::SelfAttr(attr.attr.as_str()))
            }
            _ => None,
        }
    }

    /// Whether `expr` is this very name or attribute.
    pub fn is(self, expr: &Expr) -> bool {
        match (self, expr) {
            (Target::Name(want), Expr::Name(name)) => name.id.as_str() == want,
            (Target::SelfAttr(want), Expr::Attribute(attr)) => {
                attr.attr.as_str() == want && is_self(&attr.value)
            }
            _ => false,
        }
    }

    /// Whether `node` is this name or attribute, read, assigned or deleted.
    pub fn is_node(self, node: AnyNodeRef) -> bool {
        match (self, node) {
            (Target::Name(want), AnyNodeRef::ExprName(name)) => name.id.as_str() == want,
            (Target::SelfAttr(want), AnyNodeRef::ExprAttribute(attr)) => {
                attr.attr.as_str() == want && is_self(&attr.value)
            }
            _ => false,
        }
    }

    /// Whether `node` is this name or attribute being assigned or deleted.
    pub fn is_stored_by(self, node: AnyNodeRef) -> bool {
        let context = match node {
            AnyNodeRef::ExprName(name) => name.ctx,
            AnyNodeRef::ExprAttribute(attr) => attr.ctx,
            _ => return false,
        };
        context != ExprContext::Load && self.is_node(node)
    }

    /// As written: `seq` or `self.seq`.
    pub fn shown(self) -> String {
        match self {
            Target::Name(name) => name.to_owned(),
            Target::SelfAttr(attr) => format!("self.{attr}"),
        }
    }

    /// The bare name, for naming a helper variable: `seq` for both.
    pub fn stem(self) -> &'a str {
        match self {
            Target::Name(name) | Target::SelfAttr(name) => name.trim_start_matches('_'),
        }
    }
}

pub fn is_self(expr: &Expr) -> bool {
    matches!(expr, Expr::Name(name) if name.id.as_str() == "self")
}

/// Whether two expressions name the same variable or attribute chain (`grid`,
/// `self.grid`, `self.state.pending`).
pub fn same_target(a: &Expr, b: &Expr) -> bool {
    same_target_at(a, b, 0)
}

fn same_target_at(a: &Expr, b: &Expr, depth: usize) -> bool {
    if depth > MAX_TARGET_DEPTH {
        return false;
    }
    match (a, b) {
        (Expr::Name(a), Expr::Name(b)) => a.id == b.id,
        (Expr::Attribute(a), Expr::Attribute(b)) => {
            a.attr.as_str() == b.attr.as_str() && same_target_at(&a.value, &b.value, depth + 1)
        }
        _ => false,
    }
}

/// A key two expressions share exactly when `same_target` holds for them (`self.rows`
/// for that chain), or `None` for an expression `same_target` matches to nothing: lets a
/// per-scope index stand in for comparing every pair.
pub fn target_key(expr: &Expr) -> Option<String> {
    let mut parts = Vec::new();
    let mut expr = expr;
    for _ in 0..=MAX_TARGET_DEPTH {
        match expr {
            Expr::Name(name) => {
                parts.push(name.id.as_str());
                parts.reverse();
                return Some(parts.join("."));
            }
            Expr::Attribute(attr) => {
                parts.push(attr.attr.as_str());
                expr = &attr.value;
            }
            _ => return None,
        }
    }
    None
}

/// `xs`, `self.queue`, `self.state.pending`: a name or an attribute chain on a name.
pub fn is_target_chain(expr: &Expr) -> bool {
    let mut expr = expr;
    for _ in 0..=MAX_TARGET_DEPTH {
        match expr {
            Expr::Name(_) => return true,
            Expr::Attribute(attr) => expr = &attr.value,
            _ => return false,
        }
    }
    false
}

/// Whether the assignment or loop target `target` binds `id`: the name itself, or inside
/// a tuple, list or starred target (`for v, c in pairs`, `a, *rest = xs`).
pub fn target_binds(target: &Expr, id: &str) -> bool {
    fn within(target: &Expr, id: &str, depth: usize) -> bool {
        let elts = match target {
            Expr::Name(name) => return name.id.as_str() == id,
            Expr::Starred(starred) => return within(&starred.value, id, depth + 1),
            Expr::Tuple(tuple) => &tuple.elts,
            Expr::List(list) => &list.elts,
            _ => return false,
        };
        depth < 8 && elts.iter().any(|e| within(e, id, depth + 1))
    }
    within(target, id, 0)
}

/// A function, lambda or class: a scope of its own.
pub fn is_scope(node: AnyNodeRef) -> bool {
    matches!(
        node,
        AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::ExprLambda(_) | AnyNodeRef::StmtClassDef(_)
    )
}

// ---------------------------------------------------------------------------------
// Statement blocks

/// The statement blocks of a node that has them (empty slices for the rest).
pub fn blocks(node: AnyNodeRef<'_>) -> [&[Stmt]; 3] {
    match node {
        AnyNodeRef::ModModule(module) => [&module.body, &[], &[]],
        AnyNodeRef::StmtFunctionDef(def) => [&def.body, &[], &[]],
        AnyNodeRef::StmtClassDef(class) => [&class.body, &[], &[]],
        AnyNodeRef::StmtFor(stmt) => [&stmt.body, &stmt.orelse, &[]],
        AnyNodeRef::StmtWhile(stmt) => [&stmt.body, &stmt.orelse, &[]],
        AnyNodeRef::StmtIf(stmt) => [&stmt.body, &[], &[]],
        AnyNodeRef::ElifElseClause(clause) => [&clause.body, &[], &[]],
        AnyNodeRef::StmtWith(stmt) => [&stmt.body, &[], &[]],
        AnyNodeRef::StmtTry(stmt) => [&stmt.body, &stmt.orelse, &stmt.finalbody],
        AnyNodeRef::ExceptHandlerExceptHandler(handler) => [&handler.body, &[], &[]],
        AnyNodeRef::MatchCase(case) => [&case.body, &[], &[]],
        _ => [&[], &[], &[]],
    }
}

/// The block of `parent` that holds the statement `child`.
pub fn block_holding<'a>(parent: AnyNodeRef<'a>, child: AnyNodeRef<'a>) -> Option<&'a [Stmt]> {
    blocks(parent)
        .into_iter()
        .find(|block| block.iter().any(|s| AnyNodeRef::from(s).ptr_eq(child)))
}

/// How control certainly leaves a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// `break`: the innermost loop ends.
    Break,
    /// `return` or `raise`: the function ends.
    Leave,
}

/// The first `break`, `return` or `raise` after the statement `child` in the block of
/// `parent` (a compound statement, not a function, class or module) that holds it.
pub fn exit_after<'a>(parent: AnyNodeRef<'a>, child: AnyNodeRef<'a>) -> Option<Exit> {
    if is_scope(parent) || matches!(parent, AnyNodeRef::ModModule(_)) {
        return None;
    }
    let block = block_holding(parent, child)?;
    let at = block
        .iter()
        .position(|s| AnyNodeRef::from(s).ptr_eq(child))?;
    block
        .get(at + 1..)
        .unwrap_or_default()
        .iter()
        .find_map(|later| match later {
            Stmt::Break(_) => Some(Exit::Break),
            Stmt::Return(_) | Stmt::Raise(_) => Some(Exit::Leave),
            _ => None,
        })
}

/// Whether `body` (a loop's, say) assigns `target` afresh: `xs = ...`, `xs: T = ...`,
/// or `for xs in ...` (outside nested functions, lambdas and classes).
pub fn assigned_in(body: &[Stmt], target: &Expr) -> bool {
    let mut assigned = false;
    for stmt in body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            assigned |= match node {
                AnyNodeRef::StmtAssign(assign) => {
                    assign.targets.iter().any(|t| same_target(t, target))
                }
                AnyNodeRef::StmtAnnAssign(assign) => {
                    assign.value.is_some() && same_target(&assign.target, target)
                }
                AnyNodeRef::StmtFor(inner) => same_target(&inner.target, target),
                _ => false,
            };
            !assigned && !is_scope(node)
        });
    }
    assigned
}

// ---------------------------------------------------------------------------------
// What a scope binds

/// One binding of a variable in its scope.
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    pub how: How<'a>,
    /// Whether the binding statement stands directly in the scope's body (for a class:
    /// a class attribute, not one set in a method or a nested block).
    pub top_level: bool,
}

#[derive(Debug, Clone, Copy)]
pub enum How<'a> {
    /// A parameter of the function.
    Parameter { annotation: Option<&'a Expr> },
    /// `x = value` (or `a = x = value`).
    Assign { value: &'a Expr },
    /// `x: annotation = value`, or a bare `x: annotation`.
    Annotated {
        annotation: &'a Expr,
        value: Option<&'a Expr>,
    },
    /// `x += value`, `x |= value`...
    AugAssign { op: Operator, value: &'a Expr },
    /// Any other binding, to a value the code does not show: unpacking, a `for` or
    /// `with` target, an import, `global`, `except ... as`, `def`, `class`.
    Other,
}

/// Every binding a function, class or module makes, by variable. A function's are its
/// parameters and what its body binds (not nested functions or classes); a module's
/// are its top-level names. A class's are its class attributes (by name) and the
/// `self.` attributes that its body and its methods, however nested, assign.
#[derive(Debug, Default)]
pub struct ScopeBindings<'a> {
    by_target: HashMap<Target<'a>, Vec<Binding<'a>>>,
}

impl<'a> ScopeBindings<'a> {
    /// Collects what `scope` (a function, class or module) binds; see
    /// `Context::scope_bindings`, which does this once per scope.
    pub fn collect(scope: AnyNodeRef<'a>) -> Self {
        let mut collector = Collector {
            found: ScopeBindings::default(),
            class: matches!(scope, AnyNodeRef::StmtClassDef(_)),
        };
        match scope {
            AnyNodeRef::StmtFunctionDef(def) => {
                for param in def.parameters.iter() {
                    let annotation = param.annotation();
                    let target = Target::Name(param.name().as_str());
                    collector.add(target, How::Parameter { annotation }, Place::TOP);
                }
                collector.body(&def.body, 0, Place::TOP);
            }
            AnyNodeRef::StmtClassDef(class) => collector.body(&class.body, 0, Place::TOP),
            AnyNodeRef::ModModule(module) => collector.body(&module.body, 0, Place::TOP),
            _ => {}
        }
        collector.found
    }

    /// The bindings of `target`, in source order.
    pub fn of(&self, target: Target<'a>) -> &[Binding<'a>] {
        self.by_target.get(&target).map_or(&[], Vec::as_slice)
    }
}

#[derive(Clone, Copy)]
struct Place {
    top_level: bool,
    /// Inside a method: only `self.` attributes are recorded (the names are its own).
    in_method: bool,
}

impl Place {
    const TOP: Place = Place {
        top_level: true,
        in_method: false,
    };
}

struct Collector<'a> {
    found: ScopeBindings<'a>,
    /// Whether the scope is a class, whose methods are searched for `self.` attributes.
    class: bool,
}

impl<'a> Collector<'a> {
    fn add(&mut self, target: Target<'a>, how: How<'a>, place: Place) {
        if place.in_method && matches!(target, Target::Name(_)) {
            return;
        }
        let binding = Binding {
            how,
            top_level: place.top_level,
        };
        self.found
            .by_target
            .entry(target)
            .or_default()
            .push(binding);
    }

    fn add_name(&mut self, name: &'a str, place: Place) {
        self.add(Target::Name(name), How::Other, place);
    }

    /// Records what an unpacking or loop target (`x`, `a, (b, *c)`) binds.
    fn unpacked(&mut self, target: &'a Expr, place: Place, depth: usize) {
        let elts = match target {
            Expr::Tuple(tuple) => &tuple.elts,
            Expr::List(list) => &list.elts,
            Expr::Starred(starred) if depth < MAX_TARGET_DEPTH => {
                return self.unpacked(&starred.value, place, depth + 1);
            }
            other => {
                if let Some(target) = Target::of(other) {
                    self.add(target, How::Other, place);
                }
                return;
            }
        };
        if depth < MAX_TARGET_DEPTH {
            for elt in elts {
                self.unpacked(elt, place, depth + 1);
            }
        }
    }

    fn body(&mut self, body: &'a [Stmt], depth: usize, place: Place) {
        if depth > MAX_DEPTH {
            return;
        }
        for stmt in body {
            self.stmt(stmt, depth + 1, place);
        }
    }

    fn stmt(&mut self, stmt: &'a Stmt, depth: usize, place: Place) {
        let nested = Place {
            top_level: false,
            ..place
        };
        match stmt {
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    match Target::of(target) {
                        Some(found) => self.add(
                            found,
                            How::Assign {
                                value: &assign.value,
                            },
                            place,
                        ),
                        None => self.unpacked(target, place, 0),
                    }
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(target) = Target::of(&assign.target) {
                    let annotation = &assign.annotation;
                    let value = assign.value.as_deref();
                    self.add(target, How::Annotated { annotation, value }, place);
                }
            }
            Stmt::AugAssign(assign) => {
                if let Some(target) = Target::of(&assign.target) {
                    let (op, value) = (assign.op, &*assign.value);
                    self.add(target, How::AugAssign { op, value }, place);
                }
            }
            Stmt::For(stmt) => {
                self.unpacked(&stmt.target, place, 0);
                self.body(&stmt.body, depth, nested);
                self.body(&stmt.orelse, depth, nested);
            }
            Stmt::While(stmt) => {
                self.body(&stmt.body, depth, nested);
                self.body(&stmt.orelse, depth, nested);
            }
            Stmt::If(stmt) => {
                self.body(&stmt.body, depth, nested);
                for clause in &stmt.elif_else_clauses {
                    self.body(&clause.body, depth, nested);
                }
            }
            Stmt::With(stmt) => {
                for vars in stmt.items.iter().filter_map(|i| i.optional_vars.as_deref()) {
                    self.unpacked(vars, place, 0);
                }
                self.body(&stmt.body, depth, nested);
            }
            Stmt::Try(stmt) => {
                self.body(&stmt.body, depth, nested);
                for handler in &stmt.handlers {
                    let ExceptHandler::ExceptHandler(handler) = handler;
                    if let Some(name) = &handler.name {
                        self.add_name(name.as_str(), place);
                    }
                    self.body(&handler.body, depth, nested);
                }
                self.body(&stmt.orelse, depth, nested);
                self.body(&stmt.finalbody, depth, nested);
            }
            Stmt::Match(stmt) => {
                for case in &stmt.cases {
                    self.body(&case.body, depth, nested);
                }
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let local = match &alias.asname {
                        Some(asname) => asname.as_str(),
                        None => alias.name.split('.').next().unwrap_or_default(),
                    };
                    self.add_name(local, place);
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    self.add_name(alias.asname.as_ref().unwrap_or(&alias.name).as_str(), place);
                }
            }
            Stmt::Global(stmt) => stmt.names.iter().for_each(|n| self.add_name(n, place)),
            Stmt::Nonlocal(stmt) => stmt.names.iter().for_each(|n| self.add_name(n, place)),
            Stmt::FunctionDef(def) => {
                self.add_name(def.name.as_str(), place);
                if self.class {
                    let method = Place {
                        top_level: false,
                        in_method: true,
                    };
                    self.body(&def.body, depth, method);
                }
            }
            Stmt::ClassDef(class) => self.add_name(class.name.as_str(), place),
            _ => {}
        }
    }
}

/// The scope whose bindings say what the variable `expr` holds, and the variable: for
/// a name, the enclosing function when it binds the name, else the module; for
/// `self.x`, the enclosing class.
fn scope_of<'a>(expr: &'a Expr, ctx: &Context<'a>) -> Option<(AnyNodeRef<'a>, Target<'a>)> {
    match expr {
        Expr::Name(name) => {
            let id = name.id.as_str();
            let scope = match ctx.enclosing_function() {
                Some(def) if ctx.is_local_binding(id, name.start()) => AnyNodeRef::from(def),
                _ => ctx.ancestors().last()?,
            };
            Some((scope, Target::Name(id)))
        }
        Expr::Attribute(attr) if is_self(&attr.value) => {
            let class = ctx.enclosing_class()?;
            Some((
                AnyNodeRef::from(class),
                Target::SelfAttr(attr.attr.as_str()),
            ))
        }
        _ => None,
    }
}

/// The bindings of `target` in `scope`; for a `self.` attribute, the class attribute of
/// the same name too (`items = []` in the class body is what `self.items` reads).
fn bindings_in<'a, 's>(
    scope: &'s ScopeBindings<'a>,
    target: Target<'a>,
) -> impl Iterator<Item = Binding<'a>> + 's {
    let class_attribute = match target {
        Target::SelfAttr(attr) => scope.of(Target::Name(attr)),
        Target::Name(_) => &[],
    };
    scope.of(target).iter().copied().chain(
        class_attribute
            .iter()
            .copied()
            .filter(|binding| binding.top_level),
    )
}

// ---------------------------------------------------------------------------------
// What a variable holds

/// What kind of value `expr` certainly holds: a display or constructor call, or a name
/// or `self.` attribute every binding of which in its scope (parameter annotation
/// included) gives it the same builtin kind. A name is looked up only in the function
/// that holds `expr` (from its body, not its defaults) or at module level outside any
/// function; inside a lambda, comprehension or class body it could be another variable.
pub fn certain_kind(expr: &Expr, ctx: &Context) -> Kind {
    let Some(target) = Target::of(expr) else {
        return value_kind(expr, ctx);
    };
    let scope = match target {
        Target::SelfAttr(_) => ctx.enclosing_class().map(AnyNodeRef::from),
        Target::Name(_) => match ctx.ancestors().find(|node| {
            is_scope(*node)
                || matches!(
                    node,
                    AnyNodeRef::ExprListComp(_)
                        | AnyNodeRef::ExprSetComp(_)
                        | AnyNodeRef::ExprDictComp(_)
                        | AnyNodeRef::ExprGenerator(_)
                        | AnyNodeRef::ModModule(_)
                )
        }) {
            Some(AnyNodeRef::StmtFunctionDef(def))
                if def.body.first().is_some_and(|s| s.start() <= expr.start()) =>
            {
                Some(AnyNodeRef::from(def))
            }
            Some(module @ AnyNodeRef::ModModule(_)) => Some(module),
            _ => None,
        },
    };
    let Some(scope) = scope else {
        return Kind::Unknown;
    };
    let bindings = ctx.scope_bindings(scope);
    let mut agreed = None;
    for binding in bindings_in(&bindings, target) {
        let kind = match binding.how {
            How::Parameter { annotation } => {
                annotation.map_or(Kind::Unknown, |a| certain_annotation(a, ctx))
            }
            How::Assign { value } => value_kind(value, ctx),
            How::Annotated { annotation, value } => match certain_annotation(annotation, ctx) {
                kind if kind.is_concrete() => kind,
                _ => value.map_or(Kind::Unknown, |v| value_kind(v, ctx)),
            },
            // `d |= other` keeps what `d` is.
            How::AugAssign { .. } => continue,
            How::Other => Kind::Unknown,
        };
        if !kind.is_concrete() || agreed.is_some_and(|agreed| agreed != kind) {
            return Kind::Unknown;
        }
        agreed = Some(kind);
    }
    agreed.unwrap_or(Kind::Unknown)
}

/// What an annotation certainly declares: not `Optional[...]` or `... | None`.
fn certain_annotation(annotation: &Expr, ctx: &Context) -> Kind {
    match declared(annotation, ctx, 0) {
        (_, true) => Kind::Unknown,
        (kind, false) => kind,
    }
}

/// Whether `expr` is certainly a dict: `certain_kind` says so, or it is `obj.__dict__`,
/// `vars(...)`, `globals()`, `locals()`, or the `**kwargs` of the enclosing function.
pub fn is_known_dict(expr: &Expr, ctx: &Context) -> bool {
    match expr {
        Expr::Attribute(attr) if attr.attr.as_str() == "__dict__" => true,
        Expr::Call(call)
            if matches!(
                ctx.qualified_name(&call.func).as_deref(),
                Some("vars" | "globals" | "locals")
            ) =>
        {
            true
        }
        Expr::Name(name)
            if ctx.enclosing_function().is_some_and(|def| {
                def.parameters
                    .kwarg
                    .as_ref()
                    .is_some_and(|kwarg| kwarg.name.as_str() == name.id.as_str())
            }) =>
        {
            true
        }
        _ => certain_kind(expr, ctx) == Kind::Dict,
    }
}

/// One thing the code says about a variable's value: an assignment, an annotation or a
/// parameter's annotation.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    /// What it makes the variable; a call of a capitalised name (`Registry()`) makes
    /// an instance of a class, `Other`.
    pub kind: Kind,
    /// The assigned value, for an assignment.
    pub value: Option<&'a Expr>,
}

/// What the code says about the value of the variable `expr`: an item for each
/// assignment or annotation of it (or annotated parameter) in its scope — for a name,
/// the function that binds it or else the module; for `self.x`, the enclosing class's
/// methods and class attributes. An annotation speaks for its assignment. `x += [...]`
/// says `x` is a list; other bindings (unpacking, loops, imports) say nothing. `None`
/// when `expr` is not such a variable (or `self.x` outside a class).
pub fn evidence<'a>(expr: &'a Expr, ctx: &Context<'a>) -> Option<Vec<Evidence<'a>>> {
    let (scope, target) = scope_of(expr, ctx)?;
    let bindings = ctx.scope_bindings(scope);
    let assigned = |value: &'a Expr| Evidence {
        kind: match value_kind(value, ctx) {
            Kind::Unknown if is_instantiation(value) => Kind::Other,
            kind => kind,
        },
        value: Some(value),
    };
    let annotated = |annotation: Option<&Expr>| Evidence {
        kind: annotation.map_or(Kind::Unknown, |a| annotation_kind(a, ctx)),
        value: None,
    };
    let found = bindings_in(&bindings, target).filter_map(|binding| match binding.how {
        How::Parameter { annotation } => Some(annotated(annotation)),
        How::Assign { value } => Some(assigned(value)),
        How::Annotated { annotation, value } => match (annotated(Some(annotation)), value) {
            (declared, Some(value)) if declared.kind == Kind::Unknown => Some(assigned(value)),
            (declared, _) => Some(declared),
        },
        How::AugAssign {
            op: Operator::Add,
            value,
        } => Some(assigned(value)).filter(|e| e.kind == Kind::List),
        How::AugAssign { .. } | How::Other => None,
    });
    Some(found.collect())
}

/// `Registry()`: a call of a capitalised name makes an instance of a class.
fn is_instantiation(value: &Expr) -> bool {
    matches!(value, Expr::Call(call)
        if matches!(&*call.func, Expr::Name(name) if name.id.starts_with(char::is_uppercase)))
}

/// What several pieces of evidence agree on: `Other` if any says so, else the one
/// known kind they all give, else `Unknown`.
pub fn agreed(kinds: impl IntoIterator<Item = Kind>) -> Kind {
    let mut agreed = None;
    let mut conflict = false;
    for kind in kinds {
        match kind {
            Kind::Other => return Kind::Other,
            Kind::Unknown => {}
            known => match agreed {
                None => agreed = Some(known),
                Some(first) => conflict |= first != known,
            },
        }
    }
    match agreed {
        Some(kind) if !conflict => kind,
        _ => Kind::Unknown,
    }
}

// ---------------------------------------------------------------------------------
// What a variable held before a node

/// What the code before a node says about a target.
pub struct Prior<'a> {
    /// The value of the nearest `target = value` before the node in the same scope.
    pub value: Option<&'a Expr>,
    /// Whether code between that assignment and the node may have added to the object.
    pub grown: bool,
    /// The loops that repeat the node but not the assignment, innermost first (all the
    /// loops up to the scope when there is no assignment).
    pub loops: Vec<AnyNodeRef<'a>>,
    /// The function, lambda, class or module searched.
    pub scope: AnyNodeRef<'a>,
}

/// Traces `target` back from `node` through the statements before it, block by block,
/// up to the enclosing scope. `None` when the target is a loop or comprehension
/// variable, or something before rebinds it in a way that cannot be followed.
pub fn prior_binding<'a>(
    node: AnyNodeRef<'a>,
    target: Target<'a>,
    ctx: &Context<'a>,
) -> Option<Prior<'a>> {
    let at = node.range();
    let mut loops = Vec::new();
    let mut grown = false;
    let mut budget = MAX_VISITS;
    let mut child = node;
    for ancestor in ctx.ancestors() {
        for block in blocks(ancestor) {
            let Some(index) = block.iter().position(|s| AnyNodeRef::from(s).ptr_eq(child)) else {
                continue;
            };
            for stmt in block.get(..index).unwrap_or_default().iter().rev() {
                match effect(stmt, target, ctx, &mut budget) {
                    Effect::Plain(value) => {
                        return Some(Prior {
                            value: Some(value),
                            grown,
                            loops,
                            scope: ancestor,
                        });
                    }
                    Effect::Grows => grown = true,
                    Effect::Rebinds => return None,
                    Effect::Nothing => {}
                }
            }
        }
        let repeats = match ancestor {
            AnyNodeRef::StmtFor(stmt) => {
                let repeats = stmt.body.iter().any(|s| s.range().contains_range(at));
                if repeats && binds(&stmt.target, target) {
                    return None;
                }
                repeats
            }
            AnyNodeRef::StmtWhile(stmt) => {
                stmt.test.range().contains_range(at)
                    || stmt.body.iter().any(|s| s.range().contains_range(at))
            }
            AnyNodeRef::ExprListComp(_)
            | AnyNodeRef::ExprSetComp(_)
            | AnyNodeRef::ExprDictComp(_)
            | AnyNodeRef::ExprGenerator(_) => {
                let generators = comprehension_generators(ancestor);
                if generators.iter().any(|g| binds(&g.target, target)) {
                    return None;
                }
                !generators
                    .first()
                    .is_some_and(|g| g.iter.range().contains_range(at))
            }
            AnyNodeRef::StmtFunctionDef(_)
            | AnyNodeRef::ExprLambda(_)
            | AnyNodeRef::StmtClassDef(_)
            | AnyNodeRef::ModModule(_) => {
                return Some(Prior {
                    value: None,
                    grown,
                    loops,
                    scope: ancestor,
                });
            }
            _ => false,
        };
        if repeats {
            loops.push(ancestor);
        }
        child = ancestor;
    }
    None
}

/// The last plain binding of a variable in a block, read top to bottom, and whether
/// it may grow afterwards.
#[derive(Debug, Clone, Copy)]
pub struct BlockValue<'a> {
    /// `None` when the block does not bind it.
    pub value: Option<&'a Expr>,
    pub grown: bool,
}

/// Reads `block` top to bottom for the bindings of `target`; `None` when it is rebound
/// in a way that cannot be followed. For module-level names use
/// `Context::module_binding`, which traces each name once.
pub fn trace_block<'a>(
    block: &'a [Stmt],
    target: Target<'a>,
    ctx: &Context<'a>,
) -> Option<BlockValue<'a>> {
    let mut budget = MAX_VISITS;
    let mut found = BlockValue {
        value: None,
        grown: false,
    };
    for stmt in block {
        match effect(stmt, target, ctx, &mut budget) {
            Effect::Plain(bound) => {
                found = BlockValue {
                    value: Some(bound),
                    grown: false,
                };
            }
            Effect::Grows => found.grown = true,
            Effect::Rebinds => return None,
            Effect::Nothing => {}
        }
    }
    Some(found)
}

/// Every value a class assigns to a `self.` attribute in its methods.
#[derive(Debug, Default)]
pub struct ClassAttribute<'a> {
    pub values: Vec<&'a Expr>,
    /// Whether some method adds to it (`append`, `extend`, `+=`).
    pub grown: bool,
}

impl<'a> ClassAttribute<'a> {
    /// The assignments to `self.<attr>` in the methods of `class` (not nested
    /// functions); `None` if the class never assigns the attribute, or assigns it other
    /// than plainly. `Context::class_attribute` caches this.
    pub fn collect(class: &'a StmtClassDef, attr: &'a str) -> Option<Self> {
        let target = Target::SelfAttr(attr);
        let mut attribute = ClassAttribute::default();
        let mut budget = MAX_VISITS;
        let methods = class.body.iter().filter_map(|stmt| match stmt {
            Stmt::FunctionDef(def) => Some(def),
            _ => None,
        });
        for def in methods {
            if !method_assignments(def, target, &mut attribute, &mut budget) {
                return None;
            }
        }
        (!attribute.values.is_empty()).then_some(attribute)
    }
}

/// The assignments to the `self.` attribute `target` across the class whose method is
/// `method`; `None` if `method` is not directly in a class body, or as
/// `ClassAttribute::collect` says.
pub fn class_attribute<'a>(
    method: AnyNodeRef<'a>,
    target: Target<'a>,
    ctx: &Context<'a>,
) -> Option<Rc<ClassAttribute<'a>>> {
    let Target::SelfAttr(attr) = target else {
        return None;
    };
    let mut above = ctx.ancestors().skip_while(|a| !a.ptr_eq(method)).skip(1);
    let Some(AnyNodeRef::StmtClassDef(class)) = above.next() else {
        return None;
    };
    ctx.class_attribute(class, attr)
}

/// Adds the plain assignments to `target` in `def` to `attribute`; false if `def` binds
/// it some other way (unpacking, `del`, `for self.x in ...`).
fn method_assignments<'a>(
    def: &'a StmtFunctionDef,
    target: Target<'a>,
    attribute: &mut ClassAttribute<'a>,
    budget: &mut usize,
) -> bool {
    let mut plain = true;
    for stmt in &def.body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            *budget = budget.saturating_sub(1);
            plain &= *budget > 0;
            match node {
                AnyNodeRef::StmtAssign(assign) if assign.targets.iter().any(|t| target.is(t)) => {
                    attribute.values.push(&assign.value);
                    return false;
                }
                AnyNodeRef::StmtAnnAssign(assign) if target.is(&assign.target) => {
                    if let Some(value) = assign.value.as_deref() {
                        attribute.values.push(value);
                    }
                    return false;
                }
                AnyNodeRef::StmtAugAssign(assign) if target.is(&assign.target) => {
                    attribute.grown = true;
                    plain &= matches!(assign.op, Operator::Add | Operator::Mult);
                    return false;
                }
                AnyNodeRef::ExprAttribute(attr) => {
                    if target.is(&attr.value) && LIST_MUTATORS.contains(&attr.attr.as_str()) {
                        attribute.grown = true;
                    }
                    plain &= !target.is_stored_by(node);
                }
                _ => {}
            }
            plain && !is_scope(node)
        });
    }
    plain
}

/// Whether a loop runs a small, fixed number of times: over a literal tuple, list or
/// set, over `range` with literal bounds and at most ten steps, over the function's own
/// `*args` (the arguments written at a call site), or a `while` whose test requires a
/// counter below ten (`while busy and i < 10:` with `i += 1` in the body).
pub fn is_tiny_loop(node: AnyNodeRef, ctx: &Context) -> bool {
    let tiny_iter = |iter: &Expr| match iter {
        Expr::Tuple(tuple) => !tuple.elts.iter().any(Expr::is_starred_expr),
        Expr::List(list) => !list.elts.iter().any(Expr::is_starred_expr),
        Expr::Set(set) => !set.elts.iter().any(Expr::is_starred_expr),
        Expr::Call(call) if ctx.is_builtin(&call.func, "range") => {
            range_len(call).is_some_and(|len| len <= 10)
        }
        _ => false,
    };
    match node {
        AnyNodeRef::StmtFor(stmt) => tiny_iter(&stmt.iter) || is_own_varargs(&stmt.iter, ctx),
        AnyNodeRef::StmtWhile(stmt) => {
            bounded_counter(&stmt.test).is_some_and(|counter| counts_up(&stmt.body, counter))
        }
        AnyNodeRef::ExprListComp(_)
        | AnyNodeRef::ExprSetComp(_)
        | AnyNodeRef::ExprDictComp(_)
        | AnyNodeRef::ExprGenerator(_) => comprehension_generators(node)
            .iter()
            .all(|g| tiny_iter(&g.iter)),
        _ => false,
    }
}

/// Whether `iter` is the `*args` parameter of the function around the loop.
fn is_own_varargs(iter: &Expr, ctx: &Context) -> bool {
    let Expr::Name(name) = iter else {
        return false;
    };
    ctx.enclosing_function()
        .and_then(|def| def.parameters.vararg.as_deref())
        .is_some_and(|vararg| vararg.name.as_str() == name.id.as_str())
}

/// The counter `i` of a `while` test that requires `i < N` or `i <= N` with a literal
/// `N` of at most ten, alone or as one operand of an `and`.
fn bounded_counter(test: &Expr) -> Option<&str> {
    let small = |expr: &Expr| {
        matches!(expr, Expr::NumberLiteral(n)
            if n.value.as_int().and_then(|i| i.as_i64()).is_some_and(|v| v <= 10))
    };
    match test {
        Expr::BoolOp(bool_op) if bool_op.op == BoolOp::And => {
            bool_op.values.iter().find_map(bounded_counter)
        }
        Expr::Compare(compare) => match (compare.ops.as_ref(), compare.comparators.as_ref()) {
            ([CmpOp::Lt | CmpOp::LtE], [bound]) if small(bound) => match &*compare.left {
                Expr::Name(name) => Some(name.id.as_str()),
                _ => None,
            },
            ([CmpOp::Gt | CmpOp::GtE], [Expr::Name(name)]) if small(&compare.left) => {
                Some(name.id.as_str())
            }
            _ => None,
        },
        _ => None,
    }
}

/// Whether a loop body adds to `counter` (`i += 1`) at its own level, so every pass counts.
fn counts_up(body: &[Stmt], counter: &str) -> bool {
    body.iter().any(|stmt| {
        matches!(stmt, Stmt::AugAssign(assign)
            if assign.op == Operator::Add
                && matches!(&*assign.target, Expr::Name(name) if name.id.as_str() == counter)
                && matches!(&*assign.value, Expr::NumberLiteral(_)))
    })
}

/// The number of steps of `range(...)` with integer-literal arguments.
fn range_len(call: &ExprCall) -> Option<i64> {
    if !call.arguments.keywords.is_empty() {
        return None;
    }
    let numbers: Option<Vec<i64>> = call
        .arguments
        .args
        .iter()
        .map(|arg| match arg {
            Expr::NumberLiteral(number) => number.value.as_int().and_then(|i| i.as_i64()),
            _ => None,
        })
        .collect();
    let (start, stop, step) = match numbers?.as_slice() {
        [stop] => (0, *stop, 1),
        [start, stop] => (*start, *stop, 1),
        [start, stop, step] if *step != 0 => (*start, *stop, *step),
        _ => return None,
    };
    let span = stop.checked_sub(start)?;
    Some(if (span > 0) == (step > 0) && span != 0 {
        (span.abs() + step.abs() - 1) / step.abs()
    } else {
        0
    })
}

fn comprehension_generators(node: AnyNodeRef<'_>) -> &[Comprehension] {
    match node {
        AnyNodeRef::ExprListComp(comp) => &comp.generators,
        AnyNodeRef::ExprSetComp(comp) => &comp.generators,
        AnyNodeRef::ExprDictComp(comp) => &comp.generators,
        AnyNodeRef::ExprGenerator(comp) => &comp.generators,
        _ => &[],
    }
}

/// Whether `call` is known to only read its arguments, neither changing nor keeping
/// them: a builtin like `len(xs)` or `sorted(xs)`, or a method like `",".join(xs)` or
/// `s.union(xs)`.
pub fn reads_only(call: &ExprCall, ctx: &Context) -> bool {
    match &*call.func {
        Expr::Name(name) => match name.id.as_str() {
            "len" | "print" | "sorted" | "set" | "frozenset" | "tuple" | "list" | "enumerate"
            | "zip" | "iter" | "reversed" | "min" | "max" | "sum" | "any" | "all" | "str"
            | "repr" | "bool" | "isinstance" | "id" | "map" | "filter" | "dict" | "format"
            | "type" => ctx.is_builtin(&call.func, &name.id),
            _ => false,
        },
        Expr::Attribute(method) => READ_ONLY_METHODS.contains(&method.attr.as_str()),
        _ => false,
    }
}

/// Methods of other objects that read an iterable argument without keeping it.
const READ_ONLY_METHODS: &[&str] = &[
    "join",
    "format",
    "count",
    "index",
    "union",
    "intersection",
    "difference",
    "symmetric_difference",
    "issubset",
    "issuperset",
    "isdisjoint",
];

/// Whether an assignment target (`x`, `(x, y)`, `*rest`) binds `target`.
fn binds(expr: &Expr, target: Target) -> bool {
    let mut found = false;
    for_each_node(AnyNodeRef::from(expr), |node| {
        found |= target.is_stored_by(node);
        !found
    });
    found
}

enum Effect<'a> {
    Nothing,
    /// `target = value` as a statement of its own.
    Plain(&'a Expr),
    /// `target.append(...)`, `target += ...`, or handing it to unknown code.
    Grows,
    /// Any other binding: in a branch, by unpacking, `del`, `import`, `global`...
    Rebinds,
}

/// What one statement before the node does to `target`.
fn effect<'a>(
    stmt: &'a Stmt,
    target: Target<'a>,
    ctx: &Context<'a>,
    budget: &mut usize,
) -> Effect<'a> {
    match stmt {
        Stmt::Assign(assign) if assign.targets.iter().any(|t| target.is(t)) => {
            return Effect::Plain(&assign.value);
        }
        Stmt::AnnAssign(assign) if target.is(&assign.target) => {
            return assign
                .value
                .as_deref()
                .map_or(Effect::Nothing, Effect::Plain);
        }
        _ => {}
    }
    // Every way of touching the target spells its name: skip statements that do not.
    if !ctx.text_of(stmt).contains(target.stem()) {
        return Effect::Nothing;
    }
    let name = match target {
        Target::Name(name) => Some(name),
        Target::SelfAttr(_) => None,
    };
    let is_name = |id: Option<&str>| id.is_some() && id == name;
    let mut effect = Effect::Nothing;
    for_each_node(AnyNodeRef::from(stmt), |node| {
        *budget = budget.saturating_sub(1);
        let rebinds = *budget == 0
            || target.is_stored_by(node)
            || match node {
                AnyNodeRef::StmtAugAssign(assign) if target.is(&assign.target) => {
                    effect = Effect::Grows;
                    !matches!(assign.op, Operator::Add | Operator::Mult)
                }
                AnyNodeRef::StmtFunctionDef(def) => is_name(Some(def.name.as_str())),
                AnyNodeRef::StmtClassDef(class) => is_name(Some(class.name.as_str())),
                AnyNodeRef::Alias(alias) => {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                    is_name(bound.split('.').next())
                }
                AnyNodeRef::StmtGlobal(stmt) => stmt.names.iter().any(|n| is_name(Some(n))),
                AnyNodeRef::StmtNonlocal(stmt) => stmt.names.iter().any(|n| is_name(Some(n))),
                AnyNodeRef::ExceptHandlerExceptHandler(handler) => is_name(handler.name.as_deref()),
                AnyNodeRef::PatternMatchAs(pattern) => is_name(pattern.name.as_deref()),
                AnyNodeRef::PatternMatchStar(pattern) => is_name(pattern.name.as_deref()),
                AnyNodeRef::PatternMatchMapping(pattern) => is_name(pattern.rest.as_deref()),
                AnyNodeRef::ExprCall(call) => {
                    if grows_through(call, target, ctx) {
                        effect = Effect::Grows;
                    }
                    false
                }
                _ => false,
            };
        if rebinds {
            effect = Effect::Rebinds;
        }
        !rebinds && !is_scope(node) && !matches!(node, AnyNodeRef::StmtAugAssign(_))
    });
    effect
}

/// Whether `call` may add to `target`: a mutating method of it, or code it is handed to
/// (or, for a `self.` attribute, any method of `self`).
fn grows_through(call: &ExprCall, target: Target, ctx: &Context) -> bool {
    match &*call.func {
        Expr::Attribute(method) if target.is(&method.value) => {
            return LIST_MUTATORS.contains(&method.attr.as_str());
        }
        Expr::Attribute(method)
            if matches!(target, Target::SelfAttr(_)) && is_self(&method.value) =>
        {
            return true;
        }
        _ => {}
    }
    call.arguments.args.iter().any(|arg| target.is(arg)) && !reads_only(call, ctx)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::ast::{self, Stmt};

    fn parse(source: &str) -> ast::ParsedModule {
        ast::parse(source, false)
    }

    /// The value of each `name = value` at module level, classified.
    fn kinds(source: &str, classify: fn(&Expr, &Context) -> Kind) -> Vec<Kind> {
        let parsed = parse(source);
        let settings = crate::config::Settings::for_rules(&[]);
        let ctx = Context::new(Path::new("m.py"), source, &parsed.module, &settings);
        parsed
            .module
            .body
            .iter()
            .filter_map(|stmt| match stmt {
                Stmt::Assign(assign) => Some(classify(&assign.value, &ctx)),
                Stmt::AnnAssign(assign) => Some(classify(&assign.annotation, &ctx)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn values_by_syntax_and_known_calls() {
        let source = "\
import collections
import os
from re import split
a = [1] * 3
b = collections.OrderedDict()
c = split(',', s)
d = line.split()
e = os.path.split(p)
f = '-' * 3 + x
g = b''.join(parts).strip()
h = x if c else 'text'
i = [] if c else {}
j = (x for x in y)
k = bytearray(3)
l = Registry()
";
        use Kind::*;
        assert_eq!(
            kinds(source, value_kind),
            [
                List, Dict, List, List, Unknown, Str, Bytes, Str, Other, Other, ByteArray, Unknown
            ]
        );
    }

    #[test]
    fn annotations_resolve_typing_names() {
        let source = "\
import typing as t
from typing import Optional, Union, Sequence
a: list[int]
b: t.Dict[str, int]
c: Optional[t.List[int]]
d: list[int] | None
e: Union[set, None]
f: Sequence[int]
g: 'Forward'
h: collections.abc.MutableSequence
";
        use Kind::*;
        assert_eq!(
            kinds(source, annotation_kind),
            [List, Dict, List, List, Set, Other, Unknown, Other]
        );
    }

    #[test]
    fn a_class_binds_its_attributes_and_what_its_methods_assign_to_self() {
        let parsed = parse(
            "\
class C:
    items = []
    def run(self):
        self.queue = []
        local = 1
        def helper():
            self.queue = None
        class Inner:
            def f(self):
                self.queue = {}
    def items(self):
        a, self.pair = 1, 2
",
        );
        let Some(Stmt::ClassDef(class)) = parsed.module.body.first() else {
            panic!("no class");
        };
        let bindings = ScopeBindings::collect(AnyNodeRef::from(class));
        let queue = bindings.of(Target::SelfAttr("queue"));
        assert_eq!(
            queue.len(),
            2,
            "the method and its nested function, not Inner"
        );
        assert!(queue.iter().all(|b| matches!(b.how, How::Assign { .. })));
        let items = bindings.of(Target::Name("items"));
        assert_eq!(items.len(), 2, "the class attribute and the method");
        assert!(items.iter().all(|b| b.top_level));
        assert!(bindings.of(Target::Name("local")).is_empty());
        assert!(matches!(
            bindings.of(Target::SelfAttr("pair")),
            [Binding {
                how: How::Other,
                top_level: false
            }]
        ));
    }

    #[test]
    fn targets_and_chains() {
        let parsed = parse("self.a.b\nself.a.b\nself.a.c\nx.y\n");
        let exprs: Vec<&Expr> = parsed
            .module
            .body
            .iter()
            .filter_map(|stmt| stmt.as_expr_stmt().map(|e| &*e.value))
            .collect();
        assert!(same_target(exprs[0], exprs[1]));
        assert!(!same_target(exprs[0], exprs[2]));
        assert!(is_target_chain(exprs[0]));
        assert_eq!(Target::of(exprs[3]), None);
        let deep = format!("x{}", ".a".repeat(MAX_TARGET_DEPTH + 1));
        let parsed = parse(&deep);
        let Some(Stmt::Expr(deep)) = parsed.module.body.first() else {
            panic!("no expression");
        };
        assert!(!is_target_chain(&deep.value));
    }
}
