//! CloudFormation templates (JSON, YAML, CDK output): `KeyPolicy` of every KMS key resource.

use rustc_hash::FxHashMap as HashMap;

use super::embedded::{json_string, mark_interpolations, parse_policy, yaml_string};
use super::{Extracted, Found, PolicyDoc};
use crate::tree::Dialect;
use crate::tree::{Member, Node, Referent, Span, Unknown, Value, has_template_part};

const KEY_TYPES: &[&str] = &["AWS::KMS::Key", "AWS::KMS::ReplicaKey"];

/// Whether a parsed document is a CloudFormation template.
pub fn is_template(root: &Node) -> bool {
    root.get("AWSTemplateFormatVersion").is_some()
        || root.get("Resources").is_some_and(|r| {
            r.value.members().iter().any(|m| {
                m.value
                    .get("Type")
                    .and_then(|t| t.value.as_str())
                    .is_some_and(|t| t.starts_with("AWS::") || t.starts_with("Custom::"))
            })
        })
}

/// How the template was written, for decoding policies given as strings.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Json,
    Yaml,
}

/// The key policies of a template.
pub fn extract(root: &Node, file: &str, syntax: Syntax) -> Extracted {
    let Some(resources) = root.get("Resources") else {
        return Extracted::Nothing;
    };
    let types: HashMap<&str, &str> = resources
        .value
        .members()
        .iter()
        .filter_map(|m| Some((m.key.as_str(), m.value.get("Type")?.value.as_str()?)))
        .collect();
    let ctx = Context {
        types: &types,
        file,
        names: Names::AsWritten,
    };
    let mut out = Found::default();
    for resource in resources.value.members() {
        let Some(kind) = types.get(resource.key.as_str()) else {
            continue;
        };
        if !KEY_TYPES.contains(kind) {
            continue;
        }
        // A key without `KeyPolicy` gets AWS's default policy: nothing to lint.
        let Some(policy) = resource
            .value
            .get("Properties")
            .and_then(|p| p.value.get("KeyPolicy"))
        else {
            continue;
        };
        let name = format!("Resources.{}", resource.key);
        ctx.policies(&name, &policy.value, syntax, &mut out);
    }
    Extracted::Found(out)
}

impl Context<'_> {
    /// Read a policy value into `out`: `!If [Cond, {…}, {…}]` gives each branch as a policy
    /// it may be.
    fn policies(&self, name: &str, value: &Node, syntax: Syntax, out: &mut Found) {
        let candidates: Vec<&Node> = match if_argument(value).map(Node::one_or_many) {
            Some([_, a, b]) => [a, b].into_iter().filter(|n| !is_no_value(n)).collect(),
            _ => vec![value],
        };
        for candidate in candidates {
            self.policy(name, candidate, syntax, out);
        }
    }

    /// Read one `KeyPolicy` value into `out`: a policy, an error, or why it cannot be read.
    fn policy(&self, name: &str, value: &Node, syntax: Syntax, out: &mut Found) {
        let file = self.file;
        let doc = match &value.value {
            Value::String(s) => {
                let decoded = match syntax {
                    Syntax::Json => json_string(value, file),
                    Syntax::Yaml => Ok(yaml_string(value, s, file)),
                };
                decoded.and_then(|d| parse_policy(Some(name.to_string()), d))
            }
            Value::Object(_) => match sub_string(value) {
                // `KeyPolicy: !Sub '{...}'`: the JSON text, with `${…}` left in place.
                Some(inner) => match (&inner.value, syntax) {
                    (Value::String(s), Syntax::Yaml) => {
                        parse_policy(Some(name.to_string()), yaml_string(inner, s, file)).map(sub)
                    }
                    (Value::String(_), Syntax::Json) => json_string(inner, file)
                        .and_then(|d| parse_policy(Some(name.to_string()), d))
                        .map(sub),
                    _ => {
                        return out.not_analysed(
                            name,
                            value.span,
                            "the `Fn::Sub` template is not a string",
                        );
                    }
                },
                None => {
                    let mut root = self.resolve(value);
                    mark_interpolations(&mut root);
                    if !root.is_object() {
                        let reason = format!("`KeyPolicy` is `{}`", self.written(value));
                        return out.not_analysed(name, value.span, reason);
                    }
                    Ok(PolicyDoc {
                        name: Some(name.to_string()),
                        root,
                        embedded: None,
                        origin: None,
                        dialect: match syntax {
                            Syntax::Json => Dialect::CfnJson,
                            Syntax::Yaml => Dialect::CfnYaml,
                        },
                    })
                }
            },
            _ => {
                let reason = format!("`KeyPolicy` is {}, not a policy", value.type_name());
                return out.not_analysed(name, value.span, reason);
            }
        };
        match doc {
            Ok(d) => out.policies.push(d),
            Err(mut e) => {
                e.policy = Some(name.to_string());
                out.errors.push(e);
            }
        }
    }
}

/// A policy written in `Fn::Sub`: `${AWS::AccountId}` is how it names the own account.
fn sub(mut doc: PolicyDoc) -> PolicyDoc {
    doc.dialect = Dialect::CfnSub;
    doc
}

/// The string argument of `{"Fn::Sub": "..."}` / `!Sub "..."` (without variables).
fn sub_string(node: &Node) -> Option<&Node> {
    let [m] = node.members() else { return None };
    (m.key == "Fn::Sub" && matches!(m.value.value, Value::String(_))).then_some(&m.value)
}

struct Context<'a> {
    types: &'a HashMap<&'a str, &'a str>,
    file: &'a str,
    names: Names,
}

/// How an unresolved `Ref` or `Fn::GetAtt` to a resource of the template is described.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Names {
    /// As written (`!GetAtt AppRole.Arn`), for messages about the file.
    AsWritten,
    /// `X` for `Ref X` and `X.Attr` for `Fn::GetAtt`, in any syntax: the text a `${…}` of an
    /// `Fn::Sub` has, so references can be compared (see [`Template`]).
    Canonical,
}

/// A template read for resources other than keys (IAM identities, their policies): values
/// resolved as key policies are, except that a `Ref X` or `Fn::GetAtt X.Attr` naming a
/// resource or parameter of the template is an unknown value described as `X` or `X.Attr`
/// whatever the syntax (and `${X}`, `${X.Attr}` inside a computed string), so a policy's
/// `Resource` can be compared with the keys it names.
pub struct Template<'a> {
    types: HashMap<&'a str, &'a str>,
    file: &'a str,
    syntax: Syntax,
}

impl<'a> Template<'a> {
    /// The template `root`, parsed from `file` written in `syntax`.
    pub fn new(root: &'a Node, file: &'a str, syntax: Syntax) -> Self {
        let types = root
            .get("Resources")
            .map(|r| {
                r.value
                    .members()
                    .iter()
                    .filter_map(|m| Some((m.key.as_str(), m.value.get("Type")?.value.as_str()?)))
                    .collect()
            })
            .unwrap_or_default();
        Template {
            types,
            file,
            syntax,
        }
    }

    fn context(&self) -> Context<'_> {
        Context {
            types: &self.types,
            file: self.file,
            names: Names::Canonical,
        }
    }

    /// The type of the resource with this logical id.
    pub fn kind(&self, logical_id: &str) -> Option<&'a str> {
        self.types.get(logical_id).copied()
    }

    /// A copy of `node` with its intrinsic functions replaced by what they are known to be.
    pub fn resolve(&self, node: &Node) -> Node {
        self.context().resolve(node)
    }

    /// The value of a resource property: `None` when it is `AWS::NoValue` in every case; an
    /// `Fn::If` of two different values is, when `list`, the elements of both (each maybe
    /// present), else unknown.
    pub fn property(&self, node: &Node, list: bool) -> Option<Node> {
        if is_no_value(node) {
            return None;
        }
        self.context().member_value("", node, list)
    }

    /// The policies a policy property gives (`PolicyDocument`: an object, JSON text, an
    /// `Fn::Sub` of JSON text, an `Fn::If` of two of them), named `name`, or why it cannot
    /// be read.
    pub fn policies(&self, name: &str, value: &Node) -> Found {
        let mut out = Found::default();
        self.context().policies(name, value, self.syntax, &mut out);
        out
    }

    /// How a node is written in the template, for messages.
    pub fn written(&self, node: &Node) -> &'a str {
        let s = node.span;
        self.file
            .get(s.start as usize..s.end as usize)
            .unwrap_or("an intrinsic function")
    }
}

impl Context<'_> {
    /// How a node is written in the template, for messages.
    fn written(&self, node: &Node) -> &str {
        let s = node.span;
        self.file
            .get(s.start as usize..s.end as usize)
            .unwrap_or("an intrinsic function")
    }

    fn unknown(&self, node: &Node, refers_to: Option<Referent>) -> Node {
        let mut unknown = Unknown::new(self.written(node));
        unknown.refers_to = refers_to;
        Node::unknown(node.span, unknown)
    }

    /// An unresolved `Ref` or `Fn::GetAtt`, described as `Names` says (`name` is `X` or
    /// `X.Attr`).
    fn reference(&self, node: &Node, name: &str, refers_to: Option<Referent>) -> Node {
        match self.names {
            Names::AsWritten => self.unknown(node, refers_to),
            Names::Canonical => {
                let mut unknown = Unknown::new(name);
                unknown.refers_to = refers_to;
                Node::unknown(node.span, unknown)
            }
        }
    }

    /// A string computed from the template: known, or partly known when `${…}` parts remain.
    fn string(span: Span, s: String) -> Node {
        if has_template_part(&s) {
            Node::unknown(span, Unknown::partial(s))
        } else {
            Node::new(span, Value::String(s))
        }
    }

    /// The text of a resolved part of a computed string: its value, or a `${…}` hole.
    fn part_text(&self, node: &Node) -> String {
        match &node.value {
            Value::String(s) => s.clone(),
            Value::Unknown(u) => match &u.partial {
                Some(p) => p.clone(),
                None => format!("${{{}}}", u.description),
            },
            Value::Number(n) => n.clone(),
            Value::Bool(b) => b.to_string(),
            _ => format!("${{{}}}", self.written(node)),
        }
    }

    /// The branches of an `Fn::If` (`[condition, then, else]`), resolved, without those that
    /// are `AWS::NoValue`: what may stand in its place.
    fn branches(&self, arg: &Node) -> Option<Vec<Node>> {
        let [_, a, b] = arg.one_or_many() else {
            return None;
        };
        Some(
            [a, b]
                .into_iter()
                .filter(|n| !is_no_value(n))
                .map(|n| self.resolve(n))
                .collect(),
        )
    }

    /// An element of a list, where an `Fn::If` stands for the elements its branches give,
    /// each of which may be present.
    fn push_element(&self, node: &Node, out: &mut Vec<Node>) {
        if let Some(arg) = if_argument(node)
            && let Some(branches) = self.branches(arg)
        {
            if let [a, b] = &branches[..]
                && a.same_value(b)
            {
                out.push(a.clone());
                return;
            }
            for mut branch in branches {
                match branch.value {
                    Value::Array(items) => out.extend(items.into_iter().map(|mut n| {
                        n.mark_maybe();
                        n
                    })),
                    _ => {
                        branch.mark_maybe();
                        out.push(branch);
                    }
                }
            }
            return;
        }
        out.push(self.resolve(node));
    }

    /// The value of an object member. An `Fn::If` with an `AWS::NoValue` branch is a value
    /// that may be present; with two different values under a key that takes a list
    /// (principals, actions, resources, statements, condition values) it is a list of both,
    /// each maybe present.
    fn member_value(&self, key: &str, node: &Node, list: bool) -> Option<Node> {
        let Some(arg) = if_argument(node) else {
            return Some(self.resolve(node));
        };
        let Some(branches) = self.branches(arg) else {
            return Some(self.unknown(node, None));
        };
        match &branches[..] {
            // Both branches `AWS::NoValue`: the member is absent.
            [] => None,
            [only] if branches.len() == 1 && is_no_value_pair(arg) => {
                let mut only = only.clone();
                only.mark_maybe();
                Some(only)
            }
            [a, b] if a.same_value(b) => Some(a.clone()),
            _ if list || LIST_KEYS.contains(&key) => {
                let mut items = Vec::new();
                self.push_element(node, &mut items);
                Some(Node::new(node.span, Value::Array(items)))
            }
            _ => Some(self.unknown(node, None)),
        }
    }

    /// What a logical id of the template is, as a principal.
    fn referent(&self, logical_id: &str) -> Option<Referent> {
        let name = logical_id.to_string();
        match *self.types.get(logical_id)? {
            "AWS::IAM::Group" => Some(Referent::IamGroup(name)),
            "AWS::IAM::Role" => Some(Referent::IamRole(name)),
            "AWS::IAM::User" => Some(Referent::IamUser(name)),
            _ => None,
        }
    }

    /// What a `Ref` to a logical id of the template is known to be: for an IAM user, role or
    /// group its NAME (only `Fn::GetAtt X.Arn` is its ARN), which is no valid principal.
    fn name_of(&self, logical_id: &str) -> Option<Referent> {
        let kind = match *self.types.get(logical_id)? {
            "AWS::IAM::Group" => "AWS::IAM::Group",
            "AWS::IAM::Role" => "AWS::IAM::Role",
            "AWS::IAM::User" => "AWS::IAM::User",
            _ => return None,
        };
        Some(Referent::IamNameOf {
            kind,
            logical_id: logical_id.to_string(),
        })
    }

    /// A copy of `node` with intrinsic functions replaced by what they are known to be.
    fn resolve(&self, node: &Node) -> Node {
        match &node.value {
            Value::Object(members) => {
                if let [m] = members.as_slice()
                    && let Some(resolved) = self.intrinsic(node, m)
                {
                    return resolved;
                }
                // Inside a condition operator's block every value is a list of values.
                let list = members.iter().any(|m| m.key.contains(':'));
                Node::new(
                    node.span,
                    Value::Object(
                        members
                            .iter()
                            .filter_map(|m| {
                                Some(Member {
                                    key: m.key.clone(),
                                    key_span: m.key_span,
                                    value: self.member_value(&m.key, &m.value, list)?,
                                })
                            })
                            .collect(),
                    ),
                )
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    self.push_element(item, &mut out);
                }
                Node::new(node.span, Value::Array(out))
            }
            _ => node.clone(),
        }
    }

    /// The value of an intrinsic function, or `None` when `m` is not one.
    fn intrinsic(&self, node: &Node, m: &Member) -> Option<Node> {
        let arg = &m.value;
        let resolved = match m.key.as_str() {
            "Ref" => match arg.as_str() {
                Some("AWS::AccountId") => Self::string(node.span, "${AWS::AccountId}".into()),
                Some("AWS::Partition") => Self::string(node.span, "${AWS::Partition}".into()),
                Some(id) => self.reference(node, id, self.name_of(id)),
                None => self.unknown(node, None),
            },
            "Fn::GetAtt" => {
                let (id, attr) = match &arg.value {
                    Value::String(s) => s.split_once('.').unwrap_or((s, "")),
                    Value::Array(items) => match items.as_slice() {
                        [a, b] => (
                            a.as_str().unwrap_or_default(),
                            b.as_str().unwrap_or_default(),
                        ),
                        _ => ("", ""),
                    },
                    _ => ("", ""),
                };
                let referent = if attr == "Arn" {
                    self.referent(id)
                } else {
                    None
                };
                if id.is_empty() || attr.is_empty() {
                    self.unknown(node, referent)
                } else {
                    self.reference(node, &format!("{id}.{attr}"), referent)
                }
            }
            "Fn::Sub" => {
                let (template, vars) = match &arg.value {
                    Value::String(_) => (arg, None),
                    Value::Array(items) => match items.as_slice() {
                        [t, v] => (t, Some(v)),
                        _ => return Some(self.unknown(node, None)),
                    },
                    _ => return Some(self.unknown(node, None)),
                };
                let Some(text) = template.as_str() else {
                    return Some(self.unknown(node, None));
                };
                // The string literal itself is the span principals and actions point at.
                Self::string(template.span, self.substitute(text, vars))
            }
            "Fn::Join" => {
                let joined = (|| {
                    let [delim, list] = arg.one_or_many() else {
                        return None;
                    };
                    let delim = delim.as_str()?;
                    // A list the template computes (`!Split`, a parameter) is not a list here.
                    let Value::Array(items) = &list.value else {
                        return None;
                    };
                    let parts: Vec<String> = items
                        .iter()
                        .map(|p| self.part_text(&self.resolve(p)))
                        .collect();
                    Some(parts.join(delim))
                })();
                match joined {
                    Some(s) => Self::string(node.span, s),
                    None => self.unknown(node, None),
                }
            }
            "Fn::Select" => {
                let chosen = (|| {
                    let [index, list] = arg.one_or_many() else {
                        return None;
                    };
                    let i: usize = match &index.value {
                        Value::Number(n) => n.parse().ok()?,
                        Value::String(s) => s.parse().ok()?,
                        _ => return None,
                    };
                    match &list.value {
                        Value::Array(items) => items.get(i).map(|n| self.resolve(n)),
                        _ => None,
                    }
                })();
                chosen.unwrap_or_else(|| self.unknown(node, None))
            }
            "Fn::If" => {
                // The condition is not evaluated: equal branches are known, others are not.
                // (Lists and members handle `Fn::If` themselves: see `push_element`.)
                match arg.one_or_many() {
                    [_, a, b] => {
                        let (a, b) = (self.resolve(a), self.resolve(b));
                        if a.same_value(&b) {
                            a
                        } else {
                            self.unknown(node, None)
                        }
                    }
                    _ => self.unknown(node, None),
                }
            }
            key if key.starts_with("Fn::") || key == "Condition" => self.unknown(node, None),
            _ => return None,
        };
        Some(resolved)
    }

    /// Resolve `${…}` references of an `Fn::Sub` string: variables given in the function,
    /// the current account and partition (kept for the model). Any other reference (a
    /// parameter, `${AWS::Region}`, a resource attribute) stays as a `${…}` hole, so the
    /// result is partly known. `${!Literal}` is the literal text `${Literal}`, which kmslint
    /// cannot tell from a hole: it stays one too.
    fn substitute(&self, text: &str, vars: Option<&Node>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find("${") {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}').map(|c| c + open) else {
                out.push_str(&rest[open..]);
                return out;
            };
            let name = &rest[open + 2..close];
            match vars.and_then(|v| v.get(name)) {
                Some(var) if !name.starts_with('!') => {
                    out.push_str(&self.part_text(&self.resolve(&var.value)));
                }
                _ => out.push_str(&rest[open..=close]),
            }
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Keys whose value is a list (or one element of it).
const LIST_KEYS: &[&str] = &[
    "Statement",
    "AWS",
    "Service",
    "Federated",
    "CanonicalUser",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
];

/// The argument of an `Fn::If` node.
fn if_argument(node: &Node) -> Option<&Node> {
    match node.members() {
        [m] if m.key == "Fn::If" => Some(&m.value),
        _ => None,
    }
}

/// `{"Ref": "AWS::NoValue"}`: the property is left out.
fn is_no_value(node: &Node) -> bool {
    matches!(node.members(), [m] if m.key == "Ref" && m.value.as_str() == Some("AWS::NoValue"))
}

/// Whether exactly one branch of an `Fn::If` argument is `AWS::NoValue`.
fn is_no_value_pair(arg: &Node) -> bool {
    match arg.one_or_many() {
        [_, a, b] => is_no_value(a) != is_no_value(b),
        _ => false,
    }
}
