//! Suppressions at work: the inline `# kmslint: ignore[…]` comments of YAML and HCL files,
//! checked as each file is linted (KMS100 at the comment), and the log of which
//! `[[suppress]]` entries applied to a linted file and which suppressed a finding, from which a
//! run over the whole project reports the stale ones (KMS100 unused-suppression).

use std::collections::HashSet;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::rule::{RuleRef, Severity};
use crate::rules::unused_suppression;
use crate::settings::{Settings, Suppression};
use crate::source::SourceFile;
use crate::tree::Span;

/// Which `[[suppress]]` entries applied to a file a run linted, and which suppressed a
/// finding: the lint of each file returns its part, and the run gathers them.
#[derive(Debug, Default)]
pub struct SuppressionLog {
    /// Entries (by address) whose `path` matched a linted file.
    matched: HashSet<usize>,
    used: HashSet<usize>,
}

fn key(s: &Arc<Suppression>) -> usize {
    Arc::as_ptr(s) as usize
}

impl SuppressionLog {
    /// The entries that applied to one linted file, and those that suppressed its findings.
    pub fn record(&mut self, matched: &[Arc<Suppression>], used: &[Arc<Suppression>]) {
        self.matched.extend(matched.iter().map(key));
        self.used.extend(used.iter().map(key));
    }

    pub fn was_used(&self, s: &Arc<Suppression>) -> bool {
        self.used.contains(&key(s))
    }

    /// Whether the run linted every file the entry can cover: `whole_project` when it walked
    /// the configuration's folder (or one above it); otherwise only an entry whose `path`
    /// names one file literally, and that file was linted.
    pub fn was_judged(&self, s: &Arc<Suppression>, whole_project: bool) -> bool {
        whole_project
            || s.path
                .as_ref()
                .is_some_and(|p| p.is_literal() && self.matched.contains(&key(s)))
    }
}

/// A `# kmslint: ignore[CODE,…] reason` comment (`//` too in HCL) on a line of its own: it
/// drops the findings of the rules it names on the next line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineIgnore<'t> {
    /// The line the comment is on (1-based).
    pub line: u32,
    /// `# kmslint: ignore[…]` in the file, without the reason after it.
    pub directive: Span,
    /// The comment marker as written: `#` or `//`.
    pub marker: &'t str,
    /// The codes or names between the brackets, each with its place in the file.
    pub codes: Vec<(Span, &'t str)>,
    /// `ignore[` has no `]` on its line.
    pub unclosed: bool,
}

/// The inline ignore comment on one line of a file (without its line break), if it is one;
/// `offset` is where the line starts in the file, `number` its 1-based line number.
pub fn inline_ignore(line: &str, offset: u32, number: u32) -> Option<InlineIgnore<'_>> {
    // Every piece below is a suffix of `line`, so its length gives its place.
    let at = |suffix: &str| offset + (line.len() - suffix.len()) as u32;
    let comment = line.trim_start();
    let marker = ["#", "//"].into_iter().find(|m| comment.starts_with(m))?;
    let after = comment[marker.len()..]
        .trim_start()
        .strip_prefix("kmslint:")?
        .trim_start()
        .strip_prefix("ignore")?;
    // `ignore`, `ignore reason`, `ignore[…]` or `ignore […]`; `ignored` is prose.
    if !(after.is_empty() || after.starts_with(char::is_whitespace) || after.starts_with('[')) {
        return None;
    }
    let mut ignore = InlineIgnore {
        line: number,
        directive: Span::new(at(comment), at(after)),
        marker,
        codes: Vec::new(),
        unclosed: false,
    };
    let Some(list) = after.trim_start().strip_prefix('[') else {
        return Some(ignore);
    };
    let Some(close) = list.find(']') else {
        ignore.unclosed = true;
        ignore.directive.end = offset + line.trim_end().len() as u32;
        return Some(ignore);
    };
    let mut start = at(list);
    for piece in list[..close].split(',') {
        let code = piece.trim();
        if !code.is_empty() {
            let lead = (piece.len() - piece.trim_start().len()) as u32;
            let s = start + lead;
            ignore
                .codes
                .push((Span::new(s, s + code.len() as u32), code));
        }
        start += piece.len() as u32 + 1;
    }
    ignore.directive.end = at(list) + close as u32 + 1;
    Some(ignore)
}

/// Apply the inline ignore comments of a file to its findings: drop each finding that a
/// comment on the line before it names the rule of. When `judge` is set (the run reports
/// every finding of the file) and KMS100 is on, also report as KMS100, at the comment:
/// - an unknown code or name, a prefix, a comment that names no rule or lacks its `]`
///   (errors: the comment cannot do what it says);
/// - rules a comment names that dropped nothing on the next line (warnings, like stale
///   `[[suppress]]` entries), unless the rule is off for the file or a `[[suppress]]` entry
///   of the file covers it (that entry then took the finding first), or the comment names
///   KMS100 itself (as ruff's `# noqa: RUF100` keeps a directive).
///
/// KMS100 findings are dropped by a comment naming KMS100 on the line before, like others.
pub fn apply_inline_ignores(
    source: &SourceFile,
    settings: &Settings,
    judge: bool,
    diagnostics: &mut Vec<Diagnostic>,
    used_entries: &mut Vec<Arc<Suppression>>,
) {
    if !source.text.contains("kmslint:") {
        return;
    }
    let mut comments = Vec::new();
    let mut offset = 0usize;
    for (i, raw) in source.text.split_inclusive('\n').enumerate() {
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.contains("kmslint:")
            && let Some(c) = inline_ignore(line, offset as u32, i as u32 + 1)
        {
            comments.push(c);
        }
        offset += raw.len();
    }
    if comments.is_empty() {
        return;
    }
    let rules: Vec<Vec<Option<RuleRef>>> = comments
        .iter()
        .map(|c| {
            c.codes
                .iter()
                .map(|(_, code)| settings.rule_named(code))
                .collect()
        })
        .collect();
    let mut used: Vec<Vec<bool>> = rules.iter().map(|r| vec![false; r.len()]).collect();
    diagnostics.retain(|d| !drops(source, &comments, &rules, &mut used, d));
    let kms100 = &unused_suppression::RULE;
    if !judge || !settings.is_enabled(kms100) {
        return;
    }
    let mut found = Vec::new();
    for (k, c) in comments.iter().enumerate() {
        found.extend(comment_problems(c, &rules[k], &used[k], settings));
    }
    found.retain(|d| !drops(source, &comments, &rules, &mut used, d));
    if found.is_empty() {
        return;
    }
    if let Some(entry) = settings.suppression(kms100, None) {
        used_entries.push(Arc::clone(entry));
        return;
    }
    diagnostics.extend(found);
}

/// Whether a comment on the line before `d` names its rule (`rules`: the rule each code of
/// each comment names); marks the codes that do as `used`.
fn drops(
    source: &SourceFile,
    comments: &[InlineIgnore<'_>],
    rules: &[Vec<Option<RuleRef>>],
    used: &mut [Vec<bool>],
    d: &Diagnostic,
) -> bool {
    let line = source.line_col(d.span.start).line;
    let Ok(k) = comments.binary_search_by_key(&line.saturating_sub(1), |c| c.line) else {
        return false;
    };
    let mut dropped = false;
    for (j, rule) in rules[k].iter().enumerate() {
        if rule.as_ref().is_some_and(|r| r.is(&d.rule)) {
            used[k][j] = true;
            dropped = true;
        }
    }
    dropped
}

/// The KMS100 findings about one inline ignore comment: what is wrong with it, and the rules
/// it names that dropped nothing (`used`, by code, with `rules` the rule each code names).
fn comment_problems(
    c: &InlineIgnore<'_>,
    rules: &[Option<RuleRef>],
    used: &[bool],
    settings: &Settings,
) -> Vec<Diagnostic> {
    let kms100 = &unused_suppression::RULE;
    let diagnostic = unused_suppression::diagnostic;
    let error = settings.finding_severity(kms100, Some(Severity::Error));
    let example = format!("`{} kmslint: ignore[KMS003] reason`", c.marker);
    if c.unclosed {
        return vec![diagnostic(
            c.directive,
            error,
            "the inline ignore has no closing `]`".to_string(),
            format!("end the list of rules with `]` on the comment's line: {example}"),
        )];
    }
    if c.codes.is_empty() {
        return vec![diagnostic(
            c.directive,
            error,
            "the inline ignore names no rule".to_string(),
            format!("name the rules it drops from the next line: {example}"),
        )];
    }
    let mut out = Vec::new();
    for ((span, code), rule) in c.codes.iter().zip(rules) {
        if rule.is_some() {
            continue;
        }
        let message = match settings.resolve(code) {
            Ok(named) => format!(
                "`{code}` in the inline ignore names {} rules, not one",
                named.len()
            ),
            Err(e) => {
                let mut m = format!("`{code}` in the inline ignore is not a rule code or name");
                if let Some(s) = e.suggestion {
                    m.push_str(&format!(" (did you mean `{s}`?)"));
                }
                m
            }
        };
        out.push(diagnostic(
            *span,
            error,
            message,
            "name each rule by its code or name (`kmslint rules` lists them)".to_string(),
        ));
    }
    if rules.iter().flatten().any(|r| r.code() == kms100.code) {
        return out;
    }
    let unused: Vec<String> = c
        .codes
        .iter()
        .zip(rules.iter().zip(used))
        .filter(|(_, (rule, used))| {
            rule.as_ref().is_some_and(|r| {
                !**used
                    && settings.is_enabled(r)
                    && !settings.suppressions.iter().any(|s| s.rule.is(r))
            })
        })
        .map(|((_, code), _)| format!("`{code}`"))
        .collect();
    if unused.is_empty() {
        return out;
    }
    let list = unused.join(", ");
    let help = if used.iter().any(|u| *u) {
        format!("remove {list} from the comment")
    } else {
        "remove the comment, or put it on the line before the finding it accepts".to_string()
    };
    out.push(diagnostic(
        c.directive,
        settings.severity(kms100),
        format!("the inline ignore of {list} matches no finding on the line below it"),
        help,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Option<InlineIgnore<'_>> {
        inline_ignore(line, 100, 7)
    }

    /// The text of each code and of the directive, by their spans (offset 100 is the line's).
    fn texts<'l>(line: &'l str, c: &InlineIgnore<'_>) -> (&'l str, Vec<&'l str>) {
        let at = |s: Span| &line[s.start as usize - 100..s.end as usize - 100];
        (
            at(c.directive),
            c.codes.iter().map(|(s, _)| at(*s)).collect(),
        )
    }

    #[test]
    fn codes_and_the_directive_keep_their_places() {
        let line = "    # kmslint: ignore[KMS003 , admin-can-self-grant,] admins need grants";
        let c = parse(line).unwrap();
        assert_eq!((c.line, c.marker, c.unclosed), (7, "#", false));
        assert_eq!(
            texts(line, &c),
            (
                "# kmslint: ignore[KMS003 , admin-can-self-grant,]",
                vec!["KMS003", "admin-can-self-grant"]
            )
        );
        let line = "  //kmslint:ignore [ORG001]";
        let c = parse(line).unwrap();
        assert_eq!(c.marker, "//");
        assert_eq!(
            texts(line, &c),
            ("//kmslint:ignore [ORG001]", vec!["ORG001"])
        );
    }

    #[test]
    fn bare_empty_and_unclosed_comments_are_ignores_without_codes() {
        for (line, directive) in [
            ("# kmslint: ignore", "# kmslint: ignore"),
            ("# kmslint: ignore admins need grants", "# kmslint: ignore"),
            ("  # kmslint: ignore[ ] why", "# kmslint: ignore[ ]"),
        ] {
            let c = parse(line).unwrap();
            assert!(c.codes.is_empty() && !c.unclosed, "{line}");
            assert_eq!(texts(line, &c).0, directive);
        }
        let line = "# kmslint: ignore[KMS003 reason  ";
        let c = parse(line).unwrap();
        assert!(c.unclosed && c.codes.is_empty());
        assert_eq!(texts(line, &c).0, "# kmslint: ignore[KMS003 reason");
    }

    #[test]
    fn other_lines_are_not_ignores() {
        for line in [
            "Principal: # kmslint: ignore[KMS003]",
            "# kmslint: ignored because of the audit",
            "# kmslint ignore[KMS003]",
            "# see kmslint: ignore[KMS003]",
            "/ kmslint: ignore[KMS003]",
        ] {
            assert_eq!(parse(line), None, "{line}");
        }
    }
}
