//! KMS011: an object repeats a key, or a condition block a key in another case.

use rustc_hash::FxHashMap as HashMap;

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

/// For each member that repeats an earlier key, the earlier member. Policy objects are small:
/// they are compared pairwise without allocating; only large objects are hashed.
fn repeats(members: &[Member], ignore_case: bool) -> Vec<(&Member, &Member)> {
    let same = |a: &str, b: &str| {
        if ignore_case {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    let mut out = Vec::new();
    if members.len() <= 32 {
        for (i, m) in members.iter().enumerate() {
            if let Some(first) = members[..i].iter().find(|f| same(&f.key, &m.key)) {
                out.push((first, m));
            }
        }
        return out;
    }
    let mut seen: HashMap<String, &Member> =
        HashMap::with_capacity_and_hasher(members.len(), Default::default());
    for m in members {
        let key = if ignore_case {
            m.key.to_ascii_lowercase()
        } else {
            m.key.clone()
        };
        match seen.get(&key) {
            Some(first) => out.push((*first, m)),
            None => {
                seen.insert(key, m);
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
            for (first, second) in repeats(members, false) {
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
            for (first, second) in repeats(op.value.members(), true) {
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
