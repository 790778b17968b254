//! What a metric's `start`, `stop`, `restart` and `pause_in` lists may name,
//! compiled to bit sets so that the engine tests an event against a list in
//! one instruction.
//!
//! Bits 0..13 are the event kinds in [`EVENT_KINDS`] order; bit `13 + j` is
//! the policy's j-th declared status ("entering status j" in an event list,
//! "while in status j" in `pause_in`). In `pause_in` the bit of the event
//! `waiting_on_customer` stands for the built-in waiting status.

/// Every event kind, in the order of their bits. The engine's `EventKind`
/// maps onto this list; a unit test keeps the two in step.
pub(crate) const EVENT_KINDS: [&str; 13] = [
    "created",
    "acknowledged",
    "responded",
    "updated",
    "severity_changed",
    "waiting_on_customer",
    "customer_replied",
    "target_agreed",
    "resolved",
    "reopened",
    "closed",
    "status_changed",
    "attributes_changed",
];

/// Most statuses a policy may declare: one bit each after the event kinds
/// (52, as when there were twelve kinds and 64 bits).
pub(crate) const MAX_STATUSES: usize = 52;
const _: () = assert!(EVENT_KINDS.len() + MAX_STATUSES <= 128);

/// The bit of the built-in waiting status in `pause_in`.
pub(crate) const WAITING: u32 = 5;

/// A set of triggers (event kinds and statuses).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Triggers(u128);

impl Triggers {
    /// The set holding only bit `bit`.
    pub(crate) const fn bit(bit: u32) -> Triggers {
        Triggers(1 << bit)
    }

    /// The bit of event kind `name`, or of declared status `name` (whose
    /// index among `statuses` is j).
    pub(crate) fn bit_of<'a>(name: &str, statuses: impl IntoIterator<Item = &'a str>) -> Option<u32> {
        if let Some(i) = EVENT_KINDS.iter().position(|k| *k == name) {
            return Some(i as u32);
        }
        let j = statuses.into_iter().position(|s| s == name)?;
        Some(Triggers::status_bit(j))
    }

    /// The bit of declared status `j`.
    pub(crate) fn status_bit(j: usize) -> u32 {
        (EVENT_KINDS.len() + j) as u32
    }

    pub(crate) fn with(self, bit: u32) -> Triggers {
        Triggers(self.0 | 1 << bit)
    }

    pub(crate) fn union(self, other: Triggers) -> Triggers {
        Triggers(self.0 | other.0)
    }

    pub(crate) fn meets(self, other: Triggers) -> bool {
        self.0 & other.0 != 0
    }

    pub(crate) fn has(self, bit: u32) -> bool {
        bit < 128 && self.0 & (1 << bit) != 0
    }

    /// The bits set, lowest first.
    pub(crate) fn bits(self) -> impl Iterator<Item = u32> {
        let mut rest = self.0;
        std::iter::from_fn(move || {
            let bit = (rest != 0).then(|| rest.trailing_zeros())?;
            rest &= rest - 1;
            Some(bit)
        })
    }
}
