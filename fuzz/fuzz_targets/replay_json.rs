//! Fuzz target: see `tests/harness/mod.rs` (`replay_json`) for what it drives.
#![no_main]

#[path = "../../tests/harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::replay_json(data));
