//! Publish -> receive throughput over loopback TCP to a Mosquitto of the benchmark's own:
//! this engine through the mqtt-tcp driver, side by side with rumqttc, in the same run.
//!
//! `cargo bench -p mqtt-tcp --bench throughput` (optionally `-- MESSAGES ROUNDS`).
//! Results: crates/mqtt-session/BENCHMARKS.md.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    bench::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use std::net::SocketAddr;
    use std::sync::mpsc;
    use std::thread;
    use std::time::{Duration, Instant};

    use mqtt_session::{Client, ClientConfig, Event, QoS};
    use mqtt_tcp::{Connection, Mosquitto};

    const PAYLOAD: [u8; 64] = [b'x'; 64];
    const TOPIC: &str = "bench/throughput";

    #[derive(Clone, Copy, PartialEq)]
    enum Engine {
        Ours,
        Rumqttc,
    }

    pub fn main() {
        let mut args = std::env::args().skip(1).filter(|a| !a.starts_with('-'));
        let messages: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50_000);
        let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
        let broker = Mosquitto::start("max_queued_messages 0\nmax_inflight_messages 100")
            .expect("a Mosquitto of the benchmark's own");
        let address = broker.address();
        println!(
            "{messages} messages of {} bytes, {rounds} rounds, MQTT 3.1.1, 100 in flight",
            PAYLOAD.len()
        );
        println!("| QoS | engine | median msg/s | rounds (msg/s) | received |");
        println!("|---|---|---|---|---|");
        for qos in [QoS::AtMostOnce, QoS::AtLeastOnce] {
            let mut results = [Vec::new(), Vec::new()];
            let mut received = [0usize, 0usize];
            for round in 0..rounds {
                // Alternate which goes first, so that neither always gets the warmer broker.
                let order = if round % 2 == 0 {
                    [Engine::Ours, Engine::Rumqttc]
                } else {
                    [Engine::Rumqttc, Engine::Ours]
                };
                for engine in order {
                    let (rate, count) = run(address, engine, qos, messages, round);
                    let slot = usize::from(engine == Engine::Rumqttc);
                    results[slot].push(rate);
                    received[slot] += count;
                }
            }
            let medians = results.clone().map(median);
            for (slot, name) in ["mqtt-session + mqtt-tcp", "rumqttc 0.25.1 (sync Client)"]
                .iter()
                .enumerate()
            {
                let rounds: Vec<String> = results[slot].iter().map(|r| format!("{r:.0}")).collect();
                println!(
                    "| {} | {name} | {:.0} | {} | {}/{} |",
                    qos.bits(),
                    medians[slot],
                    rounds.join(", "),
                    received[slot],
                    messages * results[slot].len()
                );
            }
            println!(
                "| {} | ratio (ours / rumqttc) | {:.2} | | |",
                qos.bits(),
                medians[0] / medians[1]
            );
        }
    }

    fn median(mut values: Vec<f64>) -> f64 {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    }

    /// Messages per second from the first publish to the last message received, and how many
    /// arrived (QoS 0 may lose some under load).
    fn run(
        address: SocketAddr,
        engine: Engine,
        qos: QoS,
        messages: usize,
        round: usize,
    ) -> (f64, usize) {
        let topic = format!("{TOPIC}/{round}/{}", qos.bits());
        let (ready_tx, ready_rx) = mpsc::channel();
        let subscriber = {
            let topic = topic.clone();
            thread::spawn(move || match engine {
                Engine::Ours => ours_subscribe(address, &topic, qos, messages, ready_tx),
                Engine::Rumqttc => rumqttc_subscribe(address, &topic, qos, messages, ready_tx),
            })
        };
        ready_rx.recv().expect("subscriber ready");
        let start = Instant::now();
        match engine {
            Engine::Ours => ours_publish(address, &topic, qos, messages),
            Engine::Rumqttc => rumqttc_publish(address, &topic, qos, messages),
        }
        let (count, last) = subscriber.join().expect("subscriber thread");
        let elapsed = last.map_or(Duration::from_secs(1), |last| last - start);
        (count as f64 / elapsed.as_secs_f64(), count)
    }

    fn ours_connect(address: SocketAddr, id: &str) -> Connection {
        let client = Client::new(ClientConfig {
            max_queued_commands: 1000,
            ..ClientConfig::new(id)
        })
        .expect("configuration");
        let mut connection = Connection::open(address, client).expect("connect");
        match connection.next_event(Duration::from_secs(10)).expect("io") {
            Some(Event::Connected { .. }) => connection,
            other => panic!("expected CONNACK, got {other:?}"),
        }
    }

    fn ours_subscribe(
        address: SocketAddr,
        topic: &str,
        qos: QoS,
        messages: usize,
        ready: mpsc::Sender<()>,
    ) -> (usize, Option<Instant>) {
        let mut connection = ours_connect(address, "bench-ours-sub");
        let now = connection.now();
        connection
            .client()
            .subscribe(now, &[(topic, qos)])
            .expect("subscribe");
        loop {
            if let Some(Event::Subscribed { .. }) =
                connection.next_event(Duration::from_secs(10)).expect("io")
            {
                break;
            }
        }
        ready.send(()).expect("ready");
        let mut count = 0;
        let mut last = None;
        while count < messages {
            match connection.next_event(Duration::from_secs(3)).expect("io") {
                Some(Event::Message(_)) => {
                    count += 1;
                    last = Some(Instant::now());
                }
                Some(_) => {}
                None => break,
            }
        }
        (count, last)
    }

    fn ours_publish(address: SocketAddr, topic: &str, qos: QoS, messages: usize) {
        let mut connection = ours_connect(address, "bench-ours-pub");
        let mut sent = 0;
        let mut acknowledged = 0;
        let expected = if qos == QoS::AtMostOnce { 0 } else { messages };
        while sent < messages || acknowledged < expected {
            let now = connection.now();
            let mut batch = 0;
            while sent < messages && batch < 256 {
                let client = connection.client();
                if qos != QoS::AtMostOnce && !client.can_send_publish() {
                    break;
                }
                client
                    .publish(now, topic, &PAYLOAD[..], qos, false)
                    .expect("publish");
                sent += 1;
                batch += 1;
            }
            connection.flush().expect("send");
            if qos == QoS::AtMostOnce {
                continue;
            }
            // One blocking read, then every event it produced.
            let mut wait = Duration::from_secs(10);
            while let Some(event) = connection.next_event(wait).expect("io") {
                if let Event::Published { .. } = event {
                    acknowledged += 1;
                }
                wait = Duration::ZERO;
            }
        }
        let now = connection.now();
        connection.client().disconnect(now);
        let _ = connection.next_event(Duration::ZERO);
    }

    fn rumqttc_options(id: &str, address: SocketAddr) -> rumqttc::MqttOptions {
        let mut options = rumqttc::MqttOptions::new(id, address.ip().to_string(), address.port());
        options.set_keep_alive(Duration::from_secs(60));
        options.set_inflight(100);
        options
    }

    fn rumqttc_qos(qos: QoS) -> rumqttc::QoS {
        match qos {
            QoS::AtMostOnce => rumqttc::QoS::AtMostOnce,
            QoS::AtLeastOnce => rumqttc::QoS::AtLeastOnce,
            QoS::ExactlyOnce => rumqttc::QoS::ExactlyOnce,
        }
    }

    fn rumqttc_subscribe(
        address: SocketAddr,
        topic: &str,
        qos: QoS,
        messages: usize,
        ready: mpsc::Sender<()>,
    ) -> (usize, Option<Instant>) {
        use rumqttc::{Event, Incoming};
        let (client, mut connection) =
            rumqttc::Client::new(rumqttc_options("bench-rumqttc-sub", address), 1000);
        client
            .subscribe(topic, rumqttc_qos(qos))
            .expect("subscribe");
        let mut ready = Some(ready);
        let mut count = 0;
        let mut last = None;
        while count < messages {
            match connection.recv_timeout(Duration::from_secs(3)) {
                Ok(Ok(Event::Incoming(Incoming::SubAck(_)))) => {
                    if let Some(ready) = ready.take() {
                        ready.send(()).expect("ready");
                    }
                }
                Ok(Ok(Event::Incoming(Incoming::Publish(_)))) => {
                    count += 1;
                    last = Some(Instant::now());
                }
                Ok(Ok(_)) => {}
                Ok(Err(error)) => panic!("rumqttc subscriber: {error}"),
                Err(_) => break,
            }
        }
        let _ = client.disconnect();
        (count, last)
    }

    fn rumqttc_publish(address: SocketAddr, topic: &str, qos: QoS, messages: usize) {
        use rumqttc::{Event, Incoming, Outgoing};
        let (client, mut connection) =
            rumqttc::Client::new(rumqttc_options("bench-rumqttc-pub", address), 1000);
        let topic = topic.to_owned();
        let publisher = thread::spawn(move || {
            for _ in 0..messages {
                client
                    .publish(topic.as_str(), rumqttc_qos(qos), false, &PAYLOAD[..])
                    .expect("publish");
            }
            client
        });
        let mut done = 0;
        let expected = messages;
        while done < expected {
            match connection.recv_timeout(Duration::from_secs(10)) {
                Ok(Ok(Event::Incoming(Incoming::PubAck(_)))) if qos != QoS::AtMostOnce => done += 1,
                Ok(Ok(Event::Outgoing(Outgoing::Publish(_)))) if qos == QoS::AtMostOnce => {
                    done += 1
                }
                Ok(Ok(_)) => {}
                Ok(Err(error)) => panic!("rumqttc publisher: {error}"),
                Err(_) => panic!("rumqttc publisher stalled at {done} of {expected}"),
            }
        }
        let client = publisher.join().expect("publisher thread");
        let _ = client.disconnect();
        for _ in 0..4 {
            if connection.recv_timeout(Duration::from_millis(100)).is_err() {
                break;
            }
        }
    }
}
