#![no_main]
//! The JSON parser: any text parses or fails with an error inside the text, never a panic.

use kmslint::tree::json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match json::parse(text) {
        Ok(node) => assert!(node.span.end as usize <= text.len()),
        Err(e) => assert!(e.span.start as usize <= text.len()),
    }
});
