//! A holiday set's closed dates, and a calendar that skips them, through
//! the library.
//!
//! ```text
//! cargo run --example holidays [SET] [YEAR]
//! ```
//!
//! SET is a built-in id (default `ca-qc`), YEAR defaults to 2027. For any
//! range of years or a holiday file from the command line, see
//! `cargo run --release --features cli -- holidays --help`.

use sla_deadline::{Calendar, DayMode, HolidaySet, WeeklyHours};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let id = args.next().unwrap_or_else(|| "ca-qc".to_string());
    let year: i32 = match args.next() {
        Some(y) => y.parse().map_err(|e| format!("YEAR {y:?}: {e}"))?,
        None => 2027,
    };
    let set = HolidaySet::builtin(&id)?;
    println!("{} ({}), {year}:", set.name(), set.id());
    for day in set.holidays(year, year)? {
        let estimated = if day.estimated { "  (estimated)" } else { "" };
        println!(
            "  {}  {}  {}{estimated}",
            day.date,
            day.date.format("%a"),
            day.name
        );
    }

    // A Montreal office open 09:00-17:00 on weekdays, closed on those days.
    let hours = WeeklyHours::weekdays(&["09:00-17:00".parse()?])?;
    let calendar = Calendar::builder("America/Toronto".parse()?)
        .week(hours)
        .holidays(&set)
        .horizon(year, year + 1)
        .build()?;
    let start = format!("{year}-12-24T16:00:00-05:00").parse()?;
    let due = calendar.add_business_days(start, 2, DayMode::SameTime)?;
    println!("2 business days after {start}: {}", calendar.to_local(due));
    Ok(())
}
