//! The configuration file: `kmslint.toml` or `.kmslint.toml`. Every key is checked: an unknown
//! key, a value of the wrong type, an unknown rule, a bad glob, regex or JSONPath is an error
//! that names the file, line and column.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::custom::{self, CustomRule, Test};
use crate::globs::{GlobList, PathGlob};
use crate::model::principal::is_account_id;
use crate::registry::RULES;
use crate::rule::{RuleMeta, RuleRef, Severity};
use crate::settings::{Settings, Suppression};
use crate::source::SourceFile;
use crate::tree::Span;

/// The names a configuration file may have, in order of precedence within one folder.
pub const CONFIG_NAMES: &[&str] = &[".kmslint.toml", "kmslint.toml"];

/// A configuration that cannot be used, with the place of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    /// Line and column (1-based, in characters), when the problem has a place.
    pub at: Option<(u32, u32)>,
    /// The bytes of the file's text the problem is about, when it has a place.
    pub span: Option<std::ops::Range<usize>>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.at {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// A loaded and checked configuration file.
#[derive(Debug)]
pub struct Config {
    /// The file (its display path and text: KMS100 points into it).
    pub source: SourceFile,
    /// The folder its globs are relative to (absolute).
    pub dir: PathBuf,
    /// The configuration's rule selection, severities, custom rules, account and threshold
    /// (suppressions are added per file).
    pub settings: Settings,
    pub exclude: GlobList,
    pub force_exclude: bool,
    pub per_file_ignores: Vec<(PathGlob, Vec<RuleRef>)>,
    pub suppressions: Vec<Arc<Suppression>>,
}

#[derive(Debug, Clone, Copy)]
enum Level {
    Error,
    Warning,
    Info,
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Level, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "error" => Ok(Level::Error),
            "warning" => Ok(Level::Warning),
            "info" => Ok(Level::Info),
            _ => Err(serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&s),
                &"`error`, `warning` or `info`",
            )),
        }
    }
}

impl From<Level> for Severity {
    fn from(l: Level) -> Severity {
        match l {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info => Severity::Info,
        }
    }
}

type Strings = Vec<Spanned<String>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    account: Option<Spanned<String>>,
    #[serde(default)]
    trusted_accounts: Strings,
    select: Option<Strings>,
    #[serde(default)]
    extend_select: Strings,
    #[serde(default)]
    ignore: Strings,
    fail_on: Option<Level>,
    #[serde(default)]
    exclude: Strings,
    #[serde(default)]
    force_exclude: bool,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Level>,
    #[serde(default)]
    per_file_ignores: BTreeMap<Spanned<String>, Strings>,
    #[serde(default)]
    suppress: Vec<Spanned<RawSuppress>>,
    #[serde(default)]
    custom_rule: Vec<Spanned<RawCustomRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuppress {
    rule: Spanned<String>,
    path: Option<Spanned<String>>,
    sid: Option<String>,
    reason: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustomRule {
    code: Spanned<String>,
    name: Spanned<String>,
    severity: Option<Level>,
    message: Spanned<String>,
    help: Option<String>,
    select: Spanned<String>,
    forbid: Option<Spanned<String>>,
    require: Option<Spanned<String>>,
    exists: Option<Spanned<bool>>,
    absent: Option<Spanned<bool>>,
}

/// Read and check the configuration at `path`; `display` is how messages name it.
pub fn load(path: &Path, display: &str) -> Result<Config, ConfigError> {
    read(path, display).1
}

/// [`load`], with the text as read (`None` when the file could not be read), so that a caller
/// can tell later whether the file changed.
pub fn read(path: &Path, display: &str) -> (Option<String>, Result<Config, ConfigError>) {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            let error = ConfigError {
                path: display.to_string(),
                at: None,
                span: None,
                message: format!("cannot read the configuration: {e}"),
            };
            return (None, Err(error));
        }
    };
    let dir = crate::globs::absolute(path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let config = parse(
        SourceFile::new(display, Some(path.to_path_buf()), text.clone()),
        dir,
    );
    (Some(text), config)
}

/// Check a configuration's text; globs are relative to `dir`.
pub fn parse(source: SourceFile, dir: PathBuf) -> Result<Config, ConfigError> {
    let error = |span: Option<std::ops::Range<usize>>, message: String| {
        let at = span.as_ref().map(|s| {
            let lc = source.line_col(s.start as u32);
            (lc.line, lc.column)
        });
        ConfigError {
            path: source.path.clone(),
            at,
            span,
            message,
        }
    };
    let at = |s: std::ops::Range<usize>, message: String| error(Some(s), message);
    let raw: Raw = toml::from_str(&source.text).map_err(|e| error(e.span(), toml_message(&e)))?;

    let mut settings = Settings::default();
    let custom = custom_rules(&raw.custom_rule).map_err(|(s, m)| at(s, m))?;
    settings.set_custom_rules(custom);

    // Check every selector where it is written, then apply them in order.
    let checked = |list: &Strings, key: &str| -> Result<Vec<String>, ConfigError> {
        list.iter()
            .map(|s| {
                settings
                    .resolve(s.get_ref())
                    .map(|_| s.get_ref().clone())
                    .map_err(|e| at(s.span(), format!("`{key}`: {e}")))
            })
            .collect()
    };
    let select = raw
        .select
        .as_ref()
        .map(|s| checked(s, "select"))
        .transpose()?;
    let extend_select = checked(&raw.extend_select, "extend-select")?;
    let ignore = checked(&raw.ignore, "ignore")?;
    settings
        .select(select.as_deref(), &extend_select, &ignore)
        .map_err(|e| error(None, e.to_string()))?;

    for (selector, level) in &raw.severity {
        let rules = settings
            .resolve(selector.get_ref())
            .map_err(|e| at(selector.span(), format!("`[severity]`: {e}")))?;
        for rule in rules {
            settings.set_severity(&rule, (*level).into());
        }
    }

    if let Some(account) = &raw.account {
        if !is_account_id(account.get_ref()) {
            return Err(at(
                account.span(),
                format!(
                    "`account = \"{}\"` is not a 12-digit AWS account id",
                    account.get_ref()
                ),
            ));
        }
        settings.context.account = Some(account.get_ref().clone());
    }
    for account in &raw.trusted_accounts {
        if !is_account_id(account.get_ref()) {
            return Err(at(
                account.span(),
                format!(
                    "`trusted-accounts`: `{}` is not a 12-digit AWS account id",
                    account.get_ref()
                ),
            ));
        }
    }
    if !raw.trusted_accounts.is_empty() {
        settings.context.trusted_accounts = settings
            .context
            .trusted_accounts
            .with(raw.trusted_accounts.iter().map(|a| a.get_ref().clone()));
    }
    if let Some(level) = raw.fail_on {
        settings.fail_on = level.into();
    }

    let glob = |s: &Spanned<String>, key: &str| {
        PathGlob::new(s.get_ref()).map_err(|e| at(s.span(), format!("`{key}`: {e}")))
    };
    let exclude = raw
        .exclude
        .iter()
        .map(|s| glob(s, "exclude"))
        .collect::<Result<Vec<_>, _>>()?;

    let mut per_file_ignores = Vec::new();
    for (pattern, selectors) in &raw.per_file_ignores {
        let g = glob(pattern, "per-file-ignores")?;
        let mut rules = Vec::new();
        for s in selectors {
            rules.extend(
                settings
                    .resolve(s.get_ref())
                    .map_err(|e| at(s.span(), format!("`per-file-ignores`: {e}")))?,
            );
        }
        per_file_ignores.push((g, rules));
    }

    let mut suppressions = Vec::new();
    for entry in &raw.suppress {
        let s = entry.get_ref();
        let rule = exact_rule(&settings, s.rule.get_ref())
            .map_err(|m| at(s.rule.span(), format!("`[[suppress]]` `rule`: {m}")))?;
        let path = s
            .path
            .as_ref()
            .map(|p| glob(p, "[[suppress]]` `path"))
            .transpose()?;
        if s.reason.get_ref().trim().is_empty() {
            return Err(at(
                s.reason.span(),
                "`[[suppress]]` `reason` is empty: say why the finding is accepted".to_string(),
            ));
        }
        suppressions.push(Arc::new(Suppression {
            rule,
            path,
            sid: s.sid.clone(),
            reason: s.reason.get_ref().clone(),
            span: Span::new(entry.span().start as u32, entry.span().end as u32),
        }));
    }

    Ok(Config {
        source,
        dir,
        settings,
        exclude: GlobList::new(exclude),
        force_exclude: raw.force_exclude,
        per_file_ignores,
        suppressions,
    })
}

/// A toml or serde error on one line, led by the key it is about (`fail-on`: …).
fn toml_message(e: &toml::de::Error) -> String {
    let message = e.message().trim().trim_end_matches('.').replace('\n', " ");
    // Without its input, the error's text names the key path on its last line.
    let mut bare = e.clone();
    bare.set_input(None);
    let text = bare.to_string();
    let key = text
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("in `")?.strip_suffix('`'))
        .filter(|k| !k.is_empty());
    match key {
        Some(k) => format!("`{k}`: {message}"),
        None => message,
    }
}

/// The one rule a code or name names (a suppression names one rule, not a prefix).
fn exact_rule(settings: &Settings, selector: &str) -> Result<RuleRef, String> {
    if let Some(r) = settings.rule_named(selector) {
        return Ok(r);
    }
    match settings.resolve(selector) {
        Ok(rules) => Err(format!(
            "`{selector}` names {} rules; a suppression names one rule by code or name",
            rules.len()
        )),
        Err(e) => Err(e.to_string()),
    }
}

type SpanError = (std::ops::Range<usize>, String);

/// Check and compile the `[[custom-rule]]` entries.
fn custom_rules(raw: &[Spanned<RawCustomRule>]) -> Result<Vec<CustomRule>, SpanError> {
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    let mut out = Vec::new();
    for entry in raw {
        let r = entry.get_ref();
        let code = r.code.get_ref();
        let valid_code = code.find(|c: char| c.is_ascii_digit()).is_some_and(|i| {
            i > 0
                && code[..i].bytes().all(|b| b.is_ascii_uppercase())
                && code[i..].bytes().all(|b| b.is_ascii_digit())
        });
        if !valid_code {
            return Err((
                r.code.span(),
                format!(
                    "custom rule code `{code}` is not capital letters followed by digits (`ORG001`)"
                ),
            ));
        }
        if code.starts_with("KMS") {
            return Err((
                r.code.span(),
                format!(
                    "custom rule code `{code}` starts with `KMS`, which is kept for built-in rules: use a prefix of your own (`ORG001`)"
                ),
            ));
        }
        if !codes.insert(code.clone()) {
            return Err((
                r.code.span(),
                format!("custom rule code `{code}` is defined twice"),
            ));
        }
        let name = r.name.get_ref();
        let kebab = !name.is_empty()
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && !name.ends_with('-')
            && !name.contains("--")
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !kebab {
            return Err((
                r.name.span(),
                format!(
                    "custom rule name `{name}` is not kebab-case (`principal-outside-organisation`)"
                ),
            ));
        }
        if RULES.iter().any(|b| b.name == name) {
            return Err((
                r.name.span(),
                format!("custom rule name `{name}` is the name of a built-in rule"),
            ));
        }
        if !names.insert(name.clone()) {
            return Err((
                r.name.span(),
                format!("custom rule name `{name}` is defined twice"),
            ));
        }
        if r.message.get_ref().trim().is_empty() {
            return Err((
                r.message.span(),
                format!("custom rule `{code}` has an empty `message`"),
            ));
        }
        let query = custom::parse_select(r.select.get_ref()).map_err(|m| (r.select.span(), m))?;
        let test = custom_test(r, code, entry.span())?;
        let severity: Severity = r.severity.map_or(Severity::Warning, Into::into);
        let summary = CustomRule::summary(r.select.get_ref(), &test);
        let doc = custom_doc(code, name, severity, &summary, r);
        let rule = RuleRef::Custom(Arc::new(RuleMeta {
            code: code.clone(),
            name: name.clone(),
            severity,
            summary,
            doc,
        }));
        out.push(CustomRule::new(
            rule,
            r.select.get_ref().clone(),
            query,
            test,
            r.message.get_ref().clone(),
            r.help.clone(),
        ));
    }
    Ok(out)
}

/// The one test of a custom rule.
fn custom_test(
    r: &RawCustomRule,
    code: &str,
    entry: std::ops::Range<usize>,
) -> Result<Test, SpanError> {
    let regex = |s: &Spanned<String>, key: &str| {
        regex::Regex::new(s.get_ref()).map_err(|e| {
            let detail = e.to_string();
            let last = detail
                .lines()
                .rfind(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim()
                .trim_start_matches("error: ")
                .to_string();
            (
                s.span(),
                format!("`{key}` is not a valid regular expression: {last}"),
            )
        })
    };
    let flag = |b: &Spanned<bool>, key: &str, other: &str| {
        if *b.get_ref() {
            Ok(())
        } else {
            Err((
                b.span(),
                format!("`{key} = false` tests nothing: write `{other} = true`, or remove it"),
            ))
        }
    };
    let mut tests = Vec::new();
    if let Some(s) = &r.forbid {
        tests.push(("forbid", Test::Forbid(regex(s, "forbid")?)));
    }
    if let Some(s) = &r.require {
        tests.push(("require", Test::Require(regex(s, "require")?)));
    }
    if let Some(b) = &r.exists {
        flag(b, "exists", "absent")?;
        tests.push(("exists", Test::Exists));
    }
    if let Some(b) = &r.absent {
        flag(b, "absent", "exists")?;
        tests.push(("absent", Test::Absent));
    }
    match tests.len() {
        1 => Ok(tests.remove(0).1),
        0 => Err((
            entry,
            format!(
                "custom rule `{code}` has no test: add one of `forbid`, `require`, `exists` or `absent`"
            ),
        )),
        _ => Err((
            entry,
            format!(
                "custom rule `{code}` has {} tests (`{}`): keep one",
                tests.len(),
                tests
                    .iter()
                    .map(|(k, _)| *k)
                    .collect::<Vec<_>>()
                    .join("`, `")
            ),
        )),
    }
}

/// The documentation of a custom rule (SARIF help), in the shape of `rules/*.md`.
fn custom_doc(
    code: &str,
    name: &str,
    severity: Severity,
    summary: &str,
    r: &RawCustomRule,
) -> String {
    let mut doc = format!(
        "# {name} ({code})\nSeverity: {severity} · Default: on · Group: custom\n\n## What it does\nA custom rule of the project's kmslint configuration: reports when {summary}.\n"
    );
    if let Some(help) = &r.help {
        doc.push_str(&format!("\n## How to fix\n{help}\n"));
    }
    doc
}

/// A `[[suppress]]` entry to write into a configuration file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NewSuppression {
    /// The rule's code.
    pub rule: String,
    /// A `path` glob (see [`path_glob`]).
    pub path: String,
    pub sid: Option<String>,
    pub reason: String,
}

impl NewSuppression {
    /// The entry as TOML lines, each ended by `\n`.
    pub fn toml(&self) -> String {
        let mut s = format!(
            "[[suppress]]\nrule = {}\npath = {}\n",
            toml_string(&self.rule),
            toml_string(&self.path)
        );
        if let Some(sid) = &self.sid {
            s.push_str(&format!("sid = {}\n", toml_string(sid)));
        }
        s.push_str(&format!("reason = {}\n", toml_string(&self.reason)));
        s
    }

    /// Whether an entry of a configuration says the same: the same rule, `path` and `sid`.
    pub fn is(&self, s: &Suppression) -> bool {
        s.rule.code() == self.rule
            && s.path.as_ref().map(|p| p.pattern.as_str()) == Some(self.path.as_str())
            && s.sid == self.sid
    }
}

/// A TOML basic string.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A `path` glob that matches the file at `rel` (relative to the configuration's folder) and
/// nothing else: glob characters escaped, and a name in the configuration's own folder
/// anchored there (`./key.json`: a name alone matches at any depth).
pub fn path_glob(rel: &str) -> String {
    let mut out = String::with_capacity(rel.len() + 2);
    if !rel.contains('/') {
        out.push_str("./");
    }
    for c in rel.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A configuration's text with TOML lines added at its end, after a blank line, with the
/// file's own line ends (`\r\n` when it uses them). The text before them is kept as it is.
pub fn appended(text: &str, lines: &str) -> String {
    let blank_before = text.is_empty()
        || text.ends_with("\n\n")
        || text.ends_with("\n\r\n")
        || (text.ends_with('\n') && text.trim().is_empty());
    let mut added = if blank_before {
        String::new()
    } else if text.ends_with('\n') {
        "\n".to_string()
    } else {
        "\n\n".to_string()
    };
    added.push_str(lines);
    if text.contains("\r\n") {
        added = added.replace('\n', "\r\n");
    }
    format!("{text}{added}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Config, String> {
        parse(
            SourceFile::new("kmslint.toml", None, text.to_string()),
            PathBuf::from("/repo"),
        )
        .map_err(|e| e.to_string())
    }

    fn err(text: &str) -> String {
        check(text)
            .err()
            .unwrap_or_else(|| panic!("accepted:\n{text}"))
    }

    #[test]
    fn every_key_is_read() {
        let c = check(
            r#"
account = "111122223333"
trusted-accounts = ["444455556666"]
select = ["KMS00", "KMS03"]
extend-select = ["KMS038"]
ignore = ["KMS031"]
fail-on = "error"
exclude = ["vendor", "legacy/*.json"]
force-exclude = true

[severity]
KMS003 = "error"
public-access = "warning"

[per-file-ignores]
"legacy/**" = ["KMS004", "ORG"]

[[suppress]]
rule = "KMS005"
path = "keys/app.json"
sid = "Admins"
reason = "grants are needed by the backup service"

[[custom-rule]]
code = "ORG001"
name = "principal-outside-organisation"
severity = "error"
message = "`{value}` is not an account of the organisation"
help = "use a role of one of the organisation's accounts"
select = "$.Statement[*].Principal.AWS"
require = '^arn:aws:iam::(111122223333|444455556666):'
"#,
        )
        .unwrap();
        let s = &c.settings;
        assert_eq!(s.context.account.as_deref(), Some("111122223333"));
        assert_eq!(s.context.trusted_accounts.sorted(), ["444455556666"]);
        assert_eq!(s.fail_on, Severity::Error);
        let on: Vec<&str> = s.enabled_rules().map(|r| r.code).collect();
        assert!(on.contains(&"KMS001") && on.contains(&"KMS038") && on.contains(&"KMS030"));
        assert!(!on.contains(&"KMS031") && !on.contains(&"KMS012"));
        // `select` replaces the defaults, custom rules included unless selected.
        assert_eq!(s.enabled_custom_rules().count(), 0);
        let kms003 = crate::registry::find("KMS003").unwrap();
        assert_eq!(s.severity(kms003), Severity::Error);
        assert_eq!(
            s.severity(crate::registry::find("KMS030").unwrap()),
            Severity::Warning
        );
        assert_eq!(c.exclude.globs.len(), 2);
        assert!(c.force_exclude);
        assert_eq!(
            c.per_file_ignores[0]
                .1
                .iter()
                .map(|r| r.code())
                .collect::<Vec<_>>(),
            ["KMS004", "ORG001"]
        );
        let sup = &c.suppressions[0];
        assert_eq!(sup.rule.code(), "KMS005");
        assert_eq!(sup.sid.as_deref(), Some("Admins"));
        assert_eq!(
            sup.describe(),
            "`KMS005` in `keys/app.json`, statement `Admins`"
        );
        let custom = &s.custom_rules()[0];
        assert_eq!(custom.rule.severity(), Severity::Error);
        assert!(
            custom
                .rule
                .doc()
                .starts_with("# principal-outside-organisation (ORG001)\n")
        );
    }

    #[test]
    fn custom_rules_are_on_by_default_and_selectable_by_prefix() {
        let text = "[[custom-rule]]\ncode = \"ORG001\"\nname = \"no-star\"\nmessage = \"m\"\nselect = \"$..AWS\"\nforbid = '^\\*$'\n";
        let c = check(text).unwrap();
        assert_eq!(c.settings.enabled_custom_rules().count(), 1);
        assert_eq!(
            c.settings.custom_rules()[0].rule.severity(),
            Severity::Warning
        );
        let c = check(&format!("ignore = [\"ORG\"]\n{text}")).unwrap();
        assert_eq!(c.settings.enabled_custom_rules().count(), 0);
        let c = check(&format!("select = [\"no-star\"]\n{text}")).unwrap();
        assert_eq!(c.settings.enabled_custom_rules().count(), 1);
        assert_eq!(c.settings.enabled_rules().count(), 0);
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_line() {
        assert_eq!(
            err("account = \"111122223333\"\nselcet = [\"KMS001\"]\n"),
            "kmslint.toml:2:1: unknown field `selcet`, expected one of `account`, `trusted-accounts`, `select`, `extend-select`, `ignore`, `fail-on`, `exclude`, `force-exclude`, `severity`, `per-file-ignores`, `suppress`, `custom-rule`"
        );
        assert_eq!(
            err("fail-on = \"sometimes\"\n"),
            "kmslint.toml:1:11: `fail-on`: invalid value: string \"sometimes\", expected `error`, `warning` or `info`"
        );
        assert_eq!(
            err("select = \"KMS001\"\n"),
            "kmslint.toml:1:10: `select`: invalid type: string \"KMS001\", expected a sequence"
        );
        assert_eq!(
            err("\n\nselect = [\"KMS001\", \"admin-can-self-grnt\"]\n"),
            "kmslint.toml:3:21: `select`: `admin-can-self-grnt` is not a rule code, name or prefix (did you mean `admin-can-self-grant`?)"
        );
        assert_eq!(
            err("account = \"1234\"\n"),
            "kmslint.toml:1:11: `account = \"1234\"` is not a 12-digit AWS account id"
        );
        assert_eq!(
            err("trusted-accounts = [\"111122223333\", \"x\"]\n"),
            "kmslint.toml:1:37: `trusted-accounts`: `x` is not a 12-digit AWS account id"
        );
        assert_eq!(
            err("[severity]\nKMS003 = \"fatal\"\n"),
            "kmslint.toml:2:10: `severity.KMS003`: invalid value: string \"fatal\", expected `error`, `warning` or `info`"
        );
        assert_eq!(
            err("[severity]\npublic-acess = \"error\"\n"),
            "kmslint.toml:2:1: `[severity]`: `public-acess` is not a rule code, name or prefix (did you mean `public-access`?)"
        );
        assert_eq!(
            err("exclude = [\"a/[b\"]\n"),
            "kmslint.toml:1:12: `exclude`: `a/[b` is not a valid glob: unclosed character class; missing ']'"
        );
        assert_eq!(
            err("[per-file-ignores]\n\"legacy/*\" = [\"KMS3\"]\n"),
            "kmslint.toml:2:15: `per-file-ignores`: `KMS3` is not a rule code, name or prefix (did you mean `KMS003`?)"
        );
        assert_eq!(
            err("select = [\n"),
            "kmslint.toml:1:11: unclosed array, expected `]`"
        );
    }

    #[test]
    fn suppress_entries_are_checked() {
        assert_eq!(
            err("[[suppress]]\nrule = \"KMS003\"\n"),
            "kmslint.toml:1:1: `suppress`: missing field `reason`"
        );
        assert_eq!(
            err("[[suppress]]\nrule = \"KMS003\"\nreason = \" \"\n"),
            "kmslint.toml:3:10: `[[suppress]]` `reason` is empty: say why the finding is accepted"
        );
        assert_eq!(
            err("[[suppress]]\nrule = \"KMS00\"\nreason = \"r\"\n"),
            "kmslint.toml:2:8: `[[suppress]]` `rule`: `KMS00` names 5 rules; a suppression names one rule by code or name"
        );
        assert_eq!(
            err("[[suppress]]\nrule = \"KMS003\"\nreason = \"r\"\nstatement = \"A\"\n"),
            "kmslint.toml:4:1: `suppress`: unknown field `statement`, expected one of `rule`, `path`, `sid`, `reason`"
        );
    }

    #[test]
    fn custom_rules_are_checked() {
        let rule = |extra: &str| {
            format!(
                "[[custom-rule]]\ncode = \"ORG001\"\nname = \"org-only\"\nmessage = \"m\"\nselect = \"$..AWS\"\n{extra}"
            )
        };
        assert_eq!(
            err(&rule("forbid = '('\n")),
            "kmslint.toml:6:10: `forbid` is not a valid regular expression: unclosed group"
        );
        assert_eq!(
            err(&rule("")),
            "kmslint.toml:1:1: custom rule `ORG001` has no test: add one of `forbid`, `require`, `exists` or `absent`"
        );
        assert_eq!(
            err(&rule("forbid = 'a'\nabsent = true\n")),
            "kmslint.toml:1:1: custom rule `ORG001` has 2 tests (`forbid`, `absent`): keep one"
        );
        assert_eq!(
            err(&rule("exists = false\n")),
            "kmslint.toml:6:10: `exists = false` tests nothing: write `absent = true`, or remove it"
        );
        assert_eq!(
            err(&rule("exists = true\n").replace("ORG001", "KMS003")),
            "kmslint.toml:2:8: custom rule code `KMS003` starts with `KMS`, which is kept for built-in rules: use a prefix of your own (`ORG001`)"
        );
        assert_eq!(
            err(&rule("exists = true\n").replace("ORG001", "org1")),
            "kmslint.toml:2:8: custom rule code `org1` is not capital letters followed by digits (`ORG001`)"
        );
        assert_eq!(
            err(&rule("exists = true\n").replace("org-only", "public-access")),
            "kmslint.toml:3:8: custom rule name `public-access` is the name of a built-in rule"
        );
        let twice = format!(
            "{}{}",
            rule("exists = true\n"),
            rule("exists = true\n").replace("org-only", "other")
        );
        assert_eq!(
            err(&twice),
            "kmslint.toml:8:8: custom rule code `ORG001` is defined twice"
        );
        let e = err(&rule("exists = true\n").replace("$..AWS", "$.Statement[?"));
        assert!(
            e.starts_with("kmslint.toml:5:10: `$.Statement[?` is not a valid JSONPath: "),
            "{e}"
        );
        assert_eq!(
            err(&rule("exists = true\nseverity = \"high\"\n")),
            "kmslint.toml:7:12: `custom-rule.severity`: invalid value: string \"high\", expected `error`, `warning` or `info`"
        );
    }

    #[test]
    fn new_entries_read_back_as_written_and_name_one_file() {
        let entry = NewSuppression {
            rule: "KMS003".to_string(),
            path: path_glob("keys/a[1]*.json"),
            sid: Some("Admins \"all\"\\ \u{7}é".to_string()),
            reason: "line one\nline two".to_string(),
        };
        let text = appended("fail-on = \"error\" # kept\n", &entry.toml());
        assert!(text.starts_with("fail-on = \"error\" # kept\n\n[[suppress]]\n"));
        let c = check(&text).unwrap();
        let s = &c.suppressions[0];
        assert_eq!(s.sid.as_deref(), Some("Admins \"all\"\\ \u{7}é"));
        assert_eq!(s.reason, "line one\nline two");
        assert!(entry.is(s));
        let glob = s.path.as_ref().unwrap();
        let rel = |p: &str| crate::globs::RelPath::from_name(p);
        assert!(glob.matches(
            &crate::globs::RelPath::new(Path::new("/r/keys/a[1]*.json"), Path::new("/r")).unwrap()
        ));
        assert!(!glob.matches(
            &crate::globs::RelPath::new(Path::new("/r/keys/a1x.json"), Path::new("/r")).unwrap()
        ));
        // A name in the configuration's folder is anchored there.
        let top = PathGlob::new(&path_glob("key.json")).unwrap();
        assert!(top.matches(&rel("key.json")) && top.is_literal());
        assert!(!top.matches(
            &crate::globs::RelPath::new(Path::new("/r/sub/key.json"), Path::new("/r")).unwrap()
        ));
    }

    #[test]
    fn entries_are_appended_after_a_blank_line_with_the_file_line_ends() {
        let lines = "[[suppress]]\n";
        assert_eq!(appended("", lines), "[[suppress]]\n");
        assert_eq!(appended("a = 1", lines), "a = 1\n\n[[suppress]]\n");
        assert_eq!(appended("a = 1\n", lines), "a = 1\n\n[[suppress]]\n");
        assert_eq!(appended("a = 1\n\n", lines), "a = 1\n\n[[suppress]]\n");
        assert_eq!(appended("\n", lines), "\n[[suppress]]\n");
        assert_eq!(
            appended("a = 1\r\n", lines),
            "a = 1\r\n\r\n[[suppress]]\r\n"
        );
    }
}
