//! The client's deadlines, kept in one table so that the driver sees a single one.

use crate::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    /// CONNACK must arrive by then.
    ConnectResponse = 0,
    /// The client must send something (PINGREQ if nothing else) by then.
    KeepAlive = 1,
    /// PINGRESP must arrive by then.
    PingResponse = 2,
}

const TIMER_COUNT: usize = 3;

#[derive(Debug, Default)]
pub(crate) struct TimerTable {
    deadlines: [Option<Instant>; TIMER_COUNT],
}

impl TimerTable {
    pub(crate) fn set(&mut self, timer: Timer, deadline: Instant) {
        self.deadlines[timer as usize] = Some(deadline);
    }

    pub(crate) fn stop(&mut self, timer: Timer) {
        self.deadlines[timer as usize] = None;
    }

    pub(crate) fn stop_all(&mut self) {
        self.deadlines = [None; TIMER_COUNT];
    }

    /// Stops `timer` and returns `true` if its deadline is at or before `now`.
    pub(crate) fn take_expired(&mut self, timer: Timer, now: Instant) -> bool {
        match self.deadlines[timer as usize] {
            Some(deadline) if deadline <= now => {
                self.stop(timer);
                true
            }
            _ => false,
        }
    }

    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.iter().flatten().min().copied()
    }
}
