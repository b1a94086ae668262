//! KMS038: an IAM user is allowed access directly (off by default).

use crate::model::{Policy, PrincipalKind};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS038",
    name: "iam-user-principal",
    severity: Severity::Info,
    default_enabled: false,
    group: RuleGroup::Exposure,
    summary: "an IAM user is allowed access to the key; prefer roles",
    doc: include_str!("../../rules/iam-user-principal.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    // Denying a particular user is fine; the advice is about who is let in.
    for st in policy
        .statements
        .iter()
        .filter(|st| st.is_allow() && !st.has_not_principal())
    {
        for p in st.principal_entries() {
            if let PrincipalKind::User { name, .. } = &p.kind {
                r.report(
                    p.node.span,
                    format!(
                        "IAM user `{name}` is allowed access: its long-term credentials can use the key, and the policy must change whenever people do"
                    ),
                )
                .help("allow a role the user can assume instead of the user itself");
            }
        }
    }
}
