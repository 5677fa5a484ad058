//! PF705: `return`, `break` or `continue` directly in a `finally` block, which throws
//! away the exception the `try` was propagating (and overrides a value it returned).
//!
//! A jump that stays inside the `finally` — a `return` in a function defined there, a
//! `break` of a loop that itself sits in the `finally` — is left alone: it cannot leave
//! the block, so the in-flight exception survives.

use crate::ast::{AnyNodeRef, NodeKind, Ranged, Stmt, TextRange, TextSize};
use crate::checker::Context;
use crate::checker::intent;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF705",
    name: "return-in-finally",
    summary: "`return`, `break` or `continue` in `finally` silently discards the exception \
              being raised",
    severity: Severity::Error,
    topic: Topic::ErrorsAndTesting,
    doc: include_str!("../../rules/return-in-finally.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "B012",
            name: "jump-statement-in-finally",
        },
        Equivalent {
            tool: "flake8-bugbear",
            code: "B012",
            name: "",
        },
        Equivalent {
            tool: "pylint",
            code: "W0150",
            name: "lost-exception",
        },
        Equivalent {
            tool: "pylint",
            code: "W0134",
            name: "return-in-finally",
        },
    ],
};

pub struct ReturnInFinally;

impl Rule for ReturnInFinally {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[
            NodeKind::StmtReturn,
            NodeKind::StmtBreak,
            NodeKind::StmtContinue,
        ]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let (keyword, is_return) = match node {
            AnyNodeRef::StmtReturn(_) => ("return", true),
            AnyNodeRef::StmtBreak(_) => ("break", false),
            AnyNodeRef::StmtContinue(_) => ("continue", false),
            _ => return,
        };
        let mut child = node.range();
        for ancestor in ctx.ancestors() {
            match ancestor {
                AnyNodeRef::StmtFunctionDef(_)
                | AnyNodeRef::StmtClassDef(_)
                | AnyNodeRef::ExprLambda(_) => return,
                // A `break`/`continue` in a loop's body targets that loop; one in its
                // `else` targets the loop around it.
                AnyNodeRef::StmtFor(stmt) if !is_return && block_holds(&stmt.body, child) => {
                    return;
                }
                AnyNodeRef::StmtWhile(stmt) if !is_return && block_holds(&stmt.body, child) => {
                    return;
                }
                AnyNodeRef::StmtTry(stmt) if block_holds(&stmt.finalbody, child) => {
                    let range = TextRange::at(node.start(), TextSize::of(keyword));
                    let (message, help) = describe(keyword, node, ctx);
                    let diagnostic = report.add(range, message, help);
                    // A comment on the line says why control leaves the `finally`
                    // (`return  # resume the KeyboardInterrupt`): deliberate, `info`.
                    let rest = &ctx.source()[node.end().to_usize()..];
                    let line = rest.split(['\n', '\r']).next().unwrap_or_default();
                    if line
                        .find('#')
                        .is_some_and(|at| intent::explains(&line[at..]))
                    {
                        diagnostic.severity = Severity::Info;
                    }
                    return;
                }
                _ => {}
            }
            child = ancestor.range();
        }
    }
}

/// Whether the statement (or expression) at `child` is one of `block`'s statements.
fn block_holds(block: &[Stmt], child: TextRange) -> bool {
    match (block.first(), block.last()) {
        (Some(first), Some(last)) => {
            TextRange::new(first.start(), last.end()).contains_range(child)
        }
        _ => false,
    }
}

fn describe(keyword: &str, node: AnyNodeRef, ctx: &Context) -> (String, String) {
    let outcome = match node {
        AnyNodeRef::StmtReturn(ret) => {
            let what = match ret.value.as_deref() {
                Some(value)
                    if ctx.text_of(value).len() <= 30 && !ctx.text_of(value).contains('\n') =>
                {
                    format!("`return {}`", ctx.text_of(value))
                }
                Some(_) => "this `return`".to_owned(),
                None => "`return`".to_owned(),
            };
            format!(
                "{what} in `finally` silently discards any exception raised in the `try` \
                 (and overrides any value it returned)"
            )
        }
        AnyNodeRef::StmtBreak(_) => "`break` in `finally` silently discards any exception \
                                     raised in the `try` and just leaves the loop"
            .to_owned(),
        _ => "`continue` in `finally` silently discards any exception raised in the `try` \
              and goes on with the next iteration"
            .to_owned(),
    };
    let help = if keyword == "return" {
        "move the `return` after the `try` statement so an exception still propagates; \
         keep only cleanup in `finally`"
            .to_owned()
    } else {
        format!(
            "move the `{keyword}` after the `try` statement (or into its `else:`) so an \
             exception still propagates; keep only cleanup in `finally`"
        )
    };
    (
        format!("{outcome}; Python 3.14 warns about this (PEP 765)"),
        help,
    )
}
