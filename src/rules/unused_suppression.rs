//! KMS100: a `[[suppress]]` entry of the configuration suppressed no finding.

use crate::diagnostic::Diagnostic;
use crate::rule::{Check, Edit, Fix, Rule, RuleGroup, RuleRef, Severity};
use crate::tree::Span;

/// Reported about the configuration file once every file of the run is linted.
pub const RULE: Rule = Rule {
    code: "KMS100",
    name: "unused-suppression",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Config,
    summary: "a `[[suppress]]` entry of the configuration matches no finding",
    doc: include_str!("../../rules/unused-suppression.md"),
    check: Check::Config,
};

/// A finding about a suppression (a `[[suppress]]` entry or an inline ignore comment).
pub fn diagnostic(span: Span, severity: Severity, message: String, help: String) -> Diagnostic {
    Diagnostic {
        rule: RuleRef::Builtin(&RULE),
        severity,
        policy: None,
        span,
        message,
        labels: Vec::new(),
        help: Some(help),
        embedded: None,
        fix: None,
        sid: None,
    }
}

/// A `[[suppress]]` entry that matched no finding; `what` says what it covers, `header` is
/// the entry's `[[suppress]]` line in the configuration's `text`. Its fix (safe: the entry
/// suppresses nothing) removes the entry's lines.
pub fn stale_entry(text: &str, header: Span, severity: Severity, what: &str) -> Diagnostic {
    let mut d = diagnostic(
        header,
        severity,
        format!("the suppression of {what} matches no finding"),
        "remove the `[[suppress]]` entry, or correct its `rule`, `path` or `sid`".to_string(),
    );
    d.fix = entry_lines(text, header)
        .map(|span| Fix::safe("Remove the `[[suppress]]` entry", vec![Edit::delete(span)]));
    d
}

/// Where a TOML line scan is: outside strings, or inside a multi-line string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Toml {
    Outside,
    /// In a `"""` string.
    MultiBasic,
    /// In a `'''` string.
    MultiLiteral,
}

/// Scan one line (without its line break) from `state`: the state at its end.
fn scan_line(line: &str, mut state: Toml) -> Toml {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match state {
            Toml::MultiBasic | Toml::MultiLiteral => {
                let (quote, escapes) = if state == Toml::MultiBasic {
                    (b'"', true)
                } else {
                    (b'\'', false)
                };
                match bytes[i] {
                    b'\\' if escapes => i += 2,
                    b if b == quote && bytes[i..].starts_with(&[quote; 3]) => {
                        // Up to two more quotes belong to the string's text.
                        i += 3;
                        while i < bytes.len() && bytes[i] == quote {
                            i += 1;
                        }
                        state = Toml::Outside;
                    }
                    _ => i += 1,
                }
            }
            Toml::Outside => match bytes[i] {
                b'#' => return state,
                b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                    state = Toml::MultiBasic;
                    i += 3;
                }
                b'\'' if bytes[i..].starts_with(b"'''") => {
                    state = Toml::MultiLiteral;
                    i += 3;
                }
                b'"' => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
                b'\'' => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'\'' {
                        i += 1;
                    }
                    i += 1;
                }
                _ => i += 1,
            },
        }
    }
    state
}

/// The lines of the `[[suppress]]` table whose header is at `header`: from the header's line
/// to its last key (comments and blank lines after it go with what follows), with the blank
/// lines that separated it from its neighbours, so that one blank line stays between them.
/// `None` unless `header` is a `[[…]]` header alone on its line (an inline table is not
/// removed).
pub fn entry_lines(text: &str, header: Span) -> Option<Span> {
    let (start, end) = (header.start as usize, header.end as usize);
    let written = text.get(start..end)?.trim();
    if !(written.starts_with("[[") && written.ends_with("]]")) {
        return None;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    if !text[line_start..start].trim().is_empty() {
        return None;
    }
    let rest_of_line = text[end..].split('\n').next().unwrap_or("").trim();
    if !(rest_of_line.is_empty() || rest_of_line.starts_with('#')) {
        return None;
    }
    // The end of the header's line, then of each line of the table with a key or a value.
    let line_end = |at: usize| text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    let mut last = line_end(end);
    let mut at = last;
    let mut state = Toml::Outside;
    while at < text.len() {
        let next = line_end(at);
        let line = text[at..next].trim_end_matches(['\n', '\r']);
        let trimmed = line.trim();
        if state == Toml::Outside {
            if trimmed.starts_with('[') {
                break;
            }
            if !(trimmed.is_empty() || trimmed.starts_with('#')) {
                last = next;
            }
        } else {
            last = next;
        }
        state = scan_line(line, state);
        at = next;
    }
    if state != Toml::Outside {
        return None;
    }
    let blank = |line: &str| line.trim().is_empty();
    // Blank lines after the table.
    let mut after = last;
    while after < text.len() {
        let next = line_end(after);
        if !blank(&text[after..next]) {
            break;
        }
        after = next;
    }
    // Blank lines before it.
    let mut before = line_start;
    while before > 0 {
        let prev = text[..before - 1].rfind('\n').map_or(0, |i| i + 1);
        if !blank(&text[prev..before]) {
            break;
        }
        before = prev;
    }
    let span = if after == text.len() {
        // The last table: the file ends where the one before it ends.
        Span::new(before as u32, after as u32)
    } else if before < line_start || line_start == 0 {
        // The blank lines before it separate what was around it.
        Span::new(line_start as u32, after as u32)
    } else {
        Span::new(line_start as u32, last as u32)
    };
    Some(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text with the entry whose header is the `n`th `[[suppress]]` removed.
    fn removed(text: &str, n: usize) -> Option<String> {
        let start = text.match_indices("[[suppress]]").nth(n)?.0;
        let span = entry_lines(text, Span::new(start as u32, start as u32 + 12))?;
        let mut out = text.to_string();
        out.replace_range(span.start as usize..span.end as usize, "");
        Some(out)
    }

    const ENTRY: &str = "[[suppress]]\nrule = \"KMS005\"\nreason = \"r\"\n";

    #[test]
    fn an_entry_between_others_leaves_one_blank_line() {
        let text = format!(
            "fail-on = \"error\"\n\n{ENTRY}\n# the next one\n[[suppress]]\nrule = \"KMS003\"\nreason = \"s\"\n"
        );
        assert_eq!(
            removed(&text, 0).unwrap(),
            "fail-on = \"error\"\n\n# the next one\n[[suppress]]\nrule = \"KMS003\"\nreason = \"s\"\n"
        );
        // The last one takes the blank line before it, and leaves the comments above it.
        let text = format!("{ENTRY}\n# retired keys\n{ENTRY}\n\n");
        assert_eq!(
            removed(&text, 1).unwrap(),
            format!("{ENTRY}\n# retired keys\n")
        );
        assert_eq!(
            removed(&text, 0).unwrap(),
            format!("# retired keys\n{ENTRY}\n\n")
        );
    }

    #[test]
    fn the_only_entry_leaves_an_empty_file() {
        assert_eq!(removed(ENTRY, 0).unwrap(), "");
        assert_eq!(removed(&format!("\n{ENTRY}\n"), 0).unwrap(), "");
        let crlf = ENTRY.replace('\n', "\r\n");
        assert_eq!(removed(&crlf, 0).unwrap(), "");
    }

    #[test]
    fn comments_and_strings_inside_the_entry_go_with_it() {
        let text = "[[suppress]]  # old\nrule = \"KMS005\"\n# why:\nreason = \"\"\"\n[not a table]\n\"\"\"\n\n[[custom-rule]]\n";
        assert_eq!(removed(text, 0).unwrap(), "[[custom-rule]]\n");
        let text = "[[suppress]]\nrule = 'KMS005' # '''\nreason = '''\n[x]'''\n[severity]\n";
        assert_eq!(removed(text, 0).unwrap(), "[severity]\n");
    }

    #[test]
    fn an_inline_table_is_not_removed() {
        let text = "suppress = [{rule = \"KMS005\", reason = \"r\"}]\n";
        let start = text.find('{').unwrap() as u32;
        assert_eq!(entry_lines(text, Span::new(start, start + 10)), None);
        assert_eq!(entry_lines("x = 1 [[suppress]]\n", Span::new(6, 18)), None);
    }
}
