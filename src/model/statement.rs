//! A statement of a key policy, read into the parts rules ask about.

use super::Tri;
use super::action::{ActionPattern, ActionSet};
use super::condition::{
    Condition, OpBase, Restriction, SetOp, malformed_condition, parse_conditions, scalar_text,
};
use super::principal::{Principal, parse_principals};
use crate::tree::{Member, Node, Piece, Span, Value, pieces};

/// The elements a statement may have (names are case-sensitive).
pub const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Elements a statement may have only one of: each pair excludes the other.
pub const EXCLUSIVE_ELEMENTS: &[(&str, &str)] = &[
    ("Principal", "NotPrincipal"),
    ("Action", "NotAction"),
    ("Resource", "NotResource"),
];

/// The `Effect` values AWS accepts (case-sensitive).
pub const EFFECTS: &[&str] = &["Allow", "Deny"];

/// Whether a principal element names nobody: `{}`, or only empty lists (`{"AWS": []}`).
pub fn names_nobody(value: &Node) -> bool {
    match &value.value {
        Value::Object(members) => members
            .iter()
            .all(|m| matches!(&m.value.value, Value::Array(items) if items.is_empty())),
        _ => false,
    }
}

/// Whether a `Resource` entry names this key: in a key policy only `"*"` does. A partly known
/// string whose known start is not `*` (`arn:aws:kms:${AWS::Region}:…`) never is.
pub fn resource_is_this_key(node: &Node) -> Tri {
    match &node.value {
        Value::String(s) if s == "*" => Tri::Yes,
        Value::Unknown(_) => match node.partial().map(pieces).as_deref() {
            Some([Piece::Literal(lit), ..]) if !lit.starts_with('*') => Tri::No,
            _ => Tri::Maybe,
        },
        _ => Tri::No,
    }
}

/// `Allow` or `Deny` (anything else is `None`, reported by KMS016).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// The statement's `Action` or `NotAction`.
#[derive(Debug, Clone)]
pub struct Actions<'a> {
    /// `true` for `NotAction`.
    pub not: bool,
    pub member: &'a Member,
    pub patterns: Vec<ActionPattern<'a>>,
}

impl Actions<'_> {
    /// The KMS actions the element may cover (for `NotAction`, every action it does not
    /// match), counting entries that may be absent.
    pub fn covered(&self) -> ActionSet {
        let matched = self
            .patterns
            .iter()
            .fold(ActionSet::EMPTY, |acc, p| acc.union(p.matches()));
        if self.not {
            matched.complement()
        } else {
            matched
        }
    }

    /// The KMS actions the element certainly covers: entries that may be absent do not count
    /// for `Action`; for `NotAction` they may exclude what they match, and an unknown entry
    /// may exclude anything.
    pub fn certainly_covered(&self) -> ActionSet {
        if self.not {
            if self.is_open() {
                return ActionSet::EMPTY;
            }
            self.covered()
        } else {
            self.patterns
                .iter()
                .filter(|p| !p.node.maybe)
                .fold(ActionSet::EMPTY, |acc, p| acc.union(p.matches()))
        }
    }

    /// Whether an entry is unresolved (or the whole element is): it may be any action.
    pub fn is_open(&self) -> bool {
        self.member.value.is_unknown() || self.patterns.iter().any(|p| p.node.is_unknown())
    }
}

/// The statement's `Principal` or `NotPrincipal`.
#[derive(Debug, Clone)]
pub struct Principals<'a> {
    /// `true` for `NotPrincipal`.
    pub not: bool,
    pub member: &'a Member,
    pub entries: Vec<Principal<'a>>,
}

/// How a statement guards `kms:CreateGrant` (RULES.md, KMS005).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantGuard {
    /// `kms:GrantIsForAWSResource` must be true, or `kms:ViaService` names specific services.
    Strong,
    /// `BoolIfExists kms:GrantIsForAWSResource true`: passes when the key is absent.
    IfExists,
    None,
}

/// One statement.
#[derive(Debug, Clone)]
pub struct Statement<'a> {
    pub node: &'a Node,
    /// Position in the `Statement` list.
    pub index: usize,
    pub sid: Option<&'a Node>,
    pub effect: Option<Effect>,
    pub principals: Option<Principals<'a>>,
    pub actions: Option<Actions<'a>>,
    pub conditions: Vec<Condition<'a>>,
    /// The `Condition` member, when there is one.
    pub condition_member: Option<&'a Member>,
    /// The statement may be absent (a template part that may not be rendered).
    pub maybe: bool,
    /// AWS rejects the statement's shape (a malformed `Condition`, a principal list that names
    /// nobody): validity rules report it, and no other rule draws conclusions from it.
    pub malformed: bool,
    /// The KMS actions `Action`/`NotAction` may cover, computed once.
    covered: ActionSet,
    /// The KMS actions it certainly covers when present.
    certain: ActionSet,
}

impl<'a> Statement<'a> {
    pub fn new(node: &'a Node, index: usize) -> Self {
        let mut st = Statement {
            node,
            index,
            sid: None,
            effect: None,
            principals: None,
            actions: None,
            conditions: Vec::new(),
            condition_member: None,
            maybe: node.maybe,
            malformed: false,
            covered: ActionSet::EMPTY,
            certain: ActionSet::EMPTY,
        };
        // A repeated element counts with its last value, as AWS reads it; KMS011 reports
        // the repetition.
        for m in node.members() {
            match m.key.as_str() {
                "Sid" => st.sid = Some(&m.value),
                "Effect" => {
                    st.effect = match m.value.as_str() {
                        Some("Allow") => Some(Effect::Allow),
                        Some("Deny") => Some(Effect::Deny),
                        _ => None,
                    }
                }
                // With both `Principal` and `NotPrincipal` (AWS rejects that: KMS015) the first
                // one is read.
                "Principal" | "NotPrincipal"
                    if st.principals.as_ref().is_none_or(|p| p.member.key == m.key) =>
                {
                    st.principals = Some(Principals {
                        not: m.key == "NotPrincipal",
                        member: m,
                        entries: parse_principals(&m.value),
                    })
                }
                "Action" | "NotAction"
                    if st.actions.as_ref().is_none_or(|a| a.member.key == m.key) =>
                {
                    st.actions = Some(Actions {
                        not: m.key == "NotAction",
                        member: m,
                        patterns: m
                            .value
                            .one_or_many()
                            .iter()
                            .map(ActionPattern::new)
                            .collect(),
                    })
                }
                "Condition" => {
                    st.condition_member = Some(m);
                    st.conditions = parse_conditions(&m.value);
                }
                _ => {}
            }
        }
        st.malformed = st
            .condition_member
            .is_some_and(|m| malformed_condition(&m.value).is_some())
            || st
                .principals
                .as_ref()
                .is_some_and(|p| names_nobody(&p.member.value));
        st.covered = st
            .actions
            .as_ref()
            .map_or(ActionSet::EMPTY, Actions::covered);
        st.certain = if st.maybe {
            ActionSet::EMPTY
        } else {
            st.actions
                .as_ref()
                .map_or(ActionSet::EMPTY, Actions::certainly_covered)
        };
        st
    }

    /// Whether the statement's actions are not all known: an unresolved `Action` value or
    /// entry may be any action.
    pub fn has_open_actions(&self) -> bool {
        self.actions.as_ref().is_some_and(Actions::is_open)
    }

    /// The KMS actions the statement certainly covers whenever the policy is as written: not
    /// those of entries that may be absent, nothing when the statement itself may be absent.
    pub fn certainly_covered(&self) -> ActionSet {
        self.certain
    }

    /// Whether the statement may cover any action of `set` (an unresolved entry may).
    pub fn may_cover(&self, set: ActionSet) -> bool {
        self.covered.intersects(set) || self.has_open_actions()
    }

    /// Where statement-level findings point: the `Sid` value, else the opening `{`.
    pub fn anchor(&self) -> Span {
        match self.sid {
            Some(sid) => sid.span,
            None => Span::new(self.node.span.start, self.node.span.start + 1),
        }
    }

    /// The first member with exactly this element name (`"Resource"`), if any.
    pub fn element(&self, name: &str) -> Option<&'a Member> {
        self.node.get(name)
    }

    /// The Sid as text, for messages.
    pub fn sid_text(&self) -> Option<&'a str> {
        self.sid.and_then(Node::as_str)
    }

    /// An Allow statement AWS would accept the shape of.
    pub fn is_allow(&self) -> bool {
        self.effect == Some(Effect::Allow) && !self.malformed
    }

    /// A Deny statement AWS would accept the shape of.
    pub fn is_deny(&self) -> bool {
        self.effect == Some(Effect::Deny) && !self.malformed
    }

    /// Whether the statement has any condition (an empty `Condition: {}` is none).
    pub fn is_conditional(&self) -> bool {
        self.condition_member
            .is_some_and(|m| !matches!(&m.value.value, Value::Object(o) if o.is_empty()))
    }

    /// Whether the `Condition` block, one operator's block in it, or an operator a template
    /// computes is unresolved: then nothing can be said about what the conditions require.
    pub fn has_unresolved_condition(&self) -> bool {
        self.condition_member.is_some_and(|m| {
            m.value.is_unknown()
                || m.value.members().iter().any(|op| {
                    op.value.is_unknown()
                        || op.key.starts_with("${")
                        || op.value.members().iter().any(|k| k.key.starts_with("${"))
                })
        })
    }

    /// Whether a condition on a key that `on_key` accepts restricts the request to specific
    /// values (see [`Restriction::Specific`]); an unresolved `Condition` counts, since it is
    /// never assumed to be weaker than it may be.
    pub fn is_pinned_by(&self, on_key: impl Fn(&Condition<'a>) -> bool) -> bool {
        self.has_unresolved_condition()
            || self
                .conditions
                .iter()
                .any(|c| on_key(c) && c.restriction() == Restriction::Specific)
    }

    /// The KMS actions the statement covers.
    pub fn covered_actions(&self) -> ActionSet {
        self.covered
    }

    /// Whether the statement covers every action in `set`.
    pub fn covers(&self, set: ActionSet) -> bool {
        self.covered_actions().contains_all(set)
    }

    /// The `Action` entries that match any action of `set`, or, for `NotAction`, the
    /// `NotAction` element itself when it leaves any of `set` allowed (as `None`).
    pub fn patterns_covering(&self, set: ActionSet) -> Vec<Option<&ActionPattern<'a>>> {
        match &self.actions {
            None => Vec::new(),
            Some(a) if a.not => {
                if a.covered().intersects(set) {
                    vec![None]
                } else {
                    Vec::new()
                }
            }
            Some(a) => a
                .patterns
                .iter()
                .filter(|p| p.matches().intersects(set))
                .map(Some)
                .collect(),
        }
    }

    /// The principal entries (empty for a statement without `Principal`/`NotPrincipal`).
    pub fn principal_entries(&self) -> &[Principal<'a>] {
        self.principals.as_ref().map_or(&[], |p| &p.entries)
    }

    /// The `Action`/`NotAction` entries (empty for a statement without either).
    pub fn action_patterns(&self) -> &[ActionPattern<'a>] {
        self.actions.as_ref().map_or(&[], |a| &a.patterns)
    }

    /// Whether the statement uses `NotPrincipal`.
    pub fn has_not_principal(&self) -> bool {
        self.principals.as_ref().is_some_and(|p| p.not)
    }

    /// The conditions on a key (case-insensitive).
    pub fn conditions_on(&self, key: &str) -> impl Iterator<Item = &Condition<'a>> {
        self.conditions.iter().filter(move |c| c.key_is(key))
    }

    /// How this statement guards `kms:CreateGrant`. `ForAllValues:` is no guard: it passes
    /// when the key is absent (and `kms:GrantIsForAWSResource`, `kms:ViaService` are
    /// single-valued); `ForAnyValue:` on them acts like the plain operator.
    pub fn grant_guard(&self) -> GrantGuard {
        let mut guard = GrantGuard::None;
        for c in self.conditions_on("kms:GrantIsForAWSResource") {
            let Some(op) = c.operator else { continue };
            if op.set == SetOp::ForAllValues {
                continue;
            }
            // An unresolved value is never assumed to be a weaker guard than it may be.
            let requires_true = c.values().iter().all(|v| {
                matches!(v.value, Value::Unknown(_))
                    || scalar_text(v).is_some_and(|t| t.eq_ignore_ascii_case("true"))
            });
            let fits = matches!(
                op.base,
                OpBase::Bool | OpBase::StringEquals | OpBase::StringEqualsIgnoreCase
            );
            if fits && requires_true && !c.values().is_empty() {
                if op.if_exists {
                    guard = GrantGuard::IfExists;
                } else {
                    return GrantGuard::Strong;
                }
            }
        }
        if self.via_service_pins() {
            return GrantGuard::Strong;
        }
        guard
    }

    /// Whether a `kms:ViaService` condition names specific services: each value's service
    /// name (before the first `.`) is literal (`rds.*.amazonaws.com`, a service in any region,
    /// counts; `*`, `**`, `*.amazonaws.com` do not).
    pub fn via_service_pins(&self) -> bool {
        self.conditions_on("kms:ViaService").any(|c| {
            c.operator.is_some_and(|op| {
                !op.if_exists
                    && op.set != SetOp::ForAllValues
                    && matches!(
                        op.base,
                        OpBase::StringEquals | OpBase::StringEqualsIgnoreCase | OpBase::StringLike
                    )
            }) && !c.values().is_empty()
                && c.values().iter().all(|v| {
                    matches!(v.value, Value::Unknown(_))
                        || scalar_text(v).is_some_and(names_a_service)
                })
        })
    }
}

/// Whether a `kms:ViaService` value names a service: its first label is literal.
fn names_a_service(value: &str) -> bool {
    let service = value.split('.').next().unwrap_or_default();
    !service.is_empty() && !service.contains(['*', '?'])
}
