//! Events the engine still holds from an earlier transport must not end the next one.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use mqtt_session::{Client, ClientConfig, Event};
use mqtt_tcp::Connection;

#[test]
fn a_disconnect_left_from_an_earlier_transport_does_not_close_the_next_one() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let address = listener.local_addr().expect("its address");
    // A broker of the simplest kind: the first connection it forgets, the second it accepts.
    let broker = thread::spawn(move || {
        let (first, _) = listener.accept().expect("the first connection");
        let (mut second, _) = listener.accept().expect("the second connection");
        drop(first);
        let mut connect = [0u8; 64];
        let _ = second.read(&mut connect);
        // CONNACK: session not present, accepted.
        second
            .write_all(&[0x20, 0x02, 0x00, 0x00])
            .expect("CONNACK written");
        thread::sleep(Duration::from_millis(500));
    });

    let client = Client::new(ClientConfig::new("stale-events")).expect("a valid configuration");
    let mut first = Connection::open(address, client).expect("connected");
    // The first transport fails; its `Disconnected` stays queued in the engine.
    first.drop_transport();
    let start = first.now();
    let client = first.into_client();
    let mut second = Connection::open_at(address, client, start).expect("connected again");

    let mut events = Vec::new();
    while let Ok(Some(event)) = second.next_event(Duration::from_secs(5)) {
        let connected = matches!(event, Event::Connected { .. });
        events.push(event);
        if connected {
            break;
        }
    }
    assert!(
        matches!(events.first(), Some(Event::Disconnected { .. })),
        "the earlier transport's end is still reported: {events:?}"
    );
    assert!(
        matches!(events.last(), Some(Event::Connected { .. })),
        "the new transport must carry on to CONNACK: {events:?}"
    );
    assert!(
        !second.is_closed(),
        "the stale event closed the new transport"
    );
    broker.join().expect("the broker thread");
}
