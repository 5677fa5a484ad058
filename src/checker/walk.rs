//! The single tree walk: every node goes to the rules that asked for its kind.

use crate::ast::{AnyNodeRef, Ranged, SourceOrderVisitor, TextRange, TraversalSignal};
use crate::checker::Context;
use crate::registry::Dispatch;
use crate::rule::{Diagnostic, Report};

/// Deeper trees are not walked. CPython itself refuses to compile code nested this
/// deeply, and walking (or even dropping) a 100,000-level tree overflows the stack.
pub const MAX_DEPTH: usize = 3000;

pub struct Walker<'a, 'd> {
    pub ctx: Context<'a>,
    dispatch: &'d Dispatch,
    /// Every rule's findings, in one report reused across calls (see `Report::switch_to`).
    report: Report,
    /// Set when the depth limit was hit: where, so it can be reported.
    pub too_deep: Option<TextRange>,
    /// `leave_node` is called for skipped nodes too; this says not to pop for them.
    skipped: bool,
    /// Gathers the file's summary for the project-wide rules, when any is enabled.
    pub summary: Option<crate::project::summary::Collector<'a>>,
    /// The rule told to panic in this file (debug builds only; see `panic_guard`).
    #[cfg(debug_assertions)]
    debug_panic: Option<&'static str>,
}

impl<'a, 'd> Walker<'a, 'd> {
    pub fn new(ctx: Context<'a>, dispatch: &'d Dispatch) -> Self {
        Walker {
            #[cfg(debug_assertions)]
            debug_panic: super::panic_guard::debug_trigger(ctx.source()),
            ctx,
            dispatch,
            report: Report::new(&crate::rules::syntax_error::SYNTAX_ERROR),
            too_deep: None,
            skipped: false,
            summary: None,
        }
    }
}

impl Walker<'_, '_> {
    /// The findings of every rule, once the walk is done.
    pub fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.report.diagnostics)
    }
}

impl<'a> SourceOrderVisitor<'a> for Walker<'a, '_> {
    fn enter_node(&mut self, node: AnyNodeRef<'a>) -> TraversalSignal {
        if self.ctx.parents.len() >= MAX_DEPTH {
            self.too_deep.get_or_insert(node.range());
            self.skipped = true;
            return TraversalSignal::Skip;
        }
        for rule in self.dispatch.rules_for(node.kind()) {
            let meta = rule.meta();
            self.report.switch_to(meta);
            super::panic_guard::in_rule(meta, || {
                #[cfg(debug_assertions)]
                if self.debug_panic == Some(meta.name) {
                    panic!("debug panic requested by PITFALL_DEBUG_PANIC");
                }
                rule.check(node, &self.ctx, &mut self.report);
            });
        }
        if let Some(summary) = &mut self.summary {
            summary.visit(node, &self.ctx);
        }
        self.ctx.parents.push(node);
        TraversalSignal::Traverse
    }

    fn leave_node(&mut self, _node: AnyNodeRef<'a>) {
        if std::mem::take(&mut self.skipped) {
            return;
        }
        self.ctx.parents.pop();
    }
}
