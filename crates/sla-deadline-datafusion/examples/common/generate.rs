//! Synthetic OL Care ticket events, seeded: the same tickets every run.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray, TimestampMillisecondArray};

/// A small seeded generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Events of `tickets` tickets opened through 2026 in Toronto's working
/// week: created; an acknowledgement for email and web; a first response;
/// sometimes a wait on the customer and the reply; updates; the
/// resolution, sometimes late; now and then a reopen and a second
/// resolution.
pub fn events(tickets: usize, seed: u64) -> RecordBatch {
    let mut rng = Rng(seed | 1);
    let (mut id, mut at, mut kind, mut severity, mut channel) = (vec![], vec![], vec![], vec![], vec![]);
    let year_start = 1_767_243_600i64; // 2026-01-01T05:00:00Z, midnight in Toronto
    for t in 0..tickets {
        let day = rng.below(360) as i64;
        let start = year_start + day * 86_400 + 9 * 3600 + rng.below(11 * 3600) as i64;
        let sev = ["P1", "P2", "P2", "P3", "P3", "P3", "P4"][rng.below(7) as usize];
        let chan = ["phone", "email", "email", "web"][rng.below(4) as usize];
        let mut push = |offset: i64, k: &'static str, s: Option<&'static str>, c: Option<&'static str>| {
            id.push(format!("T{t:07}"));
            at.push(start + offset);
            kind.push(k);
            severity.push(s);
            channel.push(c);
        };
        push(0, "created", Some(sev), Some(chan));
        let mut now = 0i64;
        if chan != "phone" {
            now += 60 + rng.below(600) as i64;
            push(now, "acknowledged", None, None);
        }
        now += 600 + rng.below(6 * 3600) as i64;
        push(now, "responded", None, None);
        if rng.below(3) == 0 {
            now += 3600 + rng.below(86_400) as i64;
            push(now, "waiting_on_customer", None, None);
            now += 3600 + rng.below(3 * 86_400) as i64;
            push(now, "customer_replied", None, None);
        }
        for _ in 0..rng.below(3) {
            now += 3600 + rng.below(86_400) as i64;
            push(now, "updated", None, None);
        }
        let slow = rng.below(5) == 0;
        now += 3600 + rng.below(if slow { 12 * 86_400 } else { 3 * 86_400 }) as i64;
        push(now, "resolved", None, None);
        if rng.below(20) == 0 {
            now += 86_400;
            push(now, "reopened", None, None);
            now += 4 * 3600;
            push(now, "resolved", None, None);
        }
    }
    RecordBatch::try_from_iter([
        ("ticket_id", Arc::new(StringArray::from(id)) as ArrayRef),
        (
            "at",
            // Milliseconds: Parquet has no second unit, and some readers
            // then lose the type.
            Arc::new(
                TimestampMillisecondArray::from(at.iter().map(|s| s * 1000).collect::<Vec<i64>>())
                    .with_timezone("UTC"),
            ) as ArrayRef,
        ),
        ("type", Arc::new(StringArray::from(kind)) as ArrayRef),
        ("severity", Arc::new(StringArray::from(severity)) as ArrayRef),
        ("channel", Arc::new(StringArray::from(channel)) as ArrayRef),
    ])
    .expect("the columns have equal lengths")
}
