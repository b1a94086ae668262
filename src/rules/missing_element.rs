//! KMS014: a statement lacks a required element, or the policy has no statements.

use crate::model::statement::names_nobody;
use crate::model::{Policy, Statement};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};
use crate::tree::{Member, Value};

pub const RULE: Rule = Rule {
    code: "KMS014",
    name: "missing-element",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "a statement lacks `Effect`, `Principal`, `Action` or `Resource`, or `Statement` is missing or empty",
    doc: include_str!("../../rules/missing-element.md"),
    check: Check::Policy(check),
};

/// The required elements: each alternative satisfies the requirement; the help for one.
const REQUIRED: &[(&[&str], &str)] = &[
    (&["Effect"], "`\"Effect\": \"Allow\"` or `\"Deny\"`"),
    (
        &["Principal", "NotPrincipal"],
        "a `Principal`: key policy statements must name who they apply to",
    ),
    (
        &["Action", "NotAction"],
        "the `Action` the statement allows or denies",
    ),
    (
        &["Resource", "NotResource"],
        "`\"Resource\": \"*\"` (in a key policy, `*` means this key)",
    ),
];

/// Whether a present element says nothing: an empty list, or a principal object that names
/// nobody (`{}`, `{"AWS": []}`).
fn is_empty(m: &Member) -> bool {
    match &m.value.value {
        Value::Array(items) => items.is_empty(),
        Value::Object(_) => names_nobody(&m.value),
        _ => false,
    }
}

fn check_statement(st: &Statement<'_>, r: &mut Reporter) {
    // Members a template computes (`${…}`) may be any element.
    if st.node.members().iter().any(|m| m.key.starts_with("${")) {
        return;
    }
    let mut problems = Vec::new();
    let mut helps = Vec::new();
    for (names, help) in REQUIRED {
        match names.iter().find_map(|n| st.element(n)) {
            None => {
                problems.push(format!("no `{}`", names[0]));
                helps.push(*help);
            }
            Some(m) if is_empty(m) => {
                problems.push(format!("an empty `{}`", m.key));
                helps.push("at least one entry to it");
            }
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        return;
    }
    let list = match problems.as_slice() {
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => return,
    };
    let help = match helps.as_slice() {
        [one] => format!("add {one}"),
        _ => "complete the statement: it needs `Effect`, `Principal` (or `NotPrincipal`), `Action` (or `NotAction`) and `\"Resource\": \"*\"`".to_string(),
    };
    r.report(
        st.anchor(),
        format!("the statement has {list}: AWS rejects the policy"),
    )
    .help(help);
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    match policy.statement_member {
        None => {
            r.report(
                policy.anchor(),
                "the policy has no `Statement`: AWS rejects it",
            )
            .help(
                "add a `Statement` list with the root statement and the statements this key needs",
            );
        }
        Some(m) if policy.statements.is_empty() => {
            let items = m.value.one_or_many();
            // An unresolved list (or entry) may hold statements.
            if items.iter().any(|n| matches!(n.value, Value::Unknown(_))) {
                return;
            }
            let message = if items.is_empty() {
                "`Statement` is empty: the policy allows nothing and AWS rejects it"
            } else {
                "`Statement` holds no statement objects: AWS rejects the policy"
            };
            r.report(policy.anchor(), message)
                .help("add the root statement and the statements this key needs");
        }
        Some(_) => {}
    }
    for st in &policy.statements {
        check_statement(st, r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PolicyContext;
    use crate::rule::Finding;
    use crate::tree::json;

    fn run(text: &str) -> Vec<Finding> {
        let root = json::parse(text).unwrap();
        let policy = Policy::new(&root, text, &PolicyContext::default());
        let mut out = Vec::new();
        check(&policy, &mut Reporter::new(&mut out));
        out
    }

    #[test]
    fn empty_or_missing_statement() {
        let f = run(r#"{"Version": "2012-10-17", "Statement": []}"#);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.starts_with("`Statement` is empty"));
        assert_eq!(f[0].span.start, 26);
        let f = run(r#"{"Version": "2012-10-17", "Statement": ["x"]}"#);
        assert!(f[0].message.contains("no statement objects"));
        let f = run(r#"{"Version": "2012-10-17"}"#);
        assert!(f[0].message.contains("no `Statement`"));
        assert_eq!(f[0].span.start, 0);
    }

    #[test]
    fn lists_every_missing_element() {
        let f = run(r#"{"Statement": [{"Sid": "S", "Action": []}]}"#);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "the statement has no `Effect`, no `Principal`, an empty `Action` and no `Resource`: AWS rejects the policy"
        );
    }
}
