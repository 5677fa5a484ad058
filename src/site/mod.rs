//! `pitfall docs --out DIR`: the rule reference as a static HTML site.
//!
//! Layout (the default `docs-url` points at it, so a finding's `url` is a page here):
//! `index.html` (rules grouped by topic, with a search box), `rules/NAME.html` (one page
//! per rule, from `rules/NAME.md`), and `assets/` (a stylesheet and the search script).
//! Everything is local: no network, no CDN, and links work from `file://` too.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;
use std::process::ExitCode;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::explain::highlight::{self, escape_html};
use crate::registry;
use crate::rule::{FixAvailability, RuleMeta};

const STYLE: &str = include_str!("assets/style.css");
const SEARCH: &str = include_str!("assets/search.js");

/// Runs `pitfall docs`: 0 when the site is written, 2 when it cannot be.
pub fn run(out: &Path) -> ExitCode {
    match write_site(out) {
        Ok(pages) => {
            eprintln!("Wrote {pages} pages to {}.", out.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: cannot write the site to {}: {error}", out.display());
            ExitCode::from(2)
        }
    }
}

/// Writes the whole site under `out` and returns the number of HTML pages.
pub fn write_site(out: &Path) -> io::Result<usize> {
    fs::create_dir_all(out.join("rules"))?;
    fs::create_dir_all(out.join("assets"))?;
    fs::write(out.join("assets/style.css"), STYLE)?;
    fs::write(out.join("assets/search.js"), SEARCH)?;
    fs::write(out.join("index.html"), index_page())?;
    let mut pages = 1;
    for meta in registry::all_meta() {
        fs::write(
            out.join("rules").join(format!("{}.html", meta.name)),
            rule_page(meta),
        )?;
        pages += 1;
    }
    Ok(pages)
}

fn page(title: &str, root: &str, body: &str, script: bool) -> String {
    let script = if script {
        format!(r#"<script src="{root}assets/search.js"></script>"#)
    } else {
        String::new()
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{root}assets/style.css">
</head>
<body>
<header><a class="home" href="{root}index.html">pitfall</a> <span>rule reference</span></header>
<main>
{body}
</main>
{script}
</body>
</html>
"#,
        title = escape_html(title)
    )
}

fn fixability(meta: &RuleMeta) -> &'static str {
    match meta.fix {
        FixAvailability::None => "no",
        FixAvailability::Sometimes => "sometimes",
        FixAvailability::Always => "yes",
    }
}

fn equivalents(meta: &RuleMeta) -> String {
    meta.equivalents
        .iter()
        .map(|eq| format!("{} {}", eq.tool, eq.code))
        .collect::<Vec<_>>()
        .join(", ")
}

fn index_page() -> String {
    let mut body = String::from(
        r#"<h1>pitfall rules</h1>
<p>Every pitfall that <code>pitfall check</code> finds, grouped by topic. Each page explains why the pattern bites, with an example and its fix.</p>
<input id="search" type="search" placeholder="Search rules: code, name, words, other linters' codes" aria-label="Search rules" autofocus>
<p id="no-match" hidden>No rule matches.</p>
"#,
    );
    let mut topic = None;
    for meta in registry::all_meta() {
        if topic != Some(meta.topic) {
            if topic.is_some() {
                body.push_str("</tbody></table></section>\n");
            }
            topic = Some(meta.topic);
            let _ = write!(
                body,
                r#"<section class="topic"><h2>{title}</h2>
<table><thead><tr><th>code</th><th>name</th><th>severity</th><th>fix</th><th>what it finds</th><th>also in</th></tr></thead><tbody>
"#,
                title = escape_html(meta.topic.title())
            );
        }
        let search = format!(
            "{} {} {} {}",
            meta.code,
            meta.name,
            meta.summary,
            equivalents(meta)
        )
        .to_lowercase();
        let _ = writeln!(
            body,
            r#"<tr class="rule" data-search="{search}"><td>{code}</td><td><a href="rules/{name}.html">{name}</a></td><td class="{severity}">{severity}</td><td>{fix}</td><td>{summary}</td><td>{eq}</td></tr>"#,
            search = escape_html(&search),
            code = meta.code,
            name = meta.name,
            severity = meta.severity.as_str(),
            fix = fixability(meta),
            summary = inline_code(meta.summary),
            eq = escape_html(&equivalents(meta)),
        );
    }
    body.push_str("</tbody></table></section>\n");
    page("pitfall rules", "", &body, true)
}

/// Escapes `text` and turns its `backticked` parts into `<code>`.
fn inline_code(text: &str) -> String {
    escape_html(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_owned()
            }
        })
        .collect()
}

fn rule_page(meta: &RuleMeta) -> String {
    let facts = format!(
        r#"<dl class="facts"><dt>code</dt><dd>{code}</dd><dt>topic</dt><dd>{topic}</dd><dt>default severity</dt><dd class="{severity}">{severity}</dd><dt>automatic fix</dt><dd>{fix}</dd><dt>also in</dt><dd>{eq}</dd></dl>"#,
        code = meta.code,
        topic = escape_html(meta.topic.title()),
        severity = meta.severity.as_str(),
        fix = fixability(meta),
        eq = if meta.equivalents.is_empty() {
            "—".to_owned()
        } else {
            escape_html(&equivalents(meta))
        },
    );
    let doc = markdown_html(meta.doc);
    // The facts go right under the title.
    let body = match doc.find("</h1>") {
        Some(at) => format!("{}{facts}{}", &doc[..at + 5], &doc[at + 5..]),
        None => format!("{facts}{doc}"),
    };
    let title = format!("{} ({}) · pitfall", meta.name, meta.code);
    page(&title, "../", &format!("<article>{body}</article>"), false)
}

/// A rule doc as HTML: highlighted code blocks, `id`s on the section headings (so
/// `NAME.html#why-is-this-bad` works), and links to other docs turned into page links.
pub fn markdown_html(markdown: &str) -> String {
    let mut events = Vec::new();
    let mut code: Option<(String, String)> = None;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match (&mut code, event) {
            (None, Event::Start(Tag::CodeBlock(kind))) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((language, String::new()));
            }
            (Some((_, text)), Event::Text(more)) => text.push_str(&more),
            (Some(_), Event::End(TagEnd::CodeBlock)) => {
                let (language, text) = code.take().unwrap_or_default();
                events.push(Event::Html(CowStr::from(format!(
                    "<pre class=\"code\"><code class=\"language-{}\">{}</code></pre>\n",
                    escape_html(&language),
                    highlight::html(&text, &language)
                ))));
            }
            (Some(_), _) => {}
            (
                None,
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }),
            ) => {
                let dest_url = match dest_url.strip_suffix(".md") {
                    Some(rule) if !dest_url.contains("://") => CowStr::from(format!("{rule}.html")),
                    _ => dest_url,
                };
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            (None, event) => events.push(event),
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    heading_ids(&html)
}

/// `<h2>Why is this bad?</h2>` → `<h2 id="why-is-this-bad"><a href="#why-is-this-bad">…`.
fn heading_ids(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 512);
    let mut rest = html;
    while let Some(at) = rest.find("<h2>") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 4..];
        let Some(end) = after.find("</h2>") else {
            rest = &rest[at..];
            break;
        };
        let inner = &after[..end];
        let slug = slug(inner);
        let _ = write!(
            out,
            r##"<h2 id="{slug}"><a class="anchor" href="#{slug}">{inner}</a></h2>"##
        );
        rest = &after[end + 5..];
    }
    out.push_str(rest);
    out
}

/// Lower-case words joined by `-`, tags dropped: `Why is this bad?` → `why-is-this-bad`.
fn slug(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_headings_get_anchors() {
        let html = markdown_html("# t\n\n## Why is this bad?\ntext\n");
        assert!(
            html.contains(r##"<h2 id="why-is-this-bad"><a class="anchor" href="#why-is-this-bad">Why is this bad?</a></h2>"##),
            "{html}"
        );
    }

    #[test]
    fn links_to_rule_docs_become_page_links() {
        let html = markdown_html("[x](none-comparison.md) [y](https://example.org/a.md)\n");
        assert!(html.contains(r#"href="none-comparison.html""#), "{html}");
        assert!(
            html.contains(r#"href="https://example.org/a.md""#),
            "{html}"
        );
    }

    #[test]
    fn code_blocks_are_highlighted() {
        let html = markdown_html("```python\nx = None\n```\n");
        assert!(html.contains(r#"<pre class="code"><code class="language-python">"#));
        assert!(html.contains(r#"class="constant language"#), "{html}");
    }
}
