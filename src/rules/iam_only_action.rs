//! KMS020: an action named explicitly that only an IAM policy can control.

use crate::model::{ActionSet, PatternKind, Policy};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS020",
    name: "iam-only-action",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "an action named explicitly (`kms:CreateKey`) that a key policy cannot control",
    doc: include_str!("../../rules/iam-only-action.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let key_policy = const { ActionSet::key_policy_actions() };
    for st in &policy.statements {
        for p in st.action_patterns() {
            // Wildcards that sweep these actions in are harmless: only explicit names mislead.
            let PatternKind::Kms {
                matches,
                wildcard: false,
            } = p.kind
            else {
                continue;
            };
            if matches.is_empty() || matches.intersects(key_policy) {
                continue;
            }
            r.report(
                p.node.span,
                format!(
                    "{} involves no particular key: a key policy cannot control it, only an IAM policy can",
                    matches.describe()
                ),
            )
            .help("remove it from the key policy, and allow it in an IAM policy where it is needed");
        }
    }
}
