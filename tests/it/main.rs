//! The crate's public behaviour, one integration test binary (STYLE 9).
mod holidays;
mod policy;
