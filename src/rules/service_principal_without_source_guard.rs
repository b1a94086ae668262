//! KMS034: a service principal without a condition naming whose resources it acts for.

use crate::model::condition::lookup_key;
use crate::model::{ActionSet, Condition, Policy, PrincipalKind};
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

/// The actions that only read the key's metadata (RULES.md KMS034).
fn read_only() -> ActionSet {
    static READ_ONLY: std::sync::LazyLock<ActionSet> = std::sync::LazyLock::new(|| {
        [
            "DescribeKey",
            "GetPublicKey",
            "GetKeyPolicy",
            "GetKeyRotationStatus",
        ]
        .into_iter()
        .fold(
            ActionSet::filter(|a| a.name.starts_with("List")),
            |acc, n| acc.union(ActionSet::named(n)),
        )
    });
    *READ_ONLY
}

fn on_source_key(c: &Condition<'_>) -> bool {
    SOURCE_KEYS.iter().any(|k| c.key_is(k))
        || lookup_key(c.key()).is_some_and(|k| k.name == "kms:EncryptionContext:")
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in policy
        .statements
        .iter()
        .filter(|st| st.is_allow() && !st.has_not_principal())
    {
        if st.is_pinned_by(on_source_key) {
            continue;
        }
        // Reading the key's metadata uses nothing on anyone's behalf.
        if !st.may_cover(const { ActionSet::key_policy_actions() }.minus(read_only())) {
            continue;
        }
        let services: Vec<_> = st
            .principal_entries()
            .iter()
            .filter(|p| p.kind == PrincipalKind::Service)
            .collect();
        let Some((first, others)) = services.split_first() else {
            continue;
        };
        let message = if others.is_empty() {
            format!(
                "service principal `{}` is allowed without an `aws:SourceAccount`, `aws:SourceArn` or encryption-context condition: the service can be made to use this key for resources in any account (confused deputy)",
                first.text()
            )
        } else {
            format!(
                "{} service principals are allowed without an `aws:SourceAccount`, `aws:SourceArn` or encryption-context condition: each can be made to use this key for resources in any account (confused deputy)",
                services.len()
            )
        };
        let f = r.report(first.node.span, message);
        for p in others {
            f.label(p.node.span, "also without a source condition");
        }
        for c in st.conditions.iter().filter(|c| on_source_key(c)) {
            if let Some(why) = c.why_unrestricted() {
                f.label(
                    c.key_span(),
                    format!("{why}: it does not guard the request"),
                );
            }
        }
        f.help(format!(
            "add `{}`, or an `aws:SourceArn` condition naming the resources the service acts for",
            policy.own_account_condition("StringEquals", "aws:SourceAccount")
        ));
    }
}
