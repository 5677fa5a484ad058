//! PF201: `[[0] * 3] * 3` — repeating a list copies references, so every row is one object.
//!
//! `seq * n` builds a sequence holding the *same* elements `n` times over. With an
//! immutable element (`[0] * 3`, `[None] * n`) that is harmless; with a mutable one
//! (`[[]] * n`, `[{}] * n`) every slot is the same list or dict, and changing one row
//! changes them all. The rule stays silent when the repeated sequence is only read: a
//! comparison operand, an `assert*` argument, an array constructor's input, a starred
//! call argument (`product(*[[0, 1]] * 3)`), or a name whose rows are only ever replaced
//! (`rows[i] = [...]`), never changed in place.

use crate::ast::TextSize;
use crate::ast::{AnyNodeRef, Expr, ExprBinOp, NodeKind, Operator, Ranged, UnaryOp};
use crate::checker::Context;
use crate::checker::bindings::target_key;
use crate::checker::subtree::for_each_node;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

pub static META: RuleMeta = RuleMeta {
    code: "PF201",
    name: "shallow-copy-grid",
    summary: "repeating a list with `*` repeats references to one mutable element, so every row is the same object",
    severity: Severity::Error,
    topic: Topic::DataStructures,
    doc: include_str!("../../rules/shallow-copy-grid.md"),
    fix: FixAvailability::None,
    equivalents: &[Equivalent {
        tool: "wemake-python-styleguide",
        code: "WPS435",
        name: "ListMultiplyViolation",
    }],
};

/// Calls that build a new mutable container, by qualified name, and what they build.
const MUTABLE_FACTORIES: &[(&str, &str)] = &[
    ("list", "list"),
    ("dict", "dict"),
    ("set", "set"),
    ("bytearray", "bytearray"),
    ("collections.deque", "deque"),
    ("collections.defaultdict", "defaultdict"),
    ("collections.OrderedDict", "OrderedDict"),
    ("collections.Counter", "Counter"),
];

/// Methods that change a list, dict or set in place.
const MUTATING_METHODS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "clear",
    "sort",
    "reverse",
    "add",
    "discard",
    "update",
    "setdefault",
    "popitem",
    "difference_update",
    "intersection_update",
    "symmetric_difference_update",
];

/// Libraries whose array constructors copy nested lists into their own storage.
const COPYING_LIBRARIES: &[&str] = &[
    "numpy",
    "torch",
    "pandas",
    "tensorflow",
    "jax",
    "scipy",
    "sympy",
    "cupy",
];

/// Constructor names (last segment) that copy a nested list into a matrix or array.
const COPYING_CONSTRUCTORS: &[&str] = &[
    "array",
    "asarray",
    "matrix",
    "tensor",
    "Matrix",
    "ImmutableMatrix",
    "DataFrame",
];

pub struct ShallowCopyGrid;

impl Rule for ShallowCopyGrid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::ExprBinOp]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::ExprBinOp(binop) = node else {
            return;
        };
        if binop.op != Operator::Mult {
            return;
        }
        let (seq, count) = match (&*binop.left, &*binop.right) {
            (left @ (Expr::List(_) | Expr::Tuple(_)), right) => (left, right),
            (left, right @ (Expr::List(_) | Expr::Tuple(_))) => (right, left),
            _ => return,
        };
        if !may_repeat(count) {
            return;
        }
        let elements = match seq {
            Expr::List(list) => &list.elts,
            Expr::Tuple(tuple) => &tuple.elts,
            _ => return,
        };
        let Some((element, kind)) = elements
            .iter()
            .find_map(|e| mutable_kind(e, ctx).map(|kind| (e, kind)))
        else {
            return;
        };
        if only_read(binop, ctx) {
            return;
        }
        let holder = holder_of(ctx);
        let rows = holder.map(|h| row_use(h, ctx)).unwrap_or_default();
        // Rows only ever replaced whole are placeholders; and tests often build
        // read-only data this way, so there a row must be seen changing in place.
        if !rows.mutated && (rows.replaced || ctx.in_test_code()) {
            return;
        }

        let count_text = short(ctx.text_of(count), 30).unwrap_or("n");
        let expr = match short(ctx.text_of(binop), 50) {
            Some(text) => format!("`{text}`"),
            None => "this repetition".to_owned(),
        };
        let times = match (count, short(ctx.text_of(count), 30)) {
            (Expr::NumberLiteral(_), Some(text)) => format!("{text} times"),
            (_, Some(text)) => format!("`{text}` times"),
            (_, None) => "many times".to_owned(),
        };
        let whose = match holder.and_then(|h| short(ctx.text_of(h), 30)) {
            Some(name) => format!(
                "every element of `{name}` is that one object, so changing `{name}[0]` in place changes all of them"
            ),
            None => {
                "every element is that one object, so changing one in place changes all of them"
                    .to_owned()
            }
        };
        let help = match (elements.len(), short(ctx.text_of(element), 40)) {
            (1, Some(element)) => format!(
                "build a new {kind} for each element with a comprehension: `[{element} for _ in range({count_text})]`"
            ),
            _ => format!(
                "build the elements with a comprehension, which evaluates them afresh each time: `[... for _ in range({count_text})]`"
            ),
        };
        let diagnostic = report.add(
            binop.range(),
            format!("{expr} repeats a reference to one {kind} {times} rather than making new ones: {whose}"),
            help,
        );
        // Evidence: a row changed in place here changes them all (an error). Rows the
        // code hands elsewhere may be changed there, and a slot changed in place only
        // where the code also refills it (`buf[ptr] = item` ... `buf[ptr].append(x)`)
        // may hold a fresh row by then: a hazard.
        if !rows.mutated || rows.only_refilled_slots_mutated {
            diagnostic.severity = Severity::Warning;
        }
        report.attach_to_last(comprehension_suggestion(binop, elements, count, ctx));
    }
}

/// Whether `count` may be more than one: not the literals `0` or `1` (or a negative
/// number), and not a sequence or string (which would make this something else).
fn may_repeat(count: &Expr) -> bool {
    match count {
        Expr::NumberLiteral(number) => number
            .value
            .as_int()
            .and_then(|int| int.as_u64())
            .is_none_or(|n| n > 1),
        Expr::UnaryOp(unary) => unary.op != UnaryOp::USub,
        Expr::List(_)
        | Expr::Tuple(_)
        | Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::FString(_)
        | Expr::BooleanLiteral(_)
        | Expr::NoneLiteral(_) => false,
        _ => true,
    }
}

/// What kind of mutable object `expr` creates afresh, if it creates one.
fn mutable_kind(expr: &Expr, ctx: &Context) -> Option<&'static str> {
    match expr {
        Expr::List(_) | Expr::ListComp(_) => Some("list"),
        Expr::Dict(_) | Expr::DictComp(_) => Some("dict"),
        Expr::Set(_) | Expr::SetComp(_) => Some("set"),
        // `[0] * 3` and `[0] + tail` build a list too.
        Expr::BinOp(inner) if matches!(inner.op, Operator::Mult | Operator::Add) => {
            (matches!(*inner.left, Expr::List(_)) || matches!(*inner.right, Expr::List(_)))
                .then_some("list")
        }
        Expr::Call(call) => {
            let name = ctx.qualified_name(&call.func)?;
            MUTABLE_FACTORIES
                .iter()
                .find(|(factory, _)| *factory == name)
                .map(|&(_, kind)| kind)
        }
        _ => None,
    }
}

/// Whether the repeated sequence is only read where it stands: compared, unpacked into
/// a call, checked by an assertion, or copied into an array.
fn only_read(binop: &ExprBinOp, ctx: &Context) -> bool {
    let mut ancestors = ctx.ancestors().skip_while(|node| {
        // `[[]] * n + [[1]]` and `([[]] * n)` stand for the same value.
        matches!(node, AnyNodeRef::ExprBinOp(outer) if outer.op == Operator::Add)
    });
    let Some(parent) = ancestors.next() else {
        return false;
    };
    match parent {
        AnyNodeRef::ExprCompare(_) => true,
        AnyNodeRef::ExprStarred(_) => ancestors
            .find(|node| !matches!(node, AnyNodeRef::Arguments(_)))
            .is_some_and(|node| matches!(node, AnyNodeRef::ExprCall(_))),
        AnyNodeRef::Arguments(_) | AnyNodeRef::Keyword(_) => ancestors
            .find(|node| !matches!(node, AnyNodeRef::Arguments(_) | AnyNodeRef::Keyword(_)))
            .is_some_and(
                |node| matches!(node, AnyNodeRef::ExprCall(call) if reading_call(&call.func, ctx)),
            ),
        AnyNodeRef::ExprCall(call) => {
            call.func.range() != binop.range() && reading_call(&call.func, ctx)
        }
        _ => false,
    }
}

/// `self.assertEqual(...)`, `np.array(...)`, `Matrix(...)`, `print(...)`: calls that
/// only read their argument or copy it.
fn reading_call(func: &Expr, ctx: &Context) -> bool {
    let last = match func {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attr) => attr.attr.as_str(),
        _ => return false,
    };
    if last.starts_with("assert") || matches!(last, "print" | "str" | "repr" | "len") {
        return true;
    }
    let qualified = ctx.qualified_name(func).unwrap_or_default();
    let root = qualified.split('.').next().unwrap_or_default();
    COPYING_LIBRARIES.contains(&root) || COPYING_CONSTRUCTORS.contains(&last)
}

/// The name or attribute the repeated sequence is assigned to (`grid = [[0] * 3] * 3`,
/// `self.rows: list = [[]] * n + ...`), if it is assigned to one.
fn holder_of<'a>(ctx: &Context<'a>) -> Option<&'a Expr> {
    let parent = ctx
        .ancestors()
        .find(|node| !matches!(node, AnyNodeRef::ExprBinOp(outer) if outer.op == Operator::Add))?;
    let target = match parent {
        AnyNodeRef::StmtAssign(assign) if assign.targets.len() == 1 => assign.targets.first()?,
        AnyNodeRef::StmtAnnAssign(assign) => &assign.target,
        _ => return None,
    };
    matches!(target, Expr::Name(_) | Expr::Attribute(_)).then_some(target)
}

/// What the code that can see `holder` does with its rows.
#[derive(Default, Clone, Copy)]
struct RowUse {
    /// A row is replaced whole: `rows[i] = [...]`.
    replaced: bool,
    /// A row is changed in place: `rows[i][j] = x`, `rows[i].append(x)`, `rows[i] += [x]`.
    mutated: bool,
    /// Every row changed in place is picked by an index (a name or attribute chain,
    /// `rows[ptr]`) that the code also uses to replace a row whole (`rows[ptr] = ...`).
    only_refilled_slots_mutated: bool,
}

/// The indexes by which one holder's rows are replaced and changed in place, while a
/// scope is walked. `None` stands for an index that is not a name or attribute chain.
#[derive(Default)]
struct RowIndexes {
    replaced: Vec<Option<String>>,
    mutated: Vec<Option<String>>,
}

impl RowIndexes {
    fn row_use(&self) -> RowUse {
        let refilled = |index: &Option<String>| index.is_some() && self.replaced.contains(index);
        RowUse {
            replaced: !self.replaced.is_empty(),
            mutated: !self.mutated.is_empty(),
            only_refilled_slots_mutated: !self.mutated.is_empty()
                && self.mutated.iter().all(refilled),
        }
    }
}

/// How the function (for a name) or class (for an attribute) holding `holder` uses its
/// rows; at module level, the module.
fn row_use(holder: &Expr, ctx: &Context) -> RowUse {
    let scope = match holder {
        Expr::Attribute(_) => ctx
            .ancestors()
            .find(|node| matches!(node, AnyNodeRef::StmtClassDef(_))),
        _ => ctx
            .ancestors()
            .find(|node| matches!(node, AnyNodeRef::StmtFunctionDef(_))),
    }
    .or_else(|| ctx.ancestors().last());
    let (Some(scope), Some(holder)) = (scope, target_key(holder)) else {
        return RowUse::default();
    };
    let scopes = ctx.memo(ScopeRowUses::default);
    let uses = Rc::clone(
        scopes
            .0
            .borrow_mut()
            .entry((scope.kind(), scope.start()))
            .or_insert_with(|| Rc::new(ScopeRowUses::collect(scope))),
    );
    uses.get(&holder).copied().unwrap_or_default()
}

/// `RowUse` of every holder in a scope (by `target_key`), walked once per scope rather
/// than once per grid found in it.
#[derive(Default)]
struct ScopeRowUses(RefCell<HashMap<(NodeKind, TextSize), Rc<RowUses>>>);

/// The `RowUse` of each holder in one scope, by `target_key`.
type RowUses = HashMap<String, RowUse>;

impl ScopeRowUses {
    fn collect(scope: AnyNodeRef) -> RowUses {
        // `rows[i]` gives the key of `rows` and of the index `i`; `rows[i][j]` the same.
        let row = |expr: &Expr| match expr {
            Expr::Subscript(sub) => target_key(&sub.value).map(|key| (key, target_key(&sub.slice))),
            _ => None,
        };
        let in_row = |expr: &Expr| match expr {
            Expr::Subscript(sub) => row(&sub.value),
            _ => None,
        };
        let mut indexes: HashMap<String, RowIndexes> = HashMap::new();
        let mut mark = |row: Option<(String, Option<String>)>, mutated: bool| {
            if let Some((holder, index)) = row {
                let found = indexes.entry(holder).or_default();
                if mutated {
                    found.mutated.push(index);
                } else {
                    found.replaced.push(index);
                }
            }
        };
        for_each_node(scope, |node| {
            match node {
                AnyNodeRef::StmtAssign(assign) => {
                    for target in &assign.targets {
                        mark(row(target), false);
                        mark(in_row(target), true);
                    }
                }
                AnyNodeRef::StmtAugAssign(assign) => {
                    mark(row(&assign.target), true);
                    mark(in_row(&assign.target), true);
                }
                AnyNodeRef::StmtDelete(delete) => {
                    for target in &delete.targets {
                        mark(in_row(target), true);
                    }
                }
                AnyNodeRef::ExprCall(call) => {
                    if let Expr::Attribute(attr) = &*call.func
                        && MUTATING_METHODS.contains(&attr.attr.as_str())
                    {
                        mark(row(&attr.value), true);
                    }
                }
                _ => {}
            }
            true
        });
        indexes
            .into_iter()
            .map(|(holder, indexes)| (holder, indexes.row_use()))
            .collect()
    }
}

/// `text` if it fits on one short line, for quoting in a message.
fn short(text: &str, max: usize) -> Option<&str> {
    (text.len() <= max && !text.contains('\n')).then_some(text)
}

/// `[[0] * n] * m` rewritten as `[[0] * n for _ in range(m)]`, for teach mode (a
/// one-element list only). Display-only: the loop variable `_` may shadow a name.
fn comprehension_suggestion(
    binop: &crate::ast::ExprBinOp,
    elements: &[Expr],
    count: &Expr,
    ctx: &Context,
) -> Option<crate::rule::Fix> {
    let [element] = elements else {
        return None;
    };
    let (element, count) = (ctx.text_of(element), ctx.text_of(count));
    if element.contains(['\n', '\r']) || count.contains(['\n', '\r']) {
        return None;
    }
    Some(crate::rule::Fix::display_only(
        "build a new element per row with a comprehension",
        vec![crate::rule::Edit::replace(
            binop.range(),
            format!("[{element} for _ in range({count})]"),
        )],
    ))
}
