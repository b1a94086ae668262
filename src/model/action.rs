//! Actions: the catalog entries, sets of actions, and wildcard patterns expanded against them.

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::sync::LazyLock;

use super::catalog::ACTIONS;
use super::{edit_distance, nearest};
use crate::tree::Node;

/// What an action does to the key, from the reference catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Use,
    Read,
    Grant,
    Policy,
    Manage,
    Destroy,
    KeyStore,
    Account,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Use => "use",
            Category::Read => "read",
            Category::Grant => "grant",
            Category::Policy => "policy",
            Category::Manage => "manage",
            Category::Destroy => "destroy",
            Category::KeyStore => "keystore",
            Category::Account => "account",
        }
    }
}

/// Whether a key policy can control an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyScope {
    /// Controlled by the key policy.
    Key,
    /// Only meaningful in an IAM policy: no particular key is involved.
    Iam,
    /// Needs permission on the key and on another resource (an alias).
    Both,
}

/// One KMS action of the catalog.
#[derive(Debug, Clone, Copy)]
pub struct ActionInfo {
    pub name: &'static str,
    pub access_level: &'static str,
    pub scope: PolicyScope,
    pub category: Category,
}

impl ActionInfo {
    /// `kms:Name`.
    pub fn qualified(&self) -> String {
        ["kms:", self.name].concat()
    }
}

const _: () = assert!(ACTIONS.len() <= 64, "ActionSet is a 64-bit set");

/// A set of KMS actions (bit `i` is `ACTIONS[i]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct ActionSet(u64);

/// Lower-cased `kms:name` of every catalog action, for matching.
static LOWER_NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    ACTIONS
        .iter()
        .map(|a| format!("kms:{}", a.name.to_ascii_lowercase()))
        .collect()
});

impl ActionSet {
    pub const EMPTY: ActionSet = ActionSet(0);

    /// Every action in the catalog.
    pub const fn all() -> ActionSet {
        ActionSet(if ACTIONS.len() == 64 {
            u64::MAX
        } else {
            (1u64 << ACTIONS.len()) - 1
        })
    }

    /// The actions matching a predicate on their catalog entry.
    pub fn filter(pred: impl Fn(&ActionInfo) -> bool) -> ActionSet {
        let mut bits = 0;
        for (i, a) in ACTIONS.iter().enumerate() {
            if pred(a) {
                bits |= 1 << i;
            }
        }
        ActionSet(bits)
    }

    /// The actions a key policy controls (scope `key` or `both`).
    pub const fn key_policy_actions() -> ActionSet {
        let mut bits = 0;
        let mut i = 0;
        while i < ACTIONS.len() {
            if !matches!(ACTIONS[i].scope, PolicyScope::Iam) {
                bits |= 1 << i;
            }
            i += 1;
        }
        ActionSet(bits)
    }

    /// The actions of one category.
    pub const fn category(c: Category) -> ActionSet {
        let mut bits = 0;
        let mut i = 0;
        while i < ACTIONS.len() {
            if ACTIONS[i].category as u8 == c as u8 {
                bits |= 1 << i;
            }
            i += 1;
        }
        ActionSet(bits)
    }

    /// One action by exact catalog name (`"CreateGrant"`). A `const fn`: rules name their
    /// actions in constants, so a name not in the catalog fails the build.
    pub const fn named(name: &str) -> ActionSet {
        let mut i = 0;
        while i < ACTIONS.len() {
            if same_bytes(ACTIONS[i].name, name) {
                return ActionSet(1 << i);
            }
            i += 1;
        }
        panic!("an action name is not in the action catalog")
    }

    pub const fn union(self, o: ActionSet) -> ActionSet {
        ActionSet(self.0 | o.0)
    }

    pub const fn intersect(self, o: ActionSet) -> ActionSet {
        ActionSet(self.0 & o.0)
    }

    pub const fn minus(self, o: ActionSet) -> ActionSet {
        ActionSet(self.0 & !o.0)
    }

    pub const fn complement(self) -> ActionSet {
        ActionSet::all().minus(self)
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub const fn contains_all(self, o: ActionSet) -> bool {
        o.0 & !self.0 == 0
    }

    pub const fn intersects(self, o: ActionSet) -> bool {
        self.0 & o.0 != 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The catalog entries in the set, in catalog order.
    pub fn iter(self) -> impl Iterator<Item = &'static ActionInfo> {
        ACTIONS
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, a)| a)
    }

    /// Each action of the set alone, with its catalog entry, in catalog order.
    pub fn singles(self) -> impl Iterator<Item = (&'static ActionInfo, ActionSet)> {
        ACTIONS
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(i, a)| (a, ActionSet(1 << i)))
    }

    /// `kms:A`, `kms:B` and `kms:C`, for messages.
    pub fn describe(self) -> String {
        let n = self.len();
        if n == 0 {
            return "no action".to_string();
        }
        let mut out = String::with_capacity(n * 24);
        for (i, a) in self.iter().enumerate() {
            match i {
                0 => {}
                i if i + 1 == n => out.push_str(" and "),
                _ => out.push_str(", "),
            }
            out.push_str("`kms:");
            out.push_str(a.name);
            out.push('`');
        }
        out
    }
}

/// Whether two strings are the same bytes, in a `const fn`.
const fn same_bytes(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Match `text` against a glob `pattern` where `*` is any run and `?` one character.
/// Both must already be lower case. Runs in O(len(text) * len(pattern)) at worst, with no
/// backtracking blow-up: each `*`-separated segment is matched at its leftmost position.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        glob_units(pattern.as_bytes(), text.as_bytes(), b'*', b'?')
    } else {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        glob_units(&p, &t, '*', '?')
    }
}

fn glob_units<T: PartialEq + Copy>(p: &[T], t: &[T], star: T, one: T) -> bool {
    let seg_match = |seg: &[T], at: usize| {
        at + seg.len() <= t.len()
            && seg
                .iter()
                .zip(&t[at..at + seg.len()])
                .all(|(a, b)| *a == one || a == b)
    };
    let mut segments = p.split(|&c| c == star);
    let first = segments.next().unwrap_or_default();
    let Some(last) = p.iter().rposition(|&c| c == star).map(|i| &p[i + 1..]) else {
        return p.len() == t.len() && seg_match(p, 0);
    };
    if first.len() + last.len() > t.len() || !seg_match(first, 0) {
        return false;
    }
    let tail_start = t.len() - last.len();
    if !seg_match(last, tail_start) {
        return false;
    }
    let mut pos = first.len();
    // The middle segments: every one but the first and the last.
    let middle_count = p.iter().filter(|&&c| c == star).count().saturating_sub(1);
    for seg in segments.take(middle_count) {
        if seg.is_empty() {
            continue;
        }
        if pos + seg.len() > tail_start {
            return false;
        }
        match (pos..=tail_start - seg.len()).find(|&at| seg_match(seg, at)) {
            Some(at) => pos = at + seg.len(),
            None => return false,
        }
    }
    true
}

/// What one entry of `Action`/`NotAction` means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternKind {
    /// A bare `*`: every action of every service.
    Everything,
    /// A `kms:` action or pattern (`wildcard` when it has `*` or `?`), with what it matches.
    Kms { matches: ActionSet, wildcard: bool },
    /// An action of another service (`s3:GetObject`).
    OtherService { service: String },
    /// No `service:` prefix and not a bare `*`.
    NoPrefix,
    /// Not a string, or an unresolved value.
    NotAString,
}

/// One `Action`/`NotAction` entry and its expansion.
#[derive(Debug, Clone)]
pub struct ActionPattern<'a> {
    pub node: &'a Node,
    pub kind: PatternKind,
}

impl<'a> ActionPattern<'a> {
    pub fn new(node: &'a Node) -> Self {
        let kind = match node.as_str() {
            None => PatternKind::NotAString,
            Some(text) => classify(text),
        };
        ActionPattern { node, kind }
    }

    /// The pattern's text, if it is a string.
    pub fn text(&self) -> Option<&'a str> {
        self.node.as_str()
    }

    /// The KMS actions this entry matches.
    pub fn matches(&self) -> ActionSet {
        match self.kind {
            PatternKind::Everything => ActionSet::all(),
            PatternKind::Kms { matches, .. } => matches,
            _ => ActionSet::EMPTY,
        }
    }

    pub fn is_wildcard(&self) -> bool {
        matches!(
            self.kind,
            PatternKind::Everything | PatternKind::Kms { wildcard: true, .. }
        )
    }
}

/// The action a pattern that matches no KMS action most likely meant, for "did you mean"
/// help: `kms:Encypt`, `Encrypt` and `ksm:Encrypt` all give `kms:Encrypt`; an unprefixed
/// `Create*` gives `kms:Create*`. `None` when nothing is close.
pub fn suggest_action(text: &str) -> Option<String> {
    let names = || ACTIONS.iter().map(|a| a.name);
    let exact = |name: &str| {
        ACTIONS
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .map(ActionInfo::qualified)
    };
    match text.split_once(':') {
        None => {
            let prefixed = format!("kms:{text}");
            match classify(&prefixed) {
                PatternKind::Kms { matches, wildcard } if !matches.is_empty() => {
                    if wildcard {
                        Some(prefixed)
                    } else {
                        exact(text)
                    }
                }
                _ => nearest(text, names()).map(|n| format!("kms:{n}")),
            }
        }
        Some((service, name)) => match classify(text) {
            PatternKind::Kms {
                wildcard: false, ..
            } => nearest(name, names()).map(|n| format!("kms:{n}")),
            // Another service's prefix on a KMS action name: a typo of `kms` (`ksm:`, `km:`).
            PatternKind::OtherService { .. }
                if edit_distance(&service.to_ascii_lowercase(), "kms") <= 2 =>
            {
                exact(name)
            }
            _ => None,
        },
    }
}

/// The catalog actions a lower-cased `kms:` pattern matches. Exact names are a table lookup;
/// wildcard patterns repeat across the files of a repository, so each thread keeps the
/// expansions it has computed (bounded, so hostile input cannot grow it without limit).
fn expand(lower: &str, wildcard: bool) -> ActionSet {
    static BY_NAME: LazyLock<HashMap<&'static str, usize>> = LazyLock::new(|| {
        LOWER_NAMES
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect()
    });
    thread_local! {
        static CACHE: RefCell<HashMap<String, ActionSet>> = RefCell::new(HashMap::default());
    }
    const CACHE_LIMIT: usize = 4096;
    if !wildcard {
        return BY_NAME
            .get(lower)
            .map_or(ActionSet::EMPTY, |&i| ActionSet(1 << i));
    }
    if let Some(hit) = CACHE.with(|c| c.borrow().get(lower).copied()) {
        return hit;
    }
    let mut bits = 0u64;
    for (i, name) in LOWER_NAMES.iter().enumerate() {
        if glob_match(lower, name) {
            bits |= 1 << i;
        }
    }
    let set = ActionSet(bits);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_LIMIT {
            c.clear();
        }
        c.insert(lower.to_string(), set);
    });
    set
}

fn classify(text: &str) -> PatternKind {
    // Policies name the same few actions again and again: remember what each text written
    // exactly so matches, and skip lower-casing and looking it up.
    thread_local! {
        static KMS: RefCell<HashMap<Box<str>, (ActionSet, bool)>> =
            RefCell::new(HashMap::default());
    }
    const KMS_LIMIT: usize = 4096;
    if let Some((matches, wildcard)) = KMS.with(|c| c.borrow().get(text).copied()) {
        return PatternKind::Kms { matches, wildcard };
    }
    let kind = classify_text(text);
    if let PatternKind::Kms { matches, wildcard } = kind {
        KMS.with(|c| {
            let mut c = c.borrow_mut();
            if c.len() >= KMS_LIMIT {
                c.clear();
            }
            c.insert(text.into(), (matches, wildcard));
        });
    }
    kind
}

fn classify_text(text: &str) -> PatternKind {
    if text == "*" {
        return PatternKind::Everything;
    }
    // Lower-cased on the stack: actions are short, and there are many of them.
    let mut buf = [0u8; 96];
    let owned;
    let lower: &str = match buf.get_mut(..text.len()) {
        Some(dst) => {
            dst.copy_from_slice(text.as_bytes());
            dst.make_ascii_lowercase();
            // Only ASCII letters changed: still the UTF-8 text was.
            std::str::from_utf8(dst).unwrap_or(text)
        }
        None => {
            owned = text.to_ascii_lowercase();
            &owned
        }
    };
    let Some(colon) = memchr::memchr(b':', lower.as_bytes()) else {
        return PatternKind::NoPrefix;
    };
    let service = &lower[..colon];
    let wildcard = lower.bytes().any(|b| b == b'*' || b == b'?');
    if service == "kms"
        || (service.bytes().any(|b| b == b'*' || b == b'?') && glob_match(service, "kms"))
    {
        PatternKind::Kms {
            matches: expand(lower, wildcard),
            wildcard,
        }
    } else {
        PatternKind::OtherService {
            service: text.split(':').next().unwrap_or_default().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_basics() {
        assert!(glob_match("kms:*", "kms:encrypt"));
        assert!(glob_match("kms:*grant", "kms:creategrant"));
        assert!(glob_match("kms:create?rant", "kms:creategrant"));
        assert!(!glob_match("kms:create?rant", "kms:createrant"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "abc"));
        assert!(!glob_match("a*b*c", "acb"));
        assert!(glob_match("kms:re*crypt*", "kms:reencryptfrom"));
        assert!(!glob_match("kms:encrypt", "kms:encrypt2"));
        assert!(glob_match("*a*a", "aa"));
        assert!(!glob_match("*a*a", "a"));
    }

    #[test]
    fn pathological_pattern_is_fast() {
        let p = format!("kms:{}b", "*a".repeat(5000));
        let t = "a".repeat(10_000);
        let start = std::time::Instant::now();
        assert!(!glob_match(&p, &t));
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn patterns_expand_case_insensitively() {
        let grant = ActionSet::named("CreateGrant");
        let m = |s: &str| classify(s);
        assert_eq!(
            m("KMS:creategrant"),
            PatternKind::Kms {
                matches: grant,
                wildcard: false
            }
        );
        let PatternKind::Kms {
            matches,
            wildcard: true,
        } = m("kms:*Grant")
        else {
            panic!()
        };
        assert!(matches.contains_all(grant.union(ActionSet::named("RevokeGrant"))));
        assert_eq!(
            m("s3:GetObject"),
            PatternKind::OtherService {
                service: "s3".into()
            }
        );
        assert_eq!(m("Encrypt"), PatternKind::NoPrefix);
        assert_eq!(m("*"), PatternKind::Everything);
        let PatternKind::Kms { matches, .. } = m("kms:Encypt") else {
            panic!()
        };
        assert!(matches.is_empty());
    }

    #[test]
    fn suggestions() {
        let s = |t: &str| suggest_action(t);
        assert_eq!(s("kms:Encypt").as_deref(), Some("kms:Encrypt"));
        assert_eq!(s("KMS:decrpyt").as_deref(), Some("kms:Decrypt"));
        assert_eq!(s("Encrypt").as_deref(), Some("kms:Encrypt"));
        assert_eq!(s("encrypt").as_deref(), Some("kms:Encrypt"));
        assert_eq!(s("Create*").as_deref(), Some("kms:Create*"));
        assert_eq!(s("Encypt").as_deref(), Some("kms:Encrypt"));
        assert_eq!(s("ksm:Encrypt").as_deref(), Some("kms:Encrypt"));
        assert_eq!(s("s3:GetObject"), None);
        assert_eq!(s("kms:Encrypt*X"), None);
        assert_eq!(s("kms:Zzzzzzzzzzzz"), None);
    }
}
