//! Finding key policies in parsed files. Each input kind turns a file into policy documents.

use crate::tree::escape::Decoded;
use crate::tree::{Node, Span, Value};

/// A key policy found in a file.
#[derive(Debug)]
pub struct PolicyDoc {
    /// Where it is in the file (`Resources.PaymentsKey`), `None` when the file is the policy.
    pub name: Option<String>,
    pub root: Node,
    /// For a policy embedded as a JSON string: the decoded text and the map back to the file.
    pub embedded: Option<Decoded>,
}

impl PolicyDoc {
    /// The text the policy's spans index into.
    pub fn text<'a>(&'a self, file_text: &'a str) -> &'a str {
        self.embedded
            .as_ref()
            .map_or(file_text, |d| d.text.as_str())
    }

    /// Map a span of the policy's text to the file.
    pub fn to_file(&self, span: Span) -> Span {
        self.embedded.as_ref().map_or(span, |d| d.map(span))
    }
}

/// What a file holds.
#[derive(Debug)]
pub enum Extracted {
    /// Not a key policy and holds none (skipped silently).
    Nothing,
    /// Policies, and errors found where a policy was expected.
    Found {
        policies: Vec<PolicyDoc>,
        errors: Vec<ExtractError>,
    },
}

/// A policy that could not be read (an embedded string that is not valid JSON).
#[derive(Debug)]
pub struct ExtractError {
    pub policy: Option<String>,
    pub span: Span,
    pub message: String,
}

/// Whether an object has the shape of a key policy: a `Statement` (in any case, so typos
/// are still linted) whose statements have `Principal` or `NotPrincipal`.
pub fn looks_like_key_policy(root: &Node) -> bool {
    let Value::Object(members) = &root.value else {
        return false;
    };
    members
        .iter()
        .filter(|m| {
            matches!(
                m.key.to_ascii_lowercase().as_str(),
                "statement" | "statements"
            )
        })
        .flat_map(|m| m.value.one_or_many())
        .any(|st| {
            st.members().iter().any(|m| {
                matches!(
                    m.key.to_ascii_lowercase().as_str(),
                    "principal" | "notprincipal" | "principals"
                )
            })
        })
}

/// A plain JSON file: the file is the policy.
pub fn plain_json(root: Node) -> Extracted {
    if looks_like_key_policy(&root) {
        Extracted::Found {
            policies: vec![PolicyDoc {
                name: None,
                root,
                embedded: None,
            }],
            errors: Vec::new(),
        }
    } else {
        Extracted::Nothing
    }
}
