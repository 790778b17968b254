//! Calendars compiled for a ticket rather than with the policy: a
//! `zone = "customer"` region's hours in the customer's zone, and the
//! `"24x7"` calendar of a rule in the ticket's zone. Each is compiled on
//! first use (about a millisecond for a 16-year horizon) and kept with the
//! policy, shared by its clones and threads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::calendar::{Calendar, CalendarSpec};
use crate::error::Result;
use crate::hours::{LocalSpan, WeeklyHours};
use crate::zone::Zone;

/// Most calendars kept per policy: past it, calendars are compiled for the
/// ticket and dropped with it, so hostile zones cannot grow memory.
const MAX_KEPT: usize = 512;

/// What a kept calendar is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    /// Region `region`'s hours version `version`, in `zone`.
    Region {
        region: usize,
        version: usize,
        zone: Zone,
    },
    /// Every hour of every day, days read in `zone`.
    AllHours { zone: Zone },
}

/// The kept calendars. Equality ignores them: they are a cache of what the
/// policy's own data gives.
#[derive(Debug, Default)]
pub(crate) struct Zoned(Mutex<HashMap<Key, Arc<Calendar>>>);

impl PartialEq for Zoned {
    fn eq(&self, _: &Zoned) -> bool {
        true
    }
}

impl Zoned {
    /// The calendar for `key`, compiled from `spec` on first use.
    pub(crate) fn get(&self, key: Key, spec: impl FnOnce() -> CalendarSpec) -> Result<Arc<Calendar>> {
        if let Some(found) = self.lock().get(&key) {
            return Ok(Arc::clone(found));
        }
        // Compiled outside the lock: another thread may compile the same
        // calendar meanwhile; both results are equal.
        let calendar = Arc::new(spec().build()?);
        let mut kept = self.lock();
        if kept.len() < MAX_KEPT {
            kept.entry(key).or_insert_with(|| Arc::clone(&calendar));
        }
        Ok(calendar)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Arc<Calendar>>> {
        // A panic while holding the lock cannot leave the map half-written
        // (one insert), so a poisoned lock is still a good cache.
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The 24x7 calendar in `zone` over `horizon`.
pub(crate) fn all_hours(zone: Zone, horizon: (i32, i32)) -> CalendarSpec {
    let mut week = WeeklyHours::default();
    let day = LocalSpan::from_seconds(0, 86_400);
    for weekday in [
        chrono::Weekday::Mon,
        chrono::Weekday::Tue,
        chrono::Weekday::Wed,
        chrono::Weekday::Thu,
        chrono::Weekday::Fri,
        chrono::Weekday::Sat,
        chrono::Weekday::Sun,
    ] {
        // A whole day is a valid span, and one span cannot overlap itself.
        if let Some(span) = day {
            let _ = week.set(weekday, vec![span]);
        }
    }
    Calendar::builder(zone).week(week).horizon(horizon.0, horizon.1)
}
