//! Evaluating a request to KMS the way AWS does: a principal, a key, an operation.
//!
//! An explicit `Deny` in the key policy or in an identity policy of the principal (its own or
//! its groups') wins. Otherwise the request is allowed when the key policy allows the
//! principal itself; or when the key policy allows the principal's account (for the key's own
//! account, the root statement that enables IAM) and an identity policy of the principal
//! allows the operation on the key; or when a grant for the principal lists the operation.
//!
//! What kmslint cannot know (a condition on the request, an unresolved value, a key ARN not
//! given, identity policies not given) makes the answer [`Verdict::Conditional`], with what
//! it depends on: never a guessed yes or no.

use std::borrow::Cow;
use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use crate::model::action::{ActionInfo, glob_match};
use crate::model::condition::scalar_text;
use crate::model::principal::parse_principals;
use crate::model::{
    ActionPattern, ActionSet, Category, Condition, Effect, OpBase, PatternKind, Policy,
    PolicyContext, Principal, PrincipalKind, Statement, Tri, Who, resource_is_this_key,
};
use crate::tree::{Member, Node, Span, Value};

use super::{Document, Grant, Identity, IdentityKind, Inventory, Key, key_id};

/// The answer to "can this principal do this operation with this key".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Some policy or grant allows it and nothing denies it.
    Allowed,
    /// An explicit `Deny` applies.
    Denied,
    /// Nothing allows it.
    NotAllowed,
    /// It depends on conditions kmslint cannot evaluate or on values it does not know.
    Conditional,
}

impl Verdict {
    /// The word tables and JSON use: `allow`, `deny`, `no`, `conditional`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allow",
            Verdict::Denied => "deny",
            Verdict::NotAllowed => "no",
            Verdict::Conditional => "conditional",
        }
    }
}

/// The reasons of an answer, shared by the answers of a principal that have the same.
pub type Reasons = Arc<[String]>;

/// One operation's verdict and why.
#[derive(Debug, Clone)]
pub struct Answer {
    pub operation: &'static ActionInfo,
    /// The operation, as a set of one.
    pub set: ActionSet,
    /// The matrix column of the operation.
    pub group: Option<OpGroup>,
    pub verdict: Verdict,
    /// Why: the statements, policies and grants that decide, each a short phrase
    /// ("key policy `Sid`", "IAM via root: policy `P`", "grant `G`", "denied by `Sid`").
    pub reasons: Reasons,
}

/// The operations of each group, in the order of [`OpGroup`].
const GROUP_ACTIONS: [ActionSet; 5] = [
    ActionSet::category(Category::Use),
    ActionSet::named("CreateGrant"),
    ActionSet::category(Category::Manage),
    ActionSet::named("PutKeyPolicy"),
    ActionSet::named("ScheduleKeyDeletion"),
];

/// The operations of every group.
const EVERY_ACTION: ActionSet = GROUP_ACTIONS[0]
    .union(GROUP_ACTIONS[1])
    .union(GROUP_ACTIONS[2])
    .union(GROUP_ACTIONS[3])
    .union(GROUP_ACTIONS[4]);

/// The operation groups of the access matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OpGroup {
    /// Cryptographic use of the key (the catalog's `use` category).
    Use,
    /// `kms:CreateGrant`.
    Grant,
    /// Key administration (the catalog's `manage` category).
    Administer,
    /// `kms:PutKeyPolicy`.
    ChangePolicy,
    /// `kms:ScheduleKeyDeletion`.
    Delete,
}

impl OpGroup {
    pub const ALL: [OpGroup; 5] = [
        OpGroup::Use,
        OpGroup::Grant,
        OpGroup::Administer,
        OpGroup::ChangePolicy,
        OpGroup::Delete,
    ];

    /// The column heading.
    pub fn label(self) -> &'static str {
        match self {
            OpGroup::Use => "use",
            OpGroup::Grant => "grant",
            OpGroup::Administer => "administer",
            OpGroup::ChangePolicy => "change policy",
            OpGroup::Delete => "delete",
        }
    }

    /// The operations of the group.
    pub fn actions(self) -> ActionSet {
        GROUP_ACTIONS[self as usize]
    }

    /// The group an operation belongs to.
    pub fn of(action: &ActionInfo) -> Option<OpGroup> {
        OpGroup::of_set(ActionSet::filter(|a| a.name == action.name))
    }

    /// The group of an operation given as a set of one (the group of every operation of a
    /// set).
    pub fn of_set(set: ActionSet) -> Option<OpGroup> {
        OpGroup::ALL
            .into_iter()
            .find(|g| g.actions().contains_all(set) && !set.is_empty())
    }

    /// Every operation of every group.
    pub fn every_action() -> ActionSet {
        EVERY_ACTION
    }
}

/// A principal a question is about: an ARN, an account id, `*`, a service principal, or a
/// principal entry of a key policy (possibly a template reference).
#[derive(Debug, Clone)]
pub struct Subject {
    text: String,
    /// A `Principal` value naming just this principal, read by the model when asked.
    principal: Node,
    /// Its identity and short name, read once.
    names: std::sync::OnceLock<(Option<String>, String)>,
}

impl Subject {
    /// A principal given as text: `*`, a service principal (`logs.amazonaws.com`), or an AWS
    /// principal (an ARN or account id).
    pub fn new(text: &str) -> Subject {
        let value = Node::new(Span::default(), Value::String(text.to_string()));
        let principal = if text == "*" {
            value
        } else {
            // `logs.amazonaws.com`; an ARN may hold such a name in its path
            // (`role/aws-service-role/ecs.amazonaws.com/…`) and is no service principal.
            let key = if !text.contains(':') && text.contains(".amazonaws.com") {
                "Service"
            } else {
                "AWS"
            };
            wrap(key, value)
        };
        Subject {
            text: text.to_string(),
            principal,
            names: std::sync::OnceLock::new(),
        }
    }

    /// The principal a key policy entry names; `None` for entries that name no principal
    /// one can ask about (unresolved values, invalid entries, groups).
    pub fn from_entry(entry: &Principal<'_>) -> Option<Subject> {
        let key = match entry.ptype {
            crate::model::PrincipalType::Star => {
                return Some(Subject {
                    text: "*".to_string(),
                    principal: entry.node.clone(),
                    names: std::sync::OnceLock::new(),
                });
            }
            crate::model::PrincipalType::Aws => "AWS",
            crate::model::PrincipalType::Service => "Service",
            crate::model::PrincipalType::Federated => "Federated",
            crate::model::PrincipalType::CanonicalUser => "CanonicalUser",
            crate::model::PrincipalType::Other => return None,
        };
        if matches!(
            entry.kind,
            PrincipalKind::Unknown | PrincipalKind::Invalid(_) | PrincipalKind::Group { .. }
        ) {
            return None;
        }
        let mut node = entry.node.clone();
        // The same principal, wherever the entry was: it may be absent where it was written,
        // not as the subject of a question.
        node.maybe = false;
        Some(Subject {
            text: entry.text().to_string(),
            principal: wrap(key, node),
            names: std::sync::OnceLock::new(),
        })
    }

    /// The principal as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The principal read by the model.
    pub fn principal(&self) -> Option<Principal<'_>> {
        parse_principals(&self.principal).into_iter().next()
    }

    /// A normalised identity for telling principals apart (see [`Principal::identity`]).
    pub fn identity(&self) -> Option<String> {
        self.names().0.clone()
    }

    /// A short name for sentences: `user/Alice`, `role/Admin`, `account 111122223333`, the
    /// text otherwise.
    pub fn short(&self) -> String {
        self.names().1.clone()
    }

    /// The identity and the short name, read from the principal once.
    fn names(&self) -> &(Option<String>, String) {
        self.names.get_or_init(|| {
            let p = self.principal();
            let identity = p.as_ref().and_then(|p| p.identity().map(str::to_string));
            (identity, self.short_of(p.as_ref()))
        })
    }

    fn short_of(&self, p: Option<&Principal<'_>>) -> String {
        let Some(p) = p else {
            return self.text.clone();
        };
        match &p.kind {
            PrincipalKind::Account { account } => format!("account {account}"),
            PrincipalKind::User { name, .. } => format!("user/{name}"),
            PrincipalKind::Role { name, .. } => format!("role/{name}"),
            PrincipalKind::Group { name, .. } => format!("group/{name}"),
            PrincipalKind::AssumedRole { role, .. } => format!("assumed-role/{role}"),
            PrincipalKind::Everyone => "everyone (`*`)".to_string(),
            _ => self.text.clone(),
        }
    }

    /// The name of the user, role or group (`Alice`), when the principal is one.
    pub fn name(&self) -> Option<String> {
        match self.principal()?.kind {
            PrincipalKind::User { name, .. }
            | PrincipalKind::Role { name, .. }
            | PrincipalKind::Group { name, .. } => Some(name),
            PrincipalKind::AssumedRole { role, .. } => Some(role),
            _ => None,
        }
    }
}

fn wrap(key: &str, value: Node) -> Node {
    Node::new(
        Span::default(),
        Value::Object(vec![Member {
            key: key.to_string(),
            key_span: Span::default(),
            value,
        }]),
    )
}

/// What AWS knows about a request's principal, for the conditions kmslint evaluates:
/// `aws:PrincipalType`, `aws:PrincipalArn`, `aws:PrincipalAccount` and `kms:CallerAccount`.
#[derive(Debug, Clone, Default)]
struct Request {
    principal_type: Option<&'static str>,
    principal_arn: Option<String>,
    account: Option<String>,
}

impl Request {
    fn of(p: &Principal<'_>) -> Request {
        let literal = |a: &str| crate::model::principal::is_account_id(a).then(|| a.to_string());
        let arn = matches!(p.node.value, Value::String(_)).then(|| p.text().to_string());
        match &p.kind {
            PrincipalKind::Account { account } => Request {
                principal_type: Some("Account"),
                principal_arn: arn
                    .filter(|a| a.starts_with("arn:"))
                    .or_else(|| literal(account).map(|a| format!("arn:aws:iam::{a}:root"))),
                account: literal(account),
            },
            PrincipalKind::User { account, .. } => Request {
                principal_type: Some("User"),
                principal_arn: arn,
                account: literal(account),
            },
            // A role acts through its sessions; `aws:PrincipalArn` is the role's ARN.
            PrincipalKind::Role { account, .. } => Request {
                principal_type: Some("AssumedRole"),
                principal_arn: arn,
                account: literal(account),
            },
            PrincipalKind::AssumedRole { account, .. } => Request {
                principal_type: Some("AssumedRole"),
                principal_arn: None,
                account: literal(account),
            },
            PrincipalKind::FederatedUser { account } => Request {
                principal_type: Some("FederatedUser"),
                principal_arn: arn,
                account: literal(account),
            },
            // The members of a group are users, each with an ARN of its own.
            PrincipalKind::Group { account, .. } => Request {
                principal_type: Some("User"),
                principal_arn: None,
                account: literal(account),
            },
            _ => Request::default(),
        }
    }

    /// The request's value of a condition key, `None` when kmslint does not know it.
    fn value(&self, key: &str) -> Option<&str> {
        let is = |name: &str| key.eq_ignore_ascii_case(name);
        if is("aws:PrincipalType") {
            self.principal_type
        } else if is("aws:PrincipalArn") {
            self.principal_arn.as_deref()
        } else if is("aws:PrincipalAccount") || is("kms:CallerAccount") {
            self.account.as_deref()
        } else {
            None
        }
    }
}

/// A condition as reasons show it: `` `Bool kms:GrantIsForAWSResource: true` ``.
fn condition_text(c: &Condition<'_>) -> String {
    let values: Vec<String> = c
        .values()
        .iter()
        .map(|v| match scalar_text(v) {
            Some(t) => t.to_string(),
            None => match &v.value {
                Value::Unknown(u) => u.partial.clone().unwrap_or_else(|| u.description.clone()),
                _ => v.type_name().to_string(),
            },
        })
        .collect();
    format!(
        "`{} {}: {}`",
        c.operator_member.key,
        c.key(),
        values.join(", ")
    )
}

/// Whether a condition holds for a request whose `aws:PrincipalType` is `principal_type`
/// (`User`, `AssumedRole`), the request's other keys unknown.
pub fn principal_type_holds(c: &Condition<'_>, principal_type: &'static str) -> Tri {
    let request = Request {
        principal_type: Some(principal_type),
        ..Request::default()
    };
    condition_holds(c, &request)
}

/// Whether one condition holds for the request.
fn condition_holds(c: &Condition<'_>, request: &Request) -> Tri {
    let Some(op) = c.operator else {
        return Tri::Maybe;
    };
    let Some(actual) = request.value(c.key()) else {
        return Tri::Maybe;
    };
    let mut values = Vec::new();
    for v in c.values() {
        match scalar_text(v) {
            Some(t) => values.push(t),
            None => return Tri::Maybe,
        }
    }
    // The keys kmslint knows are single-valued and always present: `IfExists` and the set
    // operators read them as the plain operator does.
    let any = |f: &dyn Fn(&str) -> bool| values.iter().any(|v| f(v));
    let holds = match op.base {
        OpBase::StringEquals => any(&|v| v == actual),
        OpBase::StringNotEquals => !any(&|v| v == actual),
        OpBase::StringEqualsIgnoreCase => any(&|v| v.eq_ignore_ascii_case(actual)),
        OpBase::StringNotEqualsIgnoreCase => !any(&|v| v.eq_ignore_ascii_case(actual)),
        OpBase::StringLike | OpBase::ArnEquals | OpBase::ArnLike => any(&|v| glob_match(v, actual)),
        OpBase::StringNotLike | OpBase::ArnNotEquals | OpBase::ArnNotLike => {
            !any(&|v| glob_match(v, actual))
        }
        OpBase::Null => match values.as_slice() {
            // The key is present.
            [v] if v.eq_ignore_ascii_case("true") => false,
            [v] if v.eq_ignore_ascii_case("false") => true,
            _ => return Tri::Maybe,
        },
        _ => return Tri::Maybe,
    };
    if holds { Tri::Yes } else { Tri::No }
}

/// Whether a statement's conditions hold for the request, and the text of those kmslint
/// cannot evaluate (when the answer is `Maybe`).
fn conditions_hold(st: &Statement<'_>, request: &Request) -> (Tri, Vec<String>) {
    if !st.is_conditional() {
        return (Tri::Yes, Vec::new());
    }
    if st.has_unresolved_condition() {
        return (
            Tri::Maybe,
            vec!["its `Condition` is unresolved".to_string()],
        );
    }
    let mut result = Tri::Yes;
    let mut unknown = Vec::new();
    for c in &st.conditions {
        match condition_holds(c, request) {
            Tri::No => return (Tri::No, Vec::new()),
            Tri::Maybe => {
                result = Tri::Maybe;
                unknown.push(condition_text(c));
            }
            Tri::Yes => {}
        }
    }
    (result, unknown)
}

/// Whether a statement's action element covers `op`.
fn covers(st: &Statement<'_>, op: ActionSet) -> Tri {
    if st.certainly_covered().contains_all(op) {
        Tri::Yes
    } else if st.covered_actions().contains_all(op) || st.has_open_actions() {
        Tri::Maybe
    } else {
        Tri::No
    }
}

/// Whether a key policy statement's `Resource` is the key: `*` (or the key's own ARN).
fn key_policy_resource(st: &Statement<'_>, key: &Key) -> Tri {
    match st.element("Resource") {
        Some(m) => m.value.one_or_many().iter().fold(Tri::No, |acc, r| {
            let own = match r.as_str() {
                Some(text) if key.is_named_by(text) => Tri::Yes,
                _ => resource_is_this_key(r),
            };
            acc.or(own)
        }),
        // `NotResource` (or no resource at all) in a key policy: what AWS makes of it is not
        // something kmslint decides.
        None => Tri::Maybe,
    }
}

/// A reference as written, without `${…}` around it.
fn bare_reference(text: &str) -> &str {
    text.strip_prefix("${")
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text)
        .trim()
}

/// Whether one `Resource` entry of an identity policy names the key.
fn names_key(entry: &Node, key: &Key, others: Others<'_, '_>) -> Tri {
    let text = match &entry.value {
        Value::String(s) => s.as_str(),
        Value::Unknown(u) => {
            let written = bare_reference(u.partial.as_deref().unwrap_or(&u.description));
            return if key.refs.iter().any(|r| bare_reference(r) == written) {
                Tri::Yes
            } else if others.refer(written) {
                Tri::No
            } else {
                Tri::Maybe
            };
        }
        _ => return Tri::No,
    };
    if text == "*" || key.is_named_by(text) {
        return Tri::Yes;
    }
    if key.refs.iter().any(|r| r == text) {
        return Tri::Yes;
    }
    let wildcard = text.contains(['*', '?']);
    if let Some(arn) = &key.arn {
        if wildcard && glob_match(text, arn) {
            return Tri::Yes;
        }
        if !text.contains("${") {
            return Tri::No;
        }
    }
    // The key's ARN is not known: an entry that is another key's, or that cannot be a KMS
    // key's ARN, is not this key; anything else may be.
    if others.name(text) {
        return Tri::No;
    }
    let Some(rest) = text.strip_prefix("arn:") else {
        return Tri::No;
    };
    let fields: Vec<&str> = rest.splitn(5, ':').collect();
    let [_, service, _, account, resource] = fields[..] else {
        return Tri::No;
    };
    let could_be = |pattern: &str, value: &str| {
        pattern.contains(['*', '?', '$']) && glob_match(pattern, value) || pattern == value
    };
    if !could_be(service, "kms") {
        return Tri::No;
    }
    if !(resource.starts_with("key/") || resource.starts_with('*') || resource.starts_with("${")) {
        return Tri::No;
    }
    if let Some(own) = &key.account
        && crate::model::principal::is_account_id(account)
        && account != own
    {
        return Tri::No;
    }
    Tri::Maybe
}

/// The keys of the inventory other than the one asked about, looked at only when a value
/// could name either.
#[derive(Clone, Copy)]
struct Others<'l, 'i> {
    lookup: &'l Lookup<'i>,
    this: &'l Key,
}

impl Others<'_, '_> {
    /// Whether `text` (an ARN, key id or reference) stands for another key.
    fn name(self, text: &str) -> bool {
        self.lookup.names_other(&self.lookup.named, text, self.this)
    }

    /// Whether a reference, as written without `${…}`, is one of another key's.
    fn refer(self, written: &str) -> bool {
        self.lookup
            .names_other(&self.lookup.bare_refs, written, self.this)
    }
}

/// An inventory with its keys, identities, groups and grantees indexed: what each question
/// looks up is found at once, however many keys and identities there are.
pub struct Lookup<'i> {
    pub inventory: &'i Inventory,
    /// Every text that stands for a key (its ARN, key id and references), and the keys it
    /// stands for.
    named: HashMap<&'i str, Vec<usize>>,
    /// The keys' references without `${…}`, and the keys they are of.
    bare_refs: HashMap<&'i str, Vec<usize>>,
    /// The first identity of each ARN as written, and of each principal identity.
    by_arn: HashMap<&'i str, usize>,
    by_identity: HashMap<String, usize>,
    /// The first group of each ARN, name with its path, and name.
    groups: HashMap<&'i str, usize>,
    /// The principal identity of each grant's grantee.
    grantees: Vec<Option<String>>,
}

impl<'i> Lookup<'i> {
    pub fn new(inventory: &'i Inventory) -> Self {
        fn add<'i>(map: &mut HashMap<&'i str, Vec<usize>>, text: &'i str, i: usize) {
            let keys = map.entry(text).or_default();
            if keys.last() != Some(&i) {
                keys.push(i);
            }
        }
        let mut named = HashMap::default();
        let mut bare_refs = HashMap::default();
        for (i, k) in inventory.keys.iter().enumerate() {
            if let Some(arn) = &k.arn {
                add(&mut named, arn, i);
                if let Some(id) = key_id(arn) {
                    add(&mut named, id, i);
                }
            }
            for r in &k.refs {
                add(&mut named, r, i);
                add(&mut bare_refs, bare_reference(r), i);
            }
        }
        let mut by_arn = HashMap::default();
        let mut by_identity = HashMap::default();
        let mut groups = HashMap::default();
        for (i, identity) in inventory.identities.iter().enumerate() {
            by_arn.entry(identity.arn.as_str()).or_insert(i);
            if let Some(id) = Subject::new(&identity.arn).identity() {
                by_identity.entry(id).or_insert(i);
            }
            if identity.kind == IdentityKind::Group {
                groups.entry(identity.arn.as_str()).or_insert(i);
                if let Some((_, name)) = identity.arn.rsplit_once(":group/") {
                    groups.entry(name).or_insert(i);
                    if let Some(last) = name.rsplit('/').next() {
                        groups.entry(last).or_insert(i);
                    }
                }
            }
        }
        let grantees = inventory
            .grants
            .iter()
            .map(|g| Subject::new(&g.grantee).identity())
            .collect();
        Lookup {
            inventory,
            named,
            bare_refs,
            by_arn,
            by_identity,
            groups,
            grantees,
        }
    }

    /// Whether `text` is in `map` for a key other than `this`.
    fn names_other(&self, map: &HashMap<&str, Vec<usize>>, text: &str, this: &Key) -> bool {
        map.get(text).is_some_and(|keys| {
            keys.iter()
                .any(|&i| !std::ptr::eq(&self.inventory.keys[i], this))
        })
    }

    /// Whether a grant is for `key`: its key names it; or may be, when the key's ARN is not
    /// known and the grant's key names no other key.
    pub fn grant_for(&self, grant: &Grant, key: &Key) -> Tri {
        if key.is_named_by(&grant.key) {
            Tri::Yes
        } else if key.arn.is_none() && !self.names_other(&self.named, &grant.key, key) {
            Tri::Maybe
        } else {
            Tri::No
        }
    }

    /// The identity of the inventory that `subject` is.
    fn identity_of(&self, subject: &Subject) -> Option<&'i Identity> {
        let i = match self.by_arn.get(subject.text()) {
            Some(&i) => i,
            None => *self.by_identity.get(&subject.identity()?)?,
        };
        self.inventory.identities.get(i)
    }

    /// The group a user's membership names (by ARN, name with its path, or name).
    fn group(&self, name: &str) -> Option<&'i Identity> {
        self.inventory.identities.get(*self.groups.get(name)?)
    }
}

/// Whether an identity policy statement's `Resource`/`NotResource` covers the key.
fn identity_resource(st: &Statement<'_>, key: &Key, others: Others<'_, '_>) -> Tri {
    if let Some(m) = st.element("Resource") {
        return m
            .value
            .one_or_many()
            .iter()
            .fold(Tri::No, |acc, r| acc.or(names_key(r, key, others)));
    }
    if let Some(m) = st.element("NotResource") {
        let excluded = m
            .value
            .one_or_many()
            .iter()
            .fold(Tri::No, |acc, r| acc.or(names_key(r, key, others)));
        return match excluded {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Maybe => Tri::Maybe,
        };
    }
    Tri::Maybe
}

/// How reasons name a key policy statement: its `Sid`, else its position.
fn statement_label(st: &Statement<'_>) -> String {
    match st.sid_text() {
        Some(sid) if !sid.is_empty() => format!("`{sid}`"),
        _ => format!("statement {}", st.index + 1),
    }
}

/// Whether a statement's conditions hold for a request, and the text of those kmslint cannot
/// evaluate.
struct Judged {
    condition: Tri,
    unknown: Vec<String>,
}

impl Judged {
    fn of(st: &Statement<'_>, request: &Request) -> Judged {
        let (condition, unknown) = conditions_hold(st, request);
        Judged { condition, unknown }
    }
}

/// Whether a statement's action element covers each operation asked (`ops`).
fn covers_each(st: &Statement<'_>, ops: &[ActionSet]) -> Vec<Tri> {
    ops.iter().map(|&op| covers(st, op)).collect()
}

/// One statement's part in a request, before the operation is known.
struct Part<'a> {
    label: Cow<'a, str>,
    effect: Effect,
    /// Principal, resource and presence.
    applies: Tri,
    /// The conditions (`Maybe`: `unknown` lists them).
    condition: Tri,
    unknown: &'a [String],
    /// Whether its actions cover each operation asked.
    covers: &'a [Tri],
}

impl<'a> Part<'a> {
    fn new(
        st: &Statement<'_>,
        label: impl Into<Cow<'a, str>>,
        applies: Tri,
        judged: &'a Judged,
        covers: &'a [Tri],
    ) -> Option<Part<'a>> {
        let effect = match st.effect {
            Some(e) if !st.malformed => e,
            _ => return None,
        };
        let applies = if st.maybe {
            applies.min(Tri::Maybe)
        } else {
            applies
        };
        if applies == Tri::No {
            return None;
        }
        if judged.condition == Tri::No {
            return None;
        }
        Some(Part {
            label: label.into(),
            effect,
            applies,
            condition: judged.condition,
            unknown: &judged.unknown,
            covers,
        })
    }

    /// Whether the statement's actions cover `op` (`i`: its index in the operations asked).
    fn covers_at(&self, i: usize) -> Tri {
        self.covers.get(i).copied().unwrap_or(Tri::No)
    }

    /// Whether the statement concerns `op` (`i`: its index in the operations asked).
    fn on(&self, i: usize) -> Tri {
        self.covers_at(i).min(self.applies).min(self.condition)
    }

    /// The statement's label, with what it depends on when it may not apply.
    fn described(&self, i: usize, verb: &str) -> String {
        if self.on(i) == Tri::Yes {
            return format!("{verb}{}", self.label);
        }
        let mut why = Vec::new();
        if !self.unknown.is_empty() {
            why.push(format!("if {}", self.unknown.join(" and ")));
        }
        if self.applies == Tri::Maybe {
            why.push("if it applies (a value is unresolved)".to_string());
        }
        if self.covers_at(i) == Tri::Maybe {
            why.push("if its unresolved actions include it".to_string());
        }
        format!("{verb}{} {}", self.label, why.join(", "))
    }
}

/// The strongest of a set of parts for `op`, and the descriptions of those that reach it.
fn strongest(parts: &[Part<'_>], i: usize, verb: &str) -> (Tri, Vec<String>) {
    let best = parts.iter().fold(Tri::No, |acc, p| acc.or(p.on(i)));
    if best == Tri::No {
        return (Tri::No, Vec::new());
    }
    let reasons = parts
        .iter()
        .filter(|p| p.on(i) == best)
        .map(|p| p.described(i, verb))
        .collect();
    (best, reasons)
}

/// The identity policies that apply to an identity: its own and its groups'.
fn policies_of<'i>(lookup: &Lookup<'i>, identity: &'i Identity) -> Vec<&'i super::IdentityPolicy> {
    let mut out: Vec<&super::IdentityPolicy> = identity.policies.iter().collect();
    for group in &identity.groups {
        if let Some(g) = lookup.group(group) {
            out.extend(&g.policies);
        }
    }
    out
}

/// Whether a document stands for a policy kmslint cannot read (an AWS managed policy, a
/// policy a template computes): it may allow or deny anything.
fn is_opaque(doc: &Document, policy: &Policy<'_>) -> bool {
    doc.doc.root.is_unknown() || policy.open
}

/// Evaluate what `subject` can do with `key`, operation by operation (`ops`, in catalog
/// order). `context` holds the run's accounts; the key's own account, when known, wins.
pub fn evaluate(
    inventory: &Inventory,
    subject: &Subject,
    key: &Key,
    ops: ActionSet,
    context: &PolicyContext,
) -> Vec<Answer> {
    KeyView::new(key, context).evaluate(&Lookup::new(inventory), subject, ops)
}

/// Whether the key policy enables IAM for the users and roles of the key's own account.
pub fn delegation(key: &Key, context: &PolicyContext) -> Delegation {
    KeyView::new(key, context).delegation()
}

/// A key with its policy read, for every question about it.
pub struct KeyView<'i> {
    pub key: &'i Key,
    policy: Policy<'i>,
    /// The accounts identity policies are read with: the key's.
    context: PolicyContext,
    /// Per statement: how reasons name it, as itself and as a statement of the key policy,
    /// and whether its `Resource` is the key.
    labels: Vec<String>,
    key_labels: Vec<String>,
    resources: Vec<Tri>,
    /// Per statement, whether its actions cover each operation asked: the same for every
    /// principal, so made once for the operations last asked.
    covered: std::cell::OnceCell<(ActionSet, Vec<Vec<Tri>>)>,
}

impl<'i> KeyView<'i> {
    /// Read the key's policy. `context` holds the run's accounts; the key's own account,
    /// when known, wins.
    pub fn new(key: &'i Key, context: &PolicyContext) -> Self {
        let context = PolicyContext {
            account: key.account.clone().or_else(|| context.account.clone()),
            trusted_accounts: context.trusted_accounts.clone(),
        };
        let policy = key.policy.policy(&context);
        let labels: Vec<String> = policy.statements.iter().map(statement_label).collect();
        let key_labels = labels.iter().map(|l| format!("key policy {l}")).collect();
        let resources = policy
            .statements
            .iter()
            .map(|st| key_policy_resource(st, key))
            .collect();
        let context = PolicyContext {
            account: match &policy.own_account {
                crate::model::OwnAccount::Known(a) => Some(a.clone()),
                crate::model::OwnAccount::Unknown => None,
            },
            trusted_accounts: policy.trusted_accounts.clone(),
        };
        KeyView {
            key,
            policy,
            context,
            labels,
            key_labels,
            resources,
            covered: std::cell::OnceCell::new(),
        }
    }

    /// Per statement, whether its actions cover each operation of `ops` (in catalog order).
    fn covers(&self, ops: ActionSet) -> std::borrow::Cow<'_, [Vec<Tri>]> {
        let compute = || {
            let sets: Vec<ActionSet> = ops.singles().map(|(_, set)| set).collect();
            self.policy
                .statements
                .iter()
                .map(|st| covers_each(st, &sets))
                .collect::<Vec<_>>()
        };
        let (asked, covered) = self.covered.get_or_init(|| (ops, compute()));
        if *asked == ops {
            Cow::Borrowed(covered)
        } else {
            Cow::Owned(compute())
        }
    }

    /// The principals the key policy names (unresolved and invalid entries, and groups, are
    /// no principals one can ask about).
    pub fn principals(&self) -> Vec<Subject> {
        self.policy
            .statements
            .iter()
            .flat_map(|st| st.principal_entries())
            .filter_map(Subject::from_entry)
            .collect()
    }

    /// What `subject` can do with the key, operation by operation (`ops`, in catalog order).
    /// Operations whose answer has the same grounds share one verdict and one list of
    /// reasons, made once.
    pub fn evaluate(&self, lookup: &Lookup<'_>, subject: &Subject, ops: ActionSet) -> Vec<Answer> {
        let key = self.key;
        let policy = &self.policy;
        let context = &self.context;
        let actions: Vec<(&'static ActionInfo, ActionSet)> = ops.singles().collect();
        let sets: Vec<ActionSet> = actions.iter().map(|(_, set)| *set).collect();
        let answer =
            |(operation, set): (&'static ActionInfo, ActionSet), verdict, reasons| Answer {
                operation,
                set,
                group: OpGroup::of_set(set),
                verdict,
                reasons,
            };
        let Some(principal) = subject.principal() else {
            let reasons: Reasons = Arc::from(vec![format!(
                "`{}` is not a principal kmslint can read",
                subject.text()
            )]);
            return actions
                .into_iter()
                .map(|a| answer(a, Verdict::Conditional, Arc::clone(&reasons)))
                .collect();
        };
        let request = Request::of(&principal);
        let others = Others { lookup, this: key };

        let iam_identity = matches!(
            principal.kind,
            PrincipalKind::User { .. }
                | PrincipalKind::Role { .. }
                | PrincipalKind::Group { .. }
                | PrincipalKind::AssumedRole { .. }
                | PrincipalKind::FederatedUser { .. }
        );
        let account_root = principal
            .account()
            .filter(|_| iam_identity)
            .map(Subject::new);
        let account_principal = account_root.as_ref().and_then(Subject::principal);
        let via_account = |st: &Statement<'_>| -> Tri {
            let (Some(root), Some(account)) = (&account_principal, principal.account()) else {
                return Tri::No;
            };
            let by_entry = policy.applies_to(st, Who::Entry(root));
            let own = policy
                .is_own_account(account)
                .min(policy.applies_to(st, Who::Root));
            by_entry.or(own)
        };
        let covered = self.covers(ops);
        // Whom each statement concerns: the principal by name, or through its account; and,
        // for those that may concern it, whether their conditions hold.
        let concerns: Vec<(Tri, Tri, Option<Judged>)> = policy
            .statements
            .iter()
            .enumerate()
            .map(|(j, st)| {
                let resource = self.resources.get(j).copied().unwrap_or(Tri::Maybe);
                // A group is never a principal of a key policy (KMS rejects the policy).
                let by_name = if matches!(principal.kind, PrincipalKind::Group { .. }) {
                    Tri::No
                } else {
                    policy.applies_to(st, Who::Entry(&principal))
                };
                let by_account = via_account(st);
                let judged = (by_name.or(by_account).min(resource) != Tri::No)
                    .then(|| Judged::of(st, &request));
                (by_name, by_account, judged)
            })
            .collect();
        let mut direct = Vec::new();
        let mut delegating = Vec::new();
        let mut denying = Vec::new();
        let mut guarded = Vec::new();
        for (j, st) in policy.statements.iter().enumerate() {
            let (Some((by_name, by_account, Some(judged))), Some(covers)) =
                (concerns.get(j), covered.get(j))
            else {
                continue;
            };
            let (by_name, by_account) = (*by_name, *by_account);
            let resource = self.resources.get(j).copied().unwrap_or(Tri::Maybe);
            let (label, key_label) = match (self.labels.get(j), self.key_labels.get(j)) {
                (Some(l), Some(k)) => (l.as_str(), k.as_str()),
                _ => continue,
            };
            match st.effect {
                Some(Effect::Allow) => {
                    if let Some(p) = Part::new(st, key_label, by_name.min(resource), judged, covers)
                    {
                        direct.push(p);
                    }
                    let applies = by_account.min(resource);
                    match Part::new(st, label, applies, judged, covers) {
                        Some(p) => delegating.push(p),
                        // The statement gives the account, but its conditions leave this
                        // principal out (the `aws:PrincipalType` guard).
                        None if applies == Tri::Yes && st.is_allow() => {
                            guarded.push(label.to_string());
                        }
                        None => {}
                    }
                }
                Some(Effect::Deny) => {
                    let applies = by_name.or(by_account).min(resource);
                    if let Some(p) = Part::new(st, label, applies, judged, covers) {
                        denying.push(p);
                    }
                }
                None => {}
            }
        }

        // The identity policies.
        let identity = if iam_identity {
            lookup.identity_of(subject)
        } else {
            None
        };
        let id_policies = identity.map(|i| policies_of(lookup, i)).unwrap_or_default();
        let doc_policies: Vec<Policy<'_>> = id_policies
            .iter()
            .map(|ip| ip.doc.policy(context))
            .collect();
        let id_judged: Vec<Vec<(Judged, Vec<Tri>)>> = doc_policies
            .iter()
            .map(|p| {
                p.statements
                    .iter()
                    .map(|st| (Judged::of(st, &request), covers_each(st, &sets)))
                    .collect()
            })
            .collect();
        let mut id_allow = Vec::new();
        let mut id_deny = Vec::new();
        let mut opaque = Vec::new();
        // Per policy: what its statements certainly allow on this key, for "allows only".
        let mut allows_here: Vec<(String, ActionSet)> = Vec::new();
        for ((ip, doc_policy), judged) in id_policies.iter().zip(&doc_policies).zip(&id_judged) {
            if is_opaque(&ip.doc, doc_policy) {
                opaque.push(format!("policy `{}`", ip.name));
            }
            let mut here = ActionSet::EMPTY;
            for (st, (judged, covers)) in doc_policy.statements.iter().zip(judged) {
                let resource = identity_resource(st, key, others);
                let label = if doc_policy.statements.len() > 1 {
                    match st.sid_text() {
                        Some(sid) if !sid.is_empty() => format!("policy `{}` (`{sid}`)", ip.name),
                        _ => format!("policy `{}`", ip.name),
                    }
                } else {
                    format!("policy `{}`", ip.name)
                };
                let Some(part) = Part::new(st, label, resource, judged, covers) else {
                    continue;
                };
                match part.effect {
                    Effect::Allow => {
                        if part.applies == Tri::Yes && part.condition == Tri::Yes {
                            here = here.union(st.certainly_covered());
                        }
                        id_allow.push(part);
                    }
                    Effect::Deny => id_deny.push(part),
                }
            }
            allows_here.push((ip.name.clone(), here.intersect(OpGroup::every_action())));
        }

        // Grants.
        let principal_id = principal.identity();
        let grants: Vec<(&Grant, Tri)> = lookup
            .inventory
            .grants
            .iter()
            .enumerate()
            .filter_map(|(i, g)| {
                let for_key = lookup.grant_for(g, key);
                if for_key == Tri::No {
                    return None;
                }
                let grantee_id = lookup.grantees.get(i).and_then(Option::as_deref);
                let grantee = grantee_is(&g.grantee, grantee_id, subject, principal_id);
                let t = for_key.min(grantee);
                (t != Tri::No).then_some((g, t))
            })
            .collect();

        // How reasons name the principal, made when one does.
        let subject_name = std::cell::OnceCell::new();
        let subject_name = || {
            subject_name
                .get_or_init(|| format!("`{}`", subject.short()))
                .as_str()
        };
        let open = policy.open;
        let identity_known = identity.is_some() && opaque.is_empty();

        // The verdict and reasons of the operation at `i`.
        let decide = |i: usize, operation: &'static ActionInfo, op: ActionSet| {
            // Explicit denies.
            let (key_deny, key_deny_why) = strongest(&denying, i, "denied by ");
            let (own_deny, own_deny_why) = strongest(&id_deny, i, "denied by ");
            let deny = key_deny.or(own_deny);
            if deny == Tri::Yes {
                let reasons: Vec<String> = key_deny_why.into_iter().chain(own_deny_why).collect();
                return (Verdict::Denied, reasons);
            }
            // Allows: the key policy directly, IAM through the account, grants.
            let (by_key, by_key_why) = strongest(&direct, i, "");
            let (enabled, enabled_why) = strongest(&delegating, i, "");
            let (by_iam_policy, by_iam_policy_why) = strongest(&id_allow, i, "");
            let by_iam = if !iam_identity || enabled == Tri::No {
                Tri::No
            } else if identity_known {
                enabled.min(by_iam_policy)
            } else {
                enabled.min(by_iam_policy.or(Tri::Maybe))
            };
            let mut by_iam_why = Vec::new();
            if by_iam != Tri::No {
                let root = if enabled == Tri::Yes {
                    String::new()
                } else {
                    format!(" ({})", enabled_why.join("; "))
                };
                if by_iam_policy == Tri::No || (by_iam_policy == Tri::Maybe && !identity_known) {
                    by_iam_why.push(match identity {
                        None => {
                            format!(
                                "IAM via root{root}: no identity policy of {} is given",
                                subject_name()
                            )
                        }
                        Some(_) => {
                            format!("IAM via root{root}: {} may allow it", opaque.join(", "))
                        }
                    });
                } else {
                    for why in &by_iam_policy_why {
                        by_iam_why.push(format!("IAM via root{root}: {why}"));
                    }
                }
            }
            let mut by_grant = Tri::No;
            let mut by_grant_why = Vec::new();
            for (g, t) in &grants {
                if !grant_lists(g, operation) {
                    continue;
                }
                let t = if g.constraints.is_empty() {
                    *t
                } else {
                    (*t).min(Tri::Maybe)
                };
                let mut why = format!("grant `{}`", g.name);
                if !g.constraints.is_empty() {
                    why.push_str(&format!(" if {}", g.constraints.join(" and ")));
                }
                if t == Tri::Maybe && g.constraints.is_empty() {
                    why.push_str(" if it is for this key (give the key's ARN with `--key-arn`)");
                } else if t == Tri::Maybe && !key.is_named_by(&g.key) {
                    why.push_str(", if it is for this key");
                }
                if t > by_grant {
                    by_grant_why.clear();
                }
                if t >= by_grant {
                    by_grant = t;
                    by_grant_why.push(why);
                }
            }
            let allow = by_key.or(by_iam).or(by_grant);
            let mut allow_why: Vec<String> = Vec::new();
            for (t, why) in [
                (by_key, by_key_why),
                (by_iam, by_iam_why),
                (by_grant, by_grant_why),
            ] {
                if t == allow && allow != Tri::No {
                    allow_why.extend(why);
                }
            }
            let verdict = match (allow, deny) {
                (Tri::Yes, Tri::No) if !open => Verdict::Allowed,
                (Tri::No, _) if !open => Verdict::NotAllowed,
                _ => Verdict::Conditional,
            };
            let reasons = match verdict {
                Verdict::Allowed => allow_why,
                Verdict::NotAllowed => not_allowed_why(NotAllowed {
                    iam_identity,
                    other_account: principal
                        .account()
                        .filter(|a| policy.is_own_account(a) == Tri::No),
                    enabled,
                    enabled_why: &enabled_why,
                    guarded: &guarded,
                    identity_known: identity.is_some(),
                    by_iam_policy,
                    by_iam_policy_why: &by_iam_policy_why,
                    allows_here: &allows_here,
                    subject_name: subject_name(),
                    op,
                }),
                _ => {
                    let mut reasons = allow_why;
                    if deny == Tri::Maybe {
                        reasons.extend(
                            key_deny_why
                                .into_iter()
                                .chain(own_deny_why)
                                .map(|d| format!("unless {d}")),
                        );
                    }
                    if open {
                        reasons
                            .push("the key policy has statements a template computes".to_string());
                    }
                    reasons
                }
            };
            (verdict, reasons)
        };

        // What decides an operation: how each statement's actions cover it, which grants
        // list it, whether each identity policy allows all of it. Operations alike in all of
        // that have the same verdict and reasons.
        let mut grounds: Vec<u8> = Vec::new();
        let mut decided: Vec<(Vec<u8>, Verdict, Reasons)> = Vec::new();
        let mut answers = Vec::with_capacity(actions.len());
        for (i, &(operation, op)) in actions.iter().enumerate() {
            grounds.clear();
            for parts in [&direct, &delegating, &denying, &id_allow, &id_deny] {
                grounds.extend(parts.iter().map(|p| p.covers_at(i) as u8));
            }
            grounds.extend(
                grants
                    .iter()
                    .map(|(g, _)| u8::from(grant_lists(g, operation))),
            );
            grounds.extend(
                allows_here
                    .iter()
                    .map(|(_, set)| u8::from(set.contains_all(op))),
            );
            let (verdict, reasons) = match decided.iter().find(|(g, ..)| *g == grounds) {
                Some((_, verdict, reasons)) => (*verdict, Arc::clone(reasons)),
                None => {
                    let (verdict, reasons) = decide(i, operation, op);
                    let reasons: Reasons = Arc::from(reasons);
                    decided.push((grounds.clone(), verdict, Arc::clone(&reasons)));
                    (verdict, reasons)
                }
            };
            answers.push(answer((operation, op), verdict, reasons));
        }
        answers
    }
}

/// Whether a key's policy lets identity policies give the key to the IAM users and roles of
/// its own account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delegation {
    /// These statements enable IAM.
    Enabled(Vec<String>),
    /// These statements enable IAM if their conditions hold (listed).
    Conditional(Vec<String>),
    /// No statement enables IAM; these give the account but their conditions leave IAM users
    /// and roles out (the `aws:PrincipalType` guard).
    NotEnabled(Vec<String>),
}

impl KeyView<'_> {
    /// Whether the key policy enables IAM for the users and roles of the key's own account.
    /// Each statement is judged for a user's request (`aws:PrincipalType` `User`) and for a
    /// role's (its sessions are `AssumedRole`): one that enables IAM for only one of them
    /// enables it on that condition.
    pub fn delegation(&self) -> Delegation {
        let policy = &self.policy;
        let account = match &policy.own_account {
            crate::model::OwnAccount::Known(a) if crate::model::principal::is_account_id(a) => {
                Some(a.clone())
            }
            _ => None,
        };
        let request = |principal_type| Request {
            principal_type: Some(principal_type),
            principal_arn: None,
            account: account.clone(),
        };
        let (user, role) = (request("User"), request("AssumedRole"));
        let ops = [OpGroup::every_action()];
        let certain = |p: &Option<Part<'_>>| {
            p.as_ref()
                .is_some_and(|p| p.applies == Tri::Yes && p.condition == Tri::Yes)
        };
        let (mut yes, mut maybe, mut guarded) = (Vec::new(), Vec::new(), Vec::new());
        for (j, st) in policy.statements.iter().enumerate() {
            if !st.is_allow() || !st.may_cover(OpGroup::every_action()) {
                continue;
            }
            let (Some(label), Some(resource)) = (self.labels.get(j), self.resources.get(j)) else {
                continue;
            };
            // Statements for everyone are no delegation to IAM: they allow by themselves.
            let root = policy.names(st, Who::Root);
            let applies = root.min(*resource);
            let covers = covers_each(st, &ops);
            let (users_judged, roles_judged) = (Judged::of(st, &user), Judged::of(st, &role));
            let for_users = Part::new(st, label.as_str(), applies, &users_judged, &covers);
            let for_roles = Part::new(st, label.as_str(), applies, &roles_judged, &covers);
            let (users_certain, roles_certain) = (certain(&for_users), certain(&for_roles));
            match (for_users, for_roles) {
                (None, None) if applies == Tri::Yes => guarded.push(label.clone()),
                (None, None) => {}
                _ if users_certain && roles_certain => yes.push(label.clone()),
                (Some(p), None) => maybe.push(format!(
                    "{} for IAM users only: its conditions leave roles out",
                    if users_certain {
                        p.label.into_owned()
                    } else {
                        p.described(usize::MAX, "")
                    }
                )),
                (None, Some(p)) => maybe.push(format!(
                    "{} for roles only: its conditions leave IAM users out",
                    if roles_certain {
                        p.label.into_owned()
                    } else {
                        p.described(usize::MAX, "")
                    }
                )),
                (Some(u), Some(r)) => {
                    let p = if users_certain { r } else { u };
                    maybe.push(p.described(usize::MAX, ""));
                }
            }
        }
        if policy.open {
            // Statements a template computes may enable IAM: not knowing them is no "no".
            maybe.push("if the statements a template computes do".to_string());
        }
        if !yes.is_empty() {
            Delegation::Enabled(yes)
        } else if !maybe.is_empty() {
            Delegation::Conditional(maybe)
        } else {
            Delegation::NotEnabled(guarded)
        }
    }
}

/// What explains a request nothing allows.
struct NotAllowed<'a> {
    iam_identity: bool,
    /// The principal's account, when it is not the key's.
    other_account: Option<&'a str>,
    enabled: Tri,
    enabled_why: &'a [String],
    guarded: &'a [String],
    identity_known: bool,
    by_iam_policy: Tri,
    by_iam_policy_why: &'a [String],
    allows_here: &'a [(String, ActionSet)],
    subject_name: &'a str,
    op: ActionSet,
}

fn not_allowed_why(n: NotAllowed<'_>) -> Vec<String> {
    if !n.iam_identity {
        return vec!["no statement of the key policy allows it".to_string()];
    }
    if n.enabled == Tri::No {
        let mut why = if let Some(account) = n.other_account {
            format!(
                "the key policy does not allow the account {account}, which its identity policies need"
            )
        } else if n.guarded.is_empty() {
            "IAM not enabled in the key policy".to_string()
        } else {
            format!(
                "IAM not enabled in the key policy for {}: the conditions of {} leave it out",
                n.subject_name,
                n.guarded.join(", ")
            )
        };
        if n.by_iam_policy != Tri::No {
            why.push_str(&format!(
                " ({} would allow it)",
                n.by_iam_policy_why.join(", ")
            ));
        }
        return vec![why];
    }
    let enabled = format!("the key policy enables IAM ({})", n.enabled_why.join(", "));
    if !n.identity_known {
        return vec![format!(
            "{enabled}, but no identity policy of {} is given",
            n.subject_name
        )];
    }
    let partial: Vec<String> = n
        .allows_here
        .iter()
        .filter(|(_, set)| !set.is_empty() && !set.contains_all(n.op))
        .map(|(name, set)| format!("policy `{name}` allows only {}", set.describe()))
        .collect();
    if partial.is_empty() {
        vec![format!(
            "{enabled}, but no identity policy of {} allows it on this key",
            n.subject_name
        )]
    } else {
        vec![format!("{enabled}, but {}", partial.join("; "))]
    }
}

/// Whether a grant lists an operation (`Decrypt` or `kms:Decrypt`, any case).
fn grant_lists(grant: &Grant, operation: &ActionInfo) -> bool {
    grant.operations.iter().any(|o| {
        let name = o
            .strip_prefix("kms:")
            .or_else(|| o.strip_prefix("KMS:"))
            .unwrap_or(o);
        name.eq_ignore_ascii_case(operation.name)
    })
}

/// Whether a grant's grantee (`grantee_id`: its principal identity) is the subject
/// (`principal_id`: the subject's).
fn grantee_is(
    grantee: &str,
    grantee_id: Option<&str>,
    subject: &Subject,
    principal_id: Option<&str>,
) -> Tri {
    if grantee == subject.text() {
        return Tri::Yes;
    }
    match (grantee_id, principal_id) {
        (Some(a), Some(b)) if a == b => Tri::Yes,
        _ if crate::tree::has_hole(grantee) => Tri::Maybe,
        _ => Tri::No,
    }
}

/// The operations an `--action` argument names: an action or a wildcard pattern
/// (`kms:Decrypt`, `kms:GenerateDataKey*`, `Decrypt`), any case.
pub fn parse_action(text: &str) -> ActionSet {
    let with_prefix = if text.contains(':') {
        text.to_string()
    } else {
        format!("kms:{text}")
    };
    let node = Node::new(Span::default(), Value::String(with_prefix));
    let pattern = ActionPattern::new(&node);
    match pattern.kind {
        PatternKind::Kms { matches, .. } => matches,
        _ => ActionSet::EMPTY,
    }
}

/// The key id or ARN a key is known by, for messages.
pub fn key_label(key: &Key) -> String {
    match &key.arn {
        Some(arn) => format!("{} ({})", key.name, key_id(arn).unwrap_or(arn)),
        None => key.name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::access::IdentityPolicy;
    use crate::extract::PolicyDoc;
    use crate::tree::{Dialect, json};

    const ACCOUNT: &str = "111122223333";

    fn document(text: &str) -> Document {
        let root = json::parse(text).unwrap();
        Document::new(
            PolicyDoc {
                name: None,
                root,
                embedded: None,
                origin: None,
                dialect: Dialect::Json,
            },
            Arc::from(text),
        )
    }

    fn key(name: &str, arn: &str, text: &str) -> Key {
        Key {
            name: name.to_string(),
            path: name.to_string(),
            arn: Some(arn.to_string()),
            refs: Vec::new(),
            policy: document(text),
            account: None,
        }
    }

    fn user(name: &str) -> String {
        format!("arn:aws:iam::{ACCOUNT}:user/{name}")
    }

    fn key_arn(id: char) -> String {
        let id: String = std::iter::repeat_n(id, 8).collect();
        format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{id}-1111-2222-3333-444444444444")
    }

    fn identity(arn: &str, kind: IdentityKind, policies: &[(&str, &str)]) -> Identity {
        Identity {
            arn: arn.to_string(),
            kind,
            policies: policies
                .iter()
                .map(|(name, text)| IdentityPolicy {
                    name: name.to_string(),
                    path: format!("{name}.json"),
                    doc: document(text),
                })
                .collect(),
            groups: Vec::new(),
            declared: None,
        }
    }

    /// The access example of the seed articles: three keys, four users.
    fn seed() -> Inventory {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/explain/seed-json/");
        let read = |f: &str| std::fs::read_to_string(format!("{dir}{f}")).unwrap();
        let iam = |name: &str, file: &str| {
            identity(
                &user(name),
                IdentityKind::User,
                &[(file, &read(&format!("iam/{file}.json")))],
            )
        };
        Inventory {
            keys: vec![
                key("cmk-a", &key_arn('a'), &read("cmk-a.json")),
                key("cmk-b", &key_arn('b'), &read("cmk-b.json")),
                key("cmk-c", &key_arn('c'), &read("cmk-c.json")),
            ],
            identities: vec![
                iam("Alice", "alice"),
                iam("Bob", "bob"),
                iam("Charlie", "charlie"),
                iam("David", "david"),
            ],
            grants: Vec::new(),
            policies: Vec::new(),
        }
    }

    fn ask(inv: &Inventory, who: &str, key: &str, action: &str) -> Answer {
        let key = inv.keys.iter().find(|k| k.name == key).unwrap();
        let mut answers = evaluate(
            inv,
            &Subject::new(who),
            key,
            parse_action(action),
            &PolicyContext::default(),
        );
        assert_eq!(answers.len(), 1, "{action}");
        answers.remove(0)
    }

    /// Every operation of the matrix gets this verdict, with this reason.
    fn all(inv: &Inventory, who: &str, key: &str, verdict: Verdict, reason: &str) {
        let k = inv.keys.iter().find(|k| k.name == key).unwrap();
        let answers = evaluate(
            inv,
            &Subject::new(who),
            k,
            OpGroup::every_action(),
            &PolicyContext::default(),
        );
        for a in answers {
            assert_eq!(
                a.verdict, verdict,
                "{who} {key} kms:{}: {:?}",
                a.operation.name, a.reasons
            );
            assert!(
                a.reasons.iter().any(|r| r.contains(reason)),
                "{who} {key} kms:{}: {:?} has no `{reason}`",
                a.operation.name,
                a.reasons
            );
        }
    }

    #[test]
    fn the_seed_example_alice() {
        let inv = seed();
        let alice = user("Alice");
        all(
            &inv,
            &alice,
            "cmk-a",
            Verdict::Allowed,
            "IAM via root: policy `alice`",
        );
        all(
            &inv,
            &alice,
            "cmk-b",
            Verdict::NotAllowed,
            "IAM not enabled in the key policy",
        );
        all(
            &inv,
            &alice,
            "cmk-c",
            Verdict::Allowed,
            "key policy `AllowAlice`",
        );
    }

    #[test]
    fn the_seed_example_bob() {
        let inv = seed();
        let bob = user("Bob");
        all(
            &inv,
            &bob,
            "cmk-a",
            Verdict::NotAllowed,
            "the key policy enables IAM (`Enable IAM User Permissions`), but no identity policy of `user/Bob` allows it on this key",
        );
        all(
            &inv,
            &bob,
            "cmk-b",
            Verdict::Allowed,
            "key policy `AllowBobAndCharlie`",
        );
        all(
            &inv,
            &bob,
            "cmk-c",
            Verdict::Denied,
            "denied by `DenyBobCharlieDavid`",
        );
    }

    #[test]
    fn the_seed_example_charlie() {
        let inv = seed();
        let charlie = user("Charlie");
        let encrypt = ask(&inv, &charlie, "cmk-a", "kms:Encrypt");
        assert_eq!(encrypt.verdict, Verdict::Allowed);
        assert_eq!(
            *encrypt.reasons,
            ["IAM via root: policy `charlie` (`EncryptWithCmkA`)"]
        );
        let decrypt = ask(&inv, &charlie, "cmk-a", "kms:Decrypt");
        assert_eq!(decrypt.verdict, Verdict::NotAllowed);
        assert_eq!(
            *decrypt.reasons,
            [
                "the key policy enables IAM (`Enable IAM User Permissions`), but policy `charlie` allows only `kms:Encrypt`"
            ]
        );
        let k = &inv.keys[0];
        for a in evaluate(
            &inv,
            &Subject::new(&charlie),
            k,
            OpGroup::every_action(),
            &PolicyContext::default(),
        ) {
            let expected = if a.operation.name == "Encrypt" {
                Verdict::Allowed
            } else {
                Verdict::NotAllowed
            };
            assert_eq!(a.verdict, expected, "kms:{}", a.operation.name);
        }
        // His IAM permissions for CMK-B are irrelevant: the key policy allows him.
        let b = ask(&inv, &charlie, "cmk-b", "kms:Decrypt");
        assert_eq!(b.verdict, Verdict::Allowed);
        assert_eq!(*b.reasons, ["key policy `AllowBobAndCharlie`"]);
        all(
            &inv,
            &charlie,
            "cmk-b",
            Verdict::Allowed,
            "key policy `AllowBobAndCharlie`",
        );
        all(
            &inv,
            &charlie,
            "cmk-c",
            Verdict::Denied,
            "denied by `DenyBobCharlieDavid`",
        );
    }

    #[test]
    fn the_seed_example_david() {
        let inv = seed();
        let david = user("David");
        all(
            &inv,
            &david,
            "cmk-a",
            Verdict::NotAllowed,
            "no identity policy of `user/David` allows it on this key",
        );
        all(
            &inv,
            &david,
            "cmk-b",
            Verdict::NotAllowed,
            "IAM not enabled in the key policy",
        );
        let b = ask(&inv, &david, "cmk-b", "kms:Decrypt");
        assert_eq!(
            *b.reasons,
            ["IAM not enabled in the key policy (policy `david` would allow it)"]
        );
        all(
            &inv,
            &david,
            "cmk-c",
            Verdict::Denied,
            "denied by `DenyBobCharlieDavid`",
        );
    }

    const ROOT_ALLOW: &str = r#"{"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}"#;

    fn policy(statements: &[&str]) -> String {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
            statements.join(",")
        )
    }

    fn one_key(key_policy: &str, identities: Vec<Identity>) -> Inventory {
        Inventory {
            keys: vec![key("k", &key_arn('a'), key_policy)],
            identities,
            grants: Vec::new(),
            policies: Vec::new(),
        }
    }

    const ALLOW_ALL_KMS: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}"#;

    /// The role `App` of the account.
    fn app_role() -> String {
        format!("arn:aws:iam::{ACCOUNT}:role/App")
    }

    /// One key whose policy has the one statement `statement`, and two identities whose own
    /// policies allow every KMS action: the user Alice (policy `admin`) and [`app_role`]
    /// (policy `app`).
    fn key_for_alice_and_app(statement: &str) -> Inventory {
        one_key(
            &policy(&[statement]),
            vec![
                identity(
                    &user("Alice"),
                    IdentityKind::User,
                    &[("admin", ALLOW_ALL_KMS)],
                ),
                identity(&app_role(), IdentityKind::Role, &[("app", ALLOW_ALL_KMS)]),
            ],
        )
    }

    #[test]
    fn the_principal_type_guard_turns_iam_delegation_off_for_users_and_roles() {
        let guarded = r#"{"Sid": "EnableRootAccessAndPreventPermissionDelegation", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}}"#;
        let role = app_role();
        let inv = key_for_alice_and_app(guarded);
        for who in [user("Alice"), role] {
            let a = ask(&inv, &who, "k", "kms:Decrypt");
            assert_eq!(a.verdict, Verdict::NotAllowed, "{who}");
            assert!(
                a.reasons[0].starts_with("IAM not enabled in the key policy for")
                    && a.reasons[0].contains("`EnableRootAccessAndPreventPermissionDelegation`"),
                "{:?}",
                a.reasons
            );
        }
        // The account root itself keeps its access.
        let root = ask(
            &inv,
            "arn:aws:iam::111122223333:root",
            "k",
            "kms:PutKeyPolicy",
        );
        assert_eq!(root.verdict, Verdict::Allowed);
        assert_eq!(
            *root.reasons,
            ["key policy `EnableRootAccessAndPreventPermissionDelegation`"]
        );
    }

    #[test]
    fn a_principal_type_guard_is_judged_for_users_and_for_role_sessions() {
        let root_for = |types: &str| {
            format!(
                r#"{{"Sid": "Root", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:root"}}, "Action": "kms:*", "Resource": "*", "Condition": {{"StringEquals": {{"aws:PrincipalType": {types}}}}}}}"#
            )
        };
        let role = app_role();
        let inventory = |types: &str| key_for_alice_and_app(&root_for(types));
        // A role acts through its sessions, whose principal type is `AssumedRole`.
        let inv = inventory(r#""AssumedRole""#);
        let a = ask(&inv, &role, "k", "kms:Decrypt");
        assert_eq!(a.verdict, Verdict::Allowed);
        assert_eq!(*a.reasons, ["IAM via root: policy `app`"]);
        let a = ask(&inv, &user("Alice"), "k", "kms:Decrypt");
        assert_eq!(a.verdict, Verdict::NotAllowed);
        assert_eq!(
            *a.reasons,
            [
                "IAM not enabled in the key policy for `user/Alice`: the conditions of `Root` leave it out (policy `admin` would allow it)"
            ]
        );
        let context = PolicyContext::default();
        assert_eq!(
            delegation(&inv.keys[0], &context),
            Delegation::Conditional(vec![
                "`Root` for roles only: its conditions leave IAM users out".to_string()
            ])
        );
        // The other way round.
        let inv = inventory(r#""User""#);
        assert_eq!(
            ask(&inv, &user("Alice"), "k", "kms:Decrypt").verdict,
            Verdict::Allowed
        );
        assert_eq!(
            ask(&inv, &role, "k", "kms:Decrypt").verdict,
            Verdict::NotAllowed
        );
        assert_eq!(
            delegation(&inv.keys[0], &context),
            Delegation::Conditional(vec![
                "`Root` for IAM users only: its conditions leave roles out".to_string()
            ])
        );
        // Both: IAM is enabled; neither: it is not.
        let inv = inventory(r#"["User", "AssumedRole"]"#);
        assert_eq!(
            delegation(&inv.keys[0], &context),
            Delegation::Enabled(vec!["`Root`".to_string()])
        );
        let inv = inventory(r#""Account""#);
        assert_eq!(
            delegation(&inv.keys[0], &context),
            Delegation::NotEnabled(vec!["`Root`".to_string()])
        );
    }

    #[test]
    fn a_deny_in_an_identity_policy_wins_over_the_key_policy() {
        let key_policy = policy(&[
            ROOT_ALLOW,
            r#"{"Sid": "Users", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Alice"}, "Action": "kms:Decrypt", "Resource": "*"}"#,
        ]);
        let deny = r#"{"Version": "2012-10-17", "Statement": {"Sid": "NoDecrypt", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}}"#;
        let inv = one_key(
            &key_policy,
            vec![identity(
                &user("Alice"),
                IdentityKind::User,
                &[("guardrail", deny)],
            )],
        );
        let a = ask(&inv, &user("Alice"), "k", "kms:Decrypt");
        assert_eq!(a.verdict, Verdict::Denied);
        assert_eq!(*a.reasons, ["denied by policy `guardrail`"]);
    }

    #[test]
    fn a_group_policy_applies_to_its_members() {
        let group = format!("arn:aws:iam::{ACCOUNT}:group/Crypto");
        let mut alice = identity(&user("Alice"), IdentityKind::User, &[]);
        alice.groups.push("Crypto".to_string());
        let inv = one_key(
            &policy(&[ROOT_ALLOW]),
            vec![
                alice,
                identity(&group, IdentityKind::Group, &[("crypto", ALLOW_ALL_KMS)]),
            ],
        );
        let a = ask(&inv, &user("Alice"), "k", "kms:Decrypt");
        assert_eq!(a.verdict, Verdict::Allowed);
        assert_eq!(*a.reasons, ["IAM via root: policy `crypto`"]);
    }

    #[test]
    fn grants_allow_the_operations_they_list() {
        let mut inv = one_key(&policy(&[ROOT_ALLOW]), Vec::new());
        let role = format!("arn:aws:iam::{ACCOUNT}:role/Batch");
        inv.grants.push(Grant {
            name: "batch-decrypt".to_string(),
            key: key_arn('a'),
            grantee: role.clone(),
            operations: vec!["Decrypt".to_string(), "GenerateDataKey".to_string()],
            retiring: None,
            constraints: Vec::new(),
            path: "grants.json".to_string(),
        });
        inv.grants.push(Grant {
            name: "batch-encrypt".to_string(),
            key: key_arn('a'),
            grantee: role.clone(),
            operations: vec!["Encrypt".to_string()],
            retiring: None,
            constraints: vec![r#"`EncryptionContextSubset {"Department": "IT"}`"#.to_string()],
            path: "grants.json".to_string(),
        });
        // A grant for another key gives nothing here.
        inv.grants.push(Grant {
            name: "other".to_string(),
            key: key_arn('b'),
            grantee: role.clone(),
            operations: vec!["Sign".to_string()],
            retiring: None,
            constraints: Vec::new(),
            path: "grants.json".to_string(),
        });
        inv.identities
            .push(identity(&role, IdentityKind::Role, &[]));
        let a = ask(&inv, &role, "k", "kms:Decrypt");
        assert_eq!(a.verdict, Verdict::Allowed);
        assert_eq!(*a.reasons, ["grant `batch-decrypt`"]);
        let e = ask(&inv, &role, "k", "kms:Encrypt");
        assert_eq!(e.verdict, Verdict::Conditional);
        assert_eq!(
            *e.reasons,
            [r#"grant `batch-encrypt` if `EncryptionContextSubset {"Department": "IT"}`"#]
        );
        let s = ask(&inv, &role, "k", "kms:Sign");
        assert_eq!(s.verdict, Verdict::NotAllowed);
    }

    #[test]
    fn conditions_kmslint_cannot_evaluate_make_the_answer_conditional() {
        let via = r#"{"Sid": "ViaEc2", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Alice"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}}}"#;
        let inv = one_key(&policy(&[via]), Vec::new());
        let a = ask(&inv, &user("Alice"), "k", "kms:Decrypt");
        assert_eq!(a.verdict, Verdict::Conditional);
        assert_eq!(
            *a.reasons,
            ["key policy `ViaEc2` if `StringEquals kms:ViaService: ec2.us-east-1.amazonaws.com`"]
        );
        // A conditional Deny makes an allowed request conditional.
        let deny = r#"{"Sid": "OnlyTls", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#;
        let allow = r#"{"Sid": "Alice", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Alice"}, "Action": "kms:Decrypt", "Resource": "*"}"#;
        let inv = one_key(&policy(&[allow, deny]), Vec::new());
        let a = ask(&inv, &user("Alice"), "k", "kms:Decrypt");
        assert_eq!(a.verdict, Verdict::Conditional);
        assert_eq!(
            *a.reasons,
            [
                "key policy `Alice`",
                "unless denied by `OnlyTls` if `Bool aws:SecureTransport: false`"
            ]
        );
        // Conditions on who the caller is are evaluated.
        let arn = r#"{"Sid": "AliceOnly", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/A*"}}}"#;
        let inv = one_key(&policy(&[arn]), Vec::new());
        assert_eq!(
            ask(&inv, &user("Alice"), "k", "kms:Decrypt").verdict,
            Verdict::Allowed
        );
        assert_eq!(
            ask(&inv, &user("Bob"), "k", "kms:Decrypt").verdict,
            Verdict::NotAllowed
        );
    }

    #[test]
    fn unknown_identity_policies_and_key_arns_are_never_guessed() {
        // IAM enabled, but nothing is known of Bob's identity policies.
        let inv = one_key(&policy(&[ROOT_ALLOW]), Vec::new());
        let a = ask(&inv, &user("Bob"), "k", "kms:Decrypt");
        assert_eq!(a.verdict, Verdict::Conditional);
        assert_eq!(
            *a.reasons,
            ["IAM via root: no identity policy of `user/Bob` is given"]
        );
        // The key's ARN is not known: a policy on a specific key ARN may be for it.
        let mut inv = one_key(
            &policy(&[ROOT_ALLOW]),
            vec![identity(
                &user("Alice"),
                IdentityKind::User,
                &[(
                    "specific",
                    r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234"}}"#,
                )],
            )],
        );
        inv.keys[0].arn = None;
        let a = ask(&inv, &user("Alice"), "k", "kms:Decrypt");
        assert_eq!(a.verdict, Verdict::Conditional);
        assert_eq!(
            *a.reasons,
            ["IAM via root: policy `specific` if it applies (a value is unresolved)"]
        );
        // An S3 resource never is a key.
        let mut inv = one_key(
            &policy(&[ROOT_ALLOW]),
            vec![identity(
                &user("Alice"),
                IdentityKind::User,
                &[(
                    "s3",
                    r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/*"}}"#,
                )],
            )],
        );
        inv.keys[0].arn = None;
        assert_eq!(
            ask(&inv, &user("Alice"), "k", "kms:Decrypt").verdict,
            Verdict::NotAllowed
        );
    }

    #[test]
    fn another_account_needs_the_key_policy_to_allow_it() {
        let other = "arn:aws:iam::444455556666:role/Reader";
        let allow_read = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}}"#;
        let inv = one_key(
            &policy(&[ROOT_ALLOW]),
            vec![identity(
                other,
                IdentityKind::Role,
                &[("reader", allow_read)],
            )],
        );
        let a = ask(&inv, other, "k", "kms:Decrypt");
        assert_eq!(a.verdict, Verdict::NotAllowed);
        assert_eq!(
            *a.reasons,
            [
                "the key policy does not allow the account 444455556666, which its identity policies need (policy `reader` would allow it)"
            ]
        );
        let cross = r#"{"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:Decrypt", "Resource": "*"}"#;
        let inv = one_key(
            &policy(&[ROOT_ALLOW, cross]),
            vec![identity(
                other,
                IdentityKind::Role,
                &[("reader", allow_read)],
            )],
        );
        let a = ask(&inv, other, "k", "kms:Decrypt");
        assert_eq!(a.verdict, Verdict::Allowed);
        assert_eq!(*a.reasons, ["IAM via root: policy `reader`"]);
    }

    #[test]
    fn a_service_name_in_a_role_path_is_no_service_principal() {
        let role = "arn:aws:iam::111122223333:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS";
        assert_eq!(Subject::new(role).short(), "role/AWSServiceRoleForECS");
        assert_eq!(
            Subject::new("logs.amazonaws.com").short(),
            "logs.amazonaws.com"
        );
    }

    #[test]
    fn actions_parse_with_or_without_the_prefix() {
        assert_eq!(parse_action("kms:Decrypt"), ActionSet::named("Decrypt"));
        assert_eq!(parse_action("decrypt"), ActionSet::named("Decrypt"));
        assert!(parse_action("kms:GenerateDataKey*").len() >= 4);
        assert!(parse_action("s3:GetObject").is_empty());
        assert!(parse_action("kms:Nothing").is_empty());
    }
}
