//! The profile, the disclaimer acknowledgements, and the routines printed on sheets.

use backstretch_core::code::RoutineCode;
use backstretch_core::profile::Profile;
use backstretch_core::routine::Routine;
use backstretch_core::time::Stamp;
use backstretch_store::{StoreError, UserId};
use postgres::GenericClient;

use crate::{Db, stamp};

impl<C: GenericClient> Db<'_, C> {
    pub(crate) fn read_profile(&mut self, user: &UserId) -> Result<Option<Profile>, StoreError> {
        let data: Option<String> = self
            .c
            .query_opt(
                "SELECT data::text FROM profile WHERE user_id = $1",
                &[&user.as_str()],
            )
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .map_err(|e| self.err(e))?;
        data.map(|d| serde_json::from_str(&d).map_err(|e| self.corrupt("profile", &e)))
            .transpose()
    }

    /// When the profile was written, and by which device.
    pub(crate) fn read_profile_writer(
        &mut self,
        user: &UserId,
    ) -> Result<Option<(Stamp, String)>, StoreError> {
        self.c
            .query_opt(
                "SELECT updated_at, updated_offset, COALESCE(updated_by, '') FROM profile
                 WHERE user_id = $1",
                &[&user.as_str()],
            )
            .and_then(|r| {
                r.map(|r| Ok((stamp(r.try_get(0)?, r.try_get(1)?), r.try_get(2)?)))
                    .transpose()
            })
            .map_err(|e| self.err(e))
    }

    pub(crate) fn read_profile_saved_at(
        &mut self,
        user: &UserId,
    ) -> Result<Option<Stamp>, StoreError> {
        self.c
            .query_opt(
                "SELECT updated_at, updated_offset FROM profile WHERE user_id = $1",
                &[&user.as_str()],
            )
            .and_then(|r| {
                r.map(|r| Ok(stamp(r.try_get(0)?, r.try_get(1)?)))
                    .transpose()
            })
            .map_err(|e| self.err(e))
    }

    /// Saves the profile written at `at` by `device`, unless one written later (by the
    /// instant, then the device: `core::event::wins`) is here.
    pub(crate) fn write_profile(
        &mut self,
        user: &UserId,
        profile: &Profile,
        at: Stamp,
        device: &str,
    ) -> Result<(), StoreError> {
        let data = serde_json::to_string(profile).map_err(|e| self.corrupt("profile", &e))?;
        self.c
            .execute(
                r#"INSERT INTO profile (user_id, data, updated_at, updated_offset, updated_by)
                 VALUES ($1, $2::text::json, $3, $4, $5)
                 ON CONFLICT (user_id) DO UPDATE SET data = excluded.data,
                     updated_at = excluded.updated_at, updated_offset = excluded.updated_offset,
                     updated_by = excluded.updated_by
                 WHERE (excluded.updated_at, excluded.updated_by COLLATE "C")
                       >= (profile.updated_at, COALESCE(profile.updated_by, '') COLLATE "C")"#,
                &[&user.as_str(), &data, &at.utc_s, &at.offset_s, &device],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub(crate) fn read_disclaimer(&mut self, user: &UserId) -> Result<Option<u32>, StoreError> {
        let v: Option<i64> = self
            .c
            .query_one(
                "SELECT max(version) FROM acknowledgements
                 WHERE kind = 'disclaimer' AND user_id = $1",
                &[&user.as_str()],
            )
            .and_then(|r| r.try_get(0))
            .map_err(|e| self.err(e))?;
        v.map(|v| self.count("disclaimer", v)).transpose()
    }

    pub(crate) fn write_disclaimer(
        &mut self,
        user: &UserId,
        version: u32,
        at: Stamp,
    ) -> Result<(), StoreError> {
        self.c
            .execute(
                "INSERT INTO acknowledgements (user_id, kind, version, accepted_at, accepted_offset)
                 VALUES ($1, 'disclaimer', $2, $3, $4)",
                &[&user.as_str(), &i64::from(version), &at.utc_s, &at.offset_s],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Keeps a routine under its code; the same code again keeps the one printed first (at
    /// the same second, the lesser JSON), so devices agree whatever order they learn of it.
    pub(crate) fn write_sheet(
        &mut self,
        user: &UserId,
        code: RoutineCode,
        routine: &Routine,
        at: Stamp,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(routine).map_err(|e| self.corrupt("sheet", &e))?;
        self.c
            .execute(
                "INSERT INTO sheets (user_id, code, routine, at, at_offset)
                 VALUES ($1, $2, $3::text::json, $4, $5)
                 ON CONFLICT (user_id, code) DO UPDATE SET routine = excluded.routine,
                     at = excluded.at, at_offset = excluded.at_offset
                 WHERE (excluded.at, excluded.routine::text COLLATE \"C\")
                       < (sheets.at, sheets.routine::text COLLATE \"C\")",
                &[
                    &user.as_str(),
                    &code.to_string(),
                    &json,
                    &at.utc_s,
                    &at.offset_s,
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub(crate) fn read_sheet(
        &mut self,
        user: &UserId,
        code: RoutineCode,
    ) -> Result<Option<Routine>, StoreError> {
        let json: Option<String> = self
            .c
            .query_opt(
                "SELECT routine::text FROM sheets WHERE user_id = $1 AND code = $2",
                &[&user.as_str(), &code.to_string()],
            )
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .map_err(|e| self.err(e))?;
        json.map(|j| serde_json::from_str(&j).map_err(|e| self.corrupt("sheet", &e)))
            .transpose()
    }

    pub(crate) fn read_sheets(
        &mut self,
        user: &UserId,
    ) -> Result<Vec<(RoutineCode, Routine, Stamp)>, StoreError> {
        let rows = self
            .c
            .query(
                r#"SELECT code, routine::text, at, at_offset FROM sheets WHERE user_id = $1
                   ORDER BY at, code COLLATE "C""#,
                &[&user.as_str()],
            )
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                let (code, json, at, off): (String, String, i64, i32) = (|| {
                    Ok::<_, postgres::Error>((
                        r.try_get(0)?,
                        r.try_get(1)?,
                        r.try_get(2)?,
                        r.try_get(3)?,
                    ))
                })()
                .map_err(|e| self.err(e))?;
                let code =
                    RoutineCode::parse(&code).map_err(|e| self.corrupt("sheet", &e.to_string()))?;
                let routine = serde_json::from_str(&json).map_err(|e| self.corrupt("sheet", &e))?;
                Ok((code, routine, stamp(at, off)))
            })
            .collect()
    }
}
