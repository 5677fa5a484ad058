//! PF900: a `# noqa: CODE` that suppresses nothing (off unless selected, or with
//! `--show-unused-noqa`).
//!
//! Produced by the checker once every other rule has run and the suppressions are
//! known, so it asks for no node kinds.

use crate::ast::{AnyNodeRef, NodeKind, TextRange};
use crate::checker::Context;
use crate::rule::{Diagnostic, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static UNUSED_NOQA: RuleMeta = RuleMeta {
    code: "PF900",
    name: "unused-noqa",
    summary: "a `# noqa` names a rule that finds nothing on that line",
    severity: Severity::Warning,
    topic: Topic::Suppressions,
    doc: include_str!("../../rules/unused-noqa.md"),
    fix: FixAvailability::None,
    equivalents: &[crate::rule::Equivalent {
        tool: "ruff",
        code: "RUF100",
        name: "unused-noqa",
    }],
};

pub struct UnusedNoqa;

impl Rule for UnusedNoqa {
    fn meta(&self) -> &'static RuleMeta {
        &UNUSED_NOQA
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[]
    }

    fn check<'a>(&self, _node: AnyNodeRef<'a>, _ctx: &Context<'a>, _report: &mut Report) {}
}

/// The finding for `selector` in the `# noqa` comment at `range`.
pub fn diagnostic(range: TextRange, selector: &str) -> Diagnostic {
    Diagnostic {
        rule: &UNUSED_NOQA,
        range,
        message: format!(
            "`# noqa` names `{selector}`, but that rule finds nothing on this line, so the comment silences nothing and would hide a future finding"
        ),
        help: Some(format!(
            "remove `{selector}` from the comment (or the whole comment if nothing is left)"
        )),
        severity: UNUSED_NOQA.severity,
        fix: None,
    }
}
