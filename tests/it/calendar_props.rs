//! Property tests of the calendar against a naive reference.
