//! The crate's public behaviour, one integration test binary (STYLE 9).
mod builder;
mod calendar;
mod calendar_props;
mod cases;
#[cfg(feature = "cli")]
mod cli;
mod clocks;
mod customer_zone;
mod embedding;
mod engine;
mod figures;
#[path = "../harness/mod.rs"]
mod harness;
mod holidays;
mod hostile;
mod hostile2;
mod overnight;
mod policy;
mod rules;
mod union;
mod versions;

/// The days of the week, Monday first, for the test modules.
const WEEK: [chrono::Weekday; 7] = [
    chrono::Weekday::Mon,
    chrono::Weekday::Tue,
    chrono::Weekday::Wed,
    chrono::Weekday::Thu,
    chrono::Weekday::Fri,
    chrono::Weekday::Sat,
    chrono::Weekday::Sun,
];
