//! The crate's public behaviour, one integration test binary (STYLE 9).
mod calendar;
mod calendar_props;
mod cases;
mod engine;
mod examples;
mod holidays;
mod hostile;
mod policy;
