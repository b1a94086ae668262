//! KMS017: a principal AWS rejects: an unknown type key, a malformed ARN or account id,
//! an unknown partition, a wildcard inside an ARN, an empty string.

use crate::model::{Policy, PrincipalKind, PrincipalType, nearest};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

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
            let help = match p.ptype {
                PrincipalType::Aws => {
                    "write a 12-digit account id, an ARN such as `arn:aws:iam::111122223333:role/NAME`, or `\"*\"` alone; to match many principals use `\"*\"` with an `aws:PrincipalArn` condition"
                }
                PrincipalType::Other if !is_object => {
                    "write `{\"AWS\": \"ARN\"}` (or `Service`, `Federated`, `CanonicalUser`), or `\"*\"`"
                }
                _ => "name the principal, or remove the entry",
            };
            r.report(p.node.span, format!("{subject}: {why}"))
                .help(help);
        }
    }
}
