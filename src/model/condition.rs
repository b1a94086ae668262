//! Conditions: operators, keys and values of a statement's `Condition` block.

use std::sync::LazyLock;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

    /// For a family of numbered keys (`kms:RecipientAttestation:PCR`), the highest number
    /// that may follow the name.
    pub fn numbered_max(&self) -> Option<u32> {
        NUMBERED_FAMILIES
            .iter()
            .find(|(name, _)| *name == self.name)
            .map(|(_, max)| *max)
    }

    /// Whether the name stands for a family of keys (a prefix or a numbered family), each
    /// key of which is the name followed by more; the name alone is no key.
    pub fn is_family(&self) -> bool {
        self.is_prefix() || self.numbered_max().is_some()
    }

    /// Whether `rest` completes this family's name into one of its keys (for a key that is
    /// not a family, only the empty `rest` does). `rest` is compared case-insensitively.
    pub fn is_member(&self, rest: &str) -> bool {
        if let Some(max) = self.numbered_max() {
            // `0` to `max`, written without leading zeros.
            rest.len() <= 2
                && !rest.is_empty()
                && rest.bytes().all(|b| b.is_ascii_digit())
                && (rest == "0" || !rest.starts_with('0'))
                && rest.parse::<u32>().is_ok_and(|n| n <= max)
        } else if self.is_prefix() {
            !rest.is_empty()
        } else {
            rest.is_empty()
        }
    }
}

/// Catalog keys that stand for a family of numbered keys, and the highest number: the
/// platform configuration registers of Nitro Enclaves and NitroTPM attestation documents
/// (`kms:RecipientAttestation:PCR0` to `PCR31`, RULES.md KMS025).
const NUMBERED_FAMILIES: &[(&str, u32)] = &[
    ("kms:RecipientAttestation:PCR", 31),
    ("kms:RecipientAttestation:NitroTPMPCR", 31),
];

/// Look a condition key up in the catalog, case-insensitively: a key of its own, or a member
/// of a family (`kms:EncryptionContext:Department`, `kms:RecipientAttestation:PCR4`), which
/// gives the family's entry. A family's name alone is no key.
pub fn lookup_key(key: &str) -> Option<&'static ConditionKeyInfo> {
    static LOWER: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        CONDITION_KEYS
            .iter()
            .map(|k| k.name.to_ascii_lowercase())
            .collect()
    });
    let lower = key.to_ascii_lowercase();
    CONDITION_KEYS
        .iter()
        .zip(LOWER.iter())
        .find_map(|(k, name)| {
            let hit = lower
                .strip_prefix(name.as_str())
                .is_some_and(|rest| k.is_member(rest));
            hit.then_some(k)
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

    /// `IpAddress` / `NotIpAddress`.
    pub fn is_ip_address(self) -> bool {
        matches!(self, OpBase::IpAddress | OpBase::NotIpAddress)
    }

    /// What the family compares, for messages (`compares strings`).
    pub fn compares(self) -> &'static str {
        if self.is_string() {
            "strings"
        } else if self.is_numeric() {
            "numbers"
        } else if self.is_date() {
            "dates"
        } else if self.is_arn() {
            "ARNs"
        } else if self.is_ip_address() {
            "IP addresses"
        } else {
            match self {
                OpBase::Bool => "Boolean values",
                OpBase::BinaryEquals => "base-64 encoded binary values",
                _ => "whether a key is present",
            }
        }
    }

    /// A negated operator (`StringNotEquals`, `NotIpAddress`).
    pub fn is_negated(self) -> bool {
        self.name().contains("Not")
    }

    /// Whether `*` and `?` in values are wildcards.
    pub fn expands_wildcards(self) -> bool {
        // Arn operators match each ARN component as a wildcard pattern, Equals included.
        matches!(self, OpBase::StringLike | OpBase::StringNotLike) || self.is_arn()
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

    /// How this condition limits its key's values (see [`Restriction`]). For keys that
    /// identify the caller or the source (accounts, organizations, ARNs, user ids), a value
    /// restricts only when the part that identifies is literal (RULES.md §1 "Pins and
    /// guards"): `arn:aws:iam::*:role/*`, `????????????`, `o-*` and `AROA*` admit everyone.
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
        if !positive {
            return Restriction::Other;
        }
        if op.if_exists {
            return Restriction::IfExists;
        }
        if op.set == SetOp::ForAllValues {
            return Restriction::ForAllValues;
        }
        // An empty list matches no request: nothing passes.
        if self.unpinned_value().is_some() {
            return Restriction::Wildcard;
        }
        Restriction::Specific
    }

    /// The first value that admits every caller (see [`Condition::restriction`]), as written.
    pub fn unpinned_value(&self) -> Option<&'a Node> {
        let op = self.operator?;
        let like = op.base.expands_wildcards();
        let kind = pin_kind(self.key());
        self.values().iter().find(|v| {
            let text = match (v.as_str(), v.partial()) {
                (Some(t), _) => t,
                (None, Some(p)) => p,
                // An unresolved value is never assumed to be weaker than it may be.
                (None, None) => return false,
            };
            !value_pins(kind, text, like)
        })
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
            Restriction::Wildcard => {
                let value = self
                    .unpinned_value()
                    .and_then(|v| v.as_str().or(v.partial()))
                    .unwrap_or("*");
                Some(match pin_kind(key) {
                    PinKind::Account => format!("`{value}` matches every account"),
                    PinKind::Organization => format!("`{value}` matches every organization"),
                    PinKind::Arn => format!("`{value}` names no account: it matches every account"),
                    PinKind::Identity => {
                        format!("`{value}` names no identity: it matches everyone")
                    }
                    PinKind::Other => format!("`{value}` admits every value of `{key}`"),
                })
            }
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

/// What the values of a condition key identify, which decides when a value pins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinKind {
    /// `aws:PrincipalAccount`, `kms:CallerAccount`, `aws:SourceAccount`: an account id.
    Account,
    /// `aws:PrincipalOrgID`, `aws:SourceOrgID`: `o-` and an organization id.
    Organization,
    /// `aws:PrincipalArn`, `aws:SourceArn`, and encryption-context values that are ARNs: the
    /// ARN's account field.
    Arn,
    /// `aws:userid`, `aws:PrincipalOrgPaths`, `aws:SourceOrgPaths`: an id at the start.
    Identity,
    /// Any other key: a value pins unless it is only wildcards.
    Other,
}

/// What a condition key's values identify.
pub fn pin_kind(key: &str) -> PinKind {
    let is = |k: &str| key.eq_ignore_ascii_case(k);
    if is("aws:PrincipalAccount") || is("kms:CallerAccount") || is("aws:SourceAccount") {
        PinKind::Account
    } else if is("aws:PrincipalOrgID") || is("aws:SourceOrgID") {
        PinKind::Organization
    } else if is("aws:PrincipalArn") || is("aws:SourceArn") {
        PinKind::Arn
    } else if is("aws:userid") || is("aws:PrincipalOrgPaths") || is("aws:SourceOrgPaths") {
        PinKind::Identity
    } else {
        PinKind::Other
    }
}

/// Whether one condition value pins what its key identifies. `like` is true under an
/// operator that expands `*` and `?` (under `StringEquals` they are literal characters, and a
/// value that no request has matches nobody). A template value (`${var.account_id}`,
/// `${AWS::AccountId}`) in the identifying part is a specific value kmslint cannot see: it
/// pins.
pub fn value_pins(kind: PinKind, value: &str, like: bool) -> bool {
    if !like {
        // Compared as written: only a bare `*` is meant to admit everyone (KMS026 says that
        // it does not); any other value matches exactly itself.
        return value != "*";
    }
    let wild = |s: &str| s.contains(['*', '?']);
    let symbolic = |s: &str| {
        (s.starts_with("${") && s.ends_with('}')) || s == super::principal::CURRENT_ACCOUNT
    };
    // A literal account field pins even when it is not 12 digits: it then matches nobody.
    let account = |s: &str| symbolic(s) || (!s.is_empty() && !wild(s));
    let normalized = super::principal::normalize_symbols(value);
    let value = normalized.as_ref();
    match kind {
        PinKind::Account => account(value),
        PinKind::Organization => {
            symbolic(value)
                || value
                    .strip_prefix("o-")
                    .is_some_and(|id| !id.is_empty() && !wild(id))
        }
        PinKind::Arn => match value
            .strip_prefix("arn:")
            .map(|r| r.splitn(5, ':').collect::<Vec<_>>())
        {
            Some(parts) if parts.len() >= 4 => account(parts[3]),
            // Not an ARN (`*`, a bare pattern): it identifies no account.
            _ => symbolic(value) || (!wild(value) && !value.is_empty() && value != "*"),
        },
        PinKind::Identity => {
            // The id is the part before `:` (a user id) or `/` (an organization path).
            let id = value.split([':', '/']).next().unwrap_or(value);
            !id.is_empty() && !wild(id) && value != "*"
        }
        // An ARN (an encryption-context value such as a log group's) identifies its account.
        PinKind::Other if value.starts_with("arn:") => value_pins(PinKind::Arn, value, like),
        PinKind::Other => {
            !(value == "*" || (like && !value.is_empty() && value.bytes().all(|b| b == b'*')))
        }
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

/// Read a `Condition` value into its entries (operators that are not objects give none). A
/// repeated operator, or a key repeated in one operator's block, counts with its last value,
/// as AWS reads the JSON (KMS011 reports the repetition).
pub fn parse_conditions(value: &Node) -> Vec<Condition<'_>> {
    let mut out = Vec::new();
    let ops = value.members();
    for (i, op) in ops.iter().enumerate() {
        if ops[i + 1..].iter().any(|later| later.key == op.key) {
            continue;
        }
        let operator = Operator::parse(&op.key);
        let keys = op.value.members();
        for (j, key) in keys.iter().enumerate() {
            if keys[j + 1..].iter().any(|later| later.key == key.key) {
                continue;
            }
            out.push(Condition {
                operator_member: op,
                operator,
                key_member: key,
            });
        }
    }
    out
}

/// What makes a `Condition` value one AWS rejects (RULES.md §1 "Malformed shapes"), with the
/// node at fault: `Condition` not an object, an operator whose block is not an object, a value
/// that is null or an object (alone or in a list). Unresolved parts are not faults.
pub fn malformed_condition(value: &Node) -> Option<(&Node, String)> {
    match &value.value {
        Value::Unknown(_) | Value::Object(_) => {}
        _ => {
            return Some((
                value,
                format!(
                    "`Condition` must be an object of operators, found {}",
                    value.type_name()
                ),
            ));
        }
    }
    for op in value.members() {
        match &op.value.value {
            Value::Unknown(_) => continue,
            Value::Object(keys) => {
                for key in keys {
                    for v in key.value.one_or_many() {
                        if matches!(v.value, Value::Null | Value::Object(_) | Value::Array(_)) {
                            return Some((
                                v,
                                format!(
                                    "the value of `{}` must be a string, number or boolean (or a list of them), found {}",
                                    key.key,
                                    v.type_name()
                                ),
                            ));
                        }
                    }
                }
            }
            _ => {
                return Some((
                    &op.value,
                    format!(
                        "the block of `{}` must be an object of condition keys, found {}",
                        op.key,
                        op.value.type_name()
                    ),
                ));
            }
        }
    }
    None
}

/// The values `aws:PrincipalType` takes (case matters under `StringEquals`).
pub const PRINCIPAL_TYPES: &[&str] = &[
    "Account",
    "User",
    "FederatedUser",
    "AssumedRole",
    "Anonymous",
];

/// Real global condition keys that the KMS reference does not list (they rarely matter in a
/// key policy). They are not unknown keys; their types are not checked.
pub const OTHER_GLOBAL_KEYS: &[&str] = &[
    "aws:AssumedRoot",
    "aws:ChatbotSourceArn",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:Ec2InstanceSourceVpc",
    "aws:FederatedProvider",
    "aws:Referer",
    "aws:SourceVpcArn",
    "aws:UserAgent",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
];

impl KeyType {
    /// The type as a noun phrase with its article, for messages (`a Boolean key`).
    pub fn describe(self) -> &'static str {
        match self {
            KeyType::String => "a string key",
            KeyType::Bool => "a Boolean key",
            KeyType::Numeric => "a numeric key",
            KeyType::Date => "a date key",
            KeyType::ArrayOfString => "a multivalued string key",
            KeyType::Arn => "an ARN key",
        }
    }
}

impl ConditionKeyInfo {
    /// A multivalued key: conditions on it need `ForAnyValue:` or `ForAllValues:`.
    pub fn is_multivalued(&self) -> bool {
        self.key_type == KeyType::ArrayOfString
    }

    /// A string key holding an IP address (`aws:SourceIp`): IP address operators fit it.
    pub fn is_ip_address(&self) -> bool {
        self.note.starts_with("IP address type")
    }

    /// Whether operators of `base`'s family can compare this key's values. `Null` fits every
    /// key. Two documented exceptions: `aws:EpochTime` takes date operators as well as numeric
    /// ones, and `kms:ValidTo` (seconds since the epoch) takes numeric ones as well as date ones.
    pub fn accepts(&self, base: OpBase) -> bool {
        if base == OpBase::Null {
            return true;
        }
        match self.key_type {
            // Encryption-context values are the caller's own strings, often ARNs: AWS documents
            // `ArnLike` on `kms:EncryptionContext:aws:logs:arn` for CloudWatch Logs.
            KeyType::String if self.name == "kms:EncryptionContext:" => {
                base.is_string() || base.is_arn()
            }
            KeyType::String => base.is_string() || (self.is_ip_address() && base.is_ip_address()),
            KeyType::ArrayOfString => base.is_string(),
            KeyType::Arn => base.is_arn() || base.is_string(),
            KeyType::Bool => base == OpBase::Bool,
            KeyType::Numeric => {
                base.is_numeric() || (self.name == "aws:EpochTime" && base.is_date())
            }
            KeyType::Date => base.is_date() || (self.name == "kms:ValidTo" && base.is_numeric()),
        }
    }
}

/// Whether kmslint judges a key's name: `kms:` and `aws:` keys (any case). Keys of other
/// services are not in the reference.
pub fn is_judged_key(key: &str) -> bool {
    let lower = key.get(..4).map(str::to_ascii_lowercase);
    matches!(lower.as_deref(), Some("kms:" | "aws:"))
}

/// Whether a key is a real global key the reference does not list ([`OTHER_GLOBAL_KEYS`]).
pub fn is_other_global_key(key: &str) -> bool {
    OTHER_GLOBAL_KEYS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(key))
}

/// Whether KMS refuses a condition key in a key policy (`PutKeyPolicy` fails): the key's
/// own tags and aliases (`aws:ResourceTag/…`, `kms:ResourceTag/…`, `kms:ResourceAliases`)
/// can only be tested in IAM policies.
pub fn refused_in_key_policy(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.starts_with("aws:resourcetag/")
        || lower.starts_with("kms:resourcetag/")
        || lower == "kms:resourcealiases"
}

/// The catalog family a key consists of and nothing more (`aws:PrincipalTag/`,
/// `kms:RecipientAttestation:PCR`): it lacks the name or number that must follow.
pub fn bare_prefix(key: &str) -> Option<&'static ConditionKeyInfo> {
    CONDITION_KEYS
        .iter()
        .find(|k| k.is_family() && k.name.eq_ignore_ascii_case(key))
}

/// What can be suggested for an unknown condition key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySuggestion {
    /// A valid key close to the one written: a key of the catalog or [`OTHER_GLOBAL_KEYS`],
    /// or a member of a family with the user's own suffix (`kms:EncryptionContxt:Dept`
    /// suggests `kms:EncryptionContext:Dept`).
    Key(String),
    /// The key is (close to) a family's name, but what follows names no member of it
    /// (`kms:RecipientAttestation:PCR32`, `kms:EncryptionContext`): no key to suggest, only
    /// how the family's keys are written.
    Family(&'static ConditionKeyInfo),
}

/// What is closest to an unknown condition key: a valid key, or the family it almost names.
/// A suggested key is always one [`lookup_key`] knows (or a real global key it does not list).
pub fn suggest_key(key: &str) -> Option<KeySuggestion> {
    // Suggestions are for typos in names of ordinary length.
    if key.len() > 128 {
        return None;
    }
    let lower = key.to_ascii_lowercase();
    let infos = CONDITION_KEYS
        .iter()
        .map(|k| (k.name, Some(k)))
        .chain(OTHER_GLOBAL_KEYS.iter().map(|&name| (name, None)));
    // Ranked by distance; at equal distance a key of its own before a family's member, and a
    // member before a family without one.
    let mut best: Option<((usize, u8, u8), KeySuggestion)> = None;
    for (name, info) in infos {
        let cand = name.to_ascii_lowercase();
        let candidate = match info {
            Some(info) if info.is_family() => {
                // Compare the part of the key that stands for the family's name, allowing for
                // a few inserted or dropped characters, and keep what follows it when that
                // names a member.
                let n = cand.len();
                let cuts = if info.numbered_max().is_some() {
                    // A number is kept whole: `PCR32` is not `PCR3` with a `2` too many.
                    let digits = lower.bytes().rev().take_while(u8::is_ascii_digit).count();
                    let cut = lower.len() - digits;
                    cut..=cut
                } else {
                    n.saturating_sub(2)..=n + 2
                };
                cuts.filter(|&cut| cut <= lower.len() && lower.is_char_boundary(cut))
                    .map(|cut| {
                        let distance = super::edit_distance(&lower[..cut], &cand);
                        // At equal distance, a cut after the family's own last character
                        // (`aws:PrincipalTags/team`: after the `/`).
                        let apart = u8::from(lower[..cut].chars().last() != cand.chars().last());
                        let rest = &key[cut..];
                        if info.is_member(rest) {
                            (
                                (distance, 1, apart),
                                KeySuggestion::Key(format!("{name}{rest}")),
                            )
                        } else {
                            // What follows names no member: it counts as mistyped too.
                            let distance = distance + rest.chars().count();
                            ((distance, 2, apart), KeySuggestion::Family(info))
                        }
                    })
                    .min_by_key(|(rank, _)| *rank)
            }
            _ => Some((
                (super::edit_distance(&lower, &cand), 0, 0),
                KeySuggestion::Key(name.to_string()),
            )),
        };
        let Some((rank, suggestion)) = candidate else {
            continue;
        };
        let close = rank.0 <= 3.max(cand.len() / 4);
        if close && best.as_ref().is_none_or(|(r, _)| rank < *r) {
            best = Some((rank, suggestion));
        }
    }
    best.map(|(_, s)| s).filter(|s| match s {
        KeySuggestion::Key(k) => lookup_key(k).is_some() || is_other_global_key(k),
        KeySuggestion::Family(_) => true,
    })
}

/// Whether a condition value contains `*` or `?` (the policy-variable escapes `${*}` and
/// `${?}` are literal characters and do not count).
pub fn has_wildcard(value: &str) -> bool {
    value
        .replace("${*}", "")
        .replace("${?}", "")
        .contains(['*', '?'])
}

/// Whether a value holds a policy variable (`${aws:username}`), known only at request time.
pub fn has_policy_variable(value: &str) -> bool {
    value.contains("${")
}

/// A Bool operator's value: the JSON boolean or the string `"true"`/`"false"` (any case);
/// `None` for anything else.
pub fn bool_value(node: &Node) -> Option<bool> {
    match &node.value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Whether a Numeric operator's value is a number: a JSON number, or a string holding a
/// decimal number (`"90"`, `"-1.5"`).
pub fn is_numeric_value(node: &Node) -> bool {
    match &node.value {
        Value::Number(_) => true,
        Value::String(s) => {
            let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
            let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
            !(int.is_empty() && frac.is_empty())
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// Every operator name of the grammar, set prefixes and `IfExists` included, for suggestions.
static ALL_OPERATOR_NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for set in [SetOp::None, SetOp::ForAnyValue, SetOp::ForAllValues] {
        for if_exists in [false, true] {
            for (_, base) in OP_NAMES {
                if !(if_exists && *base == OpBase::Null) {
                    out.push(
                        Operator {
                            set,
                            base: *base,
                            if_exists,
                        }
                        .name(),
                    );
                }
            }
        }
    }
    out
});

impl Operator {
    /// The operator as written in a policy (`ForAnyValue:StringLikeIfExists`).
    pub fn name(&self) -> String {
        let set = match self.set {
            SetOp::None => "",
            SetOp::ForAnyValue => "ForAnyValue:",
            SetOp::ForAllValues => "ForAllValues:",
        };
        let suffix = if self.if_exists { "IfExists" } else { "" };
        format!("{set}{}{suffix}", self.base.name())
    }

    /// The same operator with another family member (`StringEquals` → `StringLike`).
    pub fn with_base(self, base: OpBase) -> Operator {
        Operator { base, ..self }
    }

    /// The valid operator name closest to one that is not in the grammar.
    pub fn suggest(text: &str) -> Option<&'static str> {
        if text.len() > 64 {
            return None;
        }
        super::nearest(text, ALL_OPERATOR_NAMES.iter().map(String::as_str))
    }

    /// Whether a name not in the grammar is `Null` with `IfExists` (and maybe a set prefix).
    pub fn is_null_if_exists(text: &str) -> bool {
        let rest = text
            .strip_prefix("ForAnyValue:")
            .or_else(|| text.strip_prefix("ForAllValues:"))
            .unwrap_or(text);
        rest == "NullIfExists"
    }
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

    #[test]
    fn numbered_families_accept_their_members_only() {
        for family in [
            "kms:RecipientAttestation:PCR",
            "kms:RecipientAttestation:NitroTPMPCR",
        ] {
            // Every family of the table is a catalog key.
            assert!(CONDITION_KEYS.iter().any(|k| k.name == family), "{family}");
            for n in 0..=31 {
                let key = format!("{family}{n}");
                assert_eq!(lookup_key(&key).unwrap().name, family, "{key}");
                assert_eq!(lookup_key(&key.to_uppercase()).unwrap().name, family);
            }
            for bad in ["", "32", "x", "01", "-1", "+1", "1x", "100", " 1"] {
                assert!(
                    lookup_key(&format!("{family}{bad}")).is_none(),
                    "{family}{bad}"
                );
            }
            assert_eq!(bare_prefix(&family.to_lowercase()).unwrap().name, family);
        }
        assert_eq!(
            lookup_key("kms:recipientattestation:nitrotpmpcr7")
                .unwrap()
                .name,
            "kms:RecipientAttestation:NitroTPMPCR"
        );
        for (key, family) in [
            ("aws:RequestTag/Project", "aws:RequestTag/"),
            ("AWS:principaltag/team", "aws:PrincipalTag/"),
            ("aws:ResourceTag/Owner", "aws:ResourceTag/"),
            (
                "kms:EncryptionContext:aws:logs:arn",
                "kms:EncryptionContext:",
            ),
        ] {
            assert_eq!(lookup_key(key).unwrap().name, family, "{key}");
        }
        assert!(lookup_key("aws:RequestTag/").is_none());
        assert!(lookup_key("aws:RequestTag").is_none());
    }

    #[test]
    fn suggestions_are_valid_keys() {
        let key = |k: &str| KeySuggestion::Key(k.to_string());
        let family =
            |k: &str| KeySuggestion::Family(CONDITION_KEYS.iter().find(|i| i.name == k).unwrap());
        assert_eq!(
            suggest_key("kms:RecipientAtestation:PCR4"),
            Some(key("kms:RecipientAttestation:PCR4"))
        );
        assert_eq!(
            suggest_key("kms:RecipientAttestation:NitroTPMPRC12"),
            Some(key("kms:RecipientAttestation:NitroTPMPCR12"))
        );
        assert_eq!(
            suggest_key("kms:RecipientAttestation:NitroTMPCR12"),
            Some(key("kms:RecipientAttestation:NitroTPMPCR12"))
        );
        for k in [
            "kms:RecipientAttestation:PCR32",
            "kms:RecipientAttestation:PCRx",
            "kms:RecipientAttestaton:PCR",
        ] {
            assert_eq!(
                suggest_key(k),
                Some(family("kms:RecipientAttestation:PCR")),
                "{k}"
            );
        }
        assert_eq!(
            suggest_key("kms:RecipientAttestation:NitroTPMPCR32"),
            Some(family("kms:RecipientAttestation:NitroTPMPCR"))
        );
        assert_eq!(
            suggest_key("kms:EncryptionContext"),
            Some(family("kms:EncryptionContext:"))
        );
        assert_eq!(
            suggest_key("aws:PrincipalTags/team"),
            Some(key("aws:PrincipalTag/team"))
        );
        assert_eq!(
            suggest_key("kms:RecipientAttestation:ImageSha38"),
            Some(key("kms:RecipientAttestation:ImageSha384"))
        );
        assert_eq!(
            suggest_key("kms:EncryptionContextKey"),
            Some(key("kms:EncryptionContextKeys"))
        );
        // Whatever is suggested for near misses of every catalog key is itself a key.
        for info in CONDITION_KEYS {
            let mut near = vec![
                format!("{}x", info.name),
                info.name[..info.name.len() - 1].to_string(),
            ];
            if info.is_family() {
                near.push(format!("{}9x", &info.name[..info.name.len() - 1]));
                near.push(format!("{}1", info.name.replacen('e', "", 1)));
            }
            for k in near {
                if let Some(KeySuggestion::Key(s)) = suggest_key(&k) {
                    assert!(
                        lookup_key(&s).is_some() || is_other_global_key(&s),
                        "{k} suggests {s}"
                    );
                }
            }
        }
    }

    #[test]
    fn operator_names_and_suggestions() {
        let op = Operator::parse("ForAllValues:StringEqualsIfExists").unwrap();
        assert_eq!(op.name(), "ForAllValues:StringEqualsIfExists");
        assert_eq!(
            op.with_base(OpBase::StringLike).name(),
            "ForAllValues:StringLikeIfExists"
        );
        assert_eq!(Operator::suggest("StringEqual"), Some("StringEquals"));
        assert_eq!(Operator::suggest("Boolean"), Some("Bool"));
        assert_eq!(Operator::suggest("stringequals"), Some("StringEquals"));
        assert_eq!(
            Operator::suggest("ForAnyValues:StringLike"),
            Some("ForAnyValue:StringLike")
        );
        assert_eq!(Operator::suggest("Whenever"), None);
        assert_eq!(Operator::suggest(&"x".repeat(10_000)), None);
        assert!(Operator::is_null_if_exists("NullIfExists"));
        assert!(Operator::is_null_if_exists("ForAnyValue:NullIfExists"));
        assert!(!Operator::is_null_if_exists("Null"));
    }

    #[test]
    fn key_types_accept_their_operator_families() {
        let key = |k| lookup_key(k).unwrap();
        assert!(key("kms:GrantIsForAWSResource").accepts(OpBase::Bool));
        assert!(!key("kms:GrantIsForAWSResource").accepts(OpBase::StringEquals));
        assert!(key("aws:PrincipalArn").accepts(OpBase::ArnLike));
        assert!(key("aws:PrincipalArn").accepts(OpBase::StringLike));
        assert!(!key("kms:CallerAccount").accepts(OpBase::ArnEquals));
        assert!(key("aws:SourceIp").accepts(OpBase::IpAddress));
        assert!(!key("kms:ViaService").accepts(OpBase::IpAddress));
        assert!(key("aws:EpochTime").accepts(OpBase::DateLessThan));
        assert!(key("kms:ValidTo").accepts(OpBase::NumericLessThanEquals));
        assert!(!key("aws:CurrentTime").accepts(OpBase::NumericLessThan));
        assert!(key("kms:EncryptionContextKeys").accepts(OpBase::Null));
        assert!(!key("kms:KeySpec").accepts(OpBase::BinaryEquals));
        assert!(key("kms:EncryptionContextKeys").is_multivalued());
    }

    #[test]
    fn key_names_judged_refused_and_suggested() {
        assert!(is_judged_key("KMS:Foo") && is_judged_key("aws:x") && !is_judged_key("s3:prefix"));
        assert!(!is_judged_key("kms") && !is_judged_key(""));
        assert!(is_other_global_key("AWS:useragent"));
        assert!(refused_in_key_policy("AWS:ResourceTag/Project"));
        assert!(refused_in_key_policy("kms:resourcealiases"));
        assert!(!refused_in_key_policy("aws:RequestTag/Project"));
        assert_eq!(
            bare_prefix("aws:principaltag/").unwrap().name,
            "aws:PrincipalTag/"
        );
        assert!(bare_prefix("aws:PrincipalTag/x").is_none());
        assert_eq!(
            suggest_key("kms:GrantIsForAWSResources"),
            Some(KeySuggestion::Key("kms:GrantIsForAWSResource".into()))
        );
        assert_eq!(
            suggest_key("kms:EncryptionContxt:Department"),
            Some(KeySuggestion::Key(
                "kms:EncryptionContext:Department".into()
            ))
        );
        assert_eq!(suggest_key("aws:Whatever"), None);
        assert_eq!(suggest_key(&"é".repeat(100)), None);
    }

    #[test]
    fn value_shapes() {
        assert!(has_wildcard("role/*") && has_wildcard("a?b"));
        assert!(!has_wildcard("${*}literal${?}") && !has_wildcard("plain"));
        let n = |v: Value| Node::new(Span::default(), v);
        assert_eq!(bool_value(&n(Value::Bool(false))), Some(false));
        assert_eq!(bool_value(&n(Value::String("TRUE".into()))), Some(true));
        assert_eq!(bool_value(&n(Value::String("yes".into()))), None);
        assert_eq!(bool_value(&n(Value::Number("1".into()))), None);
        for ok in ["90", "-3", "1.5", ".5", "+7"] {
            assert!(is_numeric_value(&n(Value::String(ok.into()))), "{ok}");
        }
        for bad in ["", "-", ".", "ninety", "1e5", "1.2.3", "NaN"] {
            assert!(!is_numeric_value(&n(Value::String(bad.into()))), "{bad}");
        }
        assert!(is_numeric_value(&n(Value::Number("12".into()))));
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
            values[1].value = Value::Unknown(crate::tree::Unknown::new("!Ref OrgId"));
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
        // No value: no request matches, nobody passes.
        assert_eq!(
            r(r#"{"StringEquals": {"aws:PrincipalAccount": []}}"#),
            Restriction::Specific
        );
        // A pattern pins only when the part that identifies is literal.
        for pattern in [
            r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}"#,
            r#"{"StringLike": {"aws:PrincipalAccount": "????????????"}}"#,
            r#"{"StringLike": {"aws:PrincipalOrgID": "o-*"}}"#,
            r#"{"StringLike": {"aws:userid": "AROA*"}}"#,
            r#"{"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:*:*"}}"#,
            r#"{"StringLike": {"kms:CallerAccount": ["111122223333", "*"]}}"#,
        ] {
            assert_eq!(r(pattern), Restriction::Wildcard, "{pattern}");
        }
        for pattern in [
            r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}}"#,
            r#"{"StringLike": {"aws:PrincipalOrgID": "o-abc123"}}"#,
            r#"{"StringLike": {"aws:userid": "AROAEXAMPLEID:*"}}"#,
            r#"{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-abc/r-ab12/*"}}"#,
            r#"{"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:111122223333:*"}}"#,
            r#"{"StringEquals": {"aws:PrincipalAccount": "${AWS::AccountId}"}}"#,
        ] {
            assert_eq!(r(pattern), Restriction::Specific, "{pattern}");
        }
        assert_eq!(
            r(r#"{"StringEqual": {"aws:PrincipalAccount": "111122223333"}}"#),
            Restriction::Other
        );
    }
}
