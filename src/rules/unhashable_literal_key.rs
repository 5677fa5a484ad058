//! PF105: a list, dict or set written where Python must hash it (a dict key, a set
//! member, `hash()`), which always raises `TypeError: unhashable type`.

use crate::ast::{AnyNodeRef, CmpOp, Expr, NodeKind, Ranged};
use crate::checker::Context;
use crate::checker::bindings::{Kind, certain_kind};
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};
use crate::rules::python2_leftover::expects_exception;

pub static META: RuleMeta = RuleMeta {
    code: "PF105",
    name: "unhashable-literal-key",
    summary: "a list, dict or set used as a dict key or set member always raises `TypeError: unhashable type`",
    severity: Severity::Error,
    topic: Topic::LanguageBasics,
    doc: include_str!("../../rules/unhashable-literal-key.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "pylint",
            code: "E1143",
            name: "unhashable-member",
        },
        Equivalent {
            tool: "pyright",
            code: "reportUnhashable",
            name: "",
        },
    ],
};

/// Tuples nest (`((1, [2]), 3)`); deeper ones are not searched.
const MAX_TUPLE_NESTING: usize = 8;

/// Calls that hash every item of their (first) argument.
const HASHING_CONSTRUCTORS: &[&str] = &["set", "frozenset", "collections.Counter"];

pub struct UnhashableLiteralKey;

impl Rule for UnhashableLiteralKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[
            NodeKind::ExprDict,
            NodeKind::ExprDictComp,
            NodeKind::ExprSet,
            NodeKind::ExprSetComp,
            NodeKind::ExprCompare,
            NodeKind::ExprCall,
            NodeKind::ExprSubscript,
        ]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        match node {
            AnyNodeRef::ExprDict(dict) => {
                for key in dict.items.iter().filter_map(|item| item.key.as_ref()) {
                    flag(key, "a dict key", "building this dict", ctx, report);
                }
            }
            AnyNodeRef::ExprDictComp(comp) => {
                if let Some(key) = comp.key.as_deref() {
                    flag(key, "a dict key", "building this dict", ctx, report);
                }
            }
            AnyNodeRef::ExprSet(set) => {
                for elt in &set.elts {
                    flag(elt, "a set member", "building this set", ctx, report);
                }
            }
            AnyNodeRef::ExprSetComp(comp) => {
                flag(&comp.elt, "a set member", "building this set", ctx, report);
            }
            AnyNodeRef::ExprCompare(compare) => {
                let mut left: &Expr = &compare.left;
                for (op, right) in compare.ops.iter().zip(compare.comparators.iter()) {
                    if matches!(op, CmpOp::In | CmpOp::NotIn)
                        && unhashable(left, ctx, 0).is_some()
                        && let Some(kind) = container_kind(right, ctx)
                    {
                        let role = format!("looked up in a {kind}");
                        flag(left, &role, "the membership test", ctx, report);
                    }
                    left = right;
                }
            }
            AnyNodeRef::ExprCall(call) => check_call(call, ctx, report),
            AnyNodeRef::ExprSubscript(subscript)
                if unhashable(&subscript.slice, ctx, 0).is_some()
                    && container_kind(&subscript.value, ctx) == Some("dict") =>
            {
                let dict = short(ctx.text_of(&*subscript.value));
                let role = format!("a key of the dict `{dict}`");
                flag(&subscript.slice, &role, "this subscript", ctx, report);
            }
            _ => {}
        }
    }
}

fn check_call(call: &crate::ast::ExprCall, ctx: &Context, report: &mut Report) {
    let [arg, ..] = &*call.arguments.args else {
        return;
    };
    if let Expr::Attribute(attr) = &*call.func {
        let method = attr.attr.as_str();
        let wanted = match method {
            "get" | "setdefault" | "pop" => "dict",
            "add" | "discard" | "remove" => "set",
            "fromkeys" if ctx.is_builtin(&attr.value, "dict") => {
                each_item(arg, "a key of `dict.fromkeys()`", ctx, report);
                return;
            }
            _ => return,
        };
        if unhashable(arg, ctx, 0).is_some() && container_kind(&attr.value, ctx) == Some(wanted) {
            let role = format!(
                "the argument of `{}.{method}()`",
                short(ctx.text_of(&*attr.value))
            );
            flag(arg, &role, "this call", ctx, report);
        }
        return;
    }
    // Cheap name test before resolving imports, which allocates.
    let last = match &*call.func {
        Expr::Name(name) => name.id.as_str(),
        _ => return,
    };
    if !matches!(last, "hash" | "set" | "frozenset" | "Counter" | "dict") {
        return;
    }
    let Some(name) = ctx.qualified_name(&call.func) else {
        return;
    };
    if name == "hash" {
        flag(arg, "the argument of `hash()`", "this call", ctx, report);
    } else if HASHING_CONSTRUCTORS.contains(&name.as_str()) {
        let role = format!(
            "an item of `{}()`",
            name.rsplit('.').next().unwrap_or(&name)
        );
        each_item(arg, &role, ctx, report);
    } else if name == "dict" {
        // `dict([(k, v), ...])`: the first item of each pair is a key.
        if let Expr::List(crate::ast::ExprList { elts, .. })
        | Expr::Tuple(crate::ast::ExprTuple { elts, .. }) = arg
        {
            for pair in elts {
                if let Expr::List(crate::ast::ExprList { elts: kv, .. })
                | Expr::Tuple(crate::ast::ExprTuple { elts: kv, .. }) = pair
                    && let [key, _] = kv.as_slice()
                {
                    flag(key, "a dict key", "building this dict", ctx, report);
                }
            }
        }
    }
}

/// Flags the unhashable items of a display or comprehension handed to a call that
/// hashes each item.
fn each_item(arg: &Expr, role: &str, ctx: &Context, report: &mut Report) {
    match arg {
        Expr::List(list) => list
            .elts
            .iter()
            .for_each(|e| flag(e, role, "this call", ctx, report)),
        Expr::Tuple(tuple) => tuple
            .elts
            .iter()
            .for_each(|e| flag(e, role, "this call", ctx, report)),
        Expr::ListComp(comp) => flag(&comp.elt, role, "this call", ctx, report),
        Expr::Generator(comp) => flag(&comp.elt, role, "this call", ctx, report),
        _ => {}
    }
}

/// Reports `expr` when it is unhashable; `role` says where Python hashes it and
/// `action` what raises.
fn flag(expr: &Expr, role: &str, action: &str, ctx: &Context, report: &mut Report) {
    let Some((kind, culprit)) = unhashable(expr, ctx, 0) else {
        return;
    };
    if expects_exception(ctx, "TypeError") {
        return;
    }
    let written = short(ctx.text_of(expr));
    let subject = if culprit.range() == expr.range() {
        format!("`{written}` is a {kind}, which cannot be hashed, so it cannot be {role}")
    } else {
        format!(
            "`{written}` holds a {kind} (`{}`), and a tuple is hashable only when everything in it is, so it cannot be {role}",
            short(ctx.text_of(culprit))
        )
    };
    report.add(
        expr.range(),
        format!("{subject}: {action} raises `TypeError: unhashable type: '{kind}'`"),
        replacement(kind, culprit, ctx),
    );
    report.attach_to_last(hashable_suggestion(culprit, ctx));
}

/// The first unhashable thing `expr` builds: itself, or an item of a tuple it is.
fn unhashable<'e>(expr: &'e Expr, ctx: &Context, depth: usize) -> Option<(&'static str, &'e Expr)> {
    let kind = match expr {
        Expr::List(_) | Expr::ListComp(_) => "list",
        Expr::Dict(_) | Expr::DictComp(_) => "dict",
        Expr::Set(_) | Expr::SetComp(_) => "set",
        Expr::Tuple(tuple) if depth < MAX_TUPLE_NESTING => {
            return tuple
                .elts
                .iter()
                .find_map(|elt| unhashable(elt, ctx, depth + 1));
        }
        Expr::Call(call)
            if call.arguments.keywords.is_empty()
                && matches!(&*call.func, Expr::Name(n)
                    if matches!(n.id.as_str(), "list" | "dict" | "set" | "bytearray")) =>
        {
            match ctx.qualified_name(&call.func).as_deref() {
                Some("list") => "list",
                Some("dict") => "dict",
                Some("set") => "set",
                Some("bytearray") => "bytearray",
                _ => return None,
            }
        }
        _ => return None,
    };
    Some((kind, expr))
}

/// What to write instead of the unhashable `culprit`.
fn replacement(kind: &str, culprit: &Expr, ctx: &Context) -> String {
    let text = ctx.text_of(culprit);
    match (kind, culprit) {
        ("list", Expr::List(list)) if !text.contains('\n') && text.len() <= 60 => {
            let inner = text.get(1..text.len() - 1).unwrap_or_default();
            let comma = if list.elts.len() == 1 { "," } else { "" };
            format!("use a tuple, which is hashable when its items are: `({inner}{comma})`")
        }
        ("list", Expr::Call(_)) if text.starts_with("list(") && short(text) != "..." => {
            format!(
                "use a tuple, which is hashable when its items are: `tuple{}`",
                &text[4..]
            )
        }
        ("list", _) => "use a tuple, which is hashable when its items are: `tuple(...)`".into(),
        ("set", Expr::Set(_)) if short(text) != "..." => {
            format!("use a `frozenset`, the hashable set: `frozenset({text})`")
        }
        ("set", _) => "use a `frozenset`, the hashable set: `frozenset(...)`".into(),
        ("bytearray", _) => "use `bytes`, the hashable byte string".into(),
        _ => "a dict cannot be hashed: key on `frozenset(d.items())` or a tuple of the values \
              that identify it"
            .into(),
    }
}

/// Whether `expr` is certainly a dict or a set (or frozenset): `"dict"` or `"set"`.
fn container_kind(expr: &Expr, ctx: &Context) -> Option<&'static str> {
    match certain_kind(expr, ctx) {
        Kind::Dict => Some("dict"),
        Kind::Set | Kind::FrozenSet => Some("set"),
        _ => None,
    }
}

/// The text to quote in a message, or `...` when it is long or spans lines.
fn short(text: &str) -> &str {
    if text.len() <= 40 && !text.contains('\n') {
        text
    } else {
        "..."
    }
}

/// A list display turned into a tuple, or a set display wrapped in `frozenset`, for
/// teach mode. Display-only: code that later mutates the key expects a list or set.
fn hashable_suggestion(culprit: &Expr, ctx: &Context) -> Option<crate::rule::Fix> {
    let text = ctx.text_of(culprit);
    let (message, content) = match culprit {
        Expr::List(list) => {
            let inner = text.get(1..text.len().saturating_sub(1))?;
            let comma = if list.elts.len() == 1 { "," } else { "" };
            ("use a tuple", format!("({inner}{comma})"))
        }
        Expr::Set(_) => ("use a frozenset", format!("frozenset({text})")),
        _ => return None,
    };
    Some(crate::rule::Fix::display_only(
        message,
        vec![crate::rule::Edit::replace(culprit.range(), content)],
    ))
}
