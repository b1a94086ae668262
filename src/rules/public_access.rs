//! KMS030: an Allow for `*` that no condition pins to known accounts or identities.

use crate::model::{ActionSet, Condition, PatternKind, Policy, PrincipalKind};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS030",
    name: "public-access",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Exposure,
    summary: "an Allow for `*` has no condition that pins the caller to known accounts or identities",
    doc: include_str!("../../rules/public-access.md"),
    check: Check::Policy(check),
};

/// Condition keys that tie the caller to known accounts, organizations or identities.
const PINNING_KEYS: &[&str] = &[
    "aws:PrincipalAccount",
    "kms:CallerAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalArn",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:userid",
];

fn on_pinning_key(c: &Condition<'_>) -> bool {
    PINNING_KEYS.iter().any(|k| c.key_is(k))
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in policy
        .statements
        .iter()
        .filter(|st| st.is_allow() && !st.has_not_principal())
    {
        if st.is_pinned_by(on_pinning_key) {
            continue;
        }
        let allowed = st
            .covered_actions()
            .intersect(const { ActionSet::key_policy_actions() });
        // Only actions of other services (no effect in a key policy): nothing is exposed.
        let unresolved = st
            .actions
            .as_ref()
            .is_some_and(|a| a.patterns.iter().any(|p| p.kind == PatternKind::NotAString));
        if allowed.is_empty() && !unresolved {
            continue;
        }
        for p in st
            .principal_entries()
            .iter()
            .filter(|p| p.kind == PrincipalKind::Everyone)
        {
            let f = r.report(
                p.node.span,
                "`*` lets any principal in any AWS account call this statement's actions: no condition pins the caller's account, organization or identity",
            );
            if let Some(actions) = st.actions.as_ref().filter(|_| !allowed.is_empty()) {
                let what = match allowed.len() {
                    1..=4 => format!("allows {}", allowed.describe()),
                    n => format!("allows {n} KMS actions"),
                };
                f.label(actions.member.key_span, what);
            }
            for c in &st.conditions {
                if c.key_is("kms:ViaService") {
                    f.label(
                        c.key_span(),
                        "`kms:ViaService` limits the AWS service the request comes through, not the caller's account",
                    );
                } else if on_pinning_key(c)
                    && let Some(why) = c.why_unrestricted()
                {
                    f.label(c.key_span(), why);
                }
            }
            f.help(format!(
                "name the principals instead of `*`, or add a condition that pins the caller, such as `{}` or `aws:PrincipalOrgID`",
                policy.own_account_condition("StringEquals", "kms:CallerAccount")
            ));
        }
    }
}
