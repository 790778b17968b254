//! The compiled form of a calendar: its open intervals as UTC seconds with
//! running totals of business seconds.
//!
//! Representation: `ivals` holds every open interval of the horizon in time
//! order, each with `cum` = B(start), the business seconds before it. B is
//! then `cum + (t - start)` inside an interval and flat between them, so
//! every [contract §2.5](crate::contract) operation is one lookup:
//! - by instant, through `buckets`: one entry per UTC day of the horizon
//!   pointing at the first interval that ends after that day starts, so
//!   finding the interval of an instant is O(1) plus a short scan;
//! - by business position, through `by_position`: buckets of `step`
//!   business seconds (about one interval's worth each) pointing at the
//!   first interval that reaches the bucket, so the cost does not depend on
//!   the size of the duration added;
//! - by business date, through `days` (only dates with open time), so the
//!   n-th business date after another is an index addition.

use crate::error::{Error, Result};

const DAY_S: i64 = 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ival {
    pub(crate) start: i64,
    pub(crate) end: i64,
    /// B(start): business seconds from the horizon's start to `start`.
    pub(crate) cum: i64,
    /// Index into `Index::days` of the business date that produced it.
    pub(crate) day: u32,
}

impl Ival {
    pub(crate) fn cum_end(&self) -> i64 {
        self.cum + (self.end - self.start)
    }
}

/// A business date: a local date with at least one open interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Day {
    /// Index of its first interval in `Index::ivals`.
    pub(crate) first: u32,
    /// Index of its last interval in `Index::ivals`.
    pub(crate) last: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Index {
    /// First instant of the horizon (start of its first local day).
    pub(crate) lo: i64,
    /// End of the horizon (start of the local day after its last day).
    pub(crate) hi: i64,
    pub(crate) ivals: Vec<Ival>,
    pub(crate) days: Vec<Day>,
    buckets: Vec<u32>,
    /// `by_position[k]`: first interval with `cum_end >= k * step`.
    by_position: Vec<u32>,
    step: i64,
}

/// Builds an index from the open intervals of each local date, in date order.
pub(crate) struct IndexBuilder {
    lo: i64,
    ivals: Vec<Ival>,
    days: Vec<Day>,
    total: i64,
}

impl IndexBuilder {
    pub(crate) fn new(lo: i64) -> IndexBuilder {
        IndexBuilder {
            lo,
            ivals: Vec::new(),
            days: Vec::new(),
            total: 0,
        }
    }

    /// Adds one local date's open intervals (UTC seconds, in order). Empty
    /// intervals (a span inside a DST gap) are dropped; a date left with
    /// none is not a business date.
    pub(crate) fn day(&mut self, intervals: impl IntoIterator<Item = (i64, i64)>) {
        let day = self.days.len() as u32;
        let first = self.ivals.len() as u32;
        for (start, end) in intervals {
            // A day's spans are disjoint and the local->UTC map is monotone,
            // so this only trims what DST folds could make touch, and the
            // part of a day's hours that the previous day's overnight shift
            // already covers (counted once).
            let start = start.max(self.ivals.last().map_or(self.lo, |iv| iv.end));
            if end <= start {
                continue;
            }
            self.ivals.push(Ival {
                start,
                end,
                cum: self.total,
                day,
            });
            self.total += end - start;
        }
        let count = self.ivals.len() as u32;
        if count > first {
            self.days.push(Day {
                first,
                last: count - 1,
            });
        }
    }

    pub(crate) fn finish(self, hi: i64) -> Index {
        let span_days = ((hi - self.lo) / DAY_S + 1) as usize;
        let mut buckets = Vec::with_capacity(span_days + 1);
        let mut i = 0usize;
        for b in 0..=span_days {
            let at = self.lo + b as i64 * DAY_S;
            while i < self.ivals.len() && self.ivals[i].end <= at {
                i += 1;
            }
            buckets.push(i as u32);
        }
        let total = self.total;
        let step = (total / (self.ivals.len() as i64).max(1)).max(1);
        let mut by_position = Vec::with_capacity((total / step) as usize + 2);
        let mut j = 0usize;
        for k in 0..=(total / step + 1) {
            let x = k * step;
            while j < self.ivals.len() && self.ivals[j].cum_end() < x {
                j += 1;
            }
            by_position.push(j as u32);
        }
        Index {
            lo: self.lo,
            hi,
            ivals: self.ivals,
            days: self.days,
            buckets,
            by_position,
            step,
        }
    }
}

impl Index {
    /// Business seconds in the whole horizon.
    pub(crate) fn total(&self) -> i64 {
        self.ivals.last().map_or(0, Ival::cum_end)
    }

    /// Index of the first interval that ends after `t` (`ivals.len()` if
    /// none). `t` must lie in `[lo, hi]`.
    #[inline]
    pub(crate) fn locate(&self, t: i64) -> usize {
        let b = ((t - self.lo) / DAY_S) as usize;
        let mut i = self.buckets.get(b).map_or(self.ivals.len(), |&i| i as usize);
        while i < self.ivals.len() && self.ivals[i].end <= t {
            i += 1;
        }
        i
    }

    /// B(t) for `t` in `[lo, hi]`.
    #[inline]
    pub(crate) fn b(&self, t: i64) -> i64 {
        let i = self.locate(t);
        match self.ivals.get(i) {
            Some(iv) => iv.cum + (t - iv.start).max(0),
            None => self.total(),
        }
    }

    /// The earliest instant u with B(u) = x, for `0 <= x <= total()`.
    pub(crate) fn at_position(&self, x: i64) -> Result<i64, ()> {
        if x < 0 {
            return Err(());
        }
        let k = (x / self.step) as usize;
        let mut j = self.by_position.get(k).map_or(self.ivals.len(), |&j| j as usize);
        while j < self.ivals.len() && self.ivals[j].cum_end() < x {
            j += 1;
        }
        match self.ivals.get(j) {
            Some(iv) => Ok(iv.start + (x - iv.cum).max(0)),
            None => Err(()),
        }
    }

    #[inline]
    pub(crate) fn check(&self, t: i64, what: impl FnOnce() -> String, years: (i32, i32)) -> Result<()> {
        if t < self.lo || t > self.hi {
            return Err(out_of_horizon(t, what(), years));
        }
        Ok(())
    }
}

/// Kept out of line: every business-time operation checks its instants,
/// and almost none fails.
#[cold]
fn out_of_horizon(t: i64, what: String, years: (i32, i32)) -> Error {
    Error::OutOfHorizon {
        instant: crate::calendar::rfc3339(t),
        from_year: years.0,
        to_year: years.1,
        what,
    }
}
