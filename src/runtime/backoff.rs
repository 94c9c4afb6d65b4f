//! How long to wait before the next connection attempt: exponential growth with full jitter,
//! so a broker coming back is not met by every client at the same instant.

use mqtt_session::{Duration, Instant};

pub struct ReconnectBackoff {
    min: Duration,
    max: Duration,
    /// A connection that lasted this long was a success: the next failure starts over.
    stable_after: Duration,
    failures: u32,
    connected_at: Option<Instant>,
}

impl Default for ReconnectBackoff {
    fn default() -> Self {
        Self::new(
            Duration::from_millis(500),
            Duration::from_secs(60),
            Duration::from_secs(30),
        )
    }
}

impl ReconnectBackoff {
    pub fn new(min: Duration, max: Duration, stable_after: Duration) -> Self {
        Self {
            min,
            max: max.max(min),
            stable_after,
            failures: 0,
            connected_at: None,
        }
    }

    /// The delay before the next attempt, given a uniform random number in `[0, 1)`: anywhere
    /// between the minimum and a ceiling that doubles with each failure up to the maximum.
    pub fn next_delay(&mut self, now: Instant, random: f64) -> Duration {
        if let Some(since) = self.connected_at.take()
            && now.saturating_duration_since(since) >= self.stable_after
        {
            self.failures = 0;
        }
        let ceiling = self
            .min
            .saturating_mul(1 << self.failures.min(20))
            .min(self.max);
        self.failures = self.failures.saturating_add(1);
        let spread = ceiling.saturating_sub(self.min).as_secs_f64() * random.clamp(0.0, 1.0);
        self.min + Duration::from_secs_f64(spread)
    }

    /// The connection is up; whether it counts as stable is judged when it ends.
    pub fn connected(&mut self, now: Instant) {
        self.connected_at = Some(now);
    }

    /// Starts over, for an attempt the user or the network asked for.
    pub fn reset(&mut self) {
        self.failures = 0;
        self.connected_at = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backoff() -> ReconnectBackoff {
        ReconnectBackoff::new(
            Duration::from_secs(1),
            Duration::from_secs(16),
            Duration::from_secs(30),
        )
    }

    #[test]
    fn ceiling_doubles_with_each_failure_up_to_the_maximum() {
        let mut b = backoff();
        let t = Instant::from_millis(0);
        let ceilings: Vec<u64> = (0..7).map(|_| b.next_delay(t, 1.0).as_secs()).collect();
        assert_eq!(ceilings, [1, 2, 4, 8, 16, 16, 16]);
    }

    #[test]
    fn delay_never_falls_below_the_minimum() {
        let mut b = backoff();
        for _ in 0..10 {
            assert_eq!(
                b.next_delay(Instant::from_millis(0), 0.0),
                Duration::from_secs(1)
            );
        }
    }

    #[test]
    fn jitter_spreads_delays_across_the_whole_range() {
        let mut low = backoff();
        let mut high = backoff();
        let t = Instant::from_millis(0);
        for _ in 0..4 {
            low.next_delay(t, 0.0);
            high.next_delay(t, 0.0);
        }
        assert_eq!(low.next_delay(t, 0.0), Duration::from_secs(1));
        assert_eq!(high.next_delay(t, 0.5), Duration::from_millis(8_500));
    }

    #[test]
    fn a_stable_connection_resets_the_backoff() {
        let mut b = backoff();
        let t = Instant::from_millis(0);
        for _ in 0..5 {
            b.next_delay(t, 1.0);
        }
        b.connected(Instant::from_millis(1_000));
        let after_stable = b.next_delay(Instant::from_millis(31_000), 1.0);
        assert_eq!(after_stable, Duration::from_secs(1));
    }

    #[test]
    fn a_short_lived_connection_keeps_backing_off() {
        let mut b = backoff();
        let t = Instant::from_millis(0);
        for _ in 0..3 {
            b.next_delay(t, 1.0);
        }
        b.connected(Instant::from_millis(1_000));
        assert_eq!(
            b.next_delay(Instant::from_millis(2_000), 1.0),
            Duration::from_secs(8)
        );
    }

    #[test]
    fn reset_starts_over() {
        let mut b = backoff();
        for _ in 0..4 {
            b.next_delay(Instant::from_millis(0), 1.0);
        }
        b.reset();
        assert_eq!(
            b.next_delay(Instant::from_millis(0), 1.0),
            Duration::from_secs(1)
        );
    }
}
