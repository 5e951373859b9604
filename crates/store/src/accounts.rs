//! A sync server's people and their linked devices. A person is added by name and gets an
//! opaque id (the [`UserId`] their log is kept under). A device links with a one-time code
//! (kept only as a hash, it expires and works once) and then speaks with a token (kept only as
//! a hash). Hashing and the codes' randomness are the server's; the store keeps what it is
//! given and makes redeeming a code atomic, so two devices racing with one code link once.

use backstretch_core::time::Stamp;

use crate::{StoreError, UserId};

/// A device linked to a person's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// The device's own id (the one its events carry).
    pub id: String,
    /// What the device called itself when it linked.
    pub name: String,
    /// When it linked.
    pub linked_at: Stamp,
    /// When it was unlinked, if it was.
    pub unlinked_at: Option<Stamp>,
}

/// A device asking to link with a code.
#[derive(Debug, Clone, Copy)]
pub struct Linking<'a> {
    /// The hash of the code it gives.
    pub code_hash: &'a str,
    /// The device's own id.
    pub device: &'a str,
    /// What it calls itself.
    pub name: &'a str,
    /// The hash of the token it will speak with from now on.
    pub token_hash: &'a str,
    /// When.
    pub at: Stamp,
}

/// What a link code came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed {
    /// Linked to this person's log.
    Linked(UserId),
    /// No such code, or it expired or was used.
    Refused,
    /// The device is already linked to another person's log.
    OtherPersons,
}

/// The server's people, link codes and devices.
pub trait Accounts: Send + Sync + std::fmt::Debug {
    /// Adds a person called `name` (unique) with a new id; a name already taken is
    /// [`StoreError::Taken`].
    fn add_person(&self, name: &str, id: &UserId, at: Stamp) -> Result<(), StoreError>;
    /// The id of the person called `name`.
    fn person(&self, name: &str) -> Result<Option<UserId>, StoreError>;
    /// Offers a link code (by its hash) for the person's log until `expires`.
    fn add_link_code(
        &self,
        user: &UserId,
        code_hash: &str,
        expires: Stamp,
    ) -> Result<(), StoreError>;
    /// Links a device with a code, at once and once: the code is spent, and the device's
    /// token replaces any it had (a device unlinked before links again).
    fn redeem_link_code(&self, l: &Linking<'_>) -> Result<Redeemed, StoreError>;
    /// The person and device a token (by its hash) speaks for, unless unlinked.
    fn device_for(&self, token_hash: &str) -> Result<Option<(UserId, String)>, StoreError>;
    /// Unlinks a device of the person's: its token stops working. False when it was not
    /// linked.
    fn unlink(&self, user: &UserId, device: &str, at: Stamp) -> Result<bool, StoreError>;
    /// The log of the person's linked device `from` took a new id, `to`: its token now
    /// speaks for `to`, linked at `at` under the same name, and `from` stays as a device
    /// unlinked at `at` (its events stay under it). An id any person's device ever had is
    /// [`StoreError::Taken`]; false when `from` is not linked.
    fn move_link(&self, user: &UserId, from: &str, to: &str, at: Stamp)
    -> Result<bool, StoreError>;
    /// The person's devices, in the order they linked.
    fn devices(&self, user: &UserId) -> Result<Vec<Device>, StoreError>;
}
