//! Decoding of JSON string escapes with a map from each decoded byte back to its source offset.
//!
//! A policy embedded as a JSON string (`aws kms get-key-policy` output, a CloudFormation
//! `KeyPolicy` string, a Terraform plan's `policy`) is decoded, parsed as JSON, and every span
//! of the parsed tree is mapped back through [`Decoded::map`] into the original file.

use super::Span;

/// The bytes a JSON string literal escapes: `"`, `\` and control characters.
pub const ESCAPED: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// Whether any byte is `"`, `\` or a control character. Written as a branch-free loop over
/// blocks, which the compiler turns into vector instructions: every string written goes
/// through it.
fn needs_escape(bytes: &[u8]) -> bool {
    let escaped = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
    let mut blocks = bytes.chunks_exact(16);
    for block in &mut blocks {
        if block.iter().fold(0u8, |acc, &b| acc | u8::from(escaped(b))) != 0 {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| escaped(b))
}

/// Append `s` as a JSON string literal, escaped as serde_json escapes it.
pub fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    push_json_escaped(out, s);
    out.push('"');
}

/// Append `s` escaped as the body of a JSON string literal (without the quotes). Runs of
/// characters that need no escape are copied whole.
pub fn push_json_escaped(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    // Most strings need no escape: find that out a block at a time.
    if !needs_escape(bytes) {
        out.push_str(s);
        return;
    }
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !ESCAPED[b as usize] {
            i += 1;
            continue;
        }
        out.push_str(&s[run..i]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 0xf)] as char);
            }
        }
        i += 1;
        run = i;
    }
    out.push_str(&s[run..]);
}

/// Append `n` in decimal, as a JSON number.
pub fn push_json_uint(out: &mut String, n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

/// A string escape that is not valid JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscapeError {
    /// Byte offset (in the source) where the bad escape starts.
    pub offset: u32,
    pub message: String,
}

/// Decode the body of a JSON string literal (the text between the quotes) into `out`.
/// `on_piece(out_len, src_offset)` is called before each decoded character is appended, with
/// the output length so far and the source offset (relative to `raw`) of what produced it.
pub fn decode_into(
    raw: &str,
    out: &mut String,
    mut on_piece: impl FnMut(usize, usize),
) -> Result<(), EscapeError> {
    let bytes = raw.as_bytes();
    let mut i = 0;
    let err = |offset: usize, message: &str| EscapeError {
        offset: offset as u32,
        message: message.to_string(),
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b != b'\\' {
            // Copy the run up to the next backslash in one go.
            let run_end = bytes[i..]
                .iter()
                .position(|&c| c == b'\\')
                .map_or(bytes.len(), |p| i + p);
            for (k, ch) in raw[i..run_end].char_indices() {
                on_piece(out.len(), i + k);
                out.push(ch);
            }
            i = run_end;
            continue;
        }
        let start = i;
        let Some(&esc) = bytes.get(i + 1) else {
            return Err(err(start, "unfinished escape at the end of the string"));
        };
        let simple = match esc {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            b'u' => None,
            _ => return Err(err(start, "invalid escape sequence")),
        };
        if let Some(ch) = simple {
            on_piece(out.len(), start);
            out.push(ch);
            i += 2;
            continue;
        }
        let hex = |at: usize| -> Result<u32, EscapeError> {
            let digits = raw
                .get(at..at + 4)
                .ok_or_else(|| err(start, "`\\u` needs four hex digits"))?;
            if !digits.bytes().all(|d| d.is_ascii_hexdigit()) {
                return Err(err(start, "`\\u` needs four hex digits"));
            }
            u32::from_str_radix(digits, 16).map_err(|_| err(start, "`\\u` needs four hex digits"))
        };
        let first = hex(i + 2)?;
        i += 6;
        let code = if (0xD800..0xDC00).contains(&first) {
            if bytes.get(i) == Some(&b'\\') && bytes.get(i + 1) == Some(&b'u') {
                let second = hex(i + 2)?;
                if !(0xDC00..0xE000).contains(&second) {
                    return Err(err(start, "unpaired UTF-16 surrogate in `\\u` escape"));
                }
                i += 6;
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            } else {
                return Err(err(start, "unpaired UTF-16 surrogate in `\\u` escape"));
            }
        } else if (0xDC00..0xE000).contains(&first) {
            return Err(err(start, "unpaired UTF-16 surrogate in `\\u` escape"));
        } else {
            first
        };
        let ch = char::from_u32(code).ok_or_else(|| err(start, "invalid `\\u` escape"))?;
        on_piece(out.len(), start);
        out.push(ch);
    }
    Ok(())
}

/// How text is written where a decoded policy comes from, so that an edit of the decoded
/// text can be written back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encoding {
    /// The body of a JSON string literal (also a YAML double-quoted scalar).
    JsonString,
    /// A YAML single-quoted scalar: `'` is doubled.
    SingleQuoted,
    /// Text copied line by line (a heredoc, a YAML literal block, a template file): a line
    /// break in inserted text is followed by `indent`, the indentation the source adds.
    Lines { indent: String },
    /// The map is not exact (a folded YAML scalar): no edit can be placed.
    Inexact,
}

impl Encoding {
    /// `content` (decoded text) as the source writes it; `None` when it cannot be written
    /// safely (template syntax, which the source would interpret, or an inexact map).
    pub fn encode(&self, content: &str) -> Option<String> {
        if content.contains("${") || content.contains("%{") {
            return None;
        }
        match self {
            Encoding::JsonString => {
                let mut out = String::with_capacity(content.len());
                push_json_escaped(&mut out, content);
                Some(out)
            }
            Encoding::SingleQuoted => {
                (!content.contains('\n')).then(|| content.replace('\'', "''"))
            }
            Encoding::Lines { indent } => Some(content.replace('\n', &format!("\n{indent}"))),
            Encoding::Inexact => None,
        }
    }
}

/// A decoded string and, for every decoded byte, the source offset of what produced it.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    /// `offsets[i]` is the source offset of decoded byte `i`; one extra entry for the end.
    offsets: Vec<u32>,
    /// How the source writes the text.
    pub encoding: Encoding,
}

impl Decoded {
    /// Decode `raw`, the body of a string literal that starts at offset `base` in its file.
    pub fn new(raw: &str, base: u32) -> Result<Decoded, EscapeError> {
        let mut text = String::with_capacity(raw.len());
        let mut offsets = Vec::with_capacity(raw.len() + 1);
        decode_into(raw, &mut text, |out_len, src| {
            // Every byte of a multi-byte character maps to where the character came from.
            offsets.resize(out_len, offsets.last().copied().unwrap_or(base));
            offsets.push(base + src as u32);
        })
        .map_err(|e| EscapeError {
            offset: base + e.offset,
            ..e
        })?;
        let last = offsets.last().copied().unwrap_or(base);
        offsets.resize(text.len(), last);
        offsets.push(base + raw.len() as u32);
        Ok(Decoded {
            text,
            offsets,
            encoding: Encoding::JsonString,
        })
    }

    /// A decoded text whose every byte comes from `offsets[i]` (one extra entry for the end),
    /// written in the source as `encoding` says.
    pub fn from_parts(text: String, offsets: Vec<u32>, encoding: Encoding) -> Decoded {
        debug_assert_eq!(offsets.len(), text.len() + 1);
        Decoded {
            text,
            offsets,
            encoding,
        }
    }

    /// Map a span of the decoded text to the span of the source text that produced it.
    pub fn map(&self, span: Span) -> Span {
        let at = |o: u32| {
            let o = (o as usize).min(self.offsets.len() - 1);
            self.offsets[o]
        };
        let start = at(span.start);
        let end = if span.is_empty() {
            start
        } else {
            // The end is where the next decoded character starts.
            at(span.end).max(start)
        };
        Span::new(start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let mut cases: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
        // Escapes on each side of a block boundary, in long runs, and next to wide characters.
        for at in 0..40 {
            let mut s = "a".repeat(40);
            s.insert(at, '"');
            cases.push(s.clone());
            s.insert(at / 2, '\\');
            s.push('\u{1}');
            cases.push(s);
        }
        cases.push(
            "Add `\"Condition\": {\"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}}` é ✓ 🔑\n\t"
                .repeat(3),
        );
        cases.push(String::new());
        for case in cases {
            let mut out = String::new();
            push_json_string(&mut out, &case);
            assert_eq!(out, serde_json::to_string(&case).unwrap(), "{case:?}");
        }
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 7, 10, 99, 100, 65_535, 1_000_000, u32::MAX] {
            let mut out = String::from("x");
            push_json_uint(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn maps_through_escapes() {
        // source: a\"b\u00e9\nc  (offsets from 10)
        let raw = r#"a\"b\u00e9\nc"#;
        let d = Decoded::new(raw, 10).unwrap();
        assert_eq!(d.text, "a\"b\u{e9}\nc");
        // `b` is decoded byte 2, written at raw offset 3
        assert_eq!(d.map(Span::new(2, 3)), Span::new(13, 14));
        // `é` (2 bytes decoded) comes from `\u00e9` (6 source bytes)
        assert_eq!(d.map(Span::new(3, 5)), Span::new(14, 20));
        // `c` at the end
        assert_eq!(d.map(Span::new(6, 7)), Span::new(22, 23));
        assert_eq!(d.map(Span::new(0, 7)), Span::new(10, 23));
    }

    #[test]
    fn surrogate_pairs_and_errors() {
        let d = Decoded::new(r"\ud83d\ude00!", 0).unwrap();
        assert_eq!(d.text, "\u{1F600}!");
        assert_eq!(d.map(Span::new(4, 5)), Span::new(12, 13));
        assert!(Decoded::new(r"\ud83d", 0).is_err());
        assert!(Decoded::new(r"\x", 0).is_err());
        assert!(Decoded::new(r"\u12", 0).is_err());
        assert_eq!(Decoded::new(r"ab\q", 5).unwrap_err().offset, 7);
    }
}
