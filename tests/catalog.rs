//! `src/model/catalog.rs` is generated from `data/kms-actions.tsv` and
//! `data/condition-keys.tsv`: this test builds the file's text from them and fails, naming the
//! first line that differs, unless the file is that text byte for byte.
//! `KMSLINT_BLESS=1 cargo test --test catalog` rewrites the file.
//!
//! Every column of both files has a field in the catalogue, and every value is mapped
//! explicitly (a value this test does not know fails):
//!
//! - `kms-actions.tsv`: `action` is `ActionInfo::name`; `access_level` is
//!   `ActionInfo::access_level`, kept as text but one of the levels AWS lists; `policy` is
//!   `ActionInfo::scope` (`key`, `iam`, `both`); `category` is `ActionInfo::category`.
//! - `condition-keys.tsv`: `key` is `ConditionKeyInfo::name`; `type` is
//!   `ConditionKeyInfo::key_type`; `notes`, which may be left out, is `ConditionKeyInfo::note`.
//!
//! The comment lines at the top of each file (`#`) are not carried over, except that the
//! `# columns:` line must name the columns above, so that a new column cannot go unnoticed.
//! Actions must be sorted by name (bit `i` of an `ActionSet` is `ACTIONS[i]`, and the catalogue
//! says they are sorted); no name may appear twice, in any case.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use kmslint::model::action::{Category, PolicyScope};
use kmslint::model::condition::KeyType;

const ACTIONS_TSV: &str = "data/kms-actions.tsv";
const CONDITION_KEYS_TSV: &str = "data/condition-keys.tsv";
const CATALOG_RS: &str = "src/model/catalog.rs";
const BLESS: &str = "KMSLINT_BLESS=1 cargo test --test catalog";

/// The access levels AWS lists for actions.
const ACCESS_LEVELS: &[&str] = &["Read", "List", "Write", "Permissions management", "Tagging"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One data row of a TSV file: where it is (`data/kms-actions.tsv:12`) and its fields.
struct Row {
    at: String,
    fields: Vec<String>,
}

/// The data rows of `file`, after checking that its `# columns:` line names `columns`.
fn rows(file: &str, columns: &[&str]) -> Vec<Row> {
    let text = std::fs::read_to_string(root().join(file))
        .unwrap_or_else(|e| panic!("cannot read `{file}`: {e}"));
    let header = text
        .lines()
        .find_map(|l| l.strip_prefix("# columns:"))
        .unwrap_or_else(|| panic!("`{file}` has no `# columns:` line"));
    let found: Vec<&str> = header.trim().split('\t').collect();
    assert!(
        found == columns,
        "`{file}` has the columns `{}`, `tests/catalog.rs` knows `{}`: map each column to a field of the catalogue there",
        found.join(", "),
        columns.join(", ")
    );
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| Row {
            at: format!("{file}:{}", i + 1),
            fields: l.split('\t').map(str::to_string).collect(),
        })
        .collect()
}

fn scope(at: &str, value: &str) -> PolicyScope {
    match value {
        "key" => PolicyScope::Key,
        "iam" => PolicyScope::Iam,
        "both" => PolicyScope::Both,
        _ => panic!("{at}: unknown policy `{value}` (key, iam or both)"),
    }
}

fn category(at: &str, value: &str) -> Category {
    match value {
        "use" => Category::Use,
        "read" => Category::Read,
        "grant" => Category::Grant,
        "policy" => Category::Policy,
        "manage" => Category::Manage,
        "destroy" => Category::Destroy,
        "keystore" => Category::KeyStore,
        "account" => Category::Account,
        _ => panic!("{at}: unknown category `{value}`"),
    }
}

fn key_type(at: &str, value: &str) -> KeyType {
    match value {
        "String" => KeyType::String,
        "Bool" => KeyType::Bool,
        "Numeric" => KeyType::Numeric,
        "Date" => KeyType::Date,
        "ArrayOfString" => KeyType::ArrayOfString,
        "ARN" => KeyType::Arn,
        _ => panic!("{at}: unknown type `{value}`"),
    }
}

/// A Rust string literal.
fn literal(s: &str) -> String {
    format!("{s:?}")
}

/// Fails when a name appears twice, in any case (AWS compares these names case-insensitively).
fn check_unique(seen: &mut HashSet<String>, at: &str, name: &str) {
    assert!(!name.is_empty(), "{at}: empty name");
    assert!(
        seen.insert(name.to_ascii_lowercase()),
        "{at}: `{name}` appears twice"
    );
}

/// The generated file, and for each of its lines where it comes from.
#[derive(Default)]
struct Generated {
    text: String,
    origins: Vec<String>,
}

impl Generated {
    fn lines(&mut self, origin: &str, lines: &str) {
        for line in lines.lines() {
            self.text.push_str(line);
            self.text.push('\n');
            self.origins.push(origin.to_string());
        }
    }
}

fn generate() -> Generated {
    let template = "the text `tests/catalog.rs` writes";
    let mut out = Generated::default();
    out.lines(
        template,
        "//! The KMS action and condition-key catalogs, generated from `data/kms-actions.tsv` and
//! `data/condition-keys.tsv` by `tests/catalog.rs`, which fails when this file is not what
//! they give: edit them, not this file, and run `KMSLINT_BLESS=1 cargo test --test catalog`.

use super::action::{ActionInfo, Category, PolicyScope};
use super::condition::{ConditionKeyInfo, KeyType};

/// Every KMS action, sorted by name. Bit `i` of an `ActionSet` is `ACTIONS[i]`.
pub static ACTIONS: &[ActionInfo] = &[",
    );
    let mut seen = HashSet::new();
    let mut previous: Option<String> = None;
    for row in rows(
        ACTIONS_TSV,
        &["action", "access_level", "policy", "category"],
    ) {
        let at = &row.at;
        let [name, access_level, policy, cat] = &row.fields[..] else {
            panic!(
                "{at}: {} fields, expected 4 (action, access_level, policy, category)",
                row.fields.len()
            );
        };
        check_unique(&mut seen, at, name);
        if let Some(p) = previous.as_ref().filter(|p| p.as_str() >= name.as_str()) {
            panic!("{at}: `{name}` comes after `{p}`: actions must be sorted by name");
        }
        previous = Some(name.clone());
        assert!(
            ACCESS_LEVELS.contains(&access_level.as_str()),
            "{at}: unknown access level `{access_level}` ({})",
            ACCESS_LEVELS.join(", ")
        );
        out.lines(
            &format!("{at}, `{name}`"),
            &format!(
                "    ActionInfo {{
        name: {},
        access_level: {},
        scope: PolicyScope::{:?},
        category: Category::{:?},
    }},",
                literal(name),
                literal(access_level),
                scope(at, policy),
                category(at, cat),
            ),
        );
    }
    out.lines(
        template,
        "];

/// Condition keys KMS key policies use; a name ending in `:` or `/` is a prefix.
pub static CONDITION_KEYS: &[ConditionKeyInfo] = &[",
    );
    let mut seen = HashSet::new();
    for row in rows(CONDITION_KEYS_TSV, &["key", "type", "notes"]) {
        let at = &row.at;
        let (name, ty, note) = match &row.fields[..] {
            [name, ty] => (name, ty, ""),
            [name, ty, note] => (name, ty, note.as_str()),
            _ => panic!(
                "{at}: {} fields, expected 2 or 3 (key, type, notes)",
                row.fields.len()
            ),
        };
        check_unique(&mut seen, at, name);
        out.lines(
            &format!("{at}, `{name}`"),
            &format!(
                "    ConditionKeyInfo {{
        name: {},
        key_type: KeyType::{:?},
        note: {},
    }},",
                literal(name),
                key_type(at, ty),
                literal(note),
            ),
        );
    }
    out.lines(template, "];");
    out
}

/// Where `current` first differs from `generated`, as a message.
fn first_difference(generated: &Generated, current: &str) -> String {
    let mut want = generated.text.lines();
    let mut have = current.lines();
    let mut line = 0;
    loop {
        line += 1;
        match (want.next(), have.next()) {
            (Some(w), Some(h)) if w == h => continue,
            (None, None) => {
                return format!(
                    "`{CATALOG_RS}` has the lines `{ACTIONS_TSV}` and `{CONDITION_KEYS_TSV}` give, but other line ends"
                );
            }
            (w, h) => {
                let from = generated
                    .origins
                    .get(line - 1)
                    .map_or("the end of the generated text", String::as_str);
                let show = |l: Option<&str>| {
                    l.map_or("the end of the file".to_string(), |l| format!("`{l}`"))
                };
                return format!(
                    "`{CATALOG_RS}` is not what the TSV files give: line {line} differs (from {from})\n  expected: {}\n  found:    {}",
                    show(w),
                    show(h)
                );
            }
        }
    }
}

#[test]
fn catalog_is_generated_from_the_tsv_files() {
    let generated = generate();
    let path: PathBuf = root().join(CATALOG_RS);
    let current = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => panic!("cannot read `{CATALOG_RS}`: {e}"),
    };
    if current == generated.text {
        return;
    }
    if std::env::var_os("KMSLINT_BLESS").is_some() {
        std::fs::write(&path, &generated.text)
            .unwrap_or_else(|e| panic!("cannot write `{CATALOG_RS}`: {e}"));
    } else {
        panic!(
            "{}\nedit the TSV files, not `{CATALOG_RS}`, and run `{BLESS}` to regenerate it",
            first_difference(&generated, &current)
        );
    }
}
