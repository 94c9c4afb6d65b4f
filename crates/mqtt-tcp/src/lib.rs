//! A small blocking TCP driver for the [`mqtt_session`] engine, for native programs (the
//! simulated home) and tests, and a [`Mosquitto`] that tests start for themselves.
//!
//! [`Connection`] owns a `TcpStream` and a [`Client`], keeps the engine's call contract
//! (after every input, send what it wants sent, and keep its one deadline), and hands out
//! events. A connection that ends gives its client back with [`Connection::into_client`],
//! so the session carries on over the next one.
//!
//! ```no_run
//! use std::time::Duration;
//! use mqtt_session::{Client, ClientConfig, Event, QoS};
//! use mqtt_tcp::Connection;
//!
//! let client = Client::new(ClientConfig::new("sensor"))?;
//! let mut connection = Connection::open("127.0.0.1:1883", client)?;
//! let now = connection.now();
//! connection.client().publish(now, "home/sensor/temp", "21.5", QoS::AtLeastOnce, true)?;
//! while let Some(event) = connection.next_event(Duration::from_secs(5))? {
//!     if let Event::Published { .. } = event {
//!         break;
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg(not(target_arch = "wasm32"))]

mod mosquitto;

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::time::Duration;

use mqtt_session::{Client, ConnectionState, Event, Instant};

pub use mosquitto::Mosquitto;

/// How long one write may block before the connection is given up.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// One MQTT connection over TCP, driven by blocking reads with timeouts.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    client: Client,
    origin: std::time::Instant,
    /// The engine's clock started at `origin`, plus this, so that a client handed from one
    /// connection to the next never sees time go back.
    offset: u64,
    closed: bool,
    buffer: Box<[u8]>,
    /// The read timeout set on the socket, kept to save a system call per read.
    read_timeout: Option<Duration>,
}

impl Connection {
    /// Connects to `address` and sends CONNECT. Events (first [`Event::Connected`] or
    /// [`Event::Disconnected`]) come from [`next_event`](Connection::next_event).
    pub fn open(address: impl ToSocketAddrs, client: Client) -> io::Result<Self> {
        Connection::open_at(address, client, Instant::from_millis(0))
    }

    /// Like [`open`](Connection::open), with the engine's clock continuing from `start`
    /// (the last [`now`](Connection::now) of the previous connection).
    pub fn open_at(
        address: impl ToSocketAddrs,
        client: Client,
        start: Instant,
    ) -> io::Result<Self> {
        Connection::over(TcpStream::connect(address)?, client, start)
    }

    /// Runs `client` over a stream that is already connected, the engine's clock continuing
    /// from `start`. A driver that retries connecting keeps its client until a stream is up.
    pub fn over(stream: TcpStream, client: Client, start: Instant) -> io::Result<Self> {
        stream.set_nodelay(true)?;
        // A peer that stops reading must not block the driver for ever: the write fails, and
        // the connection ends.
        stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
        let mut connection = Connection {
            stream,
            client,
            origin: std::time::Instant::now(),
            offset: start.as_millis(),
            closed: false,
            buffer: vec![0; 64 * 1024].into_boxed_slice(),
            read_timeout: None,
        };
        let now = connection.now();
        connection.client.handle_transport_opened(now);
        connection.flush()?;
        Ok(connection)
    }

    /// The engine's current time.
    pub fn now(&self) -> Instant {
        let elapsed = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        Instant::from_millis(self.offset.saturating_add(elapsed))
    }

    /// The engine, for commands. Its output is sent by the next
    /// [`flush`](Connection::flush) or [`next_event`](Connection::next_event).
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    /// Whether the transport has closed.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Sends everything the engine wants sent.
    pub fn flush(&mut self) -> io::Result<()> {
        while let Some(bytes) = self.client.poll_transmit() {
            if self.closed {
                continue;
            }
            if let Err(error) = self.stream.write_all(&bytes) {
                self.close_transport();
                let stalled = matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut);
                if !is_disconnection(&error) && !stalled {
                    return Err(error);
                }
            }
        }
        Ok(())
    }

    /// Runs the connection until the engine has an event or `wait` has passed: sends, reads,
    /// and fires the engine's deadline. `Ok(None)` when `wait` passed without an event, or
    /// when the connection is closed and the engine has nothing more to say.
    pub fn next_event(&mut self, wait: Duration) -> io::Result<Option<Event>> {
        let until = std::time::Instant::now() + wait;
        loop {
            self.flush()?;
            if let Some(event) = self.client.poll_event() {
                // The engine has ended the connection: what it still had to say is sent, then
                // the transport closes. A `Disconnected` that finds the engine connecting or
                // connected again belongs to an earlier transport (it was still queued when a
                // new one opened) and must not close this one.
                let current = !matches!(
                    self.client.state(),
                    ConnectionState::Connecting | ConnectionState::Connected
                );
                if matches!(event, Event::Disconnected { .. }) && current {
                    self.flush()?;
                    self.close_transport();
                }
                return Ok(Some(event));
            }
            if self.closed {
                return Ok(None);
            }
            let now_std = std::time::Instant::now();
            if now_std >= until {
                return Ok(None);
            }
            let now = self.now();
            let mut timeout = until - now_std;
            if let Some(deadline) = self.client.poll_timeout() {
                if deadline <= now {
                    self.client.handle_timeout(now);
                    continue;
                }
                timeout = timeout.min(deadline - now);
            }
            let timeout = timeout.max(Duration::from_millis(1));
            // A shorter timeout than needed only means one more turn of the loop; a longer one
            // would miss the deadline. Keep the one set while it is between half and all of
            // what is needed.
            if self
                .read_timeout
                .is_none_or(|set| set > timeout || set < timeout / 2)
            {
                self.stream.set_read_timeout(Some(timeout))?;
                self.read_timeout = Some(timeout);
            }
            match self.stream.read(&mut self.buffer) {
                Ok(0) => self.close_transport(),
                Ok(read) => {
                    let now = self.now();
                    let bytes = mqtt_session::Bytes::copy_from_slice(&self.buffer[..read]);
                    self.client.handle_bytes_received(now, bytes);
                }
                Err(error)
                    if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) if is_disconnection(&error) => self.close_transport(),
                Err(error) => return Err(error),
            }
        }
    }

    /// Closes the transport (if it is not closed already) and gives the engine back, with its
    /// session, for the next connection. Events still pending stay in the engine.
    pub fn into_client(mut self) -> Client {
        self.close_transport();
        self.client
    }

    /// Closes the TCP connection without DISCONNECT, as a network failure would.
    pub fn drop_transport(&mut self) {
        self.close_transport();
    }

    fn close_transport(&mut self) {
        if !self.closed {
            self.closed = true;
            let _ = self.stream.shutdown(Shutdown::Both);
            let now = self.now();
            self.client.handle_transport_closed(now);
        }
    }
}

fn is_disconnection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe
            | ErrorKind::UnexpectedEof
            | ErrorKind::NotConnected
    )
}
