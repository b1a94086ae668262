//! KMS017: a principal AWS rejects: an unknown type key, a malformed ARN or account id,
//! an unknown partition, a wildcard inside an ARN, an empty string, an IAM unique id of
//! something other than a user or role, a CloudFormation `Ref` to an IAM user, role or group
//! (its name, not its ARN).

use crate::model::principal::unique_id_kind;
use crate::model::{Policy, PrincipalKind, PrincipalType, nearest};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};
use crate::tree::{Referent, Value};

pub const RULE: Rule = Rule {
    code: "KMS017",
    name: "invalid-principal",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "a principal is malformed: unknown type, bad ARN or account id, wildcard inside an ARN, empty",
    doc: include_str!("../../rules/invalid-principal.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in &policy.statements {
        let Some(principals) = &st.principals else {
            continue;
        };
        let element = &principals.member.key;
        let is_object = principals.member.value.is_object();
        // Unknown type keys are reported once, at the key, not at each of their values.
        for m in principals.member.value.members() {
            if PrincipalType::from_key(&m.key) != PrincipalType::Other {
                continue;
            }
            let f = r.report(
                m.key_span,
                format!(
                    "`{}` is not a principal type: AWS rejects the policy",
                    m.key
                ),
            );
            match nearest(&m.key, PrincipalType::KEYS.iter().copied()) {
                Some(k) => f.help(format!("did you mean `{k}`?")),
                None => f.help("use `AWS`, `Service`, `Federated` or `CanonicalUser`"),
            };
        }
        for p in &principals.entries {
            let PrincipalKind::Invalid(why) = &p.kind else {
                continue;
            };
            if is_object && p.ptype == PrincipalType::Other {
                continue;
            }
            let subject = match p.node.as_str() {
                Some(s) if !s.is_empty() => format!("`{s}` is not a valid principal"),
                _ => format!("invalid `{element}` entry"),
            };
            let help = if let Some(help) = name_help(&p.node.value, is_object) {
                help
            } else if let Some(help) = p.node.as_str().and_then(unique_id_help) {
                help.to_string()
            } else {
                match p.ptype {
                    PrincipalType::Aws => {
                        "write a 12-digit account id, an ARN such as `arn:aws:iam::111122223333:role/NAME`, or `\"*\"` alone; to match many principals use `\"*\"` with an `aws:PrincipalArn` condition"
                    }
                    PrincipalType::Other if !is_object => {
                        "write `{\"AWS\": \"ARN\"}` (or `Service`, `Federated`, `CanonicalUser`), or `\"*\"`"
                    }
                    _ => "name the principal, or remove the entry",
                }
                .to_string()
            };
            r.report(p.node.span, format!("{subject}: {why}"))
                .help(help);
        }
    }
}

/// The fix for a CloudFormation `Ref` to an IAM user, role or group: its ARN is
/// `Fn::GetAtt X.Arn`, written in the form the `Ref` was written in.
fn name_help(value: &Value, is_object: bool) -> Option<String> {
    let Value::Unknown(u) = value else {
        return None;
    };
    let Some(Referent::IamNameOf { kind, logical_id }) = &u.refers_to else {
        return None;
    };
    let id = logical_id;
    let get_att = if u.description.starts_with('!') {
        format!("!GetAtt {id}.Arn")
    } else if u.description.starts_with('{') {
        format!("{{\"Fn::GetAtt\": [\"{id}\", \"Arn\"]}}")
    } else {
        format!("Fn::GetAtt: [{id}, Arn]")
    };
    Some(if *kind == "AWS::IAM::Group" {
        format!(
            "a group is no principal even by its ARN (`{get_att}`): use a role the group's users can assume, or grant the group access in an IAM policy"
        )
    } else if is_object {
        format!("use `{get_att}`")
    } else {
        format!("name the principal under `AWS`, by its ARN: `{get_att}`")
    })
}

/// The fix for an IAM unique id that is not a user's or role's.
fn unique_id_help(text: &str) -> Option<&'static str> {
    let (prefix, _) = unique_id_kind(text)?;
    Some(match prefix {
        "AGPA" => {
            "a group is no principal: use a role the group's users can assume, or grant the group access in an IAM policy"
        }
        "ANPA" | "ANVA" => {
            "name the users or roles the policy is attached to, by their ARNs, or remove the entry"
        }
        "AIPA" => "name the instance profile's role by its ARN, or remove the entry",
        _ => "name the user or role the credential belongs to by its ARN, or remove the entry",
    })
}
