//! Human output: miette's graphical reports with the source snippet, labels and help.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Summary, plural};
use crate::diagnostic::Diagnostic;
use crate::rule::Severity;
use crate::source::SourceFile;

/// The file's text under its display name, borrowed (miette's `NamedSource` wants ownership).
struct Named<'a> {
    name: &'a str,
    text: &'a str,
}

impl SourceCode for Named<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let c = self.text.read_span(span, before, after)?;
        // miette counts the header's column in bytes; users count characters.
        let column = if before == 0 && after == 0 {
            let offset = span.offset().min(self.text.len());
            let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
            self.text
                .get(line_start..offset)
                .map_or(c.column(), |s| s.chars().count())
        } else {
            c.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            c.data(),
            *c.span(),
            c.line(),
            column,
            c.line_count(),
        )))
    }
}

struct Report<'a> {
    diagnostic: &'a Diagnostic,
    code: String,
    source: Named<'a>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
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
        self.diagnostic
            .help
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
const LONG_LINE: usize = 160;

fn span_in(text: &str, s: crate::tree::Span) -> SourceSpan {
    let start = (s.start as usize).min(text.len());
    let end = (s.end as usize).clamp(start, text.len());
    (start, end - start).into()
}

/// Render one diagnostic as miette does, with the file's snippet; for a policy embedded as a
/// string on a long line (plan JSON, `get-key-policy` output), with the decoded policy's.
pub fn render_one(source: &SourceFile, d: &Diagnostic, color: bool) -> String {
    let at = source.line_col(d.span.start);
    let long_line = source
        .text
        .lines()
        .nth(at.line as usize - 1)
        .is_some_and(|l| l.len() > LONG_LINE);
    let (text, span, secondary, name) = match (&d.embedded, long_line) {
        (Some(view), true) => (
            view.policy.text.as_str(),
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
            source.text.as_str(),
            d.span,
            &d.labels,
            match &d.policy {
                Some(p) => format!("{} ({p})", source.path),
                None => source.path.clone(),
            },
        ),
    };
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        None,
        span_in(text, span),
    )];
    labels.extend(
        secondary
            .iter()
            .map(|l| LabeledSpan::new_with_span(Some(l.message.clone()), span_in(text, l.span))),
    );
    let report = Report {
        diagnostic: d,
        code: format!("{} {}", d.rule.code, d.rule.name),
        source: Named { name: &name, text },
        labels,
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
            "{}[{}] {}:{}:{}: {}\n",
            d.severity, d.rule.code, source.path, at.line, at.column, d.message
        );
    }
    out.push('\n');
    out
}

/// The closing lines: keys not analysed, files named that hold no key policy, then
/// `3 errors, 2 warnings in 4 files (12 files checked, 15 key policies)`.
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
    if s.policies == 0 && s.notes.is_empty() && s.errors + s.warnings + s.infos == 0 {
        return format!(
            "no key policy found ({} checked)\n",
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
        let line = format!("no problems found ({checked})");
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
        "{} in {} ({checked})\n",
        parts.join(", "),
        plural(s.files_with_findings, "file")
    )
}
