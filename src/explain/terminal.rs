//! Markdown for a terminal: headings, wrapped paragraphs, bullet lists, links and
//! highlighted code blocks. Without colour the result is plain text that still reads
//! well (inline code keeps its backticks, links show their address).

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::highlight;

/// How to lay the text out.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub color: bool,
    /// Wrap paragraphs at this many columns.
    pub width: usize,
    /// Spaces before every line.
    pub indent: usize,
}

const HEADING: &str = "1;36";
const TITLE: &str = "1;4";
const CODE: &str = "33";
const LINK: &str = "4;34";
const DIM: &str = "2";

/// Renders `markdown` for a terminal.
pub fn render(markdown: &str, layout: Layout) -> String {
    let mut writer = Writer {
        layout,
        out: String::new(),
        inline: String::new(),
        styles: Vec::new(),
        lists: Vec::new(),
        item_prefix: None,
        links: Vec::new(),
        code: None,
        heading: None,
        table: None,
    };
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        writer.event(event);
    }
    writer.flush();
    let trimmed = writer.out.trim_end_matches('\n').len();
    writer.out.truncate(trimmed);
    writer.out.push('\n');
    writer.out
}

struct Writer {
    layout: Layout,
    out: String,
    /// The paragraph, heading or list item being collected, with its escapes.
    inline: String,
    /// The SGR codes in force (bold, italic, link, ...), innermost last.
    styles: Vec<&'static str>,
    /// One entry per open list: the next number of an ordered list.
    lists: Vec<Option<u64>>,
    /// The bullet or number of a list item whose first line is not written yet.
    item_prefix: Option<String>,
    links: Vec<String>,
    /// The language and text of the code block being collected.
    code: Option<(String, String)>,
    heading: Option<HeadingLevel>,
    /// The rows of the table being collected, each cell already styled.
    table: Option<Vec<Vec<String>>>,
}

impl Writer {
    fn event(&mut self, event: Event) {
        if let Some((_, code)) = &mut self.code {
            match event {
                Event::Text(text) => code.push_str(&text),
                Event::End(TagEnd::CodeBlock) => self.code_block(),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text),
            Event::Code(code) => {
                if self.layout.color {
                    self.styled(CODE, &code);
                } else {
                    self.text(&format!("`{code}`"));
                }
            }
            Event::SoftBreak => self.inline.push(' '),
            Event::HardBreak => self.inline.push('\n'),
            Event::Html(html) | Event::InlineHtml(html) => self.text(&html),
            Event::Rule => {
                self.flush();
                let width = self.layout.width.saturating_sub(self.indent()).min(40);
                let line = "─".repeat(width);
                self.line(&line);
                self.blank();
            }
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Heading { level, .. } => {
                self.flush();
                self.heading = Some(level);
            }
            // A paragraph in a list item continues after the item's first text.
            Tag::Paragraph if self.item_prefix.is_none() => self.flush(),
            Tag::List(first) => {
                self.flush();
                self.lists.push(first);
            }
            Tag::Item => {
                self.flush();
                let prefix = match self.lists.last_mut() {
                    Some(Some(number)) => {
                        *number += 1;
                        format!("{}. ", *number - 1)
                    }
                    _ => "• ".to_owned(),
                };
                self.item_prefix = Some(prefix);
            }
            Tag::CodeBlock(kind) => {
                self.flush();
                let language = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((language, String::new()));
            }
            Tag::Table(_) => {
                self.flush();
                self.table = Some(Vec::new());
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(rows) = &mut self.table {
                    rows.push(Vec::new());
                }
            }
            Tag::Emphasis => self.push_style("3"),
            Tag::Strong => self.push_style("1"),
            Tag::Link { dest_url, .. } => {
                self.links.push(dest_url.to_string());
                self.push_style(LINK);
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(level) => {
                let text = std::mem::take(&mut self.inline);
                self.blank();
                let plain = !self.layout.color;
                match level {
                    HeadingLevel::H1 => {
                        self.line(&self.paint(TITLE, &text));
                        if plain {
                            self.line(&"=".repeat(text.chars().count()));
                        }
                    }
                    _ => {
                        self.line(&self.paint(HEADING, &text));
                        if plain {
                            self.line(&"-".repeat(text.chars().count()));
                        }
                    }
                }
                self.heading = None;
                self.blank();
            }
            TagEnd::Paragraph => {
                self.flush();
                if self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::Item => self.flush(),
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.inline);
                if let Some(row) = self.table.as_mut().and_then(|rows| rows.last_mut()) {
                    row.push(cell.trim().to_owned());
                }
            }
            TagEnd::Table => self.table_block(),
            TagEnd::Emphasis | TagEnd::Strong => self.pop_style(),
            TagEnd::Link => {
                self.pop_style();
                if let Some(url) = self.links.pop() {
                    // A link to another rule's doc: the command that shows it.
                    let url = match url.strip_suffix(".md") {
                        Some(rule) if !url.contains("://") => format!("pitfall explain {rule}"),
                        _ => url,
                    };
                    let shown = if self.layout.color {
                        format!(" {}", self.paint(DIM, &format!("<{url}>")))
                    } else {
                        format!(" <{url}>")
                    };
                    self.inline.push_str(&shown);
                }
            }
            _ => {}
        }
    }

    fn indent(&self) -> usize {
        let list_indent = self.lists.len().saturating_sub(1) * 2;
        if self.heading.is_some() {
            self.layout.indent
        } else {
            // Body text sits two columns right of the headings.
            self.layout.indent + 2 + list_indent
        }
    }

    fn text(&mut self, text: &str) {
        match self.styles.last() {
            Some(_) if self.layout.color => {
                let code = self.styles.join(";");
                self.styled(&code, text);
            }
            _ => self.inline.push_str(text),
        }
    }

    /// Styles each word on its own, so wrapping never splits an escape sequence's reach.
    fn styled(&mut self, code: &str, text: &str) {
        for (i, word) in text.split(' ').enumerate() {
            if i > 0 {
                self.inline.push(' ');
            }
            if !word.is_empty() {
                let painted = self.paint(code, word);
                self.inline.push_str(&painted);
            }
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.layout.color && !code.is_empty() {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn push_style(&mut self, code: &'static str) {
        self.styles.push(code);
    }

    fn pop_style(&mut self) {
        self.styles.pop();
    }

    /// Writes the collected inline text, wrapped, with the list item's bullet if any.
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.inline);
        let prefix = self.item_prefix.take();
        if text.trim().is_empty() && prefix.is_none() {
            return;
        }
        let indent = " ".repeat(self.indent());
        let prefix = prefix.unwrap_or_default();
        let first = format!("{indent}{prefix}");
        let rest = format!("{indent}{}", " ".repeat(prefix.chars().count()));
        let options = textwrap::Options::new(self.layout.width.max(first.len() + 20))
            .initial_indent(&first)
            .subsequent_indent(&rest);
        for line in textwrap::wrap(text.trim(), options) {
            self.out.push_str(line.trim_end());
            self.out.push('\n');
        }
    }

    fn code_block(&mut self) {
        let Some((language, code)) = self.code.take() else {
            return;
        };
        let lines = if self.layout.color {
            highlight::ansi_lines(&code, &language)
        } else {
            code.lines().map(str::to_owned).collect()
        };
        let indent = " ".repeat(self.indent() + 2);
        for line in lines {
            if line.is_empty() {
                self.out.push('\n');
            } else {
                self.out.push_str(&format!("{indent}{line}\n"));
            }
        }
        if self.lists.is_empty() {
            self.blank();
        }
    }

    /// Columns padded to their widest cell, separated by a bar.
    fn table_block(&mut self) {
        let Some(rows) = self.table.take() else {
            return;
        };
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                rows.iter()
                    .filter_map(|row| row.get(c))
                    .map(|cell| textwrap::core::display_width(cell))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for (i, row) in rows.iter().enumerate() {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, &width)| {
                    let pad = width.saturating_sub(textwrap::core::display_width(cell));
                    format!("{cell}{}", " ".repeat(pad))
                })
                .collect();
            let line = cells.join(" │ ");
            self.line(line.trim_end());
            if i == 0 {
                let rule: Vec<String> = widths.iter().map(|&w| "─".repeat(w)).collect();
                self.line(&rule.join("─┼─"));
            }
        }
        self.blank();
    }

    fn line(&mut self, text: &str) {
        self.out.push_str(&" ".repeat(self.indent()));
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// One empty line, never two, and none at the top.
    fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(markdown: &str, width: usize) -> String {
        render(
            markdown,
            Layout {
                color: false,
                width,
                indent: 0,
            },
        )
    }

    #[test]
    fn paragraphs_wrap_at_the_width_and_keep_code_backticks() {
        let text = plain(
            "## Why\nA default is evaluated **once**, when the `def` runs, and shared by every later call.\n",
            40,
        );
        assert!(text.lines().all(|l| l.chars().count() <= 40), "{text}");
        assert!(text.starts_with("Why\n---\n\n  A default"), "{text}");
        assert!(text.contains("`def`"), "{text}");
        assert!(!text.contains("**"), "{text}");
    }

    #[test]
    fn lists_get_bullets_and_hanging_indents() {
        let text = plain(
            "- first item that is long enough to wrap around\n- second\n",
            30,
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "  • first item that is long");
        assert_eq!(lines[1], "    enough to wrap around");
        assert_eq!(lines[2], "  • second");
    }

    #[test]
    fn tables_line_up_their_columns() {
        let text = plain("| a | bb |\n|---|----|\n| ccc | d |\n", 80);
        assert_eq!(text, "  a   │ bb\n  ────┼───\n  ccc │ d\n");
    }

    #[test]
    fn links_to_other_rules_name_the_command() {
        let text = plain("See [none-comparison](none-comparison.md).\n", 80);
        assert_eq!(
            text,
            "  See none-comparison <pitfall explain none-comparison>.\n"
        );
    }

    #[test]
    fn links_show_their_address() {
        let text = plain("See [the FAQ](https://docs.python.org/3/faq/).\n", 80);
        assert_eq!(text, "  See the FAQ <https://docs.python.org/3/faq/>.\n");
    }

    #[test]
    fn code_blocks_are_indented_and_highlighted_only_in_colour() {
        let doc = "```python\nx = [1]\n```\n";
        assert_eq!(plain(doc, 80), "    x = [1]\n");
        let layout = Layout {
            color: true,
            width: 80,
            indent: 0,
        };
        assert!(render(doc, layout).contains("\x1b[35m1\x1b[0m"));
    }
}
