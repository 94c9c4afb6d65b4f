//! MQTT 5.0 properties (§2.2.2): typed, per packet.
//!
//! Each packet's properties are a struct whose fields are the properties that packet allows.
//! The [`properties!`] macro derives the decoder from that list, so:
//!
//! * a property the packet does not allow is rejected ([`DecodeError::PropertyNotAllowed`]),
//!   because no field claims it;
//! * a property that may appear once is an `Option`, and finding it twice is rejected
//!   ([`DecodeError::DuplicateProperty`]); one that may repeat (User Property, a PUBLISH's
//!   Subscription Identifier) is a `Vec`;
//! * each value is checked by its type (a `NonZeroU16` Receive Maximum cannot be 0).
//!
//! Adding a property to a packet is adding one line to its list.

use core::fmt;
use core::num::{NonZeroU16, NonZeroU32};

use bytes::{BufMut, Bytes};

use crate::QoS;
use crate::error::DecodeError;
use crate::packet::PacketType;
use crate::string::MqttString;
use crate::wire::{self, MAX_VAR_INT, Reader};

macro_rules! property_ids {
    ($( $name:ident = $id:literal, )+) => {
        /// The identifier of an MQTT 5.0 property (§2.2.2.2).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum PropertyId {
            $( $name = $id, )+
        }

        impl PropertyId {
            pub const fn from_id(id: u32) -> Option<Self> {
                match id {
                    $( $id => Some(PropertyId::$name), )+
                    _ => None,
                }
            }
        }
    };
}

property_ids! {
    PayloadFormatIndicator = 0x01,
    MessageExpiryInterval = 0x02,
    ContentType = 0x03,
    ResponseTopic = 0x08,
    CorrelationData = 0x09,
    SubscriptionIdentifier = 0x0B,
    SessionExpiryInterval = 0x11,
    AssignedClientIdentifier = 0x12,
    ServerKeepAlive = 0x13,
    AuthenticationMethod = 0x15,
    AuthenticationData = 0x16,
    RequestProblemInformation = 0x17,
    WillDelayInterval = 0x18,
    RequestResponseInformation = 0x19,
    ResponseInformation = 0x1A,
    ServerReference = 0x1C,
    ReasonString = 0x1F,
    ReceiveMaximum = 0x21,
    TopicAliasMaximum = 0x22,
    TopicAlias = 0x23,
    MaximumQoS = 0x24,
    RetainAvailable = 0x25,
    UserProperty = 0x26,
    MaximumPacketSize = 0x27,
    WildcardSubscriptionAvailable = 0x28,
    SubscriptionIdentifierAvailable = 0x29,
    SharedSubscriptionAvailable = 0x2A,
}

impl fmt::Display for PropertyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} ({:#04x})", self, *self as u8)
    }
}

/// A name/value pair of the User Property (0x26), which may appear any number of times.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserProperty {
    pub name: MqttString,
    pub value: MqttString,
}

/// Whether a payload is unspecified bytes or UTF-8 text (Payload Format Indicator, 0x01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayloadFormat {
    Unspecified = 0,
    Utf8 = 1,
}

/// A Subscription Identifier (0x0B): 1 to 268,435,455, encoded as a Variable Byte Integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionId(NonZeroU32);

impl SubscriptionId {
    pub const fn new(value: u32) -> Option<Self> {
        match NonZeroU32::new(value) {
            Some(id) if value <= MAX_VAR_INT => Some(SubscriptionId(id)),
            _ => None,
        }
    }

    pub const fn get(self) -> u32 {
        self.0.get()
    }
}

/// How one property value is read and written (the data types of §1.5).
pub(crate) trait PropertyValue: Sized {
    fn read(reader: &mut Reader, property: PropertyId) -> Result<Self, DecodeError>;
    fn len(&self) -> usize;
    /// Writes the property identifier `id` (every identifier fits one byte) and the value.
    /// A value of a fixed size, or the length in front of a string, goes out with the
    /// identifier in one write: each write to a buffer checks its capacity.
    fn write(&self, id: u8, buf: &mut impl BufMut);
}

fn invalid(property: PropertyId) -> DecodeError {
    DecodeError::InvalidPropertyValue { property }
}

impl PropertyValue for bool {
    // "It is a Protocol Error to include [...] a value other than 0 or 1."
    fn read(reader: &mut Reader, property: PropertyId) -> Result<Self, DecodeError> {
        match reader.u8("property value")? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(invalid(property)),
        }
    }
    fn len(&self) -> usize {
        1
    }
    fn write(&self, id: u8, buf: &mut impl BufMut) {
        buf.put_slice(&[id, u8::from(*self)]);
    }
}

impl PropertyValue for PayloadFormat {
    fn read(reader: &mut Reader, property: PropertyId) -> Result<Self, DecodeError> {
        match reader.u8("property value")? {
            0 => Ok(PayloadFormat::Unspecified),
            1 => Ok(PayloadFormat::Utf8),
            _ => Err(invalid(property)),
        }
    }
    fn len(&self) -> usize {
        1
    }
    fn write(&self, id: u8, buf: &mut impl BufMut) {
        buf.put_slice(&[id, *self as u8]);
    }
}

impl PropertyValue for QoS {
    // Maximum QoS: "It is a Protocol Error to include Maximum QoS more than once, or to have a
    // value other than 0 or 1."
    fn read(reader: &mut Reader, property: PropertyId) -> Result<Self, DecodeError> {
        match reader.u8("property value")? {
            0 => Ok(QoS::AtMostOnce),
            1 => Ok(QoS::AtLeastOnce),
            _ => Err(invalid(property)),
        }
    }
    fn len(&self) -> usize {
        1
    }
    fn write(&self, id: u8, buf: &mut impl BufMut) {
        buf.put_slice(&[id, self.bits()]);
    }
}

impl PropertyValue for u16 {
    fn read(reader: &mut Reader, _: PropertyId) -> Result<Self, DecodeError> {
        reader.u16("property value")
    }
    fn len(&self) -> usize {
        2
    }
    fn write(&self, id: u8, buf: &mut impl BufMut) {
        let [high, low] = self.to_be_bytes();
        buf.put_slice(&[id, high, low]);
    }
}

impl PropertyValue for NonZeroU16 {
    // Receive Maximum and Topic Alias: "It is a Protocol Error [...] to have a value of 0."
    fn read(reader: &mut Reader, property: PropertyId) -> Result<Self, DecodeError> {
        NonZeroU16::new(reader.u16("property value")?).ok_or(invalid(property))
    }
    fn len(&self) -> usize {
        2
    }
    fn write(&self, id: u8, buf: &mut impl BufMut) {
        self.get().write(id, buf);
    }
}

impl PropertyValue for u32 {
    fn read(reader: &mut Reader, _: PropertyId) -> Result<Self, DecodeError> {
        reader.u32("property value")
    }
    fn len(&self) -> usize {
        4
    }
    fn write(&self, id: u8, buf: &mut impl BufMut) {
        let [b0, b1, b2, b3] = self.to_be_bytes();
        buf.put_slice(&[id, b0, b1, b2, b3]);
    }
}

impl PropertyValue for NonZeroU32 {
    // Maximum Packet Size: "It is a Protocol Error to include [...] the value zero."
    fn read(reader: &mut Reader, property: PropertyId) -> Result<Self, DecodeError> {
        NonZeroU32::new(reader.u32("property value")?).ok_or(invalid(property))
    }
    fn len(&self) -> usize {
        4
    }
    fn write(&self, id: u8, buf: &mut impl BufMut) {
        self.get().write(id, buf);
    }
}

impl PropertyValue for SubscriptionId {
    // "It is a Protocol Error if the Subscription Identifier has a value of 0."
    fn read(reader: &mut Reader, property: PropertyId) -> Result<Self, DecodeError> {
        SubscriptionId::new(reader.var_int("property value")?).ok_or(invalid(property))
    }
    fn len(&self) -> usize {
        wire::var_int_len(self.get() as usize)
    }
    fn write(&self, id: u8, buf: &mut impl BufMut) {
        buf.put_u8(id);
        wire::write_var_int(buf, self.get() as usize);
    }
}

impl PropertyValue for MqttString {
    fn read(reader: &mut Reader, _: PropertyId) -> Result<Self, DecodeError> {
        reader.string("property value")
    }
    fn len(&self) -> usize {
        wire::prefixed_len(self.as_str().len())
    }
    fn write(&self, id: u8, buf: &mut impl BufMut) {
        write_prefixed(id, self.as_bytes(), buf);
    }
}

/// Binary Data (Correlation Data, Authentication Data). Each packet's `check` refuses values
/// over 65,535 bytes before encoding, using `longest_binary`.
impl PropertyValue for Bytes {
    fn read(reader: &mut Reader, _: PropertyId) -> Result<Self, DecodeError> {
        reader.binary("property value")
    }
    fn len(&self) -> usize {
        wire::prefixed_len(self.as_ref().len())
    }
    fn write(&self, id: u8, buf: &mut impl BufMut) {
        write_prefixed(id, self, buf);
    }
}

impl PropertyValue for UserProperty {
    fn read(reader: &mut Reader, _: PropertyId) -> Result<Self, DecodeError> {
        Ok(UserProperty {
            name: reader.string("User Property name")?,
            value: reader.string("User Property value")?,
        })
    }
    fn len(&self) -> usize {
        wire::prefixed_len(self.name.as_str().len()) + wire::prefixed_len(self.value.as_str().len())
    }
    fn write(&self, id: u8, buf: &mut impl BufMut) {
        write_prefixed(id, self.name.as_bytes(), buf);
        wire::write_string(buf, &self.value);
    }
}

/// The identifier, then String or Binary Data; the caller has checked `value` fits a two-byte
/// length.
#[inline]
fn write_prefixed(id: u8, value: &[u8], buf: &mut impl BufMut) {
    debug_assert!(value.len() <= usize::from(u16::MAX));
    let [high, low] = (value.len() as u16).to_be_bytes();
    buf.put_slice(&[id, high, low]);
    buf.put_slice(value);
}

/// Where a property's value goes in a properties struct: `Option` for a property that may
/// appear once, `Vec` for one that may repeat.
pub(crate) trait PropertySlot {
    fn absorb(&mut self, reader: &mut Reader, property: PropertyId) -> Result<(), DecodeError>;
    /// Encoded length including the identifier byte(s).
    fn len(&self) -> usize;
    fn is_unset(&self) -> bool;
    fn write(&self, property: PropertyId, buf: &mut impl BufMut);
    /// Length of the longest Binary Data value, which must fit a two-byte length.
    fn longest_binary(&self) -> usize;
}

trait BinaryLen {
    fn binary_len(&self) -> usize {
        0
    }
}
impl BinaryLen for bool {}
impl BinaryLen for PayloadFormat {}
impl BinaryLen for QoS {}
impl BinaryLen for u16 {}
impl BinaryLen for NonZeroU16 {}
impl BinaryLen for u32 {}
impl BinaryLen for NonZeroU32 {}
impl BinaryLen for SubscriptionId {}
impl BinaryLen for MqttString {}
impl BinaryLen for UserProperty {}
impl BinaryLen for Bytes {
    fn binary_len(&self) -> usize {
        self.as_ref().len()
    }
}

impl<T: PropertyValue + BinaryLen> PropertySlot for Option<T> {
    fn absorb(&mut self, reader: &mut Reader, property: PropertyId) -> Result<(), DecodeError> {
        // "It is a Protocol Error to include the <property> more than once."
        if self.is_some() {
            return Err(DecodeError::DuplicateProperty { property });
        }
        *self = Some(T::read(reader, property)?);
        Ok(())
    }
    fn len(&self) -> usize {
        self.as_ref().map_or(0, |value| 1 + value.len())
    }
    fn is_unset(&self) -> bool {
        self.is_none()
    }
    fn write(&self, property: PropertyId, buf: &mut impl BufMut) {
        if let Some(value) = self {
            value.write(property as u8, buf);
        }
    }
    fn longest_binary(&self) -> usize {
        self.as_ref().map_or(0, BinaryLen::binary_len)
    }
}

impl<T: PropertyValue + BinaryLen> PropertySlot for Vec<T> {
    fn absorb(&mut self, reader: &mut Reader, property: PropertyId) -> Result<(), DecodeError> {
        self.push(T::read(reader, property)?);
        Ok(())
    }
    fn len(&self) -> usize {
        self.iter().map(|value| 1 + value.len()).sum()
    }
    fn is_unset(&self) -> bool {
        self.is_empty()
    }
    fn write(&self, property: PropertyId, buf: &mut impl BufMut) {
        for value in self {
            value.write(property as u8, buf);
        }
    }
    fn longest_binary(&self) -> usize {
        self.iter().map(BinaryLen::binary_len).max().unwrap_or(0)
    }
}

/// Reads the Property Length and the properties of one packet (or of a Will), giving each to
/// `absorb`, which returns `false` for a property its packet does not allow.
pub(crate) fn read_properties(
    reader: &mut Reader,
    packet: PacketType,
    mut absorb: impl FnMut(PropertyId, &mut Reader) -> Result<bool, DecodeError>,
) -> Result<(), DecodeError> {
    let len = reader.var_int("Property Length")?;
    let mut section = reader.section(len as usize, "properties")?;
    while !section.is_empty() {
        let id = section.var_int("property identifier")?;
        let property = PropertyId::from_id(id).ok_or(DecodeError::UnknownProperty { id })?;
        if !absorb(property, &mut section)? {
            return Err(DecodeError::PropertyNotAllowed { property, packet });
        }
    }
    Ok(())
}

/// Declares the properties one packet allows; see the module documentation.
macro_rules! properties {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* pub $field:ident: $ty:ty = $property:ident, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $ty, )*
        }

        impl $name {
            /// Whether no property is set (and the section encodes as a single zero byte).
            pub fn is_empty(&self) -> bool {
                true $( & $crate::properties::PropertySlot::is_unset(&self.$field) )*
            }

            #[allow(dead_code)]
            pub(crate) fn decode(
                reader: &mut $crate::wire::Reader,
                packet: $crate::packet::PacketType,
            ) -> Result<Self, $crate::error::DecodeError> {
                let mut properties = Self::default();
                properties.decode_into(reader, packet)?;
                Ok(properties)
            }

            /// [`Self::decode`] into properties the caller holds (which start empty), so that
            /// they are not copied out of a return value.
            #[allow(unused_variables)]
            pub(crate) fn decode_into(
                &mut self,
                reader: &mut $crate::wire::Reader,
                packet: $crate::packet::PacketType,
            ) -> Result<(), $crate::error::DecodeError> {
                $crate::properties::read_properties(reader, packet, |property, section| {
                    #[allow(unreachable_patterns)]
                    match property {
                        $( $crate::properties::PropertyId::$property => {
                            $crate::properties::PropertySlot::absorb(&mut self.$field, section, property)?;
                        } )*
                        _ => return Ok(false),
                    }
                    Ok(true)
                })
            }

            /// Length of the properties, without the Property Length in front. Inlined into the
            /// encoders on native targets; on wasm32, built for size, not.
            #[cfg_attr(not(target_arch = "wasm32"), inline)]
            pub(crate) fn content_len(&self) -> usize {
                0 $( + $crate::properties::PropertySlot::len(&self.$field) )*
            }

            /// Length of the Property Length and the properties.
            pub(crate) fn wire_len(&self) -> usize {
                let len = self.content_len();
                $crate::wire::var_int_len(len) + len
            }

            #[allow(dead_code)]
            pub(crate) fn longest_binary(&self) -> usize {
                0 $( .max($crate::properties::PropertySlot::longest_binary(&self.$field)) )*
            }

            #[allow(unused_variables)]
            #[allow(dead_code)]
            pub(crate) fn write(&self, buf: &mut impl bytes::BufMut) {
                self.write_with_len(self.content_len(), buf);
            }

            /// [`Self::write`] with the content length already known.
            ///
            /// Never inlined on native targets: a function of its own keeps the writes of each
            /// property inlined here, and the packet's own writes inlined in its encoder.
            #[allow(dead_code)]
            #[cfg_attr(not(target_arch = "wasm32"), inline(never))]
            pub(crate) fn write_with_len(&self, content_len: usize, buf: &mut impl bytes::BufMut) {
                debug_assert_eq!(content_len, self.content_len());
                $crate::wire::write_var_int(buf, content_len);
                $( $crate::properties::PropertySlot::write(
                    &self.$field,
                    $crate::properties::PropertyId::$property,
                    buf,
                ); )*
            }
        }
    };
}

pub(crate) use properties;

properties! {
    /// Properties of a PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK or UNSUBACK (MQTT 5.0).
    pub struct AckProperties {
        /// A human-readable reason, for diagnostics only.
        pub reason_string: Option<MqttString> = ReasonString,
        pub user_properties: Vec<UserProperty> = UserProperty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &'static [u8]) -> Result<AckProperties, DecodeError> {
        let input = Bytes::from_static(bytes);
        let mut reader = Reader::new(&input, 0, input.len());
        AckProperties::decode(&mut reader, PacketType::PubAck)
    }

    #[test]
    fn decodes_typed_properties() {
        let properties = decode(&[
            11, 0x1F, 0x00, 0x02, b'o', b'k', 0x26, 0x00, 0x01, b'k', 0x00, 0x00,
        ])
        .unwrap();
        assert_eq!(properties.reason_string.unwrap(), "ok");
        assert_eq!(properties.user_properties.len(), 1);
    }

    // "It is a Protocol Error to include the Reason String more than once" (§3.4.2.2.2).
    #[test]
    fn rejects_a_property_that_may_appear_once_appearing_twice() {
        assert_eq!(
            decode(&[8, 0x1F, 0x00, 0x01, b'a', 0x1F, 0x00, 0x01, b'b']),
            Err(DecodeError::DuplicateProperty {
                property: PropertyId::ReasonString
            })
        );
    }

    #[test]
    fn accepts_user_properties_repeated() {
        let properties = decode(&[12, 0x26, 0, 1, b'a', 0, 0, 0x26, 0, 1, b'a', 0, 0]).unwrap();
        assert_eq!(properties.user_properties.len(), 2);
    }

    #[test]
    fn rejects_a_property_the_packet_does_not_allow() {
        // Session Expiry Interval belongs to CONNECT, CONNACK and DISCONNECT, not PUBACK.
        assert_eq!(
            decode(&[5, 0x11, 0, 0, 0, 10]),
            Err(DecodeError::PropertyNotAllowed {
                property: PropertyId::SessionExpiryInterval,
                packet: PacketType::PubAck
            })
        );
    }

    #[test]
    fn rejects_an_unknown_property_identifier() {
        assert_eq!(
            decode(&[2, 0x7F, 0]),
            Err(DecodeError::UnknownProperty { id: 0x7F })
        );
    }

    #[test]
    fn rejects_a_property_length_past_the_end_of_the_packet() {
        assert_eq!(
            decode(&[9, 0x1F, 0, 1, b'a']),
            Err(DecodeError::FieldOverrunsPacket {
                field: "properties"
            })
        );
    }

    #[test]
    fn encodes_properties_with_their_length_in_front() {
        let properties = AckProperties {
            reason_string: Some(MqttString::from_static("ok")),
            user_properties: vec![],
        };
        let mut buf = Vec::new();
        properties.write(&mut buf);
        assert_eq!(buf, [5, 0x1F, 0x00, 0x02, b'o', b'k']);
        assert_eq!(properties.wire_len(), buf.len());
    }
}
