//! A strict JSON (RFC 8259) parser that builds the span tree.
//!
//! Hand-written because kmslint needs what general JSON parsers drop: the byte range of every
//! key and value, every duplicate key in source order, an exact error position with a useful
//! message, and a hard nesting limit so hostile input cannot exhaust the stack.

use super::escape::decode_into;
use super::{Member, Node, Span, Value};

/// Nesting deeper than this is refused; real key policies nest fewer than ten levels.
pub const MAX_DEPTH: usize = 256;

/// Why the text is not valid JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

/// Parse a complete JSON document.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    p.skip_ws();
    let node = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.error_here("unexpected text after the end of the JSON document"));
    }
    Ok(node)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// An error at the current position, naming what is there.
    fn error_here(&self, message: &str) -> ParseError {
        let (span, found) = match self.text[self.pos..].chars().next() {
            None => (Span::at(self.pos as u32), "the end of the file".to_string()),
            Some(c) => (
                Span::new(self.pos as u32, (self.pos + c.len_utf8()) as u32),
                describe_char(c),
            ),
        };
        ParseError {
            span,
            message: format!("{message}, found {found}"),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, ParseError> {
        let start = self.pos;
        match self.bytes.get(self.pos) {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let s = self.string()?;
                Ok(Node {
                    span: Span::new(start as u32, self.pos as u32),
                    value: Value::String(s),
                })
            }
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error_here("expected a JSON value")),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Node, ParseError> {
        let start = self.pos;
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(Node {
                span: Span::new(start as u32, self.pos as u32),
                value,
            })
        } else {
            Err(self.error_here("expected a JSON value"))
        }
    }

    fn number(&mut self) -> Result<Node, ParseError> {
        let start = self.pos;
        let b = self.bytes;
        let digits = |pos: &mut usize| {
            let s = *pos;
            while b.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos > s
        };
        let mut pos = self.pos;
        if b[pos] == b'-' {
            pos += 1;
        }
        let int_start = pos;
        if !digits(&mut pos) {
            self.pos = pos;
            return Err(self.error_here("expected a digit in the number"));
        }
        if b[int_start] == b'0' && pos - int_start > 1 {
            self.pos = int_start;
            return Err(ParseError {
                span: Span::new(start as u32, pos as u32),
                message: "numbers may not have leading zeros".to_string(),
            });
        }
        if b.get(pos) == Some(&b'.') {
            pos += 1;
            if !digits(&mut pos) {
                self.pos = pos;
                return Err(self.error_here("expected a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = b.get(pos) {
            pos += 1;
            if let Some(b'+' | b'-') = b.get(pos) {
                pos += 1;
            }
            if !digits(&mut pos) {
                self.pos = pos;
                return Err(self.error_here("expected a digit in the exponent"));
            }
        }
        self.pos = pos;
        Ok(Node {
            span: Span::new(start as u32, pos as u32),
            value: Value::Number(self.text[start..pos].to_string()),
        })
    }

    /// Parse a string literal at the current `"`, returning its decoded value.
    fn string(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let body_start = self.pos;
        let mut has_escape = false;
        loop {
            match self.bytes.get(self.pos) {
                None => {
                    return Err(ParseError {
                        span: Span::new(open as u32, self.pos as u32),
                        message: "unterminated string".to_string(),
                    });
                }
                Some(b'"') => break,
                Some(b'\\') => {
                    has_escape = true;
                    self.pos += 2;
                }
                Some(&c) if c < 0x20 => {
                    let what = if c == b'\n' || c == b'\r' {
                        "line break inside a string (write `\\n`, or close the string)"
                    } else {
                        "control character inside a string (escape it as `\\u00XX`)"
                    };
                    return Err(ParseError {
                        span: Span::new(self.pos as u32, self.pos as u32 + 1),
                        message: what.to_string(),
                    });
                }
                Some(_) => self.pos += 1,
            }
        }
        let raw = &self.text[body_start..self.pos];
        self.pos += 1;
        if !has_escape {
            return Ok(raw.to_string());
        }
        let mut out = String::with_capacity(raw.len());
        decode_into(raw, &mut out, |_, _| {}).map_err(|e| {
            let at = body_start as u32 + e.offset;
            ParseError {
                span: Span::new(at, at + 2),
                message: e.message,
            }
        })?;
        Ok(out)
    }

    fn enter(&self, depth: usize) -> Result<(), ParseError> {
        if depth >= MAX_DEPTH {
            Err(ParseError {
                span: Span::new(self.pos as u32, self.pos as u32 + 1),
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
            })
        } else {
            Ok(())
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node, ParseError> {
        self.enter(depth)?;
        let start = self.pos;
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Node {
                span: Span::new(start as u32, self.pos as u32),
                value: Value::Object(members),
            });
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b'"') {
                let msg = if self.bytes.get(self.pos) == Some(&b'}') {
                    "trailing comma before `}`: remove the comma"
                } else {
                    "expected an object key in double quotes"
                };
                return Err(self.error_here(msg));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span::new(key_start as u32, self.pos as u32);
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.error_here("expected `:` after the object key"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            members.push(Member {
                key,
                key_span,
                value,
            });
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Node {
                        span: Span::new(start as u32, self.pos as u32),
                        value: Value::Object(members),
                    });
                }
                _ => return Err(self.error_here("expected `,` or `}` after the object member")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Node, ParseError> {
        self.enter(depth)?;
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Node {
                span: Span::new(start as u32, self.pos as u32),
                value: Value::Array(items),
            });
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) == Some(&b']') {
                return Err(self.error_here("trailing comma before `]`: remove the comma"));
            }
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node {
                        span: Span::new(start as u32, self.pos as u32),
                        value: Value::Array(items),
                    });
                }
                _ => return Err(self.error_here("expected `,` or `]` after the array element")),
            }
        }
    }
}

fn describe_char(c: char) -> String {
    match c {
        '\0' => "a NUL byte".to_string(),
        c if c.is_control() => format!("control character U+{:04X}", c as u32),
        '\u{fffd}' => "invalid UTF-8 or U+FFFD".to_string(),
        c => format!("`{c}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_of_keys_and_values() {
        let text = r#"{"a": [1, "x\"y"], "a": true}"#;
        let node = parse(text).unwrap();
        let m = node.members();
        assert_eq!(m.len(), 2, "duplicate keys are kept");
        assert_eq!(
            &text[m[0].key_span.start as usize..m[0].key_span.end as usize],
            "\"a\""
        );
        let arr = m[0].value.one_or_many();
        assert_eq!(arr[1].as_str(), Some("x\"y"));
        assert_eq!(
            &text[arr[1].span.start as usize..arr[1].span.end as usize],
            r#""x\"y""#
        );
        assert_eq!(m[1].value.value, Value::Bool(true));
        assert_eq!(node.span, Span::new(0, text.len() as u32));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = parse("{\"a\": 1,}").unwrap_err();
        assert_eq!(e.span.start, 8);
        assert!(e.message.starts_with("trailing comma"), "{}", e.message);
        let e = parse("{\"a\" 1}").unwrap_err();
        assert_eq!(e.span.start, 5);
        let e = parse("[1, 2").unwrap_err();
        assert!(
            e.message.ends_with("found the end of the file"),
            "{}",
            e.message
        );
        assert!(parse("01").is_err());
        assert!(parse("\"a\nb\"").is_err());
        assert!(parse("{} x").is_err());
        assert!(parse("-").is_err());
        assert!(parse("1.5e+3").is_ok());
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("nesting deeper"), "{}", e.message);
        let ok = "[".repeat(100) + &"]".repeat(100);
        assert!(parse(&ok).is_ok());
    }
}
