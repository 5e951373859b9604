//! Sessions and their steps.

use std::collections::BTreeMap;

use backstretch_core::event::Change;
use backstretch_core::player::Outcome;
use backstretch_core::routine::Routine;
use backstretch_core::session::{
    Effort, Ending, LoggedSession, Rating, SessionId, SessionRecord, SessionSource, StepRecord,
    Tally,
};
use backstretch_core::stats::SessionFact;
use backstretch_core::time::Stamp;
use backstretch_core::timeline::{Side, StepKind};
use backstretch_store::{ImportCount, NewSession, Order, PainRecord, StoreError, UserId};
use postgres::types::ToSql;
use postgres::{GenericClient, Row};

use crate::{Db, stamp};

const SESSION_COLUMNS: &str = "s.id, s.uid, s.started_at, s.started_offset, s.ended_at, s.ended_offset, s.heartbeat_at, s.heartbeat_offset, s.source, s.routine::text, s.planned_s, s.pain_before, s.pain_after, s.outcome, s.pid, s.settled";
const STEP_COLUMNS: &str = "t.step, t.kind, t.exercise_id, t.side, t.rep, t.planned_s, t.done_ms, t.outcome, t.at, t.at_offset, t.rated, t.effort";

/// A step's row, unless it is already logged: under the same report number, or as the same
/// moment (the same step, second and time done: "it hurts", back, back, "it hurts" within a
/// second). The session row is locked by the caller (its heartbeat moved first), so two
/// calls for one session never both find the moment missing.
const INSERT_STEP: &str = "INSERT INTO session_steps (user_id, session_id, step, kind, exercise_id, side, rep, planned_s, done_ms, outcome, at, at_offset, report, rated, effort)
     SELECT $1::text, $2::bigint, $3::bigint, $4::text, $5::text, $6::text, $7::bigint, $8::bigint, $9::bigint, $10::text, $11::bigint, $12::integer, $13::bigint, $14::text, $15::text
     WHERE NOT EXISTS (SELECT 1 FROM session_steps
                       WHERE user_id = $1 AND session_id = $2 AND step = $3 AND at = $11 AND done_ms = $9)
     ON CONFLICT (session_id, report) WHERE report IS NOT NULL DO NOTHING";

/// A session row as PostgreSQL gives it, before its words, JSON and counts are checked.
struct RawSession {
    id: i64,
    uid: String,
    started: (i64, i32),
    ended: (Option<i64>, Option<i32>),
    heartbeat: (i64, i32),
    source: String,
    routine: String,
    planned_s: i64,
    pain_before: Option<i16>,
    pain_after: Option<i16>,
    outcome: Option<String>,
    pid: Option<i64>,
    settled: Option<bool>,
}

fn raw_session(r: &Row) -> Result<RawSession, postgres::Error> {
    Ok(RawSession {
        id: r.try_get(0)?,
        uid: r.try_get(1)?,
        started: (r.try_get(2)?, r.try_get(3)?),
        ended: (r.try_get(4)?, r.try_get(5)?),
        heartbeat: (r.try_get(6)?, r.try_get(7)?),
        source: r.try_get(8)?,
        routine: r.try_get(9)?,
        planned_s: r.try_get(10)?,
        pain_before: r.try_get(11)?,
        pain_after: r.try_get(12)?,
        outcome: r.try_get(13)?,
        pid: r.try_get(14)?,
        settled: r.try_get(15)?,
    })
}

/// A step row, from column `at` on.
struct RawStep {
    step: i64,
    kind: String,
    exercise_id: Option<String>,
    side: Option<String>,
    rep: i64,
    planned_s: i64,
    done_ms: i64,
    outcome: String,
    at: (i64, i32),
    rated: Option<(String, String)>,
}

fn raw_step(r: &Row, at: usize) -> Result<RawStep, postgres::Error> {
    Ok(RawStep {
        step: r.try_get(at)?,
        kind: r.try_get(at + 1)?,
        exercise_id: r.try_get(at + 2)?,
        side: r.try_get(at + 3)?,
        rep: r.try_get(at + 4)?,
        planned_s: r.try_get(at + 5)?,
        done_ms: r.try_get(at + 6)?,
        outcome: r.try_get(at + 7)?,
        at: (r.try_get(at + 8)?, r.try_get(at + 9)?),
        rated: match (r.try_get(at + 10)?, r.try_get(at + 11)?) {
            (Some(id), Some(effort)) => Some((id, effort)),
            _ => None,
        },
    })
}

/// A pain score as stored (`smallint`) and as sent.
fn pain(p: Option<u8>) -> Option<i16> {
    p.map(i16::from)
}

impl<C: GenericClient> Db<'_, C> {
    fn session_of(&self, raw: RawSession) -> Result<SessionRecord, StoreError> {
        let bad = |d: String| self.corrupt("session", &format!("session {}: {d}", raw.uid));
        let routine: Routine =
            serde_json::from_str(&raw.routine).map_err(|e| bad(format!("routine: {e}")))?;
        let source = SessionSource::parse(&raw.source)
            .ok_or_else(|| bad(format!("unknown source `{}`", raw.source)))?;
        let outcome = match &raw.outcome {
            None => None,
            Some(o) => Some(Ending::parse(o).ok_or_else(|| bad(format!("unknown outcome `{o}`")))?),
        };
        let ended_at = match raw.ended {
            (Some(t), Some(o)) => Some(stamp(t, o)),
            _ => None,
        };
        let score = |p: Option<i16>| {
            p.map(|p| u8::try_from(p).map_err(|_| bad(format!("pain {p}"))))
                .transpose()
        };
        Ok(SessionRecord {
            id: SessionId(raw.id),
            started_at: stamp(raw.started.0, raw.started.1),
            ended_at,
            heartbeat_at: stamp(raw.heartbeat.0, raw.heartbeat.1),
            source,
            routine,
            planned_s: self.count("session", raw.planned_s)?,
            pain_before: score(raw.pain_before)?,
            pain_after: score(raw.pain_after)?,
            outcome,
            pid: raw.pid.map(|p| self.count("session", p)).transpose()?,
            settled: raw.settled,
            uid: raw.uid,
        })
    }

    fn step_of(&self, raw: RawStep) -> Result<StepRecord, StoreError> {
        let bad = |d: String| self.corrupt("step", &format!("step {}: {d}", raw.step));
        let side = match &raw.side {
            None => None,
            Some(s) => Some(Side::parse(s).ok_or_else(|| bad(format!("unknown side `{s}`")))?),
        };
        Ok(StepRecord {
            step: self.count("step", raw.step)?,
            kind: StepKind::parse(&raw.kind)
                .ok_or_else(|| bad(format!("unknown kind `{}`", raw.kind)))?,
            side,
            rep: self.count("step", raw.rep)?,
            planned_s: self.count("step", raw.planned_s)?,
            done_ms: u64::try_from(raw.done_ms).map_err(|e| bad(e.to_string()))?,
            outcome: Outcome::parse(&raw.outcome)
                .ok_or_else(|| bad(format!("unknown outcome `{}`", raw.outcome)))?,
            at: stamp(raw.at.0, raw.at.1),
            exercise_id: raw.exercise_id,
            rating: match raw.rated {
                None => None,
                Some((id, e)) => Some(Rating {
                    effort: Effort::parse(&e)
                        .ok_or_else(|| bad(format!("unknown effort `{e}`")))?,
                    exercise_id: id,
                }),
            },
        })
    }

    pub(crate) fn insert_session(
        &mut self,
        user: &UserId,
        s: &NewSession<'_>,
    ) -> Result<SessionId, StoreError> {
        let routine = serde_json::to_string(s.routine).map_err(|e| self.corrupt("routine", &e))?;
        self.c
            .query_one(
                "INSERT INTO sessions (user_id, uid, started_at, started_offset, heartbeat_at,
                                       heartbeat_offset, source, routine, planned_s, pain_before, pid,
                                       desk_break, hold_s)
                 VALUES ($1, $2, $3, $4, $3, $4, $5, $6::text::json, $7, $8, $9, $10, $11)
                 RETURNING id",
                &[
                    &user.as_str(),
                    &s.uid,
                    &s.started_at.utc_s,
                    &s.started_at.offset_s,
                    &s.source.as_str(),
                    &routine,
                    &i64::from(s.planned_s),
                    &pain(s.pain_before),
                    &s.pid.map(i64::from),
                    &s.routine.profile.desk_break,
                    &i64::from(s.routine.hold_s()),
                ],
            )
            .and_then(|r| r.try_get(0))
            .map(SessionId)
            .map_err(|e| self.err(e))
    }

    /// Moves the heartbeat (which locks the session's row, and finds it the user's), then
    /// inserts the step.
    pub(crate) fn insert_step(
        &mut self,
        user: &UserId,
        id: SessionId,
        step: &StepRecord,
    ) -> Result<bool, StoreError> {
        self.set_heartbeat(user, id, step.at)?;
        self.insert_row(user, id, step, None)
    }

    /// Inserts a step's row (the session known to be the user's), unless it is already
    /// logged ([`INSERT_STEP`]). True when a row was added.
    pub(crate) fn insert_row(
        &mut self,
        user: &UserId,
        id: SessionId,
        step: &StepRecord,
        report: Option<u32>,
    ) -> Result<bool, StoreError> {
        self.insert_counted(user, id, step, report, None)
    }

    /// [`Db::insert_row`], given the session's tally when the caller has just read it
    /// (with the session's row locked), so it is not read again.
    pub(crate) fn insert_counted(
        &mut self,
        user: &UserId,
        id: SessionId,
        step: &StepRecord,
        report: Option<u32>,
        tally: Option<Tally>,
    ) -> Result<bool, StoreError> {
        let n = self
            .c
            .execute(
                INSERT_STEP,
                &[
                    &user.as_str(),
                    &id.0,
                    &i64::from(step.step),
                    &step.kind.as_str(),
                    &step.exercise_id,
                    &step.side.map(Side::as_str),
                    &i64::from(step.rep),
                    &i64::from(step.planned_s),
                    &i64::try_from(step.done_ms).unwrap_or(i64::MAX),
                    &step.outcome.as_str(),
                    &step.at.utc_s,
                    &step.at.offset_s,
                    &report.map(i64::from),
                    &step.rating.as_ref().map(|r| r.exercise_id.as_str()),
                    &step.rating.as_ref().map(|r| r.effort.as_str()),
                ],
            )
            .map_err(|e| self.err(e))?;
        if n == 1 {
            self.count_in_tally(user, id, step, tally)?;
        }
        Ok(n == 1)
    }

    /// A session's tally as stored.
    pub(crate) fn parse_tally(&self, text: &str) -> Result<Tally, StoreError> {
        serde_json::from_str(text).map_err(|e| self.corrupt("a session's tally", &e))
    }

    /// Counts a step just added in its session's tally (the session row is locked by the
    /// caller, so two steps never count over each other); read here unless given.
    fn count_in_tally(
        &mut self,
        user: &UserId,
        id: SessionId,
        step: &StepRecord,
        tally: Option<Tally>,
    ) -> Result<(), StoreError> {
        let mut tally = match tally {
            Some(t) => t,
            None => {
                let row = self
                    .c
                    .query_one(
                        "SELECT tally::text FROM sessions WHERE user_id = $1 AND id = $2",
                        &[&user.as_str(), &id.0],
                    )
                    .map_err(|e| self.err(e))?;
                self.parse_tally(row.get(0))?
            }
        };
        tally.add(step);
        let text =
            serde_json::to_string(&tally).map_err(|e| self.corrupt("a session's tally", &e))?;
        self.c
            .execute(
                "UPDATE sessions SET tally = $3::text::json WHERE user_id = $1 AND id = $2",
                &[&user.as_str(), &id.0, &text],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The facts of every session, newest first, from each session's row alone.
    pub(crate) fn session_facts(&mut self, user: &UserId) -> Result<Vec<SessionFact>, StoreError> {
        let rows = self
            .c
            .query(
                "SELECT started_at, started_offset, pain_before, pain_after, outcome, tally::text,
                        desk_break, settled, hold_s
                 FROM sessions WHERE user_id = $1 ORDER BY started_at DESC, id DESC",
                &[&user.as_str()],
            )
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                let bad = |d: String| self.corrupt("session", &d);
                let score = |p: Option<i16>| {
                    p.map(|p| u8::try_from(p).map_err(|_| bad(format!("pain {p}"))))
                        .transpose()
                };
                let outcome: Option<String> = r.get(4);
                let outcome = outcome
                    .map(|o| Ending::parse(&o).ok_or_else(|| bad(format!("unknown outcome `{o}`"))))
                    .transpose()?;
                let tally: Tally =
                    serde_json::from_str(r.get(5)).map_err(|e| bad(format!("tally: {e}")))?;
                let hold_s: i64 = r.get(8);
                Ok(SessionFact {
                    desk_break: r.get(6),
                    settled: r.get(7),
                    ..SessionFact::new(
                        stamp(r.get(0), r.get(1)),
                        (score(r.get(2))?, score(r.get(3))?),
                        outcome,
                        &tally.summary(),
                        self.count("session", hold_s)?,
                    )
                })
            })
            .collect()
    }

    /// Writes steps each sent under a report number, in the caller's transaction. Each
    /// session is checked (and its row locked, its heartbeat moved to its latest step) once,
    /// in id order, so two batches never wait on each other; each step is inserted under a
    /// savepoint, so a step that fails fails alone.
    pub(crate) fn log_steps_once(
        &mut self,
        user: &UserId,
        steps: &[(SessionId, u32, &StepRecord)],
    ) -> Result<Vec<Result<bool, StoreError>>, StoreError> {
        self.lock_own_series(user)?;
        let mut latest: BTreeMap<i64, Stamp> = BTreeMap::new();
        for (id, _, step) in steps {
            let at = latest.entry(id.0).or_insert(step.at);
            if step.at.utc_s >= at.utc_s {
                *at = step.at;
            }
        }
        let mut known: BTreeMap<i64, bool> = BTreeMap::new();
        for (id, at) in latest {
            match self.set_heartbeat(user, SessionId(id), at) {
                Ok(()) => known.insert(id, true),
                Err(StoreError::NotFound { .. }) => known.insert(id, false),
                Err(e) => return Err(e),
            };
        }
        let mut out = Vec::with_capacity(steps.len());
        for (id, report, step) in steps {
            if !known[&id.0] {
                out.push(Err(StoreError::no_session(*id)));
                continue;
            }
            let log = self.log;
            let (client, statements) = self.c.parts();
            let mut sp = client.transaction().map_err(|e| crate::classify(log, e))?;
            let written = Db {
                c: crate::cached::Cached::new(&mut sp, statements),
                log,
            }
            .insert_row(user, *id, step, Some(*report));
            let ended = if written.is_ok() {
                sp.commit()
            } else {
                sp.rollback()
            };
            ended.map_err(|e| crate::classify(log, e))?;
            if let Ok(true) = written {
                let change = Change::StepLogged {
                    session: self.session_uid(user, *id)?,
                    report: Some(*report),
                    step: (*step).clone(),
                };
                self.append(user, change)?;
            }
            out.push(written);
        }
        Ok(out)
    }

    pub(crate) fn set_heartbeat(
        &mut self,
        user: &UserId,
        id: SessionId,
        at: Stamp,
    ) -> Result<(), StoreError> {
        let n = self
            .c
            .execute(
                "UPDATE sessions SET heartbeat_at = $3, heartbeat_offset = $4
                 WHERE id = $1 AND user_id = $2",
                &[&id.0, &user.as_str(), &at.utc_s, &at.offset_s],
            )
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::no_session(id));
        }
        Ok(())
    }

    pub(crate) fn end_session(
        &mut self,
        user: &UserId,
        id: SessionId,
        ended_at: Stamp,
        pain_after: Option<u8>,
        ending: Ending,
    ) -> Result<(), StoreError> {
        let n = self
            .c
            .execute(
                "UPDATE sessions SET ended_at = $3, ended_offset = $4, heartbeat_at = $3,
                        heartbeat_offset = $4, pain_after = $5, outcome = $6
                 WHERE id = $1 AND user_id = $2",
                &[
                    &id.0,
                    &user.as_str(),
                    &ended_at.utc_s,
                    &ended_at.offset_s,
                    &pain(pain_after),
                    &ending.as_str(),
                ],
            )
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::no_session(id));
        }
        Ok(())
    }

    /// Every session with its steps (those started at `since` or later, when given) in one
    /// query: sessions newest first, steps in order.
    pub(crate) fn sessions_from(
        &mut self,
        user: &UserId,
        since: Option<Stamp>,
    ) -> Result<Vec<LoggedSession>, StoreError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS}, t.seq, {STEP_COLUMNS}
             FROM sessions s
             LEFT JOIN session_steps t ON t.user_id = s.user_id AND t.session_id = s.id
             WHERE s.user_id = $1 AND s.started_at >= $2
             ORDER BY s.started_at DESC, s.id DESC, t.seq"
        );
        let since = since.map_or(i64::MIN, |t| t.utc_s);
        let rows = self
            .c
            .query(&sql, &[&user.as_str(), &since])
            .map_err(|e| self.err(e))?;
        self.gather(&rows)
    }

    /// Up to `limit` sessions with their steps in `order`, from just past `from` (a session's
    /// start and id, as the last page ended) or from the first (or newest): one page of the log.
    pub(crate) fn sessions_page(
        &mut self,
        user: &UserId,
        from: Option<(Stamp, SessionId)>,
        limit: usize,
        order: Order,
    ) -> Result<Vec<LoggedSession>, StoreError> {
        let (past, dir, edge) = match order {
            Order::OldestFirst => (">", "", i64::MIN),
            Order::NewestFirst => ("<", " DESC", i64::MAX),
        };
        let sql = format!(
            "SELECT {SESSION_COLUMNS}, t.seq, {STEP_COLUMNS}
             FROM (SELECT * FROM sessions
                   WHERE user_id = $1 AND (started_at, id) {past} ($2, $3)
                   ORDER BY started_at{dir}, id{dir} LIMIT $4) s
             LEFT JOIN session_steps t ON t.user_id = s.user_id AND t.session_id = s.id
             ORDER BY s.started_at{dir}, s.id{dir}, t.seq"
        );
        let (at, id) = from.map_or((edge, edge), |(t, id)| (t.utc_s, id.0));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .c
            .query(&sql, &[&user.as_str(), &at, &id, &limit])
            .map_err(|e| self.err(e))?;
        self.gather(&rows)
    }

    /// Sessions and their steps from rows of a session's columns, then `t.seq` and a step's
    /// columns, in the order the rows come.
    fn gather(&self, rows: &[Row]) -> Result<Vec<LoggedSession>, StoreError> {
        let mut out: Vec<LoggedSession> = Vec::new();
        for r in rows {
            let id: i64 = r.try_get(0).map_err(|e| self.err(e))?;
            if out.last().is_none_or(|l| l.session.id.0 != id) {
                let raw = raw_session(r).map_err(|e| self.err(e))?;
                out.push(LoggedSession {
                    session: self.session_of(raw)?,
                    steps: Vec::new(),
                });
            }
            let seq: Option<i64> = r.try_get(16).map_err(|e| self.err(e))?;
            if seq.is_some() {
                let raw = raw_step(r, 17).map_err(|e| self.err(e))?;
                let step = self.step_of(raw)?;
                if let Some(l) = out.last_mut() {
                    l.steps.push(step);
                }
            }
        }
        Ok(out)
    }

    pub(crate) fn session_steps(
        &mut self,
        user: &UserId,
        id: SessionId,
    ) -> Result<Vec<StepRecord>, StoreError> {
        let sql = format!(
            "SELECT {STEP_COLUMNS} FROM session_steps t
             WHERE t.user_id = $1 AND t.session_id = $2 ORDER BY t.seq"
        );
        let rows = self
            .c
            .query(&sql, &[&user.as_str(), &id.0])
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                let raw = raw_step(r, 0).map_err(|e| self.err(e))?;
                self.step_of(raw)
            })
            .collect()
    }

    /// The one session a query of the sessions table (`s`) picks, if any.
    fn pick(
        &mut self,
        filter: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE {filter}");
        let raw = self
            .c
            .query_opt(&sql, params)
            .and_then(|r| r.as_ref().map(raw_session).transpose())
            .map_err(|e| self.err(e))?;
        raw.map(|r| self.session_of(r)).transpose()
    }

    pub(crate) fn one_session(
        &mut self,
        user: &UserId,
        id: SessionId,
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.pick("s.user_id = $1 AND s.id = $2", &[&user.as_str(), &id.0])
    }

    pub(crate) fn newest_unfinished(
        &mut self,
        user: &UserId,
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.pick(
            "s.user_id = $1 AND s.outcome IS NULL ORDER BY s.started_at DESC, s.id DESC LIMIT 1",
            &[&user.as_str()],
        )
    }

    /// The newest session that ended with a pain score before and after.
    pub(crate) fn newest_rated(
        &mut self,
        user: &UserId,
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.pick(
            "s.user_id = $1 AND s.outcome IS NOT NULL
               AND s.pain_before IS NOT NULL AND s.pain_after IS NOT NULL
             ORDER BY s.started_at DESC, s.id DESC LIMIT 1",
            &[&user.as_str()],
        )
    }

    /// Every session's pain scores (from `since` on, when given), oldest first, from the
    /// index that covers them.
    pub(crate) fn pain_history(
        &mut self,
        user: &UserId,
        since: Option<Stamp>,
    ) -> Result<Vec<PainRecord>, StoreError> {
        let since = since.map_or(i64::MIN, |t| t.utc_s);
        let rows = self
            .c
            .query(
                "SELECT started_at, started_offset, pain_before, pain_after, settled,
                        outcome IS NOT NULL
                 FROM sessions WHERE user_id = $1 AND started_at >= $2 ORDER BY started_at, id",
                &[&user.as_str(), &since],
            )
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                let raw = (|| {
                    let scores: (Option<i16>, Option<i16>) = (r.try_get(2)?, r.try_get(3)?);
                    Ok((
                        stamp(r.try_get(0)?, r.try_get(1)?),
                        scores,
                        r.try_get(4)?,
                        r.try_get(5)?,
                    ))
                })()
                .map_err(|e| self.err(e))?;
                let (started_at, (before, after), settled, ended) = raw;
                let score = |p: Option<i16>| {
                    p.map(|p| {
                        u8::try_from(p).map_err(|_| self.corrupt("session", &format!("pain {p}")))
                    })
                    .transpose()
                };
                Ok(PainRecord {
                    started_at,
                    pain_before: score(before)?,
                    pain_after: score(after)?,
                    settled,
                    ended,
                })
            })
            .collect()
    }

    /// Up to `limit` pain-before scores, oldest or newest first, from the index.
    pub(crate) fn pain_befores(
        &mut self,
        user: &UserId,
        newest_first: bool,
        limit: usize,
    ) -> Result<Vec<u8>, StoreError> {
        let sql = if newest_first {
            "SELECT pain_before FROM sessions WHERE user_id = $1 AND pain_before IS NOT NULL
             ORDER BY started_at DESC, id DESC LIMIT $2"
        } else {
            "SELECT pain_before FROM sessions WHERE user_id = $1 AND pain_before IS NOT NULL
             ORDER BY started_at, id LIMIT $2"
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .c
            .query(sql, &[&user.as_str(), &limit])
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                let p: i16 = r.try_get(0).map_err(|e| self.err(e))?;
                u8::try_from(p).map_err(|_| self.corrupt("session", &format!("pain {p}")))
            })
            .collect()
    }

    /// Adds sessions as they come, in the caller's one transaction (so the import is all or
    /// nothing, and other writers are never held up: PostgreSQL locks rows, not the log),
    /// skipping any whose uid the user already has.
    pub(crate) fn import_sessions(
        &mut self,
        user: &UserId,
        sessions: &mut dyn Iterator<Item = Result<LoggedSession, StoreError>>,
    ) -> Result<ImportCount, StoreError> {
        self.lock_own_series(user)?;
        let mut count = ImportCount::default();
        for l in sessions {
            let l = l?;
            if self.import_one(user, &l)? {
                let id = self
                    .session_by_uid(user, &l.session.uid)?
                    .ok_or_else(|| StoreError::no_session(SessionId(0)))?;
                let change = self.whole(user, id)?;
                self.append(user, change)?;
                count.added += 1;
            } else {
                count.skipped += 1;
            }
        }
        Ok(count)
    }

    /// One imported session, whole, with its end, follow-up and heartbeat as exported (an
    /// outcome is kept only with its end); false when its uid is already the user's. A
    /// parallel import of the same uid waits for this one's transaction, then skips it.
    pub(crate) fn import_one(
        &mut self,
        user: &UserId,
        l: &LoggedSession,
    ) -> Result<bool, StoreError> {
        let s = &l.session;
        let routine = serde_json::to_string(&s.routine).map_err(|e| self.corrupt("routine", &e))?;
        let outcome = s.ended_at.and(s.outcome).map(Ending::as_str);
        let id: Option<i64> = self
            .c
            .query_opt(
                "INSERT INTO sessions (user_id, uid, started_at, started_offset, ended_at,
                     ended_offset, heartbeat_at, heartbeat_offset, source, routine, planned_s,
                     pain_before, pain_after, outcome, settled, desk_break, hold_s)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::json, $11, $12, $13,
                         $14, $15, $16, $17)
                 ON CONFLICT (user_id, uid) DO NOTHING
                 RETURNING id",
                &[
                    &user.as_str(),
                    &s.uid,
                    &s.started_at.utc_s,
                    &s.started_at.offset_s,
                    &s.ended_at.map(|t| t.utc_s),
                    &s.ended_at.map(|t| t.offset_s),
                    &s.heartbeat_at.utc_s,
                    &s.heartbeat_at.offset_s,
                    &s.source.as_str(),
                    &routine,
                    &i64::from(s.planned_s),
                    &pain(s.pain_before),
                    &pain(s.pain_after),
                    &outcome,
                    &s.settled,
                    &s.routine.profile.desk_break,
                    &i64::from(s.routine.hold_s()),
                ],
            )
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .map_err(|e| self.err(e))?;
        let Some(id) = id else {
            return Ok(false);
        };
        for st in &l.steps {
            self.insert_row(user, SessionId(id), st, None)?;
        }
        Ok(true)
    }
}
