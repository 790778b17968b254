//! Fuzz target: see `tests/harness/mod.rs` (`holiday_toml`) for what it drives.
#![no_main]

#[path = "../../tests/harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::holiday_toml(data));
