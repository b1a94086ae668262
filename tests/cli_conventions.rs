#![allow(clippy::unwrap_used)]
//! Command-line conventions: mistyped commands, `rule`/`rules` with custom rules, `--output`
//! targets, CI options (`--exit-zero`, `--quiet`, `--color`, `--show-settings`,
//! `--show-files`), completions and the man page, and `--force-exclude` with standard input.

use std::path::Path;

use assert_cmd::Command;

/// kmslint in `dir`, without the colour switches of the environment.
fn kmslint_in(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("kmslint").unwrap();
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR");
    cmd
}

/// kmslint in the repository (the examples are there).
fn kmslint() -> Command {
    kmslint_in(Path::new(env!("CARGO_MANIFEST_DIR")))
}

/// Exit status, stdout and stderr.
fn output(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Write `text` to `rel` under `dir`, creating folders.
fn write_file(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A key policy with one KMS002 finding (an error) at 7:27.
const GROUP_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}},
    {"Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:group/Analysts"}, "Action": "kms:Decrypt", "Resource": "*"}
  ]
}
"#;

// Mistyped commands.

#[test]
fn a_mistyped_command_is_a_usage_error_and_nothing_is_linted() {
    for (word, meant) in [
        ("chek", "check"),
        ("chekc", "check"),
        ("rulse", "rules"),
        ("rul", "rule"),
        ("lps", "lsp"),
        ("Check", "check"),
    ] {
        let (code, out, err) = output(kmslint().args([word, "examples/", "--isolated"]));
        assert_eq!(code, 2, "{word}: {err}");
        assert_eq!(out, "", "{word}: something was linted");
        assert_eq!(
            err,
            format!("error: unknown command `{word}` (did you mean `{meant}`?)\n")
        );
    }
}

#[test]
fn a_word_that_exists_as_a_path_is_a_path() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "chek/key.json", GROUP_POLICY);
    let (code, out, err) =
        output(kmslint_in(dir.path()).args(["chek", "--isolated", "--format", "compact"]));
    assert_eq!(code, 1, "{err}");
    assert_eq!(err, "");
    assert!(
        out.starts_with("chek/key.json:7:27: error[KMS002]"),
        "{out}"
    );
}

#[test]
fn a_word_close_to_no_command_is_a_missing_path() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "key.json", GROUP_POLICY);
    let (code, out, err) = output(kmslint_in(dir.path()).args([
        "docs",
        "key.json",
        "--isolated",
        "--format",
        "compact",
    ]));
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: docs: No such file or directory"),
        "{err}"
    );
    assert!(out.contains("key.json:7:27: error[KMS002]"), "{out}");
}

#[test]
fn words_after_a_double_dash_are_paths() {
    let (code, _, err) = output(kmslint().args(["--isolated", "--", "chek"]));
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: chek: No such file or directory"),
        "{err}"
    );
}

#[test]
fn a_command_after_options_says_where_it_goes() {
    let (code, out, err) = output(kmslint().args(["--isolated", "check", "examples/"]));
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "error: `check` is a command, not a path: put it before the options (`kmslint check [OPTIONS] ...`)\n"
    );
}
