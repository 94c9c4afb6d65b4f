//! Raw decode: any bytes yield packets, "need more bytes" or an error, never a panic; and a
//! client's decoder (`decode_from_server`) agrees with it, but for refusing what only clients
//! send.
//!
//! The first input byte picks the connection: bit 0 the version (0: 3.1.1, 1: 5.0), bit 1 a
//! small maximum packet size (64 bytes) instead of none. The rest is the stream, decoded
//! packet after packet as a connection would.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mqtt_codec::{
    Bytes, DecodeError, MAX_PACKET_SIZE, Packet, PacketType, ProtocolVersion, packet_len,
};

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
        let decoded = Packet::decode(&input, version, max);
        let from_server = Packet::decode_from_server(&input, version, max);
        let refused = |packet: PacketType| {
            matches!(
                packet,
                PacketType::Connect
                    | PacketType::Subscribe
                    | PacketType::Unsubscribe
                    | PacketType::PingReq
            ) && from_server == Err(DecodeError::NotSentByServer { packet })
        };
        match &decoded {
            Ok(Some((packet, _))) => {
                assert!(from_server == decoded || refused(packet.packet_type()));
            }
            Ok(None) => assert_eq!(from_server, decoded),
            Err(_) => assert!(
                from_server == decoded
                    || matches!(from_server, Err(DecodeError::NotSentByServer { packet }) if refused(packet))
            ),
        }
        match decoded {
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
