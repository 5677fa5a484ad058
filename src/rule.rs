//! What a rule is: static metadata plus a `check` that looks at one node at a time.

use crate::ast::{AnyNodeRef, NodeKind, TextRange};
use crate::checker::Context;

/// How bad a finding is. Ordered from most to least severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The part of the language a pitfall belongs to; it also fixes the code's hundreds digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Topic {
    Syntax,
    LanguageBasics,
    DataStructures,
    Functions,
    Classes,
    IterationAndResources,
    Concurrency,
    ErrorsAndTesting,
    ProjectWide,
    Suppressions,
}

impl Topic {
    pub fn title(self) -> &'static str {
        match self {
            Topic::Syntax => "Syntax",
            Topic::LanguageBasics => "Language basics",
            Topic::DataStructures => "Data structures",
            Topic::Functions => "Functions",
            Topic::Classes => "Classes and objects",
            Topic::IterationAndResources => "Iteration and resources",
            Topic::Concurrency => "Concurrency",
            Topic::ErrorsAndTesting => "Errors and testing",
            Topic::ProjectWide => "Project-wide",
            Topic::Suppressions => "Suppressions",
        }
    }

    /// The code prefix every rule of this topic carries (`PF3` for functions).
    pub fn code_prefix(self) -> &'static str {
        match self {
            Topic::Syntax => "PF0",
            Topic::LanguageBasics => "PF1",
            Topic::DataStructures => "PF2",
            Topic::Functions => "PF3",
            Topic::Classes => "PF4",
            Topic::IterationAndResources => "PF5",
            Topic::Concurrency => "PF6",
            Topic::ErrorsAndTesting => "PF7",
            Topic::ProjectWide => "PF8",
            Topic::Suppressions => "PF9",
        }
    }
}

/// Another linter's code for (roughly) the same pitfall, e.g. ruff's `B006`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Equivalent {
    pub tool: &'static str,
    pub code: &'static str,
    pub name: &'static str,
}

/// Whether the rule can offer an automatic fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

/// Everything about a rule that does not depend on the code being checked.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    /// One line, lower case, no trailing period.
    pub summary: &'static str,
    pub severity: Severity,
    pub topic: Topic,
    /// The Markdown doc in `rules/NAME.md`, embedded at build time.
    pub doc: &'static str,
    pub fix: FixAvailability,
    pub equivalents: &'static [Equivalent],
}

impl RuleMeta {
    /// Whether `selector` (a code or a kebab-case name, any case) names this rule.
    pub fn is_named(&self, selector: &str) -> bool {
        self.code.eq_ignore_ascii_case(selector) || self.name.eq_ignore_ascii_case(selector)
    }
}

/// One problem found by a rule, before it is placed in a file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static RuleMeta,
    pub range: TextRange,
    pub message: String,
    pub help: Option<String>,
    /// The rule's default severity unless the rule saw evidence to raise or lower it.
    pub severity: Severity,
    /// An automatic fix, when the rule can offer one.
    pub fix: Option<Fix>,
}

/// Whether a fix keeps the program's meaning (`Safe`) or may change it (`Unsafe`).
/// A `DisplayOnly` fix is a concrete suggestion for the reader (teach mode shows it as
/// before/after lines); it is never applied, because it needs a human decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    DisplayOnly,
    Unsafe,
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

/// One replacement of a byte range of the decoded source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub content: String,
}

impl Edit {
    pub fn replace(range: TextRange, content: impl Into<String>) -> Self {
        Edit {
            range,
            content: content.into(),
        }
    }
}

/// An automatic fix: edits applied together, or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, in a few words (`use \`is None\``).
    pub message: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix {
            applicability: Applicability::Safe,
            message: message.into(),
            edits,
        }
    }

    pub fn unsafe_(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix {
            applicability: Applicability::Unsafe,
            message: message.into(),
            edits,
        }
    }
}

impl Fix {
    /// A suggestion shown to the reader, never applied by `--fix`.
    pub fn display_only(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix {
            applicability: Applicability::DisplayOnly,
            message: message.into(),
            edits,
        }
    }
}

impl Diagnostic {
    /// Attaches a fix to this finding.
    pub fn set_fix(&mut self, fix: Fix) -> &mut Self {
        self.fix = Some(fix);
        self
    }
}

/// Collects the diagnostics of the rule currently being run.
pub struct Report {
    pub(crate) rule: &'static RuleMeta,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Where the current rule's findings start: the walker keeps one report for all
    /// rules (no allocation per call), so earlier findings may be other rules'.
    start: usize,
}

impl Report {
    pub fn new(rule: &'static RuleMeta) -> Self {
        Report {
            rule,
            diagnostics: Vec::new(),
            start: 0,
        }
    }

    /// Hands the report to `rule` for its next findings.
    #[inline]
    pub(crate) fn switch_to(&mut self, rule: &'static RuleMeta) {
        self.rule = rule;
        self.start = self.diagnostics.len();
    }

    /// Reports a finding; the returned diagnostic may be adjusted (e.g. its severity).
    pub fn add(
        &mut self,
        range: TextRange,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diagnostics.push(Diagnostic {
            rule: self.rule,
            range,
            message: message.into(),
            help: Some(help.into()),
            severity: self.rule.severity,
            fix: None,
        });
        self.diagnostics.last_mut().expect("just pushed")
    }

    /// Attaches `fix` (a fix, or a display-only suggestion for teach mode) to the
    /// finding reported last, when there is one.
    pub fn attach_to_last(&mut self, fix: Option<Fix>) {
        if self.diagnostics.len() == self.start {
            return;
        }
        if let (Some(diagnostic), Some(fix)) = (self.diagnostics.last_mut(), fix) {
            diagnostic.set_fix(fix);
        }
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}

/// A rule: stateless, told about every node of the kinds it asked for.
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// The node kinds `check` wants to see; the walker sends it nothing else.
    fn kinds(&self) -> &'static [NodeKind];

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report);
}
