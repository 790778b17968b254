//! Fuzz target: see `tests/harness/mod.rs` (`sized_inputs`): the first
//! bytes choose a structure and a size class, so that the inputs reach the
//! sizes of every documented limit, which libFuzzer's ~10 KB inputs never do.
#![no_main]

#[path = "../../tests/harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::sized_inputs(data));
