#![allow(clippy::unwrap_used)]
//! Every rule's documentation is also its test: `rules/<name>.md` examples are linted here.
//!
//! - every registered rule has a doc, and every doc a rule;
//! - the doc's heading and metadata line match the registry;
//! - each ```` ```json bad ```` block, linted like users lint (the default rules, plus its rule
//!   when that is off by default), fires its rule, and every other code it fires is named by
//!   its `also=` attribute, and every code named there fires: a bad example either shows its
//!   rule alone or says which other rules it trips;
//! - each ```` ```json good ```` block is clean under the same rules;
//! - each bad block is followed by a ```` ```text output ```` block equal to the human report of
//!   the findings of the doc's own rule only (the `also=` findings are left out, so a doc shows
//!   what its rule says);
//! - `rules/README.md` is the generated index.
//!
//! Fence attributes: `also=CODE[,CODE]` names the other codes a bad example fires, `account=ID`
//! sets `--account`, `trusted-account=ID[,ID]` sets `--trusted-account`, and `repeat-line=N:K`
//! repeats line N of the block K times before linting (for examples that must be large). A
//! `json` or `toml` block must be `bad`, `good` or `file=PATH`, with no other attribute, so a
//! typo cannot quietly turn an example into prose.
//!
//! Rules about the configuration (KMS100) are shown with a project instead: each
//! ```` ```json file=PATH ```` block is a file of it, and each ```` ```toml bad ```` or
//! ```` ```toml good ```` block its `kmslint.toml`. The built kmslint checks the whole project
//! with `--extend-select CODE` (so the configuration cannot switch the rule off), must check
//! every `file=` block, and is held to the same `also=` and output rules.
//!
//! `KMSLINT_BLESS=1 cargo test --test rule_docs` rewrites output blocks and the index.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kmslint::diagnostic::Diagnostic;
use kmslint::engine::lint_source;
use kmslint::registry::RULES;
use kmslint::render::{Format, Renderer};
use kmslint::rule::{Check, Rule};
use kmslint::settings::Settings;
use kmslint::source::SourceFile;

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

fn bless() -> bool {
    std::env::var_os("KMSLINT_BLESS").is_some()
}

/// A fenced block: its info string, body, and the byte range of the body in the doc.
struct Block {
    info: String,
    body: String,
    body_range: std::ops::Range<usize>,
}

fn blocks(doc: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut open: Option<(String, usize)> = None;
    for line in doc.split_inclusive('\n') {
        let trimmed = line.trim_end();
        match &open {
            None if trimmed.starts_with("```") => {
                open = Some((trimmed[3..].trim().to_string(), offset + line.len()));
            }
            Some((info, start)) if trimmed == "```" => {
                out.push(Block {
                    info: info.clone(),
                    body: doc[*start..offset].to_string(),
                    body_range: *start..offset,
                });
                open = None;
            }
            _ => {}
        }
        offset += line.len();
    }
    out
}

fn attr<'a>(info: &'a str, key: &str) -> Option<&'a str> {
    info.split_whitespace()
        .find_map(|w| w.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
}

/// The attributes a fence may carry (see the module documentation).
const ATTRIBUTES: [&str; 5] = ["also", "account", "trusted-account", "repeat-line", "file"];

/// What is wrong with the info string of a `json` or `toml` block: one that is neither an
/// example of the kind the doc uses (`json`, or `toml` for a project) nor a `file=`, or that
/// carries an unknown attribute, would otherwise be skipped without a word.
fn fence_problem(info: &str, by_project: bool) -> Option<String> {
    let words: Vec<&str> = info.split_whitespace().collect();
    let lang = words.first().copied().unwrap_or_default();
    if lang != "json" && lang != "toml" {
        return None;
    }
    let example_lang = if by_project { "toml" } else { "json" };
    let is_file = by_project && lang == "json" && attr(info, "file").is_some();
    match words.get(1) {
        Some(&"bad") | Some(&"good") if lang == example_lang => {}
        _ if is_file => {}
        _ => {
            return Some(format!(
                "a ```{info}``` block is neither an example nor a project file"
            ));
        }
    }
    words[1..]
        .iter()
        .filter(|w| !matches!(**w, "bad" | "good"))
        .find(|w| !ATTRIBUTES.iter().any(|a| w.starts_with(&format!("{a}="))))
        .map(|w| format!("a ```{info}``` block has an unknown attribute `{w}`"))
}

/// What is wrong with the codes a bad example of `rule` fired: the rule must fire, and the
/// other codes must be exactly those its `also=` attribute names.
fn bad_codes_problems<S: AsRef<str>>(rule: &Rule, info: &str, codes: &[S]) -> Vec<String> {
    let also: BTreeSet<&str> = attr(info, "also")
        .map(|a| a.split(',').collect())
        .unwrap_or_default();
    let fired: BTreeSet<&str> = codes.iter().map(AsRef::as_ref).collect();
    let mut problems = Vec::new();
    if !fired.contains(rule.code) {
        problems.push(format!("does not fire {}", rule.code));
    }
    if also.contains(rule.code) {
        problems.push("names its own rule in `also=`".to_string());
    }
    let unexpected: Vec<&str> = fired
        .iter()
        .filter(|c| **c != rule.code && !also.contains(*c))
        .copied()
        .collect();
    if !unexpected.is_empty() {
        problems.push(format!(
            "also fires {unexpected:?}: make the example fire its rule alone, or name them in `also=`"
        ));
    }
    let missing: Vec<&str> = also
        .iter()
        .filter(|c| **c != rule.code && !fired.contains(*c))
        .copied()
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "names {missing:?} in `also=` but does not fire them"
        ));
    }
    problems
}

/// The text a block is linted as: `repeat-line=N:K` on the fence repeats line N (1-based)
/// K times, so a doc can show a policy that is large (KMS023) without printing all of it.
fn expanded(info: &str, body: &str) -> String {
    let Some((line, times)) = attr(info, "repeat-line").and_then(|a| a.split_once(':')) else {
        return body.to_string();
    };
    let (line, times): (usize, usize) = (line.parse().unwrap(), times.parse().unwrap());
    let mut out = String::new();
    for (i, l) in body.split_inclusive('\n').enumerate() {
        let n = if i + 1 == line { times } else { 1 };
        for _ in 0..n {
            out.push_str(l);
        }
    }
    out
}

/// The rules a block is linted with: the default ones, plus the doc's rule when it is off by
/// default; and the context its fence sets.
fn settings_for(rule: &Rule, info: &str) -> Settings {
    let mut s = Settings::default();
    s.select(None, &[rule.code.to_string()], &[]).unwrap();
    s.context.account = attr(info, "account").map(str::to_string);
    s.context.trusted_accounts = attr(info, "trusted-account")
        .map(|a| a.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    s
}

/// Lint a block as a JSON key policy: every code reported, and the human report of the
/// findings whose code `show` keeps.
fn render(
    source: &SourceFile,
    settings: &Settings,
    show: impl Fn(&str) -> bool,
) -> (Vec<String>, String) {
    let report = lint_source(
        source,
        kmslint::extract::InputKind::Json,
        kmslint::engine::Reach::Named,
        settings,
    );
    let renderer = Renderer {
        format: Format::Human,
        color: false,
    };
    let shown: Vec<Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| show(d.rule.code()))
        .cloned()
        .collect();
    let text = renderer.file(source, &shown).text;
    (
        report
            .diagnostics
            .iter()
            .map(|d| d.rule.code().to_string())
            .collect(),
        text,
    )
}

/// The findings of a human report whose code `show` keeps: each finding starts with a line
/// `CODE name` of a registered rule (source lines are prefixed by their number, so none is).
fn human_findings(report: &str, show: impl Fn(&str) -> bool) -> String {
    let mut out = String::new();
    let mut keep = false;
    for line in report.split_inclusive('\n') {
        if let Some(r) = RULES
            .iter()
            .find(|r| line.trim_end() == format!("{} {}", r.code, r.name))
        {
            keep = show(r.code);
        }
        if keep {
            out.push_str(line);
        }
    }
    out
}

/// What checking a project reported.
struct ProjectRun {
    /// The code of every finding.
    codes: Vec<String>,
    /// The human report of the findings `show` kept, without the summary line.
    text: String,
    /// How many files kmslint checked.
    files: u64,
}

/// Check a project of `files` with `config` as its `kmslint.toml` and `rule` added to the
/// rules the configuration selects.
fn render_project(
    files: &[(String, String)],
    config: &str,
    rule: &Rule,
    show: impl Fn(&str) -> bool,
) -> ProjectRun {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    std::fs::write(dir.path().join("kmslint.toml"), config).unwrap();
    let run = |format: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kmslint"))
            .args([
                "check",
                ".",
                "--extend-select",
                rule.code,
                "--format",
                format,
            ])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            out.status.code().unwrap() < 2,
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let codes = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    let human = run("human");
    let body = human.trim_end_matches('\n');
    let body = body.rfind('\n').map_or("", |i| &body[..=i]);
    ProjectRun {
        codes,
        text: human_findings(body, show),
        files: json["summary"]["files"].as_u64().unwrap(),
    }
}

fn doc_path(rule: &Rule) -> PathBuf {
    rules_dir().join(format!("{}.md", rule.name))
}

#[test]
fn every_rule_has_a_doc_and_every_doc_a_rule() {
    for rule in RULES {
        assert!(
            doc_path(rule).exists(),
            "{} has no rules/{}.md",
            rule.code,
            rule.name
        );
    }
    for entry in std::fs::read_dir(rules_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if name == "README.md" || name.starts_with('_') {
            continue;
        }
        let stem = name.trim_end_matches(".md");
        assert!(
            RULES.iter().any(|r| r.name == stem),
            "rules/{name} documents no registered rule"
        );
    }
}

#[test]
fn doc_headers_match_the_registry() {
    for rule in RULES {
        let mut lines = rule.doc.lines();
        assert_eq!(
            lines.next(),
            Some(format!("# {} ({})", rule.name, rule.code).as_str())
        );
        let meta = format!(
            "Severity: {} · Default: {} · Group: {}",
            rule.severity.as_str(),
            if rule.default_enabled { "on" } else { "off" },
            rule.group.as_str()
        );
        assert_eq!(
            lines.next(),
            Some(meta.as_str()),
            "metadata line of {}",
            rule.code
        );
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## How to fix",
            "## References",
        ] {
            assert!(
                rule.doc.contains(section),
                "{} lacks `{section}`",
                rule.code
            );
        }
    }
}

#[test]
fn examples_fire_and_stay_clean() {
    let mut failures = Vec::new();
    for rule in RULES {
        let path = doc_path(rule);
        let doc = std::fs::read_to_string(&path).unwrap();
        let all = blocks(&doc);
        let mut rewritten = doc.clone();
        let mut shift: isize = 0;
        let (mut bad_count, mut good_count) = (0, 0);
        let mut last_bad_output: Option<String> = None;
        let project_files: Vec<(String, String)> = all
            .iter()
            .filter_map(|b| attr(&b.info, "file").map(|f| (f.to_string(), b.body.clone())))
            .collect();
        let by_project = matches!(rule.check, Check::Config);
        let own = |code: &str| code == rule.code;
        for block in &all {
            let at = format!(
                "{} (rules/{}.md:{})",
                rule.code,
                rule.name,
                doc[..block.body_range.start].matches('\n').count()
            );
            if let Some(problem) = fence_problem(&block.info, by_project) {
                failures.push(format!("{at}: {problem}"));
                continue;
            }
            let kind = block.info.split_whitespace().collect::<Vec<_>>();
            let fname = format!("{}.{}", rule.name, kind.first().copied().unwrap_or("json"));
            let (codes, text) = match kind.get(1) {
                Some(&"bad") | Some(&"good") if by_project => {
                    let show = |c: &str| kind[1] == "good" || own(c);
                    let run = render_project(&project_files, &block.body, rule, show);
                    if project_files.is_empty() || run.files != project_files.len() as u64 {
                        failures.push(format!(
                            "{at}: kmslint checked {} files of the {} `file=` blocks",
                            run.files,
                            project_files.len()
                        ));
                    }
                    (run.codes, run.text)
                }
                Some(&"bad") | Some(&"good") => {
                    let show = |c: &str| kind[1] == "good" || own(c);
                    let body = expanded(&block.info, &block.body);
                    let source = SourceFile::new(fname, None, body);
                    let (codes, text) = render(&source, &settings_for(rule, &block.info), show);
                    (codes, text)
                }
                _ => (Vec::new(), String::new()),
            };
            if kind.get(1) == Some(&"bad") {
                bad_count += 1;
                for problem in bad_codes_problems(rule, &block.info, &codes) {
                    failures.push(format!("{at}: a bad example {problem}"));
                }
                if last_bad_output.replace(text).is_some() {
                    failures.push(format!(
                        "{at}: the bad example before this one has no output block"
                    ));
                }
            } else if kind.get(1) == Some(&"good") {
                good_count += 1;
                if attr(&block.info, "also").is_some() {
                    failures.push(format!("{at}: a good example has `also=`"));
                }
                if !codes.is_empty() {
                    failures.push(format!("{at}: a good example is not clean:\n{text}"));
                }
            } else if block.info == "text output" {
                let Some(expected) = last_bad_output.take() else {
                    failures.push(format!("{at}: an output block follows no bad example"));
                    continue;
                };
                if block.body != expected {
                    if bless() {
                        let start = (block.body_range.start as isize + shift) as usize;
                        let end = (block.body_range.end as isize + shift) as usize;
                        rewritten.replace_range(start..end, &expected);
                        shift += expected.len() as isize - block.body.len() as isize;
                    } else {
                        failures.push(format!(
                            "{at}: the output block differs (KMSLINT_BLESS=1 to update):\n--- doc\n{}\n--- actual\n{}",
                            block.body, expected
                        ));
                    }
                }
            }
        }
        if last_bad_output.is_some() {
            failures.push(format!(
                "{}: the last bad example has no output block",
                rule.code
            ));
        }
        if bad_count == 0 || good_count == 0 {
            failures.push(format!(
                "{}: needs at least one bad and one good example",
                rule.code
            ));
        }
        if bless() && rewritten != doc {
            std::fs::write(&path, rewritten).unwrap();
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn rules_index_is_generated() {
    let mut index = String::from(
        "# Rules\n\nGenerated from the registry by `tests/rule_docs.rs` (`KMSLINT_BLESS=1 cargo test` rewrites it).\n\n| code | name | severity | default | summary |\n|---|---|---|---|---|\n",
    );
    for r in RULES {
        index.push_str(&format!(
            "| {} | [{}]({}.md) | {} | {} | {} |\n",
            r.code,
            r.name,
            r.name,
            r.severity.as_str(),
            if r.default_enabled { "on" } else { "off" },
            r.summary
        ));
    }
    let path = rules_dir().join("README.md");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != index {
        if bless() {
            std::fs::write(&path, &index).unwrap();
        } else {
            panic!("rules/README.md is stale: run KMSLINT_BLESS=1 cargo test --test rule_docs");
        }
    }
}
