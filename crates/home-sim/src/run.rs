//! One thread per device, each with its own MQTT connection: the device's last will set on
//! CONNECT, its announcement after every CONNACK, commands answered after a delay, readings
//! drifting, reconnection with backoff when the broker goes away, and the plug pulled or
//! pushed back in when the switchboard says so.

use std::collections::VecDeque;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use mqtt_session::{
    Backoff, Bytes, Client, ClientConfig, ConnectionState, Event, Message, PacketId, QoS, Will,
};
use mqtt_tcp::Connection;

use crate::device::{Device, Publication, Reading};

/// How often a moving device (a blind) takes a step.
pub const STEP: Duration = Duration::from_millis(500);
/// The longest a runner waits before looking at its control channel and the stop flag.
const TURN: Duration = Duration::from_millis(100);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a device shutting down waits for the broker to take its "offline".
const FAREWELL_TIMEOUT: Duration = Duration::from_secs(2);
/// Logged payloads are cut to this many characters.
const LOGGED_PAYLOAD: usize = 160;

/// How long a device takes to answer a command: around `typical`, jittered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delay {
    pub typical: Duration,
}

impl Delay {
    /// 55 % to 145 % of the typical delay: the default 275 ms gives 150 to 400 ms.
    fn draw(self, rng: &mut fastrand::Rng) -> Duration {
        self.typical.mul_f64(0.55 + 0.9 * rng.f64())
    }
}

/// What every runner needs to know.
#[derive(Debug, Clone)]
pub struct Settings {
    pub address: SocketAddr,
    pub delay: Delay,
    /// `None`: readings stay where they are.
    pub drift: Option<Duration>,
}

/// What the switchboard tells a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// Drop the TCP connection without DISCONNECT (the broker publishes the will) and stay
    /// away.
    Unplug,
    /// Connect again and announce.
    Plug,
    /// A reading or a local change: the payload of `home-sim/<key>/set`.
    Set(Vec<u8>),
}

/// Starts `device` on a thread of its own.
pub fn spawn(
    device: Box<dyn Device>,
    settings: Settings,
    seed: u64,
    control: Receiver<Control>,
    stop: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    let name = format!("home-sim-{}", device.key());
    let runner = Runner {
        device,
        settings,
        rng: fastrand::Rng::with_seed(seed),
        backoff: Backoff::new(Duration::from_millis(250), Duration::from_secs(10), seed),
        control,
        stop,
        last_now: mqtt_session::Instant::from_millis(0),
        pending: VecDeque::new(),
        next_drift: None,
        next_step: None,
        connections: 0,
        failures: 0,
    };
    thread::Builder::new()
        .name(name)
        .spawn(move || runner.run())
}

/// Where a device's connection stands.
enum Link {
    Up(Connection),
    /// The broker could not be reached or went away: try again at `retry_at`.
    Down {
        client: Client,
        retry_at: Instant,
    },
    /// Unplugged by the switchboard: away until plugged in.
    Unplugged(Client),
    /// No client can be made: the device is gone (logged where it happened).
    Broken,
}

struct Runner {
    device: Box<dyn Device>,
    settings: Settings,
    rng: fastrand::Rng,
    /// Kept across connections, so that a broker that keeps failing is tried less and less.
    backoff: Backoff,
    control: Receiver<Control>,
    stop: Arc<AtomicBool>,
    /// The engine's clock, continued from one connection to the next.
    last_now: mqtt_session::Instant,
    /// Commands received, to be answered when due, in order.
    pending: VecDeque<(Instant, String, Bytes)>,
    next_drift: Option<Instant>,
    next_step: Option<Instant>,
    /// Connections the broker accepted.
    connections: u32,
    /// Connection attempts that failed since the last success.
    failures: u32,
}

impl Runner {
    fn key(&self) -> &str {
        self.device.key()
    }

    fn run(mut self) {
        let Some(client) = self.new_client() else {
            return;
        };
        if let Some(drift) = self.settings.drift {
            // Spread the devices' drifts over the period, so they don't all speak at once.
            self.next_drift = Some(Instant::now() + drift.mul_f64(0.2 + 0.8 * self.rng.f64()));
        }
        let mut link = self.connect(client);
        loop {
            if self.stop.load(Ordering::SeqCst) {
                return self.shut_down(link);
            }
            link = match link {
                Link::Up(connection) => self.serve(connection),
                Link::Down { client, retry_at } => self.wait_to_retry(client, retry_at),
                Link::Unplugged(client) => self.wait_for_plug(client),
                Link::Broken => return,
            };
        }
    }

    /// The device's client: its id, its last will, and its subscriptions (which the engine
    /// sends after CONNACK, and again on every new connection).
    fn new_client(&self) -> Option<Client> {
        let will = self.device.will();
        let config = ClientConfig {
            keep_alive: Duration::from_secs(30),
            will: Some(Will::new(
                will.topic,
                will.payload,
                QoS::AtLeastOnce,
                will.retain,
            )),
            ..ClientConfig::new(format!("home-sim-{}", self.key()))
        };
        let mut client = match Client::new(config) {
            Ok(client) => client,
            Err(error) => {
                eprintln!("{}: cannot make a client: {error}", self.key());
                return None;
            }
        };
        let filters = self.device.subscriptions();
        if !filters.is_empty() {
            let filters: Vec<(&str, QoS)> = filters
                .iter()
                .map(|f| (f.as_str(), QoS::AtLeastOnce))
                .collect();
            if let Err(error) = client.subscribe(self.last_now, &filters) {
                eprintln!("{}: cannot subscribe: {error}", self.key());
            }
        }
        Some(client)
    }

    fn connect(&mut self, client: Client) -> Link {
        let stream = match TcpStream::connect_timeout(&self.settings.address, CONNECT_TIMEOUT) {
            Ok(stream) => stream,
            Err(error) => return self.retry_later(client, &error.to_string()),
        };
        match Connection::over(stream, client, self.last_now) {
            Ok(connection) => Link::Up(connection),
            // The client went down with the stream; a new one carries on.
            Err(error) => match self.new_client() {
                Some(client) => self.retry_later(client, &error.to_string()),
                None => Link::Broken,
            },
        }
    }

    fn retry_later(&mut self, client: Client, why: &str) -> Link {
        self.failures += 1;
        let delay = self.backoff.next_delay();
        // The first failure of a run and then fewer and fewer, not one line per attempt.
        if self.failures.is_power_of_two() {
            eprintln!(
                "{}: cannot reach the broker at {} ({why}); trying again in {} ms",
                self.key(),
                self.settings.address,
                delay.as_millis()
            );
        }
        Link::Down {
            client,
            retry_at: Instant::now() + delay,
        }
    }

    /// One turn of a connected device: an event from the broker, the switchboard's orders,
    /// and whatever timers are due.
    fn serve(&mut self, mut connection: Connection) -> Link {
        let wait = self.until_next_timer();
        match connection.next_event(wait) {
            Ok(Some(Event::Connected { .. })) => {
                self.backoff.connected(connection.now());
                self.failures = 0;
                self.connections += 1;
                if self.connections > 1 {
                    println!("{}: connected again", self.key());
                }
                let online = self.device.online();
                self.publish(&mut connection, online);
            }
            Ok(Some(Event::Message(message))) => self.receive(message),
            Ok(Some(Event::Disconnected { reason })) => {
                return self.lost(connection, &reason.to_string());
            }
            Ok(Some(Event::CommandDropped { error, .. })) => {
                eprintln!("{}: the broker did not take a message: {error}", self.key());
            }
            Ok(Some(_)) => {}
            Ok(None) if connection.is_closed() => return self.lost(connection, "closed"),
            Ok(None) => {}
            Err(error) => return self.lost(connection, &error.to_string()),
        }
        loop {
            match self.control.try_recv() {
                Ok(Control::Unplug) => return self.unplug(connection),
                Ok(Control::Plug) => println!("{}: already plugged in", self.key()),
                Ok(Control::Set(payload)) => {
                    let changed = self.set(&payload);
                    self.publish(&mut connection, changed);
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        let due = self.run_timers();
        self.publish(&mut connection, due);
        Link::Up(connection)
    }

    fn lost(&mut self, connection: Connection, why: &str) -> Link {
        let now = connection.now();
        self.backoff.disconnected(now);
        self.last_now = now;
        let client = settle(connection.into_client());
        eprintln!("{}: lost the broker ({why}); reconnecting", self.key());
        self.retry_later(client, why)
    }

    fn unplug(&mut self, mut connection: Connection) -> Link {
        connection.drop_transport();
        self.last_now = connection.now();
        println!(
            "{}: unplugged (connection dropped without DISCONNECT)",
            self.key()
        );
        Link::Unplugged(settle(connection.into_client()))
    }

    fn wait_to_retry(&mut self, client: Client, retry_at: Instant) -> Link {
        let now = Instant::now();
        if now >= retry_at {
            return self.connect(client);
        }
        let wait = (retry_at - now).min(TURN);
        match self.control.recv_timeout(wait) {
            Ok(Control::Unplug) => {
                println!("{}: unplugged", self.key());
                return Link::Unplugged(client);
            }
            Ok(Control::Plug) => return self.connect(client),
            // Nobody hears it now; the device announces its state when it is back.
            Ok(Control::Set(payload)) => {
                let _ = self.set(&payload);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => thread::sleep(wait),
        }
        let _ = self.run_timers();
        Link::Down { client, retry_at }
    }

    fn wait_for_plug(&mut self, client: Client) -> Link {
        match self.control.recv_timeout(TURN) {
            Ok(Control::Plug) => {
                println!("{}: plugged in", self.key());
                return self.connect(client);
            }
            Ok(Control::Unplug) => println!("{}: already unplugged", self.key()),
            Ok(Control::Set(payload)) => {
                let _ = self.set(&payload);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => thread::sleep(TURN),
        }
        let _ = self.run_timers();
        Link::Unplugged(client)
    }

    /// A clean stop: "offline" published and acknowledged, then DISCONNECT, so the broker
    /// drops the will.
    fn shut_down(&mut self, link: Link) {
        let Link::Up(mut connection) = link else {
            return;
        };
        if connection.client().state() != ConnectionState::Connected {
            return;
        }
        let offline = self.device.offline();
        let mut waiting = self.publish(&mut connection, offline);
        let until = Instant::now() + FAREWELL_TIMEOUT;
        while !waiting.is_empty() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                eprintln!("{}: the broker did not confirm \"offline\"", self.key());
                break;
            }
            match connection.next_event(left) {
                Ok(Some(Event::Published { packet_id, .. })) => {
                    waiting.retain(|id| *id != packet_id);
                }
                Ok(Some(Event::Disconnected { .. })) | Err(_) => break,
                Ok(_) if connection.is_closed() => break,
                Ok(_) => {}
            }
        }
        let now = connection.now();
        connection.client().disconnect(now);
        if let Err(error) = connection.flush() {
            eprintln!("{}: DISCONNECT not sent: {error}", self.key());
        }
        drop(connection.into_client());
    }

    /// Publishes at once (retained messages at QoS 1, the rest at QoS 0) if connected;
    /// returns the packet ids to await.
    fn publish(
        &mut self,
        connection: &mut Connection,
        publications: Vec<Publication>,
    ) -> Vec<PacketId> {
        let mut ids = Vec::new();
        if connection.client().state() != ConnectionState::Connected {
            return ids;
        }
        let now = connection.now();
        for publication in publications {
            let qos = if publication.retain {
                QoS::AtLeastOnce
            } else {
                QoS::AtMostOnce
            };
            match connection.client().publish(
                now,
                &publication.topic,
                publication.payload,
                qos,
                publication.retain,
            ) {
                Ok(Some(id)) => ids.push(id),
                Ok(None) => {}
                Err(error) => eprintln!(
                    "{}: cannot publish on {}: {error}",
                    self.key(),
                    publication.topic
                ),
            }
        }
        // A failed write closes the transport; the next turn notices.
        if let Err(error) = connection.flush() {
            eprintln!("{}: {error}", self.key());
        }
        ids
    }

    /// A command: answered after the delay, never before an earlier one.
    fn receive(&mut self, message: Message) {
        let topic = message.topic.as_str().to_owned();
        if message.retain {
            // A retained command would be carried out again on every reconnection.
            eprintln!(
                "{}: ignored a retained command on {topic}: {}",
                self.key(),
                shown(&message.payload)
            );
            return;
        }
        let mut due = Instant::now() + self.settings.delay.draw(&mut self.rng);
        if let Some((last, _, _)) = self.pending.back() {
            due = due.max(*last);
        }
        self.pending.push_back((due, topic, message.payload));
    }

    fn set(&mut self, payload: &[u8]) -> Vec<Publication> {
        let main = self.device.info().map_or("value", |info| info.main_reading);
        let changed = Reading::parse(payload, main).and_then(|r| self.device.set(&r));
        match changed {
            Ok(publications) => {
                println!(
                    "{}: set {} -> {}",
                    self.key(),
                    shown(payload),
                    summary(&publications)
                );
                publications
            }
            Err(why) => {
                eprintln!("{}: ignored set {}: {why}", self.key(), shown(payload));
                Vec::new()
            }
        }
    }

    /// Answers due commands, drifts, steps; returns what to publish.
    fn run_timers(&mut self) -> Vec<Publication> {
        let now = Instant::now();
        let mut out = Vec::new();
        while self.pending.front().is_some_and(|(due, _, _)| *due <= now) {
            if let Some((_, topic, payload)) = self.pending.pop_front() {
                out.extend(self.answer(&topic, &payload));
            }
        }
        if let (Some(at), Some(drift)) = (self.next_drift, self.settings.drift)
            && at <= now
        {
            out.extend(self.device.drift(&mut self.rng));
            self.next_drift = Some(now + drift.mul_f64(0.8 + 0.4 * self.rng.f64()));
        }
        match self.next_step {
            _ if !self.device.moving() => self.next_step = None,
            None => self.next_step = Some(now + STEP),
            Some(at) if at <= now => {
                out.extend(self.device.step());
                self.next_step = self.device.moving().then_some(now + STEP);
            }
            Some(_) => {}
        }
        out
    }

    fn answer(&mut self, topic: &str, payload: &[u8]) -> Vec<Publication> {
        match self.device.command(topic, payload) {
            Ok(publications) => {
                println!(
                    "{}: {topic} {} -> {}",
                    self.key(),
                    shown(payload),
                    summary(&publications)
                );
                publications
            }
            Err(why) => {
                eprintln!("{}: ignored {topic} {}: {why}", self.key(), shown(payload));
                Vec::new()
            }
        }
    }

    /// How long the next turn may wait for the broker.
    fn until_next_timer(&self) -> Duration {
        let now = Instant::now();
        [
            self.pending.front().map(|(due, _, _)| *due),
            self.next_drift,
            self.next_step,
        ]
        .into_iter()
        .flatten()
        .map(|at| at.saturating_duration_since(now))
        .fold(TURN, Duration::min)
    }
}

/// Drops the events the engine still holds about the connection that ended, so that the next
/// connection does not take them for its own.
fn settle(mut client: Client) -> Client {
    while client.poll_event().is_some() {}
    client
}

/// A payload for the log: text, cut short.
fn shown(payload: &[u8]) -> String {
    let text = String::from_utf8_lossy(payload);
    if text.is_empty() {
        return "(empty)".into();
    }
    match text.char_indices().nth(LOGGED_PAYLOAD) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

fn summary(publications: &[Publication]) -> String {
    if publications.is_empty() {
        return "done".into();
    }
    publications
        .iter()
        .map(|p| format!("{} {}", p.topic, shown(p.payload.as_bytes())))
        .collect::<Vec<_>>()
        .join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_within_the_jitter_around_the_typical_delay() {
        let mut rng = fastrand::Rng::with_seed(9);
        let delay = Delay {
            typical: Duration::from_millis(275),
        };
        for _ in 0..1000 {
            let d = delay.draw(&mut rng);
            assert!(
                d >= Duration::from_millis(151) && d <= Duration::from_millis(399),
                "{d:?}"
            );
        }
        let none = Delay {
            typical: Duration::ZERO,
        };
        assert_eq!(none.draw(&mut rng), Duration::ZERO);
    }

    #[test]
    fn long_payloads_are_cut_in_the_log() {
        assert_eq!(shown(b""), "(empty)");
        assert_eq!(shown(b"ON"), "ON");
        let long = "é".repeat(500);
        assert_eq!(shown(long.as_bytes()).chars().count(), LOGGED_PAYLOAD + 1);
    }
}
