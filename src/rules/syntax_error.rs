//! PF000: the parser could not read part of the file.
//!
//! Produced by the checker from the parser's errors (and for code nested too deeply to
//! check), not by walking the tree, so it asks for no node kinds.

use crate::ast::{AnyNodeRef, NodeKind};
use crate::checker::Context;
use crate::rule::{FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static SYNTAX_ERROR: RuleMeta = RuleMeta {
    code: "PF000",
    name: "syntax-error",
    summary: "the file is not valid Python, so part of it cannot be checked",
    severity: Severity::Error,
    topic: Topic::Syntax,
    doc: include_str!("../../rules/syntax-error.md"),
    fix: FixAvailability::None,
    equivalents: &[
        crate::rule::Equivalent {
            tool: "flake8",
            code: "E999",
            name: "syntax-error",
        },
        crate::rule::Equivalent {
            tool: "pylint",
            code: "E0001",
            name: "syntax-error",
        },
    ],
};

pub struct SyntaxError;

impl Rule for SyntaxError {
    fn meta(&self) -> &'static RuleMeta {
        &SYNTAX_ERROR
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[]
    }

    fn check<'a>(&self, _node: AnyNodeRef<'a>, _ctx: &Context<'a>, _report: &mut Report) {}
}
