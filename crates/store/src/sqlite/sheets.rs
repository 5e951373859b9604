//! Routines printed on sheets, by their code.

use backstretch_core::code::RoutineCode;
use backstretch_core::routine::Routine;
use backstretch_core::time::Stamp;
use rusqlite::{OptionalExtension, params};

use super::Db;
use crate::{StoreError, UserId};

impl Db<'_> {
    /// Keeps a routine under its code; the same code again keeps the one printed first (at
    /// the same second, the lesser JSON), so devices agree whatever order they learn of it.
    pub(super) fn write_sheet(
        &self,
        user: &UserId,
        code: RoutineCode,
        routine: &Routine,
        at: Stamp,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(routine).map_err(|e| self.corrupt("sheet", &e))?;
        self.conn
            .execute(
                "INSERT INTO sheets (user_id, code, routine, at, at_offset)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (user_id, code) DO UPDATE SET routine = excluded.routine,
                     at = excluded.at, at_offset = excluded.at_offset
                 WHERE (excluded.at, excluded.routine) < (sheets.at, sheets.routine)",
                params![user.as_str(), code.to_string(), json, at.utc_s, at.offset_s],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub(super) fn read_sheet(
        &self,
        user: &UserId,
        code: RoutineCode,
    ) -> Result<Option<Routine>, StoreError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT routine FROM sheets WHERE user_id = ?1 AND code = ?2",
                params![user.as_str(), code.to_string()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        json.map(|j| serde_json::from_str(&j).map_err(|e| self.corrupt("sheet", &e)))
            .transpose()
    }

    pub(super) fn read_sheets(
        &self,
        user: &UserId,
    ) -> Result<Vec<(RoutineCode, Routine, Stamp)>, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT code, routine, at, at_offset FROM sheets WHERE user_id = ?1
                 ORDER BY at, code",
            )
            .map_err(|e| self.err(e))?;
        let rows: Vec<(String, String, i64, i32)> = st
            .query_map(params![user.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|(code, json, at, off)| {
                let code =
                    RoutineCode::parse(&code).map_err(|e| self.corrupt("sheet", &e.to_string()))?;
                let routine = serde_json::from_str(&json).map_err(|e| self.corrupt("sheet", &e))?;
                Ok((code, routine, super::stamp(at, off)))
            })
            .collect()
    }
}
