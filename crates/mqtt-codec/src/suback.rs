//! SUBACK (MQTT 5.0 §3.9, 3.1.1 §3.9): one result per filter of a SUBSCRIBE, in order.

use bytes::BufMut;

use crate::error::{DecodeError, EncodeError};
use crate::packet::PacketType;
use crate::properties::AckProperties;
use crate::reason_code::SubscribeReasonCode;
use crate::wire::{FixedHeader, Reader};
use crate::{PacketId, ProtocolVersion};

/// The server's answer to a SUBSCRIBE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubAck {
    pub packet_id: PacketId,
    /// One per subscription of the SUBSCRIBE, in the same order.
    pub reason_codes: Vec<SubscribeReasonCode>,
    /// MQTT 5.0 only; must be empty for 3.1.1.
    pub properties: AckProperties,
}

impl SubAck {
    // Inlined into its function in `packet.rs`, so the packet is built where it is returned
    // instead of being copied there.
    #[inline(always)]
    pub(crate) fn decode(mut body: Reader, version: ProtocolVersion) -> Result<Self, DecodeError> {
        let packet_id = body.packet_id(PacketType::SubAck)?;
        let properties = match version {
            ProtocolVersion::V5 => AckProperties::decode(&mut body, PacketType::SubAck)?,
            ProtocolVersion::V311 => AckProperties::default(),
        };
        let mut reason_codes = Vec::with_capacity(body.remaining());
        while !body.is_empty() {
            let code = body.u8("Reason Code")?;
            let reason_code = SubscribeReasonCode::from_u8(code)
                .filter(|reason| version == ProtocolVersion::V5 || reason.is_in_v3())
                .ok_or(DecodeError::InvalidReasonCode {
                    packet: PacketType::SubAck,
                    code,
                })?;
            reason_codes.push(reason_code);
        }
        if reason_codes.is_empty() {
            return Err(DecodeError::EmptyAcknowledgement {
                packet: PacketType::SubAck,
            });
        }
        Ok(SubAck {
            packet_id,
            reason_codes,
            properties,
        })
    }

    pub(crate) fn check(&self, version: ProtocolVersion) -> Result<(), EncodeError> {
        if self.reason_codes.is_empty() {
            return Err(EncodeError::EmptyAcknowledgement);
        }
        if version == ProtocolVersion::V311
            && (!self.properties.is_empty() || !self.reason_codes.iter().all(|c| c.is_in_v3()))
        {
            return Err(EncodeError::NotInVersion {
                what: "SUBACK properties or reason code",
                version,
            });
        }
        Ok(())
    }

    pub(crate) fn body_len(&self, version: ProtocolVersion) -> usize {
        let properties = match version {
            ProtocolVersion::V5 => self.properties.wire_len(),
            ProtocolVersion::V311 => 0,
        };
        2 + properties + self.reason_codes.len()
    }

    pub(crate) fn write(
        &self,
        header: FixedHeader,
        version: ProtocolVersion,
        buf: &mut impl BufMut,
    ) {
        header.write_with_u16(self.packet_id.get(), buf);
        if version == ProtocolVersion::V5 {
            self.properties.write(buf);
        }
        for reason_code in &self.reason_codes {
            buf.put_u8(reason_code.to_u8());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Packet;
    use crate::ack::testing::{decode, encode};
    use ProtocolVersion::{V5, V311};

    fn suback(reason_codes: Vec<SubscribeReasonCode>) -> SubAck {
        SubAck {
            packet_id: PacketId::new(10).unwrap(),
            reason_codes,
            properties: AckProperties::default(),
        }
    }

    // 3.1.1 Figure 3.26 (non-normative example): granted QoS 0, QoS 2, Failure.
    #[test]
    fn encodes_and_decodes_the_3_1_1_specification_example() {
        use SubscribeReasonCode::*;
        let packet = suback(vec![GrantedQoS0, GrantedQoS2, UnspecifiedError]);
        let bytes = [0x90, 0x05, 0x00, 0x0A, 0x00, 0x02, 0x80];
        assert_eq!(encode(packet.clone(), V311).unwrap(), bytes);
        assert_eq!(decode(&bytes, V311), Ok(Packet::SubAck(packet)));
    }

    #[test]
    fn encodes_and_decodes_a_5_0_suback_with_a_refusal() {
        let packet = suback(vec![SubscribeReasonCode::NotAuthorized]);
        let bytes = [0x90, 0x04, 0x00, 0x0A, 0x00, 0x87];
        assert_eq!(encode(packet.clone(), V5).unwrap(), bytes);
        assert_eq!(decode(&bytes, V5), Ok(Packet::SubAck(packet)));
    }

    #[test]
    fn rejects_a_5_0_reason_code_on_a_3_1_1_connection() {
        assert_eq!(
            decode(&[0x90, 0x03, 0x00, 0x0A, 0x87], V311),
            Err(DecodeError::InvalidReasonCode {
                packet: PacketType::SubAck,
                code: 0x87
            })
        );
        assert_eq!(
            decode(&[0x90, 0x03, 0x00, 0x0A, 0x03], V311),
            Err(DecodeError::InvalidReasonCode {
                packet: PacketType::SubAck,
                code: 0x03
            })
        );
    }

    #[test]
    fn rejects_a_suback_without_reason_codes() {
        assert_eq!(
            decode(&[0x90, 0x02, 0x00, 0x0A], V311),
            Err(DecodeError::EmptyAcknowledgement {
                packet: PacketType::SubAck
            })
        );
    }
}
