use crate::command::{Command, CommandError, Outgoing};
use crate::home::{Claim, Message, Store};
use crate::model::{Device, Entity};

#[derive(Debug, Default)]
pub(crate) struct Homie {
    root: String,
}

impl Homie {
    pub fn new(root: String) -> Homie {
        Homie { root }
    }

    pub fn subscriptions(&self) -> Vec<String> {
        let _ = &self.root;
        Vec::new()
    }

    pub fn handle(&mut self, _message: &Message<'_>, _store: &mut Store<'_>) -> Claim {
        Claim::NotMine
    }

    pub fn command(
        &self,
        _device: &Device,
        _entity: &Entity,
        _command: Command,
    ) -> Result<Vec<Outgoing>, CommandError> {
        Err(CommandError::UnknownEntity)
    }
}
