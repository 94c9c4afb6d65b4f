//! MQTT 5.0 enhanced authentication (§4.12): the AUTH packet and the pluggable exchange.
//!
//! The codec does not know AUTH yet, so its few bytes are read and written here.

use core::fmt;

use bytes::{BufMut, Bytes, BytesMut};
use mqtt_codec::{DecodeError, MqttString, PacketType, PropertyId};

/// One side of an enhanced authentication exchange (SCRAM, Kerberos, a challenge-response
/// of the application's own...), plugged into a client with
/// [`Client::set_authenticator`](crate::Client::set_authenticator).
pub trait Authenticator: fmt::Debug + Send {
    /// The Authentication Method, sent in CONNECT and every AUTH.
    fn method(&self) -> &str;
    /// The first Authentication Data, for CONNECT or for a re-authentication.
    fn start(&mut self) -> Option<Bytes>;
    /// The server's challenge (AUTH, Continue Authentication); the client's answer, or `Err`
    /// to abandon the exchange (the connection then ends with Not Authorized).
    fn challenge(&mut self, data: Option<&[u8]>) -> Result<Option<Bytes>, AuthRejected>;
    /// The server's last word (CONNACK or AUTH with Success): `Err` if it does not prove
    /// what the method expects of the server.
    fn finish(&mut self, data: Option<&[u8]>) -> Result<(), AuthRejected> {
        let _ = data;
        Ok(())
    }
}

/// The authenticator refused what the server sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRejected {
    pub reason: String,
}

impl fmt::Display for AuthRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// AUTH reason codes (§3.15.2.1).
pub(crate) const SUCCESS: u8 = 0x00;
pub(crate) const CONTINUE: u8 = 0x18;
pub(crate) const REAUTHENTICATE: u8 = 0x19;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Auth {
    pub(crate) reason_code: u8,
    pub(crate) method: Option<MqttString>,
    pub(crate) data: Option<Bytes>,
}

fn malformed(field: &'static str) -> DecodeError {
    DecodeError::FieldOverrunsPacket { field }
}

fn var_int(input: &[u8], at: &mut usize) -> Result<usize, DecodeError> {
    let mut value = 0usize;
    for shift in 0..4 {
        let byte = *input.get(*at).ok_or(malformed("Property Length"))?;
        *at += 1;
        value |= usize::from(byte & 0x7F) << (7 * shift);
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(DecodeError::MalformedVariableByteInteger)
}

fn prefixed(input: &Bytes, at: &mut usize, field: &'static str) -> Result<Bytes, DecodeError> {
    let len = input
        .get(*at..*at + 2)
        .map(|two| usize::from(u16::from_be_bytes([two[0], two[1]])))
        .ok_or(malformed(field))?;
    let start = *at + 2;
    let bytes = input.get(start..start + len).ok_or(malformed(field))?;
    let bytes = input.slice_ref(bytes);
    *at = start + len;
    Ok(bytes)
}

fn string(input: &Bytes, at: &mut usize, field: &'static str) -> Result<MqttString, DecodeError> {
    let bytes = prefixed(input, at, field)?;
    let text = core::str::from_utf8(&bytes).map_err(|_| DecodeError::InvalidUtf8)?;
    MqttString::try_from(text).map_err(|_| DecodeError::NullCharacter)
}

impl Auth {
    /// Reads one whole AUTH packet, fixed header included.
    pub(crate) fn decode(packet: &Bytes) -> Result<Auth, DecodeError> {
        let first = packet.first().copied().unwrap_or(0);
        // "Bits 3,2,1 and 0 of the Fixed Header of the AUTH packet are reserved and MUST all
        // be set to 0" [MQTT-3.15.1-1].
        if first & 0x0F != 0 {
            return Err(DecodeError::InvalidFlags {
                packet: PacketType::Auth,
                flags: first & 0x0F,
            });
        }
        let mut at = 1;
        let remaining = var_int(packet, &mut at)?;
        let body = packet.slice(at..(at + remaining).min(packet.len()));
        let mut auth = Auth {
            reason_code: SUCCESS,
            method: None,
            data: None,
        };
        // "The Reason Code and Property Length can be omitted if the Reason Code is 0x00
        // (Success) and there are no Properties."
        if body.is_empty() {
            return Ok(auth);
        }
        auth.reason_code = body[0];
        if ![SUCCESS, CONTINUE, REAUTHENTICATE].contains(&auth.reason_code) {
            return Err(DecodeError::InvalidReasonCode {
                packet: PacketType::Auth,
                code: auth.reason_code,
            });
        }
        let mut at = 1;
        if at == body.len() {
            return Ok(auth);
        }
        let len = var_int(&body, &mut at)?;
        let end = at + len;
        if end != body.len() {
            return Err(malformed("AUTH properties"));
        }
        while at < end {
            let id = var_int(&body, &mut at)?;
            match PropertyId::from_id(id as u32) {
                Some(PropertyId::AuthenticationMethod) if auth.method.is_none() => {
                    auth.method = Some(string(&body, &mut at, "Authentication Method")?);
                }
                Some(PropertyId::AuthenticationData) if auth.data.is_none() => {
                    auth.data = Some(prefixed(&body, &mut at, "Authentication Data")?);
                }
                Some(PropertyId::ReasonString) => {
                    string(&body, &mut at, "Reason String")?;
                }
                Some(PropertyId::UserProperty) => {
                    string(&body, &mut at, "User Property")?;
                    string(&body, &mut at, "User Property")?;
                }
                Some(
                    property @ (PropertyId::AuthenticationMethod | PropertyId::AuthenticationData),
                ) => {
                    return Err(DecodeError::DuplicateProperty { property });
                }
                Some(property) => {
                    return Err(DecodeError::PropertyNotAllowed {
                        property,
                        packet: PacketType::Auth,
                    });
                }
                None => return Err(DecodeError::UnknownProperty { id: id as u32 }),
            }
        }
        Ok(auth)
    }

    pub(crate) fn encode(&self, buf: &mut BytesMut) {
        let mut properties = BytesMut::new();
        if let Some(method) = &self.method {
            properties.put_u8(PropertyId::AuthenticationMethod as u8);
            properties.put_u16(method.len() as u16);
            properties.put_slice(method.as_bytes());
        }
        if let Some(data) = &self.data {
            properties.put_u8(PropertyId::AuthenticationData as u8);
            properties.put_u16(data.len() as u16);
            properties.put_slice(data);
        }
        let mut body = BytesMut::new();
        body.put_u8(self.reason_code);
        put_var_int(&mut body, properties.len());
        body.put_slice(&properties);
        buf.put_u8(0xF0);
        put_var_int(buf, body.len());
        buf.put_slice(&body);
    }
}

fn put_var_int(buf: &mut BytesMut, mut value: usize) {
    loop {
        let mut byte = (value % 128) as u8;
        value /= 128;
        if value > 0 {
            byte |= 0x80;
        }
        buf.put_u8(byte);
        if value == 0 {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_it_writes() {
        let auth = Auth {
            reason_code: CONTINUE,
            method: Some(MqttString::from_static("SCRAM-SHA-1")),
            data: Some(Bytes::from_static(b"nonce")),
        };
        let mut buf = BytesMut::new();
        auth.encode(&mut buf);
        assert_eq!(Auth::decode(&buf.freeze()), Ok(auth));
    }

    #[test]
    fn reads_an_empty_auth_as_success() {
        let auth = Auth::decode(&Bytes::from_static(&[0xF0, 0x00])).unwrap();
        assert_eq!(auth.reason_code, SUCCESS);
    }

    #[test]
    fn rejects_reserved_flags_and_undefined_reason_codes() {
        assert!(Auth::decode(&Bytes::from_static(&[0xF1, 0x00])).is_err());
        assert!(Auth::decode(&Bytes::from_static(&[0xF0, 0x01, 0x05])).is_err());
    }
}
