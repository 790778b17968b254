//! Holiday sets (placeholder until the holiday rule language lands).
