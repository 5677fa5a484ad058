//! One finding per loop and variable for the rules that report a costly operation
//! repeated by a loop (list-pop-front, list-membership-in-loop, string-concat-in-loop).
//!
//! A loop that pops the front of `parts` in four places, tests against `known` in three
//! branches, or adds to `html` in six, is one quadratic loop with one fix (a deque, a
//! set built once, a list of pieces joined once); a finding per line would only repeat
//! it. The walk visits a file's nodes in
//! source order, so the first operation reported in a loop is the one shown.

use crate::ast::{AnyNodeRef, Ranged, TextSize};
use crate::checker::Context;
use std::cell::RefCell;
use std::collections::HashSet;

/// The (rule, loop start, variable) triples already reported in this file.
#[derive(Default)]
struct Reported(RefCell<HashSet<(&'static str, TextSize, String)>>);

/// Whether `rule` has not yet reported `variable` (as written, `self.parts`) in
/// `repeating`, the loop that repeats the operation; records it when not.
pub fn first_in_loop(
    rule: &'static str,
    repeating: AnyNodeRef,
    variable: &str,
    ctx: &Context,
) -> bool {
    ctx.memo(Reported::default).0.borrow_mut().insert((
        rule,
        repeating.start(),
        variable.to_owned(),
    ))
}
