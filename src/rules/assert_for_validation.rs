//! PF703: placeholder, being written.

use crate::ast::{AnyNodeRef, NodeKind};
use crate::checker::Context;
use crate::rule::{FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF703",
    name: "assert-for-validation",
    summary: "placeholder",
    severity: Severity::Warning,
    topic: Topic::ErrorsAndTesting,
    doc: include_str!("../../rules/assert-for-validation.md"),
    fix: FixAvailability::None,
    equivalents: &[],
};

pub struct AssertForValidation;

impl Rule for AssertForValidation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[]
    }

    fn check<'a>(&self, _node: AnyNodeRef<'a>, _ctx: &Context<'a>, _report: &mut Report) {}
}
