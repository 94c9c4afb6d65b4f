//! The engine's own clock type. `std::time::Instant::now()` panics on
//! `wasm32-unknown-unknown`, and a sans-IO engine must not read a clock anyway: the driver
//! reads its clock and passes the time in.

use core::ops::{Add, Sub};
use core::time::Duration;

/// A point on a monotonic clock, in milliseconds since an origin the driver chose.
///
/// The browser driver builds it from `performance.now()`, a native driver from the time
/// elapsed since a `std::time::Instant` it took at start-up, a test from a virtual clock:
///
/// ```
/// use mqtt_session::Instant;
/// use std::time::Duration;
///
/// let start = Instant::from_millis(0);
/// let later = start + Duration::from_secs(30);
/// assert_eq!(later.as_millis(), 30_000);
/// assert_eq!(later - start, Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant {
    millis: u64,
}

impl Instant {
    pub const fn from_millis(millis: u64) -> Self {
        Instant { millis }
    }

    pub const fn as_millis(self) -> u64 {
        self.millis
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_millis(self.millis.saturating_sub(earlier.millis))
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// Saturates at the end of time rather than overflowing.
    fn add(self, duration: Duration) -> Instant {
        Instant {
            millis: self.millis.saturating_add(millis(duration)),
        }
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    fn sub(self, duration: Duration) -> Instant {
        Instant {
            millis: self.millis.saturating_sub(millis(duration)),
        }
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    /// Saturates at zero, like [`Instant::saturating_duration_since`].
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}
