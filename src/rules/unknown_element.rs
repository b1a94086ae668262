//! KMS013: an element AWS does not know, at the top level or in a statement.

use crate::model::{POLICY_ELEMENTS, Policy, STATEMENT_ELEMENTS, edit_distance, nearest};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};
use crate::tree::Member;

pub const RULE: Rule = Rule {
    code: "KMS013",
    name: "unknown-element",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "a policy or statement element AWS does not know (`Statements`, `principal`)",
    doc: include_str!("../../rules/unknown-element.md"),
    check: Check::Policy(check),
};

/// The valid name `key` most likely meant: a case variant, or one with at most a third of
/// its letters changed (so `Foo` suggests nothing rather than `Sid`).
fn meant(key: &str, valid: &'static [&'static str]) -> Option<&'static str> {
    nearest(key, valid.iter().copied()).filter(|c| {
        let d = edit_distance(&key.to_ascii_lowercase(), &c.to_ascii_lowercase());
        d * 3 <= c.len().max(key.len())
    })
}

fn report(r: &mut Reporter, m: &Member, what: &str, valid: &'static [&'static str]) {
    let names: Vec<String> = valid.iter().map(|v| format!("`{v}`")).collect();
    let list = match names.split_last() {
        Some((last, init)) if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => names.concat(),
    };
    let f = r.report(
        m.key_span,
        format!("`{}` is not {what} element: AWS rejects the policy", m.key),
    );
    match meant(&m.key, valid) {
        Some(name) if name.eq_ignore_ascii_case(&m.key) => f.help(format!(
            "element names are case-sensitive: rename it to `{name}`"
        )),
        Some(name) => f.help(format!("did you mean `{name}`?")),
        None => f.help(format!("remove it; the elements are {list}")),
    };
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for m in policy.root.members() {
        if !POLICY_ELEMENTS.contains(&m.key.as_str()) {
            report(r, m, "a policy", POLICY_ELEMENTS);
        }
    }
    for st in &policy.statements {
        for m in st.node.members() {
            if !STATEMENT_ELEMENTS.contains(&m.key.as_str()) {
                report(r, m, "a statement", STATEMENT_ELEMENTS);
            }
        }
    }
}
