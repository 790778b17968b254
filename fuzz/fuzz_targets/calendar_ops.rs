//! Fuzz target: see `tests/harness/mod.rs` (`calendar_ops`) for what it drives.
#![no_main]

#[path = "../../tests/harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::calendar_ops(data));
