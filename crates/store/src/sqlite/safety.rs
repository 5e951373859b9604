//! Red-flag checks and the exercises logged as hurt.

use std::collections::BTreeMap;

use backstretch_core::exchange::Clearance;
use backstretch_core::safety::{Hurt, Screening, ScreeningVerdict};
use backstretch_core::session::SessionId;
use backstretch_core::time::Stamp;
use backstretch_core::vocab::{Area, Word};
use rusqlite::params;

use super::{Db, stamp};
use crate::{StoreError, UserId};

impl Db<'_> {
    pub(super) fn write_screening(&self, user: &UserId, s: &Screening) -> Result<(), StoreError> {
        let areas: Vec<&str> = s.areas.iter().map(|a| a.as_str()).collect();
        let areas =
            serde_json::to_string(&areas).map_err(|e| self.corrupt("red-flag check", &e))?;
        let answers =
            serde_json::to_string(&s.answers).map_err(|e| self.corrupt("red-flag check", &e))?;
        let since: BTreeMap<&str, (i64, i32)> = s
            .since
            .iter()
            .map(|(id, at)| (id.as_str(), (at.utc_s, at.offset_s)))
            .collect();
        let since =
            serde_json::to_string(&since).map_err(|e| self.corrupt("red-flag check", &e))?;
        self.conn
            .execute(
                "INSERT INTO screenings (user_id, at, at_offset, areas, answers, verdict, assessed, since)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    user.as_str(),
                    s.at.utc_s,
                    s.at.offset_s,
                    areas,
                    answers,
                    s.verdict.as_str(),
                    s.assessed,
                    since
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub(super) fn read_last_screening(
        &self,
        user: &UserId,
    ) -> Result<Option<Screening>, StoreError> {
        Ok(self.read_screenings(user, Some(1))?.pop())
    }

    /// The user's red-flag checks, newest first (up to `limit`, when given).
    pub(super) fn read_screenings(
        &self,
        user: &UserId,
        limit: Option<u32>,
    ) -> Result<Vec<Screening>, StoreError> {
        type Row = (i64, i32, String, String, String, Option<bool>, String);
        let rows: Vec<Row> = self
            .conn
            .prepare_cached(
                "SELECT at, at_offset, areas, answers, verdict, assessed, since FROM screenings
                 WHERE user_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2",
            )
            .and_then(|mut st| {
                st.query_map(params![user.as_str(), limit.map_or(-1, i64::from)], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })?
                .collect()
            })
            .map_err(|e| self.err(e))?;
        rows.into_iter().map(|row| self.screening_of(row)).collect()
    }

    fn screening_of(
        &self,
        (at, off, areas, answers, verdict, assessed, since): (
            i64,
            i32,
            String,
            String,
            String,
            Option<bool>,
            String,
        ),
    ) -> Result<Screening, StoreError> {
        let bad = |e: String| self.corrupt("red-flag check", &e);
        let areas: Vec<String> = serde_json::from_str(&areas).map_err(|e| bad(e.to_string()))?;
        let areas = areas
            .iter()
            .map(|a| Area::parse_word(a).map_err(|e| bad(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Screening {
            at: stamp(at, off),
            areas,
            answers: serde_json::from_str(&answers).map_err(|e| bad(e.to_string()))?,
            verdict: ScreeningVerdict::parse(&verdict)
                .ok_or_else(|| bad(format!("unknown verdict `{verdict}`")))?,
            assessed,
            since: serde_json::from_str::<BTreeMap<String, (i64, i32)>>(&since)
                .map_err(|e| bad(e.to_string()))?
                .into_iter()
                .map(|(id, (at, off))| (id, stamp(at, off)))
                .collect(),
        })
    }

    pub(super) fn write_clearance(&self, user: &UserId, c: &Clearance) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO clearances (user_id, sign, at, at_offset, cleared_by)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![user.as_str(), c.sign, c.at.utc_s, c.at.offset_s, c.by],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub(super) fn read_clearances(&self, user: &UserId) -> Result<Vec<Clearance>, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT sign, at, at_offset, cleared_by FROM clearances WHERE user_id = ?1
                 ORDER BY at, sign, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![user.as_str()], |r| {
                Ok(Clearance {
                    sign: r.get(0)?,
                    at: stamp(r.get(1)?, r.get(2)?),
                    by: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    pub(super) fn read_hurts(&self, user: &UserId, since: Stamp) -> Result<Vec<Hurt>, StoreError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT DISTINCT s.started_at, s.started_offset, s.id, t.exercise_id
                 FROM session_steps t JOIN sessions s ON s.id = t.session_id
                 WHERE s.user_id = ?1 AND s.started_at >= ?2
                   AND t.outcome = 'hurt' AND t.exercise_id IS NOT NULL
                 ORDER BY s.started_at, s.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![user.as_str(), since.utc_s], |r| {
                Ok(Hurt {
                    day: stamp(r.get(0)?, r.get(1)?).day(),
                    session: SessionId(r.get(2)?),
                    exercise: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}
