//! Any bytes as a value quoted for each shell: see `checks::shell_quote`.
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses half of the checks
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::shell_quote(data));
