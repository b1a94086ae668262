//! KMS003: a principal that can change the policy or create grants can give itself use.

use crate::model::{
    ActionPattern, ActionSet, Category, GrantGuard, Policy, PrincipalKind, PrincipalType,
    Statement, Tri, Who,
};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS003",
    name: "admin-can-self-grant",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Access,
    summary: "a principal without use of the key can give itself use through a grant or the policy",
    doc: include_str!("../../rules/admin-can-self-grant.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let put = ActionSet::named("PutKeyPolicy");
    let grant = ActionSet::named("CreateGrant");
    let use_actions = ActionSet::category(Category::Use);
    // Use granted to anyone; the root statement delegates to IAM and grants no one directly.
    let granted_use = policy
        .statements
        .iter()
        .filter(|st| st.is_allow())
        .filter(|st| {
            st.principal_entries()
                .iter()
                .any(|p| policy.is_root(p) == Tri::No)
        })
        .fold(ActionSet::EMPTY, |acc, st| {
            acc.union(st.covered_actions().intersect(use_actions))
        });

    for st in policy
        .statements
        .iter()
        .filter(|st| st.is_allow() && !st.has_not_principal())
    {
        let mut escalating = put;
        if st.grant_guard() != GrantGuard::Strong {
            escalating = escalating.union(grant);
        }
        let escalating = st.covered_actions().intersect(escalating);
        if escalating.is_empty() {
            continue;
        }
        // `{"AWS": "*"}` pinned to the own account: every principal of the account can give
        // itself use, with no IAM policy needed. Unpinned `*` is KMS030's finding.
        let account_wide = policy.pinned_to_own_account(st);
        let candidates: Vec<_> = st
            .principal_entries()
            .iter()
            .filter(|p| p.ptype == PrincipalType::Aws || p.kind == PrincipalKind::Everyone)
            .filter(|p| policy.is_root(p) == Tri::No)
            .filter(|p| match p.kind {
                PrincipalKind::Everyone => account_wide.is_some(),
                PrincipalKind::Unknown | PrincipalKind::Invalid(_) => false,
                _ => true,
            })
            // What a principal with unresolved actions is given is not known: it may have use.
            .filter(|p| !policy.allowed_is_open(Who::Entry(p)))
            .collect();
        for pattern in st.patterns_covering(escalating) {
            let via = match pattern {
                Some(p) => p.matches().intersect(escalating),
                None => escalating,
            };
            let escalators: Vec<_> = candidates
                .iter()
                .filter(|p| {
                    let who = Who::Entry(p);
                    if via.minus(policy.unconditionally_denied(who)).is_empty() {
                        return false;
                    }
                    let own_use = policy.effective(who).intersect(use_actions);
                    granted_use.is_empty() || !own_use.contains_all(granted_use)
                })
                .collect();
            if escalators.is_empty() {
                continue;
            }
            let every = |p: &&&crate::model::Principal<'_>| p.kind == PrincipalKind::Everyone;
            let (who, itself) = match (escalators.as_slice(), &account_wide) {
                ([one], Some(account)) if every(one) => {
                    (format!("every principal in {account}"), "themselves")
                }
                ([one], _) => (format!("`{}`", one.text()), "itself"),
                (many, _) => (format!("{} principals", many.len()), "themselves"),
            };
            let how = if via == put {
                format!("rewrite the key policy to give {itself} use of the key")
            } else if via == grant {
                format!("create a grant that gives {itself} use of the key")
            } else {
                format!("give {itself} use of the key through a grant or the key policy")
            };
            let (span, source) = match pattern {
                Some(ActionPattern { node, .. }) => {
                    (node.span, node.as_str().unwrap_or_default().to_string())
                }
                None => (
                    st.actions
                        .as_ref()
                        .map_or(st.anchor(), |a| a.member.key_span),
                    "NotAction".to_string(),
                ),
            };
            let lead = if pattern.is_some_and(|p| !p.is_wildcard()) {
                format!("`{source}` lets")
            } else {
                format!("`{source}` includes {}, which lets", via.describe())
            };
            let f = r.report(span, format!("{lead} {who} {how}"));
            for p in &escalators {
                let label = if p.kind == PrincipalKind::Everyone {
                    "every principal of the account can give itself use of the key"
                } else {
                    "has no use of the key but can give it to itself"
                };
                f.label(p.node.span, label);
            }
            let guard = || {
                format!(
                    "`{}`",
                    policy.condition_example("Bool", "kms:GrantIsForAWSResource", "true")
                )
            };
            f.help(help(st, pattern, via.intersects(put), &source, guard));
        }
    }
}

/// How to fix one finding. A wildcard or `NotAction` is fixed by listing the administrative
/// actions; an escalating action named on its own has to be guarded or removed.
fn help(
    st: &Statement<'_>,
    pattern: Option<&ActionPattern<'_>>,
    put: bool,
    source: &str,
    guard: impl Fn() -> String,
) -> String {
    match pattern {
        None => format!(
            "list the administrative actions in `Action` instead of using `NotAction`{}",
            if put { ", and keep `kms:PutKeyPolicy` with the root statement" } else { "" }
        ),
        Some(p) if p.is_wildcard() && put => {
            "list the administrative actions explicitly instead of `kms:Create*`, `kms:Put*` or `kms:*`, and keep `kms:PutKeyPolicy` with the root statement".to_string()
        }
        Some(p) if p.is_wildcard() => format!(
            "list the administrative actions explicitly instead of a wildcard, or add {} to the grant",
            guard()
        ),
        Some(_) if put => format!(
            "remove `{source}` from this statement and leave changing the key policy to the root statement"
        ),
        Some(_) if st.grant_guard() == GrantGuard::IfExists => format!(
            "use `Bool` instead of `BoolIfExists` for `kms:GrantIsForAWSResource`, or remove `{source}`"
        ),
        Some(_) if st.action_patterns().len() == 1 => {
            format!("add {} to the statement, or remove the statement", guard())
        }
        Some(_) => format!(
            "move `{source}` to a statement of its own with {}, or remove it",
            guard()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PolicyContext;
    use crate::rule::Finding;
    use crate::tree::json;

    /// The help of each finding on a policy whose root statement is followed by `statements`
    /// and by a statement that gives `role/App` use of the key.
    fn helps(statements: &str) -> Vec<String> {
        let text = format!(
            r#"{{"Version": "2012-10-17", "Statement": [
                {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:root"}},
                  "Action": "kms:*", "Resource": "*"}},
                {statements},
                {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/App"}},
                  "Action": "kms:Decrypt", "Resource": "*"}}]}}"#
        );
        let root = json::parse(&text).unwrap();
        let policy = Policy::new(&root, &text, &PolicyContext::default());
        let mut out: Vec<Finding> = Vec::new();
        check(&policy, &mut Reporter::new(&mut out));
        out.into_iter().map(|f| f.help.unwrap()).collect()
    }

    fn admin(actions: &str, extra: &str) -> String {
        format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/Admin"}},
                "{actions}, "Resource": "*"{extra}}}"#
        )
    }

    #[test]
    fn a_named_action_is_guarded_or_removed() {
        let h = helps(&admin(
            r#"Action": ["kms:CreateGrant", "kms:PutKeyPolicy"]"#,
            "",
        ));
        assert_eq!(h.len(), 2);
        assert!(h[0].starts_with("move `kms:CreateGrant` to a statement of its own with"));
        assert!(!h[0].contains("wildcard"), "{}", h[0]);
        assert!(h[1].starts_with("remove `kms:PutKeyPolicy` from this statement"));
        let h = helps(&admin(r#"Action": "kms:CreateGrant""#, ""));
        assert!(h[0].starts_with("add `\"Condition\""), "{}", h[0]);
        let guard = r#", "Condition": {"BoolIfExists": {"kms:GrantIsForAWSResource": "true"}}"#;
        let h = helps(&admin(r#"Action": "kms:CreateGrant""#, guard));
        assert!(h[0].starts_with("use `Bool` instead of `BoolIfExists`"));
    }

    #[test]
    fn a_wildcard_is_replaced_by_a_list() {
        let h = helps(&admin(r#"Action": ["kms:Create*", "kms:Put*"]"#, ""));
        assert_eq!(h.len(), 2);
        assert!(
            h[0].starts_with("list the administrative actions explicitly instead of a wildcard")
        );
        assert!(
            h[1].starts_with("list the administrative actions explicitly instead of `kms:Create*`")
        );
        let h = helps(&admin(r#"NotAction": "kms:Decrypt""#, ""));
        assert!(h[0].starts_with(
            "list the administrative actions in `Action` instead of using `NotAction`"
        ));
    }
}
