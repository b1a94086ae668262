//! KMS034: a service principal without a condition naming whose resources it acts for.

use crate::model::condition::lookup_key;
use crate::model::{Condition, Policy, PrincipalKind};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS034",
    name: "service-principal-without-source-guard",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Exposure,
    summary: "a service principal is allowed access without an `aws:SourceAccount`, `aws:SourceArn` or similar condition",
    doc: include_str!("../../rules/service-principal-without-source-guard.md"),
    check: Check::Policy(check),
};

/// Condition keys that tie a service's request to the resources or account it acts for.
const SOURCE_KEYS: &[&str] = &[
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "kms:CallerAccount",
];

fn on_source_key(c: &Condition<'_>) -> bool {
    SOURCE_KEYS.iter().any(|k| c.key_is(k))
        || lookup_key(c.key()).is_some_and(|k| k.name == "kms:EncryptionContext:")
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let account = policy.own_account.or_placeholder();
    for st in policy
        .statements
        .iter()
        .filter(|st| st.is_allow() && !st.has_not_principal())
    {
        if st.is_pinned_by(on_source_key) {
            continue;
        }
        for p in st
            .principal_entries()
            .iter()
            .filter(|p| p.kind == PrincipalKind::Service)
        {
            let service = p.node.as_str().unwrap_or_default();
            let f = r.report(
                p.node.span,
                format!(
                    "service principal `{service}` is allowed without an `aws:SourceAccount`, `aws:SourceArn` or encryption-context condition: the service can be made to use this key for resources in any account (confused deputy)"
                ),
            );
            for c in st.conditions.iter().filter(|c| on_source_key(c)) {
                if let Some(why) = c.why_unrestricted() {
                    f.label(
                        c.key_span(),
                        format!("{why}: it does not guard the request"),
                    );
                }
            }
            f.help(format!(
                "add `\"Condition\": {{\"StringEquals\": {{\"aws:SourceAccount\": \"{account}\"}}}}`, or an `aws:SourceArn` condition naming the resources the service acts for"
            ));
        }
    }
}
