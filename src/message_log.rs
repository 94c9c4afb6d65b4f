//! The messages the page shows: newest first, bounded so a busy topic cannot exhaust memory.

use std::collections::VecDeque;
use std::sync::Arc;

/// One received message as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedMessage {
    /// Arrival order since the page loaded; unique, so it keys the rendered list.
    pub seq: u64,
    pub topic: String,
    /// The payload as text; bytes that are not UTF-8 show as U+FFFD.
    pub payload: String,
    pub retained: bool,
    /// Local wall-clock time of arrival, `HH:MM:SS`.
    pub received_at: String,
}

/// The newest `capacity` messages, and how many arrived in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageLog {
    /// Shared, so that rendering the list copies pointers, not messages.
    entries: VecDeque<Arc<LoggedMessage>>,
    capacity: usize,
    received: u64,
}

impl MessageLog {
    pub const DEFAULT_CAPACITY: usize = 200;

    pub fn new(capacity: usize) -> Self {
        Self {
            entries: VecDeque::with_capacity(capacity.min(64)),
            capacity: capacity.max(1),
            received: 0,
        }
    }

    /// Records a message and returns its sequence number; the oldest entry goes when full.
    pub fn push(
        &mut self,
        topic: &str,
        payload: &[u8],
        retained: bool,
        received_at: String,
    ) -> u64 {
        let seq = self.received;
        self.received += 1;
        if self.entries.len() == self.capacity {
            self.entries.pop_back();
        }
        self.entries.push_front(Arc::new(LoggedMessage {
            seq,
            topic: topic.to_owned(),
            payload: String::from_utf8_lossy(payload).into_owned(),
            retained,
            received_at,
        }));
        seq
    }

    /// Newest first.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = &Arc<LoggedMessage>> {
        self.entries.iter()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every message received since the page loaded, including those no longer kept.
    pub fn received(&self) -> u64 {
        self.received
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

impl Default for MessageLog {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

/// Formats a local time of day as `HH:MM:SS`.
pub fn format_time_of_day(hours: u32, minutes: u32, seconds: u32) -> String {
    format!("{hours:02}:{minutes:02}:{seconds:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_newest_message_first() {
        let mut log = MessageLog::new(10);
        log.push("a", b"1", false, "10:00:00".into());
        log.push("b", b"2", true, "10:00:01".into());
        let topics: Vec<_> = log.entries().map(|m| m.topic.as_str()).collect();
        assert_eq!(topics, ["b", "a"]);
        assert!(log.entries().next().is_some_and(|m| m.retained));
    }

    #[test]
    fn drops_the_oldest_message_when_full_but_counts_every_arrival() {
        let mut log = MessageLog::new(2);
        for i in 0..5u8 {
            log.push("t", &[b'0' + i], false, String::new());
        }
        let payloads: Vec<_> = log.entries().map(|m| m.payload.as_str()).collect();
        assert_eq!(payloads, ["4", "3"]);
        assert_eq!(log.received(), 5);
    }

    #[test]
    fn gives_each_message_a_distinct_sequence_number() {
        let mut log = MessageLog::new(1);
        let first = log.push("t", b"x", false, String::new());
        let second = log.push("t", b"x", false, String::new());
        assert_ne!(first, second);
    }

    #[test]
    fn shows_binary_payloads_as_text_with_replacement_characters() {
        let mut log = MessageLog::new(1);
        log.push("t", &[0x68, 0x69, 0xff], false, String::new());
        assert_eq!(
            log.entries().next().map(|m| m.payload.as_str()),
            Some("hi\u{fffd}")
        );
    }

    #[test]
    fn formats_time_of_day_with_two_digits_each() {
        assert_eq!(format_time_of_day(7, 5, 9), "07:05:09");
    }
}
