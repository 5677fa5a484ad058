//! PF302: placeholder, being written.

use crate::ast::{AnyNodeRef, NodeKind};
use crate::checker::Context;
use crate::rule::{FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF302",
    name: "late-binding-closure",
    summary: "placeholder",
    severity: Severity::Warning,
    topic: Topic::Functions,
    doc: include_str!("../../rules/late-binding-closure.md"),
    fix: FixAvailability::None,
    equivalents: &[],
};

pub struct LateBindingClosure;

impl Rule for LateBindingClosure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[]
    }

    fn check<'a>(&self, _node: AnyNodeRef<'a>, _ctx: &Context<'a>, _report: &mut Report) {}
}
