//! KMS026: a condition whose operator or values do not fit its key.

use crate::model::condition::{
    ConditionKeyInfo, KeyType, bool_value, has_policy_variable, has_wildcard, is_numeric_value,
    lookup_key, refused_in_key_policy, scalar_text,
};
use crate::model::edit::Fix;
use crate::model::{ActionSet, Condition, OpBase, Operator, Policy, SetOp, Statement};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};
use crate::tree::Value;

use super::unknown_element::rename_key;

pub const RULE: Rule = Rule {
    code: "KMS026",
    name: "condition-type-mismatch",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "a condition's operator or values do not fit the type of its key",
    doc: include_str!("../../rules/condition-type-mismatch.md"),
    check: Check::Policy(check),
};

/// How to fix an operator that does not fit a key of this type.
fn family_help(info: &ConditionKeyInfo) -> String {
    let key = info.name;
    match info.key_type {
        KeyType::Bool => format!("use `Bool`: `\"Bool\": {{\"{key}\": \"true\"}}`"),
        KeyType::Numeric => {
            "use a numeric operator (`NumericEquals`, `NumericLessThanEquals`, ...)".to_string()
        }
        KeyType::Date => "use a date operator (`DateLessThan`, `DateGreaterThan`, ...)".to_string(),
        KeyType::Arn => {
            "use an ARN operator (`ArnEquals`, `ArnLike`) or a string operator".to_string()
        }
        KeyType::ArrayOfString => {
            "use a string operator with a set prefix (`ForAnyValue:StringEquals`, ...)".to_string()
        }
        KeyType::String if info.is_ip_address() => "use `IpAddress` or `NotIpAddress`".to_string(),
        KeyType::String => "use a string operator (`StringEquals`, `StringLike`, ...)".to_string(),
    }
}

/// Whether the key is certainly present in the requests the statement applies to: another
/// condition requires it (`Null` with `false`, a plain `ForAnyValue:` condition, false when the
/// key is absent), or AWS always sends it there: `kms:EncryptionContextKeys` when the statement
/// requires a `kms:EncryptionContext:K` value, `kms:GrantOperations` when the statement allows
/// only `kms:CreateGrant`.
fn requires_presence(st: &Statement<'_>, key: &str) -> bool {
    let required = st.conditions_on(key).any(|c| match c.operator {
        Some(op) if op.base == OpBase::Null => {
            !c.values().is_empty() && c.values().iter().all(|v| bool_value(v) == Some(false))
        }
        Some(op) => op.set == SetOp::ForAnyValue && !op.if_exists && !op.base.is_negated(),
        None => false,
    });
    let context_required = || {
        st.conditions.iter().any(|c| {
            lookup_key(c.key()).is_some_and(|k| k.name == "kms:EncryptionContext:")
                && c.operator.is_some_and(|op| {
                    !op.if_exists
                        && !op.base.is_negated()
                        && op.base != OpBase::Null
                        && op.set != SetOp::ForAllValues
                })
        })
    };
    let grant = const { ActionSet::named("CreateGrant") };
    required
        || (key.eq_ignore_ascii_case("kms:EncryptionContextKeys") && context_required())
        || (key.eq_ignore_ascii_case("kms:GrantOperations")
            && !st.has_open_actions()
            && st.covered_actions() == grant)
}

/// The operator that matches patterns where `op` compares literally.
fn pattern_operator(op: Operator) -> Operator {
    let base = if op.base.is_negated() {
        OpBase::StringNotLike
    } else {
        OpBase::StringLike
    };
    op.with_base(base)
}

/// The fix that writes `c`'s operator as `new`, which compares `c`'s key the same way: only
/// when the operator's block holds that key alone (renaming it renames the operator of every
/// key in it) and the condition has no operator named `new` yet.
fn rename_operator(
    policy: &Policy<'_>,
    st: &Statement<'_>,
    c: &Condition<'_>,
    new: &str,
) -> Option<Fix> {
    let block = &c.operator_member.value;
    let condition = &st.condition_member?.value;
    if block.members().len() != 1 || condition.members().iter().any(|m| m.key == new) {
        return None;
    }
    let edit = rename_key(policy.text, condition, c.operator_member, new)?;
    Some(Fix::safe(
        format!("Replace `{}` with `{new}`", c.operator_member.key),
        vec![edit],
    ))
}

/// `Bool` for a string operator on a Boolean key whose values are `true` or `false` as the
/// operator compares them (`StringEquals "true"`, `StringEqualsIgnoreCase "True"`): a
/// Boolean key's value is the text `true` or `false`, so `Bool` matches the same requests.
fn same_as_bool(op: Operator, info: &ConditionKeyInfo, values: &[crate::tree::Node]) -> bool {
    let exact = match op.base {
        OpBase::StringEquals => true,
        OpBase::StringEqualsIgnoreCase => false,
        _ => return false,
    };
    info.key_type == KeyType::Bool
        && op.set == SetOp::None
        && !values.is_empty()
        && values.iter().all(|v| match &v.value {
            Value::Bool(_) => true,
            Value::String(s) if exact => s == "true" || s == "false",
            Value::String(s) => s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"),
            _ => false,
        })
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in &policy.statements {
        for c in &st.conditions {
            let Some(op) = c.operator else { continue };
            let key = c.key();
            // Unknown keys are KMS025's finding, refused ones KMS028's.
            let Some(info) = lookup_key(key) else {
                continue;
            };
            if refused_in_key_policy(key) {
                continue;
            }
            let written = c.operator_member.key.as_str();
            if !info.accepts(op.base) {
                let fix = same_as_bool(op, info, c.values())
                    .then(|| rename_operator(policy, st, c, &op.with_base(OpBase::Bool).name()))
                    .flatten();
                r.report(
                    c.key_span(),
                    format!(
                        "`{written}` compares {}, but `{key}` is {}",
                        op.base.compares(),
                        info.key_type.describe()
                    ),
                )
                .label(c.operator_member.key_span, "operator")
                .help(family_help(info))
                .fix(fix);
                continue;
            }
            if info.is_multivalued() && op.set == SetOp::None && op.base != OpBase::Null {
                let any = Operator {
                    set: SetOp::ForAnyValue,
                    ..op
                }
                .name();
                let all = Operator {
                    set: SetOp::ForAllValues,
                    ..op
                }
                .name();
                r.report(
                    c.key_span(),
                    format!("`{key}` is multivalued: `{written}` needs `ForAnyValue:` or `ForAllValues:` to say how its values are compared"),
                )
                .label(c.operator_member.key_span, "no set prefix")
                .help(format!("write `{any}` (some value matches) or `{all}` (every value matches)"));
            }
            if !info.is_multivalued() && op.set != SetOp::None {
                let plain = Operator {
                    set: SetOp::None,
                    ..op
                }
                .name();
                let (message, help) = if op.set == SetOp::ForAnyValue {
                    (
                        format!("`{key}` has one value: `{written}` acts like `{plain}`"),
                        format!("write `{plain}`"),
                    )
                } else {
                    (
                        format!(
                            "`{key}` has one value: `{written}` is true when it is absent, so the condition guards nothing"
                        ),
                        format!("write `{plain}`"),
                    )
                };
                // `ForAnyValue:` on one value is the plain operator, but for a negated or
                // `IfExists` operator the two differ when the key is absent.
                let fix = (op.set == SetOp::ForAnyValue
                    && !op.if_exists
                    && !op.base.is_negated()
                    && op.base != OpBase::Null)
                    .then(|| rename_operator(policy, st, c, &plain))
                    .flatten();
                r.report(c.key_span(), message)
                    .label(
                        c.operator_member.key_span,
                        "a set operator on a single-valued key",
                    )
                    .help(help)
                    .fix(fix);
                continue;
            }
            if op.set == SetOp::ForAllValues && st.is_allow() && !requires_presence(st, key) {
                r.report(
                    c.key_span(),
                    format!("`{written}` is true when `{key}` is absent: this Allow also applies to requests without it"),
                )
                .label(c.operator_member.key_span, "true for a missing key")
                .help(format!("add `\"Null\": {{\"{key}\": \"false\"}}` to require the key, or use `ForAnyValue:`"));
            }
            for v in c.values() {
                if matches!(v.value, Value::Unknown(_)) {
                    continue;
                }
                let text = scalar_text(v);
                if text.is_some_and(has_policy_variable) {
                    continue;
                }
                let shown = match text {
                    Some("") => "an empty string".to_string(),
                    Some(t) => format!("`{t}`"),
                    None => v.type_name().to_string(),
                };
                if matches!(op.base, OpBase::Bool | OpBase::Null) && bool_value(v).is_none() {
                    r.report(
                        v.span,
                        format!("`{written}` takes `true` or `false`, found {shown}"),
                    )
                    .help("write `true` or `false`");
                } else if op.base.is_numeric() && !is_numeric_value(v) {
                    r.report(
                        v.span,
                        format!("`{written}` compares numbers, but {shown} is not a number"),
                    )
                    .help("write a decimal number, such as `\"30\"`");
                } else if op.base.is_string()
                    && !op.base.expands_wildcards()
                    && matches!(v.value, Value::String(_))
                    && text.is_some_and(has_wildcard)
                {
                    let like = pattern_operator(op).name();
                    let help = if info.key_type == KeyType::Arn {
                        let arn_like = op.with_base(if op.base.is_negated() {
                            OpBase::ArnNotLike
                        } else {
                            OpBase::ArnLike
                        });
                        format!("use `{}` or `{like}` to match a pattern", arn_like.name())
                    } else {
                        format!("use `{like}` to match a pattern")
                    };
                    r.report(
                        v.span,
                        format!("`{written}` does not expand wildcards: {shown} matches only that exact text"),
                    )
                    .help(help);
                }
            }
        }
    }
}
