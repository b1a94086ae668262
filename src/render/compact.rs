//! `path:line:col: severity[CODE] message`: for vim's errorformat and problem matchers. A
//! finding with a safe fix has `[*]` before its message, as ruff's concise output marks it.

use crate::diagnostic::Diagnostic;
use crate::rule::Applicability;
use crate::source::SourceFile;

pub fn render(source: &SourceFile, d: &Diagnostic) -> String {
    let at = source.line_col(d.span.start);
    let policy = d
        .policy
        .as_deref()
        .map(|p| format!(" (in `{p}`)"))
        .unwrap_or_default();
    let fixable = if d
        .fix
        .as_ref()
        .is_some_and(|f| f.applicability == Applicability::Safe)
    {
        "[*] "
    } else {
        ""
    };
    format!(
        "{}:{}:{}: {}[{}] {fixable}{}{}\n",
        source.path,
        at.line,
        at.column,
        d.severity,
        d.rule.code(),
        d.message,
        policy
    )
}
