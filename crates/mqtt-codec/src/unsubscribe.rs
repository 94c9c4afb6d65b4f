//! UNSUBSCRIBE (MQTT 5.0 §3.10, 3.1.1 §3.10): the client drops subscriptions. Its fixed header
//! flags are 0b0010 ([MQTT-3.10.1-1]).

use bytes::BufMut;

use crate::error::{DecodeError, EncodeError};
use crate::packet::PacketType;
use crate::properties::{UserProperty, properties};
use crate::topic::{TopicFilter, validate_decoded_topic_filter};
use crate::wire::{self, FixedHeader, Reader};
use crate::{PacketId, ProtocolVersion};

properties! {
    /// Properties of an UNSUBSCRIBE (MQTT 5.0 §3.10.2.1).
    pub struct UnsubscribeProperties {
        pub user_properties: Vec<UserProperty> = UserProperty,
    }
}

/// A request to remove the subscriptions of one or more filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe {
    pub packet_id: PacketId,
    /// At least one ([MQTT-3.10.3-2]).
    pub filters: Vec<TopicFilter>,
    /// MQTT 5.0 only; must be empty for 3.1.1.
    pub properties: UnsubscribeProperties,
}

impl Unsubscribe {
    // Inlined into its function in `packet.rs`, so the packet is built where it is returned
    // instead of being copied there.
    #[inline(always)]
    pub(crate) fn decode(mut body: Reader, version: ProtocolVersion) -> Result<Self, DecodeError> {
        let packet_id = body.packet_id(PacketType::Unsubscribe)?;
        let properties = match version {
            ProtocolVersion::V5 => {
                UnsubscribeProperties::decode(&mut body, PacketType::Unsubscribe)?
            }
            ProtocolVersion::V311 => UnsubscribeProperties::default(),
        };
        let mut filters = Vec::new();
        while !body.is_empty() {
            // "The Topic Filters in an UNSUBSCRIBE packet MUST be UTF-8 Encoded Strings"
            // [MQTT-3.10.3-1].
            let (filter, wildcard) = body.topic("Topic Filter")?;
            validate_decoded_topic_filter(&filter, wildcard, version)
                .map_err(DecodeError::InvalidTopicFilter)?;
            filters.push(TopicFilter::from_checked(filter));
        }
        // "The Payload of an UNSUBSCRIBE packet MUST contain at least one Topic Filter"
        // [MQTT-3.10.3-2].
        if filters.is_empty() {
            return Err(DecodeError::EmptyUnsubscribe);
        }
        Ok(Unsubscribe {
            packet_id,
            filters,
            properties,
        })
    }

    pub(crate) fn check(&self, version: ProtocolVersion) -> Result<(), EncodeError> {
        if self.filters.is_empty() {
            return Err(EncodeError::EmptyUnsubscribe);
        }
        if version == ProtocolVersion::V5 {
            for filter in &self.filters {
                filter
                    .check_shared()
                    .map_err(EncodeError::InvalidTopicFilter)?;
            }
        }
        if version == ProtocolVersion::V311 && !self.properties.is_empty() {
            return Err(EncodeError::NotInVersion {
                what: "UNSUBSCRIBE properties",
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
        2 + properties
            + self
                .filters
                .iter()
                .map(|f| wire::prefixed_len(f.len()))
                .sum::<usize>()
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
        for filter in &self.filters {
            wire::write_string(buf, filter.as_mqtt_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ack::testing::{decode, encode};
    use crate::{Packet, TopicError};
    use ProtocolVersion::{V5, V311};

    fn unsubscribe(filters: &[&'static str]) -> Unsubscribe {
        Unsubscribe {
            packet_id: PacketId::new(3).unwrap(),
            filters: filters
                .iter()
                .map(|f| TopicFilter::from_static(f))
                .collect(),
            properties: UnsubscribeProperties::default(),
        }
    }

    #[test]
    fn encodes_and_decodes_an_unsubscribe_in_both_versions() {
        let packet = unsubscribe(&["a/b", "c/#"]);
        let v3 = [
            0xA2, 0x0C, 0x00, 0x03, 0x00, 0x03, b'a', b'/', b'b', 0x00, 0x03, b'c', b'/', b'#',
        ];
        assert_eq!(encode(packet.clone(), V311).unwrap(), v3);
        assert_eq!(decode(&v3, V311), Ok(Packet::Unsubscribe(packet.clone())));
        let v5 = [
            0xA2, 0x0D, 0x00, 0x03, 0x00, 0x00, 0x03, b'a', b'/', b'b', 0x00, 0x03, b'c', b'/',
            b'#',
        ];
        assert_eq!(encode(packet.clone(), V5).unwrap(), v5);
        assert_eq!(decode(&v5, V5), Ok(Packet::Unsubscribe(packet)));
    }

    // [MQTT-3.10.3-2]
    #[test]
    fn rejects_an_unsubscribe_without_filters() {
        assert_eq!(
            decode(&[0xA2, 0x02, 0x00, 0x03], V311),
            Err(DecodeError::EmptyUnsubscribe)
        );
        assert_eq!(
            encode(unsubscribe(&[]), V311),
            Err(EncodeError::EmptyUnsubscribe)
        );
    }

    // [MQTT-3.10.1-1]
    #[test]
    fn rejects_an_unsubscribe_without_flags_0010() {
        assert_eq!(
            decode(&[0xA0, 0x05, 0x00, 0x03, 0x00, 0x01, b'a'], V311),
            Err(DecodeError::InvalidFlags {
                packet: PacketType::Unsubscribe,
                flags: 0
            })
        );
    }

    // [MQTT-4.7.1-2]
    #[test]
    fn rejects_a_malformed_topic_filter() {
        assert_eq!(
            decode(&[0xA2, 0x06, 0x00, 0x03, 0x00, 0x02, b'a', b'+'], V311),
            Err(DecodeError::InvalidTopicFilter(
                TopicError::MisplacedSingleLevelWildcard
            ))
        );
    }
}
