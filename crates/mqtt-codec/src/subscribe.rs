//! SUBSCRIBE (MQTT 5.0 §3.8, 3.1.1 §3.8): the client asks for messages matching filters.
//! Its fixed header flags are 0b0010 ([MQTT-3.8.1-1]).

use bytes::BufMut;

use crate::error::{DecodeError, EncodeError};
use crate::packet::PacketType;
use crate::properties::{SubscriptionId, UserProperty, properties};
use crate::topic::{TopicFilter, validate_decoded_topic_filter};
use crate::wire::{self, FixedHeader, Reader};
use crate::{PacketId, ProtocolVersion, QoS};

properties! {
    /// Properties of a SUBSCRIBE (MQTT 5.0 §3.8.2.1).
    pub struct SubscribeProperties {
        /// Echoed in every PUBLISH this subscription delivers.
        pub subscription_identifier: Option<SubscriptionId> = SubscriptionIdentifier,
        pub user_properties: Vec<UserProperty> = UserProperty,
    }
}

/// Whether the server sends retained messages when the subscription is made (MQTT 5.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RetainHandling {
    /// Send retained messages at the time of the subscribe (the only 3.1.1 behaviour).
    #[default]
    SendAtSubscribe = 0,
    /// Send them only if the subscription did not already exist.
    SendAtNewSubscribe = 1,
    DoNotSend = 2,
}

/// The Subscription Options byte (MQTT 5.0 §3.8.3.1; in 3.1.1 only the QoS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubscriptionOptions {
    pub maximum_qos: QoS,
    /// 5.0: do not deliver the client's own publications back to it.
    pub no_local: bool,
    /// 5.0: keep the RETAIN flag of forwarded messages as published.
    pub retain_as_published: bool,
    pub retain_handling: RetainHandling,
}

impl SubscriptionOptions {
    /// Options with only a maximum QoS, as in 3.1.1.
    pub const fn qos(maximum_qos: QoS) -> Self {
        SubscriptionOptions {
            maximum_qos,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendAtSubscribe,
        }
    }

    fn to_byte(self) -> u8 {
        self.maximum_qos.bits()
            | u8::from(self.no_local) << 2
            | u8::from(self.retain_as_published) << 3
            | (self.retain_handling as u8) << 4
    }

    fn from_byte(options: u8, version: ProtocolVersion) -> Result<Self, DecodeError> {
        // 5.0: "The Server MUST treat a SUBSCRIBE packet as malformed if any of Reserved bits
        // in the Payload are non-zero" [MQTT-3.8.3-5]; in 3.1.1 every bit above the QoS is
        // reserved (3.1.1 [MQTT-3-8.3-4]).
        let reserved = match version {
            ProtocolVersion::V5 => 0b1100_0000,
            ProtocolVersion::V311 => 0b1111_1100,
        };
        if options & reserved != 0 {
            return Err(DecodeError::ReservedSubscriptionOptions { options });
        }
        let maximum_qos = QoS::from_bits(options & 0b11).ok_or(DecodeError::InvalidQoS {
            packet: PacketType::Subscribe,
        })?;
        let retain_handling = match (options >> 4) & 0b11 {
            0 => RetainHandling::SendAtSubscribe,
            1 => RetainHandling::SendAtNewSubscribe,
            2 => RetainHandling::DoNotSend,
            // "It is a Protocol Error to send a Retain Handling value of 3."
            _ => return Err(DecodeError::InvalidRetainHandling),
        };
        Ok(SubscriptionOptions {
            maximum_qos,
            no_local: options & 0b0100 != 0,
            retain_as_published: options & 0b1000 != 0,
            retain_handling,
        })
    }
}

/// One filter of a SUBSCRIBE and how to subscribe to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub filter: TopicFilter,
    pub options: SubscriptionOptions,
}

/// A subscription request for one or more filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscribe {
    pub packet_id: PacketId,
    /// At least one ([MQTT-3.8.3-2]).
    pub subscriptions: Vec<Subscription>,
    /// MQTT 5.0 only; must be empty for 3.1.1.
    pub properties: SubscribeProperties,
}

impl Subscribe {
    // Inlined into its function in `packet.rs`, so the packet is built where it is returned
    // instead of being copied there.
    #[inline(always)]
    pub(crate) fn decode(mut body: Reader, version: ProtocolVersion) -> Result<Self, DecodeError> {
        let packet_id = body.packet_id(PacketType::Subscribe)?;
        let properties = match version {
            ProtocolVersion::V5 => SubscribeProperties::decode(&mut body, PacketType::Subscribe)?,
            ProtocolVersion::V311 => SubscribeProperties::default(),
        };
        // A subscription takes at least four bytes of the packet; start with room for the few
        // a SUBSCRIBE usually carries, and grow with what is actually there.
        let mut subscriptions = Vec::with_capacity((body.remaining() / 4).min(8));
        while !body.is_empty() {
            // "The Topic Filters MUST be a UTF-8 Encoded String" [MQTT-3.8.3-1].
            let (filter, wildcard) = body.topic("Topic Filter")?;
            validate_decoded_topic_filter(&filter, wildcard, version)
                .map_err(DecodeError::InvalidTopicFilter)?;
            let filter = TopicFilter::from_checked(filter);
            let options =
                SubscriptionOptions::from_byte(body.u8("Subscription Options")?, version)?;
            // "It is a Protocol Error to set the No Local bit to 1 on a Shared Subscription"
            // [MQTT-3.8.3-4].
            if options.no_local && filter.share_name().is_some() {
                return Err(DecodeError::NoLocalOnSharedSubscription);
            }
            subscriptions.push(Subscription { filter, options });
        }
        // "The Payload MUST contain at least one Topic Filter and Subscription Options pair"
        // [MQTT-3.8.3-2].
        if subscriptions.is_empty() {
            return Err(DecodeError::EmptySubscribe);
        }
        Ok(Subscribe {
            packet_id,
            subscriptions,
            properties,
        })
    }

    /// Refuses what the packet cannot say in `version`, or says wrongly; otherwise returns its
    /// Remaining Length, summed in the same walk over the subscriptions.
    #[inline(always)]
    pub(crate) fn checked_len(&self, version: ProtocolVersion) -> Result<usize, EncodeError> {
        if self.subscriptions.is_empty() {
            return Err(EncodeError::EmptySubscribe);
        }
        let mut len = 2;
        match version {
            ProtocolVersion::V5 => {
                for subscription in &self.subscriptions {
                    let share_name = (subscription.filter.check_shared())
                        .map_err(EncodeError::InvalidTopicFilter)?;
                    if subscription.options.no_local && share_name.is_some() {
                        return Err(EncodeError::NoLocalOnSharedSubscription);
                    }
                    len += wire::prefixed_len(subscription.filter.len()) + 1;
                }
                len += self.properties.wire_len();
            }
            ProtocolVersion::V311 => {
                // The tests only tell whether the packet passes, with a single way out for one
                // that does not.
                let mut passes = self.properties.is_empty();
                for subscription in &self.subscriptions {
                    let options = subscription.options;
                    passes &= options == SubscriptionOptions::qos(options.maximum_qos);
                    len += wire::prefixed_len(subscription.filter.len()) + 1;
                }
                if !passes {
                    return Err(self.refusal_in_3_1_1());
                }
            }
        }
        Ok(len)
    }

    /// What a 3.1.1 SUBSCRIBE that failed the tests of [`Subscribe::checked_len`] breaks: its
    /// properties, or else the options of a subscription.
    #[cold]
    #[inline(never)]
    fn refusal_in_3_1_1(&self) -> EncodeError {
        let version = ProtocolVersion::V311;
        if !self.properties.is_empty() {
            return EncodeError::NotInVersion {
                what: "SUBSCRIBE properties",
                version,
            };
        }
        EncodeError::NotInVersion {
            what: "subscription options other than QoS",
            version,
        }
    }

    pub(crate) fn body_len(&self, version: ProtocolVersion) -> usize {
        let properties = match version {
            ProtocolVersion::V5 => self.properties.wire_len(),
            ProtocolVersion::V311 => 0,
        };
        let payload: usize = self
            .subscriptions
            .iter()
            .map(|s| wire::prefixed_len(s.filter.len()) + 1)
            .sum();
        2 + properties + payload
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
        // Each filter's options byte goes out with the length of the next filter: one write
        // fewer per filter, each write to a buffer checking its capacity. Every filter is at
        // most 65,535 bytes: its constructors check it.
        let mut subscriptions = self.subscriptions.iter().peekable();
        if let Some(first) = subscriptions.peek() {
            buf.put_u16(first.filter.len() as u16);
        }
        while let Some(subscription) = subscriptions.next() {
            buf.put_slice(subscription.filter.as_bytes());
            let options = subscription.options.to_byte();
            match subscriptions.peek() {
                Some(next) => {
                    let [high, low] = (next.filter.len() as u16).to_be_bytes();
                    buf.put_slice(&[options, high, low]);
                }
                None => buf.put_u8(options),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ack::testing::{decode, encode};
    use crate::{Packet, TopicError};
    use ProtocolVersion::{V5, V311};

    fn subscribe(filters: &[(&'static str, QoS)]) -> Subscribe {
        Subscribe {
            packet_id: PacketId::new(10).unwrap(),
            subscriptions: filters
                .iter()
                .map(|&(filter, qos)| Subscription {
                    filter: TopicFilter::from_static(filter),
                    options: SubscriptionOptions::qos(qos),
                })
                .collect(),
            properties: SubscribeProperties::default(),
        }
    }

    // 3.1.1 Figure 3.21 / 5.0 §3.8.3 (non-normative example): "a/b" at QoS 1, "c/d" at QoS 2.
    #[test]
    fn encodes_and_decodes_the_specification_example() {
        let packet = subscribe(&[("a/b", QoS::AtLeastOnce), ("c/d", QoS::ExactlyOnce)]);
        let bytes = [
            0x82, 0x0E, 0x00, 0x0A, //
            0x00, 0x03, b'a', b'/', b'b', 0x01, //
            0x00, 0x03, b'c', b'/', b'd', 0x02,
        ];
        assert_eq!(encode(packet.clone(), V311).unwrap(), bytes);
        assert_eq!(decode(&bytes, V311), Ok(Packet::Subscribe(packet)));
    }

    #[test]
    fn encodes_and_decodes_5_0_options_and_subscription_identifier() {
        let mut packet = subscribe(&[("a/+", QoS::AtLeastOnce)]);
        packet.subscriptions[0].options.no_local = true;
        packet.subscriptions[0].options.retain_handling = RetainHandling::DoNotSend;
        packet.properties.subscription_identifier = SubscriptionId::new(5);
        let bytes = [
            0x82, 0x0B, 0x00, 0x0A, 0x02, 0x0B, 0x05, 0x00, 0x03, b'a', b'/', b'+', 0x25,
        ];
        assert_eq!(encode(packet.clone(), V5).unwrap(), bytes);
        assert_eq!(decode(&bytes, V5), Ok(Packet::Subscribe(packet.clone())));
        assert!(matches!(
            encode(packet, V311),
            Err(EncodeError::NotInVersion { .. })
        ));
    }

    #[test]
    fn refuses_to_encode_5_0_properties_before_5_0_options_on_3_1_1() {
        let mut packet = subscribe(&[("a", QoS::AtMostOnce), ("b", QoS::AtLeastOnce)]);
        packet.subscriptions[1].options.retain_as_published = true;
        assert_eq!(
            encode(packet.clone(), V311),
            Err(EncodeError::NotInVersion {
                what: "subscription options other than QoS",
                version: V311
            })
        );
        packet.properties.subscription_identifier = SubscriptionId::new(5);
        assert_eq!(
            encode(packet, V311),
            Err(EncodeError::NotInVersion {
                what: "SUBSCRIBE properties",
                version: V311
            })
        );
    }

    // [MQTT-3.8.3-2]
    #[test]
    fn rejects_a_subscribe_without_filters() {
        assert_eq!(
            decode(&[0x82, 0x02, 0x00, 0x0A], V311),
            Err(DecodeError::EmptySubscribe)
        );
        assert_eq!(
            encode(subscribe(&[]), V311),
            Err(EncodeError::EmptySubscribe)
        );
    }

    // [MQTT-3.8.3-5]; 3.1.1 [MQTT-3-8.3-4]
    #[test]
    fn rejects_reserved_subscription_option_bits() {
        assert_eq!(
            decode(&[0x82, 0x07, 0x00, 0x0A, 0x00, 0x00, 0x01, b'a', 0x41], V5),
            Err(DecodeError::ReservedSubscriptionOptions { options: 0x41 })
        );
        assert_eq!(
            decode(&[0x82, 0x06, 0x00, 0x0A, 0x00, 0x01, b'a', 0x04], V311),
            Err(DecodeError::ReservedSubscriptionOptions { options: 0x04 })
        );
    }

    #[test]
    fn rejects_a_requested_qos_of_3() {
        assert_eq!(
            decode(&[0x82, 0x06, 0x00, 0x0A, 0x00, 0x01, b'a', 0x03], V311),
            Err(DecodeError::InvalidQoS {
                packet: PacketType::Subscribe
            })
        );
    }

    // [MQTT-4.7.1-1]
    #[test]
    fn rejects_a_malformed_topic_filter() {
        assert_eq!(
            decode(
                &[0x82, 0x07, 0x00, 0x0A, 0x00, 0x02, b'a', b'#', 0x00],
                V311
            ),
            Err(DecodeError::InvalidTopicFilter(
                TopicError::MisplacedMultiLevelWildcard
            ))
        );
    }

    // [MQTT-3.8.1-1]
    #[test]
    fn rejects_a_subscribe_without_flags_0010() {
        assert_eq!(
            decode(&[0x80, 0x06, 0x00, 0x0A, 0x00, 0x01, b'a', 0x00], V311),
            Err(DecodeError::InvalidFlags {
                packet: PacketType::Subscribe,
                flags: 0
            })
        );
    }

    // [MQTT-4.8.2-1], [MQTT-4.8.2-2]
    #[test]
    fn rejects_a_malformed_shared_subscription_in_5_0_only() {
        // "$share/g" has no filter after the share name.
        let bytes = [
            0x82, 0x0E, 0x00, 0x0A, 0x00, 0x00, 0x08, b'$', b's', b'h', b'a', b'r', b'e', b'/',
            b'g', 0x00,
        ];
        assert_eq!(
            decode(&bytes, V5),
            Err(DecodeError::InvalidTopicFilter(
                TopicError::MissingSharedFilter
            ))
        );
        assert_eq!(
            decode(&bytes, V5).unwrap_err().statement_in(V5),
            Some("MQTT-4.8.2-2")
        );
        // In 3.1.1 it is an ordinary filter (without the property length byte).
        let mut v3 = bytes.to_vec();
        v3.remove(4);
        v3[1] -= 1;
        assert!(matches!(decode(&v3, V311), Ok(Packet::Subscribe(_))));
    }

    // [MQTT-3.8.3-4]
    #[test]
    fn rejects_no_local_on_a_shared_subscription() {
        let mut packet = subscribe(&[("$share/g/a", QoS::AtMostOnce)]);
        let bytes = [
            0x82, 0x10, 0x00, 0x0A, 0x00, 0x00, 0x0A, b'$', b's', b'h', b'a', b'r', b'e', b'/',
            b'g', b'/', b'a', 0x04,
        ];
        assert_eq!(
            decode(&bytes, V5),
            Err(DecodeError::NoLocalOnSharedSubscription)
        );
        packet.subscriptions[0].options.no_local = true;
        assert_eq!(
            encode(packet, V5),
            Err(EncodeError::NoLocalOnSharedSubscription)
        );
    }

    #[test]
    fn rejects_a_filter_cut_short_by_the_remaining_length() {
        assert_eq!(
            decode(&[0x82, 0x05, 0x00, 0x0A, 0x00, 0x01, b'a'], V311),
            Err(DecodeError::FieldOverrunsPacket {
                field: "Subscription Options"
            })
        );
    }
}
