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
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            c.data(),
            *c.span(),
            c.line(),
            c.column(),
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

fn span_of(source: &SourceFile, s: crate::tree::Span) -> SourceSpan {
    let start = (s.start as usize).min(source.text.len());
    let end = (s.end as usize).clamp(start, source.text.len());
    (start, end - start).into()
}

/// Render one diagnostic as miette does, with the file's snippet.
pub fn render_one(source: &SourceFile, d: &Diagnostic, color: bool) -> String {
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        None,
        span_of(source, d.span),
    )];
    labels.extend(
        d.labels
            .iter()
            .map(|l| LabeledSpan::new_with_span(Some(l.message.clone()), span_of(source, l.span))),
    );
    let name = match &d.policy {
        Some(p) => format!("{} ({p})", source.path),
        None => source.path.clone(),
    };
    let report = Report {
        diagnostic: d,
        code: format!("{} {}", d.rule.code, d.rule.name),
        source: Named {
            name: &name,
            text: &source.text,
        },
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

/// The closing line: `3 errors, 2 warnings in 4 files (12 files, 15 policies checked)`.
pub fn summary(s: &Summary, color: bool) -> String {
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
