//! KMS015: a statement has both an element and its `Not` form.

use crate::model::{EXCLUSIVE_ELEMENTS, Policy};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS015",
    name: "conflicting-elements",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "a statement has both `Action` and `NotAction`, `Principal` and `NotPrincipal`, or `Resource` and `NotResource`",
    doc: include_str!("../../rules/conflicting-elements.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in &policy.statements {
        for (plain, not) in EXCLUSIVE_ELEMENTS {
            let (Some(a), Some(b)) = (st.element(plain), st.element(not)) else {
                continue;
            };
            // Both are there only if both certainly are: a template may leave one out.
            if a.value.maybe || b.value.maybe {
                continue;
            }
            let (first, second) = if a.key_span <= b.key_span {
                (a, b)
            } else {
                (b, a)
            };
            r.report(
                second.key_span,
                format!(
                    "a statement cannot have both `{plain}` and `{not}`: AWS rejects the policy"
                ),
            )
            .label(first.key_span, format!("`{}` is here", first.key))
            .help(format!(
                "keep only one of `{plain}` and `{not}`, or split the statement in two"
            ));
        }
    }
}
