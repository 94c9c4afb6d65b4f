//! Raw decode: any bytes yield packets, "need more bytes" or an error, never a panic.
//!
//! The first input byte picks the connection: bit 0 the version (0: 3.1.1, 1: 5.0), bit 1 a
//! small maximum packet size (64 bytes) instead of none. The rest is the stream, decoded
//! packet after packet as a connection would.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mqtt_codec::{Bytes, MAX_PACKET_SIZE, Packet, ProtocolVersion, packet_len};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, stream)) = data.split_first() else {
        return;
    };
    let version = if mode & 1 == 0 {
        ProtocolVersion::V311
    } else {
        ProtocolVersion::V5
    };
    let max = if mode & 2 == 0 { MAX_PACKET_SIZE } else { 64 };
    let mut input = Bytes::copy_from_slice(stream);
    loop {
        match Packet::decode(&input, version, max) {
            Ok(Some((_, used))) => {
                assert!(used > 0 && used <= input.len());
                // Framing agrees with decoding (3.1.1 and 5.0 frame alike).
                assert_eq!(packet_len(&input, max), Ok(Some(used)));
                input = input.slice(used..);
            }
            Ok(None) | Err(_) => return,
        }
    }
});
