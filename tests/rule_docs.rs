#![allow(clippy::unwrap_used)]
//! Every rule's documentation is also its test: `rules/<name>.md` examples are linted here.
//!
//! - every registered rule has a doc, and every doc a rule;
//! - the doc's heading and metadata line match the registry;
//! - each ```` ```json bad ```` block fires its rule (and only its rule, with only that rule on);
//! - each ```` ```json good ```` block is clean under every default rule (plus the rule itself);
//! - each ```` ```text output ```` block after a bad block equals the rendered report;
//! - `rules/README.md` is the generated index.
//!
//! Fence attributes: `account=ID` sets `--account`, `trusted-account=ID[,ID]` sets
//! `--trusted-account`, and `repeat-line=N:K` repeats line N of the block K times before
//! linting (for examples that must be large).
//!
//! Rules about the configuration (KMS100) are shown with a project instead: each
//! ```` ```json file=PATH ```` block is a file of it, and each ```` ```toml bad ```` or
//! ```` ```toml good ```` block its `kmslint.toml`; kmslint checks the whole project.
//!
//! `KMSLINT_BLESS=1 cargo test --test rule_docs` rewrites output blocks and the index.

use std::path::{Path, PathBuf};

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

fn settings_for(rule: &Rule, info: &str, only: bool) -> Settings {
    let mut s = if only {
        Settings::only(&[rule.code])
    } else {
        let mut s = Settings::default();
        s.select(None, &[rule.code.to_string()], &[]).unwrap();
        s
    };
    s.context.account = attr(info, "account").map(str::to_string);
    s.context.trusted_accounts = attr(info, "trusted-account")
        .map(|a| a.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    s
}

fn render(source: &SourceFile, settings: &Settings) -> (Vec<&'static str>, String) {
    let report = lint_source(source, kmslint::extract::InputKind::Json, true, settings);
    let renderer = Renderer {
        format: Format::Human,
        color: false,
    };
    let text = renderer.file(source, &report.diagnostics).concat();
    (
        report.diagnostics.iter().map(|d| d.rule.code).collect(),
        text,
    )
}

/// Check a project of `files` with `config` as its `kmslint.toml`: the codes reported and the
/// human report without its summary line.
fn render_project(files: &[(String, String)], config: &str) -> (Vec<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    std::fs::write(dir.path().join("kmslint.toml"), config).unwrap();
    let run = |format: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kmslint"))
            .args(["check", ".", "--format", format])
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
    (codes, body.to_string())
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
        for block in &all {
            let kind = block.info.split_whitespace().collect::<Vec<_>>();
            let fname = format!("{}.{}", rule.name, kind.first().copied().unwrap_or("json"));
            if by_project && matches!(kind.get(1), Some(&"bad") | Some(&"good")) {
                let (codes, text) = render_project(&project_files, &block.body);
                if kind[1] == "bad" {
                    bad_count += 1;
                    if codes.is_empty() || codes.iter().any(|c| c != rule.code) {
                        failures.push(format!("{}: a bad example fires {codes:?}", rule.code));
                    }
                    last_bad_output = Some(text);
                } else {
                    good_count += 1;
                    if !codes.is_empty() {
                        failures.push(format!(
                            "{}: a good example is not clean:\n{text}",
                            rule.code
                        ));
                    }
                }
            } else if kind.get(1) == Some(&"bad") {
                bad_count += 1;
                let body = expanded(&block.info, &block.body);
                let source = SourceFile::new(fname, None, body);
                let (codes, text) = render(&source, &settings_for(rule, &block.info, true));
                if codes.is_empty() {
                    failures.push(format!("{}: a bad example does not fire", rule.code));
                }
                if codes.iter().any(|c| *c != rule.code) {
                    failures.push(format!("{}: a bad example fires {codes:?}", rule.code));
                }
                last_bad_output = Some(text);
            } else if kind.get(1) == Some(&"good") {
                good_count += 1;
                let body = expanded(&block.info, &block.body);
                let source = SourceFile::new(fname, None, body);
                let (codes, text) = render(&source, &settings_for(rule, &block.info, false));
                if !codes.is_empty() {
                    failures.push(format!(
                        "{}: a good example is not clean:\n{text}",
                        rule.code
                    ));
                }
            } else if block.info == "text output" {
                let Some(expected) = last_bad_output.take() else {
                    failures.push(format!(
                        "{}: an output block follows no bad example",
                        rule.code
                    ));
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
                            "{}: the output block differs (KMSLINT_BLESS=1 to update):\n--- doc\n{}\n--- actual\n{}",
                            rule.code, block.body, expected
                        ));
                    }
                }
            }
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
