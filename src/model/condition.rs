//! Conditions: operators, keys and values of a statement's `Condition` block.

use super::catalog::CONDITION_KEYS;
use crate::tree::{Member, Node, Span, Value};

/// The type of a condition key's value, from the reference catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    String,
    Bool,
    Numeric,
    Date,
    ArrayOfString,
    Arn,
}

/// One condition key of the catalog.
#[derive(Debug, Clone, Copy)]
pub struct ConditionKeyInfo {
    pub name: &'static str,
    pub key_type: KeyType,
    pub note: &'static str,
}

impl ConditionKeyInfo {
    /// Whether the name is a prefix (`kms:EncryptionContext:`, `aws:PrincipalTag/`).
    pub fn is_prefix(&self) -> bool {
        self.name.ends_with(':') || self.name.ends_with('/')
    }
}

/// Look a condition key up in the catalog, case-insensitively, prefixes included.
pub fn lookup_key(key: &str) -> Option<&'static ConditionKeyInfo> {
    let lower = key.to_ascii_lowercase();
    CONDITION_KEYS.iter().find(|k| {
        let name = k.name.to_ascii_lowercase();
        if k.is_prefix() {
            lower.starts_with(&name) && lower.len() > name.len()
        } else {
            lower == name
        }
    })
}

/// The operator family, without `IfExists` and set prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpBase {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnNotEquals,
    ArnLike,
    ArnNotLike,
    Null,
}

const OP_NAMES: &[(&str, OpBase)] = &[
    ("StringEquals", OpBase::StringEquals),
    ("StringNotEquals", OpBase::StringNotEquals),
    ("StringEqualsIgnoreCase", OpBase::StringEqualsIgnoreCase),
    (
        "StringNotEqualsIgnoreCase",
        OpBase::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", OpBase::StringLike),
    ("StringNotLike", OpBase::StringNotLike),
    ("NumericEquals", OpBase::NumericEquals),
    ("NumericNotEquals", OpBase::NumericNotEquals),
    ("NumericLessThan", OpBase::NumericLessThan),
    ("NumericLessThanEquals", OpBase::NumericLessThanEquals),
    ("NumericGreaterThan", OpBase::NumericGreaterThan),
    ("NumericGreaterThanEquals", OpBase::NumericGreaterThanEquals),
    ("DateEquals", OpBase::DateEquals),
    ("DateNotEquals", OpBase::DateNotEquals),
    ("DateLessThan", OpBase::DateLessThan),
    ("DateLessThanEquals", OpBase::DateLessThanEquals),
    ("DateGreaterThan", OpBase::DateGreaterThan),
    ("DateGreaterThanEquals", OpBase::DateGreaterThanEquals),
    ("Bool", OpBase::Bool),
    ("BinaryEquals", OpBase::BinaryEquals),
    ("IpAddress", OpBase::IpAddress),
    ("NotIpAddress", OpBase::NotIpAddress),
    ("ArnEquals", OpBase::ArnEquals),
    ("ArnNotEquals", OpBase::ArnNotEquals),
    ("ArnLike", OpBase::ArnLike),
    ("ArnNotLike", OpBase::ArnNotLike),
    ("Null", OpBase::Null),
];

impl OpBase {
    pub fn name(self) -> &'static str {
        OP_NAMES
            .iter()
            .find(|(_, op)| *op == self)
            .map_or("", |(n, _)| n)
    }

    /// All operator names, for suggestions.
    pub fn all_names() -> impl Iterator<Item = &'static str> {
        OP_NAMES.iter().map(|(n, _)| *n)
    }

    pub fn is_string(self) -> bool {
        self.name().starts_with("String")
    }

    pub fn is_arn(self) -> bool {
        self.name().starts_with("Arn")
    }

    pub fn is_numeric(self) -> bool {
        self.name().starts_with("Numeric")
    }

    pub fn is_date(self) -> bool {
        self.name().starts_with("Date")
    }

    /// A negated operator (`StringNotEquals`, `NotIpAddress`).
    pub fn is_negated(self) -> bool {
        self.name().contains("Not")
    }

    /// Whether `*` and `?` in values are wildcards.
    pub fn expands_wildcards(self) -> bool {
        matches!(
            self,
            OpBase::StringLike | OpBase::StringNotLike | OpBase::ArnLike | OpBase::ArnNotLike
        ) || matches!(self, OpBase::ArnEquals | OpBase::ArnNotEquals)
    }
}

/// `ForAnyValue:` / `ForAllValues:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    None,
    ForAnyValue,
    ForAllValues,
}

/// A parsed condition operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    pub set: SetOp,
    pub base: OpBase,
    pub if_exists: bool,
}

impl Operator {
    /// Parse an operator name; `None` when it is not in the grammar (`IfExists` on `Null`
    /// included). Names are matched exactly, as AWS does.
    pub fn parse(text: &str) -> Option<Operator> {
        let (set, rest) = if let Some(r) = text.strip_prefix("ForAnyValue:") {
            (SetOp::ForAnyValue, r)
        } else if let Some(r) = text.strip_prefix("ForAllValues:") {
            (SetOp::ForAllValues, r)
        } else {
            (SetOp::None, text)
        };
        let (rest, if_exists) = match rest.strip_suffix("IfExists") {
            Some(r) => (r, true),
            None => (rest, false),
        };
        let base = OP_NAMES
            .iter()
            .find(|(n, _)| *n == rest)
            .map(|(_, op)| *op)?;
        if if_exists && base == OpBase::Null {
            return None;
        }
        Some(Operator {
            set,
            base,
            if_exists,
        })
    }
}

/// How a condition limits the values of its key: the question behind "does this condition pin
/// the caller" (KMS030) and "does this condition guard a service principal" (KMS034).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restriction {
    /// A `StringEquals`, `StringEqualsIgnoreCase`, `StringLike`, `ArnEquals` or `ArnLike`
    /// operator (optionally `ForAnyValue:`) requires the key to have one of specific values.
    /// Unresolved values count as specific: they are never assumed to be `*`.
    Specific,
    /// `…IfExists`: the condition passes when the request has no such key.
    IfExists,
    /// `ForAllValues:`: the condition passes when the request has no such key.
    ForAllValues,
    /// A value is a bare `*` (or, under an operator that expands wildcards, only `*`s):
    /// it admits every value.
    Wildcard,
    /// A negated operator, `Null`, another operator family, an operator outside the grammar,
    /// or no value at all: the key is not limited to specific values.
    Other,
}

/// One `operator → key → values` entry of a `Condition` block.
#[derive(Debug, Clone)]
pub struct Condition<'a> {
    /// The operator's member (its key is the operator name).
    pub operator_member: &'a Member,
    /// `None` when the operator is not in the grammar.
    pub operator: Option<Operator>,
    /// The condition key's member: key name, key span and value.
    pub key_member: &'a Member,
}

impl<'a> Condition<'a> {
    pub fn key(&self) -> &'a str {
        &self.key_member.key
    }

    pub fn key_span(&self) -> Span {
        self.key_member.key_span
    }

    /// Whether the key is `name`, compared case-insensitively as AWS does.
    pub fn key_is(&self, name: &str) -> bool {
        self.key_member.key.eq_ignore_ascii_case(name)
    }

    /// The value nodes (a single value or each element of a list).
    pub fn values(&self) -> &'a [Node] {
        self.key_member.value.one_or_many()
    }

    /// The values as text: strings as written, booleans and numbers as their JSON text.
    /// `None` for a value that is not a scalar or is unresolved.
    pub fn value_texts(&self) -> Vec<Option<&'a str>> {
        self.values().iter().map(scalar_text).collect()
    }

    /// How this condition limits its key's values (see [`Restriction`]).
    pub fn restriction(&self) -> Restriction {
        let Some(op) = self.operator else {
            return Restriction::Other;
        };
        let positive = matches!(
            op.base,
            OpBase::StringEquals
                | OpBase::StringEqualsIgnoreCase
                | OpBase::StringLike
                | OpBase::ArnEquals
                | OpBase::ArnLike
        );
        if !positive || self.values().is_empty() {
            return Restriction::Other;
        }
        if op.if_exists {
            return Restriction::IfExists;
        }
        if op.set == SetOp::ForAllValues {
            return Restriction::ForAllValues;
        }
        let admits_all = |t: &str| {
            t == "*"
                || (op.base.expands_wildcards() && !t.is_empty() && t.bytes().all(|b| b == b'*'))
        };
        if self
            .values()
            .iter()
            .any(|v| v.as_str().is_some_and(admits_all))
        {
            return Restriction::Wildcard;
        }
        Restriction::Specific
    }

    /// Why the condition does not limit its key to specific values, for a label (`None` when
    /// it does).
    pub fn why_unrestricted(&self) -> Option<String> {
        let key = self.key();
        let op = &self.operator_member.key;
        match self.restriction() {
            Restriction::Specific => None,
            Restriction::IfExists => Some(format!("`{op}` passes when the request has no `{key}`")),
            Restriction::ForAllValues => Some(format!(
                "`ForAllValues:` passes when the request has no `{key}`"
            )),
            Restriction::Wildcard => Some(format!("`*` admits every value of `{key}`")),
            Restriction::Other => Some(format!("`{op}` does not limit `{key}` to specific values")),
        }
    }

    /// Whether any value is unresolved.
    pub fn has_unknown_value(&self) -> bool {
        self.values()
            .iter()
            .any(|v| matches!(v.value, Value::Unknown(_)))
    }
}

/// The text of a scalar value: a string as written, `true`/`false`, a number's text.
pub fn scalar_text(node: &Node) -> Option<&str> {
    match &node.value {
        Value::String(s) => Some(s),
        Value::Bool(true) => Some("true"),
        Value::Bool(false) => Some("false"),
        Value::Number(n) => Some(n),
        _ => None,
    }
}

/// Read a `Condition` value into its entries (operators that are not objects give none).
pub fn parse_conditions(value: &Node) -> Vec<Condition<'_>> {
    let mut out = Vec::new();
    for op in value.members() {
        let operator = Operator::parse(&op.key);
        for key in op.value.members() {
            out.push(Condition {
                operator_member: op,
                operator,
                key_member: key,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_parse() {
        let op = Operator::parse("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(op.set, SetOp::ForAnyValue);
        assert_eq!(op.base, OpBase::StringLike);
        assert!(op.if_exists);
        assert!(Operator::parse("NullIfExists").is_none());
        assert!(Operator::parse("StringEqual").is_none());
        assert!(Operator::parse("Boolean").is_none());
        assert_eq!(Operator::parse("BoolIfExists").unwrap().base, OpBase::Bool);
    }

    #[test]
    fn keys_are_case_insensitive_and_prefixes_match() {
        assert_eq!(
            lookup_key("KMS:CALLERACCOUNT").unwrap().name,
            "kms:CallerAccount"
        );
        assert_eq!(
            lookup_key("kms:EncryptionContext:Department").unwrap().name,
            "kms:EncryptionContext:"
        );
        assert!(lookup_key("kms:EncryptionContext:").is_none());
        assert!(lookup_key("kms:GrantIsForAWSResources").is_none());
    }

    fn restriction_of(json: &str) -> Restriction {
        let root = crate::tree::json::parse(json).unwrap();
        let conditions = parse_conditions(&root);
        conditions[0].restriction()
    }

    #[test]
    fn unresolved_values_restrict() {
        let mut root =
            crate::tree::json::parse(r#"{"StringEquals": {"aws:PrincipalOrgID": ["x", "y"]}}"#)
                .unwrap();
        // Replace the second value with an unresolved one (`!Ref OrgId`).
        if let Value::Object(ops) = &mut root.value
            && let Value::Object(keys) = &mut ops[0].value.value
            && let Value::Array(values) = &mut keys[0].value.value
        {
            values[1].value = Value::Unknown(crate::tree::Unknown {
                description: "!Ref OrgId".into(),
            });
        }
        let conditions = parse_conditions(&root);
        assert!(conditions[0].has_unknown_value());
        assert_eq!(conditions[0].restriction(), Restriction::Specific);
    }

    #[test]
    fn restrictions() {
        let r = restriction_of;
        assert_eq!(
            r(r#"{"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}"#),
            Restriction::Specific
        );
        assert_eq!(
            r(r#"{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a/r-b/*"]}}"#),
            Restriction::Specific
        );
        assert_eq!(
            r(r#"{"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}"#),
            Restriction::IfExists
        );
        assert_eq!(
            r(r#"{"ForAllValues:StringLike": {"aws:PrincipalOrgPaths": ["o-a/*"]}}"#),
            Restriction::ForAllValues
        );
        assert_eq!(
            r(r#"{"StringEquals": {"aws:PrincipalAccount": ["111122223333", "*"]}}"#),
            Restriction::Wildcard
        );
        assert_eq!(
            r(r#"{"ArnLike": {"aws:PrincipalArn": "**"}}"#),
            Restriction::Wildcard
        );
        assert_eq!(
            r(r#"{"StringEquals": {"aws:PrincipalAccount": "**"}}"#),
            Restriction::Specific
        );
        assert_eq!(
            r(r#"{"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}"#),
            Restriction::Other
        );
        assert_eq!(
            r(r#"{"StringEquals": {"aws:PrincipalAccount": []}}"#),
            Restriction::Other
        );
        assert_eq!(
            r(r#"{"StringEqual": {"aws:PrincipalAccount": "111122223333"}}"#),
            Restriction::Other
        );
    }
}
