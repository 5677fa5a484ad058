//! PF307: a `None`-defaulted parameter replaced through a truth test (`p = p or D`),
//! which also throws away a caller's explicit `0`, `""` or empty container.

use std::collections::HashSet;

use crate::ast::{
    AnyNodeRef, BoolOp, Expr, NodeKind, Number, Operator, Ranged, Stmt, TextSize, UnaryOp,
};
use crate::checker::Context;
use crate::checker::subtree::{any_in_scope, for_each_node};
use crate::rule::{FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF307",
    name: "truthy-none-trap",
    summary: "a `None` default replaced through a truth test also replaces a caller's `0`, `\"\"` or empty container",
    severity: Severity::Warning,
    topic: Topic::Functions,
    doc: include_str!("../../rules/truthy-none-trap.md"),
    fix: FixAvailability::None,
    equivalents: &[],
};

/// What a parameter holds, as far as the replacement or the annotation shows.
#[derive(Clone, Copy, PartialEq)]
struct Holds {
    /// The falsy values a truth test confuses with `None`.
    falsy: &'static str,
    /// The kind of object, for "a caller's own empty list".
    noun: &'static str,
    mutable: bool,
}

const fn holds(falsy: &'static str, noun: &'static str, mutable: bool) -> Holds {
    Holds {
        falsy,
        noun,
        mutable,
    }
}

const NUMBER: Holds = holds("`0`", "number", false);
const STRING: Holds = holds("`\"\"`", "string", false);
const BYTES: Holds = holds("`b\"\"`", "bytes", false);
const LIST: Holds = holds("`[]`", "list", true);
const DICT: Holds = holds("`{}`", "dict", true);
const SET: Holds = holds("empty set", "set", true);
const FROZENSET: Holds = holds("empty frozenset", "frozenset", false);
const TUPLE: Holds = holds("`()`", "tuple", false);
const SEQUENCE: Holds = holds("empty sequence", "sequence", false);
const MAPPING: Holds = holds("empty mapping", "mapping", false);

/// Type names (last dotted segment) and what a parameter annotated with them holds.
#[rustfmt::skip]
const ANNOTATIONS: &[(&[&str], Holds)] = &[
    (&["int", "float", "complex", "Decimal", "Fraction"], NUMBER),
    (&["str"], STRING),
    (&["bytes", "bytearray"], BYTES),
    (&["list", "List", "MutableSequence", "deque", "Deque"], LIST),
    (&["dict", "Dict", "MutableMapping", "defaultdict", "DefaultDict", "OrderedDict", "Counter"], DICT),
    (&["set", "Set", "MutableSet"], SET),
    (&["frozenset", "FrozenSet", "AbstractSet"], FROZENSET),
    (&["tuple", "Tuple"], TUPLE),
    (&["Sequence"], SEQUENCE),
    (&["Mapping"], MAPPING),
];

/// Calls that build a value of a known kind, by qualified name.
#[rustfmt::skip]
const FACTORIES: &[(&[&str], Holds)] = &[
    (&["int", "float"], NUMBER),
    (&["str"], STRING),
    (&["bytes", "bytearray"], BYTES),
    (&["list", "collections.deque"], LIST),
    (&["dict", "collections.defaultdict", "collections.OrderedDict", "collections.Counter"], DICT),
    (&["set"], SET),
    (&["frozenset"], FROZENSET),
    (&["tuple"], TUPLE),
];

/// Methods that change a list, dict or set in place.
#[rustfmt::skip]
const MUTATORS: &[&str] = &[
    "append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem", "remove",
    "discard", "clear", "sort", "reverse", "appendleft", "extendleft",
];

pub struct TruthyNoneTrap;

impl Rule for TruthyNoneTrap {
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
        let params = &def.parameters;
        let none_defaults: Vec<_> = params
            .posonlyargs
            .iter()
            .chain(&params.args)
            .chain(&params.kwonlyargs)
            .filter(|p| p.default.as_deref().is_some_and(Expr::is_none_literal_expr))
            .map(|p| (p.parameter.name.as_str(), p.parameter.annotation.as_deref()))
            .collect();
        if none_defaults.is_empty() || ctx.is_stub() {
            return;
        }
        let is_param = |expr: &Expr| match expr {
            Expr::Name(name) => none_defaults
                .iter()
                .find(|(p, _)| *p == name.id.as_str())
                .copied(),
            _ => None,
        };
        // One walk of the body (not of nested scopes): the replacements, and which
        // parameters are changed in place.
        let mut traps = Vec::new();
        let mut mutated: HashSet<&str> = HashSet::new();
        // Parameters also compared with `None`, or rebound (where): the author tells
        // the two apart, or the name no longer holds the argument.
        let mut checked: HashSet<&str> = HashSet::new();
        let mut rebound: Vec<(&str, TextSize)> = Vec::new();
        for stmt in &def.body {
            for_each_node(stmt.into(), |node| {
                match node {
                    AnyNodeRef::StmtIf(stmt) => traps.extend(if_not_trap(stmt, &is_param)),
                    AnyNodeRef::StmtAssign(stmt) => {
                        traps.extend(assign_trap(stmt, &is_param));
                        for target in &stmt.targets {
                            rebound.extend(is_param(target).map(|(p, _)| (p, stmt.start())));
                        }
                    }
                    AnyNodeRef::StmtFor(stmt) => {
                        rebound.extend(is_param(&stmt.target).map(|(p, _)| (p, stmt.start())));
                    }
                    AnyNodeRef::ExprCompare(compare) => {
                        let operands = std::iter::once(&*compare.left).chain(&compare.comparators);
                        if operands.clone().any(Expr::is_none_literal_expr) {
                            checked.extend(operands.filter_map(|e| is_param(e).map(|(p, _)| p)));
                        }
                    }
                    AnyNodeRef::ExprCall(call) => {
                        if let Expr::Attribute(attr) = &*call.func
                            && MUTATORS.contains(&attr.attr.as_str())
                            && let Some((p, _)) = is_param(&attr.value)
                        {
                            mutated.insert(p);
                        }
                    }
                    AnyNodeRef::ExprSubscript(sub) if !sub.ctx.is_load() => {
                        mutated.extend(is_param(&sub.value).map(|(p, _)| p));
                    }
                    AnyNodeRef::StmtAugAssign(stmt) => {
                        mutated.extend(is_param(&stmt.target).map(|(p, _)| p));
                        rebound.extend(is_param(&stmt.target).map(|(p, _)| (p, stmt.start())));
                    }
                    _ => {}
                }
                !matches!(
                    node,
                    AnyNodeRef::StmtFunctionDef(_)
                        | AnyNodeRef::StmtClassDef(_)
                        | AnyNodeRef::ExprLambda(_)
                )
            });
        }
        for trap in traps {
            let name = trap.param.0;
            if checked.contains(name) || rebound.iter().any(|&(p, at)| p == name && at < trap.at) {
                continue;
            }
            let holds = match classify(trap.replacement, ctx) {
                Replacement::Holds(holds, empty) => {
                    // A new empty container for an empty one only matters when the
                    // function changes it: the caller's object is not the one changed.
                    if empty && holds.mutable && !mutated.contains(name) {
                        continue;
                    }
                    holds
                }
                Replacement::Unknown => match trap.param.1.and_then(annotation) {
                    Some(Some(holds)) => holds,
                    _ => continue,
                },
                Replacement::Silent => continue,
            };
            if trap.param.1.and_then(annotation) == Some(None) {
                continue; // annotated `bool`: a flag
            }
            let test = short(ctx.text_of(&trap.shown), &trap.schematic);
            let default = short(ctx.text_of(trap.replacement), "...");
            let quoted = if default == "..." {
                "the default".to_owned()
            } else {
                format!("`{default}`")
            };
            let func = def.name.as_str();
            let loses_changes = mutated.contains(name) && holds.mutable;
            // The caller can only see the changes through its own object when the
            // function returns nothing: then the parameter is an out-parameter.
            // A constructor's parameters configure the object; none is an out-parameter.
            let out_parameter = loses_changes
                && !returns_value(def)
                && !matches!(func, "__init__" | "__new__" | "__post_init__");
            let message = if loses_changes {
                format!(
                    "`{name}` defaults to `None`, but `{test}` tests truthiness, not `None`: a caller's own empty {} is swapped for {quoted} and the changes `{func}` makes never reach the caller",
                    holds.noun
                )
            } else {
                format!(
                    "`{name}` defaults to `None`, but `{test}` tests truthiness, not `None`: a caller's explicit {} is silently replaced by {quoted}",
                    holds.falsy
                )
            };
            let diagnostic = report.add(
                trap.shown.range(),
                message,
                format!(
                    "test for the missing argument itself: `if {name} is None: {name} = {default}`"
                ),
            );
            // Evidence: the changes a caller waits for are lost (an error), or `0` is a
            // number a caller means (a hazard). An empty string, tuple or container swapped for a
            // default is rarely a value anyone passes on purpose: a hint.
            diagnostic.severity = if out_parameter {
                Severity::Error
            } else if holds == NUMBER {
                Severity::Warning
            } else {
                Severity::Info
            };
        }
    }
}

/// A parameter replaced through a truth test: what is shown in the message (the test
/// or the right-hand side) and the replacement.
struct Trap<'a> {
    param: (&'a str, Option<&'a Expr>),
    /// Where the statement starts.
    at: TextSize,
    shown: &'a Expr,
    schematic: String,
    replacement: &'a Expr,
}

type ParamOf<'p, 'a> = dyn Fn(&Expr) -> Option<(&'a str, Option<&'a Expr>)> + 'p;

/// `if not p: p = D`.
fn if_not_trap<'a>(stmt: &'a crate::ast::StmtIf, is_param: &ParamOf<'_, 'a>) -> Option<Trap<'a>> {
    let Expr::UnaryOp(test) = &*stmt.test else {
        return None;
    };
    if test.op != UnaryOp::Not {
        return None;
    }
    let param = is_param(&test.operand)?;
    let replacement = stmt.body.iter().find_map(|s| match s {
        Stmt::Assign(assign) => match assign.targets.as_slice() {
            [Expr::Name(target)] if target.id.as_str() == param.0 => Some(&*assign.value),
            _ => None,
        },
        _ => None,
    })?;
    Some(Trap {
        param,
        at: stmt.start(),
        shown: &stmt.test,
        schematic: format!("not {}", param.0),
        replacement,
    })
}

/// `p = p or D`, `p = p if p else D`, `p = D if not p else p`.
fn assign_trap<'a>(
    stmt: &'a crate::ast::StmtAssign,
    is_param: &ParamOf<'_, 'a>,
) -> Option<Trap<'a>> {
    let [target] = stmt.targets.as_slice() else {
        return None;
    };
    let param = is_param(target)?;
    let same = |expr: &Expr| is_param(expr).is_some_and(|p| p.0 == param.0);
    let (replacement, schematic) = match &*stmt.value {
        Expr::BoolOp(op) if op.op == BoolOp::Or => match op.values.as_slice() {
            [first, default] if same(first) => (default, format!("{} or ...", param.0)),
            _ => return None,
        },
        Expr::If(ternary) if same(&ternary.test) && same(&ternary.body) => {
            (&*ternary.orelse, format!("{0} if {0} else ...", param.0))
        }
        Expr::If(ternary) if same(&ternary.orelse) => match &*ternary.test {
            Expr::UnaryOp(not) if not.op == UnaryOp::Not && same(&not.operand) => {
                (&*ternary.body, format!("... if not {0} else {0}", param.0))
            }
            _ => return None,
        },
        _ => return None,
    };
    Some(Trap {
        param,
        at: stmt.start(),
        shown: &stmt.value,
        schematic,
        replacement,
    })
}

enum Replacement {
    /// A value of a known kind, and whether it is an empty container.
    Holds(Holds, bool),
    /// `True`/`False`, `None`, an always-truthy object, or the falsy value itself
    /// (`name or ""` changes nothing).
    Silent,
    Unknown,
}

fn classify(expr: &Expr, ctx: &Context) -> Replacement {
    let known = |holds, empty| Replacement::Holds(holds, empty);
    let unless_falsy = |holds, falsy: bool| {
        if falsy {
            Replacement::Silent
        } else {
            Replacement::Holds(holds, false)
        }
    };
    match expr {
        Expr::NumberLiteral(n) => unless_falsy(NUMBER, is_zero(&n.value)),
        Expr::UnaryOp(op) if matches!(op.op, UnaryOp::USub | UnaryOp::UAdd) => match &*op.operand {
            Expr::NumberLiteral(n) => unless_falsy(NUMBER, is_zero(&n.value)),
            _ => Replacement::Unknown,
        },
        Expr::StringLiteral(s) => unless_falsy(STRING, s.value.is_empty()),
        Expr::FString(_) => known(STRING, false),
        Expr::BytesLiteral(b) => unless_falsy(BYTES, b.value.bytes().next().is_none()),
        Expr::Tuple(t) => unless_falsy(TUPLE, t.elts.is_empty()),
        Expr::List(l) => known(LIST, l.elts.is_empty()),
        Expr::ListComp(_) => known(LIST, false),
        Expr::Dict(d) => known(DICT, d.is_empty()),
        Expr::DictComp(_) => known(DICT, false),
        Expr::Set(_) | Expr::SetComp(_) => known(SET, false),
        Expr::BinOp(op) if op.op == Operator::Add => match classify(&op.left, ctx) {
            Replacement::Holds(holds, _) if !holds.mutable => known(holds, false),
            _ => Replacement::Unknown,
        },
        Expr::Call(call) => {
            let Some(name) = ctx.qualified_name(&call.func) else {
                return Replacement::Unknown;
            };
            let no_arguments = call.arguments.is_empty();
            match FACTORIES
                .iter()
                .find(|(names, _)| names.contains(&name.as_str()))
            {
                Some((_, holds)) if holds.mutable => known(*holds, no_arguments),
                Some((_, holds)) => unless_falsy(*holds, no_arguments),
                None if name == "object" || is_class_name(&call.func) => Replacement::Silent,
                None => Replacement::Unknown,
            }
        }
        _ if expr.is_literal_expr() => Replacement::Silent,
        _ => Replacement::Unknown,
    }
}

fn is_zero(number: &Number) -> bool {
    match number {
        Number::Int(int) => int.as_u64() == Some(0),
        Number::Float(float) => *float == 0.0,
        Number::Complex { real, imag } => *real == 0.0 && *imag == 0.0,
    }
}

/// `Session()`, `logging.Logger()`: by convention a class, whose instances are truthy.
fn is_class_name(func: &Expr) -> bool {
    let name = match func {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attr) => attr.attr.as_str(),
        _ => return false,
    };
    name.starts_with(|c: char| c.is_ascii_uppercase())
}

/// What an annotation says the parameter holds: `Some(Some(..))` for a number, string
/// or container type, `Some(None)` for `bool`, `None` when it does not say.
fn annotation(expr: &Expr) -> Option<Option<Holds>> {
    match expr {
        Expr::Name(_) | Expr::Attribute(_) => {
            let name = last_segment(expr)?;
            if name == "bool" {
                return Some(None);
            }
            ANNOTATIONS
                .iter()
                .find(|(names, _)| names.contains(&name))
                .map(|(_, holds)| Some(*holds))
        }
        // `Optional[int]`, `Union[int, None]`, `Annotated[int, ...]`, `list[str]`.
        Expr::Subscript(sub) => match (last_segment(&sub.value)?, &*sub.slice) {
            ("Union", Expr::Tuple(members)) => only_member(members.elts.iter()),
            ("Annotated", Expr::Tuple(members)) => annotation(members.elts.first()?),
            ("Optional" | "Union" | "Annotated", inner) => annotation(inner),
            _ => annotation(&sub.value),
        },
        // `int | None`.
        Expr::BinOp(op) if op.op == Operator::BitOr => {
            let mut members = Vec::new();
            flatten_union(expr, &mut members, 0);
            only_member(members.into_iter())
        }
        _ => None,
    }
}

/// The kind of the one non-`None` member of a union; unions of several say nothing.
fn only_member<'e>(members: impl Iterator<Item = &'e Expr>) -> Option<Option<Holds>> {
    let mut rest = members.filter(|m| !m.is_none_literal_expr());
    let only = rest.next()?;
    if rest.next().is_some() {
        return None;
    }
    annotation(only)
}

fn flatten_union<'e>(expr: &'e Expr, out: &mut Vec<&'e Expr>, depth: usize) {
    match expr {
        Expr::BinOp(op) if op.op == Operator::BitOr && depth < 32 => {
            flatten_union(&op.left, out, depth + 1);
            flatten_union(&op.right, out, depth + 1);
        }
        other => out.push(other),
    }
}

fn last_segment(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attr) => Some(attr.attr.as_str()),
        _ => None,
    }
}

/// `text` when it fits on one short line, else `fallback`.
fn short(text: &str, fallback: &str) -> String {
    if text.len() <= 40 && !text.contains('\n') {
        text.to_owned()
    } else {
        fallback.to_owned()
    }
}

/// Whether the function returns a value somewhere (outside nested scopes).
fn returns_value(def: &crate::ast::StmtFunctionDef) -> bool {
    any_in_scope(&def.body, |node| {
        matches!(node, AnyNodeRef::StmtReturn(ret) if ret.value.is_some())
            || matches!(
                node,
                AnyNodeRef::ExprYield(_) | AnyNodeRef::ExprYieldFrom(_)
            )
    })
}
