//! KMS029: a character KMS does not accept in a key policy document.

use crate::model::edit::{Edit, Fix, string_body};
use crate::model::{Dialect, Policy, is_allowed_policy_char};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};
use crate::tree::{Member, Span, Value};

pub const RULE: Rule = Rule {
    code: "KMS029",
    name: "invalid-character",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "a character outside printable ASCII, Latin-1, tab, LF and CR, which KMS rejects",
    doc: include_str!("../../rules/invalid-character.md"),
    check: Check::Policy(check),
};

/// At most this many runs are reported per policy; the last one counts the rest.
const MAX_RUNS: usize = 20;

/// A run of consecutive characters KMS rejects.
struct Run {
    span: Span,
    first: char,
    chars: usize,
}

/// The name of a character people paste by accident, for messages.
fn char_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{a0}' => "no-break space",
        '\u{2009}' => "thin space",
        '\u{202f}' => "narrow no-break space",
        '\u{3000}' => "ideographic space",
        '\u{200b}' => "zero-width space",
        '\u{200c}' => "zero-width non-joiner",
        '\u{200d}' => "zero-width joiner",
        '\u{2060}' => "word joiner",
        '\u{feff}' => "zero-width no-break space",
        '\u{2018}' => "left single quotation mark",
        '\u{2019}' => "right single quotation mark",
        '\u{201c}' => "left double quotation mark",
        '\u{201d}' => "right double quotation mark",
        '\u{2013}' => "en dash",
        '\u{2014}' => "em dash",
        '\u{2026}' => "horizontal ellipsis",
        '\u{7f}' => "delete control character",
        c if c.is_control() => "control character",
        _ => return None,
    })
}

/// Whether a character can be shown as itself in a message.
fn visible(c: char) -> bool {
    char_name(c).is_none() && !c.is_whitespace()
}

/// `U+00A0 (no-break space)` or ``U+4E2D `中` ``.
fn describe(c: char) -> String {
    match char_name(c) {
        Some(name) => format!("U+{:04X} ({name})", c as u32),
        None if c.is_whitespace() => format!("U+{:04X} (a space character)", c as u32),
        None => format!("U+{:04X} `{c}`", c as u32),
    }
}

/// How to fix a run that starts with `c`.
fn fix(c: char) -> &'static str {
    match c {
        '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' => "delete the invisible character",
        c if c.is_whitespace() && !c.is_control() => "replace it with an ordinary space",
        '\u{2018}' | '\u{2019}' | '\u{201c}' | '\u{201d}' => {
            "replace the curly quote with a straight one (`'`)"
        }
        '\u{2013}' | '\u{2014}' => "replace the dash with `-`",
        '\u{2026}' => "replace the ellipsis with `...`",
        c if c.is_control() => "delete the control character",
        _ => "write the text in ASCII or Latin-1 (a `Sid` included)",
    }
}

/// What a rejected character is replaced with when that is certain: nothing for an
/// invisible one, an ordinary space for a space character; `None` for anything else (a curly
/// quote or a dash may be meant as it is, and a letter certainly is).
fn replacement(c: char) -> Option<&'static str> {
    match c {
        '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' => Some(""),
        c if c.is_whitespace() && !c.is_control() => Some(" "),
        _ => None,
    }
}

/// The text of a string value or key, written as it reads (no escapes), in the policy.
struct Slot {
    body: Span,
    /// The value of `Sid` or `Id`: free text, where a space reads as the space it replaces.
    free_text: bool,
    /// An unquoted YAML scalar, whose reading depends on the characters around an edit.
    bare_yaml: bool,
}

/// The span of a key's characters, without quotes, when written as it reads.
fn key_body(text: &str, m: &Member) -> Option<(Span, bool)> {
    let span = m.key_span;
    let written = text.get(span.start as usize..span.end as usize)?;
    let quoted = |q: char| written.len() >= 2 && written.starts_with(q) && written.ends_with(q);
    if written == m.key {
        Some((span, false))
    } else if (quoted('"') || quoted('\'')) && written[1..written.len() - 1] == m.key {
        Some((Span::new(span.start + 1, span.end - 1), true))
    } else {
        None
    }
}

/// Every string value and key of the policy written as it reads.
fn slots(policy: &Policy<'_>) -> Vec<Slot> {
    let yaml = policy.dialect == Dialect::CfnYaml;
    let free: Vec<Span> = policy
        .root
        .members()
        .iter()
        .filter(|m| m.key == "Id")
        .chain(
            policy
                .statements
                .iter()
                .flat_map(|st| st.node.members().iter().filter(|m| m.key == "Sid")),
        )
        .map(|m| m.value.span)
        .collect();
    let mut out = Vec::new();
    policy.root.walk(&mut |node| match &node.value {
        Value::String(_) => {
            if let Some(body) = string_body(node, policy.text) {
                out.push(Slot {
                    body,
                    free_text: free.contains(&node.span),
                    bare_yaml: yaml && body == node.span,
                });
            }
        }
        Value::Object(members) => {
            for m in members {
                if let Some((body, quoted)) = key_body(policy.text, m) {
                    out.push(Slot {
                        body,
                        free_text: false,
                        bare_yaml: yaml && !quoted,
                    });
                }
            }
        }
        _ => {}
    });
    out
}

/// Whether YAML reads `text` unquoted as a string (not `true`, `null`, `12`).
fn yaml_reads_as_string(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let numeric =
        body.bytes().next().is_some_and(|b| b.is_ascii_digit()) && body.parse::<f64>().is_ok();
    !numeric
        && !matches!(
            text,
            "" | "~"
                | "true"
                | "True"
                | "TRUE"
                | "false"
                | "False"
                | "FALSE"
                | "null"
                | "Null"
                | "NULL"
        )
}

/// The fix of a run: invisible characters deleted anywhere in a string or key; space
/// characters replaced by a space only in free text (`Sid`, `Id`), since elsewhere (an ARN, a
/// condition value) whether the space belongs there is not certain. No fix outside strings
/// (whitespace, comments), in text written with escapes, or where the edit would change how
/// the syntax reads (a `$` and `{` brought together start a template expression; an unquoted
/// YAML scalar could become a comment, a mapping or a number).
fn fix_run(policy: &Policy<'_>, slots: &[Slot], run: &Run) -> Option<Fix> {
    let text = policy.text;
    let chars = text.get(run.span.start as usize..run.span.end as usize)?;
    let mut content = String::new();
    let (mut deleted, mut spaces) = (0usize, 0usize);
    for c in chars.chars() {
        let r = replacement(c)?;
        if r.is_empty() {
            deleted += 1;
        } else {
            spaces += 1;
        }
        content.push_str(r);
    }
    let slot = slots
        .iter()
        .find(|s| s.body.start <= run.span.start && run.span.end <= s.body.end)?;
    if spaces > 0 && !slot.free_text {
        return None;
    }
    let head = text.get(slot.body.start as usize..run.span.start as usize)?;
    let tail = text.get(run.span.end as usize..slot.body.end as usize)?;
    let before = head.chars().next_back();
    let after = tail.chars().next();
    if content.is_empty() && matches!(before, Some('$' | '%')) && after == Some('{') {
        return None;
    }
    if slot.bare_yaml {
        let blank = |c: Option<char>| c.is_none_or(|c| c == ' ' || c == '\t');
        let breaks = match before {
            None => true,
            Some(':') => !content.is_empty() || blank(after),
            Some(' ' | '\t') => content.is_empty() && after == Some('#'),
            Some(_) => !content.is_empty() && after == Some('#'),
        };
        if breaks || !yaml_reads_as_string(format!("{head}{content}{tail}").trim()) {
            return None;
        }
    }
    let title = match (deleted, spaces) {
        (1, 0) => "Delete the invisible character".to_string(),
        (_, 0) => "Delete the invisible characters".to_string(),
        (0, 1) => format!("Replace {} with an ordinary space", describe(run.first)),
        (0, _) => "Replace the space characters with ordinary spaces".to_string(),
        _ => "Delete the invisible characters and write ordinary spaces".to_string(),
    };
    Some(Fix::safe(title, vec![Edit::replace(run.span, content)]))
}

/// Whether every byte is printable ASCII, tab, LF or CR. Written as a branch-free loop over
/// blocks, which the compiler turns into vector instructions: this runs on every policy.
fn printable_ascii(bytes: &[u8]) -> bool {
    let bad = |b: u8| ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')) | (b >= 0x7f);
    let mut blocks = bytes.chunks_exact(64);
    for block in &mut blocks {
        if block.iter().fold(0u8, |acc, &b| acc | u8::from(bad(b))) != 0 {
            return false;
        }
    }
    !blocks.remainder().iter().any(|&b| bad(b))
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let span = policy.root.span;
    let Some(text) = policy.text.get(span.start as usize..span.end as usize) else {
        return;
    };
    // Almost every policy is printable ASCII: check that eight bytes at a time first.
    if printable_ascii(text.as_bytes()) {
        return;
    }
    let mut runs: Vec<Run> = Vec::new();
    let mut more_runs = 0usize;
    let mut open: Option<Run> = None;
    for (i, c) in text.char_indices() {
        let at = span.start + i as u32;
        if is_allowed_policy_char(c) {
            if let Some(run) = open.take() {
                if runs.len() < MAX_RUNS {
                    runs.push(run);
                } else {
                    more_runs += 1;
                }
            }
            continue;
        }
        let end = at + c.len_utf8() as u32;
        match &mut open {
            Some(run) => {
                run.span.end = end;
                run.chars += 1;
            }
            None => {
                open = Some(Run {
                    span: Span::new(at, end),
                    first: c,
                    chars: 1,
                })
            }
        }
    }
    if let Some(run) = open {
        if runs.len() < MAX_RUNS {
            runs.push(run);
        } else {
            more_runs += 1;
        }
    }
    let last = runs.len().saturating_sub(1);
    let slots = slots(policy);
    for (n, run) in runs.iter().enumerate() {
        let chars = policy
            .text
            .get(run.span.start as usize..run.span.end as usize)
            .unwrap_or_default();
        let what = if run.chars == 1 {
            format!("{} is", describe(run.first))
        } else if chars.chars().all(visible) {
            format!("`{chars}` ({} characters) is", run.chars)
        } else {
            format!(
                "{} characters, starting with {}, are",
                run.chars,
                describe(run.first)
            )
        };
        let mut message = format!(
            "{what} not allowed in a key policy: KMS accepts only printable ASCII and Latin-1 characters, tab, LF and CR"
        );
        if n == last && more_runs > 0 {
            message.push_str(&format!(
                " ({more_runs} more such places in this policy are not shown)"
            ));
        }
        r.report(run.span, message)
            .help(fix(run.first))
            .fix(fix_run(policy, &slots, run));
    }
}

#[cfg(test)]
mod printable_tests {
    use super::printable_ascii;

    #[test]
    fn eight_bytes_at_a_time_agrees_with_one_at_a_time() {
        let slow = |b: &[u8]| {
            b.iter()
                .all(|&b| (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r'))
        };
        let samples: Vec<Vec<u8>> = vec![
            b"{\"Version\": \"2012-10-17\",\n\t\"Statement\": []}\r\n".to_vec(),
            b"abcdefgh\x7fijklmnop".to_vec(),
            b"abcdefgh\x00".to_vec(),
            b"abc\x1fdefghij".to_vec(),
            "caf\u{e9} au lait, and more text".as_bytes().to_vec(),
            b"~~~~~~~~ !!!!!!!!".to_vec(),
            (0u8..=255).collect(),
        ];
        // Every pair of byte values, at every place of a word: no borrow or carry leaks
        // from one byte into its neighbour.
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                for at in [0, 3, 6] {
                    let mut word = *b"ab\ncd\tef";
                    word[at] = a;
                    word[at + 1] = b;
                    assert_eq!(printable_ascii(&word), slow(&word), "{word:?}");
                }
            }
        }
        for s in &samples {
            for start in 0..s.len().min(9) {
                assert_eq!(
                    printable_ascii(&s[start..]),
                    slow(&s[start..]),
                    "{:?}",
                    &s[start..]
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_characters_are_those_kms_documents() {
        for c in ['\t', '\n', '\r', ' ', '~', 'a', '\u{a1}', 'é', '\u{ff}'] {
            assert!(is_allowed_policy_char(c), "{c:?}");
        }
        for c in [
            '\0', '\u{1f}', '\u{7f}', '\u{85}', '\u{a0}', '\u{100}', '\u{2019}', '🔑',
        ] {
            assert!(!is_allowed_policy_char(c), "{c:?}");
        }
    }

    #[test]
    fn characters_are_described_by_name_or_glyph() {
        assert_eq!(describe('\u{a0}'), "U+00A0 (no-break space)");
        assert_eq!(describe('\u{1}'), "U+0001 (control character)");
        assert_eq!(describe('中'), "U+4E2D `中`");
        assert_eq!(describe('\u{2003}'), "U+2003 (a space character)");
        assert_eq!(fix('\u{a0}'), "replace it with an ordinary space");
        assert_eq!(fix('\u{feff}'), "delete the invisible character");
    }
}
