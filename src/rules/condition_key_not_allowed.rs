//! KMS028: a condition key that KMS refuses in key policies.

use crate::model::Policy;
use crate::model::condition::refused_in_key_policy;
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS028",
    name: "condition-key-not-allowed",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "a condition key that KMS refuses in key policies (tags and aliases of the key)",
    doc: include_str!("../../rules/condition-key-not-allowed.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in &policy.statements {
        for c in &st.conditions {
            let key = c.key();
            if !refused_in_key_policy(key) {
                continue;
            }
            let what = if key.to_ascii_lowercase().ends_with("aliases") {
                "aliases"
            } else {
                "tags"
            };
            r.report(
                c.key_span(),
                format!("`{key}` cannot be used in a key policy: KMS rejects the policy"),
            )
            .help(format!(
                "test the key's {what} in IAM policies instead (the key policy's root statement lets them apply), or name the principals in the key policy"
            ));
        }
    }
}
