//! Reason codes (MQTT 5.0 §2.4), one type per packet so that a packet can only carry the codes
//! the specification defines for it. MQTT 3.1.1's CONNACK return codes and SUBACK codes map
//! onto the same types.

use core::fmt;

macro_rules! reason_codes {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $value:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* $variant = $value, )+
        }

        impl $name {
            /// The code for a byte, or `None` if the packet does not define it.
            pub const fn from_u8(value: u8) -> Option<Self> {
                match value {
                    $( $value => Some($name::$variant), )+
                    _ => None,
                }
            }

            pub const fn to_u8(self) -> u8 {
                self as u8
            }

            /// Codes below 0x80 report success, the others failure (MQTT 5.0 §2.4).
            pub const fn is_success(self) -> bool {
                (self as u8) < 0x80
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?} ({:#04x})", self, *self as u8)
            }
        }
    };
}

reason_codes! {
    /// The result of a connection attempt, carried by CONNACK (MQTT 5.0 §3.2.2.2).
    ///
    /// A 3.1.1 return code maps to the 5.0 code of the same meaning: 1 to
    /// `UnsupportedProtocolVersion`, 2 to `ClientIdentifierNotValid`, 3 to `ServerUnavailable`,
    /// 4 to `BadUserNameOrPassword`, 5 to `NotAuthorized`.
    pub enum ConnectReasonCode {
        Success = 0x00,
        UnspecifiedError = 0x80,
        MalformedPacket = 0x81,
        ProtocolError = 0x82,
        ImplementationSpecificError = 0x83,
        UnsupportedProtocolVersion = 0x84,
        ClientIdentifierNotValid = 0x85,
        BadUserNameOrPassword = 0x86,
        NotAuthorized = 0x87,
        ServerUnavailable = 0x88,
        ServerBusy = 0x89,
        Banned = 0x8A,
        BadAuthenticationMethod = 0x8C,
        TopicNameInvalid = 0x90,
        PacketTooLarge = 0x95,
        QuotaExceeded = 0x97,
        PayloadFormatInvalid = 0x99,
        RetainNotSupported = 0x9A,
        QoSNotSupported = 0x9B,
        UseAnotherServer = 0x9C,
        ServerMoved = 0x9D,
        ConnectionRateExceeded = 0x9F,
    }
}

impl ConnectReasonCode {
    /// The code for a 3.1.1 CONNACK return code (3.1.1 §3.2.2.3).
    pub const fn from_v3_return_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => ConnectReasonCode::Success,
            1 => ConnectReasonCode::UnsupportedProtocolVersion,
            2 => ConnectReasonCode::ClientIdentifierNotValid,
            3 => ConnectReasonCode::ServerUnavailable,
            4 => ConnectReasonCode::BadUserNameOrPassword,
            5 => ConnectReasonCode::NotAuthorized,
            _ => return None,
        })
    }

    /// The 3.1.1 return code with this meaning, if 3.1.1 has one.
    pub const fn to_v3_return_code(self) -> Option<u8> {
        Some(match self {
            ConnectReasonCode::Success => 0,
            ConnectReasonCode::UnsupportedProtocolVersion => 1,
            ConnectReasonCode::ClientIdentifierNotValid => 2,
            ConnectReasonCode::ServerUnavailable => 3,
            ConnectReasonCode::BadUserNameOrPassword => 4,
            ConnectReasonCode::NotAuthorized => 5,
            _ => return None,
        })
    }
}

reason_codes! {
    /// The outcome of one subscription of a SUBSCRIBE, carried by SUBACK (MQTT 5.0 §3.9.3).
    /// MQTT 3.1.1 defines the first three and `UnspecifiedError` (0x80, "Failure").
    pub enum SubscribeReasonCode {
        GrantedQoS0 = 0x00,
        GrantedQoS1 = 0x01,
        GrantedQoS2 = 0x02,
        UnspecifiedError = 0x80,
        ImplementationSpecificError = 0x83,
        NotAuthorized = 0x87,
        TopicFilterInvalid = 0x8F,
        PacketIdentifierInUse = 0x91,
        QuotaExceeded = 0x97,
        SharedSubscriptionsNotSupported = 0x9E,
        SubscriptionIdentifiersNotSupported = 0xA1,
        WildcardSubscriptionsNotSupported = 0xA2,
    }
}

impl SubscribeReasonCode {
    /// Whether MQTT 3.1.1 defines this code (3.1.1 §3.9.3).
    pub const fn is_in_v3(self) -> bool {
        matches!(
            self,
            SubscribeReasonCode::GrantedQoS0
                | SubscribeReasonCode::GrantedQoS1
                | SubscribeReasonCode::GrantedQoS2
                | SubscribeReasonCode::UnspecifiedError
        )
    }

    /// The QoS the server granted, or `None` when it refused the subscription.
    pub const fn granted_qos(self) -> Option<crate::QoS> {
        match self {
            SubscribeReasonCode::GrantedQoS0 => Some(crate::QoS::AtMostOnce),
            SubscribeReasonCode::GrantedQoS1 => Some(crate::QoS::AtLeastOnce),
            SubscribeReasonCode::GrantedQoS2 => Some(crate::QoS::ExactlyOnce),
            _ => None,
        }
    }
}

reason_codes! {
    /// The outcome of one filter of an UNSUBSCRIBE, carried by a 5.0 UNSUBACK (§3.11.3).
    pub enum UnsubscribeReasonCode {
        Success = 0x00,
        NoSubscriptionExisted = 0x11,
        UnspecifiedError = 0x80,
        ImplementationSpecificError = 0x83,
        NotAuthorized = 0x87,
        TopicFilterInvalid = 0x8F,
        PacketIdentifierInUse = 0x91,
    }
}

reason_codes! {
    /// The outcome of a QoS 1 PUBLISH (PUBACK) or the first step of QoS 2 (PUBREC), MQTT 5.0
    /// §3.4.2.1 and §3.5.2.1.
    pub enum PubAckReasonCode {
        Success = 0x00,
        NoMatchingSubscribers = 0x10,
        UnspecifiedError = 0x80,
        ImplementationSpecificError = 0x83,
        NotAuthorized = 0x87,
        TopicNameInvalid = 0x90,
        PacketIdentifierInUse = 0x91,
        QuotaExceeded = 0x97,
        PayloadFormatInvalid = 0x99,
    }
}

reason_codes! {
    /// The outcome of the release (PUBREL) and completion (PUBCOMP) steps of QoS 2, MQTT 5.0
    /// §3.6.2.1 and §3.7.2.1.
    pub enum PubCompReasonCode {
        Success = 0x00,
        PacketIdentifierNotFound = 0x92,
    }
}

reason_codes! {
    /// Why a connection ends, carried by a 5.0 DISCONNECT (§3.14.2.1).
    pub enum DisconnectReasonCode {
        NormalDisconnection = 0x00,
        DisconnectWithWillMessage = 0x04,
        UnspecifiedError = 0x80,
        MalformedPacket = 0x81,
        ProtocolError = 0x82,
        ImplementationSpecificError = 0x83,
        NotAuthorized = 0x87,
        ServerBusy = 0x89,
        ServerShuttingDown = 0x8B,
        KeepAliveTimeout = 0x8D,
        SessionTakenOver = 0x8E,
        TopicFilterInvalid = 0x8F,
        TopicNameInvalid = 0x90,
        ReceiveMaximumExceeded = 0x93,
        TopicAliasInvalid = 0x94,
        PacketTooLarge = 0x95,
        MessageRateTooHigh = 0x96,
        QuotaExceeded = 0x97,
        AdministrativeAction = 0x98,
        PayloadFormatInvalid = 0x99,
        RetainNotSupported = 0x9A,
        QoSNotSupported = 0x9B,
        UseAnotherServer = 0x9C,
        ServerMoved = 0x9D,
        SharedSubscriptionsNotSupported = 0x9E,
        ConnectionRateExceeded = 0x9F,
        MaximumConnectTime = 0xA0,
        SubscriptionIdentifiersNotSupported = 0xA1,
        WildcardSubscriptionsNotSupported = 0xA2,
    }
}

reason_codes! {
    /// The state of an enhanced authentication exchange, carried by AUTH (MQTT 5.0 §3.15.2.1).
    pub enum AuthReasonCode {
        Success = 0x00,
        ContinueAuthentication = 0x18,
        ReAuthenticate = 0x19,
    }
}
