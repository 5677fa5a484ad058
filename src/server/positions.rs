//! LSP positions: a zero-based line and a character offset counted in the encoding the
//! client and server agreed on (UTF-16 code units unless the client offers another),
//! converted to and from the byte offsets pitfall's findings carry.

use lsp_types::{Position, PositionEncodingKind, Range};
use ruff_source_file::{LineIndex, OneIndexed, PositionEncoding};
use ruff_text_size::TextSize;

/// How a position's `character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (byte offsets need no conversion), otherwise
    /// UTF-16, which the protocol makes every client support.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn ruff(self) -> PositionEncoding {
        match self {
            Encoding::Utf8 => PositionEncoding::Utf8,
            Encoding::Utf16 => PositionEncoding::Utf16,
        }
    }

    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// A document's line index, for converting in both directions. Lines end at `\n`,
/// `\r\n` or `\r`, as in the protocol.
pub struct LineMap<'a> {
    text: &'a str,
    index: LineIndex,
    encoding: Encoding,
}

impl<'a> LineMap<'a> {
    pub fn new(text: &'a str, encoding: Encoding) -> Self {
        LineMap {
            text,
            index: LineIndex::from_source_text(text),
            encoding,
        }
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The position of a byte offset (clamped into the text, and back to the start of
    /// the character it falls in).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let at = self.index.source_location(
            TextSize::try_from(offset).unwrap_or_default(),
            self.text,
            self.encoding.ruff(),
        );
        Position::new(
            to_u32(at.line.to_zero_indexed()),
            to_u32(at.character_offset.to_zero_indexed()),
        )
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The byte offset of a position. As the protocol asks, a character past the end of
    /// its line means the line's end and a line past the last means the text's end; a
    /// position inside a character (half a surrogate pair) means that character's start.
    pub fn offset(&self, position: Position) -> usize {
        let line = position.line as usize;
        if line >= self.index.line_count() {
            return self.text.len();
        }
        let start = self.line_start(line);
        let content = self.line_content(line);
        let wanted = position.character as usize;
        let mut units = 0;
        for (at, c) in content.char_indices() {
            units += self.encoding.units(c);
            if units > wanted {
                return start + at;
            }
        }
        start + content.len()
    }

    /// The byte offset where the zero-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.index
            .line_start(OneIndexed::from_zero_indexed(line), self.text)
            .to_usize()
    }

    /// The text of the zero-based `line`, without its line ending.
    pub fn line_content(&self, line: usize) -> &'a str {
        let range = self
            .index
            .line_range(OneIndexed::from_zero_indexed(line), self.text);
        self.text[range.start().to_usize()..range.end().to_usize()].trim_end_matches(['\n', '\r'])
    }

    /// The zero-based line containing a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.position(offset).line as usize
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_surrogate_pairs_twice() {
        // `😀` is one character, four UTF-8 bytes and two UTF-16 code units.
        let text = "s = '😀é'; x == None\n";
        let at = text.find("x ==").unwrap();
        let utf16 = LineMap::new(text, Encoding::Utf16);
        assert_eq!(utf16.position(at), Position::new(0, 11));
        assert_eq!(utf16.offset(Position::new(0, 11)), at);
        let utf8 = LineMap::new(text, Encoding::Utf8);
        assert_eq!(utf8.position(at), Position::new(0, at as u32));
        assert_eq!(utf8.offset(Position::new(0, at as u32)), at);
    }

    #[test]
    fn every_line_ending_starts_a_line() {
        let text = "a\r\nb\rc\nd";
        let map = LineMap::new(text, Encoding::Utf16);
        let d = text.find('d').unwrap();
        assert_eq!(map.position(d), Position::new(3, 0));
        assert_eq!(map.offset(Position::new(2, 0)), text.find('c').unwrap());
        assert_eq!(map.line_content(0), "a");
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let text = "ab\n😀x\n";
        let map = LineMap::new(text, Encoding::Utf16);
        assert_eq!(map.offset(Position::new(0, 99)), 2, "past the line's end");
        assert_eq!(
            map.offset(Position::new(9, 0)),
            text.len(),
            "past the last line"
        );
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(map.offset(Position::new(1, 1)), 3);
        assert_eq!(map.offset(Position::new(1, 2)), 7);
        // A byte offset inside a character maps to that character.
        assert_eq!(map.position(4), Position::new(1, 0));
        assert_eq!(map.position(text.len()), Position::new(2, 0));
    }

    #[test]
    fn utf8_is_chosen_only_when_offered() {
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        let offered = [PositionEncodingKind::UTF32, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&offered)), Encoding::Utf8);
        let offered = [PositionEncodingKind::UTF32];
        assert_eq!(Encoding::negotiate(Some(&offered)), Encoding::Utf16);
    }
}
