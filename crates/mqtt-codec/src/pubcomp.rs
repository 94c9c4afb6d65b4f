//! PUBCOMP (MQTT 5.0 §3.7, 3.1.1 §3.7): the answer to PUBREL, ending a QoS 2 exchange.

use crate::ack::ack_packet;

ack_packet!(
    /// Completes a QoS 2 exchange (step 3 of 3).
    PubComp,
    PubComp,
    PubCompReasonCode
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProtocolVersion::{V5, V311};
    use crate::ack::testing::{decode, encode};
    use crate::{Packet, PacketId, PubCompReasonCode};

    #[test]
    fn encodes_and_decodes_a_pubcomp() {
        let pubcomp = PubComp::new(PacketId::new(0x0102).unwrap());
        assert_eq!(
            encode(pubcomp.clone(), V311).unwrap(),
            [0x70, 0x02, 0x01, 0x02]
        );
        assert_eq!(
            decode(&[0x70, 0x02, 0x01, 0x02], V311),
            Ok(Packet::PubComp(pubcomp))
        );
    }

    #[test]
    fn encodes_a_5_0_pubcomp_with_a_reason_string() {
        let mut pubcomp = PubComp {
            reason_code: PubCompReasonCode::PacketIdentifierNotFound,
            ..PubComp::new(PacketId::new(1).unwrap())
        };
        pubcomp.properties.reason_string = Some(crate::MqttString::from_static("gone"));
        let bytes = [
            0x70, 0x0B, 0x00, 0x01, 0x92, 0x07, 0x1F, 0x00, 0x04, b'g', b'o', b'n', b'e',
        ];
        assert_eq!(encode(pubcomp.clone(), V5).unwrap(), bytes);
        assert_eq!(decode(&bytes, V5), Ok(Packet::PubComp(pubcomp)));
    }
}
