//! KMS001: nobody can manage the key through the account root.

use crate::model::{ActionSet, Policy, PrincipalKind, Tri, Who};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS001",
    name: "missing-root-access",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Access,
    summary: "no statement lets the account root change the key policy",
    doc: include_str!("../../rules/missing-root-access.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    // A policy without statements is KMS014's finding.
    if policy.statements.is_empty() {
        return;
    }
    let put = const { ActionSet::named("PutKeyPolicy") };
    let deny = policy.statements.iter().find(|st| {
        st.is_deny()
            && !st.maybe
            && !st.is_conditional()
            && st.covers(put)
            && policy.applies_to(st, Who::Root) == Tri::Yes
    });
    // Written only for a finding: most policies have none.
    let help = || {
        let root = policy.root_arn_example();
        format!(
            "add a statement that allows `{root}` `kms:*` on `*`, so the key stays manageable and IAM policies can grant access to it"
        )
    };
    if let Some(deny) = deny {
        r.report(
            policy.anchor(),
            "an unconditional Deny takes `kms:PutKeyPolicy` away from the account root",
        )
        .label(deny.anchor(), "this Deny applies to the account root")
        .help(format!("{}, and exclude the root from the Deny", help()));
    } else if !policy.may_be_allowed(Who::Root, put)
        // A principal KMS017 reports as invalid may be the root written wrongly.
        && !policy.statements.iter().any(|st| {
            st.is_allow()
                && st.may_cover(put)
                && st
                    .principal_entries()
                    .iter()
                    .any(|p| matches!(p.kind, PrincipalKind::Invalid(_)))
        })
    {
        r.report(
            policy.anchor(),
            "no statement allows the account root `kms:PutKeyPolicy`: the key can become unmanageable",
        )
        .help(help());
    }
}
