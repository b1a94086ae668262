//! Building the edits of fixes in a policy's own syntax: replacing a string's text, adding a
//! member to an object, written as the policy is written (JSON, CloudFormation YAML,
//! Terraform HCL) and laid out like the members around it. Every function returns `None`
//! rather than an edit it cannot make safely.

use crate::tree::{Dialect, Node, Span, Value};

/// Whether applying a fix keeps the policy's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// It changes who can do what: applied with `--unsafe-fixes`, offered in the editor.
    Unsafe,
    /// The policy means the same, or AWS would reject the old text anyway: applied with `--fix`.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace `span` with `content`. In a [`Finding`], spans and content are in the policy's
/// text; in a reported diagnostic, in the file's (the content encoded for where the policy
/// is written, such as an escaped JSON string).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

impl Edit {
    pub fn replace(span: Span, content: impl Into<String>) -> Edit {
        Edit {
            span,
            content: content.into(),
        }
    }

    pub fn insert(at: u32, content: impl Into<String>) -> Edit {
        Edit::replace(Span::at(at), content)
    }

    pub fn delete(span: Span) -> Edit {
        Edit::replace(span, String::new())
    }
}

/// The edits that resolve a finding, applied together, with a one-line title.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    /// Non-overlapping edits.
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability: Applicability::Safe,
            edits,
        }
    }

    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability: Applicability::Unsafe,
            edits,
        }
    }

    /// The smallest span that holds every edit.
    pub fn span(&self) -> Option<Span> {
        let start = self.edits.iter().map(|e| e.span.start).min()?;
        let end = self.edits.iter().map(|e| e.span.end).max()?;
        Some(Span::new(start, end))
    }
}

/// A value to write: strings, objects and arrays, rendered in the policy's syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lit {
    Str(String),
    Obj(Vec<(String, Lit)>),
    Arr(Vec<Lit>),
}

impl Lit {
    pub fn str(s: impl Into<String>) -> Lit {
        Lit::Str(s.into())
    }

    /// `{key: value}`.
    pub fn obj1(key: impl Into<String>, value: Lit) -> Lit {
        Lit::Obj(vec![(key.into(), value)])
    }

    /// The value as compact JSON (`{"Bool": {"kms:GrantIsForAWSResource": "true"}}`).
    pub fn json(&self) -> String {
        match self {
            Lit::Str(s) => json_string(s),
            Lit::Obj(members) => {
                let inner: Vec<String> = members
                    .iter()
                    .map(|(k, v)| format!("{}: {}", json_string(k), v.json()))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
            Lit::Arr(items) => {
                let inner: Vec<String> = items.iter().map(Lit::json).collect();
                format!("[{}]", inner.join(", "))
            }
        }
    }
}

/// `s` as a JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether a dialect writes its policies as JSON text.
pub fn is_json(dialect: Dialect) -> bool {
    matches!(
        dialect,
        Dialect::Json | Dialect::CfnJson | Dialect::CfnSub | Dialect::TfString
    )
}

/// Text that reads the same unquoted, single-quoted, double-quoted or escaped in any of the
/// syntaxes a policy is written in: a replacement made of it needs no quoting decisions.
pub fn is_plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, ':' | '*' | '?' | '_' | '.' | '/' | '-' | '@')
        })
        && !s.starts_with(['*', '?', ':', '-', '@'])
}

/// The span of a string value's characters, without its quotes, when the source writes them
/// as they read (no escapes): then replacing that span replaces the value.
pub fn string_body(node: &Node, text: &str) -> Option<Span> {
    let Value::String(value) = &node.value else {
        return None;
    };
    let source = text.get(node.span.start as usize..node.span.end as usize)?;
    let quoted = |q: char| source.len() >= 2 && source.starts_with(q) && source.ends_with(q);
    let body = if quoted('"') || quoted('\'') {
        Span::new(node.span.start + 1, node.span.end - 1)
    } else {
        node.span
    };
    (text.get(body.start as usize..body.end as usize)? == value).then_some(body)
}

/// Replace a string value with `new` (plain text only, see [`is_plain`]).
pub fn replace_string(node: &Node, text: &str, new: &str) -> Option<Edit> {
    if !is_plain(new) {
        return None;
    }
    let body = string_body(node, text)?;
    // An empty plain YAML scalar has no body to replace.
    if body.is_empty() && !text[..body.start as usize].ends_with(['"', '\'']) {
        return None;
    }
    Some(Edit::replace(body, new))
}

/// The edit that adds `key: value` as the last member of `object`, written in `dialect` and
/// laid out like the members before it.
pub fn insert_member(
    text: &str,
    object: &Node,
    dialect: Dialect,
    key: &str,
    value: &Lit,
) -> Option<Edit> {
    if is_json(dialect) {
        return insert_json_member(text, object, key, value);
    }
    None
}

/// [`insert_member`] for JSON: on a line of its own with the indentation of the members
/// before it, or inline when they are inline.
fn insert_json_member(text: &str, object: &Node, key: &str, value: &Lit) -> Option<Edit> {
    let (open, close) = (object.span.start as usize, object.span.end as usize);
    let bytes = text.as_bytes();
    if close <= open || bytes.get(open) != Some(&b'{') || bytes.get(close - 1) != Some(&b'}') {
        return None;
    }
    let member = format!("{}: {}", json_string(key), value.json());
    let Some(last) = object.members().last() else {
        return Some(Edit::replace(
            Span::new(open as u32 + 1, close as u32 - 1),
            member,
        ));
    };
    let key_start = last.key_span.start as usize;
    let line_start = text[..key_start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..key_start];
    let insertion = if line_start > open && indent.chars().all(|c| c == ' ' || c == '\t') {
        let newline = if text[..key_start].ends_with(&format!("\r\n{indent}")) {
            "\r\n"
        } else {
            "\n"
        };
        format!(",{newline}{indent}{member}")
    } else {
        format!(", {member}")
    };
    Some(Edit::insert(last.value.span.end, insertion))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::json;

    fn apply(text: &str, e: &Edit) -> String {
        let mut out = text.to_string();
        out.replace_range(e.span.start as usize..e.span.end as usize, &e.content);
        out
    }

    #[test]
    fn members_are_added_like_their_neighbours() {
        let text = "{\n  \"Sid\": \"A\",\n  \"Effect\": \"Allow\"\n}";
        let root = json::parse(text).unwrap();
        let lit = Lit::obj1(
            "Bool",
            Lit::obj1("kms:GrantIsForAWSResource", Lit::str("true")),
        );
        let e = insert_member(text, &root, Dialect::Json, "Condition", &lit).unwrap();
        assert_eq!(
            apply(text, &e),
            "{\n  \"Sid\": \"A\",\n  \"Effect\": \"Allow\",\n  \"Condition\": {\"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}}\n}"
        );
        let inline = "{\"Sid\": \"A\"}";
        let root = json::parse(inline).unwrap();
        let e = insert_member(inline, &root, Dialect::Json, "Effect", &Lit::str("Allow")).unwrap();
        assert_eq!(apply(inline, &e), "{\"Sid\": \"A\", \"Effect\": \"Allow\"}");
        let empty = "{}";
        let root = json::parse(empty).unwrap();
        let e = insert_member(
            empty,
            &root,
            Dialect::Json,
            "Version",
            &Lit::str("2012-10-17"),
        );
        assert_eq!(apply(empty, &e.unwrap()), "{\"Version\": \"2012-10-17\"}");
    }

    #[test]
    fn strings_are_replaced_only_when_written_as_they_read() {
        let text = r#"{"Effect": "allow", "Sid": "a\u0062"}"#;
        let root = json::parse(text).unwrap();
        let effect = &root.get("Effect").unwrap().value;
        let e = replace_string(effect, text, "Allow").unwrap();
        assert_eq!(apply(text, &e), r#"{"Effect": "Allow", "Sid": "a\u0062"}"#);
        let sid = &root.get("Sid").unwrap().value;
        assert_eq!(replace_string(sid, text, "ab"), None);
        assert_eq!(replace_string(effect, text, "has \"quote\""), None);
    }

    #[test]
    fn plain_text_needs_no_quoting_anywhere() {
        assert!(is_plain("kms:Decrypt"));
        assert!(is_plain("2012-10-17"));
        assert!(!is_plain("*"));
        assert!(!is_plain("a b"));
        assert!(!is_plain(""));
        assert_eq!(json_string("a\"b\n"), r#""a\"b\n""#);
    }
}
