//! PUBLISH (MQTT 5.0 §3.3, 3.1.1 §3.3): an application message, in either direction.

use core::num::NonZeroU16;

use bytes::{BufMut, Bytes};

use crate::error::{DecodeError, EncodeError};
use crate::packet::PacketType;
use crate::properties::{PayloadFormat, SubscriptionId, UserProperty, properties};
use crate::string::MqttString;
use crate::topic::{TopicName, validate_decoded_topic_name, validate_string_topic_name};
use crate::wire::{self, FixedHeader, Reader};
use crate::{ProtocolVersion, QoS, QosPid};

properties! {
    /// Properties of a PUBLISH (MQTT 5.0 §3.3.2.3).
    pub struct PublishProperties {
        pub payload_format: Option<PayloadFormat> = PayloadFormatIndicator,
        /// Seconds the message stays deliverable.
        pub message_expiry_interval: Option<u32> = MessageExpiryInterval,
        /// Stands for the topic name, which may then be empty.
        pub topic_alias: Option<NonZeroU16> = TopicAlias,
        pub response_topic: Option<MqttString> = ResponseTopic,
        pub correlation_data: Option<Bytes> = CorrelationData,
        pub user_properties: Vec<UserProperty> = UserProperty,
        /// From server to client, the identifiers of every subscription that matched.
        pub subscription_identifiers: Vec<SubscriptionId> = SubscriptionIdentifier,
        pub content_type: Option<MqttString> = ContentType,
    }
}

/// An application message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publish {
    /// Set on a re-delivery of a QoS 1 or 2 message; never at QoS 0 ([MQTT-3.3.1-2]).
    pub dup: bool,
    /// The QoS and, above 0, the Packet Identifier.
    pub qos: QosPid,
    pub retain: bool,
    pub topic: TopicName,
    /// A slice of the buffer the packet was decoded from.
    pub payload: Bytes,
    /// MQTT 5.0 only; must be empty for 3.1.1.
    pub properties: PublishProperties,
}

mod flag {
    pub const DUP: u8 = 0b1000;
    pub const QOS_SHIFT: u8 = 1;
    pub const RETAIN: u8 = 0b0001;
}

impl Publish {
    /// A QoS 0 message without properties.
    pub fn at_most_once(topic: TopicName, payload: impl Into<Bytes>) -> Self {
        Publish {
            dup: false,
            qos: QosPid::AtMostOnce,
            retain: false,
            topic,
            payload: payload.into(),
            properties: PublishProperties::default(),
        }
    }

    #[inline]
    pub(crate) fn flags(&self) -> u8 {
        let mut flags = self.qos.qos().bits() << flag::QOS_SHIFT;
        if self.dup {
            flags |= flag::DUP;
        }
        if self.retain {
            flags |= flag::RETAIN;
        }
        flags
    }

    // Inlined into its function in `packet.rs`, so the packet is built where it is returned
    // instead of being copied there.
    #[inline(always)]
    pub(crate) fn decode(
        mut body: Reader,
        flags: u8,
        version: ProtocolVersion,
    ) -> Result<Self, DecodeError> {
        // "A PUBLISH Packet MUST NOT have both QoS bits set to 1 [...] If a Server or Client
        // receives a PUBLISH packet which has both QoS bits set to 1 it is a Malformed Packet"
        // [MQTT-3.3.1-4].
        let qos =
            QoS::from_bits((flags >> flag::QOS_SHIFT) & 0b11).ok_or(DecodeError::InvalidQoS {
                packet: PacketType::Publish,
            })?;
        let dup = flags & flag::DUP != 0;
        // "The DUP flag MUST be set to 0 for all QoS 0 messages" [MQTT-3.3.1-2].
        if dup && qos == QoS::AtMostOnce {
            return Err(DecodeError::DuplicateAtQoS0);
        }
        // "The Topic Name MUST be present as the first field in the PUBLISH packet Variable
        // Header. It MUST be a UTF-8 Encoded String" [MQTT-3.3.2-1].
        let (topic, wildcard) = body.topic("Topic Name")?;
        let qos = match qos {
            QoS::AtMostOnce => QosPid::AtMostOnce,
            QoS::AtLeastOnce => QosPid::AtLeastOnce(body.packet_id(PacketType::Publish)?),
            QoS::ExactlyOnce => QosPid::ExactlyOnce(body.packet_id(PacketType::Publish)?),
        };
        let mut properties = PublishProperties::default();
        if version == ProtocolVersion::V5 {
            properties.decode_into(&mut body, PacketType::Publish)?;
        }
        // "The Topic Name in the PUBLISH packet MUST NOT contain wildcard characters"
        // [MQTT-3.3.2-2]. In 5.0 it may be empty when a Topic Alias stands for it (§3.3.2.3.4).
        let aliased = topic.is_empty() && properties.topic_alias.is_some();
        if !aliased {
            validate_decoded_topic_name(&topic, wildcard).map_err(DecodeError::InvalidTopicName)?;
        }
        // "The Response Topic MUST NOT contain wildcard characters" [MQTT-3.3.2-14]: it is the
        // Topic Name of the response.
        if let Some(response_topic) = &properties.response_topic {
            validate_string_topic_name(response_topic)
                .map_err(DecodeError::InvalidResponseTopic)?;
        }
        Ok(Publish {
            dup,
            qos,
            retain: flags & flag::RETAIN != 0,
            topic: TopicName::from_checked(topic),
            payload: body.rest(),
            properties,
        })
    }

    /// Refuses what the packet cannot say in `version`, or says wrongly; otherwise returns its
    /// Remaining Length, walking the properties once for both.
    ///
    /// The tests here only tell whether the packet passes, with a single way out for one that
    /// does not (or has properties on 3.1.1): [`Publish::checked_len_in_turn`], which makes
    /// every check in turn and names the rule broken. On wasm32, built for size, that is the
    /// only way.
    #[inline(always)]
    pub(crate) fn checked_len(&self, version: ProtocolVersion) -> Result<usize, EncodeError> {
        if cfg!(target_arch = "wasm32") {
            return self.checked_len_in_turn(version);
        }
        let has_packet_id = self.qos.packet_id().is_some();
        let mut len = wire::prefixed_len(self.topic.len()) + self.payload.len();
        if has_packet_id {
            len += 2;
        }
        // DUP only above QoS 0, and a topic or a Topic Alias to stand for it.
        let mut passes = (!self.dup | has_packet_id)
            & (!self.topic.is_empty() | self.properties.topic_alias.is_some());
        // Every property present takes at least two bytes: a length of 0 means there is none.
        // A 3.1.1 PUBLISH, which has none, is told so without summing their lengths.
        let properties = match version {
            ProtocolVersion::V311 => {
                passes &= self.properties.is_empty();
                0
            }
            ProtocolVersion::V5 => self.properties.content_len(),
        };
        if properties != 0 {
            if let Some(response_topic) = &self.properties.response_topic {
                passes &= validate_string_topic_name(response_topic).is_ok();
            }
            passes &= self.properties.longest_binary() <= usize::from(u16::MAX);
        }
        if !passes {
            return self.checked_len_in_turn(version);
        }
        if version == ProtocolVersion::V5 {
            len += wire::var_int_len(properties) + properties;
        }
        Ok(len)
    }

    /// [`Publish::checked_len`] for a PUBLISH that may break a rule: every check, in turn.
    #[cfg_attr(not(target_arch = "wasm32"), cold, inline(never))]
    #[cfg_attr(target_arch = "wasm32", inline(always))]
    pub(crate) fn checked_len_in_turn(
        &self,
        version: ProtocolVersion,
    ) -> Result<usize, EncodeError> {
        if self.dup && self.qos == QosPid::AtMostOnce {
            return Err(EncodeError::DuplicateAtQoS0);
        }
        if self.topic.is_empty() && self.properties.topic_alias.is_none() {
            return Err(EncodeError::EmptyTopicWithoutAlias);
        }
        let mut len = wire::prefixed_len(self.topic.len()) + self.payload.len();
        if self.qos.packet_id().is_some() {
            len += 2;
        }
        // Every property present takes at least two bytes: a length of 0 means there is none.
        // A 3.1.1 PUBLISH, which has none, is told so without summing their lengths.
        let properties = match version {
            ProtocolVersion::V311 if self.properties.is_empty() => 0,
            _ => self.properties.content_len(),
        };
        if properties != 0 {
            if let Some(response_topic) = &self.properties.response_topic {
                validate_string_topic_name(response_topic)
                    .map_err(EncodeError::InvalidResponseTopic)?;
            }
            let len = self.properties.longest_binary();
            if len > usize::from(u16::MAX) {
                return Err(EncodeError::BinaryDataTooLong {
                    field: "Correlation Data",
                    len,
                });
            }
            if version == ProtocolVersion::V311 {
                return Err(EncodeError::NotInVersion {
                    what: "PUBLISH properties",
                    version,
                });
            }
        }
        if version == ProtocolVersion::V5 {
            len += wire::var_int_len(properties) + properties;
        }
        Ok(len)
    }

    #[inline]
    pub(crate) fn body_len(&self, version: ProtocolVersion) -> usize {
        let mut len = wire::prefixed_len(self.topic.len()) + self.payload.len();
        if self.qos.packet_id().is_some() {
            len += 2;
        }
        if version == ProtocolVersion::V5 {
            len += self.properties.wire_len();
        }
        len
    }

    /// Writes the packet. The header's Remaining Length was computed by [`Publish::body_len`]
    /// already: the length of the properties follows from it without walking them again.
    #[inline]
    pub(crate) fn write(
        &self,
        header: FixedHeader,
        version: ProtocolVersion,
        buf: &mut impl BufMut,
    ) {
        let topic = self.topic.as_bytes();
        // Every Topic Name is at most 65,535 bytes: its constructors check it.
        header.write_with_u16(topic.len() as u16, buf);
        buf.put_slice(topic);
        let packet_id = self.qos.packet_id();
        if let Some(id) = packet_id {
            buf.put_u16(id.get());
        }
        if version == ProtocolVersion::V5 {
            // What is left of the Remaining Length but the payload is the Property Length's
            // own size plus the properties'.
            let rest = header.remaining_len
                - wire::prefixed_len(topic.len())
                - if packet_id.is_some() { 2 } else { 0 }
                - self.payload.len();
            self.properties
                .write_with_len(wire::content_len_of(rest), buf);
        }
        buf.put_slice(&self.payload);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MAX_PACKET_SIZE, Packet, PacketId};
    use ProtocolVersion::{V5, V311};

    fn decode(bytes: &Bytes, version: ProtocolVersion) -> Result<Publish, DecodeError> {
        match Packet::decode(bytes, version, MAX_PACKET_SIZE)? {
            Some((Packet::Publish(publish), used)) if used == bytes.len() => Ok(publish),
            other => panic!("expected one whole PUBLISH, got {other:?}"),
        }
    }

    fn encode(publish: &Publish, version: ProtocolVersion) -> Result<Vec<u8>, EncodeError> {
        let mut buf = Vec::new();
        Packet::Publish(publish.clone()).encode(version, MAX_PACKET_SIZE, &mut buf)?;
        Ok(buf)
    }

    fn pid(id: u16) -> PacketId {
        PacketId::new(id).unwrap()
    }

    #[test]
    fn encodes_and_decodes_a_retained_qos_0_message() {
        let mut publish = Publish::at_most_once(TopicName::from_static("a/b"), &b"on"[..]);
        publish.retain = true;
        let bytes = [0x31, 0x07, 0x00, 0x03, b'a', b'/', b'b', b'o', b'n'];
        assert_eq!(encode(&publish, V311).unwrap(), bytes);
        assert_eq!(decode(&Bytes::copy_from_slice(&bytes), V311), Ok(publish));
    }

    #[test]
    fn encodes_and_decodes_qos_1_and_2_with_their_packet_id() {
        let mut publish = Publish::at_most_once(TopicName::from_static("t"), &b"x"[..]);
        publish.qos = QosPid::AtLeastOnce(pid(10));
        publish.dup = true;
        let bytes = [0x3A, 0x06, 0x00, 0x01, b't', 0x00, 0x0A, b'x'];
        assert_eq!(encode(&publish, V311).unwrap(), bytes);
        assert_eq!(
            decode(&Bytes::copy_from_slice(&bytes), V311),
            Ok(publish.clone())
        );
        publish.qos = QosPid::ExactlyOnce(pid(10));
        publish.dup = false;
        let bytes = [0x34, 0x07, 0x00, 0x01, b't', 0x00, 0x0A, 0x00, b'x'];
        assert_eq!(encode(&publish, V5).unwrap(), bytes);
        assert_eq!(decode(&Bytes::copy_from_slice(&bytes), V5), Ok(publish));
    }

    #[test]
    fn slices_topic_and_payload_from_the_input_without_copying() {
        let input =
            Bytes::copy_from_slice(&[0x30, 0x08, 0x00, 0x01, b't', b'h', b'e', b'l', b'l', b'o']);
        let publish = decode(&input, V311).unwrap();
        let range = input.as_ptr_range();
        assert!(range.contains(&publish.payload.as_ptr()));
        assert!(range.contains(&publish.topic.as_mqtt_string().as_bytes().as_ptr()));
        assert_eq!(publish.payload, &b"hello"[..]);
    }

    // [MQTT-3.3.1-4]
    #[test]
    fn rejects_publish_with_qos_3() {
        let input = Bytes::from_static(&[0x36, 0x05, 0x00, 0x01, b't', 0x00, 0x01]);
        assert_eq!(
            decode(&input, V311),
            Err(DecodeError::InvalidQoS {
                packet: PacketType::Publish
            })
        );
        assert!(
            decode(&input, V311)
                .unwrap_err()
                .to_string()
                .contains("[MQTT-3.3.1-4]")
        );
    }

    // [MQTT-3.3.1-2]
    #[test]
    fn rejects_dup_on_a_qos_0_publish() {
        let input = Bytes::from_static(&[0x38, 0x03, 0x00, 0x01, b't']);
        assert_eq!(decode(&input, V311), Err(DecodeError::DuplicateAtQoS0));
    }

    // [MQTT-2.2.1-3]
    #[test]
    fn rejects_packet_id_0_on_a_qos_1_publish() {
        let input = Bytes::from_static(&[0x32, 0x05, 0x00, 0x01, b't', 0x00, 0x00]);
        assert_eq!(
            decode(&input, V311),
            Err(DecodeError::ZeroPacketId {
                packet: PacketType::Publish
            })
        );
    }

    // [MQTT-3.3.2-2]
    #[test]
    fn rejects_wildcards_in_the_topic_name() {
        let input = Bytes::from_static(&[0x30, 0x03, 0x00, 0x01, b'#']);
        assert_eq!(
            decode(&input, V311),
            Err(DecodeError::InvalidTopicName(
                crate::TopicError::WildcardInTopicName
            ))
        );
    }

    // [MQTT-4.7.3-1]
    #[test]
    fn rejects_an_empty_topic_name_without_a_topic_alias() {
        assert_eq!(
            decode(&Bytes::from_static(&[0x30, 0x02, 0x00, 0x00]), V311),
            Err(DecodeError::InvalidTopicName(crate::TopicError::Empty))
        );
        assert_eq!(
            decode(&Bytes::from_static(&[0x30, 0x03, 0x00, 0x00, 0x00]), V5),
            Err(DecodeError::InvalidTopicName(crate::TopicError::Empty))
        );
    }

    #[test]
    fn accepts_an_empty_topic_name_with_a_topic_alias_in_5_0() {
        let input = Bytes::from_static(&[0x30, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, 0x07]);
        let publish = decode(&input, V5).unwrap();
        assert!(publish.topic.is_empty());
        assert_eq!(publish.properties.topic_alias, NonZeroU16::new(7));
    }

    #[test]
    fn rejects_a_topic_name_longer_than_the_remaining_length() {
        let input = Bytes::from_static(&[0x30, 0x03, 0x00, 0x05, b't']);
        assert_eq!(
            decode(&input, V311),
            Err(DecodeError::FieldOverrunsPacket {
                field: "Topic Name"
            })
        );
    }

    #[test]
    fn encodes_and_decodes_5_0_properties_including_repeated_subscription_identifiers() {
        let mut publish = Publish::at_most_once(TopicName::from_static("t"), &b""[..]);
        publish.properties.payload_format = Some(PayloadFormat::Utf8);
        publish.properties.subscription_identifiers = vec![
            SubscriptionId::new(1).unwrap(),
            SubscriptionId::new(200).unwrap(),
        ];
        let bytes = [
            0x30, 0x0B, 0x00, 0x01, b't', //
            0x07, 0x01, 0x01, 0x0B, 0x01, 0x0B, 0xC8, 0x01, // properties
        ];
        assert_eq!(encode(&publish, V5).unwrap(), bytes);
        assert_eq!(decode(&Bytes::copy_from_slice(&bytes), V5), Ok(publish));
    }

    // [MQTT-3.3.2-8]
    #[test]
    fn rejects_a_topic_alias_of_0() {
        let input = Bytes::from_static(&[0x30, 0x07, 0x00, 0x01, b't', 0x03, 0x23, 0x00, 0x00]);
        assert_eq!(
            decode(&input, V5),
            Err(DecodeError::InvalidPropertyValue {
                property: crate::PropertyId::TopicAlias
            })
        );
    }

    // [MQTT-3.3.2-14]
    #[test]
    fn rejects_a_response_topic_with_a_wildcard() {
        let input = Bytes::from_static(&[
            0x30, 0x09, 0x00, 0x01, b't', 0x05, 0x08, 0x00, 0x02, b'r', b'#',
        ]);
        let error = decode(&input, V5).unwrap_err();
        assert_eq!(
            error,
            DecodeError::InvalidResponseTopic(crate::TopicError::WildcardInTopicName)
        );
        assert_eq!(error.statement_in(V5), Some("MQTT-3.3.2-14"));
        let mut publish = Publish::at_most_once(TopicName::from_static("t"), &b""[..]);
        publish.properties.response_topic = Some(MqttString::from_static("r/+"));
        assert_eq!(
            encode(&publish, V5),
            Err(EncodeError::InvalidResponseTopic(
                crate::TopicError::WildcardInTopicName
            ))
        );
    }

    #[test]
    fn refuses_to_encode_a_publish_naming_the_first_rule_it_breaks_and_writes_nothing() {
        let refusal = |publish: &Publish, version| {
            let mut buf = Vec::new();
            let result =
                Packet::Publish(publish.clone()).encode(version, MAX_PACKET_SIZE, &mut buf);
            assert!(buf.is_empty());
            result.unwrap_err()
        };
        // DUP at QoS 0 and an empty topic without an alias: the DUP flag is named.
        let mut publish = Publish::at_most_once(TopicName::empty_for_alias(), &b"x"[..]);
        publish.dup = true;
        assert_eq!(refusal(&publish, V311), EncodeError::DuplicateAtQoS0);
        publish.dup = false;
        assert_eq!(refusal(&publish, V5), EncodeError::EmptyTopicWithoutAlias);
        // On 3.1.1, a Response Topic with a wildcard is named before properties themselves.
        let mut publish = Publish::at_most_once(TopicName::from_static("t"), &b""[..]);
        publish.properties.response_topic = Some(MqttString::from_static("r/#"));
        assert_eq!(
            refusal(&publish, V311),
            EncodeError::InvalidResponseTopic(crate::TopicError::WildcardInTopicName)
        );
        publish.properties.response_topic = Some(MqttString::from_static("r"));
        assert_eq!(
            refusal(&publish, V311),
            EncodeError::NotInVersion {
                what: "PUBLISH properties",
                version: V311
            }
        );
        // Correlation Data a two-byte length cannot announce.
        let mut publish = Publish::at_most_once(TopicName::from_static("t"), &b""[..]);
        publish.properties.correlation_data = Some(Bytes::from(vec![0; 65_536]));
        assert_eq!(
            refusal(&publish, V5),
            EncodeError::BinaryDataTooLong {
                field: "Correlation Data",
                len: 65_536
            }
        );
    }

    // Native targets pass most packets by a shorter path than the checks in turn, which wasm32
    // takes for every packet: both say the same of every packet.
    #[test]
    fn sizes_and_refuses_a_publish_as_the_checks_in_turn_do() {
        let mut publishes = Vec::new();
        for (topic, dup, qos) in [
            ("a/b", false, QosPid::AtMostOnce),
            ("a/b", true, QosPid::AtMostOnce),
            ("a/b", true, QosPid::AtLeastOnce(pid(1))),
            ("", false, QosPid::ExactlyOnce(pid(2))),
        ] {
            let topic = match topic {
                "" => TopicName::empty_for_alias(),
                topic => TopicName::from_static(topic),
            };
            let mut publish = Publish::at_most_once(topic, vec![7; 200]);
            publish.dup = dup;
            publish.qos = qos;
            publishes.push(publish.clone());
            publish.properties.topic_alias = NonZeroU16::new(3);
            publishes.push(publish.clone());
            for response_topic in ["r", "r/+", "#"] {
                publish.properties.response_topic = Some(MqttString::from_static(response_topic));
                publishes.push(publish.clone());
            }
            publish.properties.correlation_data = Some(Bytes::from(vec![0; 65_536]));
            publishes.push(publish.clone());
            publish.properties = PublishProperties::default();
            publish.properties.user_properties = vec![UserProperty {
                name: MqttString::from_static("k"),
                value: MqttString::from_static("v"),
            }];
            publishes.push(publish);
        }
        for publish in &publishes {
            for version in [V311, V5] {
                assert_eq!(
                    publish.checked_len(version),
                    publish.checked_len_in_turn(version),
                    "{publish:?} {version:?}"
                );
            }
        }
    }

    #[test]
    fn rejects_a_session_expiry_interval_in_a_publish() {
        let input = Bytes::from_static(&[0x30, 0x09, 0x00, 0x01, b't', 0x05, 0x11, 0, 0, 0, 1]);
        assert_eq!(
            decode(&input, V5),
            Err(DecodeError::PropertyNotAllowed {
                property: crate::PropertyId::SessionExpiryInterval,
                packet: PacketType::Publish
            })
        );
    }
}
