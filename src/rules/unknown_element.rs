//! KMS013: an element AWS does not know, at the top level or in a statement.

use crate::model::edit::{Edit, Fix, is_plain, replace_string};
use crate::model::{EFFECTS, POLICY_ELEMENTS, Policy, STATEMENT_ELEMENTS, edit_distance, nearest};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};
use crate::tree::{Member, Node, Span};

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

/// Whether `candidate` is close enough to `key` to be what it meant: a case variant, or one
/// with at most a third of its letters changed (so `Foo` suggests nothing rather than `Sid`).
fn close(key: &str, candidate: &str) -> bool {
    let d = edit_distance(&key.to_ascii_lowercase(), &candidate.to_ascii_lowercase());
    d * 3 <= candidate.len().max(key.len())
}

/// The valid name `key` most likely meant.
fn meant(key: &str, valid: &'static [&'static str]) -> Option<&'static str> {
    nearest(key, valid.iter().copied()).filter(|c| close(key, c))
}

/// The name `key` certainly meant: the only valid name close to it.
pub(super) fn certainly_meant(key: &str, valid: &'static [&'static str]) -> Option<&'static str> {
    let name = meant(key, valid)?;
    let mut close_ones = valid.iter().filter(|c| close(key, c));
    (close_ones.next().is_some() && close_ones.next().is_none()).then_some(name)
}

/// The edit that renames a key of `object` to `new` (plain text, see [`is_plain`]), when the
/// key is written as it reads: bare (`principal` in YAML or HCL) or quoted without escapes.
/// In HCL, an `=` aligned with the `=` of other members stays in its column.
pub(super) fn rename_key(text: &str, object: &Node, m: &Member, new: &str) -> Option<Edit> {
    if !is_plain(new) {
        return None;
    }
    let span = m.key_span;
    let written = text.get(span.start as usize..span.end as usize)?;
    let quoted = |q: char| written.len() >= 2 && written.starts_with(q) && written.ends_with(q);
    let body = if written == m.key {
        span
    } else if (quoted('"') || quoted('\'')) && written[1..written.len() - 1] == m.key {
        Span::new(span.start + 1, span.end - 1)
    } else {
        return None;
    };
    if body.is_empty() {
        return None;
    }
    let Some(equals) = aligned_equals(text, object, m) else {
        return Some(Edit::replace(body, new));
    };
    // The closing quote, then spaces up to the `=`.
    let quote = &text[body.end as usize..span.end as usize];
    let width = equals - body.start as usize;
    let pad = width.saturating_sub(new.len() + quote.len()).max(1);
    Some(Edit::replace(
        Span::new(body.start, equals as u32),
        format!("{new}{quote}{}", " ".repeat(pad)),
    ))
}

/// The offset of the `=` after a member's key (HCL), when another member of `object` has its
/// own `=` in the same column.
fn aligned_equals(text: &str, object: &Node, m: &Member) -> Option<usize> {
    let equals = |m: &Member| {
        let end = m.key_span.end as usize;
        let rest = text.get(end..)?;
        let at = end + rest.len() - rest.trim_start_matches(' ').len();
        text[at..].starts_with('=').then_some(at)
    };
    let column = |at: usize| at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    let own = equals(m)?;
    object
        .members()
        .iter()
        .filter(|o| !std::ptr::eq(*o, m))
        .filter_map(equals)
        .any(|other| column(other) == column(own))
        .then_some(own)
}

/// The fix that renames `m` to `name`: only when no other member of the object has that
/// name or would be renamed to it (two members of one name are rejected as well).
fn rename(
    policy: &Policy<'_>,
    object: &Node,
    m: &Member,
    name: &str,
    valid: &'static [&'static str],
) -> Option<Fix> {
    let taken = object.members().iter().any(|other| {
        !std::ptr::eq(other, m)
            && (other.key == name
                || (!valid.contains(&other.key.as_str())
                    && certainly_meant(&other.key, valid) == Some(name)))
    });
    if taken {
        return None;
    }
    let mut edits = vec![rename_key(policy.text, object, m, name)?];
    let mut title = format!("Rename `{}` to `{name}`", m.key);
    // `"effect": "allow"`: renamed alone, the value would be KMS016's finding.
    if name == "Effect"
        && let Some(value) = m.value.as_str()
        && let Some(effect) = EFFECTS.iter().find(|e| e.eq_ignore_ascii_case(value))
        && value != *effect
    {
        edits.push(replace_string(&m.value, policy.text, effect)?);
        title.push_str(&format!(" and its value to `{effect}`"));
    }
    Some(Fix::safe(title, edits))
}

fn report(
    policy: &Policy<'_>,
    r: &mut Reporter,
    object: &Node,
    m: &Member,
    what: &str,
    valid: &'static [&'static str],
) {
    let names: Vec<String> = valid.iter().map(|v| format!("`{v}`")).collect();
    let list = match names.split_last() {
        Some((last, init)) if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => names.concat(),
    };
    let f = r.report(
        m.key_span,
        format!("`{}` is not {what} element: AWS rejects the policy", m.key),
    );
    let fix =
        certainly_meant(&m.key, valid).and_then(|name| rename(policy, object, m, name, valid));
    match meant(&m.key, valid) {
        Some(name) if name.eq_ignore_ascii_case(&m.key) => f.help(format!(
            "element names are case-sensitive: rename it to `{name}`"
        )),
        Some(name) => f.help(format!("did you mean `{name}`?")),
        None => f.help(format!("remove it; the elements are {list}")),
    };
    f.fix(fix);
}

/// Whether a member is one a template computes (`${var.statement_id}` in a heredoc): its
/// elements are not known.
fn computed(m: &Member) -> bool {
    m.key.starts_with("${")
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for m in policy.root.members() {
        if !POLICY_ELEMENTS.contains(&m.key.as_str()) && !computed(m) {
            report(policy, r, policy.root, m, "a policy", POLICY_ELEMENTS);
        }
    }
    for st in &policy.statements {
        for m in st.node.members() {
            if !STATEMENT_ELEMENTS.contains(&m.key.as_str()) && !computed(m) {
                report(policy, r, st.node, m, "a statement", STATEMENT_ELEMENTS);
            }
        }
    }
}
