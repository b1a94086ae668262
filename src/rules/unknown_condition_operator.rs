//! KMS024: a condition operator that is not in the IAM condition grammar.

use crate::model::condition::malformed_condition;
use crate::model::{Operator, Policy};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS024",
    name: "unknown-condition-operator",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "a condition operator is not in the IAM condition grammar",
    doc: include_str!("../../rules/unknown-condition-operator.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in &policy.statements {
        let Some(condition) = st.condition_member else {
            continue;
        };
        if let Some((node, why)) = malformed_condition(&condition.value) {
            let span = if std::ptr::eq(node, &condition.value) {
                condition.key_span
            } else {
                node.span
            };
            r.report(span, format!("{why}: AWS rejects the policy"))
                .help("write conditions as `\"Condition\": {\"Operator\": {\"key\": \"value\" or [\"values\"]}}`");
        }
        for op in condition.value.members() {
            let name = op.key.as_str();
            if Operator::parse(name).is_some() {
                continue;
            }
            if Operator::is_null_if_exists(name) {
                r.report(
                    op.key_span,
                    format!("`{name}` is not a condition operator: `Null` cannot take `IfExists`"),
                )
                .help("use `Null`: it already tests whether the key is present");
                continue;
            }
            match Operator::suggest(name) {
                Some(s) if s.eq_ignore_ascii_case(name) => {
                    r.report(
                        op.key_span,
                        format!("`{name}` is not a condition operator: operator names are case-sensitive"),
                    )
                    .help(format!("write `{s}`"));
                }
                Some(s) => {
                    r.report(
                        op.key_span,
                        format!("`{name}` is not a condition operator: AWS rejects the policy"),
                    )
                    .help(format!("did you mean `{s}`?"));
                }
                None => {
                    r.report(
                        op.key_span,
                        format!("`{name}` is not a condition operator: AWS rejects the policy"),
                    )
                    .help("use an operator of the IAM condition grammar, such as `StringEquals`, `StringLike`, `ArnLike`, `Bool` or `NumericLessThan`");
                }
            }
        }
    }
}
