//! Finding key policies in parsed files. Each input kind turns a file into policy documents.

pub mod cfn;
pub mod embedded;
pub mod terraform;

use std::sync::Arc;

use crate::tree::Dialect;
use crate::tree::escape::Decoded;
use crate::tree::json::ParseError;
use crate::tree::{Node, Span, Value, has_template_part, json, yaml};

/// A key policy found in a file.
#[derive(Debug, Clone)]
pub struct PolicyDoc {
    /// Where it is in the file (`Resources.PaymentsKey`), `None` when the file is the policy.
    pub name: Option<String>,
    pub root: Node,
    /// For a policy embedded as a JSON string: the decoded text and the map back to the file.
    pub embedded: Option<Arc<Decoded>>,
    /// Where the key that has this policy is declared, when the policy's text is elsewhere
    /// (a Terraform policy document in another file, a template file).
    pub origin: Option<Span>,
    /// How the policy is written, so help texts can speak its language.
    pub dialect: Dialect,
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
    /// Key policies, errors found where a policy was expected, and key policies that could
    /// not be read.
    Found(Found),
}

/// What a file holds that concerns key policies.
#[derive(Debug, Default)]
pub struct Found {
    pub policies: Vec<PolicyDoc>,
    pub errors: Vec<ExtractError>,
    pub not_analysed: Vec<NotAnalysed>,
}

impl Found {
    /// Found: these policies.
    pub fn policies(policies: Vec<PolicyDoc>) -> Self {
        Found {
            policies,
            ..Found::default()
        }
    }

    /// Record a key whose policy cannot be read.
    pub fn not_analysed(&mut self, policy: &str, span: Span, reason: impl Into<String>) {
        self.not_analysed.push(NotAnalysed {
            policy: policy.to_string(),
            span,
            reason: reason.into(),
        });
    }
}

/// A KMS key whose policy kmslint cannot read (it comes from a variable, a parameter, a
/// module output): never skipped silently, always named in the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnalysed {
    /// The key (`aws_kms_key.logs`, `Resources.LogsKey`).
    pub policy: String,
    /// Where the policy is given (the `policy` argument, the `KeyPolicy` property).
    pub span: Span,
    /// Why it cannot be read (`policy comes from var.policy`).
    pub reason: String,
}

/// A policy that could not be read (an embedded string that is not valid JSON).
#[derive(Debug)]
pub struct ExtractError {
    pub policy: Option<String>,
    pub span: Span,
    pub message: String,
}

/// Whether an object has the shape of a resource policy: a `Statement` (in any case, so
/// typos are still linted) whose statements have `Principal` or `NotPrincipal`.
pub fn has_policy_shape(root: &Node) -> bool {
    statements_of(root).any(|st| {
        st.members()
            .iter()
            .any(|m| is_one_of(&m.key, &["principal", "notprincipal", "principals"]))
    })
}

/// Whether `key` is one of `names` (lower case), in any case.
fn is_one_of(key: &str, names: &[&str]) -> bool {
    names.iter().any(|n| key.eq_ignore_ascii_case(n))
}

fn statements_of(root: &Node) -> impl Iterator<Item = &Node> {
    root.members()
        .iter()
        .filter(|m| is_one_of(&m.key, &["statement", "statements"]))
        .flat_map(|m| m.value.one_or_many())
}

/// What a standalone policy document is about (RULES.md §1 "Which documents are key
/// policies").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aboutness {
    /// Not a resource policy, or one about other services (a trust, bucket, queue, topic,
    /// endpoint or control policy).
    Other,
    /// A policy with principals whose actions are only `"*"`, or a policy about KMS that
    /// allows nothing (a resource control policy is Deny only): a key policy when the user
    /// points at it, skipped in a walk.
    Ambiguous,
    /// A key policy: some `Action`/`NotAction` entry is a `kms:` action, and `kms:` entries
    /// are at least half of the entries that name a service.
    Kms,
}

/// Decide whether a standalone policy document is a key policy.
pub fn aboutness(root: &Node) -> Aboutness {
    if !has_policy_shape(root) {
        return Aboutness::Other;
    }
    let (mut kms, mut services, mut star) = (0usize, 0usize, false);
    let mut allows = false;
    for st in statements_of(root) {
        allows |= st.members().iter().any(|m| {
            m.key.eq_ignore_ascii_case("effect")
                && m.value
                    .as_str()
                    .is_none_or(|e| e.eq_ignore_ascii_case("allow"))
        });
        for m in st.members() {
            if !is_one_of(&m.key, &["action", "notaction", "actions"]) {
                continue;
            }
            for entry in m.value.one_or_many() {
                let Some(text) = entry.as_str() else {
                    continue;
                };
                match text.split_once(':') {
                    Some((service, _)) => {
                        services += 1;
                        kms += usize::from(service.eq_ignore_ascii_case("kms"));
                    }
                    None => star |= text == "*",
                }
            }
        }
    }
    // A policy that allows nothing is a guardrail (a resource control policy is Deny only),
    // not the policy of a key: a key policy grants its key to someone.
    if kms > 0 && !allows {
        Aboutness::Ambiguous
    } else if kms > 0 && kms * 2 >= services {
        Aboutness::Kms
    } else if services == 0 && star {
        Aboutness::Ambiguous
    } else {
        Aboutness::Other
    }
}

/// Whether a standalone document is linted as a key policy: it is about KMS, or it is
/// ambiguous and the user pointed at it.
pub fn is_key_policy(root: &Node, explicit: bool) -> bool {
    match aboutness(root) {
        Aboutness::Kms => true,
        Aboutness::Ambiguous => explicit,
        Aboutness::Other => false,
    }
}

/// A plain JSON file: the file is the policy.
pub fn plain_json(root: Node, explicit: bool) -> Extracted {
    if is_key_policy(&root, explicit) {
        Extracted::Found(Found::policies(vec![PolicyDoc {
            name: None,
            root,
            embedded: None,
            origin: None,
            dialect: Dialect::Json,
        }]))
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
    /// A Terraform template file (`.tpl`, `.tftpl`): JSON with `${…}` and `%{…}` parts.
    Template,
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
            "tpl" | "tftpl" => Some(InputKind::Template),
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
            InputKind::Json => {
                (text.contains("\"Statement\"") && text.contains("\"kms:"))
                    || text.contains("AWS::KMS::Key")
            }
            InputKind::Template => text.contains("\"Statement\"") && text.contains("\"kms:"),
            InputKind::Yaml => {
                text.contains("AWS::KMS::Key") || text.contains("AWS::KMS::ReplicaKey")
            }
            InputKind::Hcl => terraform::KEY_RESOURCES
                .iter()
                .any(|r| text.contains(&format!("\"{r}\""))),
        }
    }
}

/// Parse a file of a kind and find its key policies. `explicit` is true when the user
/// pointed at the file (named it, piped it, opened it in an editor). A `.tf` file is read as
/// a module of its own (see [`terraform::extract_module`] for whole modules).
pub fn extract(kind: InputKind, text: &str, explicit: bool) -> Result<Extracted, ParseError> {
    extract_noting_lines(kind, text, explicit, &mut None)
}

/// [`extract`], and into `lines` the offset where each line of `text` starts when the parse
/// found them on its way (a JSON file), so they need not be looked for again.
pub fn extract_noting_lines(
    kind: InputKind,
    text: &str,
    explicit: bool,
    lines: &mut Option<Vec<u32>>,
) -> Result<Extracted, ParseError> {
    match kind {
        InputKind::Json => match json::parse_with_lines(text) {
            Ok((root, starts)) => {
                *lines = Some(starts);
                Ok(from_json(root, text, explicit))
            }
            // JSON with template parts is a Terraform template (a `kms-policy.json` that
            // `templatefile` renders).
            Err(e) if has_template_part(text) => match json::parse_template(text) {
                Ok(root) => Ok(plain_json(root, explicit)),
                Err(_) => Err(e),
            },
            Err(e) => Err(e),
        },
        InputKind::Template => {
            let mut root = json::parse_template(text)?;
            embedded::mark_interpolations(&mut root);
            Ok(plain_json(root, explicit))
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
            let file = terraform::ModuleFile {
                display: String::new(),
                fs_path: None,
                text: text.to_string(),
            };
            let mut module = terraform::extract_module(
                vec![file],
                std::path::Path::new("."),
                &terraform::NoFiles,
            );
            if let Some((_, e)) = module.parse_errors.pop() {
                return Err(e);
            }
            Ok(Extracted::Found(module.found))
        }
    }
}

/// The key policies of a JSON file already parsed (`root`, from `text`), as [`extract`] finds
/// them.
pub fn from_json(root: Node, text: &str, explicit: bool) -> Extracted {
    if has_policy_shape(&root) {
        return plain_json(root, explicit);
    }
    if cfn::is_template(&root) {
        return cfn::extract(&root, text, cfn::Syntax::Json);
    }
    if terraform::is_plan(&root) {
        return terraform::extract_plan(&root, text);
    }
    // `aws kms get-key-policy` output: the policy is an escaped JSON string. It is a key
    // policy whatever it holds.
    if let Some(policy) = root.get("Policy")
        && let Value::String(_) = policy.value.value
    {
        return match embedded::json_string(&policy.value, text)
            .and_then(|d| embedded::parse_policy(None, d))
        {
            Ok(doc) if has_policy_shape(&doc.root) => Extracted::Found(Found::policies(vec![doc])),
            Ok(_) => Extracted::Nothing,
            Err(e) => Extracted::Found(Found {
                errors: vec![e],
                ..Found::default()
            }),
        };
    }
    Extracted::Nothing
}
