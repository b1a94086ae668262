//! The span tree: every parsed value with the byte range of its text (and of its key).
//!
//! All parsers (JSON, and later YAML and HCL) produce this tree, so the policy model and the
//! rules never see what kind of file a policy came from.

pub mod escape;
pub mod hcl;
pub mod json;
pub mod yaml;

use std::borrow::Cow;

/// How the policy is written, so that help texts speak the input's language: a fix shown
/// in JSON syntax is no help in an `aws_iam_policy_document`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// A JSON policy: a file, `get-key-policy` output, a plan, a template file.
    #[default]
    Json,
    /// A CloudFormation JSON template's `KeyPolicy` object.
    CfnJson,
    /// A CloudFormation YAML template's `KeyPolicy`.
    CfnYaml,
    /// JSON text inside CloudFormation's `Fn::Sub`, where `${AWS::AccountId}` is substituted.
    CfnSub,
    /// Terraform `jsonencode({...})`: HCL object syntax.
    TfObject,
    /// A Terraform `data "aws_iam_policy_document"`.
    TfDocument,
    /// JSON in a Terraform heredoc or quoted string, where `${…}` interpolates.
    TfString,
}

/// A byte range in a policy's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }

    /// An empty span at an offset.
    pub const fn at(offset: u32) -> Self {
        Span {
            start: offset,
            end: offset,
        }
    }

    pub fn len(&self) -> u32 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// A parsed value and the span of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
    /// The value may be absent: it sits in a part of a template that may not be rendered
    /// (a CloudFormation `Fn::If` branch, a Terraform `%{ for }`/`%{ if }` body, a `dynamic`
    /// block). A problem found in it is still a problem; its absence proves nothing.
    pub maybe: bool,
}

/// An object member: its key (decoded), the key's span and the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// A value whose content kmslint cannot know (a template parameter, an interpolation).
#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    /// How the value was written, for messages (`!Ref KeyAdminArn`, `${var.admin}`).
    pub description: String,
    /// What the value is known to be, when a reference names a resource of the same file.
    pub refers_to: Option<Referent>,
    /// For a string with known and unknown parts (`arn:aws:iam::${var.account}:role/Admin`):
    /// its text, each unknown part written as `${…}` (see [`pieces`]).
    pub partial: Option<String>,
}

impl Unknown {
    /// A value nothing is known about.
    pub fn new(description: impl Into<String>) -> Self {
        Unknown {
            description: description.into(),
            refers_to: None,
            partial: None,
        }
    }

    /// A string whose `${…}` parts are unknown.
    pub fn partial(text: impl Into<String>) -> Self {
        let text = text.into();
        Unknown {
            description: text.clone(),
            refers_to: None,
            partial: Some(text),
        }
    }
}

/// The account a template deploys into (`${AWS::AccountId}` in CloudFormation,
/// `data.aws_caller_identity.*.account_id` in Terraform), as the model writes it.
pub const CURRENT_ACCOUNT: &str = "(current account)";

/// Rewrite the template expressions that name the current account or partition to
/// [`CURRENT_ACCOUNT`] / `aws`; any other `${…}` stays (and makes the value unknown).
pub fn normalize_symbols(s: &str) -> Cow<'_, str> {
    if !has_hole(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find("${") {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let expr = rest[open + 2..open + close].trim();
        let parts: Vec<&str> = expr.split('.').collect();
        let replacement = match parts[..] {
            _ if expr == "AWS::AccountId" => CURRENT_ACCOUNT,
            _ if expr == "AWS::Partition" => "aws",
            ["data", "aws_caller_identity", _, "account_id"] => CURRENT_ACCOUNT,
            ["data", "aws_partition", _, "partition"] => "aws",
            _ => &rest[open..open + close + 1],
        };
        out.push_str(replacement);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Whether a string has template parts that are not known: a `${…}` other than the current
/// account or partition, or a `%{…}` directive.
pub fn has_template_part(s: &str) -> bool {
    starts_part(s, b'%') || (has_hole(s) && has_hole(&normalize_symbols(s)))
}

/// Whether `s` has a `${` (found by the `$`, which is rare in policies).
pub fn has_hole(s: &str) -> bool {
    starts_part(s, b'$')
}

/// Whether `s` has `sigil` followed by `{`.
fn starts_part(s: &str, sigil: u8) -> bool {
    let bytes = s.as_bytes();
    memchr::memchr_iter(sigil, bytes).any(|i| bytes.get(i + 1) == Some(&b'{'))
}

/// A part of a partly known string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Literal(&'a str),
    /// An unknown part, as written between `${` and `}`.
    Hole(&'a str),
}

/// Split a string into literal parts and `${…}` holes (braces and quoted strings inside a
/// hole nest, as in `${lookup(var.m, "}")}`). An unclosed `${` is a hole to the end.
pub fn pieces(s: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find("${") {
        if open > 0 {
            out.push(Piece::Literal(&rest[..open]));
        }
        let body = &rest[open + 2..];
        let end = hole_end(body);
        out.push(Piece::Hole(&body[..end]));
        rest = body.get(end + 1..).unwrap_or("");
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest));
    }
    out
}

/// The offset of the `}` closing a hole whose body starts `body`, or `body.len()`.
pub fn hole_end(body: &str) -> usize {
    let bytes = body.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    let mut quoted = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b'{' if !quoted => depth += 1,
            b'}' if !quoted => {
                if depth == 0 {
                    return i;
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// A resource of the same template or configuration that a reference resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Referent {
    IamUser(String),
    IamRole(String),
    IamGroup(String),
    /// The NAME of an IAM user, role or group of the same template (a CloudFormation `Ref`
    /// to it; only `Fn::GetAtt X.Arn` is its ARN): never a valid principal.
    IamNameOf {
        /// The resource type (`AWS::IAM::Role`).
        kind: &'static str,
        logical_id: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number as written.
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Members in source order; duplicate keys are kept (KMS011 reports them).
    Object(Vec<Member>),
    Unknown(Unknown),
}

impl Node {
    /// A node that is certainly present.
    pub fn new(span: Span, value: Value) -> Self {
        Node {
            span,
            value,
            maybe: false,
        }
    }

    /// An unknown value written at `span`.
    pub fn unknown(span: Span, unknown: Unknown) -> Self {
        Node::new(span, Value::Unknown(unknown))
    }

    /// Whether the value is unresolved (wholly or in part).
    pub fn is_unknown(&self) -> bool {
        matches!(self.value, Value::Unknown(_))
    }

    /// The text of a partly known string (see [`Unknown::partial`]).
    pub fn partial(&self) -> Option<&str> {
        match &self.value {
            Value::Unknown(u) => u.partial.as_deref(),
            _ => None,
        }
    }

    /// Whether two nodes hold the same value, wherever they are written (spans are not
    /// compared).
    pub fn same_value(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_value(y))
            }
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|(x, y)| x.key == y.key && x.value.same_value(&y.value))
            }
            (Value::Unknown(a), Value::Unknown(b)) => {
                a.description == b.description
                    && a.refers_to == b.refers_to
                    && a.partial == b.partial
            }
            (a, b) => a == b,
        }
    }

    /// This node and everything below it marked as maybe present.
    pub fn mark_maybe(&mut self) {
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            node.maybe = true;
            match &mut node.value {
                Value::Array(items) => stack.extend(items.iter_mut()),
                Value::Object(members) => stack.extend(members.iter_mut().map(|m| &mut m.value)),
                _ => {}
            }
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn members(&self) -> &[Member] {
        match &self.value {
            Value::Object(m) => m,
            _ => &[],
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self.value, Value::Object(_))
    }

    /// The first member with exactly this key.
    pub fn get(&self, key: &str) -> Option<&Member> {
        self.members().iter().find(|m| m.key == key)
    }

    /// A value that is a single element or an array of elements, as a list.
    pub fn one_or_many(&self) -> &[Node] {
        match &self.value {
            Value::Array(items) => items,
            _ => std::slice::from_ref(self),
        }
    }

    /// A short name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
            Value::Unknown(_) => "an unresolved value",
        }
    }

    /// Visit this node and every node below it, depth first.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Node)) {
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            f(node);
            match &node.value {
                Value::Array(items) => stack.extend(items.iter().rev()),
                Value::Object(members) => stack.extend(members.iter().rev().map(|m| &m.value)),
                _ => {}
            }
        }
    }

    /// The size in bytes of the value written as minified JSON (no whitespace outside
    /// strings, strings with the shortest escapes), and whether any part is unresolved (an
    /// unresolved value counts as nothing, so the size is then a lower bound). Linear time.
    pub fn minified_len(&self) -> (u64, bool) {
        let mut len = 0u64;
        let mut unknown = false;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            len += match &node.value {
                Value::Null => 4,
                Value::Bool(true) => 4,
                Value::Bool(false) => 5,
                Value::Number(n) => n.len() as u64,
                Value::String(s) => json_string_len(s),
                Value::Array(items) => {
                    stack.extend(items.iter());
                    2 + items.len().saturating_sub(1) as u64
                }
                Value::Object(members) => {
                    stack.extend(members.iter().map(|m| &m.value));
                    let keys: u64 = members.iter().map(|m| json_string_len(&m.key) + 1).sum();
                    2 + keys + members.len().saturating_sub(1) as u64
                }
                Value::Unknown(_) => {
                    unknown = true;
                    0
                }
            };
        }
        (len, unknown)
    }
}

/// The length in bytes of a string written as a JSON literal, quotes included.
fn json_string_len(s: &str) -> u64 {
    // Only ASCII bytes need escapes: `"` and `\` take one more byte, control characters
    // five more, except the five with a short escape.
    let escapes: u64 = s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
            b if b < 0x20 => 5,
            _ => 0,
        })
        .sum();
    2 + s.len() as u64 + escapes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minified_len_matches_minified_text() {
        let text = "{\n  \"a\" : [ 1, true, false, null, \"x\\\"y\" ],\n  \"b\\n\": {\"é\": \"\\u0001\"}, \"c\": {}, \"d\": []\n}";
        // {"a":[1,true,false,null,"x\"y"],"b\n":{"é":"\u0001"},"c":{},"d":[]}
        let minified = r#"{"a":[1,true,false,null,"x\"y"],"b\n":{"é":"\u0001"},"c":{},"d":[]}"#;
        let node = json::parse(text).unwrap();
        assert_eq!(node.minified_len(), (minified.len() as u64, false));
    }

    #[test]
    fn pieces_of_partly_known_strings() {
        assert_eq!(
            pieces("arn:aws:iam::${var.a}:role/${lookup(m, \"}\")}x"),
            [
                Piece::Literal("arn:aws:iam::"),
                Piece::Hole("var.a"),
                Piece::Literal(":role/"),
                Piece::Hole("lookup(m, \"}\")"),
                Piece::Literal("x"),
            ]
        );
        assert_eq!(pieces("${a"), [Piece::Hole("a")]);
        assert_eq!(pieces("plain"), [Piece::Literal("plain")]);
    }
}
