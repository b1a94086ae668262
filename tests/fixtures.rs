#![allow(clippy::unwrap_used)]
//! Fixtures with exact positions: every `tests/fixtures/**/NAME.EXT` (any input kind) is linted
//! and its findings compared with `NAME.EXT.expect`, one `LINE:COL CODE` a line, sorted.
//! A first line `# args: …` gives command-line options (`--account`, `--select`, …).
//! `KMSLINT_BLESS=1 cargo test --test fixtures` writes missing or changed expectations.

use std::path::{Path, PathBuf};

use clap::Parser;
use kmslint::app::settings_from;
use kmslint::cli::Cli;
use kmslint::engine::lint_bytes;

fn fixtures(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            fixtures(&path, out);
        } else if path.extension().is_some_and(|e| e != "expect") {
            out.push(path);
        }
    }
}

#[test]
fn fixtures_report_exact_positions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = Vec::new();
    fixtures(&root, &mut files);
    files.sort();
    assert!(!files.is_empty());
    let bless = std::env::var_os("KMSLINT_BLESS").is_some();
    let mut failures = Vec::new();
    for file in &files {
        let expect_path = PathBuf::from(format!("{}.expect", file.display()));
        let expected_text = std::fs::read_to_string(&expect_path).unwrap_or_default();
        let mut args = vec!["kmslint".to_string()];
        let header = expected_text
            .lines()
            .next()
            .filter(|l| l.starts_with("# args:"));
        if let Some(h) = header {
            args.extend(h["# args:".len()..].split_whitespace().map(str::to_string));
        }
        let cli = Cli::try_parse_from(&args).unwrap();
        let settings = settings_from(&cli.check).unwrap();
        let name = file.strip_prefix(&root).unwrap().display().to_string();
        let kind = kmslint::extract::InputKind::from_path(file)
            .unwrap_or(kmslint::extract::InputKind::Json);
        let (source, report) =
            lint_bytes(&name, kind, std::fs::read(file).unwrap(), true, &settings);
        let mut actual: Vec<String> = report
            .diagnostics
            .iter()
            .map(|d| {
                let at = source.line_col(d.span.start);
                format!("{}:{} {}", at.line, at.column, d.rule.code)
            })
            .collect();
        actual.sort();
        let mut expected: Vec<String> = expected_text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| l.trim().to_string())
            .collect();
        expected.sort();
        if actual != expected {
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
