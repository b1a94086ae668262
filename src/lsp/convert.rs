//! kmslint diagnostics as LSP diagnostics.

use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri};

use super::document::range_of;
use crate::diagnostic::Diagnostic;
use crate::rule::Severity;
use crate::source::SourceFile;

/// The `source` of every diagnostic kmslint publishes.
pub const SOURCE: &str = "kmslint";

/// The LSP severity of a kmslint severity.
pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// One diagnostic for the editor: code, severity, message (with the help text on a line of its
/// own) and the secondary labels as related information. It carries no `codeDescription` link:
/// a binary knows no address where its rule documents are served (`kmslint rule CODE` prints
/// them), and a link into the machine it was built on would be dead everywhere else.
pub fn diagnostic(source: &SourceFile, uri: &Uri, d: &Diagnostic) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .map(|l| DiagnosticRelatedInformation {
            location: Location {
                uri: uri.clone(),
                range: range_of(source, l.span),
            },
            message: l.message.clone(),
        })
        .collect();
    lsp_types::Diagnostic {
        range: range_of(source, d.span),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.code().to_string())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}
