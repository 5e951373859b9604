//! What the clinic sends a person and their thread with it: prescriptions and messages,
//! each kept once by its id, the whole value as JSON text.

use backstretch_core::care::{Message, Prescription};
use backstretch_store::{StoreError, UserId};
use postgres::GenericClient;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Db;

impl<C: GenericClient> Db<'_, C> {
    /// Keeps a value in `table` (`prescriptions`, `messages` or `function_scores`) once by
    /// its uid.
    pub(crate) fn keep_once<T: Serialize>(
        &mut self,
        table: &'static str,
        what: &'static str,
        user: &UserId,
        (uid, at): (&str, i64),
        value: &T,
    ) -> Result<(), StoreError> {
        let body = serde_json::to_string(value).map_err(|e| self.corrupt(what, &e))?;
        self.c
            .execute(
                &format!(
                    "INSERT INTO {table} (user_id, uid, at, body) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (user_id, uid) DO NOTHING"
                ),
                &[&user.as_str(), &uid, &at, &body],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Every value of `table`, oldest first (by `at`, then uid).
    pub(crate) fn kept_all<T: DeserializeOwned>(
        &mut self,
        table: &'static str,
        what: &'static str,
        user: &UserId,
    ) -> Result<Vec<T>, StoreError> {
        let rows = self
            .c
            .query(
                &format!(
                    r#"SELECT body FROM {table} WHERE user_id = $1 ORDER BY at, uid COLLATE "C""#
                ),
                &[&user.as_str()],
            )
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                let body: String = r.try_get(0).map_err(|e| self.err(e))?;
                serde_json::from_str(&body).map_err(|e| self.corrupt(what, &e))
            })
            .collect()
    }

    pub(crate) fn write_prescription(
        &mut self,
        user: &UserId,
        p: &Prescription,
    ) -> Result<(), StoreError> {
        self.keep_once(
            "prescriptions",
            "prescription",
            user,
            (&p.id, p.at.utc_s),
            p,
        )
    }

    pub(crate) fn read_prescriptions(
        &mut self,
        user: &UserId,
    ) -> Result<Vec<Prescription>, StoreError> {
        self.kept_all("prescriptions", "prescription", user)
    }

    pub(crate) fn write_message(&mut self, user: &UserId, m: &Message) -> Result<(), StoreError> {
        self.keep_once("messages", "message", user, (&m.uid, m.at.utc_s), m)
    }

    pub(crate) fn read_messages(&mut self, user: &UserId) -> Result<Vec<Message>, StoreError> {
        self.kept_all("messages", "message", user)
    }
}
