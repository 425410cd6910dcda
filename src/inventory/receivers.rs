//! Alert receivers: added and removed, each with its `alert.receiver` event.

use super::{Detail, Inventory};
use crate::domain::{AlertReceiver, EventKind};
use crate::error::{Error, Result};
use crate::store::notify::{self, NewReceiver};
use crate::terminal::quote;

pub(crate) fn receiver_not_found(name: &str) -> Error {
    Error::not_found(format!("alert receiver {} not found", quote(name)))
        .with_hint("'gpuctl alert receivers' lists the receivers")
}

impl Inventory<'_> {
    /// Adds a receiver; it gets the transitions made from now on.
    pub(crate) fn add_receiver(&self, receiver: &NewReceiver) -> Result<AlertReceiver> {
        if notify::receiver(self.conn(), &receiver.name)?.is_some() {
            return Err(Error::conflict(format!(
                "alert receiver {} already exists",
                quote(&receiver.name)
            ))
            .with_hint("remove it first to change it"));
        }
        notify::insert_receiver(self.conn(), receiver, self.now())?;
        self.record(
            EventKind::AlertReceiver,
            &format!("receiver/{}", receiver.name),
            Detail::default()
                .field("receiver")
                .new_value(format!("{} {}", receiver.kind, receiver.url)),
        )?;
        notify::receiver(self.conn(), &receiver.name)?
            .ok_or_else(|| receiver_not_found(&receiver.name))
    }

    /// Removes a receiver; what waited only for it goes with it. Returns it as it was.
    pub(crate) fn remove_receiver(&self, name: &str) -> Result<AlertReceiver> {
        let receiver =
            notify::receiver(self.conn(), name)?.ok_or_else(|| receiver_not_found(name))?;
        notify::delete_receiver(self.conn(), receiver.id)?;
        self.record(
            EventKind::AlertReceiver,
            &format!("receiver/{name}"),
            Detail::default()
                .field("receiver")
                .old_value(format!("{} {}", receiver.kind, receiver.url)),
        )?;
        Ok(receiver)
    }
}
