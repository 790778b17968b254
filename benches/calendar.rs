//! Calendar benches (being written).
fn main() {}
