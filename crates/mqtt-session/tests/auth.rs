//! MQTT 5.0 enhanced authentication through a pluggable authenticator, against a scripted
//! broker. AUTH is written out byte by byte here: the codec does not know it yet.

use bytes::Bytes;
use mqtt_codec::{
    ConnAck, ConnAckProperties, ConnectReasonCode, DisconnectReasonCode, MAX_PACKET_SIZE, Packet,
    ProtocolVersion,
};
use mqtt_session::{
    AuthRejected, Authenticator, Client, ClientConfig, DisconnectReason, Event, Instant,
    ProtocolError,
};

/// Answers each challenge with the challenge reversed; refuses "bad".
#[derive(Debug)]
struct Reverse;

impl Authenticator for Reverse {
    fn method(&self) -> &str {
        "REVERSE"
    }
    fn start(&mut self) -> Option<Bytes> {
        Some(Bytes::from_static(b"hello"))
    }
    fn challenge(&mut self, data: Option<&[u8]>) -> Result<Option<Bytes>, AuthRejected> {
        let data = data.unwrap_or_default();
        if data == b"bad" {
            return Err(AuthRejected {
                reason: "bad challenge".into(),
            });
        }
        Ok(Some(data.iter().rev().copied().collect::<Vec<u8>>().into()))
    }
}

/// AUTH, Continue Authentication, method "REVERSE", with `data`.
fn auth_continue(data: &[u8]) -> Vec<u8> {
    let mut properties = vec![0x15, 0x00, 0x07];
    properties.extend_from_slice(b"REVERSE");
    properties.extend_from_slice(&[0x16, 0x00, data.len() as u8]);
    properties.extend_from_slice(data);
    let mut body = vec![0x18, properties.len() as u8];
    body.extend_from_slice(&properties);
    let mut packet = vec![0xF0, body.len() as u8];
    packet.extend_from_slice(&body);
    packet
}

fn encode(packet: Packet) -> Vec<u8> {
    let mut bytes = Vec::new();
    packet
        .encode(ProtocolVersion::V5, MAX_PACKET_SIZE, &mut bytes)
        .unwrap();
    bytes
}

fn client() -> Client {
    let mut client = Client::new(ClientConfig {
        protocol_version: ProtocolVersion::V5,
        ..ClientConfig::new("lamp")
    })
    .unwrap();
    client.set_authenticator(Box::new(Reverse));
    client
}

fn transmitted(client: &mut Client) -> Vec<u8> {
    std::iter::from_fn(|| client.poll_transmit())
        .flat_map(|bytes| bytes.to_vec())
        .collect()
}

#[test]
fn answers_the_server_challenges_with_the_authenticator_before_connack() {
    let now = Instant::from_millis(0);
    let mut client = client();
    client.handle_transport_opened(now);
    let connect = transmitted(&mut client);
    let Ok(Some((Packet::Connect(connect), _))) =
        Packet::decode(&Bytes::from(connect), ProtocolVersion::V5, MAX_PACKET_SIZE)
    else {
        panic!("expected CONNECT")
    };
    assert_eq!(
        connect.properties.authentication_method.as_deref(),
        Some("REVERSE")
    );
    assert_eq!(
        connect.properties.authentication_data.as_deref(),
        Some(&b"hello"[..])
    );

    client.handle_bytes_received(now, auth_continue(b"abc"));
    assert_eq!(transmitted(&mut client), auth_continue(b"cba"));
    assert_eq!(client.poll_event(), None);

    client.handle_bytes_received(
        now,
        encode(Packet::ConnAck(ConnAck {
            session_present: false,
            reason_code: ConnectReasonCode::Success,
            properties: ConnAckProperties {
                authentication_method: Some("REVERSE".try_into().unwrap()),
                ..ConnAckProperties::default()
            },
        })),
    );
    assert!(matches!(client.poll_event(), Some(Event::Connected { .. })));
}

#[test]
fn ends_the_connection_with_not_authorized_when_the_authenticator_refuses() {
    let now = Instant::from_millis(0);
    let mut client = client();
    client.handle_transport_opened(now);
    transmitted(&mut client);
    client.handle_bytes_received(now, auth_continue(b"bad"));
    assert_eq!(
        client.poll_event(),
        Some(Event::Disconnected {
            reason: DisconnectReason::ProtocolError(ProtocolError::AuthenticationRejected {
                reason: "bad challenge".into()
            })
        })
    );
    let sent = transmitted(&mut client);
    let Ok(Some((Packet::Disconnect(disconnect), _))) =
        Packet::decode(&Bytes::from(sent), ProtocolVersion::V5, MAX_PACKET_SIZE)
    else {
        panic!("expected DISCONNECT")
    };
    assert_eq!(disconnect.reason_code, DisconnectReasonCode::NotAuthorized);
}

#[test]
fn treats_auth_from_a_server_when_no_exchange_was_asked_for_as_a_protocol_error() {
    let now = Instant::from_millis(0);
    let mut client = Client::new(ClientConfig {
        protocol_version: ProtocolVersion::V5,
        ..ClientConfig::new("lamp")
    })
    .unwrap();
    client.handle_transport_opened(now);
    transmitted(&mut client);
    client.handle_bytes_received(now, auth_continue(b"abc"));
    assert!(matches!(
        client.poll_event(),
        Some(Event::Disconnected {
            reason: DisconnectReason::ProtocolError(ProtocolError::UnexpectedPacket { .. })
        })
    ));
}

#[test]
fn re_authenticates_on_a_live_connection_and_reports_the_server_success() {
    let now = Instant::from_millis(0);
    let mut client = client();
    client.handle_transport_opened(now);
    transmitted(&mut client);
    client.handle_bytes_received(
        now,
        encode(Packet::ConnAck(ConnAck {
            session_present: false,
            reason_code: ConnectReasonCode::Success,
            properties: ConnAckProperties::default(),
        })),
    );
    assert!(matches!(client.poll_event(), Some(Event::Connected { .. })));
    client.reauthenticate(now).unwrap();
    let sent = transmitted(&mut client);
    // AUTH, Re-authenticate (0x19), with the method and the first data.
    assert_eq!(sent[0], 0xF0);
    assert_eq!(sent[2], 0x19);
    assert!(sent.windows(5).any(|w| w == b"hello"));
    client.handle_bytes_received(now, auth_continue(b"xy"));
    assert_eq!(transmitted(&mut client), auth_continue(b"yx"));
    let mut success = vec![0xF0, 0x0C, 0x00, 0x0A, 0x15, 0x00, 0x07];
    success.extend_from_slice(b"REVERSE");
    client.handle_bytes_received(now, success);
    assert_eq!(client.poll_event(), Some(Event::Reauthenticated));
}
