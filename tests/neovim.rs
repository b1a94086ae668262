#![allow(clippy::unwrap_used)]
//! End to end in a real editor: Neovim's built-in LSP client, headless, runs
//! `tests/editor/neovim-lsp.lua` (diagnostics as the text changes) and
//! `tests/editor/neovim-code-action.lua` (a quick fix and fix-all applied by Neovim) against
//! the built `kmslint lsp`. Needs `nvim` (0.7 or newer:
//! `apt-get install neovim`), so plain `cargo test` skips it; `.ci/run` installs Neovim and runs
//! it with `cargo test --test neovim -- --ignored`.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Latin-1 text before the principal: `É` and `é` are two bytes each in UTF-8 (Neovim's
/// columns) and one UTF-16 unit (the server's), so a column mix-up shows.
const POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}},
    {"Sid": "Équipe données", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:group/Analysts"}, "Action": "kms:Decrypt", "Resource": "*"}
  ]
}
"#;

/// Run a script of `tests/editor/` in a headless Neovim on a copy of `policy`, with the
/// server's binary and the file in its environment (and `KMSLINT_LNUM`, `KMSLINT_COL`): the
/// `ok:`/`FAIL:` lines it printed, the file's text afterwards, and everything it printed.
fn run_neovim(script: &str, name: &str, policy: &str, lnum: usize, col: usize) -> Run {
    let nvim = Command::new("nvim").arg("--version").output();
    let Ok(version) = nvim else {
        panic!(
            "this test needs Neovim 0.7 or newer as `nvim` on PATH: install it with `apt-get install neovim` (Debian, Ubuntu) or your package manager"
        );
    };
    let version = String::from_utf8_lossy(&version.stdout);
    eprintln!("{}", version.lines().next().unwrap_or_default());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, policy).unwrap();

    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/editor")
        .join(script);
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let mut child = Command::new("nvim")
        .args([
            "--headless",
            "--clean",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "-n",
            "-c",
        ])
        .arg(format!("luafile {}", script.display()))
        .env("KMSLINT_BIN", env!("CARGO_BIN_EXE_kmslint"))
        .env("KMSLINT_FILE", &file)
        .env("KMSLINT_LNUM", lnum.to_string())
        .env("KMSLINT_COL", col.to_string())
        // Keep Neovim's state, logs and caches out of the user's home.
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", &home)
        .env("XDG_DATA_HOME", &home)
        .env("XDG_STATE_HOME", &home)
        .env("XDG_CACHE_HOME", &home)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let report = format!("stdout:\n{out}\nstderr:\n{err}");
    let Some(status) = status else {
        panic!("Neovim did not finish within two minutes\n{report}");
    };
    assert!(status.success(), "Neovim exited with {status}\n{report}");
    let checks = out
        .lines()
        .filter(|l| l.starts_with("ok: ") || l.starts_with("FAIL: "))
        .map(str::to_string)
        .collect();
    Run {
        checks,
        text: std::fs::read_to_string(&file).unwrap(),
        report,
    }
}

struct Run {
    checks: Vec<String>,
    text: String,
    report: String,
}

#[test]
#[ignore = "needs nvim: apt-get install neovim"]
fn neovim_shows_kms002_and_updates_it_on_edits() {
    let line = POLICY.lines().nth(4).unwrap();
    let col = line.find("\"arn:aws:iam::111122223333:group").unwrap();
    let run = run_neovim("neovim-lsp.lua", "group-principal.json", POLICY, 4, col);
    let expected = [
        "ok: the kmslint language server starts".to_string(),
        "ok: KMS002 is reported after opening the policy".to_string(),
        format!("ok: KMS002 is at line 4, column {col} (got line 4, column {col})"),
        "ok: the diagnostic comes from kmslint (got kmslint)".to_string(),
        "ok: KMS002 is an error".to_string(),
        "ok: the principal line names a group".to_string(),
        "ok: KMS002 is gone after changing the group to a role".to_string(),
        "ok: KMS002 is back after changing the role to a group".to_string(),
        format!("ok: KMS002 moved to column {} (got {})", col + 2, col + 2),
    ];
    assert_eq!(run.checks, expected, "{}", run.report);
}

/// No `Version`, and `allow` after Latin-1 text (two bytes, one UTF-16 unit each).
const FIXABLE: &str = r#"{
  "Statement": [
    {"Sid": "Équipe données", "Effect": "allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Analysts"}, "Action": "kms:Decrypt", "Resource": "*"}
  ]
}
"#;

#[test]
#[ignore = "needs nvim: apt-get install neovim"]
fn neovim_applies_a_quick_fix_and_fix_all() {
    let line = FIXABLE.lines().nth(2).unwrap();
    let col = line.find("\"allow\"").unwrap();
    let run = run_neovim("neovim-code-action.lua", "fixable.json", FIXABLE, 2, col);
    let expected = [
        "ok: the kmslint language server starts",
        "ok: KMS016 is reported after opening the policy",
        "ok: the server offers `Set `Effect` to `Allow`` at `allow`",
        "ok: the safe fix is preferred",
        "ok: the fix replaced `allow` in place (got \"Allow\")",
        "ok: KMS016 is gone after the fix",
        "ok: fix-all is the one action of kind source.fixAll (got 1)",
        "ok: KMS012 is gone after fix-all",
    ];
    assert_eq!(run.checks, expected, "{}", run.report);
    assert_eq!(
        run.text,
        FIXABLE.replace("\"allow\"", "\"Allow\"").replace(
            "{\n  \"Statement\"",
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\""
        )
    );
}
