//! What a function does with a parameter whose default is a mutable object: the
//! evidence that decides how bad a `mutable-default-arg` finding is.
//!
//! The walk is flow-insensitive but stops at the first rebinding of the name (`cnf =
//! _cnfmerge((cnf, kw))`): after it, the name no longer holds the shared default.

use crate::ast::{AnyNodeRef, CmpOp, Expr, Ranged, Stmt, TextSize};
use crate::checker::subtree::for_each_node;
use crate::rules::mutable_class_attr::MUTATING_METHODS;

/// Methods that only read their argument: `",".join(x)`, `d.update(x)`, and
/// `mapping.get(key, default)`, which hands a sentinel back to be compared by identity.
const READING_METHODS: &[&str] = &[
    "get",
    "pop",
    "join",
    "update",
    "extend",
    "union",
    "intersection",
    "difference",
    "issubset",
    "issuperset",
    "isdisjoint",
    "startswith",
    "endswith",
    "format",
    "index",
    "count",
];

/// Built-ins that only read their argument (or copy it).
const READING_FUNCTIONS: &[&str] = &[
    "isinstance",
    "issubclass",
    "len",
    "list",
    "tuple",
    "dict",
    "set",
    "frozenset",
    "sorted",
    "reversed",
    "iter",
    "enumerate",
    "zip",
    "map",
    "filter",
    "str",
    "repr",
    "print",
    "id",
    "type",
    "hash",
    "bool",
    "any",
    "all",
    "sum",
    "min",
    "max",
    "getattr",
    "hasattr",
    "format",
    "copy",
    "deepcopy",
];

/// Methods that keep their argument inside the receiver.
const STORING_METHODS: &[&str] = &[
    "append",
    "appendleft",
    "insert",
    "add",
    "setdefault",
    "put",
    "put_nowait",
];

/// The strongest use found, weakest first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Use {
    /// Only read: looked up, iterated, copied, compared.
    Read,
    /// Handed to other code, which may change or keep it (the call is quoted).
    PassedOn(String),
    /// Changed in place (`.append`, `x[k] = v`, `+=`, `del x[k]`): the call or operator.
    Mutated(String),
    /// Kept beyond the call: returned, yielded, or stored on an object or in a container.
    Kept(&'static str),
}

/// How `name` is used in `body`, before its first rebinding. `kwargs` is the function's
/// `**` parameter: passing the default together with it is the options-merge idiom
/// (tkinter's `cnf={}`), which reads the dict.
pub fn classify(body: &[Stmt], name: &str, kwargs: Option<&str>) -> Use {
    let rebound = first_rebinding(body, name);
    let is_name = |expr: &Expr| matches!(expr, Expr::Name(n) if n.id.as_str() == name);
    let holds_name = |expr: &Expr| holds(expr, name, 0);
    let is_kwargs = |expr: &Expr| {
        matches!(expr, Expr::Name(n) if Some(n.id.as_str()) == kwargs)
            || matches!(expr, Expr::Tuple(t) if t.elts.iter().any(|e| matches!(e, Expr::Name(n) if Some(n.id.as_str()) == kwargs)))
    };
    let mut found = Use::Read;
    let mut note = |use_: Use| {
        if use_ > found {
            found = use_;
        }
    };
    for stmt in body {
        for_each_node(stmt.into(), |node| {
            if rebound.is_some_and(|at| node.start() >= at) {
                return false;
            }
            match node {
                AnyNodeRef::ExprCall(call) => {
                    let method = match &*call.func {
                        Expr::Attribute(attr) => Some((attr.attr.as_str(), &*attr.value)),
                        _ => None,
                    };
                    if let Some((method, receiver)) = method
                        && is_name(receiver)
                        && MUTATING_METHODS.contains(&method)
                    {
                        note(Use::Mutated(format!("`.{method}()`")));
                    }
                    let arguments = call
                        .arguments
                        .args
                        .iter()
                        .chain(call.arguments.keywords.iter().map(|k| &k.value));
                    // `f(**name)` hands the callee a fresh dict: only a read. The object
                    // itself, alone or inside a tuple or list built for the call
                    // (`queue.put((job, func, kwds))`), is handed on.
                    let handed_on = call
                        .arguments
                        .args
                        .iter()
                        .chain(
                            call.arguments
                                .keywords
                                .iter()
                                .filter(|k| k.arg.is_some())
                                .map(|k| &k.value),
                        )
                        .any(holds_name);
                    if handed_on {
                        if method.is_some_and(|(m, _)| STORING_METHODS.contains(&m)) {
                            note(Use::Kept("put into another container"));
                        } else if !arguments.clone().any(is_kwargs)
                            && !method.is_some_and(|(m, _)| READING_METHODS.contains(&m))
                            && !matches!(&*call.func, Expr::Name(n) if READING_FUNCTIONS.contains(&n.id.as_str()))
                        {
                            let callee = match &*call.func {
                                Expr::Name(n) => n.id.to_string(),
                                Expr::Attribute(a) => a.attr.to_string(),
                                _ => "a call".to_owned(),
                            };
                            note(Use::PassedOn(callee));
                        }
                    }
                }
                AnyNodeRef::StmtAssign(assign) => {
                    for target in &assign.targets {
                        note_target(target, &is_name, &mut note);
                        if holds_name(&assign.value)
                            && matches!(target, Expr::Attribute(_) | Expr::Subscript(_))
                        {
                            note(Use::Kept("stored on an object"));
                        }
                    }
                }
                AnyNodeRef::StmtAugAssign(aug) => {
                    if is_name(&aug.target) {
                        note(Use::Mutated(format!("`{}=`", aug.op.as_str())));
                    } else {
                        note_target(&aug.target, &is_name, &mut note);
                    }
                }
                AnyNodeRef::StmtDelete(delete) => {
                    for target in &delete.targets {
                        note_target(target, &is_name, &mut note);
                    }
                }
                AnyNodeRef::StmtReturn(ret) if ret.value.as_deref().is_some_and(holds_name) => {
                    note(Use::Kept("returned"));
                }
                AnyNodeRef::ExprYield(y) if y.value.as_deref().is_some_and(holds_name) => {
                    note(Use::Kept("yielded"));
                }
                _ => {}
            }
            true
        });
    }
    found
}

/// Containers built around an object are not searched deeper than this.
const MAX_NESTING: usize = 8;

/// Whether `expr` is the name itself or a tuple, list, set or dict display holding it,
/// however nested (`[(job, func, kwds)]`): the object goes wherever the display goes.
/// Unpacking (`[*name]`, `{**name}`) copies and does not count.
fn holds(expr: &Expr, name: &str, depth: usize) -> bool {
    let inner = |e: &Expr| depth < MAX_NESTING && holds(e, name, depth + 1);
    match expr {
        Expr::Name(n) => n.id.as_str() == name,
        Expr::Tuple(t) => t.elts.iter().any(inner),
        Expr::List(l) => l.elts.iter().any(inner),
        Expr::Set(s) => s.elts.iter().any(inner),
        // `{**name}` copies the items; only a value under a key is the object itself.
        Expr::Dict(d) => d
            .items
            .iter()
            .any(|item| item.key.is_some() && inner(&item.value)),
        _ => false,
    }
}

/// `name[k] = v`, `name.attr = v`, `del name[k]`: a change to the object itself.
fn note_target(target: &Expr, is_name: &impl Fn(&Expr) -> bool, note: &mut impl FnMut(Use)) {
    match target {
        Expr::Subscript(sub) if is_name(&sub.value) => {
            note(Use::Mutated("item assignment".to_owned()));
        }
        Expr::Attribute(attr) if is_name(&attr.value) => {
            note(Use::Mutated("attribute assignment".to_owned()));
        }
        Expr::Tuple(t) => t.elts.iter().for_each(|e| note_target(e, is_name, note)),
        Expr::List(l) => l.elts.iter().for_each(|e| note_target(e, is_name, note)),
        _ => {}
    }
}

/// Where `name` is first bound again (`name = ...`, `for name in`, `with ... as name`).
fn first_rebinding(body: &[Stmt], name: &str) -> Option<TextSize> {
    let is_name = |expr: &Expr| matches!(expr, Expr::Name(n) if n.id.as_str() == name);
    let mut first = None;
    for stmt in body {
        for_each_node(stmt.into(), |node| {
            // From where the new value is bound: `cnf = merge(cnf)` still reads the default.
            let binds = match node {
                AnyNodeRef::StmtAssign(a) if a.targets.iter().any(is_name) => Some(a.end()),
                AnyNodeRef::StmtAnnAssign(a) if a.value.is_some() && is_name(&a.target) => {
                    Some(a.end())
                }
                AnyNodeRef::StmtFor(f) if is_name(&f.target) => Some(f.iter.end()),
                AnyNodeRef::StmtWith(w) => w
                    .items
                    .iter()
                    .find(|item| item.optional_vars.as_deref().is_some_and(is_name))
                    .map(Ranged::end),
                _ => None,
            };
            if first.is_none() {
                first = binds;
            }
            first.is_none()
        });
        if first.is_some() {
            break;
        }
    }
    first
}

/// Whether the body tests `key in name` and stores `name[key] = ...`: the memo idiom
/// (`def seen(p, m={}): if p in m: ...; m[p] = True`), a cache kept on purpose.
pub fn is_memo(body: &[Stmt], name: &str) -> bool {
    let is_name = |expr: &Expr| matches!(expr, Expr::Name(n) if n.id.as_str() == name);
    let (mut tests, mut stores) = (false, false);
    for stmt in body {
        for_each_node(stmt.into(), |node| {
            match node {
                AnyNodeRef::ExprCompare(compare) => {
                    tests |=
                        compare
                            .ops
                            .iter()
                            .zip(compare.comparators.iter())
                            .any(|(op, right)| {
                                matches!(op, CmpOp::In | CmpOp::NotIn) && is_name(right)
                            });
                }
                AnyNodeRef::StmtAssign(assign) => {
                    stores |= assign
                        .targets
                        .iter()
                        .any(|t| matches!(t, Expr::Subscript(sub) if is_name(&sub.value)));
                }
                _ => {}
            }
            true
        });
    }
    tests && stores
}

/// Whether the function, before anything else uses `name`, binds it to a fresh object on
/// every path (`x = list(x)`, `x = x.copy()`, `x = [x]`, or such a binding in each branch
/// of an `if`/`else`): the shared default is then only ever copied, never used itself.
pub fn replaced_before_use(body: &[Stmt], name: &str) -> bool {
    body.iter()
        .find(|stmt| mentions(stmt, name))
        .is_some_and(|stmt| replaces(stmt, name))
}

fn replaces(stmt: &Stmt, name: &str) -> bool {
    match stmt {
        Stmt::Assign(assign) => {
            matches!(assign.targets.as_slice(), [Expr::Name(n)] if n.id.as_str() == name)
                && is_fresh(&assign.value, name)
        }
        // The test may read the default (`if type(x) == str:`); every branch, `else`
        // included, must then replace it.
        Stmt::If(stmt) => {
            stmt.elif_else_clauses.iter().any(|c| c.test.is_none())
                && replaced_before_use(&stmt.body, name)
                && stmt
                    .elif_else_clauses
                    .iter()
                    .all(|clause| replaced_before_use(&clause.body, name))
        }
        _ => false,
    }
}

/// A new object built from the old value: a display or comprehension, a builtin
/// container constructor, `.copy()`, or `copy.copy`/`copy.deepcopy`.
fn is_fresh(value: &Expr, name: &str) -> bool {
    match value {
        Expr::List(_)
        | Expr::Set(_)
        | Expr::Dict(_)
        | Expr::Tuple(_)
        | Expr::ListComp(_)
        | Expr::SetComp(_)
        | Expr::DictComp(_) => true,
        Expr::Call(call) => match &*call.func {
            Expr::Name(func) => matches!(
                func.id.as_str(),
                "list" | "dict" | "set" | "tuple" | "sorted" | "frozenset"
            ),
            Expr::Attribute(attr) => {
                (attr.attr.as_str() == "copy"
                    && matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == name))
                    || (matches!(attr.attr.as_str(), "copy" | "deepcopy")
                        && matches!(&*attr.value, Expr::Name(m) if m.id.as_str() == "copy"))
            }
            _ => false,
        },
        _ => false,
    }
}

fn mentions(stmt: &Stmt, name: &str) -> bool {
    let mut found = false;
    for_each_node(stmt.into(), |node| {
        found |= matches!(node, AnyNodeRef::ExprName(n) if n.id.as_str() == name);
        !found
    });
    found
}
