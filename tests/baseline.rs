#![allow(clippy::unwrap_used)]
//! `kmslint check --add-suppressions` (a baseline of `[[suppress]]` entries for every finding)
//! and KMS100's fix (`--fix` and `--diff` remove stale entries from the configuration file).

use std::path::PathBuf;

use assert_cmd::Command;

const CONSOLE_DEFAULT: &str = include_str!("../examples/console-default.json");
const GROUP: &str = include_str!("../examples/group-principal.json");
const CLEAN: &str = include_str!("../examples/least-privilege.json");
const CFN: &str = include_str!("fixtures/inputs/cfn-stack.yaml");
const TERRAFORM: &str = include_str!("fixtures/inputs/main.tf");

/// A scratch project.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        Project {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn write(&self, rel: &str, text: &str) -> &Project {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `kmslint check --format compact ARGS` in a folder of the project: status, stdout,
    /// stderr.
    fn run_in(&self, sub: &str, args: &[&str]) -> (i32, String, String) {
        let out = Command::cargo_bin("kmslint")
            .unwrap()
            .current_dir(self.path(sub))
            .env("NO_COLOR", "1")
            .arg("check")
            .args(["--format", "compact"])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_in("", args)
    }

    /// A run that must find nothing (keys whose policy is not analysed are listed still).
    fn assert_clean(&self, sub: &str) {
        let (code, out, err) = self.run_in(sub, &["."]);
        let findings: Vec<&str> = out
            .lines()
            .filter(|l| !l.contains(": note[not-analysed] "))
            .collect();
        assert_eq!((code, findings), (0, Vec::<&str>::new()), "{err}");
    }
}

/// The `[[suppress]]` entries of a configuration: rule, path, sid, reason.
fn entries(text: &str) -> Vec<(String, String, Option<String>, String)> {
    let v: toml::Table = toml::from_str(text).unwrap();
    v.get("suppress")
        .and_then(|s| s.as_array())
        .map(|a| {
            a.iter()
                .map(|e| {
                    let s = |k: &str| e.get(k).and_then(|v| v.as_str()).map(str::to_string);
                    (
                        s("rule").unwrap(),
                        s("path").unwrap(),
                        s("sid"),
                        s("reason").unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn entry(rule: &str, path: &str, sid: Option<&str>) -> (String, String, Option<String>, String) {
    (
        rule.to_string(),
        path.to_string(),
        sid.map(str::to_string),
        "baseline: existing finding".to_string(),
    )
}

/// Findings in JSON, CloudFormation and Terraform files are accepted by entries appended to the
/// existing configuration, whose text stays as it was; the next run is clean, and a second
/// baseline adds nothing.
#[test]
fn a_baseline_makes_the_next_run_clean() {
    let p = Project::new();
    let config = "# the team's settings\nfail-on = \"warning\"   # kept as written\n\n[severity]\nKMS031 = \"warning\"\n";
    p.write("kmslint.toml", config)
        .write("keys/app.json", CONSOLE_DEFAULT)
        .write("keys/clean.json", CLEAN)
        .write("stacks/stack.yaml", CFN)
        .write("infra/main.tf", TERRAFORM)
        .write("top.json", GROUP);
    let (code, before, _) = p.run(&["."]);
    assert_eq!(code, 1);
    let findings = before
        .lines()
        .filter(|l| !l.contains(": note[not-analysed] "))
        .count();
    assert!(findings > 10, "{before}");

    let (code, _, err) = p.run(&["--add-suppressions", "."]);
    assert_eq!(code, 0, "{err}");
    let text = p.read("kmslint.toml");
    assert!(
        text.starts_with(&format!("{config}\n[[suppress]]\n")),
        "{text}"
    );
    let added = entries(&text);
    assert_eq!(
        err,
        format!(
            "added {} `[[suppress]]` entries ({findings} findings) to `kmslint.toml`\n",
            added.len()
        )
    );
    // One entry per rule, path and Sid: the two KMS003 findings of one statement share one.
    assert_eq!(
        added
            .iter()
            .filter(|e| **e
                == entry(
                    "KMS003",
                    "keys/app.json",
                    Some("Allow access for Key Administrators")
                ))
            .count(),
        1
    );
    // A finding outside any statement's Sid: the whole file, for that rule.
    assert!(added.contains(&entry("KMS001", "infra/main.tf", None)));
    // A name in the configuration's folder is anchored there.
    assert!(added.iter().any(|e| e.1 == "./top.json"));
    assert!(added.iter().any(|e| e.1 == "stacks/stack.yaml"));
    assert!(!added.iter().any(|e| e.1.contains("clean")));
    p.assert_clean("");

    let (code, _, err) = p.run(&["--add-suppressions", "."]);
    assert_eq!((code, err.as_str()), (0, "no finding to suppress\n"));
    assert_eq!(p.read("kmslint.toml"), text);
}

/// Without a configuration, a `kmslint.toml` is created in the working folder; a file under a
/// folder with its own configuration gets its entries there, with paths from that folder.
#[test]
fn entries_go_to_the_configuration_that_governs_each_file() {
    let p = Project::new();
    p.write("keys/app.json", CONSOLE_DEFAULT)
        .write("team/kmslint.toml", "ignore = [\"KMS004\"]\r\n")
        .write("team/keys/group.json", GROUP)
        .write("team/keys/app.json", CONSOLE_DEFAULT);
    let (code, _, err) = p.run(&["--add-suppressions"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("created `kmslint.toml` with 3 `[[suppress]]` entries (4 findings)"),
        "{err}"
    );
    assert!(
        err.contains("added 3 `[[suppress]]` entries (4 findings) to `team/kmslint.toml`"),
        "{err}"
    );
    let top = entries(&p.read("kmslint.toml"));
    assert!(top.iter().all(|e| e.1 == "keys/app.json"), "{top:?}");
    let team = p.read("team/kmslint.toml");
    // The file's line ends are kept.
    assert!(
        team.starts_with("ignore = [\"KMS004\"]\r\n\r\n[[suppress]]\r\nrule = "),
        "{team:?}"
    );
    let team = entries(&team);
    assert!(team.contains(&entry(
        "KMS002",
        "keys/group.json",
        Some("Analysts decrypt reports")
    )));
    assert!(!team.iter().any(|e| e.0 == "KMS004"));
    p.assert_clean("");
    p.assert_clean("team");
}

/// `--reason` is written as a TOML string; special characters survive the round trip.
#[test]
fn reason_is_the_entries_reason() {
    let p = Project::new();
    p.write("k.json", GROUP);
    let reason = "accepted in \"review\" 12\\3\nsee the ticket";
    let (code, _, err) = p.run(&["--add-suppressions", "--reason", reason]);
    assert_eq!(code, 0, "{err}");
    let added = entries(&p.read("kmslint.toml"));
    assert!(!added.is_empty());
    assert!(added.iter().all(|e| e.3 == reason), "{added:?}");
    p.assert_clean("");
}

/// A file that does not parse (named on the command line) is accepted by an entry without
/// `sid`, for KMS010.
#[test]
fn parse_errors_are_accepted_for_the_file() {
    let p = Project::new();
    p.write("broken.json", "{\"Statement\": [\n");
    let (code, _, err) = p.run(&["--add-suppressions", "broken.json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        entries(&p.read("kmslint.toml")),
        vec![entry("KMS010", "./broken.json", None)]
    );
    let (code, out, _) = p.run(&["broken.json"]);
    assert_eq!((code, out.as_str()), (0, ""));
}

/// With `--config FILE`, entries go to that file; a file outside its folder cannot be named by
/// a `path` of it, so its findings are reported and the run fails.
#[test]
fn config_names_the_file_and_findings_outside_it_are_reported() {
    let p = Project::new();
    p.write("conf/base.toml", "")
        .write("conf/keys/app.json", CONSOLE_DEFAULT)
        .write("other/group.json", GROUP);
    let (code, out, err) = p.run(&["--add-suppressions", "--config", "conf/base.toml", "."]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.lines().all(|l| l.starts_with("other/group.json:")),
        "{out}"
    );
    assert!(out.contains("KMS002"), "{out}");
    assert!(err.contains("to `conf/base.toml`"), "{err}");
    let added = entries(&p.read("conf/base.toml"));
    assert!(added.iter().all(|e| e.1 == "keys/app.json"), "{added:?}");
    let (code, out, _) = p.run(&["--config", "conf/base.toml", "conf"]);
    assert_eq!((code, out.as_str()), (0, ""));
}

/// A stale entry cannot be accepted by another entry: it is reported (its fix removes it).
#[test]
fn stale_entries_are_reported_not_suppressed() {
    let p = Project::new();
    p.write(
        "kmslint.toml",
        "[[suppress]]\nrule = \"KMS005\"\npath = \"keys/gone.json\"\nreason = \"retired\"\n",
    )
    .write("keys/app.json", GROUP);
    let (code, out, _) = p.run(&["--add-suppressions"]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("kmslint.toml:1:1: warning[KMS100] [*] the suppression of `KMS005`"),
        "{out}"
    );
    assert_eq!(entries(&p.read("kmslint.toml")).len(), 2);
}

/// `--add-suppressions` with options that fix, read standard input or ignore configuration
/// files is a usage error, and writes nothing.
#[test]
fn conflicting_options_are_usage_errors() {
    let p = Project::new();
    p.write("k.json", GROUP);
    for args in [
        &["--add-suppressions", "--fix"][..],
        &["--add-suppressions", "--diff"],
        &["--add-suppressions", "--fix-only"],
        &["--add-suppressions", "--unsafe-fixes"],
        &["--add-suppressions", "--stdin-filename", "k.json"],
        &["--add-suppressions", "--isolated"],
        &["--add-suppressions", "--statistics"],
        &["--add-suppressions", "-"],
        &["--add-suppressions", "--reason", " "],
        &["--reason", "why"],
    ] {
        let (code, out, err) = p.run(args);
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}: {err}");
        assert!(!err.is_empty(), "{args:?}");
        assert!(!p.path("kmslint.toml").exists(), "{args:?}");
    }
}

const STALE: &str = "# kmslint settings\nfail-on = \"warning\"\n\n[[suppress]]\nrule = \"KMS002\"\npath = \"keys/group.json\"\nreason = \"analysts are reviewed\"\n\n# retired keys\n[[suppress]]  # the old billing key\nrule = \"KMS005\"\npath = \"keys/billing.json\"\nreason = \"\"\"\ncreated before the guard\n\"\"\"\n\n[[suppress]]\nrule = \"KMS004\"\npath = \"keys/group.json\"\nsid = \"Gone\"\nreason = \"renamed\"\n";

/// What `--fix` leaves of `STALE`: the two stale entries' lines, and the comment above the
/// first of them stays.
const FIXED: &str = "# kmslint settings\nfail-on = \"warning\"\n\n[[suppress]]\nrule = \"KMS002\"\npath = \"keys/group.json\"\nreason = \"analysts are reviewed\"\n\n# retired keys\n";

/// `--diff` shows the stale entries' removal and changes nothing; `--fix` removes them, keeping
/// the rest of the file as written; the next run is clean.
#[test]
fn fix_removes_stale_entries() {
    let p = Project::new();
    p.write("kmslint.toml", STALE)
        .write("keys/group.json", GROUP);
    let (code, out, _) = p.run(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        out.lines()
            .filter(|l| l.contains("warning[KMS100] [*]"))
            .count(),
        2,
        "{out}"
    );

    let (code, diff, err) = p.run(&["--diff"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err, "`--fix` would fix 2 findings in 1 file\n");
    assert!(
        diff.starts_with("--- a/kmslint.toml\n+++ b/kmslint.toml\n"),
        "{diff}"
    );
    let removed: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with('-') && !l.starts_with("---"))
        .collect();
    assert!(
        removed.contains(&"-[[suppress]]  # the old billing key"),
        "{diff}"
    );
    assert!(removed.contains(&"-sid = \"Gone\""), "{diff}");
    assert!(
        !diff
            .lines()
            .any(|l| l.starts_with('+') && !l.starts_with("+++")),
        "{diff}"
    );
    assert_eq!(p.read("kmslint.toml"), STALE);

    let (code, out, err) = p.run(&["--fix"]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(p.read("kmslint.toml"), FIXED);
    // The group principal (KMS002) is still accepted; nothing else is reported.
    let (code, out, _) = p.run(&[]);
    assert_eq!((code, out.as_str()), (0, ""));
}

/// With the findings they were written for fixed, entries go too: `--fix` fixes the policy and
/// removes the entries, and a file left with no other content is left empty.
#[test]
fn an_only_entry_leaves_an_empty_file() {
    let p = Project::new();
    p.write(
        "kmslint.toml",
        "[[suppress]]\nrule = \"KMS005\"\npath = \"keys/gone.json\"\nreason = \"retired\"\n",
    )
    .write("keys/clean.json", CLEAN);
    let (code, out, err) = p.run(&["--fix-only"]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(p.read("kmslint.toml"), "");
    p.assert_clean("");
}

/// A baseline, then the findings fixed: the entries are stale and `--fix` removes them all.
#[test]
fn baseline_entries_are_removed_once_their_findings_are_gone() {
    let p = Project::new();
    p.write("kmslint.toml", "fail-on = \"warning\"\n")
        .write("keys/app.json", CONSOLE_DEFAULT);
    let (code, _, err) = p.run(&["--add-suppressions"]);
    assert_eq!(code, 0, "{err}");
    p.write("keys/app.json", CLEAN);
    let (code, out, _) = p.run(&[]);
    assert_eq!(code, 1, "{out}");
    let (code, _, err) = p.run(&["--fix"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(p.read("kmslint.toml"), "fail-on = \"warning\"\n");
    p.assert_clean("");
}

/// A run that could not read a file removes no entry: the entries for that file would look
/// stale.
#[test]
fn a_run_with_unreadable_files_removes_no_entry() {
    let p = Project::new();
    let config =
        "[[suppress]]\nrule = \"KMS005\"\npath = \"keys/gone.json\"\nreason = \"retired\"\n";
    p.write("kmslint.toml", config)
        .write("keys/clean.json", CLEAN);
    let (code, out, err) = p.run(&["--fix", ".", "missing.json"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.contains("warning[KMS100] [*]"), "{out}");
    assert_eq!(p.read("kmslint.toml"), config);
}
