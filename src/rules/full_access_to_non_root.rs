//! KMS035: a principal other than the account root is allowed every key action.

use crate::model::{ActionSet, Policy, PrincipalKind, Tri, Who};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS035",
    name: "full-access-to-non-root",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Exposure,
    summary: "a principal other than the account root is allowed every key action",
    doc: include_str!("../../rules/full-access-to-non-root.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let all = const { ActionSet::key_policy_actions() };
    // With `NotPrincipal` the listed entries are the ones left out (KMS032 reports it).
    for st in policy
        .statements
        .iter()
        .filter(|st| st.is_allow() && !st.has_not_principal() && st.covers(all))
    {
        let Some(actions) = &st.actions else {
            continue;
        };
        // The entries (`kms:*`, `*`) that alone cover every action, else the whole element.
        let broad: Vec<_> = actions
            .patterns
            .iter()
            .filter(|p| !actions.not && p.matches().contains_all(all))
            .collect();
        for p in st.principal_entries() {
            if matches!(p.kind, PrincipalKind::Unknown | PrincipalKind::Invalid(_))
                || policy.is_root(p) != Tri::No
            {
                continue;
            }
            // An unconditional Deny that takes some action away leaves less than full access.
            if policy.unconditionally_denied(Who::Entry(p)).intersects(all) {
                continue;
            }
            let who = match (&p.kind, policy.pinned_to_own_account(st)) {
                (PrincipalKind::Everyone, Some(account)) => {
                    format!("`*` (every principal in {account})")
                }
                (PrincipalKind::Everyone, None) => "`*` (every principal)".to_string(),
                _ => p.describe(),
            };
            let f = r.report(
                p.node.span,
                format!(
                    "{who} is allowed every key action, including `kms:PutKeyPolicy` and `kms:ScheduleKeyDeletion`: it can change the key policy and delete the key"
                ),
            );
            if broad.is_empty() {
                let what = if actions.not {
                    "leaves every key action allowed"
                } else {
                    "together these cover every key action"
                };
                f.label(actions.member.key_span, what);
            }
            for b in &broad {
                f.label(b.node.span, "covers every key action");
            }
            f.help("allow only the actions this principal needs; `kms:*` belongs in the root statement");
        }
    }
}
