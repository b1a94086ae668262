#![allow(clippy::unwrap_used)]
//! Fixes, proven on every input kind. Each `tests/fixes/CODE/NAME.EXT` (EXT one of `json`,
//! `yaml`, `yml`, `tf`, `tpl`) is copied to a folder of its own and run through
//! `kmslint check --isolated` as a user runs it:
//! - `--diff --unsafe-fixes` prints a diff, pinned by `tests/fixes/CODE/NAME.EXT.snap`;
//! - after `--fix --unsafe-fixes` the file still parses (no KMS010, no key more that cannot be
//!   read), holds as many key policies, has no CODE finding left and no finding (code and
//!   message) it did not have before.
//!
//! A fixture named `nofix-…` shows where no fix can be made: it has a CODE finding, and
//! `--diff --unsafe-fixes` prints nothing. A code folder without fixtures fails, and so does a
//! snapshot without its fixture. New or changed snapshots are written as `.snap.new` next to
//! the fixture: review them with `cargo insta review` (or rename them).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The extensions of the files kmslint reads.
const EXTENSIONS: [&str; 5] = ["json", "yaml", "yml", "tf", "tpl"];

/// What one run of `kmslint check --format json` reported about the file.
#[derive(Debug)]
struct Report {
    /// Code and message of each finding.
    findings: Vec<(String, String)>,
    policies: u64,
    not_analysed: usize,
}

impl Report {
    fn count(&self, code: &str) -> usize {
        self.findings.iter().filter(|(c, _)| c == code).count()
    }
}

/// Run `kmslint check --isolated ARGS FILE` in `dir`: its standard output and error.
fn kmslint(dir: &Path, file: &str, args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kmslint"))
        .current_dir(dir)
        .args(["check", "--isolated", "--color", "never"])
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "kmslint {args:?} {file} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn lint(dir: &Path, file: &str) -> Report {
    let (out, _) = kmslint(dir, file, &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let field = |k: &str| d[k].as_str().unwrap().to_string();
            (field("code"), field("message"))
        })
        .collect();
    Report {
        findings,
        policies: json["summary"]["policies"].as_u64().unwrap(),
        not_analysed: json["summary"]["not_analysed"].as_array().unwrap().len(),
    }
}

/// Check one fixture; `Err` says what is wrong with it.
fn check_fixture(code: &str, fixture: &Path) -> Result<(), String> {
    let name = fixture.file_name().unwrap().to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join(name);
    std::fs::copy(fixture, &copy).unwrap();
    let original = std::fs::read_to_string(&copy).unwrap();

    let before = lint(dir.path(), name);
    if before.policies == 0 || before.count(code) == 0 {
        return Err(format!(
            "holds no key policy or no {code} finding: {before:?}"
        ));
    }
    let (diff, stderr) = kmslint(dir.path(), name, &["--diff", "--unsafe-fixes"]);

    if name.starts_with("nofix-") {
        return if diff.is_empty() {
            Ok(())
        } else {
            Err(format!("a fix was made:\n{diff}"))
        };
    }
    if diff.is_empty() {
        return Err(format!("no diff; kmslint said: {stderr}"));
    }

    kmslint(dir.path(), name, &["--fix", "--unsafe-fixes"]);
    let fixed = std::fs::read_to_string(&copy).unwrap();
    let after = lint(dir.path(), name);
    let old: BTreeSet<_> = before.findings.iter().collect();
    let new: Vec<_> = after.findings.iter().filter(|f| !old.contains(f)).collect();
    let problems = [
        (
            fixed == original,
            "--fix did not change the file".to_string(),
        ),
        (
            after.count("KMS010") > 0,
            "the fixed file does not parse".to_string(),
        ),
        (
            after.not_analysed > before.not_analysed || after.policies != before.policies,
            format!(
                "key policies before: {} ({} not analysed), after: {} ({} not analysed)",
                before.policies, before.not_analysed, after.policies, after.not_analysed
            ),
        ),
        (
            after.count(code) > 0,
            format!("{} {code} finding(s) left", after.count(code)),
        ),
        (!new.is_empty(), format!("new findings: {new:?}")),
    ];
    let failed: Vec<&str> = problems
        .iter()
        .filter(|(bad, _)| *bad)
        .map(|(_, what)| what.as_str())
        .collect();
    if !failed.is_empty() {
        return Err(format!("{}\nfixed text:\n{fixed}", failed.join("\n")));
    }

    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(fixture.parent().unwrap());
    settings.set_prepend_module_to_snapshot(false);
    settings.set_input_file(fixture);
    settings.set_omit_expression(true);
    // A mismatch panics after writing `.snap.new`; the other fixtures are still checked.
    let pinned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_snapshot!(name, diff));
    }));
    match pinned {
        Ok(()) if snapshot_of(fixture).exists() => Ok(()),
        Ok(()) => Err("no snapshot".to_string()),
        Err(_) => Err("the diff is not its snapshot (see above)".to_string()),
    }
}

fn snapshot_of(fixture: &Path) -> PathBuf {
    PathBuf::from(format!("{}.snap", fixture.display()))
}

#[test]
fn fixes_fix_every_input_kind() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixes");
    let mut codes: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    codes.sort();
    assert!(!codes.is_empty());
    let mut failures = Vec::new();
    for dir in &codes {
        let code = dir.file_name().unwrap().to_str().unwrap();
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let is_fixture = |p: &Path| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e))
        };
        let fixtures: Vec<&PathBuf> = files.iter().filter(|p| is_fixture(p)).collect();
        if fixtures.is_empty() {
            failures.push(format!("{code}: no fixtures"));
        }
        for file in &files {
            let name = file.file_name().unwrap().to_str().unwrap();
            if let Some(fixture) = name.strip_suffix(".snap") {
                if !fixtures.iter().any(|f| f.ends_with(fixture)) || fixture.starts_with("nofix-") {
                    failures.push(format!("{code}/{name}: a snapshot of no fixture"));
                }
            } else if !is_fixture(file) && !name.ends_with(".snap.new") {
                failures.push(format!(
                    "{code}/{name}: not a fixture (extensions: {EXTENSIONS:?})"
                ));
            }
        }
        for fixture in fixtures {
            let name = fixture.file_name().unwrap().to_str().unwrap();
            if let Err(e) = check_fixture(code, fixture) {
                failures.push(format!("{code}/{name}: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}
