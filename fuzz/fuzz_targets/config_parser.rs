//! Any bytes as an AWS config or credentials file: see `checks::config_parser`.
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses half of the checks
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::config_parser(data));
