//! The policy model: the only place that knows KMS semantics (wildcards, case, the root
//! principal, partitions, conditions). Rules ask it questions; they never compare action or
//! principal strings themselves.

pub mod action;
pub mod catalog;
pub mod condition;
pub mod principal;
pub mod statement;

use std::collections::HashMap;

pub use action::{ActionPattern, ActionSet, Category, PatternKind};
pub use condition::{Condition, OpBase, Operator, Restriction, SetOp};
pub use principal::{Principal, PrincipalKind, PrincipalType};
pub use statement::{Effect, GrantGuard, Statement};

use crate::tree::{Member, Node, Span};

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

/// Facts about a policy that come from outside its text.
#[derive(Debug, Clone, Default)]
pub struct PolicyContext {
    /// The account given by `--account` or the configuration.
    pub account: Option<String>,
    /// Other accounts that are meant to have access (`--trusted-account`, config
    /// `trusted-accounts`): principals of these accounts are not cross-account findings.
    pub trusted_accounts: Vec<String>,
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
    pub own_account: OwnAccount,
    /// Accounts besides the own one that are meant to have access (from the context).
    pub trusted_accounts: Vec<String>,
}

impl<'a> Policy<'a> {
    pub fn new(root: &'a Node, text: &'a str, context: &PolicyContext) -> Self {
        let statement_member = root.get("Statement");
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
        let own_account = match &context.account {
            Some(a) => OwnAccount::Known(a.clone()),
            None => infer_own_account(&statements),
        };
        Policy {
            root,
            text,
            statement_member,
            statements,
            own_account,
            trusted_accounts: context.trusted_accounts.clone(),
        }
    }

    /// Where document-level findings point: the `Statement` key, else the opening `{`.
    pub fn anchor(&self) -> Span {
        match self.statement_member {
            Some(m) => m.key_span,
            None => Span::new(self.root.span.start, self.root.span.start + 1),
        }
    }

    /// Whether a principal entry is the key's own account root.
    pub fn is_root(&self, p: &Principal<'_>) -> Tri {
        match (&p.kind, &self.own_account) {
            (PrincipalKind::Account { account }, OwnAccount::Known(own)) => {
                if account == own {
                    Tri::Yes
                } else {
                    Tri::No
                }
            }
            (PrincipalKind::Account { .. }, OwnAccount::Unknown) | (PrincipalKind::Unknown, _) => {
                Tri::Maybe
            }
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
        match &self.own_account {
            OwnAccount::Unknown => Tri::Maybe,
            OwnAccount::Known(own) => {
                if account == own || self.trusted_accounts.iter().any(|t| t == account) {
                    Tri::No
                } else {
                    Tri::Yes
                }
            }
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

    /// Whether one principal entry covers `who`.
    fn entry_matches(&self, entry: &Principal<'_>, who: Who<'_, '_>) -> Tri {
        match (&entry.kind, who) {
            (PrincipalKind::Everyone, _) => Tri::Yes,
            (PrincipalKind::Unknown, _) => Tri::Maybe,
            (_, Who::Root) => self.is_root(entry),
            (_, Who::Entry(p)) => match (entry.identity(), p.identity()) {
                (Some(a), Some(b)) if a == b => Tri::Yes,
                _ => Tri::No,
            },
        }
    }

    /// The KMS actions explicitly denied to `who` by Deny statements without conditions.
    pub fn unconditionally_denied(&self, who: Who<'_, '_>) -> ActionSet {
        self.statements
            .iter()
            .filter(|st| st.is_deny() && !st.is_conditional())
            .filter(|st| self.applies_to(st, who) == Tri::Yes)
            .fold(ActionSet::EMPTY, |acc, st| acc.union(st.covered_actions()))
    }

    /// The KMS actions Allow statements certainly give `who` (with or without conditions).
    pub fn allowed(&self, who: Who<'_, '_>) -> ActionSet {
        self.statements
            .iter()
            .filter(|st| st.is_allow() && self.applies_to(st, who) == Tri::Yes)
            .fold(ActionSet::EMPTY, |acc, st| acc.union(st.covered_actions()))
    }

    /// Effective permissions: what Allow statements give `who`, minus unconditional Denies.
    pub fn effective(&self, who: Who<'_, '_>) -> ActionSet {
        self.allowed(who).minus(self.unconditionally_denied(who))
    }

    /// Effective permissions from the Allow statements that name `who` (see [`Policy::names`]:
    /// grants to `"*"` and through `NotPrincipal` do not count), minus unconditional Denies.
    pub fn effective_named(&self, who: Who<'_, '_>) -> ActionSet {
        self.statements
            .iter()
            .filter(|st| st.is_allow() && self.names(st, who) == Tri::Yes)
            .fold(ActionSet::EMPTY, |acc, st| acc.union(st.covered_actions()))
            .minus(self.unconditionally_denied(who))
    }

    /// Whether some Allow statement may give `who` any of `set` (unresolved principals count).
    pub fn may_be_allowed(&self, who: Who<'_, '_>, set: ActionSet) -> bool {
        self.statements.iter().any(|st| {
            st.is_allow()
                && st.covered_actions().intersects(set)
                && self.applies_to(st, who).possible()
        })
    }
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
    let mut counts: HashMap<&str, usize> = HashMap::new();
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
