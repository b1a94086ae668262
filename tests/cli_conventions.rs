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

// CI conventions: `--exit-zero`, `--quiet`, `--color`, `--show-settings`, `--show-files`.

#[test]
fn exit_zero_passes_findings_but_not_errors() {
    let (code, out, _) =
        output(kmslint().args(["check", "--isolated", "examples/", "--exit-zero"]));
    assert_eq!(code, 0);
    assert!(out.contains("1 error, 7 warnings"), "{out}");
    // Without it the same run fails.
    let (code, _, _) = output(kmslint().args(["check", "--isolated", "examples/"]));
    assert_eq!(code, 1);
    // A file that could not be read, and a usage error, are still status 2.
    let (code, _, _) = output(kmslint().args([
        "check",
        "--isolated",
        "examples/",
        "missing.json",
        "--exit-zero",
    ]));
    assert_eq!(code, 2);
    let (code, _, _) =
        output(kmslint().args(["check", "--isolated", "--select", "KMS9", "--exit-zero"]));
    assert_eq!(code, 2);
}

#[test]
fn quiet_prints_the_findings_only_in_human_and_compact() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "group.json", GROUP_POLICY);
    let run = |args: &[&str]| {
        let mut cmd = kmslint_in(dir.path());
        cmd.args(["check", "--isolated", "group.json", "missing.json"])
            .args(args);
        output(&mut cmd)
    };
    let (code, quiet, err) = run(&["--quiet"]);
    assert_eq!(code, 2);
    let (_, loud, _) = run(&[]);
    assert!(
        loud.ends_with(
            "1 error in 1 file (1 file checked, 1 key policy); 1 file could not be read\n"
        ),
        "{loud}"
    );
    assert!(!quiet.contains("file checked"), "{quiet}");
    assert!(
        quiet.contains("× IAM group `Analysts` cannot be a principal"),
        "{quiet}"
    );
    assert_eq!(
        quiet,
        loud.replace(
            "1 error in 1 file (1 file checked, 1 key policy); 1 file could not be read\n",
            ""
        )
    );
    // The error still goes to standard error.
    assert!(
        err.starts_with("error: missing.json: No such file or directory"),
        "{err}"
    );
    // Compact: the finding, without the `error[io]` summary line.
    let (_, compact, _) = run(&["-q", "--format", "compact"]);
    assert_eq!(compact.lines().count(), 1, "{compact}");
    assert!(
        compact.starts_with("group.json:7:27: error[KMS002]"),
        "{compact}"
    );
    let (_, loud_compact, _) = run(&["--format", "compact"]);
    assert!(
        loud_compact.contains("missing.json: error[io]"),
        "{loud_compact}"
    );
    // Machine formats are documents: unchanged.
    for format in ["json", "sarif", "github", "gitlab"] {
        let (_, quiet, _) = run(&["-q", "--format", format]);
        let (_, loud, _) = run(&["--format", format]);
        assert_eq!(quiet, loud, "{format}");
    }
}

/// Whether `out` holds ANSI colour sequences.
fn coloured(out: &str) -> bool {
    out.contains("\u{1b}[")
}

#[test]
fn color_option_and_environment() {
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = kmslint();
        cmd.args(["check", "--isolated", "examples/group-principal.json"])
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        output(&mut cmd).1
    };
    // Tests run with standard output in a pipe: `auto` does not colour it.
    assert!(!coloured(&run(&[], &[])));
    assert!(!coloured(&run(&["--color", "auto"], &[])));
    assert!(coloured(&run(&["--color", "always"], &[])));
    assert!(coloured(&run(&["--color", "always"], &[("NO_COLOR", "1")])));
    assert!(!coloured(&run(
        &["--color", "never"],
        &[("FORCE_COLOR", "1")]
    )));
    // FORCE_COLOR colours under `auto`, also with NO_COLOR set (as in ruff); empty is unset.
    assert!(coloured(&run(&[], &[("FORCE_COLOR", "1")])));
    assert!(coloured(&run(
        &[],
        &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]
    )));
    assert!(!coloured(&run(&[], &[("FORCE_COLOR", "")])));
    // Colour is the human format's: others never have it.
    assert!(!coloured(&run(
        &["--color", "always", "--format", "compact"],
        &[]
    )));
    let (code, _, err) = output(kmslint().args(["check", "--color", "sometimes"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("[possible values: auto, always, never]"),
        "{err}"
    );
}

#[test]
fn color_in_a_report_file_only_when_always() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.txt");
    let report_arg = report.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = kmslint();
        cmd.args([
            "check",
            "--isolated",
            "examples/group-principal.json",
            "-o",
            report_arg,
        ])
        .args(args)
        .env("FORCE_COLOR", "1");
        output(&mut cmd);
        std::fs::read_to_string(&report).unwrap()
    };
    assert!(!coloured(&run(&[])));
    assert!(coloured(&run(&["--color", "always"])));
}

const SETTINGS_CONFIG: &str = r#"
account = "111122223333"
trusted-accounts = ["777788889999", "444455556666"]
extend-select = ["KMS038"]
ignore = ["KMS031"]
fail-on = "error"
exclude = ["vendor", "stacks/generated/**"]

[severity]
KMS004 = "error"

[per-file-ignores]
"legacy/**" = ["KMS003"]

[[suppress]]
rule = "KMS005"
path = "legacy/*.json"
sid = "Key administrators"
reason = "reviewed quarterly"

[[suppress]]
rule = "KMS002"
path = "keys/*.json"
reason = "not this folder"

[[custom-rule]]
code = "ORG001"
name = "no-wildcard-principal"
severity = "error"
message = "`{value}` is a wildcard principal"
select = "$.Statement[*].Principal.AWS"
forbid = "^\\*$"
"#;

#[test]
fn show_settings_prints_what_applies_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "kmslint.toml", SETTINGS_CONFIG);
    write_file(dir.path(), "legacy/old.json", GROUP_POLICY);
    let (code, out, err) = output(kmslint_in(dir.path()).args([
        "check",
        "--show-settings",
        "legacy/old.json",
        "--exclude",
        "build",
        "--select",
        "KMS00,ORG",
    ]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    insta::assert_snapshot!("show_settings", out);
    // Nothing was linted: the file's KMS002 is not reported.
    assert!(!out.contains("Analysts"));
}

#[test]
fn show_settings_without_a_configuration() {
    let (code, out, _) = output(kmslint().args([
        "check",
        "--isolated",
        "--show-settings",
        "examples/console-default.json",
    ]));
    assert_eq!(code, 0);
    let head: Vec<&str> = out.lines().take(7).collect();
    assert_eq!(
        head,
        [
            "settings for examples/console-default.json",
            "no configuration file",
            "fail-on: warning",
            "account: none (inferred from each policy)",
            "trusted-accounts: none",
            "exclude: none",
            "force-exclude: false",
        ]
    );
    let enabled = kmslint::registry::RULES
        .iter()
        .filter(|r| r.default_enabled)
        .count();
    assert!(
        out.contains(&format!(
            "\nenabled rules ({enabled}):\n  KMS001 missing-root-access\n"
        )),
        "{out}"
    );
    assert!(
        out.ends_with("severities overridden: none\ncustom rules: none\nsuppressions: none\n"),
        "{out}"
    );
}

#[test]
fn show_settings_stops_on_a_broken_configuration() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "team/kmslint.toml", "fail-on = \"never\"\n");
    let (code, out, err) =
        output(kmslint_in(dir.path()).args(["check", "--show-settings", "team/key.json"]));
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.starts_with("error: team/kmslint.toml:1:11: "), "{err}");
}

#[test]
fn show_files_lists_what_would_be_linted_in_order() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "kmslint.toml", "exclude = [\"vendor\"]\n");
    write_file(dir.path(), "keys/b.json", GROUP_POLICY);
    write_file(dir.path(), "keys/a.yaml", "Resources: {}\n");
    write_file(dir.path(), "keys/notes.txt", "");
    write_file(dir.path(), "vendor/key.json", GROUP_POLICY);
    write_file(dir.path(), "infra/main.tf", "");
    write_file(dir.path(), "z.json", GROUP_POLICY);
    let (code, out, err) = output(kmslint_in(dir.path()).args(["check", "--show-files"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "infra/main.tf\nkeys/a.yaml\nkeys/b.json\nz.json\n");
    // `--exclude` and named files too; a missing path is an error (status 2).
    let (code, out, err) = output(kmslint_in(dir.path()).args([
        "check",
        "--show-files",
        "--exclude",
        "keys/a.yaml",
        "keys",
        "vendor/key.json",
        "missing.json",
    ]));
    assert_eq!(code, 2);
    assert_eq!(out, "keys/b.json\nvendor/key.json\n");
    assert!(
        err.starts_with("error: missing.json: No such file or directory"),
        "{err}"
    );
    // Standard input is listed by its name.
    let (code, out, _) = output(
        kmslint_in(dir.path())
            .args(["check", "--show-files", "--stdin-filename", "keys/new.json"])
            .write_stdin(GROUP_POLICY),
    );
    assert_eq!(code, 0);
    assert_eq!(out, "keys/new.json\n");
}

#[test]
fn show_options_conflict_with_a_report() {
    for args in [
        &["--show-files", "--show-settings", "x.json"][..],
        &["--show-files", "--statistics"],
        &["--show-settings", "x.json", "-o", "r.txt"],
    ] {
        let (code, _, err) = output(kmslint().args(["check", "--isolated"]).args(args));
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains("cannot be used with"), "{args:?}: {err}");
    }
}

// Completions and the manual page.

#[test]
fn bash_completions_know_the_commands_and_options() {
    let (code, out, err) = output(kmslint().args(["completions", "bash"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("_kmslint() {"), "{out}");
    for word in ["check", "rules", "--format", "--fail-on", "--show-settings"] {
        assert!(out.contains(word), "bash completions lack `{word}`");
    }
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = output(kmslint().args(["completions", shell]));
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(out.contains("kmslint"), "{shell}: {out}");
        assert!(out.contains("format"), "{shell}: {out}");
    }
    let (code, out, err) = output(kmslint().args(["completions", "tcsh"]));
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
}

#[test]
fn man_prints_a_roff_page() {
    let (code, out, err) = output(kmslint().arg("man"));
    assert_eq!(code, 0, "{err}");
    // roff requests start with a dot; the page's title names the program and section 1.
    assert!(out.starts_with(".ie \\n(.g .ds Aq \\(aq\n"), "{out}");
    assert!(out.contains("\n.TH kmslint 1 "), "{out}");
    assert!(
        out.contains("\n.SH NAME\nkmslint \\- A linter for AWS KMS key policies\n"),
        "{out}"
    );
    // Dashes are escaped in roff.
    assert!(out.contains("\\fB\\-\\-fail\\-on\\fR"), "{out}");
    assert!(
        out.contains("Lowest severity that makes the exit status 1"),
        "{out}"
    );
}

// `--force-exclude` and `--stdin-filename`.

#[test]
fn an_excluded_stdin_filename_is_read_and_not_reported_under_force_exclude() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        dir.path(),
        "kmslint.toml",
        "exclude = [\"vendor\"]\nforce-exclude = true\n",
    );
    let stdin = |name: &str, args: &[&str]| {
        let mut cmd = kmslint_in(dir.path());
        cmd.args(["check", "--stdin-filename", name])
            .args(args)
            .write_stdin(GROUP_POLICY);
        output(&mut cmd)
    };
    // Excluded by the configuration, with its `force-exclude = true`: the report of a run
    // that linted no file.
    let (code, out, err) = stdin("vendor/key.json", &[]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, "no key policy found (0 files checked)\n");
    let (code, out, _) = stdin("vendor/key.json", &["--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["diagnostics"], serde_json::json!([]));
    assert_eq!(v["summary"]["files"], 0);
    let (code, out, _) = stdin("vendor/key.json", &["--format", "compact"]);
    assert_eq!((code, out.as_str()), (0, ""));
    // A name that is not excluded is linted.
    let (code, out, _) = stdin("keys/key.json", &["--format", "compact"]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("keys/key.json:7:27: error[KMS002]"),
        "{out}"
    );
    // `--show-files` lists nothing for it.
    let (code, out, _) = stdin("vendor/key.json", &["--show-files"]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn an_excluded_stdin_filename_is_linted_without_force_exclude() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = kmslint_in(dir.path());
        cmd.args(["check", "--isolated", "--stdin-filename", "build/key.json"])
            .args(["--exclude", "build", "--format", "compact"])
            .args(args)
            .write_stdin(GROUP_POLICY);
        output(&mut cmd)
    };
    let (code, out, _) = run(&[]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("build/key.json:7:27: error[KMS002]"),
        "{out}"
    );
    // `--force-exclude` on the command line, with `--exclude`.
    let (code, out, err) = run(&["--force-exclude"]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
}

#[test]
fn an_excluded_stdin_is_read_to_its_end() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    // Larger than a pipe's buffer: the writer blocks until kmslint reads it all, and a
    // kmslint that exited without reading would break the pipe.
    let text = format!("{GROUP_POLICY}{}", " ".repeat(4 << 20));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kmslint"))
        .current_dir(dir.path())
        .args([
            "check",
            "--isolated",
            "--force-exclude",
            "--exclude",
            "vendor",
        ])
        .args(["--stdin-filename", "vendor/key.json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().unwrap();
    assert!(
        writer.join().unwrap().is_ok(),
        "standard input was not read to its end"
    );
    assert_eq!(out.status.code(), Some(0));
}
