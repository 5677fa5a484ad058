//! Reading a file's bytes into text the way CPython does (PEP 263, UTF-8 BOM), and
//! turning byte offsets into the 1-based line and character column users see.

use std::fmt;
use std::sync::OnceLock;

use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;

/// Files above this size are refused rather than parsed: nobody writes Python this
/// large by hand, and generated blobs this size would dominate a run.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a file's bytes are not Python source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Not valid UTF-8 and no coding declaration says otherwise.
    InvalidUtf8 { line: usize },
    /// A coding declaration names an encoding pitfall does not know.
    UnknownEncoding(String),
    /// The declared encoding does not match the bytes.
    Malformed { encoding: String },
    /// A UTF-8 BOM together with a declaration of another encoding (PEP 263 forbids it).
    BomConflict(String),
    /// NUL bytes: CPython refuses such source, and it is almost always a binary file.
    NulByte { line: usize },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::InvalidUtf8 { line } => write!(
                f,
                "not valid UTF-8 (first bad byte on line {line}) and no PEP 263 coding declaration"
            ),
            DecodeError::UnknownEncoding(name) => {
                write!(f, "unknown encoding `{name}` in the coding declaration")
            }
            DecodeError::Malformed { encoding } => {
                write!(
                    f,
                    "the bytes are not valid in the declared encoding `{encoding}`"
                )
            }
            DecodeError::BomConflict(name) => write!(
                f,
                "the file starts with a UTF-8 byte order mark but declares encoding `{name}`"
            ),
            DecodeError::NulByte { line } => {
                write!(f, "contains a NUL byte on line {line} (a binary file?)")
            }
        }
    }
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Decodes Python source bytes into text, without the BOM.
/// Takes the bytes by value so that the common case (UTF-8) reuses the buffer.
pub fn decode(mut bytes: Vec<u8>) -> Result<String, DecodeError> {
    if let Some(nul) = memchr_nul(&bytes) {
        return Err(DecodeError::NulByte {
            line: line_of(&bytes, nul),
        });
    }
    let has_bom = bytes.starts_with(UTF8_BOM);
    if has_bom {
        bytes.drain(..UTF8_BOM.len());
    }
    let declared = coding_declaration(&bytes);
    let body = bytes.as_slice();
    match declared.as_deref().map(normalize_encoding_name) {
        None | Some(Encoding::Utf8) => String::from_utf8(bytes).map_err(|error| {
            let bytes = error.as_bytes();
            DecodeError::InvalidUtf8 {
                line: line_of(bytes, error.utf8_error().valid_up_to()),
            }
        }),
        Some(_) if has_bom => Err(DecodeError::BomConflict(declared.unwrap_or_default())),
        // Python's latin-1 maps every byte to the code point of the same value; the
        // WHATWG "latin1" label in encoding_rs means windows-1252, which differs.
        Some(Encoding::Latin1) => Ok(body.iter().map(|&b| char::from(b)).collect()),
        Some(Encoding::Other(name)) => {
            let Some(codec) = encoding_rs::Encoding::for_label(name.as_bytes()) else {
                return Err(DecodeError::UnknownEncoding(declared.unwrap_or(name)));
            };
            let (text, had_errors) = codec.decode_without_bom_handling(body);
            if had_errors {
                return Err(DecodeError::Malformed {
                    encoding: declared.unwrap_or(name),
                });
            }
            Ok(text.into_owned())
        }
    }
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    // `contains` on bytes is word-at-a-time; the byte loop runs only when there is one.
    if !bytes.contains(&0) {
        return None;
    }
    bytes.iter().position(|&b| b == 0)
}

enum Encoding {
    Utf8,
    Latin1,
    Other(String),
}

/// Mirrors CPython's `get_normal_name`: `utf-8-*` means UTF-8 and the latin-1 aliases
/// (with optional `-*` suffixes) mean ISO-8859-1.
fn normalize_encoding_name(name: &str) -> Encoding {
    let lower = name.to_ascii_lowercase().replace('_', "-");
    let head = |prefix: &str| lower == prefix || lower.starts_with(&format!("{prefix}-"));
    if head("utf-8") || lower == "utf8" {
        Encoding::Utf8
    } else if ["latin-1", "iso-8859-1", "iso-latin-1"]
        .iter()
        .any(|p| head(p))
        || ["latin1", "iso8859-1", "l1", "cp819", "8859"].contains(&lower.as_str())
    {
        Encoding::Latin1
    } else {
        Encoding::Other(lower)
    }
}

/// Finds a PEP 263 declaration (`coding[:=]\s*([-\w.]+)` in a comment) on line 1, or on
/// line 2 when line 1 is blank or a comment.
fn coding_declaration(bytes: &[u8]) -> Option<String> {
    let mut lines = bytes.split(|&b| b == b'\n').take(2);
    let first = lines.next()?;
    if let Some(name) = coding_in_line(first) {
        return Some(name);
    }
    let trimmed = first.trim_ascii_start();
    if trimmed.is_empty() || trimmed.starts_with(b"#") {
        return lines.next().and_then(coding_in_line);
    }
    None
}

fn coding_in_line(line: &[u8]) -> Option<String> {
    let line = line.trim_ascii_start();
    if !line.starts_with(b"#") {
        return None;
    }
    let text = String::from_utf8_lossy(line);
    let at = text.find("coding")?;
    let rest = text[at + "coding".len()..].strip_prefix([':', '='])?;
    let name: String = rest
        .trim_start_matches([' ', '\t'])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    (!name.is_empty()).then_some(name)
}

/// 1-based line and column; columns count characters, as ruff and editors do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Decoded text plus its line index.
///
/// The index is built on first use: most files have no findings and no `noqa`, and
/// never need one.
pub struct SourceText {
    pub text: String,
    index: OnceLock<LineIndex>,
}

impl SourceText {
    pub fn new(text: String) -> Self {
        SourceText {
            text,
            index: OnceLock::new(),
        }
    }

    fn index(&self) -> &LineIndex {
        self.index
            .get_or_init(|| LineIndex::from_source_text(&self.text))
    }

    pub fn position(&self, offset: TextSize) -> Position {
        let at = self.index().line_column(offset, &self.text);
        Position {
            line: at.line.get(),
            column: at.column.get(),
        }
    }

    /// The 1-based line number containing `offset`.
    pub fn line_number(&self, offset: TextSize) -> usize {
        self.index().line_index(offset).get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(bytes: &[u8]) -> Result<String, DecodeError> {
        decode(bytes.to_vec())
    }

    #[test]
    fn utf8_with_bom_is_stripped() {
        assert_eq!(dec(b"\xEF\xBB\xBFx = 1\n").unwrap(), "x = 1\n");
    }

    #[test]
    fn latin1_declaration_decodes_high_bytes() {
        let text = dec(b"# -*- coding: latin-1 -*-\ns = '\xe9'\n").unwrap();
        assert!(text.contains("'\u{e9}'"));
    }

    #[test]
    fn declaration_on_second_line_after_shebang() {
        let text = dec(b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\ns = '\x80'\n");
        assert_eq!(text.unwrap().lines().nth(2), Some("s = '\u{20ac}'"));
    }

    #[test]
    fn declaration_after_code_is_ignored() {
        let err = dec(b"x = 1\n# coding: latin-1\ns = '\xe9'\n").unwrap_err();
        assert_eq!(err, DecodeError::InvalidUtf8 { line: 3 });
    }

    #[test]
    fn unknown_encoding_and_nul_bytes_are_errors() {
        assert!(matches!(
            dec(b"# coding: klingon\n"),
            Err(DecodeError::UnknownEncoding(_))
        ));
        assert_eq!(
            dec(b"x = 1\n\0\0").unwrap_err(),
            DecodeError::NulByte { line: 2 }
        );
    }

    #[test]
    fn bom_with_other_declaration_is_refused() {
        assert!(matches!(
            dec(b"\xEF\xBB\xBF# coding: latin-1\n"),
            Err(DecodeError::BomConflict(_))
        ));
    }

    #[test]
    fn columns_count_characters_and_crlf_lines() {
        let source = SourceText::new("a = 'é'; b\r\nc\r\n".to_owned());
        let b = source.text.find('b').unwrap() as u32;
        assert_eq!(
            source.position(b.into()),
            Position {
                line: 1,
                column: 10
            }
        );
        let c = source.text.find('c').unwrap() as u32;
        assert_eq!(source.position(c.into()), Position { line: 2, column: 1 });
    }
}
