//! Source text and the mapping from byte offsets to lines and columns.

use std::path::PathBuf;
use std::sync::OnceLock;

/// A file's text as kmslint reads it (byte-order mark removed) and its display path.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as shown in reports (relative when the user gave a relative path).
    pub path: String,
    /// The file system path, when the text came from a file.
    pub fs_path: Option<PathBuf>,
    pub text: String,
    line_starts: OnceLock<Vec<u32>>,
    counts: OnceLock<Counts>,
}

/// Character and UTF-16 counts at every `CHECKPOINT` bytes, so a column on a long line (a
/// one-line plan JSON) costs a few hundred steps, not a scan from the start of the line.
#[derive(Debug)]
struct Counts {
    ascii: bool,
    /// `(chars, utf16 units)` before byte `i * CHECKPOINT`.
    at: Vec<(u32, u32)>,
}

const CHECKPOINT: usize = 512;

/// The offset where each line of `bytes` starts, in one pass.
fn line_starts(bytes: &[u8]) -> Vec<u32> {
    // A policy's lines are some tens of bytes long.
    let mut starts = Vec::with_capacity(bytes.len() / 32 + 1);
    starts.push(0u32);
    starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| (i + 1) as u32));
    starts
}

/// A position as reported to users: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, fs_path: Option<PathBuf>, mut text: String) -> Self {
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        SourceFile {
            path: path.into(),
            fs_path,
            text,
            line_starts: OnceLock::new(),
            counts: OnceLock::new(),
        }
    }

    /// Record where each line starts, as the parser of the text found them on its way: they
    /// are not looked for again.
    pub fn set_line_starts(&self, starts: Vec<u32>) {
        debug_assert_eq!(starts, line_starts(self.text.as_bytes()));
        let _ = self.line_starts.set(starts);
    }

    /// The byte offset where each line starts.
    pub fn line_starts(&self) -> &[u32] {
        self.line_starts
            .get_or_init(|| line_starts(self.text.as_bytes()))
    }

    fn counts(&self) -> &Counts {
        self.counts.get_or_init(|| {
            let ascii = self.text.is_ascii();
            let mut at = Vec::new();
            if !ascii {
                let (mut chars, mut units) = (0u32, 0u32);
                for (i, c) in self.text.char_indices() {
                    while at.len() * CHECKPOINT <= i {
                        at.push((chars, units));
                    }
                    chars += 1;
                    units += c.len_utf16() as u32;
                }
            }
            Counts { ascii, at }
        })
    }

    /// Characters and UTF-16 units before byte `offset` (a character boundary).
    fn counts_before(&self, offset: usize) -> (usize, usize) {
        let counts = self.counts();
        if counts.ascii {
            return (offset, offset);
        }
        let slot = (offset / CHECKPOINT).min(counts.at.len().saturating_sub(1));
        let (chars, units) = counts.at.get(slot).copied().unwrap_or((0, 0));
        // The checkpoint may fall inside a character: start from the next boundary.
        let mut from = slot * CHECKPOINT;
        while !self.text.is_char_boundary(from) {
            from += 1;
        }
        let gap = self.text.get(from.min(offset)..offset).unwrap_or_default();
        (
            chars as usize + gap.chars().count(),
            units as usize + gap.chars().map(char::len_utf16).sum::<usize>(),
        )
    }

    /// A span clamped into the text, widened to whole characters (a one-byte span on a
    /// multi-byte character covers the character).
    pub fn snap(&self, span: crate::tree::Span) -> crate::tree::Span {
        let len = self.text.len();
        let mut start = (span.start as usize).min(len);
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (span.end as usize).clamp(start, len);
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        crate::tree::Span::new(start as u32, end as u32)
    }

    /// Clamp an offset into the text and onto a character boundary.
    fn clamp(&self, offset: u32) -> usize {
        let mut o = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    fn line_of(&self, offset: usize) -> (usize, usize) {
        let starts = self.line_starts();
        let idx = match starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        (idx, starts[idx] as usize)
    }

    /// Line and column (in Unicode scalar values) of a byte offset, both 1-based.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let o = self.clamp(offset);
        let (line, start) = self.line_of(o);
        let column = self.counts_before(o).0 - self.counts_before(start).0 + 1;
        LineCol {
            line: line as u32 + 1,
            column: column as u32,
        }
    }

    /// Line (0-based) and column in UTF-16 code units (0-based), as LSP and SARIF count them.
    pub fn line_col_utf16(&self, offset: u32) -> (u32, u32) {
        let o = self.clamp(offset);
        let (line, start) = self.line_of(o);
        let column = self.counts_before(o).1 - self.counts_before(start).1;
        (line as u32, column as u32)
    }

    /// Byte offset of a 0-based line and UTF-16 column (for editors), clamped to the line.
    pub fn offset_of_utf16(&self, line: u32, column: u32) -> u32 {
        let starts = self.line_starts();
        let Some(&start) = starts.get(line as usize) else {
            return self.text.len() as u32;
        };
        let end = starts
            .get(line as usize + 1)
            .map_or(self.text.len(), |&e| e as usize);
        let mut units = 0u32;
        for (i, c) in self.text[start as usize..end].char_indices() {
            if units >= column || c == '\n' || c == '\r' {
                return start + i as u32;
            }
            units += c.len_utf16() as u32;
        }
        end as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_starts_are_found_in_every_position_of_a_word() {
        for text in [
            "",
            "\n",
            "a\nb",
            "\n\n\n\n\n\n\n\n\n",
            "0123456\n89abcdef\n\u{a0}\n\u{7f}\u{8a}\n\u{10a0a}x\n",
            "\x0b\x09\x0a\u{8a}\n\x00\x0a\x0a",
        ] {
            let slow: Vec<u32> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i as u32 + 1))
                .collect();
            assert_eq!(line_starts(text.as_bytes()), slow, "{text:?}");
        }
        for n in 0..40 {
            let text: String = (0..n)
                .map(|i| if i % 3 == 0 { '\n' } else { 'x' })
                .collect();
            let slow: Vec<u32> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i as u32 + 1))
                .collect();
            assert_eq!(line_starts(text.as_bytes()), slow, "{text:?}");
        }
    }

    #[test]
    fn columns_count_characters_and_crlf_keeps_lines() {
        let f = SourceFile::new("a", None, "ab\r\n\u{e9}x\ny".to_string());
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        // 'x' follows a two-byte character: column 2 in characters.
        assert_eq!(f.line_col(6), LineCol { line: 2, column: 2 });
        assert_eq!(f.line_col(8), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn columns_on_long_non_ascii_lines_match_a_plain_count() {
        let text: String = (0..3000)
            .map(|i| if i % 7 == 0 { "é😀x" } else { "ab" })
            .collect();
        let f = SourceFile::new("a", None, text.clone());
        for (offset, _) in text.char_indices().step_by(37) {
            let expected = text[..offset].chars().count() as u32 + 1;
            assert_eq!(f.line_col(offset as u32).column, expected);
            let units: usize = text[..offset].chars().map(char::len_utf16).sum();
            assert_eq!(f.line_col_utf16(offset as u32).1, units as u32);
        }
    }

    #[test]
    fn bom_is_removed_and_utf16_counts_surrogates() {
        let f = SourceFile::new("a", None, "\u{feff}\u{1F600}z".to_string());
        assert_eq!(f.text, "\u{1F600}z");
        assert_eq!(f.line_col_utf16(4), (0, 2));
        assert_eq!(f.offset_of_utf16(0, 2), 4);
        assert_eq!(f.line_col(4).column, 2);
    }
}
