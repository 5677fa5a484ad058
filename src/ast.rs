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

/// Parses `source` for no particular Python version (see [`parse_for`]).
pub fn parse(source: &str, is_stub: bool) -> ParsedModule {
    parse_for(source, is_stub, None)
}

/// Parses `source`, recovering from syntax errors so that the rest of the file can
/// still be checked. `is_stub` selects `.pyi` grammar. With a `target` version, syntax
/// that needs a newer Python (a `match` on 3.9, say) is reported as an error too.
pub fn parse_for(source: &str, is_stub: bool, target: Option<PythonVersion>) -> ParsedModule {
    let source_type = if is_stub {
        PySourceType::Stub
    } else {
        PySourceType::Python
    };
    let mut options = ruff_python_parser::ParseOptions::from(source_type);
    if let Some(version) = target {
        options = options.with_target_version(version);
    }
    let parsed = ruff_python_parser::parse_unchecked(source, options);
    let comments = parsed
        .tokens()
        .iter()
        .filter(|token| token.kind() == TokenKind::Comment)
        .map(Ranged::range)
        .collect();
    let mut errors: Vec<SyntaxIssue> = parsed
        .errors()
        .iter()
        .map(|error| SyntaxIssue {
            message: error.error.to_string(),
            range: error.location,
        })
        .collect();
    if target.is_some() {
        errors.extend(
            parsed
                .unsupported_syntax_errors()
                .iter()
                .map(|error| SyntaxIssue {
                    message: error.to_string(),
                    range: error.range,
                }),
        );
    }
    let module = match parsed.into_syntax() {
        Mod::Module(module) => module,
        // A source type always parses to a module; an expression is impossible here.
        Mod::Expression(expression) => ModModule {
            range: expression.range,
            node_index: expression.node_index,
            body: Default::default(),
        },
    };
    ParsedModule {
        module,
        errors,
        comments,
    }
}
