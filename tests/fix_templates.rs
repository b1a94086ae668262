#![allow(clippy::unwrap_used)]
//! `check --fix` and `--diff` on the template files a Terraform module's keys read
//! (`templatefile(...)`): the findings reported in a template are fixed in it, proven by
//! linting the module again with the fixed text, in the template's folder or another one, and
//! written once however many keys or modules read it.

use std::path::Path;
use std::process::Command;

/// `kmslint check --isolated ARGS` in `dir`: exit status, standard output and error.
fn check(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kmslint"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["check", "--isolated"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// A module whose key reads its policy from `TEMPLATE` (the path as the module names it).
fn main_tf(template: &str) -> String {
    format!(
        r#"variable "account_id" {{
  type = string
}}

resource "aws_kms_key" "k" {{
  description = "k"
  policy      = templatefile("${{path.module}}/{template}", {{ account_id = var.account_id }})
}}
"#
    )
}

/// A root statement with `kms:*` and no guard (KMS004) and an administrator with `kms:Create*`
/// and `kms:Put*` (KMS003 twice, KMS005).
const TEMPLATE: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnableRootAccess",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::${account_id}:root"},
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Sid": "KeyAdministrators",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::${account_id}:role/KeyAdmin"},
      "Action": ["kms:Create*", "kms:Describe*", "kms:Put*"],
      "Resource": "*"
    }
  ]
}
"#;

/// `TEMPLATE` after `--fix --unsafe-fixes`.
const FIXED: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnableRootAccess",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::${account_id}:root"},
      "Action": "kms:*",
      "Resource": "*",
      "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}
    },
    {
      "Sid": "KeyAdministrators",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::${account_id}:role/KeyAdmin"},
      "Action": ["kms:CreateAlias", "kms:Describe*"],
      "Resource": "*"
    }
  ]
}
"#;

/// The diff of `TEMPLATE` to `FIXED`, at `path`.
fn diff(path: &str) -> String {
    format!(
        r#"--- a/{path}
+++ b/{path}
@@ -6,13 +6,14 @@
       "Effect": "Allow",
       "Principal": {{"AWS": "arn:aws:iam::${{account_id}}:root"}},
       "Action": "kms:*",
-      "Resource": "*"
+      "Resource": "*",
+      "Condition": {{"StringEquals": {{"aws:PrincipalType": "Account"}}}}
     }},
     {{
       "Sid": "KeyAdministrators",
       "Effect": "Allow",
       "Principal": {{"AWS": "arn:aws:iam::${{account_id}}:role/KeyAdmin"}},
-      "Action": ["kms:Create*", "kms:Describe*", "kms:Put*"],
+      "Action": ["kms:CreateAlias", "kms:Describe*"],
       "Resource": "*"
     }}
   ]
"#
    )
}

/// The codes `check` reports in `dir` (compact output), one per finding, in report order.
fn codes(dir: &Path) -> Vec<String> {
    let (_, out, _) = check(dir, &["--format", "compact", "."]);
    out.lines()
        .filter_map(|l| {
            let code = l.split_once("[KMS")?.1.split_once(']')?.0;
            Some(format!("KMS{code}"))
        })
        .collect()
}

/// `--diff` shows the fixes of the findings in a template, `--fix` writes them, and the
/// module is clean afterwards; its `.tf` file is not touched.
#[test]
fn a_template_in_the_module_folder_is_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let main = main_tf("kms.json.tpl");
    write(&dir.path().join("main.tf"), &main);
    write(&dir.path().join("kms.json.tpl"), TEMPLATE);
    assert_eq!(codes(dir.path()), ["KMS004", "KMS003", "KMS005", "KMS003"]);

    // Safe fixes only: there are none, and the unsafe ones are named.
    let (code, out, err) = check(dir.path(), &["--diff", "."]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(err, "nothing to fix (3 fixes with `--unsafe-fixes`)\n");

    let (code, out, err) = check(dir.path(), &["--diff", "--unsafe-fixes", "."]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, diff("kms.json.tpl"));
    assert_eq!(
        err,
        "`--fix --unsafe-fixes` would fix 3 findings in 1 file\n"
    );
    assert_eq!(read(&dir.path().join("kms.json.tpl")), TEMPLATE);

    let (code, out, err) = check(dir.path(), &["--fix", "--unsafe-fixes", "."]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 fixed"), "{out}");
    assert_eq!(read(&dir.path().join("kms.json.tpl")), FIXED);
    assert_eq!(read(&dir.path().join("main.tf")), main);
    assert_eq!(codes(dir.path()), Vec::<String>::new());
    let (code, out, err) = check(dir.path(), &["--diff", "--unsafe-fixes", "."]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
}

/// A template in a sibling folder (`${path.module}/../templates/…`), run from the folder
/// above: the diff names it by its path from there.
#[test]
fn a_template_in_a_sibling_folder_is_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let main = main_tf("../templates/kms.json.tpl");
    let template = dir.path().join("templates/kms.json.tpl");
    write(&dir.path().join("main/main.tf"), &main);
    write(&template, TEMPLATE);

    let (code, out, err) = check(dir.path(), &["--diff", "--unsafe-fixes", "."]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, diff("templates/kms.json.tpl"));
    assert_eq!(
        err,
        "`--fix --unsafe-fixes` would fix 3 findings in 1 file\n"
    );

    let (code, out, err) = check(dir.path(), &["--fix", "--unsafe-fixes", "."]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(read(&template), FIXED);
    assert_eq!(read(&dir.path().join("main/main.tf")), main);
    assert_eq!(codes(dir.path()), Vec::<String>::new());

    // Named by its folder, the module still reads and fixes the template.
    write(&template, TEMPLATE);
    let (code, out, err) = check(dir.path(), &["--diff", "--unsafe-fixes", "main"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, diff("templates/kms.json.tpl"));
}

/// A template read by two keys of a module and by a key of another module is fixed once: one
/// diff, one write, and every read reports the file as fixed.
#[test]
fn a_template_read_several_times_is_fixed_once() {
    let dir = tempfile::tempdir().unwrap();
    let two_keys = format!(
        "{}\nresource \"aws_kms_key\" \"other\" {{\n  policy = templatefile(\"${{path.module}}/../templates/kms.json.tpl\", {{ account_id = \"111122223333\" }})\n}}\n",
        main_tf("../templates/kms.json.tpl")
    );
    let template = dir.path().join("templates/kms.json.tpl");
    write(&dir.path().join("a/main.tf"), &two_keys);
    write(
        &dir.path().join("b/main.tf"),
        &main_tf("../templates/kms.json.tpl"),
    );
    write(&template, TEMPLATE);
    // Each read reports the template's findings, with its key.
    assert_eq!(codes(dir.path()).len(), 12);

    // Whichever read comes first, the run says the same.
    for _ in 0..5 {
        let (code, out, err) = check(dir.path(), &["--diff", "--unsafe-fixes", "."]);
        assert_eq!(code, 1, "{err}");
        assert_eq!(out, diff("templates/kms.json.tpl"));
        assert_eq!(
            err,
            "`--fix --unsafe-fixes` would fix 3 findings in 1 file\n"
        );
    }

    let (code, out, err) = check(
        dir.path(),
        &["--fix", "--unsafe-fixes", "--format", "compact", "."],
    );
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    assert_eq!(read(&template), FIXED);
    assert_eq!(codes(dir.path()), Vec::<String>::new());
}

/// A fix with an unknown template value in the way is not offered, so nothing is written.
#[test]
fn no_fix_where_a_template_value_is_in_the_way() {
    let dir = tempfile::tempdir().unwrap();
    let main = main_tf("kms.json.tpl");
    // `${admin_arn}` may be any principal: the guard would apply to it too.
    let template = TEMPLATE.replace(
        r#""arn:aws:iam::${account_id}:root""#,
        r#"["arn:aws:iam::${account_id}:root", "${admin_arn}"]"#,
    );
    let template = template.replace(r#", "kms:Put*""#, "");
    let template = template.replace("kms:Create*", "kms:Describe*");
    write(&dir.path().join("main.tf"), &main);
    write(&dir.path().join("kms.json.tpl"), &template);
    assert_eq!(codes(dir.path()), ["KMS004"]);
    let (_, json, _) = check(dir.path(), &["--format", "json", "."]);
    assert!(json.contains(r#""fix":null"#), "{json}");

    let (code, out, err) = check(dir.path(), &["--diff", "--unsafe-fixes", "."]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(err, "nothing to fix\n");
    let (_, _, err) = check(dir.path(), &["--fix", "--unsafe-fixes", "."]);
    assert!(!err.contains("not applied"), "{err}");
    assert_eq!(read(&dir.path().join("kms.json.tpl")), template);
    assert_eq!(read(&dir.path().join("main.tf")), main);
}

/// A template that starts with a byte-order mark keeps it.
#[test]
fn a_byte_order_mark_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("main.tf"), &main_tf("kms.json.tpl"));
    write(
        &dir.path().join("kms.json.tpl"),
        &format!("\u{feff}{TEMPLATE}"),
    );
    let (code, out, err) = check(dir.path(), &["--diff", "--unsafe-fixes", "."]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, diff("kms.json.tpl"));
    let (code, _, err) = check(dir.path(), &["--fix", "--unsafe-fixes", "."]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        read(&dir.path().join("kms.json.tpl")),
        format!("\u{feff}{FIXED}")
    );
}

/// The editor lints an open template on its own (no module is known to read it) and offers
/// the fixes `check` makes through the module: the same quick fixes, and a fix-all giving the
/// text `check --fix` writes.
#[test]
fn the_editor_offers_the_fixes_check_makes() {
    use serde_json::{Value, json};
    use std::io::{BufReader, Write};
    use std::process::Stdio;

    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().canonicalize().unwrap();
    let path = dir.join("kms.json.tpl");
    // A `Version` that is not one (KMS012, a safe fix) besides the unsafe ones.
    let text = TEMPLATE.replace("2012-10-17", "2012-10-7");
    write(&dir.join("main.tf"), &main_tf("kms.json.tpl"));
    write(&path, &text);
    let uri = format!("file://{}", path.display());

    let mut child = Command::new(env!("CARGO_BIN_EXE_kmslint"))
        .arg("lsp")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        while let Some(msg) = frames::read_message(&mut reader) {
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
    let mut send = |msg: Value| {
        stdin
            .write_all(&frames::frame(msg.to_string().as_bytes()))
            .unwrap();
        stdin.flush().unwrap();
    };
    let wait = |want: &dyn Fn(&Value) -> bool| loop {
        let msg = rx.recv_timeout(std::time::Duration::from_secs(20)).unwrap();
        if want(&msg) {
            return msg;
        }
    };
    send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": null, "capabilities": {}}}));
    wait(&|m| m["id"] == 1);
    send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
        {"uri": uri, "languageId": "json", "version": 1, "text": text}}}),
    );
    let published = wait(&|m| m["method"] == "textDocument/publishDiagnostics");
    let codes: Vec<&str> = published["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["KMS012", "KMS004", "KMS003", "KMS005", "KMS003"]);
    send(
        json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/codeAction", "params": {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 20, "character": 0}},
        "context": {"diagnostics": [], "only": ["quickfix", "source.fixAll.kmslint"]}}}),
    );
    let actions = wait(&|m| m["id"] == 2)["result"]
        .as_array()
        .unwrap()
        .clone();
    send(json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown", "params": null}));
    wait(&|m| m["id"] == 3);
    send(json!({"jsonrpc": "2.0", "method": "exit", "params": null}));
    assert_eq!(child.wait().unwrap().code(), Some(0));

    let fixes: Vec<&Value> = actions
        .iter()
        .filter(|a| {
            a["kind"] == "quickfix" && !a["title"].as_str().unwrap().starts_with("Suppress")
        })
        .collect();
    let titles: Vec<&str> = fixes.iter().map(|a| a["title"].as_str().unwrap()).collect();
    // `check` reports the same fixes in the template, through the module.
    let (_, json, _) = check(&dir, &["--format", "json", "."]);
    let report: Value = serde_json::from_str(&json).unwrap();
    let mut expected: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == "kms.json.tpl")
        .filter_map(|d| d["fix"]["title"].as_str())
        .collect();
    expected.dedup();
    assert_eq!(titles, expected);
    assert_eq!(titles.len(), 4);
    // Every quick fix at once (their edits do not touch) and the safe fix-all give what
    // `check --fix --unsafe-fixes` and `check --fix` write.
    let edits = |action: &Value| action["edit"]["changes"][&uri].as_array().unwrap().clone();
    let all: Vec<Value> = fixes.iter().flat_map(|a| edits(a)).collect();
    let fix_all = actions
        .iter()
        .find(|a| a["kind"] == "source.fixAll.kmslint")
        .unwrap();
    let safe = apply(&text, &edits(fix_all));
    let every = apply(&text, &all);
    let (code, _, err) = check(&dir, &["--fix", "."]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(read(&path), safe);
    assert_eq!(safe, text.replace("2012-10-7", "2012-10-17"));
    write(&path, &text);
    let (code, _, err) = check(&dir, &["--fix", "--unsafe-fixes", "."]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(read(&path), every);
    assert_eq!(every, FIXED);
}

#[path = "support/frames.rs"]
mod frames;

/// `text` with LSP text edits applied (their ranges are in `text`, in UTF-16 columns).
fn apply(text: &str, edits: &[serde_json::Value]) -> String {
    let offset = |p: &serde_json::Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let units = p["character"].as_u64().unwrap() as usize;
        let mut at = start;
        let mut counted = 0;
        for c in text[start..].chars() {
            if counted >= units || c == '\n' {
                break;
            }
            counted += c.len_utf16();
            at += c.len_utf8();
        }
        at
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}
