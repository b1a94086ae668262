//! HCL (Terraform `.tf`) into the span tree, through hcl-edit.
//!
//! Only what a key policy needs is converted: literals, objects, tuples and string templates.
//! A template whose interpolations name the current account or partition keeps its text (the
//! model resolves those); references to `aws_iam_group`/`aws_iam_role`/`aws_iam_user`
//! resources become known referents; every other expression is an unknown value.

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::Body;
use hcl_edit::template::{Element, Template};
use hcl_edit::{Ident, Span as _};

use super::json::{MAX_DEPTH, ParseError};
use super::{Member, Node, Referent, Span, Unknown, Value};
use crate::model::principal::normalize_symbols;

/// Parse a `.tf` file's body.
pub fn parse_body(text: &str) -> Result<Body, ParseError> {
    hcl_edit::parser::parse_body(text).map_err(|e| {
        let at = e.location().offset().min(text.len()) as u32;
        ParseError {
            span: Span::new(at, (at + 1).min(text.len() as u32).max(at)),
            message: format!("invalid HCL: {}", e.message()),
        }
    })
}

fn span_of(r: Option<std::ops::Range<usize>>) -> Span {
    r.map_or(Span::default(), |r| Span::new(r.start as u32, r.end as u32))
}

fn unknown(text: &str, span: Span, refers_to: Option<Referent>) -> Node {
    let description = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or("an expression")
        .to_string();
    Node {
        span,
        value: Value::Unknown(Unknown {
            description,
            refers_to,
        }),
    }
}

/// The text of a template: literal parts as written, interpolations as `${…}` source text.
/// `None` when it has directives (`%{if}`), which kmslint does not evaluate.
fn template_text(t: &Template, text: &str) -> Option<String> {
    let mut out = String::new();
    for element in t.iter() {
        match element {
            Element::Literal(l) => out.push_str(l.value()),
            Element::Interpolation(i) => {
                let s = span_of(i.span());
                out.push_str(text.get(s.start as usize..s.end as usize)?);
            }
            Element::Directive(_) => return None,
        }
    }
    Some(out)
}

/// A string with interpolations: a string when every interpolation names the current account
/// or partition, else unknown.
pub fn interpolated(s: String, span: Span, text: &str) -> Node {
    if normalize_symbols(&s).contains("${") {
        unknown(text, span, None)
    } else {
        Node {
            span,
            value: Value::String(s),
        }
    }
}

/// What a traversal like `aws_iam_group.admins.arn` refers to.
fn traversal_referent(root: &Ident, ops: &[&TraversalOperator]) -> Option<Referent> {
    let attrs: Vec<&str> = ops
        .iter()
        .map(|op| match op {
            TraversalOperator::GetAttr(id) => Some(id.as_str()),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    let [name, attr] = attrs[..] else { return None };
    if attr != "arn" {
        return None;
    }
    match root.as_str() {
        "aws_iam_group" => Some(Referent::IamGroup(name.to_string())),
        "aws_iam_role" => Some(Referent::IamRole(name.to_string())),
        "aws_iam_user" => Some(Referent::IamUser(name.to_string())),
        _ => None,
    }
}

/// Convert an expression into a span-tree node.
pub fn to_node(expr: &Expression, text: &str, depth: usize) -> Result<Node, ParseError> {
    let span = span_of(expr.span());
    if depth >= MAX_DEPTH {
        return Err(ParseError {
            span: Span::new(span.start, span.start + 1),
            message: format!("nesting deeper than {MAX_DEPTH} levels"),
        });
    }
    let value = match expr {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => Value::Number(
            text.get(span.start as usize..span.end as usize)
                .map_or_else(|| n.value().to_string(), |s| s.trim().to_string()),
        ),
        Expression::String(s) => Value::String(s.value().clone()),
        Expression::Array(items) => Value::Array(
            items
                .iter()
                .map(|e| to_node(e, text, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Expression::Object(obj) => {
            let mut members = Vec::new();
            for (key, value) in obj.iter() {
                let (name, key_span) = match key {
                    ObjectKey::Ident(id) => (id.as_str().to_string(), span_of(id.span())),
                    ObjectKey::Expression(Expression::String(s)) => {
                        (s.value().clone(), span_of(s.span()))
                    }
                    ObjectKey::Expression(e) => {
                        let s = span_of(e.span());
                        let raw = text
                            .get(s.start as usize..s.end as usize)
                            .unwrap_or_default();
                        (raw.trim_matches(['(', ')', '"']).to_string(), s)
                    }
                };
                members.push(Member {
                    key: name,
                    key_span,
                    value: to_node(value.expr(), text, depth + 1)?,
                });
            }
            Value::Object(members)
        }
        Expression::StringTemplate(t) => match template_text(t, text) {
            Some(s) => return Ok(interpolated(s, span, text)),
            None => return Ok(unknown(text, span, None)),
        },
        Expression::Parenthesis(p) => return to_node(p.inner(), text, depth + 1),
        Expression::Traversal(t) => {
            let referent = match &t.expr {
                Expression::Variable(root) => {
                    let ops: Vec<&TraversalOperator> =
                        t.operators.iter().map(|o| o.value()).collect();
                    // `data.aws_caller_identity.X.account_id` is the current account.
                    let path: Vec<&str> = ops
                        .iter()
                        .filter_map(|o| match o {
                            TraversalOperator::GetAttr(id) => Some(id.as_str()),
                            _ => None,
                        })
                        .collect();
                    if root.as_str() == "data"
                        && matches!(path[..], ["aws_caller_identity", _, "account_id"])
                    {
                        let raw = text
                            .get(span.start as usize..span.end as usize)
                            .unwrap_or_default();
                        return Ok(Node {
                            span,
                            value: Value::String(format!("${{{}}}", raw.trim())),
                        });
                    }
                    traversal_referent(root.value(), &ops)
                }
                _ => None,
            };
            return Ok(unknown(text, span, referent));
        }
        _ => return Ok(unknown(text, span, None)),
    };
    Ok(Node { span, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonencode_object_becomes_a_tree() {
        let text = r#"resource "aws_kms_key" "k" {
  policy = jsonencode({
    Version = "2012-10-17"
    "Statement" = [{
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Other = { AWS = aws_iam_group.admins.arn, V = var.x, N = 3, B = true }
    }]
  })
}
"#;
        let body = parse_body(text).unwrap();
        let block = body.blocks().next().unwrap();
        let attr = block.body.get_attribute("policy").unwrap();
        let Expression::FuncCall(call) = &attr.value else {
            panic!()
        };
        let arg = call.args.iter().next().unwrap();
        let node = to_node(arg, text, 0).unwrap();
        let version = node.get("Version").unwrap();
        assert_eq!(
            &text[version.key_span.start as usize..version.key_span.end as usize],
            "Version"
        );
        assert_eq!(version.value.as_str(), Some("2012-10-17"));
        let st = &node.get("Statement").unwrap().value.one_or_many()[0];
        let aws = &st.get("Principal").unwrap().value.get("AWS").unwrap().value;
        assert_eq!(
            aws.as_str(),
            Some("arn:aws:iam::${data.aws_caller_identity.current.account_id}:root")
        );
        assert_eq!(
            &text[aws.span.start as usize..aws.span.end as usize],
            "\"arn:aws:iam::${data.aws_caller_identity.current.account_id}:root\""
        );
        let other = &st.get("Other").unwrap().value;
        let group = &other.get("AWS").unwrap().value;
        assert!(matches!(
            &group.value,
            Value::Unknown(Unknown { refers_to: Some(Referent::IamGroup(n)), .. }) if n == "admins"
        ));
        assert!(matches!(
            other.get("V").unwrap().value.value,
            Value::Unknown(_)
        ));
        assert_eq!(
            other.get("N").unwrap().value.value,
            Value::Number("3".into())
        );
        assert_eq!(other.get("B").unwrap().value.value, Value::Bool(true));
    }
}
