//! Open documents: their text as the editor has it, kept in step with incremental changes.

use std::path::{Path, PathBuf};

use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

use crate::extract::InputKind;
use crate::source::SourceFile;
use crate::tree::Span;

/// A document the editor has open.
#[derive(Debug)]
pub struct Document {
    /// The text. A leading byte-order mark is kept as a space: both are one UTF-16 code unit,
    /// so every position the editor sends or receives means the same place, while
    /// [`SourceFile`] (which drops a byte-order mark) keeps the same byte offsets.
    pub source: SourceFile,
    pub version: i32,
    /// What the document is read as, before [`InputKind::refine`] looks at its content.
    pub kind: InputKind,
}

impl Document {
    pub fn new(uri: &Uri, language_id: &str, version: i32, text: String) -> Document {
        let path = file_path(uri);
        let kind = input_kind(path.as_deref(), language_id);
        Document {
            source: source_file(uri, path, text),
            version,
            kind,
        }
    }

    /// Apply the editor's changes, in order. A change without a range replaces the text.
    pub fn apply(&mut self, uri: &Uri, version: i32, changes: Vec<TextDocumentContentChangeEvent>) {
        for change in changes {
            let span = change.range.map(|r| self.span(r));
            let mut text = std::mem::take(&mut self.source.text);
            match span {
                None => text = change.text,
                Some(span) => {
                    text.replace_range(span.start as usize..span.end as usize, &change.text)
                }
            }
            self.source = source_file(uri, self.source.fs_path.take(), text);
        }
        self.version = version;
    }

    /// The byte range of an editor range (UTF-16 columns), clamped into the text.
    pub fn span(&self, range: Range) -> Span {
        let start = self.offset(range.start);
        let end = self.offset(range.end).max(start);
        Span::new(start, end)
    }

    /// The byte offset of an editor position.
    pub fn offset(&self, position: Position) -> u32 {
        self.source
            .offset_of_utf16(position.line, position.character)
    }

    /// The editor range of a byte range.
    pub fn range(&self, span: Span) -> Range {
        range_of(&self.source, span)
    }
}

/// The editor range (UTF-16 columns) of a byte range of a source file.
pub fn range_of(source: &SourceFile, span: Span) -> Range {
    let (line, character) = source.line_col_utf16(span.start);
    let start = Position { line, character };
    let (line, character) = source.line_col_utf16(span.end);
    Range {
        start,
        end: Position { line, character },
    }
}

fn source_file(uri: &Uri, path: Option<PathBuf>, mut text: String) -> SourceFile {
    if text.starts_with('\u{feff}') {
        text.replace_range(..'\u{feff}'.len_utf8(), " ");
    }
    let display = path
        .as_deref()
        .map_or_else(|| uri.as_str().to_string(), |p| p.display().to_string());
    SourceFile::new(display, path, text)
}

/// The file a `file:` URI names (percent-decoded), `None` for other schemes.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme()?.as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    let path = uri
        .path()
        .as_estr()
        .decode()
        .into_string_lossy()
        .into_owned();
    // `file:///C:/x` is `C:/x` on Windows.
    let bytes = path.as_bytes();
    if cfg!(windows) && bytes.len() >= 3 && bytes[0] == b'/' && bytes[2] == b':' {
        return Some(PathBuf::from(&path[1..]));
    }
    Some(PathBuf::from(path))
}

/// The `file:` URI of an absolute path, percent-encoded (`None` for a path that makes no URI).
pub fn file_uri(path: &Path) -> Option<Uri> {
    let text = path.to_str()?.replace('\\', "/");
    let mut uri = String::from("file://");
    // `C:/x` is `file:///C:/x`.
    if !text.starts_with('/') {
        uri.push('/');
    }
    for (i, b) in text.bytes().enumerate() {
        let drive = b == b':' && i == 1 && cfg!(windows);
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') || drive {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.parse().ok()
}

/// What a document is read as: by its file name (as `check` does), else by the editor's
/// language id, else JSON. Content then decides between JSON and YAML ([`InputKind::refine`]).
pub fn input_kind(path: Option<&Path>, language_id: &str) -> InputKind {
    path.and_then(InputKind::from_path)
        .or(match language_id {
            "json" | "jsonc" => Some(InputKind::Json),
            "yaml" | "cloudformation" => Some(InputKind::Yaml),
            "terraform" | "hcl" | "tf" => Some(InputKind::Hcl),
            _ => None,
        })
        .unwrap_or(InputKind::Json)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn uri(s: &str) -> Uri {
        Uri::from_str(s).unwrap()
    }

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|((l1, c1), (l2, c2))| Range {
                start: Position::new(l1, c1),
                end: Position::new(l2, c2),
            }),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn file_uris_are_percent_decoded() {
        assert_eq!(
            file_path(&uri("file:///tmp/my%20keys/k%C3%A9y.json")),
            Some(PathBuf::from("/tmp/my keys/kéy.json"))
        );
        assert_eq!(file_path(&uri("untitled:Untitled-1")), None);
    }

    #[test]
    fn file_uris_of_paths_round_trip() {
        let path = Path::new("/tmp/my keys/kéy [1].json");
        let u = file_uri(path).unwrap();
        assert_eq!(u.as_str(), "file:///tmp/my%20keys/k%C3%A9y%20%5B1%5D.json");
        assert_eq!(file_path(&u).as_deref(), Some(path));
    }

    #[test]
    fn kind_by_name_then_language_id() {
        let k = |p: Option<&str>, lang: &str| input_kind(p.map(Path::new), lang);
        assert_eq!(k(Some("/a/main.tf"), "json"), InputKind::Hcl);
        assert_eq!(k(Some("/a/stack.yml"), ""), InputKind::Yaml);
        assert_eq!(k(Some("/a/Makefile"), "terraform"), InputKind::Hcl);
        assert_eq!(k(None, "yaml"), InputKind::Yaml);
        assert_eq!(k(None, "plaintext"), InputKind::Json);
    }

    #[test]
    fn incremental_changes_count_utf16_units() {
        let u = uri("file:///k.json");
        // "😀" is two UTF-16 units and four bytes; "é" one unit and two bytes.
        let mut doc = Document::new(&u, "json", 1, "{\"😀é\": 1}\r\nnext\n".to_string());
        doc.apply(&u, 2, vec![change(Some(((0, 4), (0, 5))), "e")]);
        assert_eq!(doc.source.text, "{\"😀e\": 1}\r\nnext\n");
        // Past the end of a line means the end of the line, before its CRLF.
        doc.apply(&u, 3, vec![change(Some(((0, 99), (1, 0))), "\n")]);
        assert_eq!(doc.source.text, "{\"😀e\": 1}\nnext\n");
        // Several changes apply in order, each to the result of the one before.
        doc.apply(
            &u,
            4,
            vec![
                change(Some(((1, 0), (1, 4))), "last"),
                change(Some(((2, 0), (2, 0))), "x"),
            ],
        );
        assert_eq!(doc.source.text, "{\"😀e\": 1}\nlast\nx");
        assert_eq!(doc.version, 4);
        doc.apply(&u, 5, vec![change(None, "{}")]);
        assert_eq!(doc.source.text, "{}");
    }

    #[test]
    fn any_change_keeps_the_text_valid() {
        // Positions past lines and the text, inside a surrogate pair, reversed ranges.
        let u = uri("file:///k.json");
        let mut doc = Document::new(&u, "json", 1, "a😀b\r\n\né\n".to_string());
        let mut seed = 7u32;
        for version in 2..500 {
            let mut next = |m: u32| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (seed >> 16) % m
            };
            let range = ((next(5), next(7)), (next(5), next(7)));
            let text = ["", "x", "😀", "\r\n", "é\n"][next(5) as usize];
            doc.apply(&u, version, vec![change(Some(range), text)]);
            let len = doc.source.text.len() as u32;
            let span = doc.span(Range {
                start: Position::new(0, 0),
                end: Position::new(u32::MAX, u32::MAX),
            });
            assert_eq!(span, Span::new(0, len));
            assert!(doc.source.text.len() < 4000);
        }
    }

    #[test]
    fn a_byte_order_mark_keeps_utf16_positions() {
        let u = uri("file:///k.json");
        let doc = Document::new(&u, "json", 1, "\u{feff}{\"a\": 1}".to_string());
        assert_eq!(doc.source.text, " {\"a\": 1}");
        // `"a"` is at UTF-16 column 2 in the editor, as in the text kmslint reads.
        assert_eq!(doc.offset(Position::new(0, 2)), 2);
        assert_eq!(doc.range(Span::new(2, 5)).start, Position::new(0, 2));
    }
}
