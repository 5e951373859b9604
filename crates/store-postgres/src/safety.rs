//! Red-flag checks, clearances, and the exercises logged as hurt.

use std::collections::BTreeMap;

use backstretch_core::exchange::Clearance;
use backstretch_core::safety::{Hurt, Screening, ScreeningVerdict};
use backstretch_core::session::SessionId;
use backstretch_core::time::Stamp;
use backstretch_core::vocab::{Area, Word};
use backstretch_store::{StoreError, UserId};
use postgres::GenericClient;

use crate::{Db, stamp};

/// A screening row as PostgreSQL gives it, before its JSON and words are checked.
struct RawScreening {
    at: (i64, i32),
    areas: String,
    answers: String,
    verdict: String,
    assessed: Option<bool>,
    since: String,
}

impl<C: GenericClient> Db<'_, C> {
    pub(crate) fn write_screening(
        &mut self,
        user: &UserId,
        s: &Screening,
    ) -> Result<(), StoreError> {
        let bad = |e: serde_json::Error| self.corrupt("red-flag check", &e);
        let areas: Vec<&str> = s.areas.iter().map(|a| a.as_str()).collect();
        let areas = serde_json::to_string(&areas).map_err(bad)?;
        let answers = serde_json::to_string(&s.answers).map_err(bad)?;
        let since: BTreeMap<&str, (i64, i32)> = s
            .since
            .iter()
            .map(|(id, at)| (id.as_str(), (at.utc_s, at.offset_s)))
            .collect();
        let since = serde_json::to_string(&since).map_err(bad)?;
        self.c
            .execute(
                "INSERT INTO screenings (user_id, at, at_offset, areas, answers, verdict, assessed, since)
                 VALUES ($1, $2, $3, $4::text::json, $5::text::json, $6, $7, $8::text::json)",
                &[
                    &user.as_str(),
                    &s.at.utc_s,
                    &s.at.offset_s,
                    &areas,
                    &answers,
                    &s.verdict.as_str(),
                    &s.assessed,
                    &since,
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub(crate) fn read_last_screening(
        &mut self,
        user: &UserId,
    ) -> Result<Option<Screening>, StoreError> {
        let row = self
            .c
            .query_opt(
                "SELECT at, at_offset, areas::text, answers::text, verdict, assessed, since::text
                 FROM screenings WHERE user_id = $1 ORDER BY at DESC, id DESC LIMIT 1",
                &[&user.as_str()],
            )
            .and_then(|r| {
                r.map(|r| {
                    Ok(RawScreening {
                        at: (r.try_get(0)?, r.try_get(1)?),
                        areas: r.try_get(2)?,
                        answers: r.try_get(3)?,
                        verdict: r.try_get(4)?,
                        assessed: r.try_get(5)?,
                        since: r.try_get(6)?,
                    })
                })
                .transpose()
            })
            .map_err(|e| self.err(e))?;
        row.map(|raw| self.screening_of(&raw)).transpose()
    }

    fn screening_of(&self, raw: &RawScreening) -> Result<Screening, StoreError> {
        let bad = |e: String| self.corrupt("red-flag check", &e);
        let areas: Vec<String> =
            serde_json::from_str(&raw.areas).map_err(|e| bad(e.to_string()))?;
        let areas = areas
            .iter()
            .map(|a| Area::parse_word(a).map_err(|e| bad(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let since = serde_json::from_str::<BTreeMap<String, (i64, i32)>>(&raw.since)
            .map_err(|e| bad(e.to_string()))?;
        Ok(Screening {
            at: stamp(raw.at.0, raw.at.1),
            areas,
            answers: serde_json::from_str(&raw.answers).map_err(|e| bad(e.to_string()))?,
            verdict: ScreeningVerdict::parse(&raw.verdict)
                .ok_or_else(|| bad(format!("unknown verdict `{}`", raw.verdict)))?,
            assessed: raw.assessed,
            since: since
                .into_iter()
                .map(|(id, (at, off))| (id, stamp(at, off)))
                .collect(),
        })
    }

    pub(crate) fn write_clearance(
        &mut self,
        user: &UserId,
        c: &Clearance,
    ) -> Result<(), StoreError> {
        self.c
            .execute(
                "INSERT INTO clearances (user_id, sign, at, at_offset, cleared_by)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&user.as_str(), &c.sign, &c.at.utc_s, &c.at.offset_s, &c.by],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub(crate) fn read_clearances(&mut self, user: &UserId) -> Result<Vec<Clearance>, StoreError> {
        self.c
            .query(
                r#"SELECT sign, at, at_offset, cleared_by FROM clearances WHERE user_id = $1
                   ORDER BY at, sign COLLATE "C", id"#,
                &[&user.as_str()],
            )
            .and_then(|rows| {
                rows.iter()
                    .map(|r| {
                        Ok(Clearance {
                            sign: r.try_get(0)?,
                            at: stamp(r.try_get(1)?, r.try_get(2)?),
                            by: r.try_get(3)?,
                        })
                    })
                    .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Every exercise logged as hurt in a session started at `since` or later, once per
    /// session, oldest first.
    pub(crate) fn read_hurts(
        &mut self,
        user: &UserId,
        since: Stamp,
    ) -> Result<Vec<Hurt>, StoreError> {
        self.c
            .query(
                "SELECT DISTINCT s.started_at, s.started_offset, s.id, t.exercise_id
                 FROM session_steps t
                 JOIN sessions s ON s.user_id = t.user_id AND s.id = t.session_id
                 WHERE s.user_id = $1 AND s.started_at >= $2
                   AND t.outcome = 'hurt' AND t.exercise_id IS NOT NULL
                 ORDER BY s.started_at, s.id, t.exercise_id",
                &[&user.as_str(), &since.utc_s],
            )
            .and_then(|rows| {
                rows.iter()
                    .map(|r| {
                        Ok(Hurt {
                            day: stamp(r.try_get(0)?, r.try_get(1)?).day(),
                            session: SessionId(r.try_get(2)?),
                            exercise: r.try_get(3)?,
                        })
                    })
                    .collect()
            })
            .map_err(|e| self.err(e))
    }
}
