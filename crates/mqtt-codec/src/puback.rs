//! PUBACK (MQTT 5.0 §3.4, 3.1.1 §3.4): the answer to a QoS 1 PUBLISH.

use crate::ack::ack_packet;

ack_packet!(
    /// Acknowledges a QoS 1 PUBLISH.
    PubAck,
    PubAck,
    PubAckReasonCode
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProtocolVersion::{V5, V311};
    use crate::ack::testing::{decode, encode};
    use crate::{DecodeError, EncodeError, Packet, PacketId, PacketType, PubAckReasonCode};

    fn pid(id: u16) -> PacketId {
        PacketId::new(id).unwrap()
    }

    #[test]
    fn encodes_and_decodes_a_puback_as_its_packet_id_alone() {
        let bytes = [0x40, 0x02, 0x12, 0x34];
        assert_eq!(encode(PubAck::new(pid(0x1234)), V311).unwrap(), bytes);
        assert_eq!(encode(PubAck::new(pid(0x1234)), V5).unwrap(), bytes);
        assert_eq!(
            decode(&bytes, V311),
            Ok(Packet::PubAck(PubAck::new(pid(0x1234))))
        );
        assert_eq!(
            decode(&bytes, V5),
            Ok(Packet::PubAck(PubAck::new(pid(0x1234))))
        );
    }

    #[test]
    fn encodes_and_decodes_a_5_0_reason_code_without_properties() {
        let puback = PubAck {
            reason_code: PubAckReasonCode::NoMatchingSubscribers,
            ..PubAck::new(pid(1))
        };
        let bytes = [0x40, 0x03, 0x00, 0x01, 0x10];
        assert_eq!(encode(puback.clone(), V5).unwrap(), bytes);
        assert_eq!(decode(&bytes, V5), Ok(Packet::PubAck(puback)));
        // Reason code and an empty property section.
        assert_eq!(
            decode(&[0x40, 0x04, 0x00, 0x01, 0x00, 0x00], V5),
            Ok(Packet::PubAck(PubAck::new(pid(1))))
        );
    }

    // [MQTT-2.2.1-3]
    #[test]
    fn rejects_a_puback_for_packet_id_0() {
        assert_eq!(
            decode(&[0x40, 0x02, 0x00, 0x00], V311),
            Err(DecodeError::ZeroPacketId {
                packet: PacketType::PubAck
            })
        );
    }

    #[test]
    fn rejects_a_3_1_1_puback_longer_than_its_packet_id() {
        assert_eq!(
            decode(&[0x40, 0x03, 0x00, 0x01, 0x00], V311),
            Err(DecodeError::TrailingBytes {
                packet: PacketType::PubAck,
                count: 1
            })
        );
    }

    #[test]
    fn rejects_a_reason_code_puback_does_not_define() {
        assert_eq!(
            decode(&[0x40, 0x03, 0x00, 0x01, 0x92], V5),
            Err(DecodeError::InvalidReasonCode {
                packet: PacketType::PubAck,
                code: 0x92
            })
        );
    }

    #[test]
    fn refuses_to_encode_a_failure_reason_for_3_1_1() {
        let puback = PubAck {
            reason_code: PubAckReasonCode::QuotaExceeded,
            ..PubAck::new(pid(1))
        };
        assert!(matches!(
            encode(puback, V311),
            Err(EncodeError::NotInVersion { .. })
        ));
    }
}
