//! KMS031: a principal of another account that is not trusted.

use crate::model::{OwnAccount, Policy, PrincipalKind, Tri};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS031",
    name: "cross-account-access",
    severity: Severity::Info,
    default_enabled: true,
    group: RuleGroup::Exposure,
    summary: "a principal of an account other than the key's own and the trusted accounts is allowed access",
    doc: include_str!("../../rules/cross-account-access.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let OwnAccount::Known(own) = &policy.own_account else {
        return;
    };
    // A Deny or a `NotPrincipal` list names principals that are kept out, not let in.
    for st in policy
        .statements
        .iter()
        .filter(|st| st.is_allow() && !st.has_not_principal())
    {
        for p in st.principal_entries() {
            if policy.is_other_account(p) != Tri::Yes {
                continue;
            }
            let Some(account) = p.account() else {
                continue;
            };
            // Joined rather than formatted: this runs for every finding.
            let message = match &p.kind {
                PrincipalKind::Account { .. } => [
                    "account ",
                    account,
                    " is neither the key's account (",
                    own,
                    ") nor a trusted account: its IAM policies can give this key to any of its principals",
                ]
                .concat(),
                _ => [
                    &p.describe(),
                    " belongs to neither the key's account (",
                    own,
                    ") nor a trusted account: another account gets access to this key",
                ]
                .concat(),
            };
            let help = [
                "if account ",
                account,
                " is meant to use this key, pass `--trusted-account ",
                account,
                "`; otherwise remove the principal",
            ]
            .concat();
            r.report(p.node.span, message).help(help);
        }
    }
}
