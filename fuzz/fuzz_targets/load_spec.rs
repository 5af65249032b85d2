//! Spec loading on arbitrary text: a spec is valid or a list of located errors, never a panic.
#![no_main]

use hooknorm_core::Engine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    if let Err(e) = Engine::from_sources([("fuzz.yaml".to_string(), text)]) {
        assert!(!e.errors.is_empty());
    }
});
