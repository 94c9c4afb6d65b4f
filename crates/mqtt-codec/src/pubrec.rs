//! PUBREC (MQTT 5.0 §3.5, 3.1.1 §3.5): the first answer to a QoS 2 PUBLISH.

use crate::ack::ack_packet;

ack_packet!(
    /// Acknowledges receipt of a QoS 2 PUBLISH (step 1 of 3).
    PubRec,
    PubRec,
    PubAckReasonCode
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProtocolVersion::{V5, V311};
    use crate::ack::testing::{decode, encode};
    use crate::{DecodeError, Packet, PacketId, PacketType};

    #[test]
    fn encodes_and_decodes_a_pubrec() {
        let pubrec = PubRec::new(PacketId::new(7).unwrap());
        assert_eq!(
            encode(pubrec.clone(), V311).unwrap(),
            [0x50, 0x02, 0x00, 0x07]
        );
        assert_eq!(
            decode(&[0x50, 0x02, 0x00, 0x07], V5),
            Ok(Packet::PubRec(pubrec))
        );
    }

    // [MQTT-2.1.3-1]
    #[test]
    fn rejects_a_pubrec_with_flags_set() {
        assert_eq!(
            decode(&[0x52, 0x02, 0x00, 0x07], V311),
            Err(DecodeError::InvalidFlags {
                packet: PacketType::PubRec,
                flags: 0b0010
            })
        );
    }
}
