//! CloudFormation templates (JSON, YAML, CDK output): `KeyPolicy` of every KMS key resource.

use std::collections::HashMap;

use super::embedded::{json_string, mark_interpolations, parse_policy, yaml_string};
use super::{Extracted, PolicyDoc};
use crate::tree::{Member, Node, Referent, Span, Unknown, Value};

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
    };
    let mut policies = Vec::new();
    let mut errors = Vec::new();
    for resource in resources.value.members() {
        let Some(kind) = types.get(resource.key.as_str()) else {
            continue;
        };
        if !KEY_TYPES.contains(kind) {
            continue;
        }
        let Some(policy) = resource
            .value
            .get("Properties")
            .and_then(|p| p.value.get("KeyPolicy"))
        else {
            continue;
        };
        let name = Some(format!("Resources.{}", resource.key));
        let doc = match &policy.value.value {
            Value::String(s) => {
                let decoded = match syntax {
                    Syntax::Json => json_string(&policy.value, file),
                    Syntax::Yaml => Ok(yaml_string(&policy.value, s, file)),
                };
                decoded.and_then(|d| parse_policy(name.clone(), d))
            }
            Value::Object(_) => match sub_string(&policy.value) {
                // `KeyPolicy: !Sub '{...}'`: the JSON text, with `${…}` left in place.
                Some(inner) => match (&inner.value, syntax) {
                    (Value::String(s), Syntax::Yaml) => {
                        parse_policy(name.clone(), yaml_string(inner, s, file))
                    }
                    (Value::String(_), Syntax::Json) => {
                        json_string(inner, file).and_then(|d| parse_policy(name.clone(), d))
                    }
                    _ => continue,
                },
                None => {
                    let mut root = ctx.resolve(&policy.value);
                    mark_interpolations(&mut root);
                    if !root.is_object() {
                        // An `Fn::If` or a parameter: nothing kmslint can check.
                        continue;
                    }
                    Ok(PolicyDoc {
                        name: name.clone(),
                        root,
                        embedded: None,
                    })
                }
            },
            _ => continue,
        };
        match doc {
            Ok(d) => policies.push(d),
            Err(mut e) => {
                e.policy = name;
                errors.push(e);
            }
        }
    }
    Extracted::Found { policies, errors }
}

/// The string argument of `{"Fn::Sub": "..."}` / `!Sub "..."` (without variables).
fn sub_string(node: &Node) -> Option<&Node> {
    let [m] = node.members() else { return None };
    (m.key == "Fn::Sub" && matches!(m.value.value, Value::String(_))).then_some(&m.value)
}

struct Context<'a> {
    types: &'a HashMap<&'a str, &'a str>,
    file: &'a str,
}

impl Context<'_> {
    fn unknown(&self, node: &Node, refers_to: Option<Referent>) -> Node {
        let s = node.span;
        Node {
            span: s,
            value: Value::Unknown(Unknown {
                description: self
                    .file
                    .get(s.start as usize..s.end as usize)
                    .unwrap_or("an intrinsic function")
                    .to_string(),
                refers_to,
            }),
        }
    }

    fn string(span: Span, s: String) -> Node {
        Node {
            span,
            value: Value::String(s),
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

    /// A copy of `node` with intrinsic functions replaced by what they are known to be.
    fn resolve(&self, node: &Node) -> Node {
        match &node.value {
            Value::Object(members) => {
                if let [m] = members.as_slice()
                    && let Some(resolved) = self.intrinsic(node, m)
                {
                    return resolved;
                }
                Node {
                    span: node.span,
                    value: Value::Object(
                        members
                            .iter()
                            .map(|m| Member {
                                key: m.key.clone(),
                                key_span: m.key_span,
                                value: self.resolve(&m.value),
                            })
                            .collect(),
                    ),
                }
            }
            Value::Array(items) => Node {
                span: node.span,
                value: Value::Array(items.iter().map(|n| self.resolve(n)).collect()),
            },
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
                Some(id) => self.unknown(node, self.referent(id)),
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
                self.unknown(node, referent)
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
                match self.substitute(text, vars) {
                    // The string literal itself is the span principals and actions point at.
                    Some(s) => Self::string(template.span, s),
                    None => self.unknown(node, None),
                }
            }
            "Fn::Join" => {
                let joined = (|| {
                    let [delim, list] = arg.one_or_many() else {
                        return None;
                    };
                    let delim = delim.as_str()?;
                    let parts: Option<Vec<String>> = list
                        .one_or_many()
                        .iter()
                        .map(|p| match self.resolve(p).value {
                            Value::String(s) => Some(s),
                            _ => None,
                        })
                        .collect();
                    Some(parts?.join(delim))
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
                match arg.one_or_many() {
                    [_, a, b] => {
                        let (a, b) = (self.resolve(a), self.resolve(b));
                        if a.value == b.value {
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

    /// Resolve `${…}` references of an `Fn::Sub` string: variables given as strings, the
    /// current account and partition (kept for the model), `${!Literal}`. `None` when any other
    /// reference remains.
    fn substitute(&self, text: &str, vars: Option<&Node>) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find("${") {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}')? + open;
            let name = &rest[open + 2..close];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if name == "AWS::AccountId" || name == "AWS::Partition" {
                out.push_str(&rest[open..=close]);
            } else {
                let var = vars.and_then(|v| v.get(name))?;
                match self.resolve(&var.value).value {
                    Value::String(s) => out.push_str(&s),
                    _ => return None,
                }
            }
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}
