#![allow(clippy::unwrap_used)]
//! Hostile inputs: each gives a diagnostic or a clear error naming the file, never a panic,
//! hang or unbounded memory, and the other files are still linted.

use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use assert_cmd::Command;

/// `--output` to devices, FIFOs and links, a closed standard input, names that are not UTF-8.
#[cfg(unix)]
#[path = "hostile/io.rs"]
mod io;
/// The language server fed garbage frames over stdio.
#[path = "hostile/lsp.rs"]
mod lsp;

const GOOD: &str = "examples/group-principal.json";

/// Run kmslint on `paths` plus a known-bad example, without configuration files (a stray
/// `kmslint.toml` above the temporary folder must not change what is reported). The generous
/// time limit catches hangs, not speed: the growth checks below catch quadratic steps, and
/// benchmarks measure speed.
fn run_with_example(paths: &[&Path]) -> Output {
    let mut cmd = Command::cargo_bin("kmslint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--isolated", "--format", "compact"])
        .args(paths)
        .arg(GOOD)
        .timeout(Duration::from_secs(180));
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("group-principal.json:15:28: error[KMS002]"),
        "the other file was not linted:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.code().is_some(), "killed by a signal");
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Each parser's limit gives its own message (README.md, "Robustness").
#[test]
fn ten_thousand_levels_of_nesting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let open = "[".repeat(10_000);
    let close = "]".repeat(10_000);
    let write = |rel: &str, text: String| {
        let p = d.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    };
    let json = write("deep.json", format!("{open}{close}"));
    // Flow collections (`[`, `{`) hit the YAML parser's own limit at the 256th bracket.
    let flow = write("deep.yaml", format!("Resources: {open}{close}"));
    // Block collections nest without brackets: `- - - x` is three sequences deep.
    let block = write("deep-block.yaml", format!("{}x\n", "- ".repeat(10_000)));
    // HCL (one folder per module): the HCL parser allows 64 levels of expressions and blocks.
    let hcl = write(
        "expr/main.tf",
        format!("resource \"aws_kms_key\" \"k\" {{\n  policy = jsonencode({open}{close})\n}}\n"),
    );
    let blocks = write(
        "blocks/main.tf",
        format!("{}{}", "b {\n".repeat(10_000), "}\n".repeat(10_000)),
    );
    // A JSON policy in a heredoc is parsed as JSON.
    let heredoc = write(
        "heredoc/main.tf",
        format!("resource \"aws_kms_key\" \"k\" {{\n  policy = <<EOF\n{open}{close}\nEOF\n}}\n"),
    );
    let o = run_with_example(&[&json, &flow, &block, &hcl, &blocks, &heredoc]);
    let out = stdout(&o);
    for expected in [
        "deep.json:1:257: error[KMS010] nesting deeper than 256 levels\n",
        "deep.yaml:1:267: error[KMS010] invalid YAML: recursion limit exceeded\n",
        "deep-block.yaml:1:513: error[KMS010] nesting deeper than 256 levels\n",
        "expr/main.tf:2:86: error[KMS010] invalid HCL: invalid nesting depth; expected at most 64 nested levels\n",
        "blocks/main.tf:65:3: error[KMS010] invalid HCL: invalid nesting depth; expected at most 64 nested levels\n",
        "heredoc/main.tf:3:257: error[KMS010] the embedded policy is not valid JSON: nesting deeper than 256 levels (in `aws_kms_key.k`)\n",
    ] {
        assert!(out.contains(expected), "no `{expected}` in:\n{out}");
    }
    assert_eq!(out.lines().count(), 7, "{out}");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn a_100_mb_file_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.json");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let o = run_with_example(&[&p]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("huge.json: the file is 100.0 MiB, larger than the 16 MiB limit"),
        "{err}"
    );
}

#[test]
fn invalid_utf8_nul_bytes_and_binary_files() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("latin1.json");
    std::fs::write(&bad, b"{\"Statement\": [{\"Sid\": \"caf\xe9\"}]}").unwrap();
    let nul = dir.path().join("nul.json");
    std::fs::write(&nul, b"{\"Statement\": [\0]}").unwrap();
    let bin = dir.path().join("image.json");
    std::fs::write(&bin, (0..=255u8).cycle().take(4096).collect::<Vec<u8>>()).unwrap();
    let o = run_with_example(&[&bad, &nul, &bin]);
    let out = stdout(&o);
    assert!(
        out.contains("latin1.json:1:28: error[KMS010] the file is not valid UTF-8"),
        "{out}"
    );
    assert!(
        out.contains("nul.json:1:16: error[KMS010] expected a JSON value, found a NUL byte"),
        "{out}"
    );
    assert!(
        out.contains("image.json:2:118: error[KMS010] the file is not valid UTF-8"),
        "{out}"
    );
}

#[test]
fn binary_files_in_a_walk_are_skipped_silently() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("blob.json"),
        (0..=255u8).cycle().take(4096).collect::<Vec<u8>>(),
    )
    .unwrap();
    std::fs::write(dir.path().join("blob.yaml"), [0u8, 159, 146, 150, 0, 1]).unwrap();
    std::fs::write(dir.path().join("blob.tf"), [0xffu8, 0xfe, 0, 0]).unwrap();
    let o = run_with_example(&[dir.path()]);
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn huge_strings_and_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.json");
    let sid = "x".repeat(8 * 1024 * 1024);
    let actions = vec!["\"kms:Decrypt\""; 200_000].join(",");
    std::fs::write(
        &p,
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "{sid}", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/R"}}, "Action": [{actions}], "Resource": "*"}}]}}"#
        ),
    )
    .unwrap();
    let o = run_with_example(&[&p]);
    let out = stdout(&o);
    assert!(
        out.contains("big.json:1:1: error[KMS023]") || out.contains("big.json:1:27: error[KMS023]"),
        "{out}"
    );
}

/// Growth checks take turns: each measures wall time, and two at once would slow each other.
static GROWTH: Mutex<()> = Mutex::new(());

/// How much longer four times the input may take. Linear work takes about 4x (less while the
/// process start-up still counts), a quadratic step 16x: the bound sits between the two, far
/// enough from both that a loaded machine does not cross it (each run is tried three times).
const GROWTH_LIMIT: u32 = 10;

/// An input that grows with `n`, and what its report must hold.
struct Shape {
    /// What grows, for messages.
    what: &'static str,
    format: &'static str,
    /// The file's text for size `n`.
    text: fn(usize) -> String,
    /// Text in the report, and how many times it appears for size `n`: both runs did the work.
    marker: &'static str,
    count: fn(usize) -> usize,
}

/// The wall time of `kmslint check --isolated --format FORMAT FILE`, with its standard output
/// in `out`; `None` when it runs longer than `limit` (then it is killed: a hang or a quadratic
/// step fails the test without being waited for).
fn timed_check(file: &Path, format: &str, out: &Path, limit: Duration) -> Option<Duration> {
    let err = out.with_extension("err");
    let start = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kmslint"))
        .args(["check", "--isolated", "--format", format])
        .arg(file)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let took = start.elapsed();
            let err = std::fs::read_to_string(&err).unwrap();
            assert_eq!(status.code(), Some(1), "{err}");
            assert!(err.is_empty(), "{err}");
            return Some(took);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Lint `shape` at size `n` and at `4n`: in one of three tries, the larger input must take less
/// than [`GROWTH_LIMIT`] times the median of three runs on the smaller one. A hang guard, not a
/// benchmark: sizes are chosen so that a debug build takes under a second per run when the
/// work is linear, and process start-up (about 5 ms) is a small part of it.
fn assert_linear_growth(shape: &Shape, n: usize) {
    let _turn = GROWTH.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.json");
    let large = dir.path().join("large.json");
    std::fs::write(&small, (shape.text)(n)).unwrap();
    std::fs::write(&large, (shape.text)(4 * n)).unwrap();
    let out = dir.path().join("out");
    let found = |size: usize| {
        let report = std::fs::read_to_string(&out).unwrap();
        assert_eq!(
            report.matches(shape.marker).count(),
            (shape.count)(size),
            "{}: `{}` in the report of size {size}:\n{report}",
            shape.what,
            shape.marker
        );
    };
    let hang = Duration::from_secs(120);
    let mut times: Vec<Duration> = (0..3)
        .map(|_| timed_check(&small, shape.format, &out, hang).expect("the small input hung"))
        .collect();
    found(n);
    times.sort();
    let base = times[1];
    let bound = base * GROWTH_LIMIT;
    for _ in 0..3 {
        if let Some(took) = timed_check(&large, shape.format, &out, bound) {
            found(4 * n);
            eprintln!(
                "{}: {n}: {base:?}, {}: {took:?} ({:.1}x)",
                shape.what,
                4 * n,
                took.as_secs_f64() / base.as_secs_f64()
            );
            return;
        }
    }
    panic!(
        "{}: {} took longer than {bound:?} ({GROWTH_LIMIT}x the {base:?} of {n}; runs of {n}: \
         {times:?}) three times: some step grows faster than linearly (a quadratic one takes 16x)",
        shape.what,
        4 * n
    );
}

fn policy(statements: impl Iterator<Item = String>) -> String {
    format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [\n{}\n]}}\n",
        statements.collect::<Vec<_>>().join(",\n")
    )
}

/// Thousands of statements, each with its own principal (the shape real large policies have).
#[test]
fn many_statements_take_linear_time() {
    assert_linear_growth(
        &Shape {
            what: "statements with a role each",
            format: "compact",
            text: |n| {
                policy((0..n).map(|i| {
                    format!(
                        r#"{{"Sid": "S{i}", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/R{i}"}}, "Action": ["kms:Create*", "kms:Put*"], "Resource": "*"}}"#
                    )
                }))
            },
            // KMS003 on `kms:Create*` and on `kms:Put*` of every statement.
            marker: "warning[KMS003]",
            count: |n| 2 * n,
        },
        2_000,
    );
}

#[test]
fn a_long_action_array_takes_linear_time() {
    assert_linear_growth(
        &Shape {
            what: "entries of one `Action` array",
            format: "compact",
            text: |n| {
                let actions = vec!["\"kms:Decrypt\""; n].join(",");
                format!(
                    r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "A", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/R"}}, "Action": [{actions}], "Resource": "*"}}]}}"#
                )
            },
            marker: "error[KMS023]",
            count: |_| 1,
        },
        40_000,
    );
}

/// KMS003 asks, for every principal that may create grants, what the policy lets it use; a
/// `"*"` statement concerns every principal, so each question reads all of them.
#[test]
fn kms003_with_many_star_statements_takes_linear_time() {
    assert_linear_growth(
        &Shape {
            what: "`\"*\"` statements and roles that create grants, for KMS003",
            format: "compact",
            text: |n| {
                policy((0..n).map(|i| {
                    if i % 2 == 0 {
                        format!(
                            r#"{{"Sid": "Org{i}", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*", "Condition": {{"StringEquals": {{"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}}}}"#
                        )
                    } else {
                        format!(
                            r#"{{"Sid": "Admin{i}", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/R{i}"}}, "Action": ["kms:Create*", "kms:Describe*"], "Resource": "*"}}"#
                        )
                    }
                }))
            },
            // KMS005 on every unguarded `kms:Create*`; KMS003 stays quiet (everyone in the
            // organization may use the key), but it has asked about each role.
            marker: "warning[KMS005]",
            count: |n| n / 2,
        },
        1_000,
    );
}

/// Many findings in one file, each rendered with its snippet.
#[test]
fn human_output_of_many_findings_in_one_file_takes_linear_time() {
    assert_linear_growth(
        &Shape {
            what: "findings in one file, human format",
            format: "human",
            text: |n| {
                policy((0..n).map(|i| {
                    format!(
                        r#"{{"Sid": "G{i}", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:group/G{i}"}}, "Action": "kms:Decrypt", "Resource": "*"}}"#
                    )
                }))
            },
            marker: "KMS002 group-principal",
            count: |n| n,
        },
        500,
    );
}

#[test]
fn pathological_wildcards() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("wild.json");
    let pattern = format!("kms:{}b", "*a".repeat(20_000));
    std::fs::write(
        &p,
        format!(r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:root"}}, "Action": ["kms:*", "kms:*a*a*a*a*a*a*b", "{pattern}"], "Resource": "*"}}]}}"#),
    )
    .unwrap();
    let o = run_with_example(&[&p]);
    assert!(
        stdout(&o).contains("error[KMS018] `kms:*a*a*a*a*a*a*b`"),
        "{}",
        stdout(&o)
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_dangling_links_fifos_and_directories_named_like_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::os::unix::fs::symlink(d.join("loop-b.json"), d.join("loop-a.json")).unwrap();
    std::os::unix::fs::symlink(d.join("loop-a.json"), d.join("loop-b.json")).unwrap();
    std::os::unix::fs::symlink(d, d.join("sub")).unwrap();
    std::os::unix::fs::symlink(d.join("missing.json"), d.join("dangling.json")).unwrap();
    // A directory named like a file is a directory: walked, and the policy inside is linted.
    std::fs::create_dir(d.join("dir.json")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(GOOD),
        d.join("dir.json/key.json"),
    )
    .unwrap();
    let inside = format!(
        "{}:15:28: error[KMS002]",
        d.join("dir.json/key.json").display()
    );
    let fifo = d.join("pipe.json");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    // Walking the directory: links are not followed (the policy is found once, not again
    // through `sub`), the FIFO is not opened.
    let o = run_with_example(&[d]);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert_eq!(stdout(&o).matches(&inside).count(), 1, "{}", stdout(&o));
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stdout(&o));
    assert_eq!(o.status.code(), Some(1));
    // Named explicitly, the directory is walked too.
    let o = run_with_example(&[&d.join("dir.json")]);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert!(stdout(&o).contains(&inside), "{}", stdout(&o));
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stdout(&o));
    // Named explicitly: each is a clear error, and the run still finishes.
    let o = run_with_example(&[
        &d.join("loop-a.json"),
        &d.join("dangling.json"),
        &d.join("pipe.json"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for expected in [
        format!(
            "error: {}: Too many levels of symbolic links",
            d.join("loop-a.json").display()
        ),
        format!(
            "error: {}: No such file or directory",
            d.join("dangling.json").display()
        ),
        format!(
            "error: {}: not a regular file (a FIFO, socket or device); kmslint reads only files",
            d.join("pipe.json").display()
        ),
    ] {
        assert!(err.contains(&expected), "no `{expected}` in:\n{err}");
    }
    assert_eq!(err.lines().count(), 3, "{err}");
}

/// Paths that cannot be read, for reasons root cannot bypass (the tests run as root in CI,
/// and root reads a file whatever its permissions): each is an error naming the path, exit
/// status 2, and the other files named in the same run are still linted.
#[cfg(unix)]
#[test]
fn paths_that_cannot_be_read_are_errors_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("file.json"), "{}").unwrap();
    // The parent is a regular file (ENOTDIR).
    let through_file = d.join("file.json/key.json");
    // A link to nothing, named on the command line (ENOENT).
    let dangling = d.join("key.json");
    std::os::unix::fs::symlink(d.join("deleted.json"), &dangling).unwrap();
    let o = run_with_example(&[&through_file, &dangling]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(
        err,
        format!(
            "error: {}: Not a directory (os error 20)\nerror: {}: No such file or directory (os error 2)\n",
            through_file.display(),
            dangling.display()
        )
    );
    // `run_with_example` checked that the example's finding is still reported; the report
    // names the files that could not be read too.
    assert_eq!(
        stdout(&o).lines().skip(1).collect::<Vec<_>>(),
        [
            format!(
                "{}: error[io] Not a directory (os error 20)",
                through_file.display()
            ),
            format!(
                "{}: error[io] No such file or directory (os error 2)",
                dangling.display()
            ),
        ],
        "{}",
        stdout(&o)
    );
}

/// A file that opens but cannot be read: `/proc/self/mem` gives EIO at offset 0, to root too.
#[cfg(target_os = "linux")]
#[test]
fn a_file_whose_reading_fails_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mem.json");
    std::os::unix::fs::symlink("/proc/self/mem", &p).unwrap();
    let o = run_with_example(&[&p]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!("error: {}: Input/output error (os error 5)\n", p.display())
    );
}

/// README.md's robustness table quotes the messages the tests above pin.
#[test]
fn readme_quotes_the_messages() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("\n## Robustness\n").unwrap();
    let section = &readme[start + 1..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    for message in [
        "nesting deeper than 256 levels",
        "the embedded policy is not valid JSON: nesting deeper than 256 levels",
        "invalid YAML: recursion limit exceeded",
        "invalid HCL: invalid nesting depth; expected at most 64 nested levels",
        "not a regular file (a FIFO, socket or device); kmslint reads only files",
        "Too many levels of symbolic links",
        "No such file or directory",
        "Not a directory",
        "Input/output error",
    ] {
        assert!(
            section.contains(&format!("`{message}`")),
            "README.md's robustness section does not quote `{message}`"
        );
    }
}

/// A minified CloudFormation template: one line of about 90 KB, its findings past column
/// 65,535. The human report shows a window of the line around each span, never the whole line.
#[test]
fn a_finding_past_column_65535_in_human_format() {
    let dir = tempfile::tempdir().unwrap();
    let keys: Vec<String> = (0..300)
        .map(|i| {
            format!(
                r#""Key{i}":{{"Type":"AWS::KMS::Key","Properties":{{"KeyPolicy":{{"Version":"2012-10-17","Statement":[{{"Sid":"Root","Effect":"Allow","Principal":{{"AWS":{{"Fn::Sub":"arn:aws:iam::${{AWS::AccountId}}:root"}}}},"Action":"kms:*","Resource":"*"}}]}}}}}}"#
            )
        })
        .collect();
    let last = r#""Last":{"Type":"AWS::KMS::Key","Properties":{"KeyPolicy":{"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":{"Fn::Sub":"arn:aws:iam::${AWS::AccountId}:root"}},"Action":"kms:*","Resource":"*"},{"Sid":"G","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:group/G"},"Action":"kms:Decrypt","Resource":"*"}]}}}"#;
    let text = format!(
        r#"{{"AWSTemplateFormatVersion":"2010-09-09","Resources":{{{},{last}}}}}"#,
        keys.join(",")
    );
    let column = text.find("arn:aws:iam::111122223333:group/G").unwrap() as u32;
    assert!(column > 65_535, "{column}");
    let file = dir.path().join("minified.template.json");
    std::fs::write(&file, &text).unwrap();
    // In a walk, beside another file: the whole run survives and reports both.
    let mut cmd = Command::cargo_bin("kmslint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--isolated", "--format", "human"])
        .arg(dir.path())
        .arg(GOOD)
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(180));
    let o = cmd.output().unwrap();
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(
        out.contains(&format!(
            "minified.template.json (Resources.Last):1:{column}]"
        )),
        "{out}"
    );
    assert!(out.contains("KMS002 group-principal"), "{out}");
    assert!(out.contains("group-principal.json:15:28]"), "{out}");
    assert!(out.contains('…'), "the line is not windowed:\n{out}");
    let widest = out.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest < 1_000, "a line of {widest} characters in:\n{out}");
}

/// The wall time of `kmslint check --isolated --format FORMAT FILE`, which must find `marker`
/// `count` times and end within `limit`: generous for linear work in a debug build, far too
/// short for a quadratic step.
fn assert_within(file: &Path, format: &str, marker: &str, count: usize, limit: Duration) {
    let _turn = GROWTH.lock().unwrap_or_else(|e| e.into_inner());
    let out = file.with_extension("out");
    let took = timed_check(file, format, &out, limit).unwrap_or_else(|| {
        panic!(
            "{} in {format} format took longer than {limit:?}",
            file.display()
        )
    });
    let report = std::fs::read_to_string(&out).unwrap();
    assert_eq!(report.matches(marker).count(), count, "`{marker}`");
    eprintln!("{} in {format} format: {took:?}", file.display());
}

/// One policy of 1 MB: `"*"` statements and roles that create grants, the shape that made
/// KMS003 take minutes. Linear work takes about a second in a debug build.
#[test]
fn a_one_megabyte_policy_takes_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("large.json");
    let mut statements = Vec::new();
    let mut size = 0;
    while size < 1_000_000 {
        let i = statements.len();
        let s = if i % 2 == 0 {
            format!(
                r#"{{"Sid": "Org{i}", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*", "Condition": {{"StringEquals": {{"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}}}}"#
            )
        } else {
            format!(
                r#"{{"Sid": "Admin{i}", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/R{i}"}}, "Action": ["kms:Create*", "kms:Describe*"], "Resource": "*"}}"#
            )
        };
        size += s.len() + 2;
        statements.push(s);
    }
    let n = statements.len();
    std::fs::write(&file, policy(statements.into_iter())).unwrap();
    for format in ["json", "human"] {
        assert_within(&file, format, "KMS005", n / 2, Duration::from_secs(60));
    }
}

/// A 15 MB CloudFormation template of 40,000 keys, each with a finding, in human format: about
/// 15 seconds in a debug build; the quadratic renderer did not finish in five minutes.
#[test]
fn a_fifteen_megabyte_template_takes_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("large.template.json");
    let mut keys = Vec::new();
    let mut size = 0;
    while size < 15_000_000 {
        let k = keys.len();
        let key = format!(
            r#""Key{k}":{{"Type":"AWS::KMS::Key","Properties":{{"KeyPolicy":{{"Version":"2012-10-17","Statement":[{{"Sid":"Root","Effect":"Allow","Principal":{{"AWS":{{"Fn::Sub":"arn:aws:iam::${{AWS::AccountId}}:root"}}}},"Action":"kms:*","Resource":"*"}},{{"Sid":"Group","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:group/G{k}"}},"Action":"kms:Decrypt","Resource":"*"}}]}}}}}}"#
        );
        size += key.len() + 2;
        keys.push(key);
    }
    let n = keys.len();
    std::fs::write(
        &file,
        format!(
            "{{\"AWSTemplateFormatVersion\":\"2010-09-09\",\"Resources\":{{\n{}\n}}}}\n",
            keys.join(",\n")
        ),
    )
    .unwrap();
    assert_within(
        &file,
        "human",
        "KMS002 group-principal",
        n,
        Duration::from_secs(180),
    );
}

/// 200,000 trusted accounts load in a moment (they are de-duplicated in a set).
#[test]
fn two_hundred_thousand_trusted_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let accounts: Vec<String> = (0..200_000u64)
        .map(|i| format!("\"{:012}\"", 100_000_000_000 + i * 7))
        .collect();
    std::fs::write(
        dir.path().join("kmslint.toml"),
        format!("trusted-accounts = [{}]\n", accounts.join(", ")),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("key.json"),
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(GOOD)).unwrap(),
    )
    .unwrap();
    let start = Instant::now();
    let o = Command::cargo_bin("kmslint")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--format", "compact", "key.json"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let took = start.elapsed();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("key.json:15:28: error[KMS002]"),
        "{}",
        stdout(&o)
    );
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

/// A UTF-16 file with a byte-order mark (what Windows PowerShell's `>` writes) is decoded and
/// linted in a walk, its findings at the positions of the decoded text.
#[test]
fn a_utf16_file_in_a_walk_is_linted() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(GOOD)).unwrap();
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(dir.path().join("le.json"), le).unwrap();
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    std::fs::write(dir.path().join("be.json"), be).unwrap();
    let o = run_with_example(&[dir.path()]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    for name in ["le.json", "be.json"] {
        assert!(
            out.contains(&format!("{name}:15:28: error[KMS002]")),
            "{name}:\n{out}"
        );
    }
    assert!(!out.contains("KMS010"), "{out}");
}
