//! Human output: miette's graphical reports with the source snippet, labels and help.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Summary, plural};
use crate::diagnostic::Diagnostic;
use crate::rule::{Applicability, Severity};
use crate::source::SourceFile;

/// What a report shows of a text: the lines around its spans, each line longer than
/// [`LONG_LINE`] cut to a window around the spans on it (with `…` where text is left out), and
/// the number of the first line. Building it costs the size of those lines, never the size of
/// the file, so a file with many findings renders in linear time and a finding at column
/// 100,000 of a minified template renders at all.
struct View {
    name: String,
    text: String,
    /// The 0-based line number of the view's first line in the real text.
    first_line: usize,
    /// Byte offset of each line of `text`.
    starts: Vec<usize>,
    /// The primary span's real line and column (0-based; the column in characters).
    header: (usize, usize),
}

/// Lines longer than this (in bytes) are shown as a window around their spans.
const LONG_LINE: usize = 400;
/// How much of a long line is shown on each side of the spans on it.
const WINDOW_PAD: usize = 60;
const ELLIPSIS: &str = "…";

/// One line of a view: the part of the real line it shows and where that part starts in the
/// view.
struct Piece {
    from: usize,
    to: usize,
    view_start: usize,
}

impl View {
    /// The view of `source`'s text around `spans` (the primary first), and each span in the
    /// view's coordinates.
    fn new(
        name: String,
        source: &SourceFile,
        spans: &[crate::tree::Span],
    ) -> (View, Vec<SourceSpan>) {
        let text = source.text.as_str();
        let starts = source.line_starts();
        let line_of = |o: usize| match starts.binary_search(&(o as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_bounds = |l: usize| {
            let from = starts[l] as usize;
            let mut to = starts.get(l + 1).map_or(text.len(), |&e| e as usize - 1);
            if text[from..to].ends_with('\r') {
                to -= 1;
            }
            (from, to.max(from))
        };
        let spans: Vec<(usize, usize)> = spans
            .iter()
            .map(|s| {
                let s = source.snap(*s);
                (s.start as usize, s.end as usize)
            })
            .collect();
        let last = starts.len() - 1;
        let first_line = spans
            .iter()
            .map(|s| line_of(s.0))
            .min()
            .unwrap_or(0)
            .saturating_sub(1);
        let last_line = (spans.iter().map(|s| line_of(s.1)).max().unwrap_or(0) + 1).min(last);
        let mut out = String::new();
        let mut pieces = Vec::with_capacity(last_line + 1 - first_line);
        for l in first_line..=last_line {
            let (from, to) = line_bounds(l);
            let (mut ws, mut we) = (from, to);
            if to - from > LONG_LINE {
                let on_line: Vec<&(usize, usize)> =
                    spans.iter().filter(|s| s.0 <= to && s.1 >= from).collect();
                let lo = on_line.iter().map(|s| s.0.max(from)).min().unwrap_or(from);
                let hi = on_line.iter().map(|s| s.1.min(to)).max().unwrap_or(from);
                ws = lo.saturating_sub(WINDOW_PAD).max(from);
                we = (hi + WINDOW_PAD).min(to).min(lo + LONG_LINE).max(lo);
                while !text.is_char_boundary(ws) {
                    ws -= 1;
                }
                while !text.is_char_boundary(we) {
                    we += 1;
                }
            }
            if l > first_line {
                out.push('\n');
            }
            if ws > from {
                out.push_str(ELLIPSIS);
            }
            pieces.push(Piece {
                from: ws,
                to: we,
                view_start: out.len(),
            });
            out.push_str(&text[ws..we]);
            if we < to {
                out.push_str(ELLIPSIS);
            }
        }
        let map = |o: usize| {
            let l = line_of(o).clamp(first_line, last_line);
            let p = &pieces[l - first_line];
            p.view_start + o.clamp(p.from, p.to) - p.from
        };
        let mapped = spans
            .iter()
            .map(|&(a, b)| {
                let (a, b) = (map(a), map(b));
                SourceSpan::from((a, b.max(a) - a))
            })
            .collect();
        let primary = spans.first().map_or(0, |s| s.0);
        let at = source.line_col(primary as u32);
        let mut view_starts = vec![0];
        view_starts.extend(out.match_indices('\n').map(|(i, _)| i + 1));
        (
            View {
                name,
                text: out,
                first_line,
                starts: view_starts,
                header: (at.line as usize - 1, at.column as usize - 1),
            },
            mapped,
        )
    }

    fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }
}

impl SourceCode for View {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let start = span.offset().min(self.text.len());
        let end = (start + span.len()).min(self.text.len());
        let first = self.line_of(start).saturating_sub(before);
        let last = (self.line_of(end) + after).min(self.starts.len() - 1);
        let from = self.starts[first];
        let to = self
            .starts
            .get(last + 1)
            .map_or(self.text.len(), |&e| e - 1);
        let (line, column) = if before == 0 && after == 0 {
            // The header names the real position, in characters.
            self.header
        } else {
            (self.first_line + first, 0)
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[from..to],
            SourceSpan::from((from, to - from)),
            if before == 0 && after == 0 {
                line
            } else {
                self.first_line + first
            },
            column,
            // As miette counts for a `&str`: the lines from the start of the text through the
            // context, which makes it show a report's labels in one snippet.
            self.first_line + last + 1,
        )))
    }
}

struct Report<'a> {
    diagnostic: &'a Diagnostic,
    code: String,
    source: View,
    labels: Vec<LabeledSpan>,
    /// The help text, with a line about an unsafe fix when there is one.
    help: Option<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(fix_marker(self.diagnostic))?;
        f.write_str(&self.diagnostic.message)
    }
}

/// `[*] ` before the message of a finding that `--fix` fixes (a safe fix), as ruff marks it.
fn fix_marker(d: &Diagnostic) -> &'static str {
    match d.fix.as_ref().map(|f| f.applicability) {
        Some(Applicability::Safe) => "[*] ",
        _ => "",
    }
}

/// The help of a report: the finding's, and for an unsafe fix a line saying what
/// `--unsafe-fixes` would do.
fn help_with_fix(d: &Diagnostic) -> Option<String> {
    let note = d
        .fix
        .as_ref()
        .filter(|f| f.applicability == Applicability::Unsafe)
        .map(|f| {
            format!(
                "unsafe fix available with `--unsafe-fixes`: {}",
                lowercase_first(&f.title)
            )
        });
    match (&d.help, note) {
        (Some(help), Some(note)) => Some(format!("{help}\n{note}")),
        (help, note) => help.clone().or(note),
    }
}

/// `Add a condition` as `add a condition`, to read as help does; a word in capitals (`KMS`)
/// or a name in backticks keeps its case.
fn lowercase_first(title: &str) -> String {
    let mut chars = title.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_ascii_uppercase() && !second.is_uppercase() => {
            let mut out = String::with_capacity(title.len());
            out.push(first.to_ascii_lowercase());
            out.push_str(&title[1..]);
            out
        }
        _ => title.to_string(),
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// Lines longer than this are shown from the decoded policy when there is one.
const DECODED_LINE: usize = 160;

/// Render one diagnostic as miette does, with the file's snippet; for a policy embedded as a
/// string on a long line (plan JSON, `get-key-policy` output), with the decoded policy's.
pub fn render_one(source: &SourceFile, d: &Diagnostic, color: bool) -> String {
    render_with(source, d, color, &mut Decodings::default())
}

/// The decoded policies of one file as texts with their line index, made once per file.
#[derive(Default)]
pub struct Decodings {
    made: Vec<(*const crate::tree::escape::Decoded, SourceFile)>,
}

impl Decodings {
    fn get(&mut self, d: &std::sync::Arc<crate::tree::escape::Decoded>) -> &SourceFile {
        let key = std::sync::Arc::as_ptr(d);
        let i = match self.made.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                self.made
                    .push((key, SourceFile::new(String::new(), None, d.text.clone())));
                self.made.len() - 1
            }
        };
        &self.made[i].1
    }
}

/// [`render_one`], with the decoded policies of the file made once for all its diagnostics.
pub fn render_with(
    source: &SourceFile,
    d: &Diagnostic,
    color: bool,
    decodings: &mut Decodings,
) -> String {
    let at = source.line_col(d.span.start);
    let long_line = {
        let starts = source.line_starts();
        let line = at.line as usize - 1;
        let end = starts
            .get(line + 1)
            .map_or(source.text.len(), |&e| e as usize);
        end - starts[line] as usize > DECODED_LINE
    };
    let (text, span, secondary, name) = match (&d.embedded, long_line) {
        (Some(view), true) => (
            decodings.get(&view.policy),
            view.span,
            &view.labels,
            format!(
                "{}:{}:{}{}, decoded policy",
                source.path,
                at.line,
                at.column,
                d.policy
                    .as_deref()
                    .map(|p| format!(" ({p})"))
                    .unwrap_or_default()
            ),
        ),
        _ => (
            source,
            d.span,
            &d.labels,
            match &d.policy {
                Some(p) => format!("{} ({p})", source.path),
                None => source.path.clone(),
            },
        ),
    };
    let spans: Vec<crate::tree::Span> = std::iter::once(span)
        .chain(secondary.iter().map(|l| l.span))
        .collect();
    let (view, mapped) = View::new(name, text, &spans);
    let mut labels = vec![LabeledSpan::new_primary_with_span(None, mapped[0])];
    labels.extend(
        secondary
            .iter()
            .zip(&mapped[1..])
            .map(|(l, s)| LabeledSpan::new_with_span(Some(l.message.clone()), *s)),
    );
    let report = Report {
        diagnostic: d,
        code: format!("{} {}", d.rule.code(), d.rule.name()),
        source: view,
        labels,
        help: help_with_fix(d),
    };
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        // Rendering only fails on a span outside the text; fall back to one line.
        let at = source.line_col(d.span.start);
        out = format!(
            "{}[{}] {}:{}:{}: {}{}\n",
            d.severity,
            d.rule.code(),
            source.path,
            at.line,
            at.column,
            fix_marker(d),
            d.message
        );
    }
    out.push('\n');
    out
}

/// The closing lines: keys not analysed, files named that hold no key policy, then
/// `3 errors, 2 warnings in 4 files (12 files checked, 15 key policies)`, with
/// `; 1 file could not be read` when some could not (their errors are on standard error).
pub fn summary(s: &Summary, color: bool) -> String {
    let mut out = String::new();
    if !s.notes.is_empty() {
        out.push_str(&format!(
            "{} not analysed:\n",
            if s.notes.len() == 1 {
                "1 key policy".to_string()
            } else {
                format!("{} key policies", s.notes.len())
            }
        ));
        for n in &s.notes {
            out.push_str(&format!("  {}\n", n.text()));
        }
    }
    for path in &s.no_key_policy {
        out.push_str(&format!("no key policy in {path}\n"));
    }
    out.push_str(&closing(s, color));
    out
}

fn closing(s: &Summary, color: bool) -> String {
    // What follows the counts: fixes, then what could not be read.
    let mut tail = String::new();
    if let Some(fixes) = fix_counts(s) {
        tail.push_str("; ");
        tail.push_str(&fixes);
    }
    if !s.io_errors.is_empty() {
        tail.push_str(&format!(
            "; {} could not be read",
            plural(s.io_errors.len(), "file")
        ));
    }
    if s.policies == 0 && s.notes.is_empty() && s.errors + s.warnings + s.infos == 0 {
        return format!(
            "no key policy found ({} checked){tail}\n",
            plural(s.files, "file")
        );
    }
    let checked = format!(
        "{} checked, {}",
        plural(s.files, "file"),
        if s.policies == 1 {
            "1 key policy".to_string()
        } else {
            format!("{} key policies", s.policies)
        }
    );
    if s.errors + s.warnings + s.infos == 0 {
        // Not "no problems found": what could not be read was not checked.
        if !s.io_errors.is_empty() {
            let fixes = fix_counts(s).map(|f| format!("; {f}")).unwrap_or_default();
            return format!(
                "{} could not be read ({checked}){fixes}\n",
                plural(s.io_errors.len(), "file")
            );
        }
        let found = if s.fixed > 0 { "left" } else { "found" };
        let line = format!("no problems {found} ({checked}){tail}");
        return if color {
            format!("\x1b[32m{line}\x1b[0m\n")
        } else {
            format!("{line}\n")
        };
    }
    let mut parts = Vec::new();
    if s.errors > 0 {
        parts.push(plural(s.errors, "error"));
    }
    if s.warnings > 0 {
        parts.push(plural(s.warnings, "warning"));
    }
    if s.infos > 0 {
        parts.push(plural(s.infos, "info"));
    }
    format!(
        "{} in {} ({checked}){tail}\n",
        parts.join(", "),
        plural(s.files_with_findings, "file")
    )
}

/// `2 fixed, 3 fixable with `--fix`, 1 more with `--unsafe-fixes``: only the counts that are
/// not zero; `None` when all are.
fn fix_counts(s: &Summary) -> Option<String> {
    let mut parts = Vec::new();
    if s.fixed > 0 {
        parts.push(format!("{} fixed", s.fixed));
    }
    if s.fixable > 0 {
        parts.push(format!("{} fixable with `--fix`", s.fixable));
    }
    if s.fixable_unsafe > 0 {
        let more = if s.fixable > 0 { "more" } else { "fixable" };
        parts.push(format!("{} {more} with `--unsafe-fixes`", s.fixable_unsafe));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}
