//! `path:line:col: severity[CODE] message`: for vim's errorformat and problem matchers.

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

pub fn render(source: &SourceFile, d: &Diagnostic) -> String {
    let at = source.line_col(d.span.start);
    let policy = d
        .policy
        .as_deref()
        .map(|p| format!(" (in `{p}`)"))
        .unwrap_or_default();
    format!(
        "{}:{}:{}: {}[{}] {}{}\n",
        source.path,
        at.line,
        at.column,
        d.severity,
        d.rule.code(),
        d.message,
        policy
    )
}
