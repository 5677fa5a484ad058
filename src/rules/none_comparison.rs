//! PF101: placeholder, being written.

use crate::ast::{AnyNodeRef, NodeKind};
use crate::checker::Context;
use crate::rule::{FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF101",
    name: "none-comparison",
    summary: "placeholder",
    severity: Severity::Warning,
    topic: Topic::LanguageBasics,
    doc: include_str!("../../rules/none-comparison.md"),
    fix: FixAvailability::None,
    equivalents: &[],
};

pub struct NoneComparison;

impl Rule for NoneComparison {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[]
    }

    fn check<'a>(&self, _node: AnyNodeRef<'a>, _ctx: &Context<'a>, _report: &mut Report) {}
}
