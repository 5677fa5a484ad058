//! Shared by none-comparison and bool-comparison: evidence that `==` is overloaded on
//! purpose (ORM column expressions, NumPy/pandas element-wise comparisons), where
//! rewriting `x == None` / `x == True` with `is` or plain truthiness would change what
//! the code means; plus the operand-quoting helpers the comparison rules' messages use.

use std::cell::Cell;

use crate::ast::{AnyNodeRef, Expr, ExprCompare, Operator, Ranged, Stmt, TextSize, UnaryOp};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;

/// Libraries whose arrays, frames and column objects compare element-wise.
const ARRAY_LIBRARIES: &[&str] = &[
    "numpy",
    "pandas",
    "polars",
    "pyspark",
    "torch",
    "tensorflow",
    "jax",
    "xarray",
    "dask",
    "cupy",
];

/// ORMs whose column attributes overload `==` to build SQL.
const ORM_LIBRARIES: &[&str] = &[
    "sqlalchemy",
    "sqlmodel",
    "flask_sqlalchemy",
    "peewee",
    "pony",
    "django",
    "tortoise",
    "mongoengine",
];

/// Query-builder methods whose arguments are column expressions, not Python booleans.
const QUERY_METHODS: &[&str] = &[
    "filter",
    "filter_by",
    "where",
    "having",
    "exclude",
    "outerjoin",
];

/// SQLAlchemy's boolean combinators (`operator.not_` is the plain-Python one).
const SQL_COMBINATORS: &[&str] = &["and_", "or_", "not_"];

/// How many `name = value` assignments the array evidence may follow.
const MAX_BINDING_HOPS: usize = 3;

/// How many statements one finding may scan looking for array assignments, so that a
/// huge module full of `== None` stays linear.
const MAX_SCANNED_STATEMENTS: usize = 400;

/// How deep the operand heuristics look into an expression.
const MAX_EXPR_DEPTH: usize = 32;

/// Whether `==` in `compare` is evidently overloaded on purpose: one of `operands` (the
/// values compared with the singleton) is an ORM column or an array, the comparison is
/// an argument of a query-builder or array call, or its result is used element-wise.
pub fn eq_is_overloaded(compare: &ExprCompare, operands: &[&Expr], ctx: &Context) -> bool {
    let budget = Cell::new(MAX_SCANNED_STATEMENTS);
    operands
        .iter()
        .any(|operand| overloads_eq(operand, ctx, &budget))
        || in_query_arguments(compare, ctx, &budget)
        || used_element_wise(compare, ctx)
}

/// Whether `operand` is evidently an object whose `==` is overloaded on purpose: an ORM
/// column expression or a NumPy/pandas-style array, series or frame.
fn overloads_eq(operand: &Expr, ctx: &Context, budget: &Cell<usize>) -> bool {
    if is_column(operand, ctx, 0) {
        return true;
    }
    if !imports_any(ctx, ARRAY_LIBRARIES) {
        return false;
    }
    // `df["col"] == None` in a module that uses arrays: a column, compared element-wise.
    matches!(operand, Expr::Subscript(_)) || is_array(operand, ctx, budget, MAX_BINDING_HOPS, 0)
}

/// Whether the comparison is an argument of a query-builder call (`.filter(...)`,
/// `.where(...)`, `and_(...)`, `np.where(...)`), where `==` builds an expression.
/// A lambda or a statement boundary ends the search: inside a lambda the comparison is
/// plain Python again.
fn in_query_arguments(compare: &ExprCompare, ctx: &Context, budget: &Cell<usize>) -> bool {
    let arrays = imports_any(ctx, ARRAY_LIBRARIES);
    let mut in_comprehension = false;
    for node in ctx.ancestors() {
        if node.is_statement() {
            return false;
        }
        match node {
            AnyNodeRef::ExprLambda(_) => return false,
            AnyNodeRef::ExprListComp(_)
            | AnyNodeRef::ExprSetComp(_)
            | AnyNodeRef::ExprDictComp(_)
            | AnyNodeRef::ExprGenerator(_) => in_comprehension = true,
            AnyNodeRef::ExprCall(call)
                if call.arguments.range().contains_range(compare.range()) =>
            {
                if is_query_call(&call.func, ctx) {
                    return true;
                }
                // `np.where(arr == None, ...)`; but `np.array([v == None for v in xs])`
                // compares plain elements one at a time.
                if arrays
                    && !in_comprehension
                    && is_array(&call.func, ctx, budget, MAX_BINDING_HOPS, 0)
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Whether calling `func` builds a query: a query-builder method, an SQL combinator, or
/// anything from an ORM (`sa.case`, Django's `Q`, `When`).
fn is_query_call(func: &Expr, ctx: &Context) -> bool {
    let qualified = imported_name(func, ctx);
    if qualified
        .as_deref()
        .is_some_and(|q| ORM_LIBRARIES.contains(&root(q)))
    {
        return true;
    }
    let last = match func {
        Expr::Attribute(attr) => {
            if QUERY_METHODS.contains(&attr.attr.as_str()) {
                return true;
            }
            attr.attr.as_str()
        }
        Expr::Name(name) => name.id.as_str(),
        _ => return false,
    };
    SQL_COMBINATORS.contains(&last) && qualified.as_deref().is_none_or(|q| root(q) != "operator")
}

/// Whether the comparison's result is evidently an array or a column expression: used
/// as a boolean mask (`arr[arr == None]`), combined with `&`, `|`, `^` or `~`, or asked
/// for a method (`(arr == None).sum()`). Plain booleans are none of these.
fn used_element_wise(compare: &ExprCompare, ctx: &Context) -> bool {
    let arrays = imports_any(ctx, ARRAY_LIBRARIES);
    let columns = arrays || imports_any(ctx, ORM_LIBRARIES);
    if !columns {
        return false;
    }
    let mut child = compare.range();
    let mut combined = false;
    for node in ctx.ancestors() {
        match node {
            AnyNodeRef::ExprBinOp(bin)
                if matches!(
                    bin.op,
                    Operator::BitAnd | Operator::BitOr | Operator::BitXor
                ) =>
            {
                combined = true;
                child = bin.range();
            }
            AnyNodeRef::ExprUnaryOp(unary) if unary.op == UnaryOp::Invert => {
                combined = true;
                child = unary.range();
            }
            // `df.loc[df["a"] == None, "b"]`
            AnyNodeRef::ExprTuple(tuple) => child = tuple.range(),
            AnyNodeRef::ExprSubscript(sub) => {
                return combined || (arrays && sub.slice.range().contains_range(child));
            }
            AnyNodeRef::ExprAttribute(attr) => {
                return combined || (arrays && attr.value.range() == child);
            }
            _ => return combined,
        }
    }
    combined
}

/// Whether `expr` is evidently an ORM column expression: `t.c.name`, `t.c["name"]`, a
/// call into an ORM (`func.lower(...)`, Django's `F("x")`), a method of a column, or —
/// in a module that imports an ORM — an attribute of a class (`User.email`, `cls.email`).
fn is_column(expr: &Expr, ctx: &Context, depth: usize) -> bool {
    if depth > MAX_EXPR_DEPTH {
        return false;
    }
    match expr {
        Expr::Attribute(attr) => {
            if is_columns_collection(&attr.value) {
                return true;
            }
            if let Expr::Name(owner) = &*attr.value {
                let id = owner.id.as_str();
                let class_like = id == "cls" || id.starts_with(|c: char| c.is_ascii_uppercase());
                return class_like && imports_any(ctx, ORM_LIBRARIES);
            }
            is_column(&attr.value, ctx, depth + 1)
        }
        Expr::Subscript(sub) => {
            is_columns_collection(&sub.value) || is_column(&sub.value, ctx, depth + 1)
        }
        Expr::Call(call) => {
            imported_name(&call.func, ctx).is_some_and(|q| ORM_LIBRARIES.contains(&root(&q)))
                || matches!(&*call.func, Expr::Attribute(method) if is_column(&method.value, ctx, depth + 1))
        }
        _ => false,
    }
}

/// SQLAlchemy's `table.c` / `table.columns`.
fn is_columns_collection(expr: &Expr) -> bool {
    matches!(expr, Expr::Attribute(attr) if matches!(attr.attr.as_str(), "c" | "columns"))
}

/// Whether `expr` is evidently an array, series or frame (in a module that imports an
/// array library): rooted in the library (`np.array(...)`, `pd.read_csv(...).a`), a
/// `.values`, a conventional `df`/`arr` name, or a name assigned or annotated as one.
fn is_array(expr: &Expr, ctx: &Context, budget: &Cell<usize>, hops: usize, depth: usize) -> bool {
    if depth > MAX_EXPR_DEPTH {
        return false;
    }
    match expr {
        Expr::Name(name) => {
            let id = name.id.as_str();
            imported_name(expr, ctx).is_some_and(|q| ARRAY_LIBRARIES.contains(&root(&q)))
                || is_array_like_name(id)
                || (hops > 0 && bound_to_array(id, name.start(), ctx, budget, hops - 1))
        }
        Expr::Attribute(attr) => {
            attr.attr.as_str() == "values" || is_array(&attr.value, ctx, budget, hops, depth + 1)
        }
        Expr::Call(call) => is_array(&call.func, ctx, budget, hops, depth + 1),
        Expr::Subscript(sub) => is_array(&sub.value, ctx, budget, hops, depth + 1),
        Expr::BinOp(bin) => {
            is_array(&bin.left, ctx, budget, hops, depth + 1)
                || is_array(&bin.right, ctx, budget, hops, depth + 1)
        }
        Expr::UnaryOp(unary) => is_array(&unary.operand, ctx, budget, hops, depth + 1),
        _ => false,
    }
}

/// The names data code conventionally gives frames and arrays.
fn is_array_like_name(id: &str) -> bool {
    matches!(id, "df" | "arr" | "series")
        || id.starts_with("df_")
        || id.ends_with("_df")
        || id.ends_with("_arr")
}

/// Whether `name`, read at `at`, is a parameter annotated as an array or is assigned an
/// array in its scope (the enclosing function, else the module's own statements).
fn bound_to_array(
    name: &str,
    at: TextSize,
    ctx: &Context,
    budget: &Cell<usize>,
    hops: usize,
) -> bool {
    for node in ctx.ancestors() {
        match node {
            AnyNodeRef::StmtFunctionDef(def)
                if def.body.first().is_some_and(|first| first.start() <= at) =>
            {
                if let Some(param) = def
                    .parameters
                    .iter()
                    .find(|param| param.name().as_str() == name)
                {
                    return param
                        .as_parameter()
                        .annotation
                        .as_deref()
                        .is_some_and(|annotation| is_array(annotation, ctx, budget, 0, 0));
                }
                match assigns_array(&def.body, name, at, ctx, budget, hops) {
                    Binding::Array => return true,
                    Binding::Other => return false,
                    // Not assigned here: a global or a closure variable.
                    Binding::Unseen => {}
                }
            }
            AnyNodeRef::ExprLambda(lambda)
                if lambda.body.range().contains(at)
                    && lambda
                        .parameters
                        .as_deref()
                        .is_some_and(|params| params.iter().any(|p| p.name().as_str() == name)) =>
            {
                return false;
            }
            AnyNodeRef::ModModule(module) => {
                return assigns_array(&module.body, name, at, ctx, budget, hops) == Binding::Array;
            }
            _ => {}
        }
    }
    false
}

/// What the assignments to a name in one scope say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Binding {
    /// Some assignment gives it an array (or annotates it as one).
    Array,
    /// It is assigned, but never an array.
    Other,
    /// No assignment to it was seen (within the budget).
    Unseen,
}

/// How the statements of `body` (not of nested functions or classes) assign `name`.
/// Statements before `at` are searched first, nearest first, then the ones after it,
/// until the budget runs out.
fn assigns_array(
    body: &[Stmt],
    name: &str,
    at: TextSize,
    ctx: &Context,
    budget: &Cell<usize>,
    hops: usize,
) -> Binding {
    let split = body.partition_point(|stmt| stmt.start() <= at);
    let (before, after) = body.split_at(split);
    let mut seen = Binding::Unseen;
    for stmt in before.iter().rev().chain(after) {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            if seen == Binding::Array || node.is_expression() || budget.get() == 0 {
                return false;
            }
            budget.set(budget.get() - 1);
            let array = match node {
                AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_) => return false,
                AnyNodeRef::StmtAssign(assign)
                    if assign.targets.iter().any(|t| is_name(t, name)) =>
                {
                    is_array(&assign.value, ctx, budget, hops, 0)
                }
                AnyNodeRef::StmtAnnAssign(assign) if is_name(&assign.target, name) => {
                    is_array(&assign.annotation, ctx, budget, 0, 0)
                        || assign
                            .value
                            .as_deref()
                            .is_some_and(|value| is_array(value, ctx, budget, hops, 0))
                }
                _ => return true,
            };
            seen = if array {
                Binding::Array
            } else {
                Binding::Other
            };
            true
        });
        if seen == Binding::Array || budget.get() == 0 {
            break;
        }
    }
    seen
}

fn is_name(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Name(n) if n.id.as_str() == name)
}

fn imports_any(ctx: &Context, libraries: &[&str]) -> bool {
    libraries.iter().any(|lib| ctx.facts().imports_module(lib))
}

/// The dotted name `expr` refers to through the module's imports (`np.where` is
/// `numpy.where` after `import numpy as np`); `None` for anything not imported. Unlike
/// `Context::qualified_name` it does not look for local rebindings, which costs a scan
/// of the enclosing function per call; a local variable shadowing `np` is not worth it.
fn imported_name(expr: &Expr, ctx: &Context) -> Option<String> {
    let mut segments = Vec::new();
    let mut current = expr;
    for _ in 0..MAX_EXPR_DEPTH {
        match current {
            Expr::Attribute(attr) => {
                segments.push(attr.attr.as_str());
                current = &attr.value;
            }
            Expr::Name(head) => {
                segments.push(ctx.facts().import_of(head.id.as_str())?);
                segments.reverse();
                return Some(segments.join("."));
            }
            _ => return None,
        }
    }
    None
}

/// The top-level package of a dotted name: `numpy` for `numpy.where`.
fn root(qualified: &str) -> &str {
    qualified.split('.').next().unwrap_or(qualified)
}

/// An operand's source, parenthesised again when it binds more loosely than a
/// comparison (the parentheses are not part of its range).
pub fn operand_text(expr: &Expr, ctx: &Context) -> String {
    let text = ctx.text_of(expr);
    let loose = matches!(
        expr,
        Expr::BoolOp(_)
            | Expr::Compare(_)
            | Expr::If(_)
            | Expr::Lambda(_)
            | Expr::Named(_)
            | Expr::Yield(_)
            | Expr::YieldFrom(_)
            | Expr::Starred(_)
    ) || matches!(expr, Expr::UnaryOp(unary) if unary.op == UnaryOp::Not);
    if loose {
        format!("({text})")
    } else {
        text.to_owned()
    }
}

/// `text` when it fits on one line within `max` bytes, for quoting in a message.
pub fn short(text: &str, max: usize) -> Option<&str> {
    (text.len() <= max && !text.contains('\n')).then_some(text)
}
