//! Decode -> encode -> decode: whatever decodes encodes (to exactly `encoded_len` bytes) and
//! decodes again to the same packet, and encoding that is stable.
//!
//! One refusal is expected: a 3.1.1 CONNECT with an empty Client Identifier and Clean Session
//! 0 is well-formed, so it decodes (the server must answer it with CONNACK 0x02, 3.1.1
//! [MQTT-3.1.3-8]), but a client must not send it (3.1.1 [MQTT-3.1.3-7]), so it does not
//! encode.
//!
//! The first input byte picks the version (bit 0: 0 for 3.1.1, 1 for 5.0); the rest is one
//! packet, or the start of one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mqtt_codec::{Bytes, EncodeError, MAX_PACKET_SIZE, Packet, ProtocolVersion};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, wire)) = data.split_first() else {
        return;
    };
    let version = if mode & 1 == 0 {
        ProtocolVersion::V311
    } else {
        ProtocolVersion::V5
    };
    let Ok(Some((packet, _))) =
        Packet::decode(&Bytes::copy_from_slice(wire), version, MAX_PACKET_SIZE)
    else {
        return;
    };
    let mut encoded = Vec::new();
    let written = match packet.encode(version, MAX_PACKET_SIZE, &mut encoded) {
        Ok(written) => written,
        Err(EncodeError::EmptyClientIdWithoutCleanSession) => return,
        Err(error) => panic!("a decoded {packet:?} does not encode: {error}"),
    };
    assert_eq!(written, encoded.len());
    assert_eq!(packet.encoded_len(version), encoded.len());
    let again = Packet::decode(&Bytes::from(encoded.clone()), version, MAX_PACKET_SIZE);
    assert_eq!(again, Ok(Some((packet.clone(), encoded.len()))));
    let mut encoded_again = Vec::new();
    packet
        .encode(version, MAX_PACKET_SIZE, &mut encoded_again)
        .unwrap();
    assert_eq!(encoded, encoded_again);
});
