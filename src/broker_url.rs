//! Which broker the page talks to: the default address and the checks a typed URL must pass.

use std::fmt;

/// The WebSocket port Mosquitto and most home brokers use for MQTT over WebSocket.
pub const DEFAULT_WEBSOCKET_PORT: u16 = 9001;

/// The broker URL a page served from `page_protocol//page_host` starts with: the same host, the
/// usual WebSocket port, and `wss` when the page itself came over https.
pub fn default_broker_url(page_protocol: &str, page_host: &str) -> String {
    let scheme = if page_protocol == "https:" {
        "wss"
    } else {
        "ws"
    };
    let host = if page_host.is_empty() {
        "localhost"
    } else {
        page_host
    };
    format!("{scheme}://{host}:{DEFAULT_WEBSOCKET_PORT}")
}

/// Why a broker URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokerUrlError {
    Empty,
    NotWebSocket,
    MissingHost,
    InsecureFromSecurePage,
}

impl fmt::Display for BrokerUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "Enter the broker's WebSocket URL, for example ws://192.168.1.10:9001.",
            Self::NotWebSocket => {
                "A browser reaches MQTT brokers over WebSocket: the URL must start with ws:// or wss://."
            }
            Self::MissingHost => "The URL needs a host name or address after ws:// or wss://.",
            Self::InsecureFromSecurePage => {
                "This page was loaded over https, and browsers block unencrypted ws:// connections \
                 from it. Use the broker's wss:// address, or open Lamplighter over http."
            }
        })
    }
}

impl std::error::Error for BrokerUrlError {}

/// Checks a broker URL typed by the user, returning it trimmed.
pub fn check_broker_url(url: &str, page_is_https: bool) -> Result<&str, BrokerUrlError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(BrokerUrlError::Empty);
    }
    let lower = url.to_ascii_lowercase();
    let rest = if let Some(rest) = lower.strip_prefix("wss://") {
        rest
    } else if let Some(rest) = lower.strip_prefix("ws://") {
        if page_is_https {
            return Err(BrokerUrlError::InsecureFromSecurePage);
        }
        rest
    } else {
        return Err(BrokerUrlError::NotWebSocket);
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Err(BrokerUrlError::MissingHost);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_url_uses_the_page_host_and_port_9001() {
        assert_eq!(
            default_broker_url("http:", "192.168.1.20"),
            "ws://192.168.1.20:9001"
        );
    }

    #[test]
    fn default_url_is_secure_when_the_page_is_https() {
        assert_eq!(
            default_broker_url("https:", "home.example"),
            "wss://home.example:9001"
        );
    }

    #[test]
    fn default_url_falls_back_to_localhost_for_a_page_without_host() {
        assert_eq!(default_broker_url("file:", ""), "ws://localhost:9001");
    }

    #[test]
    fn accepts_ws_and_wss_urls_with_paths_and_trims_them() {
        assert_eq!(
            check_broker_url(" ws://127.0.0.1:9001 ", false),
            Ok("ws://127.0.0.1:9001")
        );
        assert_eq!(
            check_broker_url("wss://broker.home/mqtt", true),
            Ok("wss://broker.home/mqtt")
        );
        assert_eq!(
            check_broker_url("WS://[::1]:9001/mqtt", false),
            Ok("WS://[::1]:9001/mqtt")
        );
    }

    #[test]
    fn refuses_an_empty_url() {
        assert_eq!(check_broker_url("  ", false), Err(BrokerUrlError::Empty));
    }

    #[test]
    fn refuses_urls_that_are_not_websocket() {
        assert_eq!(
            check_broker_url("mqtt://broker:1883", false),
            Err(BrokerUrlError::NotWebSocket)
        );
        assert_eq!(
            check_broker_url("http://broker:9001", false),
            Err(BrokerUrlError::NotWebSocket)
        );
    }

    #[test]
    fn refuses_a_url_without_host() {
        assert_eq!(
            check_broker_url("ws://", false),
            Err(BrokerUrlError::MissingHost)
        );
        assert_eq!(
            check_broker_url("ws://:9001/mqtt", false),
            Err(BrokerUrlError::MissingHost)
        );
    }

    #[test]
    fn refuses_plain_ws_from_an_https_page_with_an_explanation() {
        let err = check_broker_url("ws://192.168.1.10:9001", true).unwrap_err();
        assert_eq!(err, BrokerUrlError::InsecureFromSecurePage);
        assert!(err.to_string().contains("wss://"));
    }
}
