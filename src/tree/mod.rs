//! The span tree: every parsed value with the byte range of its text (and of its key).
//!
//! All parsers (JSON, and later YAML and HCL) produce this tree, so the policy model and the
//! rules never see what kind of file a policy came from.

pub mod escape;
pub mod hcl;
pub mod json;
pub mod yaml;

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
}

/// A resource of the same template or configuration that a reference resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Referent {
    IamUser(String),
    IamRole(String),
    IamGroup(String),
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
    let escapes: u64 = s
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 1,
            c if (c as u32) < 0x20 => 5,
            _ => 0,
        })
        .sum();
    2 + s.len() as u64 + escapes
}

#[cfg(test)]
mod tests {
    use super::json;

    #[test]
    fn minified_len_matches_minified_text() {
        let text = "{\n  \"a\" : [ 1, true, false, null, \"x\\\"y\" ],\n  \"b\\n\": {\"é\": \"\\u0001\"}, \"c\": {}, \"d\": []\n}";
        // {"a":[1,true,false,null,"x\"y"],"b\n":{"é":"\u0001"},"c":{},"d":[]}
        let minified = r#"{"a":[1,true,false,null,"x\"y"],"b\n":{"é":"\u0001"},"c":{},"d":[]}"#;
        let node = json::parse(text).unwrap();
        assert_eq!(node.minified_len(), (minified.len() as u64, false));
    }
}
