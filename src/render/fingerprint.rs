//! Stable fingerprints of findings (SARIF `partialFingerprints`, GitLab `fingerprint`), so a
//! code scanning or code quality alert stays the same alert across commits.
//!
//! A fingerprint hashes the rule, the file, the policy and the flagged text with its
//! whitespace removed, and not the line or column: adding lines above a finding keeps its
//! fingerprint. Findings that would share one (the same text flagged twice in a file) are
//! told apart by their order in the file.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// One fingerprint per diagnostic, in the same order (diagnostics in file order).
pub fn fingerprints(source: &SourceFile, diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut seen: HashMap<[u8; 32], u32> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let start = (d.span.start as usize).min(source.text.len());
            let end = (d.span.end as usize).clamp(start, source.text.len());
            let flagged: String = source
                .text
                .get(start..end)
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let mut h = Sha256::new();
            for part in [
                d.rule.code(),
                source.path.as_str(),
                d.policy.as_deref().unwrap_or(""),
                flagged.as_str(),
            ] {
                h.update(part.as_bytes());
                h.update([0u8]);
            }
            let base: [u8; 32] = h.finalize().into();
            let n = seen.entry(base).or_insert(0);
            *n += 1;
            let mut h = Sha256::new();
            h.update(base);
            h.update(n.to_le_bytes());
            let digest: [u8; 32] = h.finalize().into();
            digest[..16].iter().map(|b| format!("{b:02x}")).collect()
        })
        .collect()
}

/// A fingerprint of parts (for what is not a finding: a key that was not analysed).
pub fn hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest: [u8; 32] = h.finalize().into();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;
    use crate::tree::Span;

    fn diag(code: &str, start: u32, end: u32) -> Diagnostic {
        Diagnostic {
            rule: registry::find(code).unwrap().into(),
            severity: crate::rule::Severity::Warning,
            policy: None,
            span: Span::new(start, end),
            message: String::new(),
            labels: Vec::new(),
            help: None,
            embedded: None,
            fix: None,
            sid: None,
        }
    }

    #[test]
    fn fingerprints_ignore_position_and_tell_repeats_apart() {
        let a = SourceFile::new("p.json", None, "[\"kms:Create*\", \"kms:Create*\"]".into());
        let b = SourceFile::new(
            "p.json",
            None,
            "\n\n[\n  \"kms:Create*\",\n  \"kms:Create*\"]".into(),
        );
        let fa = fingerprints(&a, &[diag("KMS003", 1, 14), diag("KMS003", 16, 29)]);
        let fb = fingerprints(&b, &[diag("KMS003", 6, 19), diag("KMS003", 23, 36)]);
        assert_eq!(fa, fb);
        assert_ne!(fa[0], fa[1]);
        assert_eq!(fa[0].len(), 32);
        let other_rule = fingerprints(&a, &[diag("KMS005", 1, 14)]);
        assert_ne!(other_rule[0], fa[0]);
        let other_file = SourceFile::new("q.json", None, a.text.clone());
        assert_ne!(
            fingerprints(&other_file, &[diag("KMS003", 1, 14)])[0],
            fa[0]
        );
    }
}
