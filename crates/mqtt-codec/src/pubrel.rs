//! PUBREL (MQTT 5.0 §3.6, 3.1.1 §3.6): the answer to PUBREC. Its fixed header flags are
//! 0b0010 ([MQTT-3.6.1-1]).

use crate::ack::ack_packet;

ack_packet!(
    /// Releases a QoS 2 message (step 2 of 3).
    PubRel,
    PubRel,
    PubCompReasonCode
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProtocolVersion::{V5, V311};
    use crate::ack::testing::{decode, encode};
    use crate::{DecodeError, Packet, PacketId, PacketType, PubCompReasonCode};

    // [MQTT-3.6.1-1]
    #[test]
    fn encodes_pubrel_with_flags_0010() {
        let pubrel = PubRel::new(PacketId::new(7).unwrap());
        assert_eq!(
            encode(pubrel.clone(), V311).unwrap(),
            [0x62, 0x02, 0x00, 0x07]
        );
        assert_eq!(
            decode(&[0x62, 0x02, 0x00, 0x07], V311),
            Ok(Packet::PubRel(pubrel))
        );
    }

    // [MQTT-3.6.1-1]
    #[test]
    fn rejects_a_pubrel_without_flags_0010() {
        assert_eq!(
            decode(&[0x60, 0x02, 0x00, 0x07], V311),
            Err(DecodeError::InvalidFlags {
                packet: PacketType::PubRel,
                flags: 0
            })
        );
    }

    #[test]
    fn decodes_packet_identifier_not_found() {
        let pubrel = PubRel {
            reason_code: PubCompReasonCode::PacketIdentifierNotFound,
            ..PubRel::new(PacketId::new(7).unwrap())
        };
        assert_eq!(
            decode(&[0x62, 0x03, 0x00, 0x07, 0x92], V5),
            Ok(Packet::PubRel(pubrel))
        );
    }
}
