//! KMS012: `Version` is missing (a warning) or not a policy language version (an error).

use super::unknown_element::certainly_meant;
use crate::model::edit::{Edit, Fix, Lit, insert_first_member, replace_string};
use crate::model::{POLICY_ELEMENTS, Policy, VERSIONS};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};
use crate::tree::{Node, Value, has_hole, normalize_symbols};

pub const RULE: Rule = Rule {
    code: "KMS012",
    name: "version",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "`Version` is missing, or is not `2012-10-17` or `2008-10-17`",
    doc: include_str!("../../rules/version.md"),
    check: Check::Policy(check),
};

const FIX: &str = "add `\"Version\": \"2012-10-17\"` at the top of the policy";

/// The version every fix writes.
const CURRENT: &str = "2012-10-17";

/// Whether a value may hold a policy variable (`${aws:username}`): text with a `${…}` that no
/// template substitutes, or a value kmslint cannot read.
fn may_hold_variable(node: &Node) -> bool {
    let mut found = false;
    node.walk(&mut |n| {
        found |= match &n.value {
            Value::String(s) => has_hole(&normalize_symbols(s)),
            Value::Unknown(u) => u
                .partial
                .as_deref()
                .is_none_or(|p| has_hole(&normalize_symbols(p))),
            Value::Object(members) => members.iter().any(|m| has_hole(&m.key)),
            _ => false,
        };
    });
    found
}

/// Whether adding `Version: 2012-10-17` changes what the policy means: policy variables are
/// read only in `Resource` and `Condition` values, and only from that version on (before it
/// they are literal text).
fn version_changes_meaning(policy: &Policy<'_>) -> bool {
    policy.open
        || policy.statements.iter().any(|st| {
            st.node.members().iter().any(|m| {
                matches!(m.key.as_str(), "Resource" | "NotResource" | "Condition")
                    && may_hold_variable(&m.value)
            })
        })
}

/// The fix of a missing `Version`, written first as AWS writes it: safe unless a policy
/// variable may be read differently.
fn add_version(policy: &Policy<'_>) -> Option<Fix> {
    // A misspelled `version` is renamed by KMS013's fix instead; members a template computes
    // may hold a `Version` already.
    let in_the_way = policy.root.members().iter().any(|m| {
        m.key.starts_with("${") || certainly_meant(&m.key, POLICY_ELEMENTS) == Some("Version")
    });
    if in_the_way {
        return None;
    }
    let edit = insert_first_member(
        policy.text,
        policy.root,
        policy.dialect,
        "Version",
        &Lit::str(CURRENT),
    )?;
    let title = format!("Add `\"Version\": \"{CURRENT}\"`");
    Some(if version_changes_meaning(policy) {
        Fix::unsafe_(title, vec![edit])
    } else {
        Fix::safe(title, vec![edit])
    })
}

/// The edit that writes `2012-10-17` in place of a value that is not a version: the string's
/// text, or a scalar written as one token (`2012`, `true`, `"2012\u002d10"`) replaced by a
/// double-quoted string, which JSON, YAML and HCL all read as that string.
fn set_version(policy: &Policy<'_>, value: &Node) -> Option<Fix> {
    let edit = replace_string(value, policy.text, CURRENT).or_else(|| {
        let written = policy
            .text
            .get(value.span.start as usize..value.span.end as usize)?;
        let token = match &value.value {
            Value::String(_) => {
                written.len() >= 2 && written.starts_with('"') && written.ends_with('"')
            }
            Value::Number(n) => written == n,
            Value::Bool(_) | Value::Null => {
                !written.is_empty() && written.chars().all(|c| c.is_ascii_alphabetic() || c == '~')
            }
            _ => false,
        };
        (token && !written.contains('\n'))
            .then(|| Edit::replace(value.span, format!("\"{CURRENT}\"")))
    })?;
    Some(Fix::safe(
        format!("Set `Version` to `{CURRENT}`"),
        vec![edit],
    ))
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let Some(version) = policy.version_member() else {
        r.report(
            policy.anchor(),
            "the policy has no `Version`: it is read as `2008-10-17`, which has no policy variables",
        )
        .help(FIX)
        .fix(add_version(policy));
        return;
    };
    let value = &version.value;
    let found = match &value.value {
        Value::Unknown(_) => return,
        Value::String(s) if VERSIONS.contains(&s.as_str()) => return,
        Value::String(s) => format!("`{s}`"),
        _ => value.type_name().to_string(),
    };
    r.report(
        value.span,
        format!("{found} is not a policy language version: AWS rejects the policy"),
    )
    .help("set `\"Version\": \"2012-10-17\"`")
    .severity(Severity::Error)
    .fix(set_version(policy, value));
}

#[cfg(test)]
mod tests {
    use crate::model::{Policy, PolicyContext};
    use crate::registry::RULES;
    use crate::rule::{Check, Reporter};
    use crate::tree::{Node, Unknown, Value, json};

    /// Turn every string `"?..."` into an unresolved value, as a template parameter would be.
    fn unresolve(node: &mut Node) {
        match &mut node.value {
            Value::String(s) if s.starts_with('?') => {
                node.value = Value::Unknown(Unknown::new(s.clone()));
            }
            Value::Array(items) => items.iter_mut().for_each(unresolve),
            Value::Object(members) => members.iter_mut().for_each(|m| unresolve(&mut m.value)),
            _ => {}
        }
    }

    #[test]
    fn validity_rules_stay_silent_on_unresolved_values() {
        let text = r#"{
          "Version": "?version",
          "Statement": [
            {
              "Sid": "EnableRootAccessAndPreventPermissionDelegation",
              "Effect": "Allow",
              "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
              "Action": "kms:*",
              "Resource": "*",
              "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}
            },
            {
              "Sid": "?sid",
              "Effect": "?effect",
              "Principal": {"AWS": ["?principal", "arn:aws:iam::${AWS::AccountId}:role/App"]},
              "Action": ["?action", "kms:Decrypt"],
              "Resource": ["?resource", "*"]
            },
            {
              "Sid": "?sid",
              "Effect": "Allow",
              "Principal": "?principal",
              "Action": "?action",
              "Resource": "?resource"
            }
          ]
        }"#;
        let mut root = json::parse(text).unwrap();
        unresolve(&mut root);
        let policy = Policy::new(&root, text, &PolicyContext::default());
        for rule in RULES
            .iter()
            .filter(|r| ("KMS012"..="KMS022").contains(&r.code))
        {
            let Check::Policy(check) = rule.check else {
                continue;
            };
            let mut out = Vec::new();
            check(&policy, &mut Reporter::new(&mut out));
            assert!(
                out.is_empty(),
                "{} fired on unresolved values: {out:?}",
                rule.code
            );
        }

        let mut root =
            json::parse(r#"{"Version": "2012-10-17", "Statement": "?statements"}"#).unwrap();
        unresolve(&mut root);
        let policy = Policy::new(&root, "", &PolicyContext::default());
        let mut out = Vec::new();
        if let Check::Policy(check) = crate::rules::missing_element::RULE.check {
            check(&policy, &mut Reporter::new(&mut out));
        }
        assert!(
            out.is_empty(),
            "KMS014 fired on an unresolved `Statement`: {out:?}"
        );
    }
}
