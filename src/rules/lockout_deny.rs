//! KMS036: an unconditional Deny of `kms:PutKeyPolicy` for everyone locks the policy forever.

use crate::model::{ActionSet, Policy, PrincipalKind};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS036",
    name: "lockout-deny",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Exposure,
    summary: "an unconditional Deny takes `kms:PutKeyPolicy` away from every principal",
    doc: include_str!("../../rules/lockout-deny.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let put = const { ActionSet::named("PutKeyPolicy") };
    for st in policy
        .statements
        .iter()
        .filter(|st| st.is_deny() && !st.is_conditional() && !st.has_not_principal())
    {
        let everyone = st
            .principal_entries()
            .iter()
            .find(|p| p.kind == PrincipalKind::Everyone);
        let Some(everyone) = everyone else {
            continue;
        };
        if !st.covers(put) {
            continue;
        }
        let f = r.report(
            st.anchor(),
            "this Deny takes `kms:PutKeyPolicy` away from every principal, the account root included: nobody can ever change the key policy again",
        );
        f.label(everyone.node.span, "applies to every principal");
        for pattern in st.patterns_covering(put) {
            match pattern {
                Some(p) if p.is_wildcard() => {
                    f.label(p.node.span, "includes `kms:PutKeyPolicy`");
                }
                Some(p) => {
                    f.label(p.node.span, "denied here");
                }
                None => {
                    if let Some(a) = &st.actions {
                        f.label(a.member.key_span, "leaves `kms:PutKeyPolicy` denied");
                    }
                }
            }
        }
        f.help("exempt the key administrators and the account root with a condition (for example `\"ArnNotEquals\": {\"aws:PrincipalArn\": [...]}`), or remove `kms:PutKeyPolicy` from the Deny");
    }
}
