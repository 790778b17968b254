//! Fuzz target: see `tests/harness/mod.rs` (`policy_toml`) for what it drives.
#![no_main]

#[path = "../../tests/harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::policy_toml(data));
