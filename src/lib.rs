//! pitfall: finds the Python pitfalls that bite working developers, and explains them.

pub mod ast;
pub mod cache;
pub mod checker;
pub mod cli;
pub mod config;
pub mod discovery;
pub mod explain;
pub mod finding;
pub mod fix;
pub mod noqa;
pub mod paths;
pub mod project;
pub mod registry;
pub mod render;
pub mod rule;
pub mod rules;
pub mod server;
pub mod site;
pub mod source;
