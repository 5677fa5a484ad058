//! PF801: import cycles that fail at import time.
//!
//! A project-wide rule: it needs every file's imports, so it runs in the project phase
//! (`crate::project`) on the summaries the walk gathered, and asks for no node kinds.

use crate::ast::{AnyNodeRef, NodeKind};
use crate::checker::Context;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF801",
    name: "circular-import",
    summary: "an import cycle where a module takes a name from a half-run module before that module defines it",
    severity: Severity::Warning,
    topic: Topic::ProjectWide,
    doc: include_str!("../../rules/circular-import.md"),
    fix: FixAvailability::None,
    equivalents: &[Equivalent {
        tool: "pylint",
        code: "R0401",
        name: "cyclic-import",
    }],
};

pub struct CircularImport;

impl Rule for CircularImport {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[]
    }

    fn check<'a>(&self, _node: AnyNodeRef<'a>, _ctx: &Context<'a>, _report: &mut Report) {}
}
