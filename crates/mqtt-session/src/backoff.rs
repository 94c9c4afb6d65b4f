//! How long to wait before connecting again: exponential backoff with full jitter.

use core::time::Duration;

use crate::time::Instant;

/// Reconnection delays: exponential growth from `minimum` up to `maximum`, each delay drawn
/// uniformly at random below its ceiling ("full jitter"), so that many clients cut off
/// together do not come back together. A connection that stayed up for `stable_after`
/// resets the growth.
///
/// Sans-IO like the client: the random numbers come from a seed the driver passes in
/// (`Math.random()`, the OS, a fixed seed in a test), and time from the `now` it passes.
///
/// ```
/// use mqtt_session::{Backoff, Duration, Instant};
///
/// let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30), 42);
/// let first = backoff.next_delay();
/// assert!(first >= Duration::from_millis(500) && first <= Duration::from_secs(1));
/// // A connection that lasts resets the growth.
/// backoff.connected(Instant::from_millis(0));
/// backoff.disconnected(Instant::from_millis(120_000));
/// assert_eq!(backoff.attempts(), 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    minimum: Duration,
    maximum: Duration,
    stable_after: Duration,
    attempts: u32,
    connected_at: Option<Instant>,
    random: u64,
}

impl Backoff {
    /// Delays from `minimum` up to `maximum`, reset after 60 s of stable connection.
    pub fn new(minimum: Duration, maximum: Duration, seed: u64) -> Self {
        Backoff {
            minimum,
            maximum: maximum.max(minimum),
            stable_after: Duration::from_secs(60),
            attempts: 0,
            connected_at: None,
            random: seed,
        }
    }

    /// How long a connection must stay up for the delays to start again from the minimum.
    pub fn with_stable_after(mut self, stable_after: Duration) -> Self {
        self.stable_after = stable_after;
        self
    }

    /// The delay before the next connection attempt: uniform between `minimum` and
    /// `min(maximum, minimum * 2^(attempts + 1))`.
    pub fn next_delay(&mut self) -> Duration {
        let minimum = millis(self.minimum);
        let growth = 1u64 << self.attempts.saturating_add(1).min(32);
        // A zero minimum still grows, from one millisecond.
        let ceiling = minimum
            .max(1)
            .saturating_mul(growth)
            .min(millis(self.maximum))
            .max(minimum);
        self.attempts = self.attempts.saturating_add(1);
        let span = ceiling - minimum;
        let jitter = if span == 0 {
            0
        } else {
            self.next_random() % (span + 1)
        };
        Duration::from_millis(minimum + jitter)
    }

    /// Attempts since the last reset.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The connection is up (call on [`Event::Connected`](crate::Event::Connected)).
    pub fn connected(&mut self, now: Instant) {
        self.connected_at = Some(now);
    }

    /// The connection ended (call on [`Event::Disconnected`](crate::Event::Disconnected)):
    /// if it had been up for the stable period, delays start again from the minimum.
    pub fn disconnected(&mut self, now: Instant) {
        if let Some(since) = self.connected_at.take()
            && now - since >= self.stable_after
        {
            self.attempts = 0;
        }
    }

    /// Starts again from the minimum.
    pub fn reset(&mut self) {
        self.attempts = 0;
        self.connected_at = None;
    }

    /// SplitMix64: small, fast, and good enough to spread reconnections.
    fn next_random(&mut self) -> u64 {
        self.random = self.random.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.random;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_between_the_minimum_and_a_ceiling_that_doubles_up_to_the_maximum() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(2), 7);
        let ceilings = [200, 400, 800, 1600, 2000, 2000, 2000];
        for ceiling in ceilings {
            let delay = backoff.next_delay();
            assert!(
                delay >= Duration::from_millis(100) && delay <= Duration::from_millis(ceiling),
                "{delay:?} outside 100..={ceiling} ms"
            );
        }
    }

    #[test]
    fn spreads_delays_across_the_whole_range_rather_than_clustering_at_the_ceiling() {
        let mut below_half = 0;
        for seed in 0..200 {
            let mut backoff = Backoff::new(Duration::ZERO, Duration::from_secs(10), seed);
            // Past the growth: the ceiling is the maximum.
            for _ in 0..20 {
                backoff.next_delay();
            }
            if backoff.next_delay() < Duration::from_secs(5) {
                below_half += 1;
            }
        }
        assert!(
            (60..=140).contains(&below_half),
            "{below_half} of 200 below half"
        );
    }

    #[test]
    fn gives_the_same_delays_for_the_same_seed() {
        let delays = |seed| {
            let mut backoff =
                Backoff::new(Duration::from_millis(10), Duration::from_secs(60), seed);
            (0..8).map(|_| backoff.next_delay()).collect::<Vec<_>>()
        };
        assert_eq!(delays(3), delays(3));
        assert_ne!(delays(3), delays(4));
    }

    #[test]
    fn resets_after_a_stable_connection_but_not_after_a_short_one() {
        let mut backoff = Backoff::new(Duration::from_millis(10), Duration::from_secs(60), 1)
            .with_stable_after(Duration::from_secs(30));
        backoff.next_delay();
        backoff.next_delay();
        backoff.connected(Instant::from_millis(0));
        backoff.disconnected(Instant::from_millis(29_999));
        assert_eq!(backoff.attempts(), 2);
        backoff.connected(Instant::from_millis(40_000));
        backoff.disconnected(Instant::from_millis(70_000));
        assert_eq!(backoff.attempts(), 0);
    }
}
