#![no_main]
//! The escape decoder: any string body decodes or fails; every decoded position maps inside
//! the body.

use kmslint::tree::Span;
use kmslint::tree::escape::Decoded;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = Decoded::new(raw, 7) {
        for i in 0..=d.text.len() as u32 {
            let m = d.map(Span::new(i, i));
            assert!(m.start >= 7 && m.start as usize <= 7 + raw.len());
        }
    }
});
