#![allow(clippy::unwrap_used)]
//! Files that could not be read are in every format's end of run (`Summary::io_errors`), not
//! only on standard error: rendered through the library API and pinned with snapshots.

use kmslint::engine::{Reach, lint_bytes};
use kmslint::extract::InputKind;
use kmslint::render::{Format, IoError, Note, Renderer, Summary};
use kmslint::settings::Settings;
use serde_json::{Value, json};

const POLICY: &str = "examples/group-principal.json";

/// What a run over `examples/group-principal.json` (one error) renders between `begin` and
/// `end`: its entries, joined as `kmslint check` writes them, their count and the summary.
fn run(format: Format) -> (Renderer, String, usize, Summary) {
    let renderer = Renderer {
        format,
        color: false,
    };
    let bytes =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(POLICY)).unwrap();
    let (source, report) = lint_bytes(
        POLICY,
        InputKind::Json,
        bytes,
        Reach::Named,
        &Settings::default(),
    );
    assert_eq!(report.diagnostics.len(), 1, "{:?}", report.diagnostics);
    let entries = renderer.file(&source, &report.diagnostics);
    let mut summary = Summary::default();
    summary.add(&report.diagnostics, report.policies);
    (renderer, entries.text, entries.count, summary)
}

fn io_errors() -> Vec<IoError> {
    vec![
        IoError {
            path: "keys/missing.json".to_string(),
            message: "No such file or directory (os error 2)".to_string(),
        },
        IoError {
            path: "keys/locked dir/a,b:100%.json".to_string(),
            message: "Permission denied (os error 13)".to_string(),
        },
    ]
}

fn note() -> Note {
    Note {
        path: "infra/main.tf".to_string(),
        policy: "aws_kms_key.logs".to_string(),
        reason: "policy comes from `var.logs_policy`, a variable".to_string(),
        line: 3,
        column: 12,
        end_line: 3,
        end_column: 28,
    }
}

/// The whole report of the run, with `extra` added to its summary. SARIF's rule metadata is
/// left out (`begin` with no rules): `tests/ci_formats.rs` pins it, and it is no part of the
/// end of a run.
fn report(format: Format, extra: impl FnOnce(&mut Summary)) -> String {
    let (renderer, body, entries, mut summary) = run(format);
    extra(&mut summary);
    format!(
        "{}{body}{}",
        renderer.begin(&[]),
        renderer.end(&summary, entries)
    )
}

fn with_io_errors(format: Format) -> String {
    report(format, |s| {
        s.io_errors = io_errors();
        s.notes.push(note());
    })
}

fn without_io_errors(format: Format) -> String {
    report(format, |_| {})
}

/// Only the end of a run, from a summary alone.
fn end(format: Format, summary: &Summary) -> String {
    Renderer {
        format,
        color: false,
    }
    .end(summary, 0)
}

/// The SARIF version number, so the snapshots do not change with each release.
fn without_version(sarif: String) -> String {
    sarif.replace(
        &format!("\"{}\"", env!("CARGO_PKG_VERSION")),
        "\"[version]\"",
    )
}

#[test]
fn json_lists_them_beside_the_diagnostics_and_counts_them() {
    let out = with_io_errors(Format::Json);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["io_errors"],
        json!([
            {"path": "keys/missing.json", "message": "No such file or directory (os error 2)"},
            {"path": "keys/locked dir/a,b:100%.json", "message": "Permission denied (os error 13)"}
        ])
    );
    assert_eq!(v["summary"]["io_errors"], 2);
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 1);
    // The keys in order: the new ones beside the old, which keep theirs.
    let at = |key: &str| out.find(&format!("\"{key}\":")).unwrap();
    let order = [
        "version",
        "diagnostics",
        "io_errors",
        "summary",
        "files",
        "policies",
        "errors",
        "warnings",
        "infos",
        "fixed",
        "fixable",
        "fixable_unsafe",
        "not_analysed",
        "no_key_policy",
    ];
    assert!(order.windows(2).all(|w| at(w[0]) < at(w[1])), "{out}");
    assert!(
        out.contains("\"fixable_unsafe\":0,\"io_errors\":2,\"not_analysed\":"),
        "{out}"
    );
    insta::assert_snapshot!("json_with_io_errors", out);

    let out = without_io_errors(Format::Json);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["io_errors"], json!([]));
    assert_eq!(v["summary"]["io_errors"], 0);
    insta::assert_snapshot!("json_without_io_errors", out);

    // A run that read nothing is still one JSON document.
    let mut summary = Summary {
        io_errors: io_errors(),
        ..Summary::default()
    };
    summary.io_errors.truncate(1);
    let r = Renderer {
        format: Format::Json,
        color: false,
    };
    let v: Value = serde_json::from_str(&(r.begin(&[]) + &r.end(&summary, 0))).unwrap();
    assert_eq!(v["diagnostics"], json!([]));
    assert_eq!(v["io_errors"][0]["path"], "keys/missing.json");
}

#[test]
fn sarif_has_an_error_notification_each_and_an_unsuccessful_run() {
    let out = with_io_errors(Format::Sarif);
    let v: Value = serde_json::from_str(&out).unwrap();
    let invocation = &v["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(notes[0]["descriptor"]["id"], "io-error");
    assert_eq!(
        notes[0]["message"]["text"],
        "could not read `keys/missing.json`: No such file or directory (os error 2)"
    );
    let artifact = &notes[1]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(artifact["uri"], "keys/locked%20dir/a,b:100%25.json");
    assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    assert!(notes[1]["locations"][0]["physicalLocation"]["region"].is_null());
    assert_eq!(notes[2]["descriptor"]["id"], "not-analysed");
    assert_eq!(notes[2]["level"], "warning");
    insta::assert_snapshot!("sarif_with_io_errors", without_version(out));

    // Keys not analysed alone leave the run successful; nothing to say, no invocation.
    let out = report(Format::Sarif, |s| s.notes.push(note()));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], true);
    let out = without_io_errors(Format::Sarif);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["runs"][0].get("invocations").is_none());
    insta::assert_snapshot!("sarif_without_io_errors", without_version(out));
}

#[test]
fn github_annotates_each_file() {
    let out = with_io_errors(Format::Github);
    assert!(
        out.contains("\n::error file=keys/missing.json::No such file or directory (os error 2)\n"),
        "{out}"
    );
    // Properties escape `%`, `,` and `:`; messages `%`, CR and LF.
    assert!(
        out.contains(
            "\n::error file=keys/locked dir/a%2Cb%3A100%25.json::Permission denied (os error 13)\n"
        ),
        "{out}"
    );
    let e = IoError {
        path: "k.json".to_string(),
        message: "100% broken\nsecond line".to_string(),
    };
    assert_eq!(
        end(
            Format::Github,
            &Summary {
                io_errors: vec![e],
                ..Summary::default()
            }
        ),
        "::error file=k.json::100%25 broken%0Asecond line\n"
    );
    insta::assert_snapshot!("github_with_io_errors", out);
    insta::assert_snapshot!(
        "github_without_io_errors",
        without_io_errors(Format::Github)
    );
}

#[test]
fn gitlab_has_a_blocker_issue_each_with_a_stable_fingerprint() {
    let out = with_io_errors(Format::Gitlab);
    let v: Value = serde_json::from_str(&out).unwrap();
    let issues = v.as_array().unwrap();
    assert_eq!(issues.len(), 4, "{out}");
    let io: Vec<&Value> = issues
        .iter()
        .filter(|i| i["check_name"] == "io-error")
        .collect();
    assert_eq!(io.len(), 2);
    assert_eq!(io[0]["severity"], "blocker");
    assert_eq!(
        io[0]["location"],
        json!({"path": "keys/missing.json", "lines": {"begin": 1, "end": 1}})
    );
    assert_eq!(
        io[0]["description"],
        "could not read `keys/missing.json`: No such file or directory (os error 2)"
    );
    let fingerprints: Vec<&str> = io
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_ne!(fingerprints[0], fingerprints[1]);
    // The same error gives the same fingerprint in another run.
    let again: Value = serde_json::from_str(&with_io_errors(Format::Gitlab)).unwrap();
    assert_eq!(again[1]["fingerprint"], fingerprints[0]);
    insta::assert_snapshot!("gitlab_with_io_errors", out);
    insta::assert_snapshot!(
        "gitlab_without_io_errors",
        without_io_errors(Format::Gitlab)
    );
}

#[test]
fn compact_has_a_line_each_before_the_notes() {
    let out = with_io_errors(Format::Compact);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[1..3],
        [
            "keys/missing.json: error[io] No such file or directory (os error 2)",
            "keys/locked dir/a,b:100%.json: error[io] Permission denied (os error 13)",
        ]
    );
    assert!(lines[3].contains("note[not-analysed]"), "{out}");
    insta::assert_snapshot!("compact_with_io_errors", out);
    insta::assert_snapshot!(
        "compact_without_io_errors",
        without_io_errors(Format::Compact)
    );
}

#[test]
fn human_summary_counts_them() {
    let out = with_io_errors(Format::Human);
    assert!(!out.contains("no problems found"), "{out}");
    assert!(
        out.ends_with(
            "1 error in 1 file (1 file checked, 1 key policy); 2 files could not be read\n"
        ),
        "{out}"
    );
    insta::assert_snapshot!("human_with_io_errors", out);
    insta::assert_snapshot!("human_without_io_errors", without_io_errors(Format::Human));

    let one = || {
        let mut v = io_errors();
        v.truncate(1);
        v
    };
    let clean = Summary {
        files: 3,
        policies: 2,
        io_errors: one(),
        ..Summary::default()
    };
    assert_eq!(
        end(Format::Human, &clean),
        "1 file could not be read (3 files checked, 2 key policies)\n"
    );
    // Never the green "no problems found".
    let colored = Renderer {
        format: Format::Human,
        color: true,
    }
    .end(&clean, 0);
    assert_eq!(
        colored,
        "1 file could not be read (3 files checked, 2 key policies)\n"
    );
    let nothing = Summary {
        io_errors: io_errors(),
        ..Summary::default()
    };
    assert_eq!(
        end(Format::Human, &nothing),
        "no key policy found (0 files checked); 2 files could not be read\n"
    );
    let findings = Summary {
        files: 3,
        policies: 3,
        files_with_findings: 1,
        errors: 2,
        warnings: 1,
        io_errors: one(),
        ..Summary::default()
    };
    assert_eq!(
        end(Format::Human, &findings),
        "2 errors, 1 warning in 1 file (3 files checked, 3 key policies); 1 file could not be read\n"
    );
    // Without them, the summary is as it was.
    let unchanged = Summary {
        io_errors: Vec::new(),
        ..clean
    };
    assert_eq!(
        end(Format::Human, &unchanged),
        "no problems found (3 files checked, 2 key policies)\n"
    );
}

/// `kmslint check` on a file that does not exist beside one that does, in each format: the
/// error is in the report, not only on standard error, and the exit status is 2.
#[test]
fn the_command_reports_a_missing_file_in_every_format() {
    let check = |format: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kmslint"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "check",
                "--isolated",
                "--format",
                format,
                "missing.json",
                POLICY,
            ])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{format}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "error: missing.json: No such file or directory (os error 2)\n",
            "{format}"
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let json: Value = serde_json::from_str(&check("json")).unwrap();
    assert_eq!(
        json["io_errors"],
        json!([{"path": "missing.json", "message": "No such file or directory (os error 2)"}])
    );
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 1);
    let sarif: Value = serde_json::from_str(&check("sarif")).unwrap();
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], json!(false));
    assert_eq!(
        invocation["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"],
        json!("missing.json")
    );
    assert!(
        check("github")
            .contains("::error file=missing.json::No such file or directory (os error 2)\n")
    );
    let gitlab: Value = serde_json::from_str(&check("gitlab")).unwrap();
    assert!(
        gitlab
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["check_name"] == "io-error" && i["location"]["path"] == "missing.json")
    );
    assert!(check("compact").contains("missing.json: error[io] No such file or directory"));
    let human = check("human");
    assert!(human.contains("1 file could not be read"), "{human}");
    assert!(!human.contains("no problems found"), "{human}");
}
