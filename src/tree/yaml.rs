//! YAML (CloudFormation templates) into the span tree, from saphyr-parser's events.
//!
//! Short tags become the long form CloudFormation documents: `!Sub x` is read as
//! `{"Fn::Sub": x}` and `!Ref x` as `{"Ref": x}`, so one resolver serves JSON and YAML.

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};

use super::json::{MAX_DEPTH, ParseError};
use super::{Member, Node, Span, Value};

/// Character index → byte offset (saphyr counts characters).
struct Offsets<'a> {
    text: &'a str,
    /// `None` for ASCII text, where the two are the same.
    table: Option<Vec<u32>>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let table = (!text.is_ascii()).then(|| {
            let mut t: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
            t.push(text.len() as u32);
            t
        });
        Offsets { text, table }
    }

    fn byte(&self, char_index: usize) -> u32 {
        match &self.table {
            None => char_index.min(self.text.len()) as u32,
            Some(t) => t.get(char_index).copied().unwrap_or(self.text.len() as u32),
        }
    }

    fn span(&self, s: &YSpan) -> Span {
        Span::new(self.byte(s.start.index()), self.byte(s.end.index()))
    }
}

enum Frame {
    Map {
        start: u32,
        tag: Option<(String, Span)>,
        members: Vec<Member>,
        key: Option<(String, Span)>,
    },
    Seq {
        start: u32,
        tag: Option<(String, Span)>,
        items: Vec<Node>,
    },
}

/// The CloudFormation long-form name of a short tag (`Sub` → `Fn::Sub`).
fn tag_key(suffix: &str) -> String {
    match suffix {
        "Ref" | "Condition" => suffix.to_string(),
        _ => format!("Fn::{suffix}"),
    }
}

/// Wrap a tagged node as `{"Fn::X": node}`; the key span is the tag's text.
fn apply_tag(node: Node, tag: Option<(String, Span)>) -> Node {
    match tag {
        None => node,
        Some((key, key_span)) => Node::new(
            Span::new(key_span.start, node.span.end.max(key_span.end)),
            Value::Object(vec![Member {
                key,
                key_span,
                value: node,
            }]),
        ),
    }
}

/// Where a block scalar's content starts: the first non-blank character of the line after
/// its indicator (`|`, `>-`) at `indicator`; `indicator` when there is no such line before
/// `end`.
fn block_content_start(text: &str, indicator: usize, end: usize) -> u32 {
    let bytes = text.as_bytes();
    let Some(newline) = bytes[indicator.min(bytes.len())..end.min(bytes.len())]
        .iter()
        .position(|&b| b == b'\n')
    else {
        return indicator as u32;
    };
    let mut i = indicator + newline + 1;
    while i < end.min(bytes.len()) && matches!(bytes[i], b' ' | b'\t') {
        i += 1;
    }
    i as u32
}

/// The end of a quoted scalar that starts at `start` (its opening quote): just after the
/// closing quote, or `fallback` when the text does not show one before it.
fn quoted_end(text: &str, start: usize, fallback: usize) -> u32 {
    let bytes = text.as_bytes();
    let Some(&quote) = bytes.get(start) else {
        return fallback as u32;
    };
    if quote != b'"' && quote != b'\'' {
        return fallback as u32;
    }
    let mut i = start + 1;
    while i < bytes.len().min(fallback.max(start + 1)) {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            // `''` is an escaped quote inside a single-quoted scalar.
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return (i + 1) as u32,
            _ => i += 1,
        }
    }
    fallback as u32
}

fn plain_scalar(s: &str) -> Value {
    match s {
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        _ if looks_numeric(s) => Value::Number(s.to_string()),
        _ => Value::String(s.to_string()),
    }
}

fn looks_numeric(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    !body.is_empty()
        && body.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && body.parse::<f64>().is_ok()
}

/// Parse the first YAML document into a span tree.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    let offsets = Offsets::new(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let tag_of =
        |tag: &Option<Cow<'_, saphyr_parser::Tag>>, span: Span| -> Option<(String, Span)> {
            let t = tag.as_ref()?;
            // Only the local `!Name` tags CloudFormation uses; `!!str` and the like are plain.
            if t.handle != "!" || t.suffix.is_empty() {
                return None;
            }
            let len = 1 + t.suffix.len() as u32;
            Some((tag_key(&t.suffix), Span::new(span.start, span.start + len)))
        };
    for item in Parser::new_from_str(text) {
        let (event, yspan) = item.map_err(|e| {
            let at = offsets.byte(e.marker().index());
            ParseError {
                span: Span::new(at, at + 1),
                message: format!("invalid YAML: {}", e.info()),
            }
        })?;
        let span = offsets.span(&yspan);
        let node = match event {
            Event::MappingStart(_, tag) | Event::SequenceStart(_, tag)
                if stack.len() >= MAX_DEPTH =>
            {
                let _ = tag;
                return Err(ParseError {
                    span: Span::new(span.start, span.start + 1),
                    message: format!("nesting deeper than {MAX_DEPTH} levels"),
                });
            }
            Event::MappingStart(_, tag) => {
                stack.push(Frame::Map {
                    start: span.start,
                    tag: tag_of(&tag, span),
                    members: Vec::new(),
                    key: None,
                });
                continue;
            }
            Event::SequenceStart(_, tag) => {
                stack.push(Frame::Seq {
                    start: span.start,
                    tag: tag_of(&tag, span),
                    items: Vec::new(),
                });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let Some(frame) = stack.pop() else { continue };
                let (start, tag, value, last_end) = match frame {
                    Frame::Map {
                        start,
                        tag,
                        members,
                        ..
                    } => {
                        let end = members.last().map_or(start, |m| m.value.span.end);
                        (start, tag, Value::Object(members), end)
                    }
                    Frame::Seq { start, tag, items } => {
                        let end = items.last().map_or(span.end, |n| n.span.end);
                        (start, tag, Value::Array(items), end)
                    }
                };
                // Flow collections end at their closing bracket; block ones at the last child.
                let end = if text
                    .as_bytes()
                    .get(span.end.saturating_sub(1) as usize)
                    .is_some_and(|b| matches!(b, b']' | b'}'))
                {
                    span.end.max(last_end)
                } else {
                    last_end
                };
                let start = tag.as_ref().map_or(start, |(_, s)| s.start.min(start));
                let inner_start = match &tag {
                    Some((_, ts)) => start.max(ts.end),
                    None => start,
                };
                let node = Node::new(Span::new(inner_start, end.max(inner_start)), value);
                apply_tag(node, tag)
            }
            Event::Scalar(value, style, _, tag) => {
                let tag = tag_of(&tag, span);
                let value = match style {
                    ScalarStyle::Plain if tag.is_none() => plain_scalar(&value),
                    _ => Value::String(value.into_owned()),
                };
                let inner_start = tag.as_ref().map_or(span.start, |(_, t)| {
                    let rest = text
                        .get(t.end as usize..span.end as usize)
                        .unwrap_or_default();
                    let after_blanks = t.end + (rest.len() - rest.trim_start().len()) as u32;
                    match style {
                        // A block scalar's content starts on the line after its indicator,
                        // where an untagged one's span starts.
                        ScalarStyle::Literal | ScalarStyle::Folded => {
                            block_content_start(text, after_blanks as usize, span.end as usize)
                        }
                        _ => after_blanks,
                    }
                });
                // A quoted scalar ends at its closing quote: what follows on the line (a
                // comment) is not part of it.
                let end = match style {
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                        quoted_end(text, inner_start as usize, span.end as usize)
                    }
                    _ => span.end,
                };
                let node = Node::new(Span::new(inner_start, end.max(inner_start)), value);
                apply_tag(node, tag)
            }
            Event::Alias(_) => Node::unknown(span, super::Unknown::new("a YAML alias")),
            Event::DocumentEnd => break,
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::Nothing => {
                continue;
            }
        };
        match stack.last_mut() {
            None => {
                root = Some(node);
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { members, key, .. }) => match key.take() {
                None => {
                    let k = match &node.value {
                        Value::String(s) => s.clone(),
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => n.clone(),
                        Value::Null => String::new(),
                        _ => {
                            return Err(ParseError {
                                span: node.span,
                                message: "a mapping key must be a scalar".to_string(),
                            });
                        }
                    };
                    *key = Some((k, node.span));
                }
                Some((k, key_span)) => members.push(Member {
                    key: k,
                    key_span,
                    value: node,
                }),
            },
        }
    }
    Ok(root.unwrap_or(Node::new(Span::at(0), Value::Null)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, s: Span) -> &str {
        &text[s.start as usize..s.end as usize]
    }

    #[test]
    fn spans_tags_and_types() {
        let text = "a:\n  b: !Sub \"x-${AWS::AccountId}\"\n  c: [1, true, 'q']\n  d: !GetAtt Role.Arn\n  é: \"ü\"\n";
        let root = parse(text).unwrap();
        let a = &root.get("a").unwrap().value;
        let b = &a.get("b").unwrap().value;
        assert_eq!(slice(text, b.span), "!Sub \"x-${AWS::AccountId}\"");
        let sub = b.get("Fn::Sub").unwrap();
        assert_eq!(slice(text, sub.key_span), "!Sub");
        assert_eq!(slice(text, sub.value.span), "\"x-${AWS::AccountId}\"");
        assert_eq!(sub.value.as_str(), Some("x-${AWS::AccountId}"));
        let c = &a.get("c").unwrap().value;
        assert_eq!(slice(text, c.span), "[1, true, 'q']");
        let items = c.one_or_many();
        assert_eq!(items[0].value, Value::Number("1".into()));
        assert_eq!(items[1].value, Value::Bool(true));
        assert_eq!(slice(text, items[2].span), "'q'");
        let d = a.get("d").unwrap();
        assert!(d.value.get("Fn::GetAtt").is_some());
        let e = a.get("é").unwrap();
        assert_eq!(slice(text, e.key_span), "é");
        assert_eq!(slice(text, e.value.span), "\"ü\"");
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("a: [1, 2\nb: c").unwrap_err();
        assert!(e.message.starts_with("invalid YAML"), "{}", e.message);
        let deep = "[".repeat(1000) + &"]".repeat(1000);
        assert!(parse(&deep).is_err());
    }
}
