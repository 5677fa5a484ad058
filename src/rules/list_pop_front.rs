//! PF203: `xs.pop(0)`, `xs.insert(0, x)` or `del xs[0]` on a list, inside a loop.
//!
//! A list keeps its elements in one contiguous array, so removing or inserting at the
//! front moves every other element: O(n) per call, O(n²) for a loop that drains or
//! builds a list from the front. The rule reports only receivers that are lists or
//! could be: it stays silent for anything bound to a dict, set, deque or other known
//! non-list in the same function (or class, for `self.` attributes), and reports
//! `insert(0, x)` only on a known list, because GUI widgets (`entry.insert(0, text)`)
//! share that signature.

use crate::ast::{self, AnyNodeRef, Expr, NodeKind, Operator, Ranged, Stmt};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rule::{FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF203",
    name: "list-pop-front",
    summary: "removing or inserting at the front of a list in a loop shifts every element each time, O(n²) in all",
    severity: Severity::Warning,
    topic: Topic::DataStructures,
    doc: include_str!("../../rules/list-pop-front.md"),
    fix: FixAvailability::None,
    equivalents: &[],
};

/// Functions (by qualified name) that return a new list.
const LIST_FUNCTIONS: &[&str] = &[
    "list",
    "sorted",
    "os.listdir",
    "glob.glob",
    "re.findall",
    "re.split",
    "shlex.split",
];

/// Methods that return a new list (`line.split()`, `f.readlines()`).
const LIST_METHODS: &[&str] = &["split", "rsplit", "splitlines", "readlines", "findall"];

/// Annotations (last segment) that name a list.
const LIST_TYPES: &[&str] = &["list", "List", "MutableSequence"];

/// A loop over at most this many literal items is too short to matter.
const FEW: usize = 16;

/// Nesting deeper than this is not compared when matching `self.queue` chains.
const MAX_TARGET_DEPTH: usize = 8;

pub struct ListPopFront;

impl Rule for ListPopFront {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::ExprCall, NodeKind::StmtDelete]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let Some((op, receiver)) = front_operation(node) else {
            return;
        };
        if !is_target_chain(receiver, 0) {
            return;
        }
        let Some(repeating) = ctx.enclosing_loop(node) else {
            return;
        };
        // A comprehension repeats within its statement, whatever follows it.
        let statement_loop = matches!(repeating, AnyNodeRef::StmtFor(_) | AnyNodeRef::StmtWhile(_));
        if loop_iterates(receiver, ctx)
            || few_iterations(repeating, ctx)
            || (statement_loop && stops_after(node, ctx))
            || rebound_in(repeating, receiver)
        {
            return;
        }
        match binding_kind(receiver, ctx) {
            Kind::List => {}
            Kind::Other => return,
            // `entry.insert(0, text)` on a Tk widget looks the same; insist on a list.
            Kind::Unknown if op == Op::Insert => return,
            Kind::Unknown => {}
        }
        let name = ctx.text_of(receiver);
        let (what, shift, help) = match op {
            Op::Pop => (
                format!("`{name}.pop(0)`"),
                "removes the first element",
                format!(
                    "make `{name}` a `collections.deque` and call `{name}.popleft()`, which is O(1); or walk the list with an index or a `for` loop instead of consuming it"
                ),
            ),
            Op::Del => (
                format!("`del {name}[0]`"),
                "removes the first element",
                format!(
                    "make `{name}` a `collections.deque` and call `{name}.popleft()`, which is O(1); or walk the list with an index instead of deleting from it"
                ),
            ),
            Op::Insert => (
                format!("`{name}.insert(0, ...)`"),
                "inserts before the first element",
                format!(
                    "`{name}.append(...)` in the loop and reverse `{name}` once afterwards, or make it a `collections.deque` and call `{name}.appendleft(...)`"
                ),
            ),
        };
        report.add(
            node.range(),
            format!(
                "{what} {shift} of list `{name}`, moving every other element: O(n) each time, so this loop takes O(n²) time as `{name}` grows"
            ),
            help,
        );
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Pop,
    Insert,
    Del,
}

/// `xs.pop(0)`, `xs.insert(0, x)` or `del xs[0]`, with the receiver `xs`.
fn front_operation<'a>(node: AnyNodeRef<'a>) -> Option<(Op, &'a Expr)> {
    match node {
        AnyNodeRef::ExprCall(call) => {
            let Expr::Attribute(attr) = &*call.func else {
                return None;
            };
            let args = &call.arguments.args;
            if !call.arguments.keywords.is_empty() {
                return None;
            }
            let op = match (attr.attr.as_str(), args.len()) {
                ("pop", 1) => Op::Pop,
                ("insert", 2) => Op::Insert,
                _ => return None,
            };
            is_zero(args.first()?).then_some((op, &*attr.value))
        }
        AnyNodeRef::StmtDelete(delete) => match delete.targets.as_slice() {
            [Expr::Subscript(sub)] if is_zero(&sub.slice) => Some((Op::Del, &*sub.value)),
            _ => None,
        },
        _ => None,
    }
}

fn is_zero(expr: &Expr) -> bool {
    matches!(expr, Expr::NumberLiteral(n) if n.value.as_int().and_then(ast::Int::as_u8) == Some(0))
}

/// `xs`, `self.queue`, `self.state.pending`: a name or an attribute chain on a name.
fn is_target_chain(expr: &Expr, depth: usize) -> bool {
    match expr {
        Expr::Name(_) => true,
        Expr::Attribute(attr) if depth < MAX_TARGET_DEPTH => {
            is_target_chain(&attr.value, depth + 1)
        }
        _ => false,
    }
}

fn same_target(a: &Expr, b: &Expr, depth: usize) -> bool {
    if depth > MAX_TARGET_DEPTH {
        return false;
    }
    match (a, b) {
        (Expr::Name(a), Expr::Name(b)) => a.id == b.id,
        (Expr::Attribute(a), Expr::Attribute(b)) => {
            a.attr.as_str() == b.attr.as_str() && same_target(&a.value, &b.value, depth + 1)
        }
        _ => false,
    }
}

/// Whether the innermost loop is `for x in xs:` over the receiver itself; changing the
/// list being iterated is `modify-while-iterating`'s business.
fn loop_iterates(receiver: &Expr, ctx: &Context) -> bool {
    ctx.ancestors()
        .find_map(|node| match node {
            AnyNodeRef::StmtFor(stmt) => Some(Some(&*stmt.iter)),
            AnyNodeRef::StmtWhile(_)
            | AnyNodeRef::StmtFunctionDef(_)
            | AnyNodeRef::StmtClassDef(_)
            | AnyNodeRef::ExprLambda(_) => Some(None),
            _ => None,
        })
        .flatten()
        .is_some_and(|iter| same_target(iter, receiver, 0))
}

/// Whether the loop is `for ... in range(4)` or over a short literal tuple or list: a
/// handful of front operations costs nothing worth a change.
fn few_iterations(repeating: AnyNodeRef, ctx: &Context) -> bool {
    let AnyNodeRef::StmtFor(stmt) = repeating else {
        return false;
    };
    match &*stmt.iter {
        Expr::Tuple(tuple) => tuple.elts.len() <= FEW,
        Expr::List(list) => list.elts.len() <= FEW,
        Expr::Call(call) if ctx.is_builtin(&call.func, "range") => {
            let bounds: Option<Vec<i64>> = call
                .arguments
                .args
                .iter()
                .map(|arg| match arg {
                    Expr::NumberLiteral(n) => n.value.as_int().and_then(ast::Int::as_i64),
                    _ => None,
                })
                .collect();
            match bounds.as_deref() {
                Some([stop]) => *stop <= FEW as i64,
                Some([start, stop, ..]) => stop.saturating_sub(*start) <= FEW as i64,
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether the loop body assigns the receiver afresh (`for o in logs: l = list(o);
/// l.pop(0)`): then each iteration works on a new list and shifts it only once.
fn rebound_in(repeating: AnyNodeRef, receiver: &Expr) -> bool {
    let body = match repeating {
        AnyNodeRef::StmtFor(stmt) => &stmt.body,
        AnyNodeRef::StmtWhile(stmt) => &stmt.body,
        _ => return false,
    };
    let mut rebound = false;
    for stmt in body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            match node {
                AnyNodeRef::StmtAssign(assign) => {
                    rebound |= assign.targets.iter().any(|t| same_target(t, receiver, 0));
                }
                AnyNodeRef::StmtAnnAssign(assign) => {
                    rebound |= assign.value.is_some() && same_target(&assign.target, receiver, 0);
                }
                AnyNodeRef::StmtFor(stmt) => rebound |= same_target(&stmt.target, receiver, 0),
                _ => {}
            }
            !rebound && !is_scope(node)
        });
    }
    rebound
}

fn is_scope(node: AnyNodeRef) -> bool {
    matches!(
        node,
        AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_) | AnyNodeRef::ExprLambda(_)
    )
}

/// Whether the statement holding `node` is followed, in its block, by `break`, `return`
/// or `raise`: then it runs at most once per loop, not once per iteration.
fn stops_after(node: AnyNodeRef, ctx: &Context) -> bool {
    let mut child = node;
    for parent in ctx.ancestors() {
        if child.is_statement() {
            if matches!(child, AnyNodeRef::StmtReturn(_) | AnyNodeRef::StmtRaise(_)) {
                return true;
            }
            if let Some(block) = block_holding(parent, child) {
                let at = block.iter().position(|s| AnyNodeRef::from(s).ptr_eq(child));
                return at.is_some_and(|at| {
                    block
                        .get(at + 1..)
                        .unwrap_or_default()
                        .iter()
                        .any(|s| matches!(s, Stmt::Break(_) | Stmt::Return(_) | Stmt::Raise(_)))
                });
            }
            return false;
        }
        child = parent;
    }
    false
}

/// The statement list of `parent` that holds `child`.
fn block_holding<'a>(parent: AnyNodeRef<'a>, child: AnyNodeRef<'a>) -> Option<&'a [Stmt]> {
    let blocks: [&'a [Stmt]; 2] = match parent {
        AnyNodeRef::StmtFor(s) => [&s.body, &s.orelse],
        AnyNodeRef::StmtWhile(s) => [&s.body, &s.orelse],
        AnyNodeRef::StmtIf(s) => [&s.body, &[]],
        AnyNodeRef::ElifElseClause(c) => [&c.body, &[]],
        AnyNodeRef::StmtWith(s) => [&s.body, &[]],
        AnyNodeRef::StmtTry(s) => [&s.body, &s.orelse],
        AnyNodeRef::ExceptHandlerExceptHandler(h) => [&h.body, &[]],
        AnyNodeRef::MatchCase(c) => [&c.body, &[]],
        _ => return None,
    };
    blocks
        .into_iter()
        .find(|block| block.iter().any(|s| AnyNodeRef::from(s).ptr_eq(child)))
}

/// What the receiver is known to hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    List,
    Other,
    Unknown,
}

/// What `receiver` is bound to, from its assignments (and annotations) in the function
/// that binds it (or the module), or, for `self.x`, in the enclosing class. Any binding
/// to a non-list wins, then any binding to a list.
fn binding_kind(receiver: &Expr, ctx: &Context) -> Kind {
    let (scope, parameters) = match receiver {
        Expr::Name(name) => {
            let id = name.id.as_str();
            if ctx.facts().import_of(id).is_some() {
                return Kind::Other;
            }
            match ctx.enclosing_function() {
                Some(def) if ctx.is_local_binding(id, name.start()) => {
                    (AnyNodeRef::from(def), Some(&*def.parameters))
                }
                _ => match ctx.ancestors().last() {
                    Some(module) => (module, None),
                    None => return Kind::Unknown,
                },
            }
        }
        Expr::Attribute(attr) => {
            // `sys.path.insert(0, ...)`: attributes of modules are not ours to judge.
            if !matches!(&*attr.value, Expr::Name(owner) if owner.id.as_str() == "self") {
                return Kind::Other;
            }
            match ctx.enclosing_class() {
                Some(class) => (AnyNodeRef::from(class), None),
                None => return Kind::Unknown,
            }
        }
        _ => return Kind::Unknown,
    };
    let mut kinds = Vec::new();
    if let (Some(parameters), Expr::Name(name)) = (parameters, receiver)
        && let Some(param) = parameters
            .iter()
            .find(|p| p.name().as_str() == name.id.as_str())
        && let Some(annotation) = param.annotation()
    {
        kinds.push(annotation_kind(annotation));
    }
    // A class's own attributes (`queue: list[int] = ...`) match `self.queue`.
    let class_level = match (scope, receiver) {
        (AnyNodeRef::StmtClassDef(class), Expr::Attribute(attr)) => Some((class, attr)),
        _ => None,
    };
    for_each_node(scope, |node| {
        let (target, value, annotation) = match node {
            AnyNodeRef::StmtAssign(assign) => match assign.targets.as_slice() {
                [target] => (target, Some(&*assign.value), None),
                _ => return true,
            },
            AnyNodeRef::StmtAnnAssign(assign) => (
                &*assign.target,
                assign.value.as_deref(),
                Some(&*assign.annotation),
            ),
            AnyNodeRef::StmtAugAssign(assign) if assign.op == Operator::Add => {
                (&*assign.target, Some(&*assign.value), None)
            }
            // Nested functions bind their own names (but may set `self.` attributes).
            AnyNodeRef::StmtFunctionDef(_) => {
                return scope.ptr_eq(node) || matches!(receiver, Expr::Attribute(_));
            }
            AnyNodeRef::ExprLambda(_) => return false,
            AnyNodeRef::StmtClassDef(_) => return scope.ptr_eq(node),
            _ => return true,
        };
        let matches_class_field = class_level.is_some_and(|(class, attr)| {
            matches!(target, Expr::Name(field) if field.id.as_str() == attr.attr.as_str())
                && class.body.iter().any(|s| AnyNodeRef::from(s).ptr_eq(node))
        });
        if same_target(target, receiver, 0) || matches_class_field {
            if let Some(annotation) = annotation {
                kinds.push(annotation_kind(annotation));
            }
            if let Some(value) = value {
                kinds.push(value_kind(value, ctx));
            }
        }
        true
    });
    if kinds.contains(&Kind::Other) {
        Kind::Other
    } else if kinds.contains(&Kind::List) {
        Kind::List
    } else {
        Kind::Unknown
    }
}

/// What an assigned value is.
fn value_kind(value: &Expr, ctx: &Context) -> Kind {
    match value {
        Expr::List(_) | Expr::ListComp(_) => Kind::List,
        Expr::BinOp(binop) if matches!(binop.op, Operator::Add | Operator::Mult) => {
            if matches!(*binop.left, Expr::List(_)) || matches!(*binop.right, Expr::List(_)) {
                Kind::List
            } else {
                Kind::Unknown
            }
        }
        Expr::Call(call) => {
            if let Some(name) = ctx.qualified_name(&call.func) {
                if LIST_FUNCTIONS.contains(&name.as_str()) {
                    return Kind::List;
                }
                // `deque()`, `dict()`, `Queue()`, `MyStack()`: something else. Builtins
                // resolve to a bare name, imports to a dotted one.
                let last = name.rsplit('.').next().unwrap_or_default();
                if name.contains('.')
                    || last.starts_with(char::is_uppercase)
                    || matches!(
                        last,
                        "dict" | "set" | "tuple" | "str" | "bytes" | "bytearray"
                    )
                {
                    return Kind::Other;
                }
            }
            match &*call.func {
                Expr::Attribute(attr) if LIST_METHODS.contains(&attr.attr.as_str()) => Kind::List,
                Expr::Attribute(attr) if attr.attr.as_str() == "copy" => Kind::Unknown,
                Expr::Name(name) if name.id.starts_with(char::is_uppercase) => Kind::Other,
                _ => Kind::Unknown,
            }
        }
        Expr::Dict(_)
        | Expr::DictComp(_)
        | Expr::Set(_)
        | Expr::SetComp(_)
        | Expr::Tuple(_)
        | Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::FString(_)
        | Expr::NumberLiteral(_)
        | Expr::Generator(_) => Kind::Other,
        _ => Kind::Unknown,
    }
}

/// What an annotation says: `list[int]`, `List[str]`, `Optional[list]`, `list | None`.
fn annotation_kind(annotation: &Expr) -> Kind {
    match annotation {
        Expr::Subscript(sub) => {
            let head = last_segment(&sub.value);
            if head == Some("Optional") {
                annotation_kind(&sub.slice)
            } else if head.is_some_and(|h| LIST_TYPES.contains(&h)) {
                Kind::List
            } else {
                Kind::Other
            }
        }
        Expr::BinOp(binop) if binop.op == Operator::BitOr => {
            match (annotation_kind(&binop.left), annotation_kind(&binop.right)) {
                (Kind::List, _) | (_, Kind::List) => Kind::List,
                _ => Kind::Other,
            }
        }
        Expr::NoneLiteral(_) => Kind::Unknown,
        Expr::StringLiteral(_) => Kind::Unknown,
        other => match last_segment(other) {
            Some(head) if LIST_TYPES.contains(&head) => Kind::List,
            Some(_) => Kind::Other,
            None => Kind::Unknown,
        },
    }
}

fn last_segment(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attr) => Some(attr.attr.as_str()),
        _ => None,
    }
}
