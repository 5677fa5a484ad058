//! Bounded walks inside one node, for rules that must look at a whole subtree (the
//! names a lambda body reads, the statements of a handler). Depth is capped like the
//! main walk's, so a pathological tree cannot overflow the stack here either.

use crate::ast::{self, AnyNodeRef, SourceOrderVisitor, TraversalSignal};
use crate::checker::MAX_DEPTH;

struct Bounded<F> {
    visit: F,
    depth: usize,
    skipped: bool,
}

impl<'a, F> SourceOrderVisitor<'a> for Bounded<F>
where
    F: FnMut(AnyNodeRef<'a>) -> bool,
{
    fn enter_node(&mut self, node: AnyNodeRef<'a>) -> TraversalSignal {
        if self.depth >= MAX_DEPTH || !(self.visit)(node) {
            self.skipped = true;
            return TraversalSignal::Skip;
        }
        self.depth += 1;
        TraversalSignal::Traverse
    }

    fn leave_node(&mut self, _node: AnyNodeRef<'a>) {
        if !std::mem::take(&mut self.skipped) {
            self.depth -= 1;
        }
    }
}

/// Whether some node in `body`, outside nested functions, classes and lambdas, matches
/// `found` (a `return` with a value, a `raise`, ...).
pub fn any_in_scope<'a>(body: &'a [ast::Stmt], found: impl Fn(AnyNodeRef<'a>) -> bool) -> bool {
    let mut hit = false;
    for stmt in body {
        for_each_node(stmt.into(), |node| {
            hit |= found(node);
            !hit && !matches!(
                node,
                AnyNodeRef::StmtFunctionDef(_)
                    | AnyNodeRef::StmtClassDef(_)
                    | AnyNodeRef::ExprLambda(_)
            )
        });
    }
    hit
}

/// Calls `visit` on `root` and every node below it, in source order. Returning `false`
/// from `visit` skips that node's children (e.g. to stay out of nested functions).
pub fn for_each_node<'a>(root: AnyNodeRef<'a>, visit: impl FnMut(AnyNodeRef<'a>) -> bool) {
    let mut walker = Bounded {
        visit,
        depth: 0,
        skipped: false,
    };
    ast::source_order::walk_node(&mut walker, root);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_in_source_order_and_can_prune() {
        let parsed = crate::ast::parse("f(a, lambda: b)\nc\n", false);
        let mut names = Vec::new();
        for_each_node(AnyNodeRef::from(&parsed.module), |node| {
            if let AnyNodeRef::ExprName(name) = node {
                names.push(name.id.to_string());
            }
            !matches!(node, AnyNodeRef::ExprLambda(_))
        });
        assert_eq!(names, ["f", "a", "c"]);
    }
}
