//! UNSUBACK (MQTT 5.0 §3.11, 3.1.1 §3.11): the answer to UNSUBSCRIBE. In 3.1.1 it is the
//! Packet Identifier alone; in 5.0 it carries one reason code per filter.

use bytes::BufMut;

use crate::error::{DecodeError, EncodeError};
use crate::packet::PacketType;
use crate::properties::AckProperties;
use crate::reason_code::UnsubscribeReasonCode;
use crate::wire::{FixedHeader, Reader};
use crate::{PacketId, ProtocolVersion};

/// The server's answer to an UNSUBSCRIBE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubAck {
    pub packet_id: PacketId,
    /// 5.0: one per filter of the UNSUBSCRIBE, in order. 3.1.1: always empty.
    pub reason_codes: Vec<UnsubscribeReasonCode>,
    /// MQTT 5.0 only; must be empty for 3.1.1.
    pub properties: AckProperties,
}

impl UnsubAck {
    pub(crate) fn decode(mut body: Reader, version: ProtocolVersion) -> Result<Self, DecodeError> {
        let packet_id = body.packet_id(PacketType::UnsubAck)?;
        if version == ProtocolVersion::V311 {
            body.finish(PacketType::UnsubAck)?;
            return Ok(UnsubAck {
                packet_id,
                reason_codes: Vec::new(),
                properties: AckProperties::default(),
            });
        }
        let properties = AckProperties::decode(&mut body, PacketType::UnsubAck)?;
        let mut reason_codes = Vec::with_capacity(body.remaining());
        while !body.is_empty() {
            let code = body.u8("Reason Code")?;
            let reason_code =
                UnsubscribeReasonCode::from_u8(code).ok_or(DecodeError::InvalidReasonCode {
                    packet: PacketType::UnsubAck,
                    code,
                })?;
            reason_codes.push(reason_code);
        }
        if reason_codes.is_empty() {
            return Err(DecodeError::EmptyAcknowledgement {
                packet: PacketType::UnsubAck,
            });
        }
        Ok(UnsubAck {
            packet_id,
            reason_codes,
            properties,
        })
    }

    pub(crate) fn check(&self, version: ProtocolVersion) -> Result<(), EncodeError> {
        match version {
            ProtocolVersion::V311
                if !self.reason_codes.is_empty() || !self.properties.is_empty() =>
            {
                Err(EncodeError::NotInVersion {
                    what: "UNSUBACK reason codes and properties",
                    version,
                })
            }
            ProtocolVersion::V5 if self.reason_codes.is_empty() => {
                Err(EncodeError::EmptyAcknowledgement)
            }
            _ => Ok(()),
        }
    }

    pub(crate) fn body_len(&self, version: ProtocolVersion) -> usize {
        match version {
            ProtocolVersion::V311 => 2,
            ProtocolVersion::V5 => 2 + self.properties.wire_len() + self.reason_codes.len(),
        }
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
            for reason_code in &self.reason_codes {
                buf.put_u8(reason_code.to_u8());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Packet;
    use crate::ack::testing::{decode, encode};
    use ProtocolVersion::{V5, V311};

    fn unsuback(reason_codes: Vec<UnsubscribeReasonCode>) -> UnsubAck {
        UnsubAck {
            packet_id: PacketId::new(3).unwrap(),
            reason_codes,
            properties: AckProperties::default(),
        }
    }

    #[test]
    fn encodes_and_decodes_a_3_1_1_unsuback_as_its_packet_id_alone() {
        assert_eq!(
            encode(unsuback(vec![]), V311).unwrap(),
            [0xB0, 0x02, 0x00, 0x03]
        );
        assert_eq!(
            decode(&[0xB0, 0x02, 0x00, 0x03], V311),
            Ok(Packet::UnsubAck(unsuback(vec![])))
        );
    }

    #[test]
    fn encodes_and_decodes_a_5_0_unsuback_with_one_reason_per_filter() {
        use UnsubscribeReasonCode::*;
        let packet = unsuback(vec![Success, NoSubscriptionExisted]);
        let bytes = [0xB0, 0x05, 0x00, 0x03, 0x00, 0x00, 0x11];
        assert_eq!(encode(packet.clone(), V5).unwrap(), bytes);
        assert_eq!(decode(&bytes, V5), Ok(Packet::UnsubAck(packet)));
    }

    #[test]
    fn rejects_a_5_0_unsuback_without_reason_codes() {
        assert_eq!(
            decode(&[0xB0, 0x03, 0x00, 0x03, 0x00], V5),
            Err(DecodeError::EmptyAcknowledgement {
                packet: PacketType::UnsubAck
            })
        );
    }
}
