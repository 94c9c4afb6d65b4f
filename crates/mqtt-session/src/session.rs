//! Saving and restoring the whole session, so that a page reload loses no QoS 1 or 2 message.

use bytes::Bytes;
use mqtt_codec::{
    PacketId, Publish, QoS, QosPid, RetainHandling, Subscribe, SubscribeProperties, Subscription,
    SubscriptionId, SubscriptionOptions, TopicFilter, TopicName, Unsubscribe,
    UnsubscribeProperties,
};
use serde::{Deserialize, Serialize};

use crate::client::{Awaiting, Client, GrantedSubscription, QueuedCommand, merge_by_packet_id};
use crate::config::ClientConfig;
use crate::error::UsageError;

/// The format [`Client::save`] writes and [`Client::restore`] reads.
pub const SESSION_FORMAT: u16 = 1;

/// Everything of a session the client must not forget: the client identifier, granted
/// subscriptions, outgoing messages in flight (in sending order, with how far the server
/// acknowledged them), the queue, and the incoming QoS 2 exchanges awaiting PUBREL.
///
/// Serialize it with any serde format: field names are one letter and payloads are byte
/// strings, so a binary format (postcard, bincode, CBOR, `serde-wasm-bindgen` into
/// IndexedDB) keeps it close to the size of the messages themselves. It carries its format
/// number; [`Client::restore`] refuses one it does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionState {
    #[serde(rename = "v")]
    format: u16,
    #[serde(rename = "c")]
    client_id: String,
    #[serde(rename = "p")]
    last_packet_id: u16,
    #[serde(rename = "s")]
    subscriptions: Vec<SavedSubscription>,
    #[serde(rename = "o")]
    inflight: Vec<SavedPublish>,
    #[serde(rename = "q")]
    queue: Vec<SavedCommand>,
    #[serde(rename = "i")]
    incoming_qos2: Vec<u16>,
}

impl SessionState {
    pub fn format(&self) -> u16 {
        self.format
    }

    /// Outgoing QoS 1 and 2 messages in flight plus commands waiting.
    pub fn pending_len(&self) -> usize {
        self.inflight.len() + self.queue.len()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SavedSubscription {
    #[serde(rename = "f")]
    filter: String,
    /// The Subscription Options byte of MQTT 5.0 (§3.8.3.1).
    #[serde(rename = "o")]
    options: u8,
    #[serde(rename = "i", default)]
    subscription_id: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SavedPublish {
    /// 0 for QoS 0.
    #[serde(rename = "i")]
    packet_id: u16,
    /// 0: queued, 1: awaiting PUBACK, 2: awaiting PUBREC, 3: awaiting PUBCOMP.
    #[serde(rename = "s")]
    stage: u8,
    #[serde(rename = "q")]
    qos: u8,
    #[serde(rename = "r")]
    retain: bool,
    #[serde(rename = "t")]
    topic: String,
    #[serde(rename = "b")]
    payload: Bytes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum SavedCommand {
    #[serde(rename = "P")]
    Publish(SavedPublish),
    #[serde(rename = "S")]
    Subscribe(u16, Vec<SavedSubscription>),
    #[serde(rename = "U")]
    Unsubscribe(u16, Vec<String>),
}

fn options_byte(options: SubscriptionOptions) -> u8 {
    options.maximum_qos.bits()
        | u8::from(options.no_local) << 2
        | u8::from(options.retain_as_published) << 3
        | (options.retain_handling as u8) << 4
}

fn options_from_byte(byte: u8) -> Result<SubscriptionOptions, UsageError> {
    let corrupt = UsageError::CorruptSession {
        what: "subscription options",
    };
    Ok(SubscriptionOptions {
        maximum_qos: QoS::from_bits(byte & 0b11).ok_or(corrupt.clone())?,
        no_local: byte & 0b0100 != 0,
        retain_as_published: byte & 0b1000 != 0,
        retain_handling: match (byte >> 4) & 0b11 {
            0 => RetainHandling::SendAtSubscribe,
            1 => RetainHandling::SendAtNewSubscribe,
            2 => RetainHandling::DoNotSend,
            _ => return Err(corrupt),
        },
    })
}

fn save_publish(publish: &Publish, stage: u8) -> SavedPublish {
    SavedPublish {
        packet_id: publish.qos.packet_id().map_or(0, PacketId::get),
        stage,
        qos: publish.qos.qos().bits(),
        retain: publish.retain,
        topic: publish.topic.as_str().to_owned(),
        payload: publish.payload.clone(),
    }
}

fn save_subscribe(subscribe: &Subscribe) -> SavedCommand {
    let subscription_id = subscribe
        .properties
        .subscription_identifier
        .map(SubscriptionId::get);
    SavedCommand::Subscribe(
        subscribe.packet_id.get(),
        subscribe
            .subscriptions
            .iter()
            .map(|subscription| SavedSubscription {
                filter: subscription.filter.as_str().to_owned(),
                options: options_byte(subscription.options),
                subscription_id,
            })
            .collect(),
    )
}

fn save_command(command: &QueuedCommand) -> SavedCommand {
    match command {
        QueuedCommand::Publish(publish) => SavedCommand::Publish(save_publish(publish, 0)),
        QueuedCommand::Subscribe(subscribe) => save_subscribe(subscribe),
        QueuedCommand::Unsubscribe(unsubscribe) => SavedCommand::Unsubscribe(
            unsubscribe.packet_id.get(),
            unsubscribe
                .filters
                .iter()
                .map(|filter| filter.as_str().to_owned())
                .collect(),
        ),
    }
}

fn packet_id(value: u16) -> Result<PacketId, UsageError> {
    PacketId::new(value).ok_or(UsageError::CorruptSession {
        what: "packet identifier 0",
    })
}

fn filter(text: &str) -> Result<TopicFilter, UsageError> {
    TopicFilter::try_from(text).map_err(|_| UsageError::CorruptSession {
        what: "topic filter",
    })
}

fn restore_publish(saved: SavedPublish) -> Result<Publish, UsageError> {
    let topic = TopicName::try_from(saved.topic.as_str())
        .map_err(|_| UsageError::CorruptSession { what: "topic name" })?;
    let mut publish = Publish::at_most_once(topic, saved.payload);
    publish.retain = saved.retain;
    publish.qos = match saved.qos {
        0 => QosPid::AtMostOnce,
        1 => QosPid::AtLeastOnce(packet_id(saved.packet_id)?),
        2 => QosPid::ExactlyOnce(packet_id(saved.packet_id)?),
        _ => return Err(UsageError::CorruptSession { what: "QoS" }),
    };
    Ok(publish)
}

fn restore_subscriptions(
    saved: Vec<SavedSubscription>,
) -> Result<(Vec<Subscription>, Option<SubscriptionId>), UsageError> {
    let subscription_id = saved
        .first()
        .and_then(|subscription| subscription.subscription_id)
        .and_then(SubscriptionId::new);
    let subscriptions = saved
        .into_iter()
        .map(|subscription| {
            Ok(Subscription {
                filter: filter(&subscription.filter)?,
                options: options_from_byte(subscription.options)?,
            })
        })
        .collect::<Result<Vec<_>, UsageError>>()?;
    Ok((subscriptions, subscription_id))
}

impl Client {
    /// The session as it stands, to keep across a page reload (call it after every batch of
    /// inputs that produced [`Event::Published`](crate::Event::Published), a message or a
    /// new command, or at least before the page goes away).
    ///
    /// Commands sent and awaiting SUBACK or UNSUBACK are saved as queued: a restored client
    /// sends them again.
    pub fn save(&self) -> SessionState {
        let inflight = self
            .inflight_in_order()
            .into_iter()
            .filter_map(|id| self.inflight.get(&id))
            .map(|inflight| {
                let stage = match inflight.stage {
                    Awaiting::PubAck => 1,
                    Awaiting::PubRec => 2,
                    Awaiting::PubComp => 3,
                };
                save_publish(&inflight.publish, stage)
            })
            .collect();
        let sent = merge_by_packet_id(
            self.pending_subscribes
                .iter()
                .map(|(&id, subscribe)| (id, save_subscribe(subscribe))),
            self.pending_unsubscribes.iter().map(|(&id, unsubscribe)| {
                (
                    id,
                    save_command(&QueuedCommand::Unsubscribe(unsubscribe.clone())),
                )
            }),
        );
        let queue = sent
            .into_iter()
            .chain(self.queue.iter().map(save_command))
            .collect();
        SessionState {
            format: SESSION_FORMAT,
            client_id: self.client_id.as_str().to_owned(),
            last_packet_id: self.last_packet_id,
            subscriptions: self
                .subscriptions
                .iter()
                .map(|(filter, granted)| SavedSubscription {
                    filter: filter.as_str().to_owned(),
                    options: options_byte(granted.options),
                    subscription_id: granted.subscription_id.map(SubscriptionId::get),
                })
                .collect(),
            inflight,
            queue,
            incoming_qos2: self.incoming_qos2.iter().map(|id| id.get()).collect(),
        }
    }

    /// A client with `config` that carries on the saved session: offline, with the saved
    /// client identifier (which a server may have assigned), messages in flight and queued,
    /// and subscriptions. Connect it as usual; for the server to resume its side too, the
    /// configuration should not ask for a clean start.
    pub fn restore(config: ClientConfig, state: SessionState) -> Result<Client, UsageError> {
        if state.format != SESSION_FORMAT {
            return Err(UsageError::UnsupportedSessionFormat {
                found: state.format,
            });
        }
        let mut client = Client::new(ClientConfig {
            client_id: state.client_id,
            ..config
        })?;
        client.last_packet_id = state.last_packet_id;
        for saved in state.subscriptions {
            client.subscriptions.insert(
                filter(&saved.filter)?,
                GrantedSubscription {
                    options: options_from_byte(saved.options)?,
                    subscription_id: saved.subscription_id.and_then(SubscriptionId::new),
                },
            );
        }
        let duplicate = UsageError::CorruptSession {
            what: "packet identifier used twice",
        };
        for saved in state.inflight {
            let stage = match (saved.qos, saved.stage) {
                (1, 1) => Awaiting::PubAck,
                (2, 2) => Awaiting::PubRec,
                (2, 3) => Awaiting::PubComp,
                _ => {
                    return Err(UsageError::CorruptSession {
                        what: "in-flight message stage",
                    });
                }
            };
            let publish = restore_publish(saved)?;
            let Some(id) = publish.qos.packet_id() else {
                return Err(duplicate);
            };
            if !client.reserve_packet_id(id) {
                return Err(duplicate);
            }
            client.track_restored(id, stage, publish);
        }
        for saved in state.queue {
            let command = match saved {
                SavedCommand::Publish(saved) => QueuedCommand::Publish(restore_publish(saved)?),
                SavedCommand::Subscribe(id, subscriptions) => {
                    let (subscriptions, subscription_identifier) =
                        restore_subscriptions(subscriptions)?;
                    QueuedCommand::Subscribe(Subscribe {
                        packet_id: packet_id(id)?,
                        subscriptions,
                        properties: SubscribeProperties {
                            subscription_identifier,
                            ..SubscribeProperties::default()
                        },
                    })
                }
                SavedCommand::Unsubscribe(id, filters) => QueuedCommand::Unsubscribe(Unsubscribe {
                    packet_id: packet_id(id)?,
                    filters: filters
                        .iter()
                        .map(|text| filter(text))
                        .collect::<Result<_, _>>()?,
                    properties: UnsubscribeProperties::default(),
                }),
            };
            if let Some(id) = command.packet_id()
                && !client.reserve_packet_id(id)
            {
                return Err(duplicate);
            }
            client.enqueue_restored(command);
        }
        for id in state.incoming_qos2 {
            client.incoming_qos2.insert(packet_id(id)?);
        }
        Ok(client)
    }
}
