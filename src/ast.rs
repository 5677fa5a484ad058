//! The one place that knows which parser pitfall uses.
//!
//! Rules import syntax-tree types from here (`crate::ast::...`), so moving to a newer
//! `ruff_python_parser` release means touching this module, not every rule.

pub use ruff_python_ast::visitor::source_order::{self, SourceOrderVisitor, TraversalSignal};
pub use ruff_python_ast::*;
pub use ruff_text_size::{Ranged, TextRange, TextSize};

use ruff_python_ast::token::TokenKind;

/// A syntax error reported by the parser, with its location.
#[derive(Debug, Clone)]
pub struct SyntaxIssue {
    pub message: String,
    pub range: TextRange,
}

/// What pitfall keeps of a parse: the (possibly error-recovered) tree, the syntax
/// errors, and where the comments are (for `# noqa`). Tokens are not kept: they are
/// the largest part of a parse and nothing after noqa extraction needs them.
pub struct ParsedModule {
    pub module: ModModule,
    pub errors: Vec<SyntaxIssue>,
    pub comments: Vec<TextRange>,
}

/// Parses `source`, recovering from syntax errors so that the rest of the file can
/// still be checked. `is_stub` selects `.pyi` grammar.
pub fn parse(source: &str, is_stub: bool) -> ParsedModule {
    let source_type = if is_stub {
        PySourceType::Stub
    } else {
        PySourceType::Python
    };
    let parsed = ruff_python_parser::parse_unchecked_source(source, source_type);
    let comments = parsed
        .tokens()
        .iter()
        .filter(|token| token.kind() == TokenKind::Comment)
        .map(Ranged::range)
        .collect();
    let errors = parsed
        .errors()
        .iter()
        .map(|error| SyntaxIssue {
            message: error.error.to_string(),
            range: error.location,
        })
        .collect();
    ParsedModule {
        module: parsed.into_syntax(),
        errors,
        comments,
    }
}
