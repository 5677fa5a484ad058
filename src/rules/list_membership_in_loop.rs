//! PF204: `x in some_list` inside a loop, where the list was built before the loop and
//! never changes in it, so every pass scans the whole list.
//!
//! The lower half of this file traces what a name or `self.` attribute was last bound
//! to before a node, and which loops repeat the node but not that binding; PF205
//! (`string_concat_in_loop`) uses it too. It belongs in `src/checker/` once a third rule
//! needs it.

use crate::ast::{
    AnyNodeRef, CmpOp, Expr, ExprContext, NodeKind, Operator, Ranged, Stmt, StmtFunctionDef,
};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF204",
    name: "list-membership-in-loop",
    summary: "`x in some_list` inside a loop scans the whole list on every pass; a set built once answers in constant time",
    severity: Severity::Warning,
    topic: Topic::DataStructures,
    doc: include_str!("../../rules/list-membership-in-loop.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "PLR6201",
            name: "literal-membership",
        },
        Equivalent {
            tool: "pylint",
            code: "R6201",
            name: "use-set-for-membership",
        },
    ],
};

/// A list display with at most this many elements is cheap to scan.
const TINY_LIST: usize = 4;

/// Builtins that read a list without changing it or keeping it.
const READ_ONLY_BUILTINS: &[&str] = &[
    "len",
    "print",
    "sorted",
    "set",
    "frozenset",
    "tuple",
    "list",
    "enumerate",
    "zip",
    "iter",
    "reversed",
    "min",
    "max",
    "sum",
    "any",
    "all",
    "str",
    "repr",
    "bool",
    "isinstance",
    "id",
    "map",
    "filter",
    "dict",
    "format",
    "type",
];

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

/// List methods that change the list.
const MUTATING_METHODS: &[&str] = &[
    "append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse",
];

pub struct ListMembershipInLoop;

impl Rule for ListMembershipInLoop {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::ExprCompare]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::ExprCompare(compare) = node else {
            return;
        };
        for (index, (op, right)) in compare.ops.iter().zip(&compare.comparators).enumerate() {
            if !matches!(op, CmpOp::In | CmpOp::NotIn) {
                continue;
            }
            let Some(target) = Target::of(right) else {
                continue;
            };
            let left = match index.checked_sub(1) {
                Some(previous) => compare.comparators.get(previous),
                None => Some(&*compare.left),
            };
            if left.is_none_or(is_unhashable) || ctx.enclosing_loop(node).is_none() {
                continue;
            }
            let Some(size) = list_size(node, target, ctx) else {
                continue;
            };
            let shown = target.shown();
            let negation = if *op == CmpOp::NotIn { "not in" } else { "in" };
            let needle = left.map(|l| ctx.text_of(l)).filter(|text| is_short(text));
            let (test, value) = match needle {
                Some(needle) => (
                    format!("`{needle} {negation} {shown}`"),
                    format!("`{needle}`"),
                ),
                None => (
                    format!("this `{negation} {shown}` test"),
                    "the value".to_owned(),
                ),
            };
            let (message, help) = match size {
                Size::Small => continue,
                Size::Literal(count) => (
                    format!(
                        "{test} compares {value} with up to {count} elements of the list `{shown}` one by one, on every pass of the loop; a set finds it with one hash lookup"
                    ),
                    format!(
                        "write `{shown}` as a set literal, `{{...}}` instead of `[...]` (or a `frozenset`), if nothing needs its order"
                    ),
                ),
                Size::Unbounded => {
                    let set_name = format!("{}_set", target.stem());
                    (
                        format!(
                            "{test} compares {value} with the elements of the list `{shown}` one by one, on every pass of the loop, so the loop does work proportional to its own length times the length of `{shown}`"
                        ),
                        format!(
                            "build a set once before the loop, `{set_name} = set({shown})`, and test against `{set_name}` (the elements must be hashable); or build `{shown}` as a set in the first place if its order and duplicates do not matter"
                        ),
                    )
                }
            };
            report.add(right.range(), message, help);
        }
    }
}

/// How long a list can be.
enum Size {
    /// A display of a few elements, cheap to scan.
    Small,
    /// A display of this many elements, never added to.
    Literal(usize),
    /// Built from data, or added to.
    Unbounded,
}

/// Whether `target`, read at `node`, is a list built before the loop and left alone by
/// it, and how long it can be; `None` when it is not evidently such a list.
fn list_size<'a>(node: AnyNodeRef<'a>, target: Target<'a>, ctx: &Context<'a>) -> Option<Size> {
    let prior = prior_binding(node, target, ctx)?;
    // A module-level list: any function of the module may change it.
    let mut global = matches!(prior.scope, AnyNodeRef::ModModule(_));
    let (values, grown) = match (prior.value, target, prior.scope) {
        (Some(value), _, _) => (vec![value], prior.grown),
        // A module-level list read inside a function.
        (None, Target::Name(name), AnyNodeRef::StmtFunctionDef(_)) => {
            if ctx.is_local_binding(name, node.start()) {
                return None;
            }
            let Some(AnyNodeRef::ModModule(module)) = ctx.ancestors().last() else {
                return None;
            };
            let (value, grown) = block_binding(&module.body, target, ctx)?;
            global = true;
            (vec![value?], grown)
        }
        (None, Target::SelfAttr(_), AnyNodeRef::StmtFunctionDef(_)) => {
            let attr = class_attribute(prior.scope, target, ctx)?;
            (attr.values, attr.grown)
        }
        _ => return None,
    };
    // No loop between the binding and the test: the list is rebuilt on every pass.
    let outer = *prior.loops.last()?;
    if prior.loops.iter().all(|lp| is_tiny_loop(*lp, ctx)) || changed_in(outer, target, global, ctx)
    {
        return None;
    }
    let mut literal = Some(0);
    for value in &values {
        match value {
            Expr::List(list) => {
                if list.elts.iter().any(is_unhashable) {
                    return None;
                }
                if list.elts.iter().any(Expr::is_starred_expr) {
                    literal = None;
                }
                literal = literal.map(|n: usize| n.max(list.elts.len()));
            }
            Expr::ListComp(comp) if !is_unhashable(&comp.elt) => literal = None,
            Expr::Call(call)
                if ctx.is_builtin(&call.func, "list") || ctx.is_builtin(&call.func, "sorted") =>
            {
                if !call.arguments.is_empty() {
                    literal = None;
                }
            }
            _ => return None,
        }
    }
    Some(match literal {
        _ if grown => Size::Unbounded,
        Some(count) if count <= TINY_LIST => Size::Small,
        Some(count) => Size::Literal(count),
        None => Size::Unbounded,
    })
}

/// Whether the loop `outer` may change the list: rebinding it, calling a mutating method,
/// assigning or deleting an item, or handing it to code that could do either.
fn changed_in<'a>(
    outer: AnyNodeRef<'a>,
    target: Target<'a>,
    global: bool,
    ctx: &Context<'a>,
) -> bool {
    let mut changed = false;
    let mut budget = MAX_VISITS;
    for_each_node(outer, |node| {
        budget = budget.saturating_sub(1);
        changed |= budget == 0
            || match node {
                AnyNodeRef::ExprName(_) => stores(node, target),
                AnyNodeRef::ExprAttribute(attr) => {
                    (target.is(&attr.value) && MUTATING_METHODS.contains(&attr.attr.as_str()))
                        || stores(node, target)
                }
                AnyNodeRef::ExprSubscript(sub) => {
                    target.is(&sub.value) && sub.ctx != ExprContext::Load
                }
                AnyNodeRef::ExprCall(call) => passes_on(call, target, global, ctx),
                AnyNodeRef::StmtAssign(assign) => target.is(&assign.value),
                AnyNodeRef::StmtAnnAssign(assign) => {
                    assign.value.as_deref().is_some_and(|v| target.is(v))
                }
                AnyNodeRef::ExprNamed(named) => target.is(&named.value),
                AnyNodeRef::ExprYield(yielded) => yielded.value.as_deref().is_some_and(|v| {
                    target.is(v) || matches!(target, Target::SelfAttr(_)) && is_self(v)
                }),
                AnyNodeRef::ExprList(list) => list.elts.iter().any(|e| target.is(e)),
                AnyNodeRef::ExprTuple(tuple) => tuple.elts.iter().any(|e| target.is(e)),
                AnyNodeRef::ExprSet(set) => set.elts.iter().any(|e| target.is(e)),
                AnyNodeRef::ExprDict(dict) => dict.iter_values().any(|e| target.is(e)),
                _ => false,
            };
        !changed
    });
    changed
}

/// Whether `call` could change the list: it receives the list (or, for `self.`
/// attributes, `self`) and is not known to only read it; or it is a method of `self`,
/// or (for a module-level list) a function of the module, which may reach it directly.
fn passes_on(call: &crate::ast::ExprCall, target: Target, global: bool, ctx: &Context) -> bool {
    let is_self_attr = matches!(target, Target::SelfAttr(_));
    let reaches = match &*call.func {
        Expr::Attribute(method) => is_self_attr && is_self(&method.value),
        Expr::Name(func) => {
            let func = func.id.as_str();
            global && ctx.facts().binds(func) && ctx.facts().import_of(func).is_none()
        }
        _ => false,
    };
    if reaches {
        return true;
    }
    let receives = call
        .arguments
        .args
        .iter()
        .chain(call.arguments.keywords.iter().map(|kw| &kw.value))
        .any(|arg| target.is(arg) || (is_self_attr && is_self(arg)));
    receives && !reads_only(call, ctx)
}

/// Whether `call` is known to only read its arguments.
fn reads_only(call: &crate::ast::ExprCall, ctx: &Context) -> bool {
    match &*call.func {
        Expr::Name(name) => {
            READ_ONLY_BUILTINS.contains(&name.id.as_str()) && ctx.is_builtin(&call.func, &name.id)
        }
        Expr::Attribute(method) => READ_ONLY_METHODS.contains(&method.attr.as_str()),
        _ => false,
    }
}

/// A list, dict or set display or comprehension: cannot go into a set.
fn is_unhashable(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::List(_)
            | Expr::ListComp(_)
            | Expr::Dict(_)
            | Expr::DictComp(_)
            | Expr::Set(_)
            | Expr::SetComp(_)
    )
}

fn is_short(text: &str) -> bool {
    text.len() <= 30 && !text.contains('\n')
}

// ---------------------------------------------------------------------------------
// Shared with PF205: what a name or `self.` attribute holds before a node in a loop.

/// How many nodes one trace may visit, so that a huge function stays linear enough.
const MAX_VISITS: usize = 4_000;

/// A plain name, or an attribute of `self`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target<'a> {
    Name(&'a str),
    SelfAttr(&'a str),
}

impl<'a> Target<'a> {
    pub(crate) fn of(expr: &'a Expr) -> Option<Self> {
        match expr {
            Expr::Name(name) => Some(Target::Name(name.id.as_str())),
            Expr::Attribute(attr) if is_self(&attr.value) => {
                Some(Target::SelfAttr(attr.attr.as_str()))
            }
            _ => None,
        }
    }

    /// Whether `expr` is this very name or attribute.
    pub(crate) fn is(self, expr: &Expr) -> bool {
        Target::of(expr) == Some(self)
    }

    /// As written: `seq` or `self.seq`.
    pub(crate) fn shown(self) -> String {
        match self {
            Target::Name(name) => name.to_owned(),
            Target::SelfAttr(attr) => format!("self.{attr}"),
        }
    }

    /// The bare name, for naming a helper variable: `seq` for both.
    pub(crate) fn stem(self) -> &'a str {
        match self {
            Target::Name(name) | Target::SelfAttr(name) => name.trim_start_matches('_'),
        }
    }
}

pub(crate) fn is_self(expr: &Expr) -> bool {
    matches!(expr, Expr::Name(name) if name.id.as_str() == "self")
}

/// What the code before a node says about a target.
pub(crate) struct Prior<'a> {
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
pub(crate) fn prior_binding<'a>(
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

/// The last plain binding of `target` in a block, read top to bottom (`Some(None)` when
/// there is none), and whether it may grow afterwards; `None` when it is rebound in a way
/// that cannot be followed.
pub(crate) fn block_binding<'a>(
    block: &'a [Stmt],
    target: Target<'a>,
    ctx: &Context<'a>,
) -> Option<(Option<&'a Expr>, bool)> {
    let mut budget = MAX_VISITS;
    let mut value = None;
    let mut grown = false;
    for stmt in block {
        match effect(stmt, target, ctx, &mut budget) {
            Effect::Plain(bound) => {
                value = Some(bound);
                grown = false;
            }
            Effect::Grows => grown = true,
            Effect::Rebinds => return None,
            Effect::Nothing => {}
        }
    }
    Some((value, grown))
}

/// Every value a class assigns to `self.<attr>` in its methods.
pub(crate) struct ClassAttribute<'a> {
    pub values: Vec<&'a Expr>,
    /// Whether some method adds to it (`append`, `extend`, `+=`).
    pub grown: bool,
}

/// The assignments to the `self.` attribute `target` across the class whose method is
/// `method`; `None` if the method is not directly in a class, the class never assigns
/// the attribute, or assigns it other than plainly.
pub(crate) fn class_attribute<'a>(
    method: AnyNodeRef<'a>,
    target: Target<'a>,
    ctx: &Context<'a>,
) -> Option<ClassAttribute<'a>> {
    let mut above = ctx.ancestors().skip_while(|a| !a.ptr_eq(method)).skip(1);
    let Some(AnyNodeRef::StmtClassDef(class)) = above.next() else {
        return None;
    };
    let mut attribute = ClassAttribute {
        values: Vec::new(),
        grown: false,
    };
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
                    if target.is(&attr.value) && MUTATING_METHODS.contains(&attr.attr.as_str()) {
                        attribute.grown = true;
                    }
                    plain &= !stores(node, target);
                }
                _ => {}
            }
            plain && !is_scope(node)
        });
    }
    plain
}

/// Whether a loop runs a small, fixed number of times: over a literal tuple, list or
/// set, or over `range` with literal bounds and at most ten steps.
pub(crate) fn is_tiny_loop(node: AnyNodeRef, ctx: &Context) -> bool {
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
        AnyNodeRef::StmtFor(stmt) => tiny_iter(&stmt.iter),
        AnyNodeRef::ExprListComp(_)
        | AnyNodeRef::ExprSetComp(_)
        | AnyNodeRef::ExprDictComp(_)
        | AnyNodeRef::ExprGenerator(_) => comprehension_generators(node)
            .iter()
            .all(|g| tiny_iter(&g.iter)),
        _ => false,
    }
}

/// The number of steps of `range(...)` with integer-literal arguments.
fn range_len(call: &crate::ast::ExprCall) -> Option<i64> {
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

fn comprehension_generators(node: AnyNodeRef<'_>) -> &[crate::ast::Comprehension] {
    match node {
        AnyNodeRef::ExprListComp(comp) => &comp.generators,
        AnyNodeRef::ExprSetComp(comp) => &comp.generators,
        AnyNodeRef::ExprDictComp(comp) => &comp.generators,
        AnyNodeRef::ExprGenerator(comp) => &comp.generators,
        _ => &[],
    }
}

pub(crate) fn is_scope(node: AnyNodeRef) -> bool {
    matches!(
        node,
        AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::ExprLambda(_) | AnyNodeRef::StmtClassDef(_)
    )
}

/// The statement blocks of a node that has them.
pub(crate) fn blocks(node: AnyNodeRef<'_>) -> Vec<&[Stmt]> {
    match node {
        AnyNodeRef::ModModule(module) => vec![&module.body],
        AnyNodeRef::StmtFunctionDef(def) => vec![&def.body],
        AnyNodeRef::StmtClassDef(class) => vec![&class.body],
        AnyNodeRef::StmtFor(stmt) => vec![&stmt.body, &stmt.orelse],
        AnyNodeRef::StmtWhile(stmt) => vec![&stmt.body, &stmt.orelse],
        AnyNodeRef::StmtIf(stmt) => vec![&stmt.body],
        AnyNodeRef::ElifElseClause(clause) => vec![&clause.body],
        AnyNodeRef::StmtWith(stmt) => vec![&stmt.body],
        AnyNodeRef::StmtTry(stmt) => vec![&stmt.body, &stmt.orelse, &stmt.finalbody],
        AnyNodeRef::ExceptHandlerExceptHandler(handler) => vec![&handler.body],
        AnyNodeRef::MatchCase(case) => vec![&case.body],
        _ => Vec::new(),
    }
}

/// Whether an assignment target (`x`, `(x, y)`, `*rest`) binds `target`.
fn binds(expr: &Expr, target: Target) -> bool {
    let mut found = false;
    for_each_node(AnyNodeRef::from(expr), |node| {
        found |= stores(node, target);
        !found
    });
    found
}

/// Whether `node` is `target` being assigned or deleted.
fn stores(node: AnyNodeRef, target: Target) -> bool {
    match node {
        AnyNodeRef::ExprName(name) => {
            name.ctx != ExprContext::Load && target == Target::Name(name.id.as_str())
        }
        AnyNodeRef::ExprAttribute(attr) => {
            attr.ctx != ExprContext::Load
                && is_self(&attr.value)
                && target == Target::SelfAttr(attr.attr.as_str())
        }
        _ => false,
    }
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
            || stores(node, target)
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
fn grows_through(call: &crate::ast::ExprCall, target: Target, ctx: &Context) -> bool {
    match &*call.func {
        Expr::Attribute(method) if target.is(&method.value) => {
            return MUTATING_METHODS.contains(&method.attr.as_str());
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
