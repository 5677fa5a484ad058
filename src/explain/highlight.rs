//! Syntax highlighting of code blocks with syntect, for terminals (ANSI) and for the
//! docs site (classed HTML spans styled by the site's CSS).
//!
//! syntect's syntax set takes tens of milliseconds to load, so it is loaded on first use
//! only: `pitfall check` without `--explain` never touches it.

use std::fmt::Write as _;
use std::str::FromStr;
use std::sync::OnceLock;

use syntect::easy::HighlightLines;
use syntect::highlighting::{
    Color, FontStyle, ScopeSelectors, StyleModifier, Theme, ThemeItem, ThemeSettings,
};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The syntax for a fenced block's language (`python`, `py`, `toml`, ...), if known.
fn syntax_for(language: &str) -> Option<(&'static SyntaxSet, &'static SyntaxReference)> {
    if language.is_empty() || matches!(language, "text" | "console" | "sh" | "shell") {
        return None;
    }
    let set = syntaxes();
    set.find_syntax_by_token(language)
        .map(|syntax| (set, syntax))
}

/// An ANSI colour index stored in a theme colour: syntect themes hold RGB, so (as `bat`
/// does for its `ansi` theme) an alpha of 0 marks "the terminal's palette entry `r`".
/// Palette colours follow the user's terminal theme, light or dark.
const fn ansi(index: u8) -> Color {
    Color {
        r: index,
        g: 0,
        b: 0,
        a: 0,
    }
}

/// "No colour": the terminal's default foreground.
const DEFAULT: Color = Color {
    r: 0,
    g: 0,
    b: 0,
    a: 0xFF,
};

fn terminal_theme() -> &'static Theme {
    static THEME: OnceLock<Theme> = OnceLock::new();
    THEME.get_or_init(|| {
        let item = |selector: &str, color: Color, bold: bool| ThemeItem {
            scope: ScopeSelectors::from_str(selector).unwrap_or_default(),
            style: StyleModifier {
                foreground: Some(color),
                background: None,
                font_style: bold.then_some(FontStyle::BOLD),
            },
        };
        Theme {
            name: Some("pitfall-ansi".to_owned()),
            author: None,
            settings: ThemeSettings {
                foreground: Some(DEFAULT),
                ..ThemeSettings::default()
            },
            scopes: vec![
                item("comment", ansi(8), false),
                item("string", ansi(2), false),
                item("constant.numeric, constant.language", ansi(5), false),
                item("keyword, storage", ansi(4), true),
                item("keyword.operator", DEFAULT, false),
                item("keyword.operator.logical", ansi(4), true),
                item("entity.name.function, entity.name.class", ansi(3), false),
                item("support.function.builtin, support.type", ansi(6), false),
                item("meta.function-call.generic", ansi(6), false),
            ],
        }
    })
}

/// `code` with ANSI colours, one entry per line (without line endings). Unknown
/// languages come back uncoloured.
pub fn ansi_lines(code: &str, language: &str) -> Vec<String> {
    let plain = || code.lines().map(str::to_owned).collect();
    let Some((set, syntax)) = syntax_for(language) else {
        return plain();
    };
    let mut highlighter = HighlightLines::new(syntax, terminal_theme());
    let mut lines = Vec::new();
    for line in LinesWithEndings::from(code) {
        let Ok(regions) = highlighter.highlight_line(line, set) else {
            return plain();
        };
        // Neighbouring pieces of one colour share one escape sequence.
        let mut pieces: Vec<(String, String)> = Vec::new();
        for (style, text) in regions {
            let text = text.trim_end_matches(['\n', '\r']);
            if text.is_empty() {
                continue;
            }
            let codes = if text.trim().is_empty() {
                String::new()
            } else {
                sgr_codes(style.foreground, style.font_style)
            };
            match pieces.last_mut() {
                Some((last, joined)) if *last == codes => joined.push_str(text),
                _ => pieces.push((codes, text.to_owned())),
            }
        }
        let mut out = String::new();
        for (codes, text) in pieces {
            if codes.is_empty() {
                out.push_str(&text);
            } else {
                let _ = write!(out, "\x1b[{codes}m{text}\x1b[0m");
            }
        }
        lines.push(out);
    }
    lines
}

/// The SGR parameters for a theme colour and font style (empty: no escape at all).
fn sgr_codes(color: Color, font: FontStyle) -> String {
    let mut codes = Vec::new();
    if font.contains(FontStyle::BOLD) {
        codes.push("1".to_owned());
    }
    if color.a == 0 {
        codes.push(match color.r {
            index @ 0..=7 => (30 + u16::from(index)).to_string(),
            index => (90 + u16::from(index.min(15)) - 8).to_string(),
        });
    }
    codes.join(";")
}

/// `code` as HTML: spans whose classes are the syntax's scope names (`keyword`,
/// `string`, ...), styled by the site's stylesheet. Unknown languages are only escaped.
pub fn html(code: &str, language: &str) -> String {
    let Some((set, syntax)) = syntax_for(language) else {
        return escape_html(code);
    };
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, ClassStyle::Spaced);
    for line in LinesWithEndings::from(code) {
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return escape_html(code);
        }
    }
    generator.finalize()
}

/// Escapes text for HTML element content and (double-quoted) attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Writing to a `String` cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_keywords_and_strings_get_colours() {
        let lines = ansi_lines("def f():\n    return 'x'  # done\n", "python");
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("\x1b[1;34mdef"), "{:?}", lines[0]);
        assert!(lines[1].contains("\x1b[32m"), "{:?}", lines[1]);
        assert!(lines[1].contains("\x1b[32m'x'\x1b[0m"), "{:?}", lines[1]);
        assert!(lines[1].contains("\x1b[90m# done\x1b[0m"), "{:?}", lines[1]);
    }

    #[test]
    fn unknown_languages_stay_plain() {
        assert_eq!(ansi_lines("a <b>\n", "no-such-language"), vec!["a <b>"]);
        assert_eq!(html("a <b>\n", ""), "a &lt;b&gt;\n");
    }

    #[test]
    fn html_spans_carry_scope_classes() {
        let html = html("x = None  # <no>\n", "python");
        assert!(html.contains(r#"<span class="constant language"#), "{html}");
        assert!(html.contains("&lt;no&gt;"), "{html}");
    }
}
