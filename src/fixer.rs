//! Applying the fixes findings carry to a file's text, and proving the result.
//!
//! The fixes a run asks for (safe ones, and unsafe ones with `--unsafe-fixes`) are applied
//! together where their edits do not touch; the fixed text is linted again and kept only if it
//! still parses, holds as many policies, no longer has the fixed findings and has no finding
//! the original did not have. When the fixes together fail that check, they are tried one at a
//! time; a fix that fails alone is dropped and said. Fixing repeats (a fix may make room for
//! another) a bounded number of rounds.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::Diagnostic;
use crate::engine::FileReport;
use crate::rule::{Applicability, Edit, Fix};
use crate::rules::invalid_json;
use crate::source::SourceFile;

/// How many times fixing starts again on the fixed text.
const ROUNDS: usize = 8;

/// A finding as the check compares them: rule, policy and message (positions move).
type Key = (String, Option<String>, String);

fn key(d: &Diagnostic) -> Key {
    (
        d.rule.code().to_string(),
        d.policy.clone(),
        d.message.clone(),
    )
}

/// What fixing one file did.
#[derive(Debug)]
pub struct Fixed {
    /// The file after the fixes (the original when none was applied).
    pub source: SourceFile,
    /// Its report.
    pub report: FileReport,
    /// How many findings the applied fixes resolved.
    pub fixed: usize,
    /// Fixes left out because the file would not survive them: their titles.
    pub discarded: Vec<String>,
}

impl Fixed {
    pub fn changed(&self, original: &str) -> bool {
        self.source.text != original
    }
}

/// Whether a fix of this applicability is applied.
pub fn wanted(fix: &Fix, unsafe_fixes: bool) -> bool {
    fix.applicability == Applicability::Safe || unsafe_fixes
}

/// Fix `source` (linted as `report`); `relint` lints a text the way `source` was linted.
pub fn fix_file(
    source: SourceFile,
    report: FileReport,
    unsafe_fixes: bool,
    relint: &dyn Fn(&SourceFile) -> FileReport,
) -> Fixed {
    let mut current = Fixed {
        source,
        report,
        fixed: 0,
        discarded: Vec::new(),
    };
    let mut rejected: HashSet<(Key, String)> = HashSet::new();
    for _ in 0..ROUNDS {
        let chosen = choose(&current.report, unsafe_fixes, &rejected);
        if chosen.is_empty() {
            break;
        }
        if let Some(next) = attempt(&current, &chosen, relint) {
            current = next;
            continue;
        }
        // Together they fail: the first that passes alone is kept, the others wait for the
        // next round; those that fail alone are dropped.
        let mut progressed = false;
        for one in &chosen {
            if let Some(next) = attempt(&current, std::slice::from_ref(one), relint) {
                current = next;
                progressed = true;
                break;
            }
            let d = &current.report.diagnostics[*one];
            if let Some(fix) = &d.fix {
                rejected.insert((key(d), fix.title.clone()));
                current.discarded.push(fix.title.clone());
            }
        }
        if !progressed {
            break;
        }
    }
    current
}

/// The diagnostics (by index) whose fixes are applied together: wanted, not rejected, and
/// with edits that touch no edit of a fix chosen before them.
fn choose(
    report: &FileReport,
    unsafe_fixes: bool,
    rejected: &HashSet<(Key, String)>,
) -> Vec<usize> {
    let mut candidates: Vec<(usize, &Fix)> = report
        .diagnostics
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.fix.as_ref().map(|f| (i, f)))
        .filter(|(i, f)| {
            wanted(f, unsafe_fixes)
                && !f.edits.is_empty()
                && !rejected.contains(&(key(&report.diagnostics[*i]), f.title.clone()))
        })
        .collect();
    candidates.sort_by_key(|(i, f)| (f.span().map(|s| (s.start, s.end)), *i));
    let mut taken: Vec<&Edit> = Vec::new();
    let mut chosen = Vec::new();
    // The same edits fix several findings at once (one condition for two findings): applied
    // once.
    let mut seen: Vec<&Fix> = Vec::new();
    for (i, fix) in candidates {
        if seen.contains(&fix) {
            chosen.push(i);
            continue;
        }
        let touches = fix.edits.iter().any(|e| {
            taken
                .iter()
                .any(|t| e.span.start <= t.span.end && t.span.start <= e.span.end)
        });
        if touches || overlaps_itself(fix) {
            continue;
        }
        taken.extend(&fix.edits);
        seen.push(fix);
        chosen.push(i);
    }
    chosen
}

fn overlaps_itself(fix: &Fix) -> bool {
    let mut spans: Vec<_> = fix.edits.iter().map(|e| e.span).collect();
    spans.sort();
    spans.windows(2).any(|w| w[1].start < w[0].end)
}

/// Apply the fixes of `chosen` to the current text and check the result.
fn attempt(
    current: &Fixed,
    chosen: &[usize],
    relint: &dyn Fn(&SourceFile) -> FileReport,
) -> Option<Fixed> {
    let mut edits: Vec<&Edit> = Vec::new();
    let mut fixes: Vec<&Fix> = Vec::new();
    for &i in chosen {
        let fix = current.report.diagnostics[i].fix.as_ref()?;
        if !fixes.contains(&fix) {
            fixes.push(fix);
            edits.extend(&fix.edits);
        }
    }
    let text = apply(&current.source.text, &edits)?;
    let source = SourceFile::new(
        current.source.path.clone(),
        current.source.fs_path.clone(),
        text,
    );
    let report = relint(&source);
    let fixed_keys: Vec<Key> = chosen
        .iter()
        .map(|&i| key(&current.report.diagnostics[i]))
        .collect();
    if !proven(&current.report, &report, &fixed_keys) {
        return None;
    }
    Some(Fixed {
        source,
        report,
        fixed: current.fixed + chosen.len(),
        discarded: current.discarded.clone(),
    })
}

/// The text with the edits made (they do not overlap); `None` if an edit does not fit it.
pub fn apply(text: &str, edits: &[&Edit]) -> Option<String> {
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
    let mut out = text.to_string();
    let mut limit = text.len();
    for e in sorted {
        let (start, end) = (e.span.start as usize, e.span.end as usize);
        if start > end || end > limit || !out.is_char_boundary(start) || !out.is_char_boundary(end)
        {
            return None;
        }
        out.replace_range(start..end, &e.content);
        limit = start;
    }
    Some(out)
}

/// Whether `after` is what fixing `fixed` findings of `before` may give: it parses as well,
/// holds the same number of policies, has each fixed finding fewer times, and nothing new.
fn proven(before: &FileReport, after: &FileReport, fixed: &[Key]) -> bool {
    let parse_errors = |r: &FileReport| {
        r.diagnostics
            .iter()
            .filter(|d| d.rule.code() == invalid_json::RULE.code)
            .count()
    };
    if parse_errors(after) > parse_errors(before) || after.policies != before.policies {
        return false;
    }
    let mut allowed: HashMap<Key, isize> = HashMap::new();
    for d in &before.diagnostics {
        *allowed.entry(key(d)).or_default() += 1;
    }
    for k in fixed {
        *allowed.entry(k.clone()).or_default() -= 1;
    }
    for d in &after.diagnostics {
        let n = allowed.entry(key(d)).or_default();
        *n -= 1;
        if *n < 0 {
            return false;
        }
    }
    true
}

/// For rules' tests: lint `text` as a file named `file` (its extension says how it is read)
/// with the default settings and apply every fix
/// (unsafe ones too) through [`fix_file`], which must keep them all. The fix titles of the
/// findings of `code`, in order, and what fixing made.
#[cfg(test)]
pub(crate) fn fix_all(code: &str, file: &str, text: &str) -> (Vec<Option<String>>, Fixed) {
    use crate::engine::{Reach, lint_source};
    let kind = crate::extract::InputKind::from_path(std::path::Path::new(file))
        .expect("a file name kmslint reads");
    let settings = crate::settings::Settings::default();
    let lint = |s: &SourceFile| lint_source(s, kind, Reach::Named, &settings);
    let source = SourceFile::new(file, None, text.to_string());
    let report = lint(&source);
    let titles = report
        .diagnostics
        .iter()
        .filter(|d| d.rule.code() == code)
        .map(|d| d.fix.as_ref().map(|f| f.title.clone()))
        .collect();
    let fixed = fix_file(source, report, true, &lint);
    assert_eq!(
        fixed.discarded,
        Vec::<String>::new(),
        "{}",
        fixed.source.text
    );
    (titles, fixed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Reach, lint_source};
    use crate::extract::InputKind;
    use crate::rule::Edit;
    use crate::settings::Settings;
    use crate::tree::Span;

    fn lint(s: &SourceFile) -> FileReport {
        lint_source(s, InputKind::Json, Reach::Named, &Settings::default())
    }

    #[test]
    fn edits_apply_from_the_end() {
        let e1 = Edit::replace(Span::new(0, 1), "X");
        let e2 = Edit::insert(3, "!");
        assert_eq!(apply("abc", &[&e1, &e2]).as_deref(), Some("Xbc!"));
        assert_eq!(apply("abc", &[&Edit::replace(Span::new(2, 9), "")]), None);
    }

    /// A fix that breaks the file is dropped, and the file is left as it was.
    #[test]
    fn a_fix_that_breaks_the_file_is_dropped() {
        let text = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "G", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:group/G"}, "Action": "kms:Decrypt", "Resource": "*"}]}"#;
        let source = SourceFile::new("k.json", None, text.to_string());
        let mut report = lint(&source);
        let d = report
            .diagnostics
            .iter_mut()
            .find(|d| d.rule.code() == "KMS002")
            .unwrap();
        d.fix = Some(Fix::safe("break it", vec![Edit::insert(1, "{")]));
        let fixed = fix_file(source, report, false, &lint);
        assert_eq!(fixed.source.text, text);
        assert_eq!(fixed.fixed, 0);
        assert_eq!(fixed.discarded, ["break it"]);
    }

    /// A fix that resolves its finding without a new one is kept; unsafe ones only on request.
    #[test]
    fn a_proven_fix_is_kept_and_unsafe_ones_wait_for_the_flag() {
        let text = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "G", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Sid": "X", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:group/G"}, "Action": "kms:Decrypt", "Resource": "*"}]}"#;
        let start = text.find(r#", {"Sid": "X""#).unwrap() as u32;
        let end = text.len() as u32 - 2;
        let with_fix = || {
            let source = SourceFile::new("k.json", None, text.to_string());
            let mut report = lint(&source);
            let d = report
                .diagnostics
                .iter_mut()
                .find(|d| d.rule.code() == "KMS002")
                .unwrap();
            d.fix = Some(Fix::unsafe_(
                "remove the statement",
                vec![Edit::delete(Span::new(start, end))],
            ));
            (source, report)
        };
        let (source, report) = with_fix();
        let not_asked = fix_file(source, report, false, &lint);
        assert_eq!(not_asked.fixed, 0);
        assert_eq!(not_asked.source.text, text);
        let (source, report) = with_fix();
        let fixed = fix_file(source, report, true, &lint);
        assert_eq!(fixed.fixed, 1);
        assert!(!fixed.source.text.contains("group/G"));
        assert!(
            fixed
                .report
                .diagnostics
                .iter()
                .all(|d| d.rule.code() != "KMS002")
        );
    }
}
