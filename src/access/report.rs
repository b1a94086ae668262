//! What `kmslint explain` prints: a matrix per key (human, markdown), one record per
//! principal, key and operation (JSON), or one sentence per question asked.

use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;

use super::Key;
use super::eval::{Answer, Delegation, OpGroup, Subject, Verdict};
use crate::model::ActionSet;

/// What one key gives each principal.
#[derive(Debug)]
pub struct KeyAccess<'i> {
    pub key: &'i Key,
    pub delegation: Delegation,
    pub rows: Vec<Row>,
}

/// What one principal can do with a key, operation by operation.
#[derive(Debug)]
pub struct Row {
    pub subject: Subject,
    pub answers: Vec<Answer>,
}

/// The matrix cell of a group of operations: the verdict they share; `partial` when some are
/// allowed and others not.
pub fn cell(answers: &[Answer], group: OpGroup) -> &'static str {
    let in_group: Vec<Verdict> = answers
        .iter()
        .filter(|a| OpGroup::of(a.operation) == Some(group))
        .map(|a| a.verdict)
        .collect();
    let Some(first) = in_group.first() else {
        return "";
    };
    if in_group.iter().all(|v| v == first) {
        return first.as_str();
    }
    if in_group.contains(&Verdict::Allowed) {
        "partial"
    } else if in_group.contains(&Verdict::Conditional) {
        Verdict::Conditional.as_str()
    } else {
        // Denied for some, not allowed for the others: nothing is allowed.
        Verdict::NotAllowed.as_str()
    }
}

/// The operations of a row that share a verdict and its reasons, in catalog order.
struct Line {
    verdict: Verdict,
    ops: ActionSet,
    reasons: Vec<String>,
}

fn lines(answers: &[Answer]) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    for a in answers {
        let op = ActionSet::filter(|b| b.name == a.operation.name);
        match out
            .iter_mut()
            .find(|l| l.verdict == a.verdict && l.reasons == a.reasons)
        {
            Some(l) => l.ops = l.ops.union(op),
            None => out.push(Line {
                verdict: a.verdict,
                ops: op,
                reasons: a.reasons.clone(),
            }),
        }
    }
    // Allowed first, then what depends on something, then what is denied or not allowed.
    out.sort_by_key(|l| match l.verdict {
        Verdict::Allowed => 0,
        Verdict::Conditional => 1,
        Verdict::Denied => 2,
        Verdict::NotAllowed => 3,
    });
    out
}

/// The operations of a line, by group: a whole group by its name, a group's larger part as
/// "use but kms:Encrypt", a smaller part by the operations' names. Empty when the line holds
/// every operation asked.
fn ops_label(ops: ActionSet, asked: ActionSet) -> String {
    if ops == asked {
        return String::new();
    }
    let names = |set: ActionSet| {
        set.iter()
            .map(|a| format!("kms:{}", a.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    for g in OpGroup::ALL {
        let group = g.actions().intersect(asked);
        let here = ops.intersect(group);
        if here.is_empty() {
            continue;
        }
        if here == group {
            parts.push(g.label().to_string());
        } else if here.len() * 2 > group.len() {
            parts.push(format!("{} but {}", g.label(), names(group.minus(here))));
        } else {
            parts.push(names(here));
        }
    }
    let rest = ops.minus(OpGroup::every_action());
    if !rest.is_empty() {
        parts.push(names(rest));
    }
    parts.join(", ")
}

/// The reasons of a row, one line per verdict and reasons shared by some operations:
/// `allow: IAM via root: policy \`alice\``, `no [use but kms:Encrypt, grant]: …`.
fn row_reasons(row: &Row) -> Vec<String> {
    let asked = row.answers.iter().fold(ActionSet::EMPTY, |acc, a| {
        acc.union(ActionSet::filter(|b| b.name == a.operation.name))
    });
    lines(&row.answers)
        .into_iter()
        .map(|l| {
            let label = ops_label(l.ops, asked);
            let head = if label.is_empty() {
                l.verdict.as_str().to_string()
            } else {
                format!("{} [{label}]", l.verdict.as_str())
            };
            if l.reasons.is_empty() {
                head
            } else {
                format!("{head}: {}", l.reasons.join("; "))
            }
        })
        .collect()
}

/// A key as headings name it: its name, then its ARN when known.
fn heading(key: &Key) -> String {
    let mut h = key.name.clone();
    if key.path != key.name {
        let _ = write!(h, " in {}", key.path);
    }
    if let Some(arn) = &key.arn {
        let _ = write!(h, " ({arn})");
    }
    h
}

/// Whether IAM policies take effect for the key, in a sentence.
fn delegation_text(d: &Delegation) -> String {
    match d {
        Delegation::Enabled(sids) => format!(
            "IAM policies take effect: the key policy enables IAM ({})",
            sids.join(", ")
        ),
        Delegation::Conditional(sids) => format!(
            "IAM policies may take effect: the key policy enables IAM {}",
            sids.join("; ")
        ),
        Delegation::NotEnabled(guarded) if guarded.is_empty() => {
            "IAM policies take no effect: IAM not enabled in the key policy".to_string()
        }
        Delegation::NotEnabled(guarded) => format!(
            "IAM policies take no effect: {} gives the account, but its conditions leave IAM users and roles out",
            guarded.join(", ")
        ),
    }
}

/// The matrix for a terminal.
pub fn human(keys: &[KeyAccess<'_>]) -> String {
    blocks(keys, human_key)
}

/// Each key's block, made in parallel, blank lines between them.
fn blocks(keys: &[KeyAccess<'_>], block: fn(&KeyAccess<'_>) -> String) -> String {
    keys.par_iter()
        .map(block)
        .collect::<Vec<String>>()
        .join("\n")
}

fn human_key(k: &KeyAccess<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", heading(k.key));
    let _ = writeln!(out, "  {}", delegation_text(&k.delegation));
    if k.rows.is_empty() {
        let _ = writeln!(out, "  no principal to ask about");
        return out;
    }
    let mut table = vec![
        std::iter::once("principal".to_string())
            .chain(OpGroup::ALL.iter().map(|g| g.label().to_string()))
            .collect::<Vec<_>>(),
    ];
    for r in &k.rows {
        table.push(
            std::iter::once(r.subject.text().to_string())
                .chain(
                    OpGroup::ALL
                        .iter()
                        .map(|g| cell(&r.answers, *g).to_string()),
                )
                .collect(),
        );
    }
    let widths: Vec<usize> = (0..table[0].len())
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    out.push('\n');
    for r in &table {
        let mut line = String::from("  ");
        for (c, text) in r.iter().enumerate() {
            if c + 1 == r.len() {
                line.push_str(text);
            } else {
                let pad = widths[c] - text.chars().count() + 2;
                line.push_str(text);
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out.push('\n');
    for r in &k.rows {
        let _ = writeln!(out, "  {}", r.subject.text());
        for reason in row_reasons(r) {
            let _ = writeln!(out, "    {reason}");
        }
    }
    out
}

/// Tables for a pull request comment or a review document.
pub fn markdown(keys: &[KeyAccess<'_>]) -> String {
    blocks(keys, markdown_key)
}

fn markdown_key(k: &KeyAccess<'_>) -> String {
    let mut out = String::new();
    let mut title = format!("### {}", code(&k.key.name));
    if k.key.path != k.key.name {
        let _ = write!(title, " in {}", code(&k.key.path));
    }
    let _ = writeln!(out, "{title}\n");
    if let Some(arn) = &k.key.arn {
        let _ = write!(out, "Key ARN: {}. ", code(arn));
    }
    let _ = writeln!(out, "{}.\n", delegation_text(&k.delegation));
    if k.rows.is_empty() {
        let _ = writeln!(out, "No principal to ask about.");
        return out;
    }
    let _ = writeln!(
        out,
        "| principal | {} |",
        OpGroup::ALL.map(OpGroup::label).join(" | ")
    );
    let _ = writeln!(out, "|---|{}", "---|".repeat(OpGroup::ALL.len()));
    for r in &k.rows {
        let cells: Vec<&str> = OpGroup::ALL.iter().map(|g| cell(&r.answers, *g)).collect();
        let _ = writeln!(
            out,
            "| {} | {} |",
            code(r.subject.text()),
            cells.join(" | ")
        );
    }
    out.push('\n');
    for r in &k.rows {
        let reasons = row_reasons(r);
        let _ = writeln!(out, "- {}:", code(r.subject.text()));
        for reason in reasons {
            let _ = writeln!(out, "  - {}", reason.replace('|', "\\|"));
        }
    }
    out
}

/// Text in backticks, with a longer fence when it holds backticks itself.
fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// One question and its answer, in a sentence: "can user/Charlie call kms:Decrypt on cmk-a?
/// no: …".
pub fn sentence(subject: &Subject, key: &Key, answer: &Answer) -> String {
    let word = match answer.verdict {
        Verdict::Allowed => "yes",
        Verdict::Denied | Verdict::NotAllowed => "no",
        Verdict::Conditional => "it depends",
    };
    let mut s = format!(
        "can {} call kms:{} on {}? {word}",
        subject.short(),
        answer.operation.name,
        key.name
    );
    if !answer.reasons.is_empty() {
        let _ = write!(s, ": {}", answer.reasons.join("; "));
    }
    s
}

/// The sentences of every question asked, one a line (markdown: one list item each).
pub fn sentences(keys: &[KeyAccess<'_>], markdown: bool) -> String {
    let mut out = String::new();
    for k in keys {
        for r in &k.rows {
            for a in &r.answers {
                let s = sentence(&r.subject, k.key, a);
                if markdown {
                    let _ = writeln!(out, "- {s}");
                } else {
                    let _ = writeln!(out, "{s}");
                }
            }
        }
    }
    out
}

#[derive(Serialize)]
struct JsonReport<'k, 'a> {
    version: u32,
    keys: Vec<JsonKey<'k>>,
    access: JsonRecords<'k, 'a>,
}

#[derive(Serialize)]
struct JsonKey<'a> {
    name: &'a str,
    path: &'a str,
    arn: Option<&'a str>,
    /// `enabled`, `conditional` or `not enabled`.
    iam: &'static str,
    iam_reasons: &'a [String],
}

/// Every record, serialized as it is made rather than gathered first.
struct JsonRecords<'k, 'a>(&'k [KeyAccess<'a>]);

impl Serialize for JsonRecords<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().flat_map(|k| {
            k.rows.iter().flat_map(move |r| {
                r.answers.iter().map(move |a| JsonRecord {
                    principal: r.subject.text(),
                    key: &k.key.name,
                    path: &k.key.path,
                    operation: format!("kms:{}", a.operation.name),
                    group: OpGroup::of(a.operation).map(OpGroup::label),
                    verdict: a.verdict.as_str(),
                    reasons: &a.reasons,
                })
            })
        }))
    }
}

#[derive(Serialize)]
struct JsonRecord<'a> {
    principal: &'a str,
    key: &'a str,
    path: &'a str,
    operation: String,
    group: Option<&'static str>,
    verdict: &'static str,
    reasons: &'a [String],
}

/// One record per principal, key and operation, written to `out` as they are serialized: the
/// records of a large tree are never held in memory as one text.
pub fn write_json(keys: &[KeyAccess<'_>], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let report = JsonReport {
        version: 1,
        keys: keys
            .iter()
            .map(|k| {
                let (iam, statements) = match &k.delegation {
                    Delegation::Enabled(s) => ("enabled", s),
                    Delegation::Conditional(s) => ("conditional", s),
                    Delegation::NotEnabled(s) => ("not enabled", s),
                };
                JsonKey {
                    name: &k.key.name,
                    path: &k.key.path,
                    arn: k.key.arn.as_deref(),
                    iam,
                    iam_reasons: statements,
                }
            })
            .collect(),
        access: JsonRecords(keys),
    };
    let mut writer = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut writer, &report)?;
    std::io::Write::write_all(&mut writer, b"\n")?;
    std::io::Write::flush(&mut writer)
}
