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

// `rule` and `rules` know the configuration's custom rules.

const CUSTOM_RULES: &str = r#"
[[custom-rule]]
code = "ORG001"
name = "no-wildcard-principal"
severity = "error"
message = "`{value}` is a wildcard principal"
help = "name the principals that need the key"
select = "$.Statement[*].Principal.AWS"
forbid = "^\\*$"

[[custom-rule]]
code = "ORG002"
name = "policy-has-version"
message = "the policy has no `Version`"
select = "$.Version"
exists = true
"#;

#[test]
fn rules_lists_the_custom_rules_of_the_configuration_above() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "kmslint.toml", CUSTOM_RULES);
    write_file(dir.path(), "keys/.keep", "");
    let keys = dir.path().join("keys");
    let (code, out, err) = output(kmslint_in(&keys).arg("rules"));
    assert_eq!(code, 0, "{err}");
    let custom: Vec<&str> = out.lines().filter(|l| l.starts_with("ORG")).collect();
    assert_eq!(
        custom,
        [
            "ORG001  no-wildcard-principal                  error    on       a value at `$.Statement[*].Principal.AWS` matches `^\\*$`",
            "ORG002  policy-has-version                     warning  on       the policy has nothing at `$.Version`",
        ]
    );
    assert!(out.lines().nth(1).unwrap().starts_with("KMS001 "), "{out}");
    let (code, json, _) = output(kmslint_in(&keys).args(["rules", "--format", "json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rules = v.as_array().unwrap();
    assert_eq!(rules.len(), kmslint::registry::RULES.len() + 2);
    assert_eq!(
        rules[rules.len() - 2],
        serde_json::json!({
            "code": "ORG001",
            "name": "no-wildcard-principal",
            "severity": "error",
            "default": true,
            "group": "custom",
            "summary": "a value at `$.Statement[*].Principal.AWS` matches `^\\*$`",
        })
    );
    // `--isolated`: built-in rules only.
    let (_, out, _) = output(kmslint_in(&keys).args(["rules", "--isolated"]));
    assert!(!out.contains("ORG00"), "{out}");
}

#[test]
fn rules_reads_the_configuration_named_with_config() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "conf/org.toml", CUSTOM_RULES);
    write_file(dir.path(), "elsewhere/.keep", "");
    let elsewhere = dir.path().join("elsewhere");
    let (_, out, _) = output(kmslint_in(&elsewhere).arg("rules"));
    assert!(!out.contains("ORG001"), "{out}");
    let (code, out, err) =
        output(kmslint_in(&elsewhere).args(["rules", "--config", "../conf/org.toml"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\nORG001  no-wildcard-principal "), "{out}");
    let (code, out, err) =
        output(kmslint_in(&elsewhere).args(["rule", "ORG002", "--config", "../conf/org.toml"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("# policy-has-version (ORG002)\n"), "{out}");
}

#[test]
fn rule_prints_what_a_custom_rule_checks() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "kmslint.toml", CUSTOM_RULES);
    let (code, out, err) = output(kmslint_in(dir.path()).args(["rule", "ORG001"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "# no-wildcard-principal (ORG001)
Severity: error · Default: on · Group: custom

## What it does
A custom rule of `kmslint.toml` (`[[custom-rule]]`): reports when a value at `$.Statement[*].Principal.AWS` matches `^\\*$`.

## What it checks
- `select`: `$.Statement[*].Principal.AWS`
- `forbid`: `^\\*$`: a selected value that matches it is reported
- `message`: `{value}` is a wildcard principal

## How to fix
name the principals that need the key
"
    );
    // By name and in any case of the code, like built-in rules.
    let (_, by_name, _) = output(kmslint_in(dir.path()).args(["rule", "no-wildcard-principal"]));
    assert_eq!(by_name, out);
    let (_, lower, _) = output(kmslint_in(dir.path()).args(["rule", "org001"]));
    assert_eq!(lower, out);
    let (_, exists, _) = output(kmslint_in(dir.path()).args(["rule", "ORG002"]));
    assert!(
        exists.contains("- `exists = true`: the policy is reported when nothing is selected\n"),
        "{exists}"
    );
    // An unknown code is matched against the custom rules too.
    let (code, _, err) = output(kmslint_in(dir.path()).args(["rule", "ORG003"]));
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: no rule `ORG003` (did you mean `ORG001`?); `kmslint rules` lists them\n"
    );
    // A built-in rule's document is unchanged.
    let (_, builtin, _) = output(kmslint_in(dir.path()).args(["rule", "KMS003"]));
    assert!(builtin.starts_with("# admin-can-self-grant (KMS003)\n"));
}

#[test]
fn rule_and_rules_stop_on_a_broken_configuration() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "kmslint.toml", "selec = [\"KMS001\"]\n");
    for args in [
        &["rules"][..],
        &["rules", "--format", "json"],
        &["rule", "KMS001"],
    ] {
        let (code, out, err) = output(kmslint_in(dir.path()).args(args));
        assert_eq!(code, 2, "{args:?}");
        assert_eq!(out, "", "{args:?}");
        assert!(
            err.starts_with("error: kmslint.toml:1:1: unknown field `selec`"),
            "{args:?}: {err}"
        );
    }
    let (code, _, err) = output(kmslint_in(dir.path()).args(["rules", "--config", "none.toml"]));
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: none.toml: cannot read the configuration: "),
        "{err}"
    );
    // `--isolated` reads no configuration.
    let (code, _, _) = output(kmslint_in(dir.path()).args(["rules", "--isolated"]));
    assert_eq!(code, 0);
}

// `--output`: missing folders, and `-`.

#[test]
fn output_creates_missing_folders_before_linting() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "keys/group.json", GROUP_POLICY);
    let (code, out, err) = output(kmslint_in(dir.path()).args([
        "check",
        "--isolated",
        "keys",
        "--format",
        "json",
        "--output",
        "reports/ci/kmslint.json",
    ]));
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "");
    let report = std::fs::read_to_string(dir.path().join("reports/ci/kmslint.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(v["diagnostics"][0]["code"], "KMS002");
}

#[test]
fn output_in_a_folder_that_cannot_be_created_stops_before_linting() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "keys/group.json", GROUP_POLICY);
    write_file(dir.path(), "notes.txt", "");
    let (code, out, err) = output(kmslint_in(dir.path()).args([
        "check",
        "--isolated",
        "keys",
        "missing.json",
        "--output",
        "notes.txt/reports/kmslint.json",
    ]));
    assert_eq!(code, 2);
    assert_eq!(out, "");
    // One error, and not the missing input's: nothing was linted.
    assert!(
        err.starts_with(
            "error: cannot create the folder `notes.txt/reports` for `--output notes.txt/reports/kmslint.json`: "
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn output_dash_is_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "group.json", GROUP_POLICY);
    let (code, out, err) = output(kmslint_in(dir.path()).args([
        "check",
        "--isolated",
        "group.json",
        "--format",
        "compact",
        "-o",
        "-",
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(out.starts_with("group.json:7:27: error[KMS002]"), "{out}");
    assert!(
        !dir.path().join("-").exists(),
        "a file named `-` was written"
    );
}
