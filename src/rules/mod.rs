//! One module per rule; the registry (`crate::registry`) lists them.

pub mod assert_for_validation;
pub mod bare_except;
pub mod late_binding_closure;
pub mod mutable_default_arg;
pub mod none_comparison;
pub mod syntax_error;
