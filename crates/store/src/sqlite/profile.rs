//! The profile and the disclaimer acknowledgements.

use backstretch_core::profile::Profile;
use backstretch_core::time::Stamp;
use rusqlite::{OptionalExtension, params};

use super::Db;
use crate::{StoreError, UserId};

impl Db<'_> {
    pub(super) fn read_profile(&self, user: &UserId) -> Result<Option<Profile>, StoreError> {
        let data: Option<String> = self
            .conn
            .query_row(
                "SELECT data FROM profile WHERE user_id = ?1",
                params![user.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        data.map(|d| serde_json::from_str(&d).map_err(|e| self.corrupt("profile", &e)))
            .transpose()
    }

    /// When the profile was written, and by which device.
    pub(super) fn read_profile_writer(
        &self,
        user: &UserId,
    ) -> Result<Option<(Stamp, String)>, StoreError> {
        self.conn
            .query_row(
                "SELECT updated_at, updated_offset, COALESCE(updated_by, '') FROM profile
                 WHERE user_id = ?1",
                params![user.as_str()],
                |r| Ok((super::stamp(r.get(0)?, r.get(1)?), r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    pub(super) fn read_profile_saved_at(&self, user: &UserId) -> Result<Option<Stamp>, StoreError> {
        self.conn
            .query_row(
                "SELECT updated_at, updated_offset FROM profile WHERE user_id = ?1",
                params![user.as_str()],
                |r| Ok(super::stamp(r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Saves the profile written at `at` by `device`, unless one written later (by the
    /// instant, then the device: `core::event::wins`) is here.
    pub(super) fn write_profile(
        &self,
        user: &UserId,
        profile: &Profile,
        at: Stamp,
        device: &str,
    ) -> Result<(), StoreError> {
        let data = serde_json::to_string(profile).map_err(|e| self.corrupt("profile", &e))?;
        self.conn
            .execute(
                "INSERT INTO profile (user_id, data, updated_at, updated_offset, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (user_id) DO UPDATE SET data = excluded.data,
                     updated_at = excluded.updated_at, updated_offset = excluded.updated_offset,
                     updated_by = excluded.updated_by
                 WHERE (excluded.updated_at, excluded.updated_by)
                       >= (profile.updated_at, COALESCE(profile.updated_by, ''))",
                params![user.as_str(), data, at.utc_s, at.offset_s, device],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub(super) fn read_disclaimer(&self, user: &UserId) -> Result<Option<u32>, StoreError> {
        self.conn
            .query_row(
                "SELECT max(version) FROM acknowledgements WHERE kind = 'disclaimer' AND user_id = ?1",
                params![user.as_str()],
                |r| r.get::<_, Option<u32>>(0),
            )
            .map_err(|e| self.err(e))
    }

    pub(super) fn write_disclaimer(
        &self,
        user: &UserId,
        version: u32,
        at: Stamp,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO acknowledgements (user_id, kind, version, accepted_at, accepted_offset)
                 VALUES (?1, 'disclaimer', ?2, ?3, ?4)",
                params![user.as_str(), version, at.utc_s, at.offset_s],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}
