//! KMS011: an object repeats a key, or a condition block a key in another case.

use std::collections::HashMap;

use crate::model::Policy;
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};
use crate::tree::{Member, Value};

pub const RULE: Rule = Rule {
    code: "KMS011",
    name: "duplicate-key",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "an object repeats a key, or a condition names a key twice in different case",
    doc: include_str!("../../rules/duplicate-key.md"),
    check: Check::Policy(check),
};

/// For each member that repeats an earlier key (as `norm` maps it), the earlier member.
fn repeats(members: &[Member], norm: impl Fn(&str) -> String) -> Vec<(&Member, &Member)> {
    let mut seen: HashMap<String, &Member> = HashMap::with_capacity(members.len());
    let mut out = Vec::new();
    for m in members {
        match seen.get(&norm(&m.key)) {
            Some(first) => out.push((*first, m)),
            None => {
                seen.insert(norm(&m.key), m);
            }
        }
    }
    out
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    policy.root.walk(&mut |node| {
        if let Value::Object(members) = &node.value {
            if members.len() < 2 {
                return;
            }
            for (first, second) in repeats(members, str::to_string) {
                r.report(
                    second.key_span,
                    format!(
                        "`{}` is defined twice: AWS keeps only one of them",
                        second.key
                    ),
                )
                .label(first.key_span, "first defined here")
                .help("merge the two into one, or remove the one that is wrong");
            }
        }
    });
    // Condition keys are case-insensitive: one operator block may not name a key twice.
    for st in &policy.statements {
        let Some(cond) = st.condition_member else {
            continue;
        };
        for op in cond.value.members() {
            for (first, second) in repeats(op.value.members(), str::to_ascii_lowercase) {
                if first.key != second.key {
                    r.report(
                        second.key_span,
                        format!(
                            "condition key `{}` repeats `{}` in a different case: AWS rejects the policy",
                            second.key, first.key
                        ),
                    )
                    .label(first.key_span, "first named here")
                    .help("condition keys are case-insensitive: merge the values under one key");
                }
            }
        }
    }
}
