#![allow(clippy::unwrap_used)]
//! Whole directories with exact positions: every `tests/modules/NAME/` is checked by the built
//! binary from inside it (`kmslint check --isolated --format json .`, as a CI job at a
//! repository's root would), and its findings and keys not analysed are compared with
//! `tests/modules/NAME.expect`:
//!
//! ```text
//! PATH:LINE:COL CODE `TEXT`
//! PATH:LINE:COL not-analysed POLICY: REASON
//! ```
//!
//! `TEXT` is the file's own text where the finding starts (to the end of its span, at most 60
//! characters, on one line), read from the file by this test, not by kmslint: a wrong column
//! shows as wrong text. These directories hold Terraform modules (several `.tf` files read
//! together, template files), CloudFormation templates with optional statements, and walks
//! over mixed resource policies. `KMSLINT_BLESS=1 cargo test --test modules` rewrites the
//! expectations.

use std::path::Path;
use std::process::Command;

/// The text at 1-based `line`/`column` (in characters), up to the end column on the same
/// line, at most 60 characters.
fn text_at(file: &str, line: u64, column: u64, end_line: u64, end_column: u64) -> String {
    let Some(l) = file.lines().nth(line as usize - 1) else {
        return "<no such line>".to_string();
    };
    let chars: Vec<char> = l.chars().collect();
    let start = (column as usize).saturating_sub(1).min(chars.len());
    let end = if end_line == line {
        (end_column as usize)
            .saturating_sub(1)
            .clamp(start, chars.len())
    } else {
        chars.len()
    };
    let text: String = chars[start..end].iter().take(60).collect();
    text
}

fn actual(dir: &Path) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_kmslint"))
        .args(["check", "--isolated", "--format", "json", "."])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.code().unwrap() < 2,
        "{}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut lines = Vec::new();
    for d in v["diagnostics"].as_array().unwrap() {
        let path = d["path"].as_str().unwrap();
        let text = std::fs::read_to_string(dir.join(path)).unwrap();
        let n = |k: &str| d[k].as_u64().unwrap();
        lines.push(format!(
            "{path}:{}:{} {} `{}`",
            n("line"),
            n("column"),
            d["code"].as_str().unwrap(),
            text_at(
                &text,
                n("line"),
                n("column"),
                n("end_line"),
                n("end_column")
            )
        ));
    }
    for note in v["summary"]["not_analysed"].as_array().unwrap() {
        lines.push(format!(
            "{}:{}:{} not-analysed {}: {}",
            note["path"].as_str().unwrap(),
            note["line"],
            note["column"],
            note["policy"].as_str().unwrap(),
            note["reason"].as_str().unwrap()
        ));
    }
    if v["summary"]["policies"] == 0 {
        lines.push("no key policy".to_string());
    }
    lines.sort();
    lines
}

#[test]
fn directories_report_exact_positions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/modules");
    let bless = std::env::var_os("KMSLINT_BLESS").is_some();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    let mut failures = Vec::new();
    for dir in &dirs {
        let expect_path = dir.with_extension("expect");
        let got = actual(dir);
        let expected: Vec<String> = std::fs::read_to_string(&expect_path)
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        if got != expected {
            if bless {
                std::fs::write(&expect_path, got.join("\n") + "\n").unwrap();
            } else {
                failures.push(format!(
                    "{}\n  expected:\n    {}\n  actual:\n    {}",
                    dir.display(),
                    expected.join("\n    "),
                    got.join("\n    ")
                ));
            }
        }
    }
    // Every expectation belongs to a directory.
    for entry in std::fs::read_dir(&root).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "expect") && !p.with_extension("").is_dir() {
            failures.push(format!("{} has no directory", p.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
