#![allow(clippy::unwrap_used)]
//! Fixtures with exact positions: every `tests/fixtures/**/NAME.EXT` (any input kind) is linted
//! and its findings compared with `NAME.EXT.expect`, one `LINE:COL CODE` a line, sorted.
//! A first line `# args: …` gives command-line options (`--account`, `--select`, …).
//! A fixture without its `.expect` file fails (an empty file says "no findings"), and so does
//! an `.expect` file without its fixture.
//! `KMSLINT_BLESS=1 cargo test --test fixtures` writes missing or changed expectations.
//!
//! Settings come from the `# args:` line alone (`Overrides::settings`, as `--isolated` gives them):
//! no `kmslint.toml` is looked for.

use std::path::{Path, PathBuf};

use clap::Parser;

use kmslint::cli::Cli;
use kmslint::engine::{Reach, lint_bytes};

/// The fixtures under `dir`, and the `.expect` files.
fn fixtures(dir: &Path, out: &mut Vec<PathBuf>, expects: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            fixtures(&path, out, expects);
        } else if path.extension().is_some_and(|e| e == "expect") {
            expects.push(path);
        } else if path.extension().is_some() {
            out.push(path);
        }
    }
}

#[test]
fn every_expect_file_has_its_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let (mut files, mut expects) = (Vec::new(), Vec::new());
    fixtures(&root, &mut files, &mut expects);
    let orphans: Vec<&PathBuf> = expects
        .iter()
        .filter(|e| !files.contains(&e.with_extension("")))
        .collect();
    assert!(
        orphans.is_empty(),
        "expectations of no fixture: {orphans:?}"
    );
}

#[test]
fn fixtures_report_exact_positions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let (mut files, mut expects) = (Vec::new(), Vec::new());
    fixtures(&root, &mut files, &mut expects);
    files.sort();
    assert!(!files.is_empty());
    let bless = std::env::var_os("KMSLINT_BLESS").is_some();
    let mut failures = Vec::new();
    for file in &files {
        let name = file.strip_prefix(&root).unwrap().display().to_string();
        let expect_path = PathBuf::from(format!("{}.expect", file.display()));
        let (expected_text, missing) = match std::fs::read_to_string(&expect_path) {
            Ok(text) => (text, false),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (String::new(), true),
            Err(e) => panic!("{}: {e}", expect_path.display()),
        };
        let mut args = vec!["kmslint".to_string()];
        let header = expected_text
            .lines()
            .next()
            .filter(|l| l.starts_with("# args:"));
        if let Some(h) = header {
            args.extend(h["# args:".len()..].split_whitespace().map(str::to_string));
        }
        let cli = Cli::try_parse_from(&args).unwrap();
        let settings = cli.check.overrides().settings().unwrap();
        let kind = kmslint::extract::InputKind::from_path(file)
            .unwrap_or(kmslint::extract::InputKind::Json);
        let (source, report) = lint_bytes(
            &name,
            kind,
            std::fs::read(file).unwrap(),
            Reach::Named,
            &settings,
        );
        let mut actual: Vec<String> = report
            .diagnostics
            .iter()
            .map(|d| {
                let at = source.line_col(d.span.start);
                format!("{}:{} {}", at.line, at.column, d.rule.code())
            })
            .collect();
        actual.sort();
        let mut expected: Vec<String> = expected_text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| l.trim().to_string())
            .collect();
        expected.sort();
        if missing && !bless {
            failures.push(format!(
                "{name}\n  no {name}.expect (`KMSLINT_BLESS=1 cargo test --test fixtures` writes it)\n  actual:   {actual:?}"
            ));
        } else if actual != expected || missing {
            if bless {
                let mut text = header.map(|h| format!("{h}\n")).unwrap_or_default();
                for line in &actual {
                    text.push_str(line);
                    text.push('\n');
                }
                std::fs::write(&expect_path, text).unwrap();
            } else {
                failures.push(format!(
                    "{name}\n  expected: {expected:?}\n  actual:   {actual:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "fixtures differ:\n{}",
        failures.join("\n")
    );
}
