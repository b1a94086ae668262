//! Finding key policies in parsed files. Each input kind turns a file into policy documents.

pub mod cfn;
pub mod embedded;
pub mod terraform;

use std::sync::Arc;

use crate::tree::escape::Decoded;
use crate::tree::json::ParseError;
use crate::tree::{Node, Span, Value, json, yaml};

/// A key policy found in a file.
#[derive(Debug)]
pub struct PolicyDoc {
    /// Where it is in the file (`Resources.PaymentsKey`), `None` when the file is the policy.
    pub name: Option<String>,
    pub root: Node,
    /// For a policy embedded as a JSON string: the decoded text and the map back to the file.
    pub embedded: Option<Arc<Decoded>>,
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

/// The kind of input a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum InputKind {
    /// JSON: a key policy, `get-key-policy` output, a CloudFormation template, a plan.
    Json,
    /// YAML: a CloudFormation template.
    Yaml,
    /// Terraform configuration.
    Hcl,
}

impl InputKind {
    /// The kind for a file name, `None` when kmslint does not read such files while walking.
    /// `.template` files are JSON or YAML: [`InputKind::refine`] decides by content.
    pub fn from_path(path: &std::path::Path) -> Option<InputKind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" | "template" => Some(InputKind::Json),
            "yaml" | "yml" => Some(InputKind::Yaml),
            "tf" => Some(InputKind::Hcl),
            _ => None,
        }
    }

    /// JSON files start with `{` or `[`; anything else named `.template` is YAML.
    pub fn refine(self, text: &str) -> InputKind {
        match self {
            InputKind::Json if !text.trim_start().starts_with(['{', '[']) => InputKind::Yaml,
            k => k,
        }
    }

    /// Whether a file of this kind that fails to parse was meant to hold a key policy.
    pub fn meant_as_policy(self, text: &str) -> bool {
        match self {
            InputKind::Json => text.contains("\"Statement\"") || text.contains("AWS::KMS::Key"),
            InputKind::Yaml => {
                text.contains("AWS::KMS::Key") || text.contains("AWS::KMS::ReplicaKey")
            }
            InputKind::Hcl => terraform::KEY_RESOURCES
                .iter()
                .any(|r| text.contains(&format!("\"{r}\""))),
        }
    }
}

/// Parse a file of a kind and find its key policies.
pub fn extract(kind: InputKind, text: &str) -> Result<Extracted, ParseError> {
    match kind {
        InputKind::Json => {
            let root = json::parse(text)?;
            Ok(from_json(root, text))
        }
        InputKind::Yaml => {
            let root = yaml::parse(text)?;
            Ok(if cfn::is_template(&root) {
                cfn::extract(&root, text, cfn::Syntax::Yaml)
            } else {
                Extracted::Nothing
            })
        }
        InputKind::Hcl => {
            let body = terraform::parse(text)?;
            Ok(terraform::extract_hcl(&body, text))
        }
    }
}

fn from_json(root: Node, text: &str) -> Extracted {
    if looks_like_key_policy(&root) {
        return plain_json(root);
    }
    if cfn::is_template(&root) {
        return cfn::extract(&root, text, cfn::Syntax::Json);
    }
    if terraform::is_plan(&root) {
        return terraform::extract_plan(&root, text);
    }
    // `aws kms get-key-policy` output: the policy is an escaped JSON string.
    if let Some(policy) = root.get("Policy")
        && let Value::String(_) = policy.value.value
    {
        return match embedded::json_string(&policy.value, text)
            .and_then(|d| embedded::parse_policy(None, d))
        {
            Ok(doc) if looks_like_key_policy(&doc.root) => Extracted::Found {
                policies: vec![doc],
                errors: Vec::new(),
            },
            Ok(_) => Extracted::Nothing,
            Err(e) => Extracted::Found {
                policies: Vec::new(),
                errors: vec![e],
            },
        };
    }
    Extracted::Nothing
}
