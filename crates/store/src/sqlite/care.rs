//! What the clinic sends a person and their thread with it: prescriptions and messages,
//! each kept once by its id, the whole value as JSON.

use backstretch_core::care::{Message, Prescription};
use rusqlite::params;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Db;
use crate::{StoreError, UserId};

impl Db<'_> {
    /// Keeps a value in `table` (`prescriptions`, `messages` or `function_scores`) once by
    /// its uid.
    pub(super) fn keep_once<T: Serialize>(
        &self,
        table: &'static str,
        what: &'static str,
        user: &UserId,
        (uid, at): (&str, i64),
        value: &T,
    ) -> Result<(), StoreError> {
        let body = serde_json::to_string(value).map_err(|e| self.corrupt(what, &e))?;
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO {table} (user_id, uid, at, body) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (user_id, uid) DO NOTHING"
            ))
            .and_then(|mut st| st.execute(params![user.as_str(), uid, at, body]))
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Every value of `table`, oldest first (by `at`, then uid).
    pub(super) fn kept_all<T: DeserializeOwned>(
        &self,
        table: &'static str,
        what: &'static str,
        user: &UserId,
    ) -> Result<Vec<T>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(&format!(
                "SELECT body FROM {table} WHERE user_id = ?1 ORDER BY at, uid"
            ))
            .map_err(|e| self.err(e))?;
        let rows: Vec<String> = st
            .query_map(params![user.as_str()], |r| r.get(0))
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|b| serde_json::from_str(b).map_err(|e| self.corrupt(what, &e)))
            .collect()
    }

    pub(super) fn write_prescription(
        &self,
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

    pub(super) fn read_prescriptions(
        &self,
        user: &UserId,
    ) -> Result<Vec<Prescription>, StoreError> {
        self.kept_all("prescriptions", "prescription", user)
    }

    pub(super) fn write_message(&self, user: &UserId, m: &Message) -> Result<(), StoreError> {
        self.keep_once("messages", "message", user, (&m.uid, m.at.utc_s), m)
    }

    pub(super) fn read_messages(&self, user: &UserId) -> Result<Vec<Message>, StoreError> {
        self.kept_all("messages", "message", user)
    }
}
