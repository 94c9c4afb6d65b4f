//! Building blocks of the pages. Each reads the [`Connection`](crate::runtime::Connection) from
//! context and shows derived state; none touches the socket or the engine.

mod broker_form;
mod fields;
mod message_list;
mod publish_form;
mod qos_select;
mod status_badge;
mod subscribe_form;

pub use broker_form::BrokerForm;
pub use fields::{TextInput, checkbox, choice, error_line, outcome_line, text_area};
pub use message_list::MessageList;
pub use publish_form::PublishForm;
pub use qos_select::{chosen_qos, qos_choice, qos_value};
pub use status_badge::StatusBadge;
pub use subscribe_form::SubscribeForm;
