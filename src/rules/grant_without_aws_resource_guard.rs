//! KMS005: CreateGrant without `kms:GrantIsForAWSResource`.

use crate::model::condition::scalar_text;
use crate::model::{ActionSet, GrantGuard, OpBase, Policy, PrincipalKind, Statement, Tri, Who};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS005",
    name: "grant-without-aws-resource-guard",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Access,
    summary: "`kms:CreateGrant` is allowed without a `kms:GrantIsForAWSResource` condition",
    doc: include_str!("../../rules/grant-without-aws-resource-guard.md"),
    check: Check::Policy(check),
};

/// A Deny of `kms:CreateGrant` under `Bool kms:GrantIsForAWSResource false`.
fn denies_non_aws_grants(st: &Statement<'_>) -> bool {
    st.is_deny()
        && !st.maybe
        && st.covers(ActionSet::named("CreateGrant"))
        && st.conditions.len() == 1
        && st.conditions_on("kms:GrantIsForAWSResource").any(|c| {
            c.operator.is_some_and(|op| op.base == OpBase::Bool)
                && c.values()
                    .iter()
                    .all(|v| scalar_text(v).is_some_and(|t| t.eq_ignore_ascii_case("false")))
        })
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let grant = ActionSet::named("CreateGrant");
    let guard_denies: Vec<&Statement<'_>> = policy
        .statements
        .iter()
        .filter(|d| denies_non_aws_grants(d))
        .collect();
    for st in policy.statements.iter().filter(|st| st.is_allow()) {
        let guard = st.grant_guard();
        if guard == GrantGuard::Strong || !st.covers(grant) {
            continue;
        }
        let non_root: Vec<_> = st
            .principal_entries()
            .iter()
            .filter(|p| !matches!(p.kind, PrincipalKind::Unknown | PrincipalKind::Invalid(_)))
            .filter(|p| st.has_not_principal() || policy.is_root(p) == Tri::No)
            .collect();
        if non_root.is_empty() {
            continue;
        }
        // Every principal it names is certainly denied `kms:CreateGrant`, outright or for
        // grants that are not for AWS resources.
        let silenced = !st.has_not_principal()
            && non_root.iter().all(|p| {
                let who = Who::Entry(p);
                policy.unconditionally_denied(who).contains_all(grant)
                    || guard_denies
                        .iter()
                        .any(|d| policy.applies_to(d, who) == Tri::Yes)
            });
        if silenced {
            continue;
        }
        let single = st
            .actions
            .as_ref()
            .is_some_and(|a| !a.not && a.patterns.len() == 1 && !a.patterns[0].is_wildcard());
        for pattern in st.patterns_covering(grant) {
            let (span, text) = match pattern {
                Some(p) => (p.node.span, p.node.as_str().unwrap_or_default()),
                None => (
                    st.actions
                        .as_ref()
                        .map_or(st.anchor(), |a| a.member.key_span),
                    "NotAction",
                ),
            };
            let subject = if pattern.is_some_and(|p| !p.is_wildcard()) {
                format!("`{text}`")
            } else {
                format!("`{text}` includes `kms:CreateGrant` and")
            };
            let message = match guard {
                GrantGuard::IfExists => format!(
                    "{subject} is guarded only by `BoolIfExists`, which passes when `kms:GrantIsForAWSResource` is absent"
                ),
                _ => format!(
                    "{subject} is allowed without a `kms:GrantIsForAWSResource` condition: grants can go to any principal, not only AWS services"
                ),
            };
            let guard_text =
                || policy.condition_example("Bool", "kms:GrantIsForAWSResource", "true");
            let help = if guard == GrantGuard::IfExists {
                "use `Bool` instead of `BoolIfExists` for `kms:GrantIsForAWSResource`".to_string()
            } else if single {
                format!("add `{}` to the statement", guard_text())
            } else {
                format!(
                    "move `kms:CreateGrant` to its own statement with `{}`",
                    guard_text()
                )
            };
            r.report(span, message).help(help);
        }
    }
}
