//! HCL (Terraform `.tf`) into the span tree, through hcl-edit.
//!
//! Only what a key policy needs is converted: literals, objects, tuples and string templates.
//! A template whose interpolations name the current account or partition keeps its text (the
//! model resolves those); a template with other interpolations is a partly known string;
//! references to `aws_iam_group`/`aws_iam_role`/`aws_iam_user` resources become known
//! referents. Everything else is offered to a [`Resolve`]r (which knows the module: locals,
//! other files) and, when it declines, is an unknown value.

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::Body;
use hcl_edit::template::{Element, Template};
use hcl_edit::{Ident, Span as _};

use super::json::{MAX_DEPTH, ParseError};
use super::{Member, Node, Referent, Span, Unknown, Value, has_template_part};

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

/// The text an expression was parsed from, and where that text starts in the coordinates
/// the tree's spans use (several files of a module share one coordinate space).
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub text: &'a str,
    pub base: u32,
}

impl<'a> Source<'a> {
    /// A span of hcl-edit (relative to the text) in the tree's coordinates.
    pub fn span(&self, r: Option<std::ops::Range<usize>>) -> Span {
        r.map_or(Span::at(self.base), |r| {
            Span::new(self.base + r.start as u32, self.base + r.end as u32)
        })
    }

    /// The text of a span in the tree's coordinates.
    pub fn slice(&self, span: Span) -> &'a str {
        let (s, e) = (
            span.start.saturating_sub(self.base) as usize,
            span.end.saturating_sub(self.base) as usize,
        );
        self.text.get(s..e).unwrap_or_default()
    }

    /// How an expression is written, for messages.
    pub fn written(&self, expr: &Expression) -> &'a str {
        self.slice(self.span(expr.span())).trim()
    }
}

/// What a module knows about expressions a single file cannot resolve (`local.x`).
pub trait Resolve {
    /// The value of `expr` when the resolver knows it, else `None` (the expression is then
    /// converted as usual, or is unknown).
    fn resolve(
        &self,
        expr: &Expression,
        src: Source<'_>,
        depth: usize,
    ) -> Option<Result<Node, ParseError>>;
}

/// A resolver that knows nothing: a single file on its own.
pub struct NoResolve;

impl Resolve for NoResolve {
    fn resolve(&self, _: &Expression, _: Source<'_>, _: usize) -> Option<Result<Node, ParseError>> {
        None
    }
}

fn unknown(src: Source<'_>, span: Span, refers_to: Option<Referent>) -> Node {
    let mut u = Unknown::new(if src.slice(span).is_empty() {
        "an expression"
    } else {
        src.slice(span)
    });
    u.refers_to = refers_to;
    Node::unknown(span, u)
}

/// The text of a template: literal parts as written, interpolations by their value when the
/// resolver knows it as a string (`${local.account_id}`), else as `${…}` source text. `None`
/// when it has directives (`%{if}`), which kmslint does not evaluate.
fn template_text(
    t: &Template,
    src: Source<'_>,
    resolver: &dyn Resolve,
    depth: usize,
) -> Option<String> {
    let mut out = String::new();
    for element in t.iter() {
        match element {
            Element::Literal(l) => out.push_str(l.value()),
            Element::Interpolation(i) => {
                let known = match resolver.resolve(&i.expr, src, depth + 1) {
                    Some(Ok(node)) => match &node.value {
                        Value::String(s) => Some(s.clone()),
                        Value::Unknown(u) => u.partial.clone(),
                        Value::Number(n) => Some(n.clone()),
                        _ => None,
                    },
                    _ => None,
                };
                match known {
                    Some(text) => out.push_str(&text),
                    None => out.push_str(src.slice(src.span(i.span()))),
                }
            }
            Element::Directive(_) => return None,
        }
    }
    Some(out)
}

/// A string with interpolations: a string when every interpolation names the current account
/// or partition, else a partly known string.
pub fn interpolated(s: String, span: Span) -> Node {
    if has_template_part(&s) {
        Node::unknown(span, Unknown::partial(s))
    } else {
        Node::new(span, Value::String(s))
    }
}

/// The attribute names of a traversal (`aws_iam_role.admin.arn` gives `["admin", "arn"]`),
/// `None` when it indexes or splats.
pub fn traversal_path<'e>(
    ops: impl Iterator<Item = &'e TraversalOperator>,
) -> Option<Vec<&'e str>> {
    ops.map(|op| match op {
        TraversalOperator::GetAttr(id) => Some(id.as_str()),
        _ => None,
    })
    .collect()
}

/// What a traversal like `aws_iam_group.admins.arn` refers to.
fn traversal_referent(root: &Ident, attrs: &[&str]) -> Option<Referent> {
    let [name, "arn"] = attrs[..] else {
        return None;
    };
    match root.as_str() {
        "aws_iam_group" => Some(Referent::IamGroup(name.to_string())),
        "aws_iam_role" => Some(Referent::IamRole(name.to_string())),
        "aws_iam_user" => Some(Referent::IamUser(name.to_string())),
        _ => None,
    }
}

/// The single interpolated expression of a string that is nothing else (`"${local.p}"`).
pub fn interpolation_only(t: &Template) -> Option<&Expression> {
    match t.iter().collect::<Vec<_>>()[..] {
        [Element::Interpolation(i)] => Some(&i.expr),
        _ => None,
    }
}

/// Convert an expression into a span-tree node.
pub fn to_node(
    expr: &Expression,
    src: Source<'_>,
    resolver: &dyn Resolve,
    depth: usize,
) -> Result<Node, ParseError> {
    let span = src.span(expr.span());
    if depth >= MAX_DEPTH {
        return Err(ParseError {
            span: Span::new(span.start, span.start + 1),
            message: format!("nesting deeper than {MAX_DEPTH} levels"),
        });
    }
    if let Some(resolved) = resolver.resolve(expr, src, depth + 1) {
        return resolved;
    }
    let value = match expr {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => {
            let written = src.slice(span).trim();
            Value::Number(if written.is_empty() {
                n.value().to_string()
            } else {
                written.to_string()
            })
        }
        Expression::String(s) => Value::String(s.value().clone()),
        Expression::Array(items) => Value::Array(
            items
                .iter()
                .map(|e| to_node(e, src, resolver, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Expression::Object(obj) => {
            let mut members = Vec::new();
            for (key, value) in obj.iter() {
                let (name, key_span) = match key {
                    ObjectKey::Ident(id) => (id.as_str().to_string(), src.span(id.span())),
                    ObjectKey::Expression(Expression::String(s)) => {
                        (s.value().clone(), src.span(s.span()))
                    }
                    ObjectKey::Expression(e) => {
                        let s = src.span(e.span());
                        (src.slice(s).trim_matches(['(', ')', '"']).to_string(), s)
                    }
                };
                members.push(Member {
                    key: name,
                    key_span,
                    value: to_node(value.expr(), src, resolver, depth + 1)?,
                });
            }
            Value::Object(members)
        }
        Expression::StringTemplate(t) => {
            if let Some(inner) = interpolation_only(t) {
                let mut node = to_node(inner, src, resolver, depth + 1)?;
                node.span = span;
                return Ok(node);
            }
            return Ok(match template_text(t, src, resolver, depth) {
                Some(s) => interpolated(s, span),
                None => unknown(src, span, None),
            });
        }
        Expression::Parenthesis(p) => return to_node(p.inner(), src, resolver, depth + 1),
        Expression::Traversal(t) => {
            let referent = match &t.expr {
                Expression::Variable(root) => {
                    let path = traversal_path(t.operators.iter().map(|o| o.value()));
                    match path.as_deref() {
                        // `data.aws_caller_identity.X.account_id` is the current account,
                        // `data.aws_partition.X.partition` the partition.
                        Some(
                            ["aws_caller_identity", _, "account_id"]
                            | ["aws_partition", _, "partition"],
                        ) if root.as_str() == "data" => {
                            return Ok(Node::new(
                                span,
                                Value::String(format!("${{{}}}", src.slice(span).trim())),
                            ));
                        }
                        Some(attrs) => traversal_referent(root.value(), attrs),
                        None => None,
                    }
                }
                _ => None,
            };
            return Ok(unknown(src, span, referent));
        }
        _ => return Ok(unknown(src, span, None)),
    };
    Ok(Node::new(span, value))
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
      Other = { AWS = aws_iam_group.admins.arn, V = var.x, N = 3, B = true, P = "arn:aws:iam::${var.a}:role/R" }
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
        let src = Source { text, base: 0 };
        let node = to_node(arg, src, &NoResolve, 0).unwrap();
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
            other.get("P").unwrap().value.partial(),
            Some("arn:aws:iam::${var.a}:role/R")
        );
        assert_eq!(
            other.get("N").unwrap().value.value,
            Value::Number("3".into())
        );
        assert_eq!(other.get("B").unwrap().value.value, Value::Bool(true));
    }

    #[test]
    fn spans_carry_the_base_offset() {
        let text = "x = { a = \"b\" }";
        let body = parse_body(text).unwrap();
        let attr = body.get_attribute("x").unwrap();
        let src = Source { text, base: 100 };
        let node = to_node(&attr.value, src, &NoResolve, 0).unwrap();
        let a = node.get("a").unwrap();
        assert_eq!(a.value.span, Span::new(110, 113));
        assert_eq!(src.slice(a.value.span), "\"b\"");
    }
}
