//! KMS018: a `kms:` action or pattern that matches no KMS action, or an action without a
//! service prefix.

use crate::model::action::suggest_action;
use crate::model::catalog::ACTIONS;
use crate::model::edit::{Fix, replace_string};
use crate::model::{PatternKind, Policy, edit_distance};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};
use crate::tree::Value;

pub const RULE: Rule = Rule {
    code: "KMS018",
    name: "unknown-action",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "a `kms:` action or pattern matches no KMS action, or an action has no service prefix",
    doc: include_str!("../../rules/unknown-action.md"),
    check: Check::Policy(check),
};

/// Whether `suggestion` (from [`suggest_action`]) is the only action `text` can mean: it adds
/// the missing `kms:` prefix or changes only the case, or it is the one catalog action
/// nearest to the name (`kms:Encypt` is `kms:Encrypt`; `kms:Ecrypt` could be `kms:Encrypt`
/// or `kms:Decrypt`).
fn unambiguous(text: &str, suggestion: &str) -> bool {
    let name = text.split_once(':').map_or(text, |(_, n)| n);
    let Some(meant) = suggestion.strip_prefix("kms:") else {
        return false;
    };
    if name.eq_ignore_ascii_case(meant) {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    let distance = |candidate: &str| edit_distance(&lower, &candidate.to_ascii_lowercase());
    let best = distance(meant);
    ACTIONS.iter().filter(|a| distance(a.name) <= best).count() == 1
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in &policy.statements {
        let Some(actions) = &st.actions else {
            continue;
        };
        for p in &actions.patterns {
            let text = p.text().unwrap_or_default();
            let message = match &p.kind {
                PatternKind::Kms { matches, wildcard } if matches.is_empty() => {
                    if *wildcard {
                        format!("`{text}` matches no KMS action, so it allows or denies nothing")
                    } else {
                        format!("`{text}` is not a KMS action, so it allows or denies nothing")
                    }
                }
                PatternKind::NoPrefix => {
                    format!("`{text}` has no service prefix: AWS rejects the policy")
                }
                PatternKind::NotAString if !matches!(p.node.value, Value::Unknown(_)) => format!(
                    "`{}` entries must be strings, found {}",
                    actions.member.key,
                    p.node.type_name()
                ),
                _ => continue,
            };
            let f = r.report(p.node.span, message);
            match suggest_action(text) {
                Some(s) => {
                    // Unsafe: the statement then allows or denies an action it did not.
                    let fix = unambiguous(text, &s)
                        .then(|| replace_string(p.node, policy.text, &s))
                        .flatten()
                        .map(|edit| {
                            Fix::unsafe_(format!("Replace `{text}` with `{s}`"), vec![edit])
                        });
                    f.help(format!("did you mean `{s}`?")).fix(fix)
                }
                None => f.help(
                    "use a KMS action name (`kms:Decrypt`) or a pattern that matches one (`kms:Describe*`)",
                ),
            };
        }
    }
}
