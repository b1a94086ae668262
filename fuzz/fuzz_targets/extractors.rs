#![no_main]
//! The whole pipeline for every input kind (parsers, extractors, every rule): no panic, and
//! every span inside the text on character boundaries.

use kmslint::engine::{Reach, lint_bytes};
use kmslint::extract::InputKind;
use kmslint::settings::Settings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut settings = Settings::default();
    if settings
        .select(Some(&["ALL".to_string()]), &[], &[])
        .is_err()
    {
        return;
    }
    for kind in [InputKind::Json, InputKind::Yaml, InputKind::Hcl] {
        let (source, report) = lint_bytes("fuzz", kind, data.to_vec(), Reach::Named, &settings);
        for d in &report.diagnostics {
            for span in std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span)) {
                assert!(span.start <= span.end && span.end as usize <= source.text.len());
                assert!(source.text.is_char_boundary(span.start as usize));
                assert!(source.text.is_char_boundary(span.end as usize));
            }
        }
    }
});
