//! KMS012: `Version` is missing (a warning) or not a policy language version (an error).

use crate::model::{Policy, VERSIONS};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};
use crate::tree::Value;

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

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let Some(version) = policy.version_member() else {
        r.report(
            policy.anchor(),
            "the policy has no `Version`: it is read as `2008-10-17`, which has no policy variables",
        )
        .help(FIX);
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
    .severity(Severity::Error);
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
