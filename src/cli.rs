//! Command-line interface: argument parsing and the `check`, `explain` and `rules` commands.

use std::collections::HashMap;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use rayon::prelude::*;

use crate::checker::{self, FileResult};
use crate::config::{ConfigError, Overrides, Resolver, Settings};
use crate::finding::Finding;
use crate::registry;
use crate::render::{self, OutputFormat, Style};

/// Worker threads get a large stack: deeply nested (but still accepted) code recurses
/// in the walker. Untouched stack pages are never committed, so this costs nothing.
pub(crate) const WORKER_STACK_BYTES: usize = 64 * 1024 * 1024;

#[derive(Parser, Debug)]
#[command(
    name = "pitfall",
    version,
    about = "Finds the Python pitfalls that bite working developers, and explains them"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check Python files for pitfalls.
    Check(Box<CheckArgs>),
    /// Print the documentation of a rule, given its code or name.
    Explain {
        /// A rule code (`PF301`) or name (`mutable-default-arg`).
        rule: String,
        /// `terminal` (rendered; plain text when piped) or `markdown` (the doc's source).
        #[arg(long, value_enum, default_value_t = crate::explain::ExplainFormat::Terminal)]
        format: crate::explain::ExplainFormat,
        /// When to colour the output.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Never colour the output (as `--color never`).
        #[arg(long)]
        no_color: bool,
    },
    /// Write the rule reference as a static HTML site (an index and a page per rule).
    Docs {
        /// The directory to write the site into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// List every rule with its code, name and summary.
    Rules {
        /// `text` (grouped by topic) or `json` (for tools).
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        output_format: RulesFormat,
    },
    /// Run the language server (LSP over standard input and output), for editors.
    Server,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum RulesFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// Files or directories to check; `-` reads source from standard input.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,

    /// Output format [default: full on a terminal, concise otherwise].
    #[arg(long, value_enum)]
    output_format: Option<OutputFormat>,

    /// Name of the file whose contents arrive on standard input (with `-`).
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,

    /// Number of worker threads [default: one per core].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// Exit with status 0 even when there are findings or unreadable files (bad
    /// arguments and bad configuration still exit 2).
    #[arg(long)]
    exit_zero: bool,

    /// Print a count of findings per rule instead of the findings.
    #[arg(long)]
    statistics: bool,

    /// Print only the findings: no summary line.
    #[arg(long, short)]
    quiet: bool,

    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    /// Never colour the output (as `--color never`; `NO_COLOR` is honoured too).
    #[arg(long)]
    no_color: bool,

    /// Check every file afresh: neither read nor write the results cache.
    #[arg(long)]
    no_cache: bool,

    /// Where to keep the results cache [default: `.pitfall_cache` next to the config
    /// file, or in the working directory].
    #[arg(long, value_name = "PATH")]
    cache_dir: Option<PathBuf>,

    /// Rules to check, replacing the config's `select`: codes, code prefixes (`PF3`),
    /// names, or `ALL`; comma-separated or repeated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Option<Vec<String>>,

    /// Rules to check in addition to the selected ones.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    extend_select: Vec<String>,

    /// Rules not to check.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,

    /// Use this config file (`pitfall.toml` or `pyproject.toml`) for every file.
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    config: Option<PathBuf>,

    /// Also report `# noqa` comments that suppress nothing (rule PF900).
    #[arg(long)]
    show_unused_noqa: bool,

    /// Apply `exclude` to files named on the command line too (for pre-commit).
    #[arg(long)]
    force_exclude: bool,

    /// Ignore every config file.
    #[arg(long)]
    isolated: bool,

    /// The oldest Python version the code must run on (`py38` … `py314`).
    #[arg(long, value_name = "VERSION")]
    target_version: Option<String>,

    /// Report only findings at least this severe [default: warning; `info` shows the
    /// findings an intent comment lowered too].
    #[arg(long, value_name = "SEVERITY", value_parser = ["error", "warning", "info"])]
    min_severity: Option<String>,

    /// Apply the safe fixes in place (with `-`, print the fixed source to stdout).
    #[arg(long)]
    fix: bool,

    /// Apply the unsafe fixes too (with `--fix` or `--diff`).
    #[arg(long)]
    unsafe_fixes: bool,

    /// Print a unified diff of the fixes instead of writing them; exit 1 if there is one.
    #[arg(long)]
    diff: bool,

    /// Teach mode: under each finding, why the pitfall bites and the fix for your code.
    #[arg(long)]
    explain: bool,
    /// Only read, decode and parse the files: no rules, no findings. For measuring
    /// the parser's floor side by side with a full run (`bench/`).
    #[arg(long, hide = true)]
    parse_only: bool,
    /// Run the per-file rules only: no summaries, no project phase. For measuring
    /// what the project phase costs (`bench/`).
    #[arg(long, hide = true)]
    no_project: bool,
}

/// What fixing a file produced, besides its remaining findings.
#[derive(Default)]
struct FixOutcome {
    count: usize,
    diff: String,
    notes: Vec<String>,
    error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ColorChoice {
    /// Colour on a terminal unless `NO_COLOR` is set.
    Auto,
    Always,
    Never,
}

/// Runs the program with the process arguments and returns its exit status:
/// 0 no findings, 1 findings, 2 an error.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // Help and version are not errors; everything else clap rejects is.
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Check(args) => run_check(*args),
        Command::Explain {
            rule,
            format,
            color,
            no_color,
        } => explain(&rule, format, color, no_color),
        Command::Docs { out } => crate::site::run(&out),
        Command::Rules { output_format } => list_rules(output_format),
        Command::Server => crate::server::run(),
    }
}

fn explain(
    selector: &str,
    format: crate::explain::ExplainFormat,
    color: ColorChoice,
    no_color: bool,
) -> ExitCode {
    let color = match (no_color, color) {
        (true, _) | (false, ColorChoice::Never) => Some(false),
        (false, ColorChoice::Always) => Some(true),
        (false, ColorChoice::Auto) => None,
    };
    match registry::find(selector) {
        Some(rule) => crate::explain::run(rule.meta(), format, color),
        None => {
            eprintln!("error: no rule named `{selector}`{}", suggestion(selector));
            ExitCode::from(2)
        }
    }
}

/// ` (did you mean `x`?)` for the closest rule name or code, when one is close.
fn suggestion(selector: &str) -> String {
    match registry::suggest(selector) {
        Some(near) => format!(" (did you mean `{near}`?); `pitfall rules` lists them all"),
        None => "; `pitfall rules` lists them all".to_owned(),
    }
}

fn list_rules(format: RulesFormat) -> ExitCode {
    let mut out = io::stdout().lock();
    let written = match format {
        RulesFormat::Json => {
            let rules: Vec<serde_json::Value> = registry::all_meta()
                .map(|meta| {
                    serde_json::json!({
                        "code": meta.code,
                        "name": meta.name,
                        "topic": meta.topic.title(),
                        "severity": meta.severity.as_str(),
                        "fixable": meta.fix != crate::rule::FixAvailability::None,
                        "summary": meta.summary,
                        "equivalents": meta.equivalents.iter().map(|eq| serde_json::json!({
                            "tool": eq.tool, "code": eq.code, "name": eq.name,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &rules)
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out))
        }
        RulesFormat::Text => {
            let width = registry::all_meta()
                .map(|m| m.name.len())
                .max()
                .unwrap_or(0);
            let mut topic = None;
            registry::all_meta().try_for_each(|meta| {
                if topic != Some(meta.topic) {
                    let gap = if topic.is_some() { "\n" } else { "" };
                    writeln!(out, "{gap}{}", meta.topic.title())?;
                    topic = Some(meta.topic);
                }
                let fix = match meta.fix {
                    crate::rule::FixAvailability::None => "",
                    _ => "fix",
                };
                let also: Vec<String> = meta
                    .equivalents
                    .iter()
                    .map(|eq| format!("{} {}", eq.tool, eq.code))
                    .collect();
                let also = if also.is_empty() {
                    String::new()
                } else {
                    format!(" (also: {})", also.join(", "))
                };
                writeln!(
                    out,
                    "  {}  {:<width$}  {:<7}  {:<3}  {}{also}",
                    meta.code,
                    meta.name,
                    meta.severity.as_str(),
                    fix,
                    meta.summary
                )
            })
        }
    };
    match written {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the output: {error}");
            ExitCode::from(2)
        }
        _ => ExitCode::SUCCESS,
    }
}

fn run_check(args: CheckArgs) -> ExitCode {
    let mut builder = rayon::ThreadPoolBuilder::new().stack_size(WORKER_STACK_BYTES);
    if let Some(threads) = args.threads {
        builder = builder.num_threads(threads.max(1));
    }
    let pool = match builder.build() {
        Ok(pool) => pool,
        Err(error) => {
            eprintln!("error: cannot start worker threads: {error}");
            return ExitCode::from(2);
        }
    };
    let stdout_is_terminal = io::stdout().is_terminal();
    let format = args.output_format.unwrap_or(if stdout_is_terminal {
        OutputFormat::Full
    } else {
        OutputFormat::Concise
    });
    if args.explain && !matches!(format, OutputFormat::Full | OutputFormat::Concise) {
        eprintln!("error: --explain (teach mode) works with the full and concise output formats");
        return ExitCode::from(2);
    }
    let keep_source = format == OutputFormat::Full || args.explain;
    let overrides = Overrides {
        select: args.select.clone(),
        extend_select: args
            .extend_select
            .iter()
            .cloned()
            .chain(args.show_unused_noqa.then(|| "PF900".to_owned()))
            .collect(),
        ignore: args.ignore.clone(),
        target_version: args.target_version.clone(),
        min_severity: args.min_severity.clone(),
        config: args.config.clone(),
        isolated: args.isolated,
        no_project: args.no_project,
    };
    let cache_overrides = overrides.clone();
    let resolver = match Resolver::new(overrides) {
        Ok(resolver) => Arc::new(resolver),
        Err(error) => return config_error(&error),
    };

    let reads_stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    let fix_mode = (args.fix || args.diff).then_some(crate::fix::FixMode {
        unsafe_fixes: args.unsafe_fixes,
    });
    let mut results: Vec<(FileResult, FixOutcome)> = Vec::new();
    let mut stdin_output: Option<Vec<u8>> = None;
    let mut errors: Vec<(PathBuf, String)> = Vec::new();
    // Each checked file with its settings, in `results` order, and their modules, for
    // the project phase (which stdin, a single file, skips).
    let mut files: Vec<(PathBuf, Arc<Settings>)> = Vec::new();
    let mut table = crate::project::ModuleTable::default();
    if reads_stdin {
        if args.paths.len() > 1 {
            eprintln!("error: `-` (standard input) cannot be combined with other paths");
            return ExitCode::from(2);
        }
        let name = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("-"));
        let settings = match resolver.settings_for(&name) {
            Ok(settings) => settings,
            Err(error) => return config_error(&error),
        };
        let (result, outcome, output) = pool.install(|| {
            checker::panic_guard::catch(|| {
                check_stdin(&name, &settings, keep_source, fix_mode, args.diff)
            })
            .unwrap_or_else(|error| {
                (
                    checker::unreadable(&name, error),
                    FixOutcome::default(),
                    None,
                )
            })
        });
        stdin_output = output;
        results.push((result, outcome));
    } else {
        if args.stdin_filename.is_some() {
            eprintln!("error: --stdin-filename needs `-` among the paths");
            return ExitCode::from(2);
        }
        let discovered =
            match crate::discovery::discover(&args.paths, &resolver, args.force_exclude) {
                Ok(discovered) => discovered,
                Err(error) => return config_error(&error),
            };
        errors.extend(discovered.errors);
        files = discovered.files;
        // Named before any file is checked, so that each checking thread resolves its
        // file's imports while the summary is in its cache.
        table = pool.install(|| crate::project::ModuleTable::new(&files, &args.paths));
        // Fixing rewrites files, so its results are never cached (see `cache`).
        let cache = (fix_mode.is_none() && !args.no_cache)
            .then(|| {
                let dir = args
                    .cache_dir
                    .clone()
                    .unwrap_or_else(|| crate::cache::default_dir(&resolver));
                let settings = files.iter().map(|(_, settings)| settings);
                crate::cache::Cache::load(dir, &cache_overrides, settings)
            })
            .flatten();
        results = pool.install(|| {
            files
                .par_iter()
                .enumerate()
                .map(|(file, (path, settings))| {
                    // A panic in one file is that file's error; the others go on.
                    checker::panic_guard::catch(|| {
                        let (mut result, outcome) = match (fix_mode, &cache) {
                            _ if args.parse_only => {
                                (parse_only(path, settings), FixOutcome::default())
                            }
                            (Some(mode), _) => {
                                fix_path(path, settings, keep_source, mode, args.diff)
                            }
                            (None, Some(cache)) => (
                                cache.check_path(path, settings, keep_source),
                                FixOutcome::default(),
                            ),
                            (None, None) => (
                                checker::check_path(path, settings, keep_source),
                                FixOutcome::default(),
                            ),
                        };
                        table.link(file, &mut result);
                        (result, outcome)
                    })
                    .unwrap_or_else(|error| {
                        (checker::unreadable(path, error), FixOutcome::default())
                    })
                })
                .collect()
        });
        if let Some(cache) = cache {
            cache.persist();
        }
    }
    let mut fixed = 0;
    let mut diffs = String::new();
    let mut stdin_fixed: Option<Vec<u8>> = None;
    let results: Vec<FileResult> = results
        .into_iter()
        .map(|(result, outcome)| {
            fixed += outcome.count;
            diffs.push_str(&outcome.diff);
            for note in outcome.notes {
                eprintln!("warning: {}: {note}", result.path.display());
            }
            if let Some(error) = outcome.error {
                errors.push((result.path.clone(), error));
            }
            result
        })
        .collect();
    if reads_stdin && args.fix && !args.diff {
        stdin_fixed = stdin_output.take();
    }
    let mut results = results;
    let project_findings = pool.install(|| crate::project::run(&results, &files, &table));
    // The process ends right after the report: freeing thousands of small summaries
    // would only delay it.
    for result in &mut results {
        std::mem::forget(result.summary.take());
    }

    let mut findings: Vec<Finding> = Vec::new();
    let mut sources: HashMap<PathBuf, Arc<str>> = HashMap::new();
    for result in results {
        if let Some(error) = result.error {
            errors.push((result.path, error));
            continue;
        }
        if let Some(source) = result.source {
            sources.insert(result.path.clone(), Arc::from(source));
        }
        findings.extend(result.findings);
    }
    if keep_source {
        crate::project::add_sources(&project_findings, &mut sources);
    }
    findings.extend(project_findings);
    findings.sort();
    errors.sort();

    let color = match (args.no_color, args.color) {
        (true, _) | (false, ColorChoice::Never) => false,
        (false, ColorChoice::Always) => true,
        (false, ColorChoice::Auto) => {
            stdout_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let style = Style {
        color,
        links: stdout_is_terminal && supports_hyperlinks(),
        width: terminal_width(),
        teach: args.explain,
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = if args.diff {
        out.write_all(diffs.as_bytes())
    } else if let Some(fixed_source) = &stdin_fixed {
        // stdout carries the fixed source; the remaining findings go to stderr.
        let mut err = io::stderr().lock();
        render::write(&mut err, format, &findings, &sources, style)
            .and_then(|()| out.write_all(fixed_source))
    } else if args.statistics {
        render::write_statistics(&mut out, &findings)
    } else {
        render::write(&mut out, format, &findings, &sources, style)
    }
    .and_then(|()| out.flush());
    // A closed pipe (`pitfall check | head`) is the reader's choice, not an error.
    if let Err(error) = written
        && error.kind() != io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write the output: {error}");
        return ExitCode::from(2);
    }
    drop(out);

    for (path, reason) in &errors {
        eprintln!("error: {}: {reason}", path.display());
    }
    let human = matches!(
        format,
        OutputFormat::Full | OutputFormat::Concise | OutputFormat::Grouped
    );
    if args.diff {
        if !args.quiet && fixed > 0 {
            eprintln!("Would fix {}.", pitfalls(fixed));
        }
        return if !errors.is_empty() {
            ExitCode::from(2)
        } else if diffs.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
    }
    if human && !args.quiet {
        print_summary(&findings, errors.len());
    }
    if args.fix && !args.quiet && fixed > 0 {
        eprintln!("Fixed {}.", pitfalls(fixed));
    }
    if args.exit_zero {
        // Unreadable files are still reported on stderr, but, as with ruff (which
        // reports them as E902 findings), `--exit-zero` means the run never fails.
        ExitCode::SUCCESS
    } else if !errors.is_empty() {
        ExitCode::from(2)
    } else if !findings.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Reports a configuration error with the offending part of the file, and exits 2.
fn config_error(error: &ConfigError) -> ExitCode {
    let report = match &error.source {
        Some((text, range)) => {
            let name = error
                .file
                .as_ref()
                .map_or_else(String::new, |f| f.display().to_string());
            let mut diagnostic = miette::MietteDiagnostic::new(error.message.clone())
                .with_code("pitfall::config")
                .with_label(miette::LabeledSpan::at(range.clone(), "here"));
            if let Some(help) = &error.help {
                diagnostic = diagnostic.with_help(help.clone());
            }
            miette::Report::new(diagnostic)
                .with_source_code(miette::NamedSource::new(name, text.to_string()))
        }
        None => {
            let mut diagnostic =
                miette::MietteDiagnostic::new(error.to_string()).with_code("pitfall::config");
            if let Some(help) = &error.help {
                diagnostic = diagnostic.with_help(help.clone());
            }
            miette::Report::new(diagnostic)
        }
    };
    eprintln!(
        "error: invalid configuration{}",
        error
            .file
            .as_ref()
            .map_or_else(String::new, |f| format!(" in {}", f.display()))
    );
    eprintln!("{report:?}");
    ExitCode::from(2)
}

fn pitfalls(n: usize) -> String {
    format!("{n} pitfall{}", if n == 1 { "" } else { "s" })
}

/// Reads and parses the file at `path`, dropping the tree: the cost every check pays
/// before any rule runs.
fn parse_only(path: &Path, settings: &Settings) -> FileResult {
    let text = match checker::read_source(path) {
        Ok(text) => text,
        Err(error) => return checker::unreadable(path, error),
    };
    let is_stub = path.extension().is_some_and(|ext| ext == "pyi");
    let parsed = crate::ast::parse_for(&text, is_stub, settings.target_version);
    std::hint::black_box(&parsed);
    FileResult {
        path: path.to_owned(),
        findings: Vec::new(),
        error: None,
        source: None,
        summary: None,
    }
}

/// Checks and fixes the file at `path`: writes the fixed text in place, or (with
/// `diff`) only computes the diff.
fn fix_path(
    path: &Path,
    settings: &Settings,
    keep_source: bool,
    mode: crate::fix::FixMode,
    diff: bool,
) -> (FileResult, FixOutcome) {
    let text = match checker::read_source(path) {
        Ok(text) => text,
        Err(error) => return (checker::unreadable(path, error), FixOutcome::default()),
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            return (
                checker::unreadable(path, error.to_string()),
                FixOutcome::default(),
            );
        }
    };
    let (result, outcome, _) =
        fix_text(path, &bytes, text, settings, keep_source, mode, diff, true);
    (result, outcome)
}

#[allow(clippy::too_many_arguments)]
/// Fixes decoded `text` whose raw bytes are `bytes`. Returns the remaining findings,
/// the outcome and the bytes to print (for stdin). Files are written unless `diff`.
fn fix_text(
    path: &Path,
    bytes: &[u8],
    text: String,
    settings: &Settings,
    keep_source: bool,
    mode: crate::fix::FixMode,
    diff: bool,
    write: bool,
) -> (FileResult, FixOutcome, Option<Vec<u8>>) {
    let mut outcome = FixOutcome::default();
    let Some(bom) = crate::fix::utf8_layout(bytes, &text) else {
        outcome.notes.push(
            "not fixed: the file is not UTF-8 (a PEP 263 encoding), and pitfall only writes fixes to UTF-8 files"
                .to_owned(),
        );
        let result = checker::check_source(path, text, settings, keep_source);
        return (result, outcome, Some(bytes.to_vec()));
    };
    let fixed = crate::fix::fix_source(path, text.clone(), settings, mode, keep_source);
    if let Some(refused) = fixed.refused {
        outcome.notes.push(refused);
    }
    outcome.count = fixed.count;
    let mut output = Vec::new();
    if bom {
        output.extend_from_slice(b"\xEF\xBB\xBF");
    }
    output.extend_from_slice(fixed.text.as_bytes());
    if fixed.count > 0 {
        if diff {
            outcome.diff = crate::fix::unified_diff(&path.to_string_lossy(), &text, &fixed.text);
        } else if write && let Err(error) = crate::fix::write_atomic(path, &fixed.text, bom) {
            outcome.error = Some(format!("cannot write the fixes: {error}"));
        }
    }
    (fixed.result, outcome, Some(output))
}

fn check_stdin(
    name: &Path,
    settings: &Settings,
    keep_source: bool,
    fix_mode: Option<crate::fix::FixMode>,
    diff: bool,
) -> (FileResult, FixOutcome, Option<Vec<u8>>) {
    let mut bytes = Vec::new();
    if let Err(error) = io::stdin().lock().read_to_end(&mut bytes) {
        let error = format!("cannot read standard input: {error}");
        return (
            checker::unreadable(name, error),
            FixOutcome::default(),
            None,
        );
    }
    let text = match crate::source::decode(bytes.clone()) {
        Ok(text) => text,
        Err(error) => {
            return (
                checker::unreadable(name, error.to_string()),
                FixOutcome::default(),
                None,
            );
        }
    };
    match fix_mode {
        Some(mode) => fix_text(name, &bytes, text, settings, keep_source, mode, diff, false),
        None => (
            checker::check_source(name, text, settings, keep_source),
            FixOutcome::default(),
            None,
        ),
    }
}

fn print_summary(findings: &[Finding], error_count: usize) {
    let mut files: Vec<&Path> = findings.iter().map(|f| f.path.as_path()).collect();
    files.dedup();
    let mut err = io::stderr().lock();
    if findings.is_empty() && error_count == 0 {
        return;
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let _ = write!(
        err,
        "Found {} in {}",
        plural(findings.len(), "pitfall"),
        plural(files.len(), "file")
    );
    if error_count > 0 {
        let _ = write!(
            err,
            "; {} could not be checked",
            plural(error_count, "path")
        );
    }
    let _ = writeln!(err, ".");
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// OSC 8 links are understood by most modern terminals; the common ones announce
/// themselves through these variables. Elsewhere the URL is printed as text.
fn supports_hyperlinks() -> bool {
    if std::env::var_os("FORCE_HYPERLINK").is_some_and(|v| v != "0") {
        return true;
    }
    let term_program = std::env::var("TERM_PROGRAM").unwrap_or_default();
    ["iTerm.app", "WezTerm", "vscode", "ghostty"].contains(&term_program.as_str())
        || std::env::var_os("VTE_VERSION").is_some()
        || std::env::var_os("WT_SESSION").is_some()
        || std::env::var("TERM").is_ok_and(|t| t.contains("kitty") || t == "foot")
}
