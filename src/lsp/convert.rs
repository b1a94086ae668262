//! kmslint diagnostics as LSP diagnostics.

use std::str::FromStr;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Uri,
};

use super::document::range_of;
use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, Severity};
use crate::source::SourceFile;

/// The `source` of every diagnostic kmslint publishes.
pub const SOURCE: &str = "kmslint";

/// The link to a rule's documentation (see [`Rule::doc_url`]).
pub fn rule_doc_url(rule: &Rule) -> String {
    rule.doc_url()
}

/// The LSP severity of a kmslint severity.
pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// One diagnostic for the editor: code, link to the rule's documentation, severity, message
/// (with the help text on a line of its own) and the secondary labels as related information.
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
        code: Some(NumberOrString::String(d.rule.code.to_string())),
        code_description: Uri::from_str(&rule_doc_url(d.rule))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::RULES;

    #[test]
    fn every_rule_links_to_its_document() {
        for rule in RULES {
            let url = rule_doc_url(rule);
            assert!(Uri::from_str(&url).is_ok(), "{url}");
            let doc = format!("rules/{}.md", rule.name);
            assert!(url.starts_with("file:///") && url.ends_with(&doc), "{url}");
            let local = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(&doc);
            assert!(local.is_file(), "{url} names a missing file");
        }
    }
}
