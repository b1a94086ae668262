//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request
//! (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`).

use crate::diagnostic::Diagnostic;
use crate::rule::Severity;
use crate::source::SourceFile;

/// Escape a command's message: `%`, CR and LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value: the message escapes and `:` and `,`, which end a property.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One annotation. Columns are given only for a span on one line: GitHub keeps columns
/// only when the annotation starts and ends on the same line.
pub fn render(source: &SourceFile, d: &Diagnostic) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let (start, end) = (source.line_col(d.span.start), source.line_col(d.span.end));
    let mut props = format!("file={},line={}", escape_property(&source.path), start.line);
    if start.line == end.line {
        props.push_str(&format!(",col={}", start.column));
    }
    props.push_str(&format!(",endLine={}", end.line));
    if start.line == end.line {
        props.push_str(&format!(",endColumn={}", end.column));
    }
    let title = format!("{} {}", d.rule.code(), d.rule.name());
    let mut message = d.message.clone();
    if let Some(p) = &d.policy {
        message.push_str(&format!(" (in `{p}`)"));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    format!(
        "::{command} {props},title={}::{}\n",
        escape_property(&title),
        escape_data(&message)
    )
}

/// A key whose policy was not analysed, as a warning annotation on the key.
pub fn note(n: &super::Note) -> String {
    format!(
        "::warning file={},line={},endLine={},title={}::{}\n",
        escape_property(&n.path),
        n.line,
        n.end_line,
        escape_property("kmslint: key policy not analysed"),
        escape_data(&format!(
            "the key policy of `{}` was not analysed: {}",
            n.policy, n.reason
        ))
    )
}

/// A file that could not be read, as an error annotation on the file.
pub fn io_error(e: &super::IoError) -> String {
    format!(
        "::error file={}::{}\n",
        escape_property(&e.path),
        escape_data(&e.message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_workflow_command_rules() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
