//! What `kmslint explain` prints: a matrix per key (human, markdown), one record per
//! principal, key and operation (JSON), or one sentence per question asked.

use std::fmt::Write as _;
use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use super::Key;
use super::eval::{Answer, Delegation, OpGroup, Reasons, Subject, Verdict};
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
        .filter(|a| a.group == Some(group))
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
    reasons: Reasons,
}

/// Whether two answers give the same reasons (the answers of a row that share them share
/// one list).
fn same_reasons(a: &Reasons, b: &Reasons) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

fn lines(answers: &[Answer]) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    for a in answers {
        match out
            .iter_mut()
            .find(|l| l.verdict == a.verdict && same_reasons(&l.reasons, &a.reasons))
        {
            Some(l) => l.ops = l.ops.union(a.set),
            None => out.push(Line {
                verdict: a.verdict,
                ops: a.set,
                reasons: Arc::clone(&a.reasons),
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
    let asked = row
        .answers
        .iter()
        .fold(ActionSet::EMPTY, |acc, a| acc.union(a.set));
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

/// The matrix of one key for a terminal (keys are separated by a blank line).
pub fn human_key(k: &KeyAccess<'_>) -> String {
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

/// The table of one key for a pull request comment or a review document (keys are
/// separated by a blank line).
pub fn markdown_key(k: &KeyAccess<'_>) -> String {
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

/// The sentences of every question asked about one key, one a line (markdown: one list item
/// each).
pub fn sentences_key(k: &KeyAccess<'_>, markdown: bool) -> String {
    let mut out = String::new();
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
    out
}

/// What JSON output starts with, before the first key.
pub const JSON_START: &str = "{\"version\":2,\"keys\":[\n";
/// What separates two keys in JSON output.
pub const JSON_SEPARATOR: &str = ",\n";
/// What JSON output ends with, after the last key.
pub const JSON_END: &str = "\n]}\n";

/// A list of strings as a JSON array.
fn push_json_list(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        crate::tree::escape::push_json_string(out, item);
    }
    out.push(']');
}

/// One key of JSON output: the key, its table of reasons (each list of reasons its answers
/// give, once) and one record per principal and operation, each naming its reasons by their
/// index in the table. One record a line.
pub fn json_key(k: &KeyAccess<'_>) -> String {
    let (iam, statements) = match &k.delegation {
        Delegation::Enabled(s) => ("enabled", s),
        Delegation::Conditional(s) => ("conditional", s),
        Delegation::NotEnabled(s) => ("not enabled", s),
    };
    // The table of reasons, and the index of each answer's reasons in it.
    let mut table: Vec<&Reasons> = Vec::new();
    let mut at: HashMap<&[String], u32> = HashMap::default();
    let mut index: Vec<u32> = Vec::new();
    let mut size = 256;
    for r in &k.rows {
        let mut last: Option<(&Reasons, u32)> = None;
        for a in &r.answers {
            let i = match last {
                Some((reasons, i)) if Arc::ptr_eq(reasons, &a.reasons) => i,
                _ => *at.entry(&a.reasons[..]).or_insert_with(|| {
                    table.push(&a.reasons);
                    size += a.reasons.iter().map(|r| r.len() + 4).sum::<usize>() + 4;
                    (table.len() - 1) as u32
                }),
            };
            last = Some((&a.reasons, i));
            index.push(i);
        }
        size += r.answers.len() * (r.subject.text().len() + 112);
    }
    let mut out = String::with_capacity(size);
    out.push_str("{\"name\":");
    crate::tree::escape::push_json_string(&mut out, &k.key.name);
    out.push_str(",\"path\":");
    crate::tree::escape::push_json_string(&mut out, &k.key.path);
    out.push_str(",\"arn\":");
    match &k.key.arn {
        Some(arn) => crate::tree::escape::push_json_string(&mut out, arn),
        None => out.push_str("null"),
    }
    let _ = write!(out, ",\"iam\":\"{iam}\",\"iam_reasons\":");
    push_json_list(&mut out, statements);
    out.push_str(",\"reasons\":[");
    for (i, reasons) in table.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        push_json_list(&mut out, reasons);
    }
    out.push_str(if table.is_empty() { "]" } else { "\n]" });
    out.push_str(",\"access\":[");
    let mut index = index.into_iter();
    let mut first = true;
    for r in &k.rows {
        // What every record of the row starts with.
        let mut head = String::from("{\"principal\":");
        crate::tree::escape::push_json_string(&mut head, r.subject.text());
        head.push_str(",\"operation\":\"kms:");
        for (a, i) in r.answers.iter().zip(index.by_ref()) {
            out.push_str(if first { "\n" } else { ",\n" });
            first = false;
            out.push_str(&head);
            out.push_str(a.operation.name);
            out.push_str(match a.group {
                Some(OpGroup::Use) => "\",\"group\":\"use\",\"verdict\":\"",
                Some(OpGroup::Grant) => "\",\"group\":\"grant\",\"verdict\":\"",
                Some(OpGroup::Administer) => "\",\"group\":\"administer\",\"verdict\":\"",
                Some(OpGroup::ChangePolicy) => "\",\"group\":\"change policy\",\"verdict\":\"",
                Some(OpGroup::Delete) => "\",\"group\":\"delete\",\"verdict\":\"",
                None => "\",\"group\":null,\"verdict\":\"",
            });
            out.push_str(a.verdict.as_str());
            out.push_str("\",\"reasons\":");
            crate::tree::escape::push_json_uint(&mut out, i);
            out.push('}');
        }
    }
    out.push_str(if first { "]}" } else { "\n]}" });
    out
}
