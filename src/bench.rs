//! Figures for the in-browser benchmark: rates and latency percentiles, written as JSON.

use crate::json_writer::JsonWriter;

/// Latency percentiles of a set of round trips, in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Latency {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

impl Latency {
    /// Nearest-rank percentiles of `samples`; `None` for no samples.
    pub fn of(samples: &[f64]) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted = samples.to_vec();
        // Samples equal under total_cmp are the same bits: their order cannot matter.
        sorted.sort_unstable_by(f64::total_cmp);
        let rank = |p: f64| {
            let index = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
            sorted[index.clamp(1, sorted.len()) - 1]
        };
        Some(Self {
            p50: rank(50.0),
            p90: rank(90.0),
            p99: rank(99.0),
            max: sorted[sorted.len() - 1],
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
        })
    }
}

/// One throughput measurement: how many messages were sent and arrived, and how fast.
#[derive(Debug, Clone, PartialEq)]
pub struct Throughput {
    pub sent: u32,
    pub received: u32,
    pub seconds: f64,
    /// Messages received per second.
    pub rate: f64,
}

impl Throughput {
    pub fn new(sent: u32, received: u32, millis: f64) -> Self {
        let seconds = millis / 1000.0;
        let rate = if seconds > 0.0 {
            f64::from(received) / seconds
        } else {
            0.0
        };
        Self {
            sent,
            received,
            seconds,
            rate,
        }
    }
}

/// QoS 1 messages sent one at a time, each timed until it came back on our subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundTrips {
    pub throughput: Throughput,
    pub latency_ms: Option<Latency>,
}

/// What the benchmark page writes into `#bench-result`.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    pub client: String,
    pub broker: String,
    pub payload_bytes: u32,
    pub qos0_receive: Throughput,
    pub qos0_publish_receive: Throughput,
    pub qos1_round_trip: RoundTrips,
}

impl BenchReport {
    /// The report as JSON, members named and ordered as the fields.
    pub fn to_json(&self) -> String {
        let mut w = JsonWriter::default();
        w.begin_object();
        w.str_member("client", &self.client);
        w.str_member("broker", &self.broker);
        w.uint_member("payload_bytes", Some(self.payload_bytes));
        w.key("qos0_receive");
        self.qos0_receive.write_json(&mut w);
        w.key("qos0_publish_receive");
        self.qos0_publish_receive.write_json(&mut w);
        w.key("qos1_round_trip");
        w.begin_object();
        w.key("throughput");
        self.qos1_round_trip.throughput.write_json(&mut w);
        w.key("latency_ms");
        match &self.qos1_round_trip.latency_ms {
            Some(latency) => {
                w.begin_object();
                w.float_member("p50", latency.p50);
                w.float_member("p90", latency.p90);
                w.float_member("p99", latency.p99);
                w.float_member("max", latency.max);
                w.float_member("mean", latency.mean);
                w.end_object();
            }
            None => w.null(),
        }
        w.end_object();
        w.end_object();
        w.finish()
    }
}

/// `{"error": message}`: what the benchmark page writes when a run fails.
pub fn error_json(message: &str) -> String {
    let mut w = JsonWriter::default();
    w.begin_object();
    w.str_member("error", message);
    w.end_object();
    w.finish()
}

impl Throughput {
    fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        w.uint_member("sent", Some(self.sent));
        w.uint_member("received", Some(self.received));
        w.float_member("seconds", self.seconds);
        w.float_member("rate", self.rate);
        w.end_object();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        let latency = Latency::of(&samples).expect("samples");
        assert_eq!(
            (latency.p50, latency.p90, latency.p99, latency.max),
            (50.0, 90.0, 99.0, 100.0)
        );
        assert_eq!(latency.mean, 50.5);
    }

    #[test]
    fn percentiles_of_one_sample_are_that_sample() {
        let latency = Latency::of(&[7.5]).expect("a sample");
        assert_eq!((latency.p50, latency.p99, latency.max), (7.5, 7.5, 7.5));
    }

    #[test]
    fn no_samples_give_no_latency() {
        assert_eq!(Latency::of(&[]), None);
    }

    #[test]
    fn rate_counts_received_messages_per_second() {
        let t = Throughput::new(1000, 800, 400.0);
        assert_eq!(t.rate, 2000.0);
        assert_eq!(Throughput::new(10, 0, 0.0).rate, 0.0);
    }

    #[test]
    fn report_is_json_with_every_figure() {
        let report = BenchReport {
            client: "lamplighter".into(),
            broker: "ws://127.0.0.1:9001".into(),
            payload_bytes: 32,
            qos0_receive: Throughput::new(10, 10, 1000.0),
            qos0_publish_receive: Throughput::new(10, 10, 500.0),
            qos1_round_trip: RoundTrips {
                throughput: Throughput::new(4, 4, 100.0),
                latency_ms: Latency::of(&[1.0, 2.0, 3.0, 4.0]),
            },
        };
        let json = report.to_json();
        assert!(
            json.contains(
                r#""qos0_publish_receive":{"sent":10,"received":10,"seconds":0.5,"rate":20.0}"#
            ),
            "{json}"
        );
        assert!(json.contains(r#""p99":4.0"#), "{json}");
    }
}
