//! KMS019: an action of another service, which a key policy cannot control.

use crate::model::action::suggest_action;
use crate::model::{PatternKind, Policy};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS019",
    name: "non-kms-action",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "an action of another service (`s3:GetObject`) has no effect in a key policy",
    doc: include_str!("../../rules/non-kms-action.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in &policy.statements {
        for p in st.action_patterns() {
            let PatternKind::OtherService { service } = &p.kind else {
                continue;
            };
            let text = p.text().unwrap_or_default();
            let f = r.report(
                p.node.span,
                format!(
                    "`{text}` is an action of `{service}`, not of KMS: it has no effect in a key policy"
                ),
            );
            match suggest_action(text) {
                Some(s) => f.help(format!("did you mean `{s}`?")),
                None => f.help(format!(
                    "remove it; grant `{service}` actions in that service's resource policy or in an IAM policy"
                )),
            };
        }
    }
}
