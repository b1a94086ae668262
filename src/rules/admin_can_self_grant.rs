//! KMS003: a principal that can change the policy or create grants can give itself use.

use crate::model::{
    ActionPattern, ActionSet, Category, GrantGuard, Policy, PrincipalKind, PrincipalType, Tri, Who,
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
        let candidates: Vec<_> = st
            .principal_entries()
            .iter()
            .filter(|p| p.ptype == PrincipalType::Aws && policy.is_root(p) == Tri::No)
            .filter(|p| {
                !matches!(
                    p.kind,
                    PrincipalKind::Everyone | PrincipalKind::Unknown | PrincipalKind::Invalid(_)
                )
            })
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
            let (who, itself) = match escalators.as_slice() {
                [one] => (format!("`{}`", one.text()), "itself"),
                many => (format!("{} principals", many.len()), "themselves"),
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
                f.label(
                    p.node.span,
                    "has no use of the key but can give it to itself",
                );
            }
            f.help(if via == grant {
                "list the administrative actions explicitly instead of a wildcard, or add `\"Condition\": {\"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}}` to the grant"
            } else {
                "list the administrative actions explicitly instead of `kms:Create*`, `kms:Put*` or `kms:*`, and keep `kms:PutKeyPolicy` with the root statement"
            });
        }
    }
}
