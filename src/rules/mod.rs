//! One module per rule; the registry (`crate::registry`) lists them.

pub mod assert_for_validation;
pub mod bare_except;
pub mod bool_comparison;
pub mod call_in_default_arg;
pub mod eq_overload;
pub mod is_literal;
pub mod lambda_assignment;
pub mod late_binding_closure;
pub mod list_comprehension_in_reducer;
pub mod list_membership_in_loop;
pub mod list_pop_front;
pub mod missing_functools_wraps;
pub mod modify_while_iterating;
pub mod mutable_default_arg;
pub mod none_comparison;
pub mod python2_leftover;
pub mod shallow_copy_grid;
pub mod string_concat_in_loop;
pub mod syntax_error;
pub mod truthy_none_trap;
pub mod type_comparison;
pub mod unbound_local;
pub mod unhashable_literal_key;
pub mod unused_noqa;
