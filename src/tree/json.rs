//! A strict JSON (RFC 8259) parser that builds the span tree.
//!
//! Hand-written because kmslint needs what general JSON parsers drop: the byte range of every
//! key and value, every duplicate key in source order, an exact error position with a useful
//! message, and a hard nesting limit so hostile input cannot exhaust the stack.

use super::escape::decode_into;
use super::{Member, Node, Span, Unknown, Value, has_template_part, hole_end};

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
    Parser::new(text, false).document().map(|(node, _)| node)
}

/// Parse a complete JSON document, and give the offset where each of its lines starts: every
/// line break of valid JSON is whitespace between tokens, so the parser sees them all.
pub fn parse_with_lines(text: &str) -> Result<(Node, Vec<u32>), ParseError> {
    let mut starts = Vec::with_capacity(text.len() / 32 + 1);
    starts.push(0);
    let mut parser = Parser::new(text, false);
    parser.lines = Some(starts);
    let (node, lines) = parser.document()?;
    Ok((node, lines.unwrap_or_default()))
}

/// Parse JSON written in a Terraform template (a `templatefile` file, a heredoc, a quoted
/// string): `${…}` where a value stands is an unknown value, `${…}` inside a string makes it a
/// partly known string, and the bodies of `%{ for }`/`%{ if }` directives are values that may
/// be present. Commas next to a directive or an interpolation may be missing or doubled, as
/// rendering decides them; everything else must be valid JSON.
pub fn parse_template(text: &str) -> Result<Node, ParseError> {
    Parser::new(text, true).document().map(|(node, _)| node)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Template mode (see [`parse_template`]).
    template: bool,
    /// Open `%{ for }`/`%{ if }` directives around the current position.
    maybe: usize,
    /// A directive or an interpolation stood since the last value: a comma may be missing.
    loose: bool,
    /// The members and elements of the objects and arrays being read, nested ones on top:
    /// each object or array takes its own off the top when it closes, in one allocation of
    /// the right size.
    members: Vec<Member>,
    items: Vec<Node>,
    /// Where each line starts, when asked for (see [`parse_with_lines`]).
    lines: Option<Vec<u32>>,
}

thread_local! {
    /// The member and element stacks of the last parse on this thread, kept for the next so
    /// each file does not grow its own.
    static STACKS: std::cell::Cell<(Vec<Member>, Vec<Node>)> =
        const { std::cell::Cell::new((Vec::new(), Vec::new())) };
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // What a parse that failed left on the stacks goes; their room stays for the next,
        // unless a huge document made it huge.
        const KEPT: usize = 4096;
        if self.members.capacity() <= KEPT && self.items.capacity() <= KEPT {
            self.members.clear();
            self.items.clear();
            STACKS.set((
                std::mem::take(&mut self.members),
                std::mem::take(&mut self.items),
            ));
        }
    }
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, template: bool) -> Self {
        let (members, items) = STACKS.take();
        Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            template,
            maybe: 0,
            loose: false,
            members,
            items,
            lines: None,
        }
    }

    /// The document, and the line starts noted when asked for.
    fn document(mut self) -> Result<(Node, Option<Vec<u32>>), ParseError> {
        self.skip_ws();
        let node = self.value(0)?;
        self.skip_ws();
        if self.pos < self.bytes.len() {
            return Err(self.error_here("unexpected text after the end of the JSON document"));
        }
        Ok((node, self.lines.take()))
    }

    fn skip_ws(&mut self) {
        loop {
            let bytes = self.bytes;
            let mut pos = self.pos;
            while let Some(&b) = bytes.get(pos) {
                match b {
                    b' ' | b'\t' | b'\r' => pos += 1,
                    b'\n' => {
                        pos += 1;
                        if let Some(lines) = &mut self.lines {
                            lines.push(pos as u32);
                        }
                        // Indentation: the spaces that start the next eight bytes, at once.
                        while let Some(chunk) = bytes.get(pos..pos + 8) {
                            let mut word = [0u8; 8];
                            word.copy_from_slice(chunk);
                            let other = u64::from_le_bytes(word) ^ u64::from_le_bytes(*b"        ");
                            if other != 0 {
                                pos += other.trailing_zeros() as usize / 8;
                                break;
                            }
                            pos += 8;
                        }
                    }
                    _ => break,
                }
            }
            self.pos = pos;
            if !(self.template && self.text[self.pos..].starts_with("%{")) {
                return;
            }
            self.directive();
        }
    }

    /// Skip a `%{ … }` directive at the current position, opening or closing a part that may
    /// be present.
    fn directive(&mut self) {
        let body_start = self.pos + 2;
        let end = body_start + hole_end(&self.text[body_start..]);
        let body = self.text[body_start..end].trim_matches(|c: char| c == '~' || c.is_whitespace());
        let word = body.split_whitespace().next().unwrap_or_default();
        match word {
            "for" | "if" => self.maybe += 1,
            "endfor" | "endif" => self.maybe = self.maybe.saturating_sub(1),
            _ => {}
        }
        self.pos = (end + 1).min(self.bytes.len());
        self.loose = true;
    }

    /// A `${…}` interpolation where a value stands: an unknown value.
    fn interpolation(&mut self) -> Node {
        let start = self.pos;
        let end = (start + 2 + hole_end(&self.text[start + 2..]) + 1).min(self.bytes.len());
        self.pos = end;
        self.loose = true;
        Node::unknown(
            Span::new(start as u32, end as u32),
            Unknown::new(&self.text[start..end]),
        )
    }

    fn at_interpolation(&self) -> bool {
        self.template && self.text[self.pos..].starts_with("${")
    }

    /// After an element: `,` and the closing bracket as JSON wants them, or, in a template
    /// where a directive or an interpolation stood, no comma (rendering supplies it).
    fn separator(&mut self, close: u8) -> Option<bool> {
        match self.bytes.get(self.pos) {
            Some(b',') => {
                self.pos += 1;
                self.skip_ws();
                if self.template && self.bytes.get(self.pos) == Some(&close) {
                    // A trailing comma that a loop renders before the closing bracket.
                    self.pos += 1;
                    return Some(true);
                }
                Some(false)
            }
            Some(&b) if b == close => {
                self.pos += 1;
                Some(true)
            }
            Some(_) if self.template && self.loose => Some(false),
            _ => None,
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
        let maybe = self.maybe > 0;
        let mut node = if self.at_interpolation() {
            self.interpolation()
        } else {
            self.loose = false;
            self.plain_value(depth)?
        };
        node.maybe |= maybe;
        Ok(node)
    }

    fn plain_value(&mut self, depth: usize) -> Result<Node, ParseError> {
        let start = self.pos;
        match self.bytes.get(self.pos) {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let s = self.string()?;
                let span = Span::new(start as u32, self.pos as u32);
                if self.template && has_template_part(&s) {
                    return Ok(Node::unknown(span, Unknown::partial(s)));
                }
                Ok(Node::new(span, Value::String(s)))
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
            Ok(Node::new(Span::new(start as u32, self.pos as u32), value))
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
        Ok(Node::new(
            Span::new(start as u32, pos as u32),
            Value::Number(self.text[start..pos].to_string()),
        ))
    }

    /// Parse a string literal at the current `"`, returning its decoded value.
    fn string(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let body_start = self.pos;
        let mut has_escape = false;
        loop {
            self.pos = plain_run_end(self.bytes, self.pos);
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
                Some(b'$' | b'%')
                    if self.template && self.bytes.get(self.pos + 1) == Some(&b'{') =>
                {
                    // A template part inside the string: its text may hold quotes.
                    let body = self.pos + 2;
                    self.pos = (body + hole_end(&self.text[body..]) + 1).min(self.bytes.len());
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
        match decode_into(raw, &mut out, |_, _| {}) {
            Ok(()) => Ok(out),
            // A backslash inside a template part is the template's business, not JSON's.
            Err(_) if self.template && has_template_part(raw) => Ok(raw.to_string()),
            Err(e) => {
                let at = body_start as u32 + e.offset;
                Err(ParseError {
                    span: Span::new(at, at + 2),
                    message: e.message,
                })
            }
        }
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
        let base = self.members.len();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Node::new(
                Span::new(start as u32, self.pos as u32),
                Value::Object(self.members.split_off(base)),
            ));
        }
        loop {
            self.skip_ws();
            if self.at_interpolation() {
                // Members a template computes: unknown, under a key that says so.
                let node = self.interpolation();
                self.members.push(Member {
                    key: self.text[node.span.start as usize..node.span.end as usize].to_string(),
                    key_span: node.span,
                    value: node,
                });
            } else {
                if self.bytes.get(self.pos) != Some(&b'"') {
                    let msg = if self.bytes.get(self.pos) == Some(&b'}') {
                        "trailing comma before `}`: remove the comma"
                    } else {
                        "expected an object key in double quotes"
                    };
                    return Err(self.error_here(msg));
                }
                let maybe = self.maybe > 0;
                let key_start = self.pos;
                let key = self.string()?;
                let key_span = Span::new(key_start as u32, self.pos as u32);
                self.skip_ws();
                if self.bytes.get(self.pos) != Some(&b':') {
                    return Err(self.error_here("expected `:` after the object key"));
                }
                self.pos += 1;
                self.skip_ws();
                let mut value = self.value(depth + 1)?;
                value.maybe |= maybe;
                self.members.push(Member {
                    key,
                    key_span,
                    value,
                });
            }
            self.skip_ws();
            match self.separator(b'}') {
                Some(false) => {}
                Some(true) => {
                    return Ok(Node::new(
                        Span::new(start as u32, self.pos as u32),
                        Value::Object(self.members.split_off(base)),
                    ));
                }
                None => return Err(self.error_here("expected `,` or `}` after the object member")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Node, ParseError> {
        self.enter(depth)?;
        let start = self.pos;
        self.pos += 1;
        let base = self.items.len();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Node::new(
                Span::new(start as u32, self.pos as u32),
                Value::Array(self.items.split_off(base)),
            ));
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) == Some(&b']') {
                if self.template {
                    self.pos += 1;
                    return Ok(Node::new(
                        Span::new(start as u32, self.pos as u32),
                        Value::Array(self.items.split_off(base)),
                    ));
                }
                return Err(self.error_here("trailing comma before `]`: remove the comma"));
            }
            let item = self.value(depth + 1)?;
            self.items.push(item);
            self.skip_ws();
            match self.separator(b']') {
                Some(false) => {}
                Some(true) => {
                    return Ok(Node::new(
                        Span::new(start as u32, self.pos as u32),
                        Value::Array(self.items.split_off(base)),
                    ));
                }
                None => return Err(self.error_here("expected `,` or `]` after the array element")),
            }
        }
    }
}

/// The bytes a string scanner must look at: `"`, `\`, control characters, and `$`/`%`
/// (which may start a template part).
static SPECIAL: [bool; 256] = {
    let mut t = super::escape::ESCAPED;
    t[b'$' as usize] = true;
    t[b'%' as usize] = true;
    t
};

/// The first position at or after `pos` whose byte is [`SPECIAL`] (or the end).
fn plain_run_end(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = bytes.get(pos) {
        if SPECIAL[b as usize] {
            break;
        }
        pos += 1;
    }
    pos
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
