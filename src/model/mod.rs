//! The policy model: the only place that knows KMS semantics (wildcards, case, the root
//! principal, partitions, conditions). Rules ask it questions; they never compare action or
//! principal strings themselves.

pub mod action;
pub mod catalog;
pub mod condition;
pub mod edit;
pub mod principal;
pub mod statement;

use rustc_hash::FxHashMap as HashMap;

pub use crate::tree::Dialect;
pub use action::{ActionPattern, ActionSet, Category, PatternKind};
pub use condition::{Condition, OpBase, Operator, Restriction, SetOp};
pub use principal::{Principal, PrincipalKind, PrincipalType};
pub use statement::{
    EFFECTS, EXCLUSIVE_ELEMENTS, Effect, GrantGuard, STATEMENT_ELEMENTS, Statement,
    resource_is_this_key,
};

use crate::tree::{Member, Node, Span};

/// The elements a policy document may have (names are case-sensitive).
pub const POLICY_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];

/// The policy language versions AWS accepts; without `Version` a policy is `2008-10-17`.
pub const VERSIONS: &[&str] = &["2012-10-17", "2008-10-17"];

/// A three-valued answer: unresolved values make some questions unanswerable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tri {
    No,
    Maybe,
    Yes,
}

impl Tri {
    pub fn or(self, other: Tri) -> Tri {
        self.max(other)
    }

    /// Yes or Maybe.
    pub fn possible(self) -> bool {
        self != Tri::No
    }
}

/// The key's own account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnAccount {
    Known(String),
    Unknown,
}

/// The placeholder help texts use for an account id kmslint does not know.
pub const ACCOUNT_PLACEHOLDER: &str = "ACCOUNT_ID";

impl OwnAccount {
    /// The account id when it is a literal one, else [`ACCOUNT_PLACEHOLDER`].
    pub fn or_placeholder(&self) -> &str {
        match self {
            OwnAccount::Known(a) if principal::is_account_id(a) => a,
            _ => ACCOUNT_PLACEHOLDER,
        }
    }
}

impl Dialect {
    /// The key's own account where a value is written (a condition value, an ARN's account).
    pub fn account(self, own: &OwnAccount) -> String {
        match self {
            Dialect::Json => own.or_placeholder().to_string(),
            Dialect::CfnJson | Dialect::CfnYaml | Dialect::CfnSub => "${AWS::AccountId}".into(),
            Dialect::TfObject | Dialect::TfDocument | Dialect::TfString => {
                "${data.aws_caller_identity.current.account_id}".into()
            }
        }
    }

    /// A string value as this dialect writes it, where it may hold `${…}` template parts
    /// (CloudFormation needs `Fn::Sub` for them).
    fn string(self, text: &str) -> String {
        match self {
            Dialect::CfnJson if text.contains("${") => ["{\"Fn::Sub\": \"", text, "\"}"].concat(),
            Dialect::CfnYaml if text.contains("${") => ["!Sub \"", text, "\""].concat(),
            _ => ["\"", text, "\""].concat(),
        }
    }

    /// The account root's ARN, written as a value of this dialect.
    pub fn root_arn(self, own: &OwnAccount) -> String {
        let partition = match self {
            Dialect::CfnJson | Dialect::CfnYaml | Dialect::CfnSub => "${AWS::Partition}",
            _ => "aws",
        };
        let arn = format!("arn:{partition}:iam::{}:root", self.account(own));
        match self {
            Dialect::CfnJson | Dialect::CfnYaml => self.string(&arn),
            _ => arn,
        }
    }

    /// A condition `{op: {key: value}}` as this dialect writes it in a statement.
    pub fn condition(self, op: &str, key: &str, value: &str) -> String {
        // Joined rather than formatted: help texts are written for every finding.
        let value = self.string(value);
        let value = value.as_str();
        match self {
            Dialect::Json | Dialect::CfnJson | Dialect::CfnSub | Dialect::TfString => [
                "\"Condition\": {\"",
                op,
                "\": {\"",
                key,
                "\": ",
                value,
                "}}",
            ]
            .concat(),
            Dialect::CfnYaml => ["Condition: {", op, ": {", key, ": ", value, "}}"].concat(),
            Dialect::TfObject => {
                ["Condition = { ", op, " = { \"", key, "\" = ", value, " } }"].concat()
            }
            Dialect::TfDocument => [
                "condition { test = \"",
                op,
                "\", variable = \"",
                key,
                "\", values = [",
                value,
                "] }",
            ]
            .concat(),
        }
    }

    /// The condition requiring the caller's account to be the own account.
    pub fn own_account_condition(self, op: &str, key: &str, own: &OwnAccount) -> String {
        self.condition(op, key, &self.account(own))
    }
}

/// Facts about a policy that come from outside its text.
#[derive(Debug, Clone, Default)]
pub struct PolicyContext {
    /// The account given by `--account` or the configuration.
    pub account: Option<String>,
    /// Other accounts that are meant to have access (`--trusted-account`, config
    /// `trusted-accounts`): principals of these accounts are not cross-account findings.
    pub trusted_accounts: TrustedAccounts,
}

/// Accounts meant to have access, shared by every policy of a run (a configuration may list
/// many thousands: looking one up costs the same whatever the count).
#[derive(Debug, Clone, Default)]
pub struct TrustedAccounts(std::sync::Arc<std::collections::HashSet<String>>);

impl TrustedAccounts {
    pub fn contains(&self, account: &str) -> bool {
        self.0.contains(account)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The accounts, sorted.
    pub fn sorted(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.0.iter().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// These accounts and `more` (repeats are one).
    pub fn with(&self, more: impl IntoIterator<Item = String>) -> TrustedAccounts {
        let mut set = (*self.0).clone();
        set.extend(more);
        TrustedAccounts(std::sync::Arc::new(set))
    }
}

impl FromIterator<String> for TrustedAccounts {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Self {
        TrustedAccounts(std::sync::Arc::new(iter.into_iter().collect()))
    }
}

/// Who a question is about.
#[derive(Debug, Clone, Copy)]
pub enum Who<'p, 'a> {
    /// The key's own account root.
    Root,
    /// The principal an entry names.
    Entry(&'p Principal<'a>),
}

/// A key policy document, read into statements.
#[derive(Debug)]
pub struct Policy<'a> {
    pub root: &'a Node,
    /// The policy's own text (the spans of `root` index into it).
    pub text: &'a str,
    /// The `Statement` member, when there is one.
    pub statement_member: Option<&'a Member>,
    pub statements: Vec<Statement<'a>>,
    /// Statements a template computes: the `Statement` value or entries of it are
    /// unresolved, or a template adds members to the document. Any statement may be there.
    pub open: bool,
    pub own_account: OwnAccount,
    /// Accounts besides the own one that are meant to have access (from the context).
    pub trusted_accounts: TrustedAccounts,
    /// How the policy is written (for help texts).
    pub dialect: Dialect,
    index: PrincipalIndex,
}

/// Which statements can concern a principal, so per-principal questions do not scan every
/// statement (a policy may have thousands), and what the statements for everyone give and take
/// away, computed once.
#[derive(Debug, Default)]
struct PrincipalIndex {
    /// Statements that list an identity in `Principal`, by identity.
    by_identity: HashMap<Box<str>, Vec<usize>>,
    /// Statements that list an account (candidates for the root).
    accounts: Vec<usize>,
    /// Statements whose `Principal` certainly includes `"*"`: they concern everyone alike.
    everyone: Vec<usize>,
    /// Statements that may concern anyone in a way that depends on who it is: unresolved
    /// entries, `NotPrincipal`, a `"*"` that may be absent.
    general: Vec<usize>,
    /// What the Allow statements for everyone may give (and whether some have unresolved
    /// actions), and what the unconditional Denies for everyone certainly take away.
    everyone_allowed: ActionSet,
    everyone_open: bool,
    everyone_denied: ActionSet,
}

impl PrincipalIndex {
    fn new(statements: &[Statement<'_>]) -> Self {
        let mut index = PrincipalIndex::default();
        for (i, st) in statements.iter().enumerate() {
            let Some(principals) = &st.principals else {
                continue;
            };
            let everyone = !principals.not
                && principals
                    .entries
                    .iter()
                    .any(|e| e.kind == PrincipalKind::Everyone && !e.node.maybe);
            let general = !everyone
                && (principals.not
                    || principals.entries.iter().any(|e| {
                        matches!(e.kind, PrincipalKind::Everyone | PrincipalKind::Unknown)
                    }));
            if everyone {
                index.everyone.push(i);
                if st.is_allow() {
                    index.everyone_allowed = index.everyone_allowed.union(st.covered_actions());
                    index.everyone_open |= st.has_open_actions();
                } else if st.is_deny() && !st.is_conditional() {
                    index.everyone_denied = index.everyone_denied.union(st.certainly_covered());
                }
            }
            if general {
                index.general.push(i);
                continue;
            }
            if principals
                .entries
                .iter()
                .any(|e| matches!(e.kind, PrincipalKind::Account { .. }))
            {
                index.accounts.push(i);
            }
            for e in &principals.entries {
                if let Some(id) = e.identity() {
                    let list = index.by_identity.entry(id.into()).or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
        index
    }

    /// The statements that can concern `who` other than those for everyone, in order.
    fn candidates(&self, who: Who<'_, '_>) -> Ascending<'_> {
        let specific: &[usize] = match who {
            Who::Root => &self.accounts,
            Who::Entry(p) => p
                .identity()
                .and_then(|id| self.by_identity.get(id))
                .map_or(&[], Vec::as_slice),
        };
        Ascending(specific, &self.general)
    }
}

/// The indices of two ascending lists, merged in ascending order, each once.
struct Ascending<'s>(&'s [usize], &'s [usize]);

impl Iterator for Ascending<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let (a, b) = (self.0.first().copied(), self.1.first().copied());
        let next = match (a, b) {
            (Some(x), Some(y)) => x.min(y),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => return None,
        };
        if a == Some(next) {
            self.0 = &self.0[1..];
        }
        if b == Some(next) {
            self.1 = &self.1[1..];
        }
        Some(next)
    }
}

impl<'a> Policy<'a> {
    pub fn new(root: &'a Node, text: &'a str, context: &PolicyContext) -> Self {
        // A repeated `Statement` counts with its last value, as AWS reads it.
        let statement_member = root.members().iter().rev().find(|m| m.key == "Statement");
        let open = statement_member.is_some_and(|m| {
            m.value.is_unknown() || m.value.one_or_many().iter().any(Node::is_unknown)
        }) || root.members().iter().any(|m| m.key.starts_with("${"));
        let statements: Vec<Statement<'a>> = statement_member
            .map(|m| {
                m.value
                    .one_or_many()
                    .iter()
                    .filter(|n| n.is_object())
                    .enumerate()
                    .map(|(i, n)| Statement::new(n, i))
                    .collect()
            })
            .unwrap_or_default();
        // A statement AWS rejects the shape of says nothing about what the policy allows.
        let open = open || statements.iter().any(|st| st.malformed);
        let own_account = match &context.account {
            Some(a) => OwnAccount::Known(a.clone()),
            None => infer_own_account(&statements),
        };
        Policy {
            root,
            text,
            statement_member,
            open,
            index: PrincipalIndex::new(&statements),
            statements,
            own_account,
            trusted_accounts: context.trusted_accounts.clone(),
            dialect: Dialect::Json,
        }
    }

    /// The account root's ARN as the policy's language writes it, for help texts.
    pub fn root_arn_example(&self) -> String {
        self.dialect.root_arn(&self.own_account)
    }

    /// A condition as the policy's language writes it, for help texts.
    pub fn condition_example(&self, op: &str, key: &str, value: &str) -> String {
        self.dialect.condition(op, key, value)
    }

    /// A condition limiting `key` to the key's own account, for help texts.
    pub fn own_account_condition(&self, op: &str, key: &str) -> String {
        self.dialect
            .own_account_condition(op, key, &self.own_account)
    }

    /// Where document-level findings point: the `Statement` key, else the opening `{`.
    pub fn anchor(&self) -> Span {
        match self.statement_member {
            Some(m) => m.key_span,
            None => Span::new(self.root.span.start, self.root.span.start + 1),
        }
    }

    /// The `Version` member, when there is one.
    pub fn version_member(&self) -> Option<&'a Member> {
        self.root.get("Version")
    }

    /// The policy's size written as minified JSON, in bytes, and whether unresolved values
    /// make that a lower bound.
    pub fn minified_size(&self) -> (u64, bool) {
        self.root.minified_len()
    }

    /// Whether `account` is the key's own account. The symbolic current account of a
    /// template (`${AWS::AccountId}`) always is: the template deploys the key there.
    pub fn is_own_account(&self, account: &str) -> Tri {
        if account == principal::CURRENT_ACCOUNT {
            return Tri::Yes;
        }
        match &self.own_account {
            OwnAccount::Known(own) if own == account => Tri::Yes,
            // A symbolic own account with a literal account, or a template value for either:
            // which account it is is known only when deployed.
            OwnAccount::Known(own)
                if own == principal::CURRENT_ACCOUNT
                    || principal::is_symbolic_account(own)
                    || principal::is_symbolic_account(account) =>
            {
                Tri::Maybe
            }
            OwnAccount::Known(_) => Tri::No,
            OwnAccount::Unknown => Tri::Maybe,
        }
    }

    /// Whether a principal entry is the key's own account root.
    pub fn is_root(&self, p: &Principal<'_>) -> Tri {
        match &p.kind {
            PrincipalKind::Account { account } => self.is_own_account(account),
            PrincipalKind::Unknown => Tri::Maybe,
            _ => Tri::No,
        }
    }

    /// Whether a principal entry belongs to an account other than the key's own account and
    /// the trusted accounts. `Maybe` when the own account is unknown or the entry unresolved;
    /// `No` for entries that name no account (`*`, services, unique ids).
    pub fn is_other_account(&self, p: &Principal<'_>) -> Tri {
        if p.kind == PrincipalKind::Unknown {
            return Tri::Maybe;
        }
        let Some(account) = p.account() else {
            return Tri::No;
        };
        if self.trusted_accounts.contains(account) {
            return Tri::No;
        }
        match self.is_own_account(account) {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Maybe => Tri::Maybe,
        }
    }

    /// Whether a statement's `Principal`/`NotPrincipal` covers `who`.
    pub fn applies_to(&self, st: &Statement<'_>, who: Who<'_, '_>) -> Tri {
        let Some(principals) = &st.principals else {
            return Tri::No;
        };
        let listed = principals
            .entries
            .iter()
            .fold(Tri::No, |acc, entry| acc.or(self.entry_matches(entry, who)));
        if principals.not {
            match listed {
                Tri::Yes => Tri::No,
                Tri::Maybe => Tri::Maybe,
                Tri::No => Tri::Yes,
            }
        } else {
            listed
        }
    }

    /// Whether a statement's `Principal` names `who` itself: like [`Policy::applies_to`], but
    /// a `"*"` entry or a `NotPrincipal` list names nobody in particular.
    pub fn names(&self, st: &Statement<'_>, who: Who<'_, '_>) -> Tri {
        let Some(principals) = st.principals.as_ref().filter(|p| !p.not) else {
            return Tri::No;
        };
        principals
            .entries
            .iter()
            .filter(|entry| entry.kind != PrincipalKind::Everyone)
            .fold(Tri::No, |acc, entry| acc.or(self.entry_matches(entry, who)))
    }

    /// Whether one principal entry covers `who`. An entry that may be absent covers at most
    /// maybe.
    fn entry_matches(&self, entry: &Principal<'_>, who: Who<'_, '_>) -> Tri {
        let matches = match (&entry.kind, who) {
            (PrincipalKind::Everyone, _) => Tri::Yes,
            (PrincipalKind::Unknown, _) => Tri::Maybe,
            (_, Who::Root) => self.is_root(entry),
            (_, Who::Entry(p)) => match (entry.identity(), p.identity()) {
                (Some(a), Some(b)) if a == b => Tri::Yes,
                _ => Tri::No,
            },
        };
        if entry.node.maybe {
            matches.min(Tri::Maybe)
        } else {
            matches
        }
    }

    /// The statements that can concern `who`, besides those for everyone (whose effect the
    /// index holds): every other statement certainly does not.
    fn concerning(&self, who: Who<'_, '_>) -> impl Iterator<Item = &Statement<'a>> {
        self.index
            .candidates(who)
            .filter_map(|i| self.statements.get(i))
    }

    /// The KMS actions certainly denied to `who` by Deny statements without conditions (a
    /// Deny that may be absent denies nothing for certain).
    pub fn unconditionally_denied(&self, who: Who<'_, '_>) -> ActionSet {
        self.concerning(who)
            .filter(|st| st.is_deny() && !st.is_conditional())
            .filter(|st| self.applies_to(st, who) == Tri::Yes)
            .fold(self.index.everyone_denied, |acc, st| {
                acc.union(st.certainly_covered())
            })
    }

    /// The KMS actions Allow statements give `who` (with or without conditions), counting
    /// entries and statements that may be absent: what `who` may be given.
    pub fn allowed(&self, who: Who<'_, '_>) -> ActionSet {
        self.concerning(who)
            .filter(|st| st.is_allow() && self.applies_to(st, who) == Tri::Yes)
            .fold(self.index.everyone_allowed, |acc, st| {
                acc.union(st.covered_actions())
            })
    }

    /// Whether what `who` may be given is not all known: a statement that concerns `who`
    /// (possibly) has unresolved actions, or the policy has statements a template computes.
    pub fn allowed_is_open(&self, who: Who<'_, '_>) -> bool {
        self.open
            || self.index.everyone_open
            || self.concerning(who).any(|st| {
                st.is_allow() && st.has_open_actions() && self.applies_to(st, who).possible()
            })
    }

    /// The own account a statement's conditions pin its callers to (`aws:PrincipalAccount` or
    /// `kms:CallerAccount` with values that are all the key's own account), for messages:
    /// `account 111122223333`, or `the key's own account` when it is a template value.
    pub fn pinned_to_own_account(&self, st: &Statement<'_>) -> Option<String> {
        st.conditions
            .iter()
            .filter(|c| c.key_is("aws:PrincipalAccount") || c.key_is("kms:CallerAccount"))
            .filter(|c| c.restriction() == Restriction::Specific)
            .find_map(|c| {
                let values: Vec<&str> = c.values().iter().filter_map(Node::as_str).collect();
                let own = !values.is_empty()
                    && values.len() == c.values().len()
                    && values
                        .iter()
                        .all(|v| self.is_own_account(&principal::normalize_symbols(v)) == Tri::Yes);
                own.then(|| {
                    if values.iter().all(|v| principal::is_account_id(v)) {
                        format!("account {}", values.join(", "))
                    } else {
                        "the key's own account".to_string()
                    }
                })
            })
    }

    /// Effective permissions: what Allow statements give `who`, minus unconditional Denies.
    pub fn effective(&self, who: Who<'_, '_>) -> ActionSet {
        self.allowed(who).minus(self.unconditionally_denied(who))
    }

    /// Effective permissions from the Allow statements that name `who` (see [`Policy::names`]:
    /// grants to `"*"` and through `NotPrincipal` do not count), minus unconditional Denies.
    pub fn effective_named(&self, who: Who<'_, '_>) -> ActionSet {
        self.concerning(who)
            .filter(|st| st.is_allow() && self.names(st, who) == Tri::Yes)
            .fold(ActionSet::EMPTY, |acc, st| acc.union(st.covered_actions()))
            .minus(self.unconditionally_denied(who))
    }

    /// Whether some Allow statement may give `who` any of `set`: unresolved principals and
    /// actions, parts that may be present and statements a template computes all count.
    pub fn may_be_allowed(&self, who: Who<'_, '_>, set: ActionSet) -> bool {
        self.open
            || self
                .concerning(who)
                .any(|st| st.is_allow() && st.may_cover(set) && self.applies_to(st, who).possible())
    }
}

/// The key policy size limit in bytes (KMS returns `LimitExceededException` above it).
pub const KEY_POLICY_MAX_BYTES: u64 = 32_768;

/// Whether KMS accepts a character in a key policy document: printable ASCII (U+0020 to
/// U+007E), printable Latin-1 (U+00A1 to U+00FF), tab, line feed and carriage return.
/// The no-break space U+00A0 is not among them.
pub fn is_allowed_policy_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{a1}'..='\u{ff}')
}

/// RULES.md §1: the own account is the one account of the root principals in Allow
/// statements, else the most frequent account among all principal ARNs, else unknown.
fn infer_own_account(statements: &[Statement<'_>]) -> OwnAccount {
    let mut roots: Vec<&str> = statements
        .iter()
        .filter(|s| s.is_allow() && !s.has_not_principal())
        .flat_map(|s| s.principal_entries())
        .filter_map(|p| match &p.kind {
            PrincipalKind::Account { account } => Some(account.as_str()),
            _ => None,
        })
        .collect();
    roots.sort_unstable();
    roots.dedup();
    if let [one] = roots[..] {
        return OwnAccount::Known(one.to_string());
    }
    let mut counts: HashMap<&str, usize> = HashMap::default();
    for p in statements.iter().flat_map(|s| s.principal_entries()) {
        if let Some(a) = p.account() {
            *counts.entry(a).or_default() += 1;
        }
    }
    let Some(&max) = counts.values().max() else {
        return OwnAccount::Unknown;
    };
    let winners: Vec<&&str> = counts
        .iter()
        .filter(|&(_, &n)| n == max)
        .map(|(a, _)| a)
        .collect();
    match winners[..] {
        [one] => OwnAccount::Known(one.to_string()),
        _ => OwnAccount::Unknown,
    }
}

/// Levenshtein distance, for "did you mean" suggestions over short names.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `name` (case-insensitive), when it is close enough to suggest.
pub fn nearest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| (*d > 0 || *c != name) && *d <= 3.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::json::parse;

    #[test]
    fn candidates_merge_in_order_once() {
        let merged: Vec<usize> = Ascending(&[0, 2, 5, 9], &[1, 2, 6]).collect();
        assert_eq!(merged, [0, 1, 2, 5, 6, 9]);
        assert_eq!(Ascending(&[], &[3]).collect::<Vec<_>>(), [3]);
        assert_eq!(Ascending(&[4], &[]).collect::<Vec<_>>(), [4]);
    }

    fn policy_with(statements: &str) -> Node {
        parse(&format!(
            r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#
        ))
        .unwrap()
    }

    fn allow(principal: &str, action: &str) -> String {
        format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": {principal}}}, "Action": "{action}", "Resource": "*"}}"#
        )
    }

    #[test]
    fn own_account_from_the_one_root_in_allow_statements() {
        let root = policy_with(
            &[
                allow(r#""arn:aws:iam::111122223333:root""#, "kms:*"),
                allow(
                    r#"["arn:aws:iam::444455556666:role/A", "arn:aws:iam::444455556666:role/B"]"#,
                    "kms:Decrypt",
                ),
            ]
            .join(","),
        );
        let p = Policy::new(&root, "", &PolicyContext::default());
        assert_eq!(p.own_account, OwnAccount::Known("111122223333".into()));
    }

    #[test]
    fn own_account_from_the_most_frequent_account_or_unknown_on_a_tie() {
        let root = policy_with(
            &[
                allow(
                    r#"["arn:aws:iam::111122223333:role/A", "arn:aws:iam::111122223333:role/B"]"#,
                    "kms:Decrypt",
                ),
                allow(r#""arn:aws:iam::444455556666:role/C""#, "kms:Decrypt"),
            ]
            .join(","),
        );
        let p = Policy::new(&root, "", &PolicyContext::default());
        assert_eq!(p.own_account, OwnAccount::Known("111122223333".into()));

        let tie = policy_with(
            &[
                allow(r#""111122223333""#, "kms:*"),
                allow(r#""444455556666""#, "kms:*"),
            ]
            .join(","),
        );
        let p = Policy::new(&tie, "", &PolicyContext::default());
        assert_eq!(p.own_account, OwnAccount::Unknown);
        // With the own account unknown, an account principal may or may not be the root.
        let entry = &p.statements[0].principal_entries()[0];
        assert_eq!(p.is_root(entry), Tri::Maybe);

        let given = PolicyContext {
            account: Some("444455556666".into()),
            ..PolicyContext::default()
        };
        let p = Policy::new(&tie, "", &given);
        assert_eq!(p.is_root(&p.statements[0].principal_entries()[0]), Tri::No);
        assert_eq!(p.is_root(&p.statements[1].principal_entries()[0]), Tri::Yes);
    }

    #[test]
    fn effective_permissions_subtract_unconditional_denies_only() {
        let root = policy_with(&[
            allow(r#""arn:aws:iam::111122223333:role/A""#, "kms:*"),
            r#"{"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}"#.to_string(),
            r#"{"Effect": "Deny", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#.to_string(),
        ].join(","));
        let p = Policy::new(&root, "", &PolicyContext::default());
        let a = &p.statements[0].principal_entries()[0];
        let eff = p.effective(Who::Entry(a));
        assert!(!eff.contains_all(ActionSet::named("Decrypt")));
        assert!(eff.contains_all(ActionSet::named("Encrypt")));
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            nearest("Principals", ["Principal", "Action"]),
            Some("Principal")
        );
        assert_eq!(
            nearest("principal", ["Principal", "Action"]),
            Some("Principal")
        );
        assert_eq!(nearest("zzzzzzzz", ["Principal", "Action"]), None);
    }
}
