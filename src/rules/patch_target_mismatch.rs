//! PF802: `mock.patch("pkg.mod.name")` where the code under test did
//! `from pkg.mod import name`, so the patch never reaches it.
//!
//! A project-wide rule: it needs the test's and the tested module's imports, so it runs
//! in the project phase (`crate::project`) and asks for no node kinds.

use crate::ast::{AnyNodeRef, NodeKind};
use crate::checker::Context;
use crate::rule::{FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF802",
    name: "patch-target-mismatch",
    summary: "a mock patches a name where it is defined, but the code under test imported its own reference",
    severity: Severity::Error,
    topic: Topic::ProjectWide,
    doc: include_str!("../../rules/patch-target-mismatch.md"),
    fix: FixAvailability::None,
    equivalents: &[],
};

pub struct PatchTargetMismatch;

impl Rule for PatchTargetMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[]
    }

    fn check<'a>(&self, _node: AnyNodeRef<'a>, _ctx: &Context<'a>, _report: &mut Report) {}
}
