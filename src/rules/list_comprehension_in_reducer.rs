//! PF206: `sum([...])`, `any([...])` and friends build a throwaway list a generator would stream.
//!
//! `sum`, `min`, `max`, `any` and `all` read their argument once, front to back, so a
//! list comprehension there only materialises every element in memory first; for `any`
//! and `all` it also evaluates every element although the first deciding one would do.
//! Only that loss of short-circuiting changes behaviour, so only `any`/`all` are warnings;
//! the memory-only cases are `info`.

use crate::ast::{AnyNodeRef, Expr, ExprCall, ExprListComp, NodeKind, Ranged, TextRange, TextSize};
use crate::checker::Context;
use crate::checker::intent;
use crate::checker::subtree::for_each_node;
use crate::rule::{
    Edit, Equivalent, Fix, FixAvailability, Report, Rule, RuleMeta, Severity, Topic,
};

pub static META: RuleMeta = RuleMeta {
    code: "PF206",
    name: "list-comprehension-in-reducer",
    summary: "a list comprehension passed to `sum`, `min`, `max`, `any` or `all` builds a throwaway list; a generator expression streams",
    severity: Severity::Warning,
    topic: Topic::DataStructures,
    doc: include_str!("../../rules/list-comprehension-in-reducer.md"),
    fix: FixAvailability::Always,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "C419",
            name: "unnecessary-comprehension-in-call",
        },
        Equivalent {
            tool: "flake8-comprehensions",
            code: "C419",
            name: "",
        },
        Equivalent {
            tool: "pylint",
            code: "R1729",
            name: "use-a-generator",
        },
        Equivalent {
            tool: "pylint",
            code: "R1728",
            name: "consider-using-generator",
        },
    ],
};

/// The builtins that consume an iterable once, and the keywords each accepts besides it.
const REDUCERS: &[(&str, &[&str])] = &[
    ("any", &[]),
    ("all", &[]),
    ("sum", &["start"]),
    ("min", &["key", "default"]),
    ("max", &["key", "default"]),
];

/// Longest rewritten call quoted in the help.
const MAX_QUOTED: usize = 80;

pub struct ListComprehensionInReducer;

impl Rule for ListComprehensionInReducer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::ExprCall]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::ExprCall(call) = node else {
            return;
        };
        let Expr::Name(func) = &*call.func else {
            return;
        };
        let name = func.id.as_str();
        let Some(&(_, keywords)) = REDUCERS.iter().find(|(reducer, _)| *reducer == name) else {
            return;
        };
        let args = &call.arguments.args;
        let Some(Expr::ListComp(comp)) = args.first() else {
            return;
        };
        // `sum(xs, start)` takes a second positional; `min(a, b)` compares its arguments
        // themselves, so a list there is an element, not the iterable.
        let max_positional = if name == "sum" { 2 } else { 1 };
        if args.len() > max_positional
            || args.iter().any(|arg| matches!(arg, Expr::Starred(_)))
            || call.arguments.keywords.iter().any(|kw| {
                kw.arg
                    .as_ref()
                    .is_none_or(|arg| !keywords.contains(&arg.as_str()))
            })
            || !ctx.is_builtin(&call.func, name)
            || !streams_the_same(comp)
        {
            return;
        }

        let message = match name {
            "any" | "all" => {
                let decides = if name == "any" {
                    "the first true one"
                } else {
                    "the first false one"
                };
                format!(
                    "the list comprehension makes `{name}` wait until every element has been computed and stored, although `{name}` stops at {decides}; a generator expression is evaluated only as far as `{name}` reads"
                )
            }
            _ => format!(
                "the list comprehension stores every element in a throwaway list before `{name}` reads them once; a generator expression hands them to `{name}` one at a time, without the list"
            ),
        };
        let help = match rewritten(call, comp, ctx) {
            Some((fixed, true)) => format!("drop the square brackets: `{fixed}`"),
            Some((fixed, false)) => format!(
                "pass a generator expression, which needs its own parentheses when it is not the only argument: `{fixed}`"
            ),
            None => "drop the square brackets to pass a generator expression".to_owned(),
        };
        let sole = args.len() == 1
            && call.arguments.keywords.is_empty()
            && ctx.slice(TextRange::new(comp.end(), call.end())).trim() == ")";
        let (open, close) = if sole { ("", "") } else { ("(", ")") };
        let one = TextSize::from(1);
        let fix = Fix::safe(
            "pass a generator expression",
            vec![
                Edit::replace(TextRange::at(comp.start(), one), open),
                Edit::replace(TextRange::at(comp.end() - one, one), close),
            ],
        );
        let short_circuits = matches!(name, "any" | "all");
        let diagnostic = report.add(comp.range(), message, help);
        // `sum`/`min`/`max` read every element either way: the list costs memory only,
        // which matters only for inputs far larger than real code usually passes, so it is
        // `info`. For `any`/`all`, a comment about the list says every element is evaluated
        // on purpose: also `info`, hidden by default (and so never fixed unasked).
        if !short_circuits || explained_as_deliberate(call, ctx) {
            diagnostic.severity = Severity::Info;
        }
        diagnostic.set_fix(fix);
    }
}

/// Whether turning the list comprehension into a generator keeps its meaning: an
/// `async for` or `await` would make it an async generator the builtin cannot consume,
/// and a walrus would leave a different value behind once the builtin stops early.
fn streams_the_same(comp: &ExprListComp) -> bool {
    if comp.generators.iter().any(|generator| generator.is_async) {
        return false;
    }
    let mut plain = true;
    for_each_node(AnyNodeRef::from(comp), |node| {
        if matches!(node, AnyNodeRef::ExprAwait(_) | AnyNodeRef::ExprNamed(_)) {
            plain = false;
        }
        plain && !matches!(node, AnyNodeRef::ExprLambda(_))
    });
    plain
}

/// Whether a comment on the call, or just above its statement, talks about the list —
/// "List comprehension ensures is_valid() is called for all forms" — the sign of a list
/// kept on purpose so that every element is evaluated.
fn explained_as_deliberate(call: &ExprCall, ctx: &Context) -> bool {
    let statement_start = ctx
        .ancestors()
        .find(|node| node.is_statement())
        .map_or(call.start(), |node| node.start());
    let before = ctx.slice(TextRange::up_to(statement_start));
    // Up to the end of the line above the statement.
    let before = before
        .get(..before.rfind('\n').unwrap_or(0))
        .unwrap_or_default();
    let above = before
        .lines()
        .rev()
        .map(str::trim_start)
        .take_while(|line| line.starts_with('#'));
    let inside = ctx
        .text_of(call)
        .lines()
        .filter_map(|line| line.find('#').map(|at| &line[at..]));
    above.chain(inside).any(|comment| {
        let lower = comment.to_ascii_lowercase();
        intent::explains(comment) && (lower.contains("comprehension") || lower.contains("list"))
    })
}

/// The call with the comprehension's brackets dropped (or turned into parentheses when
/// the generator is not the only argument), if it is short enough to quote; and whether
/// the brackets were simply dropped.
fn rewritten(call: &ExprCall, comp: &ExprListComp, ctx: &Context) -> Option<(String, bool)> {
    let text = ctx.text_of(call);
    if text.len() > MAX_QUOTED || text.contains('\n') {
        return None;
    }
    let one = TextSize::new(1);
    let inner_start = comp.start() + one;
    let inner_end = comp.end().checked_sub(one)?;
    if inner_end < inner_start || !ctx.text_of(comp).starts_with('[') {
        return None;
    }
    let before = ctx.slice(TextRange::new(call.start(), comp.start()));
    let inner = ctx.slice(TextRange::new(inner_start, inner_end));
    let after = ctx.slice(TextRange::new(comp.end(), call.end()));
    // A bare generator must be the sole argument, with no trailing comma.
    let sole = call.arguments.len() == 1 && after.trim_start().starts_with(')');
    Some(if sole {
        (format!("{before}{inner}{after}"), true)
    } else {
        (format!("{before}({inner}){after}"), false)
    })
}
