//! Policies written as strings inside another file: decode, parse, map spans back.

use super::{ExtractError, PolicyDoc};
use crate::tree::Dialect;
use crate::tree::escape::{Decoded, Encoding};
use crate::tree::hcl::Source;
use crate::tree::{Node, Span, Unknown, Value, has_template_part, json};

/// The decoded text of a string node and the map back into the file, for a string literal
/// written with JSON escapes (JSON files, HCL quoted strings).
pub fn json_string(node: &Node, file: &str) -> Result<Decoded, ExtractError> {
    json_string_in(
        node.span,
        Source {
            text: file,
            base: 0,
        },
    )
}

/// [`json_string`] for a string literal at `span` of a source whose spans start at a base.
pub fn json_string_in(span: Span, src: Source<'_>) -> Result<Decoded, ExtractError> {
    let literal = src.slice(span);
    let raw = literal
        .get(1..literal.len().saturating_sub(1))
        .unwrap_or_default();
    Decoded::new(raw, span.start + 1).map_err(|e| ExtractError {
        policy: None,
        span: Span::new(e.offset, e.offset + 2),
        message: e.message,
    })
}

/// The map of a YAML string scalar: exact for single-line plain and quoted scalars and for
/// literal blocks (`|`); other styles (folded `>`, multi-line flow scalars) point every
/// position at the start of the scalar.
pub fn yaml_string(node: &Node, value: &str, file: &str) -> Decoded {
    let (start, end) = (node.span.start as usize, node.span.end as usize);
    let source = file.get(start..end).unwrap_or_default();
    let exact = || -> Option<(Vec<u32>, Encoding)> {
        if let Some(inner) = source.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            if inner.contains('\n') {
                return None;
            }
            let d = Decoded::new(inner, node.span.start + 1).ok()?;
            return (d.text == value).then(|| {
                let offsets = (0..=value.len() as u32)
                    .map(|i| d.map(Span::new(i, i)).start)
                    .collect();
                (offsets, Encoding::JsonString)
            });
        }
        if let Some(inner) = source.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            if inner.contains('\n') {
                return None;
            }
            let mut offsets = Vec::with_capacity(value.len() + 1);
            let mut text = String::new();
            let mut i = 0;
            while i < inner.len() {
                let ch = inner[i..].chars().next()?;
                let at = node.span.start + 1 + i as u32;
                for _ in 0..ch.len_utf8() {
                    offsets.push(at);
                }
                text.push(ch);
                i += if inner[i..].starts_with("''") {
                    2
                } else {
                    ch.len_utf8()
                };
            }
            offsets.push(node.span.end - 1);
            return (text == value).then_some((offsets, Encoding::SingleQuoted));
        }
        if source == value.trim_end_matches('\n') && !source.contains('\n') {
            // A plain scalar: what an edit may contain without changing how YAML reads
            // it is not known here, so none is placed.
            return Some((
                (0..=value.len() as u32)
                    .map(|i| node.span.start + i.min(source.len() as u32))
                    .collect(),
                Encoding::Inexact,
            ));
        }
        // A literal block: each decoded line is a source line less the block's indentation.
        let line_start = file[..start].rfind('\n').map_or(0, |i| i + 1);
        let indent = start - line_start;
        let mut offsets = Vec::with_capacity(value.len() + 1);
        let mut text = String::new();
        let mut pos = line_start;
        for line in value.split_inclusive('\n') {
            let src_line_end = file[pos..].find('\n').map_or(file.len(), |i| pos + i);
            let src_line = &file[pos..src_line_end];
            let content_start = if src_line.len() >= indent {
                pos + indent
            } else {
                src_line_end
            };
            let content = line.strip_suffix('\n').unwrap_or(line);
            if file.get(content_start..content_start + content.len()) != Some(content) {
                return None;
            }
            for i in 0..content.len() {
                offsets.push((content_start + i) as u32);
            }
            if line.ends_with('\n') {
                offsets.push(src_line_end as u32);
            }
            text.push_str(line);
            pos = (src_line_end + 1).min(file.len());
        }
        offsets.push(offsets.last().map_or(node.span.start, |o| o + 1));
        let indent = Encoding::Lines {
            indent: " ".repeat(indent),
        };
        (text == value).then_some((offsets, indent))
    };
    let (offsets, encoding) =
        exact().unwrap_or_else(|| (vec![node.span.start; value.len() + 1], Encoding::Inexact));
    Decoded::from_parts(value.to_string(), offsets, encoding)
}

/// Parse a decoded policy. Errors are mapped to the file.
pub fn parse_policy(name: Option<String>, decoded: Decoded) -> Result<PolicyDoc, ExtractError> {
    parse_decoded(name, decoded, false)
}

/// Parse a decoded policy written in a Terraform template (`${…}` and `%{…}` parts: see
/// [`json::parse_template`]).
pub fn parse_template_policy(
    name: Option<String>,
    decoded: Decoded,
) -> Result<PolicyDoc, ExtractError> {
    parse_decoded(name, decoded, true)
}

fn parse_decoded(
    name: Option<String>,
    decoded: Decoded,
    template: bool,
) -> Result<PolicyDoc, ExtractError> {
    let parsed = if template {
        json::parse_template(&decoded.text)
    } else {
        json::parse(&decoded.text)
    };
    match parsed {
        Ok(mut root) => {
            mark_interpolations(&mut root);
            Ok(PolicyDoc {
                name,
                root,
                embedded: Some(std::sync::Arc::new(decoded)),
                origin: None,
                dialect: if template {
                    Dialect::TfString
                } else {
                    Dialect::Json
                },
            })
        }
        Err(e) => Err(ExtractError {
            policy: name,
            span: decoded.map(e.span),
            message: format!("the embedded policy is not valid JSON: {}", e.message),
        }),
    }
}

/// Strings with template expressions kmslint cannot resolve (`${var.admin}`, `${AWS::Region}`)
/// become partly known strings; those naming the current account or partition stay strings.
pub fn mark_interpolations(root: &mut Node) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if let Value::String(s) = &node.value {
            if has_template_part(s) {
                node.value = Value::Unknown(Unknown::partial(s.clone()));
            }
            continue;
        }
        match &mut node.value {
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(members) => stack.extend(members.iter_mut().map(|m| &mut m.value)),
            _ => {}
        }
    }
}
