//! How often a slider being dragged may talk to a device.
//!
//! A brightness slider fires an input event for every pixel the finger moves; a Zigbee bulb
//! answers a few commands a second at best. [`Throttle`] lets the first value through at once,
//! then at most one value per interval while the drag goes on (always the latest), and the final
//! value when the finger lifts, unless that exact value was the last one sent.

/// What the caller should do after [`Throttle::input`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Send this value now.
    Send(f64),
    /// Nothing now; call [`Throttle::tick`] at this time (ms), unless a tick is already due.
    WaitUntil(u64),
}

/// Rate limiting for one slider; times are milliseconds on any clock that does not go back.
#[derive(Debug, Clone, PartialEq)]
pub struct Throttle {
    interval_ms: u64,
    last_sent_at: Option<u64>,
    last_sent: Option<f64>,
    /// The newest value not yet sent.
    waiting: Option<f64>,
}

impl Throttle {
    /// About four updates a second.
    pub const SLIDER_INTERVAL_MS: u64 = 250;

    pub fn new(interval_ms: u64) -> Self {
        Throttle {
            interval_ms,
            last_sent_at: None,
            last_sent: None,
            waiting: None,
        }
    }

    /// The slider moved to `value` at `now`.
    pub fn input(&mut self, now: u64, value: f64) -> Step {
        match self.last_sent_at {
            Some(at) if now < at + self.interval_ms => {
                self.waiting = Some(value);
                Step::WaitUntil(at + self.interval_ms)
            }
            _ => {
                self.waiting = None;
                self.sent(now, value);
                Step::Send(value)
            }
        }
    }

    /// The time asked for by [`Step::WaitUntil`] has come: the newest waiting value, if any
    /// and if the interval has really passed.
    pub fn tick(&mut self, now: u64) -> Option<f64> {
        let due = self
            .last_sent_at
            .is_none_or(|at| now >= at + self.interval_ms);
        if !due {
            return None;
        }
        let value = self.waiting.take()?;
        self.sent(now, value);
        Some(value)
    }

    /// The finger lifted at `value`: send it unless it is what was sent last. Whatever was
    /// waiting is superseded.
    pub fn release(&mut self, now: u64, value: f64) -> Option<f64> {
        self.waiting = None;
        if self.last_sent == Some(value) {
            return None;
        }
        self.sent(now, value);
        Some(value)
    }

    fn sent(&mut self, now: u64, value: f64) {
        self.last_sent_at = Some(now);
        self.last_sent = Some(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_movement_is_sent_at_once() {
        let mut t = Throttle::new(250);
        assert_eq!(t.input(1_000, 0.1), Step::Send(0.1));
    }

    #[test]
    fn a_drag_sends_at_most_one_value_per_interval_and_always_the_newest() {
        let mut t = Throttle::new(250);
        let mut sent = vec![];
        let mut due = None;
        // A finger moving every 16 ms (one frame) for two seconds.
        for frame in 0..125u64 {
            let now = frame * 16;
            if let Some(at) = due
                && now >= at
            {
                sent.extend(t.tick(now).map(|v| (now, v)));
                due = None;
            }
            match t.input(now, frame as f64) {
                Step::Send(v) => sent.push((now, v)),
                Step::WaitUntil(at) => due = due.or(Some(at)),
            }
        }
        // Two seconds at four a second, plus the first.
        assert!(sent.len() <= 9, "{sent:?}");
        assert!(sent.len() >= 7, "{sent:?}");
        for pair in sent.windows(2) {
            assert!(pair[1].0 - pair[0].0 >= 250, "{pair:?}");
            assert!(pair[1].1 > pair[0].1);
        }
    }

    #[test]
    fn a_tick_sends_the_newest_waiting_value() {
        let mut t = Throttle::new(250);
        t.input(0, 1.0);
        assert_eq!(t.input(10, 2.0), Step::WaitUntil(250));
        assert_eq!(t.input(20, 3.0), Step::WaitUntil(250));
        assert_eq!(t.tick(250), Some(3.0));
        assert_eq!(t.tick(600), None, "nothing left waiting");
    }

    #[test]
    fn an_early_tick_sends_nothing() {
        let mut t = Throttle::new(250);
        t.input(0, 1.0);
        t.input(10, 2.0);
        assert_eq!(t.tick(100), None);
        assert_eq!(t.tick(250), Some(2.0));
    }

    #[test]
    fn release_sends_the_final_value_even_inside_the_interval() {
        let mut t = Throttle::new(250);
        t.input(0, 1.0);
        t.input(10, 2.0);
        assert_eq!(t.release(20, 2.5), Some(2.5));
        assert_eq!(t.tick(250), None, "the waiting value was superseded");
    }

    #[test]
    fn release_at_the_value_just_sent_sends_nothing_more() {
        let mut t = Throttle::new(250);
        assert_eq!(t.input(0, 0.7), Step::Send(0.7));
        assert_eq!(t.release(5, 0.7), None);
    }
}
