//! Sessions and their steps.

use backstretch_core::player::Outcome;
use backstretch_core::routine::Routine;
use backstretch_core::session::{
    Effort, Ending, LoggedSession, Rating, SessionId, SessionRecord, SessionSource, StepRecord,
    Tally,
};
use backstretch_core::stats::SessionFact;
use backstretch_core::time::Stamp;
use backstretch_core::timeline::{Side, StepKind};
use rusqlite::{OptionalExtension, Row, params};

use super::{Db, stamp};
use crate::{ImportCount, NewSession, Order, PainRecord, StoreError, UserId};

const SESSION_COLUMNS: &str = "s.id, s.uid, s.started_at, s.started_offset, s.ended_at, s.ended_offset, s.heartbeat_at, s.heartbeat_offset, s.source, s.routine, s.planned_s, s.pain_before, s.pain_after, s.outcome, s.pid, s.settled";
const STEP_COLUMNS: &str = "t.step, t.kind, t.exercise_id, t.side, t.rep, t.planned_s, t.done_ms, t.outcome, t.at, t.at_offset, t.rated, t.effort";

/// A session row as SQLite gives it, before its words and JSON are checked.
struct RawSession {
    id: i64,
    uid: String,
    started: (i64, i32),
    ended: (Option<i64>, Option<i32>),
    heartbeat: (i64, i32),
    source: String,
    routine: String,
    planned_s: u32,
    pain_before: Option<u8>,
    pain_after: Option<u8>,
    outcome: Option<String>,
    pid: Option<u32>,
    settled: Option<bool>,
}

fn raw_session(r: &Row<'_>) -> rusqlite::Result<RawSession> {
    Ok(RawSession {
        id: r.get(0)?,
        uid: r.get(1)?,
        started: (r.get(2)?, r.get(3)?),
        ended: (r.get(4)?, r.get(5)?),
        heartbeat: (r.get(6)?, r.get(7)?),
        source: r.get(8)?,
        routine: r.get(9)?,
        planned_s: r.get(10)?,
        pain_before: r.get(11)?,
        pain_after: r.get(12)?,
        outcome: r.get(13)?,
        pid: r.get(14)?,
        settled: r.get(15)?,
    })
}

/// A step row, from column `at` on.
struct RawStep {
    step: u32,
    kind: String,
    exercise_id: Option<String>,
    side: Option<String>,
    rep: u32,
    planned_s: u32,
    done_ms: i64,
    outcome: String,
    at: (i64, i32),
    rated: Option<(String, String)>,
}

fn raw_step(r: &Row<'_>, at: usize) -> rusqlite::Result<RawStep> {
    Ok(RawStep {
        step: r.get(at)?,
        kind: r.get(at + 1)?,
        exercise_id: r.get(at + 2)?,
        side: r.get(at + 3)?,
        rep: r.get(at + 4)?,
        planned_s: r.get(at + 5)?,
        done_ms: r.get(at + 6)?,
        outcome: r.get(at + 7)?,
        at: (r.get(at + 8)?, r.get(at + 9)?),
        rated: match (r.get(at + 10)?, r.get(at + 11)?) {
            (Some(id), Some(effort)) => Some((id, effort)),
            _ => None,
        },
    })
}

impl Db<'_> {
    fn session_of(&self, raw: &RawSession) -> Result<SessionRecord, StoreError> {
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
        Ok(SessionRecord {
            id: SessionId(raw.id),
            uid: raw.uid.clone(),
            started_at: stamp(raw.started.0, raw.started.1),
            ended_at,
            heartbeat_at: stamp(raw.heartbeat.0, raw.heartbeat.1),
            source,
            routine,
            planned_s: raw.planned_s,
            pain_before: raw.pain_before,
            pain_after: raw.pain_after,
            outcome,
            pid: raw.pid,
            settled: raw.settled,
        })
    }

    fn step_of(&self, raw: &RawStep) -> Result<StepRecord, StoreError> {
        let bad = |d: String| self.corrupt("step", &format!("step {}: {d}", raw.step));
        let side = match &raw.side {
            None => None,
            Some(s) => Some(Side::parse(s).ok_or_else(|| bad(format!("unknown side `{s}`")))?),
        };
        Ok(StepRecord {
            step: raw.step,
            kind: StepKind::parse(&raw.kind)
                .ok_or_else(|| bad(format!("unknown kind `{}`", raw.kind)))?,
            exercise_id: raw.exercise_id.clone(),
            side,
            rep: raw.rep,
            planned_s: raw.planned_s,
            done_ms: u64::try_from(raw.done_ms).map_err(|e| bad(e.to_string()))?,
            outcome: Outcome::parse(&raw.outcome)
                .ok_or_else(|| bad(format!("unknown outcome `{}`", raw.outcome)))?,
            at: stamp(raw.at.0, raw.at.1),
            rating: match &raw.rated {
                None => None,
                Some((id, e)) => Some(Rating {
                    exercise_id: id.clone(),
                    effort: Effort::parse(e).ok_or_else(|| bad(format!("unknown effort `{e}`")))?,
                }),
            },
        })
    }

    pub(super) fn insert_session(
        &self,
        user: &UserId,
        s: &NewSession<'_>,
    ) -> Result<SessionId, StoreError> {
        let routine = serde_json::to_string(s.routine).map_err(|e| self.corrupt("routine", &e))?;
        self.conn
            .prepare_cached("INSERT INTO sessions (user_id, uid, started_at, started_offset, heartbeat_at, heartbeat_offset,
                                       source, routine, planned_s, pain_before, pid, desk_break, hold_s)
                 VALUES (?1, ?2, ?3, ?4, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)").and_then(|mut st| st.execute(
                params![
                    user.as_str(),
                    s.uid,
                    s.started_at.utc_s,
                    s.started_at.offset_s,
                    s.source.as_str(),
                    routine,
                    s.planned_s,
                    s.pain_before,
                    s.pid,
                    s.routine.profile.desk_break,
                    s.routine.hold_s()
                ],
            ))
            .map_err(|e| self.err(e))?;
        Ok(SessionId(self.conn.last_insert_rowid()))
    }

    /// Inserts a step and moves the heartbeat, inside the caller's transaction.
    pub(super) fn insert_step(
        &self,
        user: &UserId,
        id: SessionId,
        step: &StepRecord,
        report: Option<u32>,
    ) -> Result<bool, StoreError> {
        self.set_heartbeat(user, id, step.at)?;
        self.insert_row(id, step, report)
    }

    /// Inserts a step's row (the session known to be the user's); a report already logged
    /// is left as it is, and so is a step already logged at the same second with the same
    /// time done (the same moment reported twice: "it hurts", back, back, "it hurts" within a
    /// second). True when a row was added.
    pub(super) fn insert_row(
        &self,
        id: SessionId,
        step: &StepRecord,
        report: Option<u32>,
    ) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached("INSERT INTO session_steps (session_id, step, kind, exercise_id, side, rep, planned_s, done_ms, outcome, at, at_offset, report, rated, effort)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14
                 WHERE NOT EXISTS (SELECT 1 FROM session_steps
                                   WHERE session_id = ?1 AND step = ?2 AND at = ?10 AND done_ms = ?8)
                 ON CONFLICT (session_id, report) WHERE report IS NOT NULL DO NOTHING").and_then(|mut st| st.execute(
                params![
                    id.0,
                    step.step,
                    step.kind.as_str(),
                    step.exercise_id,
                    step.side.map(Side::as_str),
                    step.rep,
                    step.planned_s,
                    i64::try_from(step.done_ms).unwrap_or(i64::MAX),
                    step.outcome.as_str(),
                    step.at.utc_s,
                    step.at.offset_s,
                    report,
                    step.rating.as_ref().map(|r| r.exercise_id.as_str()),
                    step.rating.as_ref().map(|r| r.effort.as_str()),
                ],
            ))
            .map_err(|e| self.err(e))?;
        if n == 1 {
            self.count_in_tally(id, step)?;
        }
        Ok(n == 1)
    }

    /// Counts a step just added in its session's tally.
    fn count_in_tally(&self, id: SessionId, step: &StepRecord) -> Result<(), StoreError> {
        let mut tally = self.tally(id)?;
        tally.add(step);
        self.set_tally(id, &tally)
    }

    fn tally(&self, id: SessionId) -> Result<Tally, StoreError> {
        let text: String = self
            .conn
            .prepare_cached("SELECT tally FROM sessions WHERE id = ?1")
            .and_then(|mut st| st.query_row([id.0], |r| r.get(0)))
            .map_err(|e| self.err(e))?;
        serde_json::from_str(&text).map_err(|e| self.corrupt("a session's tally", &e))
    }

    fn set_tally(&self, id: SessionId, tally: &Tally) -> Result<(), StoreError> {
        let text =
            serde_json::to_string(tally).map_err(|e| self.corrupt("a session's tally", &e))?;
        self.conn
            .prepare_cached("UPDATE sessions SET tally = ?2 WHERE id = ?1")
            .and_then(|mut st| st.execute(params![id.0, text]))
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Fills in every session's tally from its steps (migration 0011).
    pub(super) fn fill_tallies(&self) -> Result<(), StoreError> {
        let sql = format!(
            "SELECT t.session_id, {STEP_COLUMNS} FROM session_steps t ORDER BY t.session_id, t.seq"
        );
        let mut st = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = st.query([]).map_err(|e| self.err(e))?;
        let mut current: Option<(i64, Tally)> = None;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let id: i64 = r.get(0).map_err(|e| self.err(e))?;
            let step = self.step_of(&raw_step(r, 1).map_err(|e| self.err(e))?)?;
            match &mut current {
                Some((at, tally)) if *at == id => tally.add(&step),
                _ => {
                    if let Some((at, tally)) = current.take() {
                        self.set_tally(SessionId(at), &tally)?;
                    }
                    let mut tally = Tally::default();
                    tally.add(&step);
                    current = Some((id, tally));
                }
            }
        }
        if let Some((at, tally)) = current {
            self.set_tally(SessionId(at), &tally)?;
        }
        Ok(())
    }

    /// Every session's planned seconds of holding, from its routine (the migration that
    /// added them).
    pub(super) fn fill_hold_s(&self) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT id, routine FROM sessions")
            .map_err(|e| self.err(e))?;
        let rows: Vec<(i64, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        for (id, text) in rows {
            let routine: Routine = serde_json::from_str(&text)
                .map_err(|e| self.corrupt("routine", &format!("session {id}: {e}")))?;
            self.conn
                .execute(
                    "UPDATE sessions SET hold_s = ?2 WHERE id = ?1",
                    params![id, routine.hold_s()],
                )
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// The facts of every session, newest first, from each session's row alone.
    pub(super) fn session_facts(&self, user: &UserId) -> Result<Vec<SessionFact>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT started_at, started_offset, pain_before, pain_after, outcome, tally,
                        desk_break, settled, hold_s
                 FROM sessions WHERE user_id = ?1 ORDER BY started_at DESC, id DESC",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = st.query([user.as_str()]).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let get = |e| self.err(e);
            let started = stamp(r.get(0).map_err(get)?, r.get(1).map_err(get)?);
            let pains = (r.get(2).map_err(get)?, r.get(3).map_err(get)?);
            let outcome: Option<String> = r.get(4).map_err(get)?;
            let outcome = outcome
                .map(|o| Ending::parse(&o).ok_or_else(|| self.corrupt("a session's outcome", &o)))
                .transpose()?;
            let tally: Tally = serde_json::from_str(&r.get::<_, String>(5).map_err(get)?)
                .map_err(|e| self.corrupt("a session's tally", &e))?;
            out.push(SessionFact {
                desk_break: r.get(6).map_err(get)?,
                settled: r.get(7).map_err(get)?,
                ..SessionFact::new(
                    started,
                    pains,
                    outcome,
                    &tally.summary(),
                    r.get(8).map_err(get)?,
                )
            });
        }
        Ok(out)
    }

    pub(super) fn set_heartbeat(
        &self,
        user: &UserId,
        id: SessionId,
        at: Stamp,
    ) -> Result<(), StoreError> {
        let n = self.conn
            .prepare_cached("UPDATE sessions SET heartbeat_at = ?3, heartbeat_offset = ?4 WHERE id = ?1 AND user_id = ?2").and_then(|mut st| st.execute(
                params![id.0, user.as_str(), at.utc_s, at.offset_s],
            ))
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::no_session(id));
        }
        Ok(())
    }

    pub(super) fn end_session(
        &self,
        user: &UserId,
        id: SessionId,
        ended_at: Stamp,
        pain_after: Option<u8>,
        ending: Ending,
    ) -> Result<(), StoreError> {
        let n = self.conn
            .prepare_cached("UPDATE sessions SET ended_at = ?3, ended_offset = ?4, heartbeat_at = ?3, heartbeat_offset = ?4,
                        pain_after = ?5, outcome = ?6
                 WHERE id = ?1 AND user_id = ?2").and_then(|mut st| st.execute(
                params![
                    id.0,
                    user.as_str(),
                    ended_at.utc_s,
                    ended_at.offset_s,
                    pain_after,
                    ending.as_str()
                ],
            ))
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::no_session(id));
        }
        Ok(())
    }

    /// Every session with its steps (those started at `since` or later, when given) in one
    /// query: sessions newest first, steps in order.
    pub(super) fn sessions_from(
        &self,
        user: &UserId,
        since: Option<Stamp>,
    ) -> Result<Vec<LoggedSession>, StoreError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS}, t.seq, {STEP_COLUMNS}
             FROM sessions s LEFT JOIN session_steps t ON t.session_id = s.id
             WHERE s.user_id = ?1 AND s.started_at >= ?2
             ORDER BY s.started_at DESC, s.id DESC, t.seq"
        );
        let since = since.map_or(i64::MIN, |t| t.utc_s);
        let mut st = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = st
            .query(params![user.as_str(), since])
            .map_err(|e| self.err(e))?;
        self.gather(rows)
    }

    /// Up to `limit` sessions with their steps in `order`, from just past `from` (a session's
    /// start and id, as the last page ended) or from the first (or newest): one page of the log.
    pub(super) fn sessions_page(
        &self,
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
                   WHERE user_id = ?1 AND (started_at, id) {past} (?2, ?3)
                   ORDER BY started_at{dir}, id{dir} LIMIT ?4) s
             LEFT JOIN session_steps t ON t.session_id = s.id
             ORDER BY s.started_at{dir}, s.id{dir}, t.seq"
        );
        let (at, id) = from.map_or((edge, edge), |(t, id)| (t.utc_s, id.0));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut st = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = st
            .query(params![user.as_str(), at, id, limit])
            .map_err(|e| self.err(e))?;
        self.gather(rows)
    }

    /// Sessions and their steps from rows of a session's columns, then `t.seq` and a step's
    /// columns, in the order the rows come.
    fn gather(&self, mut rows: rusqlite::Rows<'_>) -> Result<Vec<LoggedSession>, StoreError> {
        let mut out: Vec<LoggedSession> = Vec::new();
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let id: i64 = r.get(0).map_err(|e| self.err(e))?;
            if out.last().is_none_or(|l| l.session.id.0 != id) {
                let raw = raw_session(r).map_err(|e| self.err(e))?;
                out.push(LoggedSession {
                    session: self.session_of(&raw)?,
                    steps: Vec::new(),
                });
            }
            let seq: Option<i64> = r.get(16).map_err(|e| self.err(e))?;
            if seq.is_some() {
                let raw = raw_step(r, 17).map_err(|e| self.err(e))?;
                let step = self.step_of(&raw)?;
                if let Some(l) = out.last_mut() {
                    l.steps.push(step);
                }
            }
        }
        Ok(out)
    }

    pub(super) fn session_steps(
        &self,
        user: &UserId,
        id: SessionId,
    ) -> Result<Vec<StepRecord>, StoreError> {
        let sql = format!(
            "SELECT {STEP_COLUMNS} FROM session_steps t JOIN sessions s ON s.id = t.session_id
             WHERE t.session_id = ?1 AND s.user_id = ?2 ORDER BY t.seq"
        );
        let mut st = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let raws = st
            .query_map(params![id.0, user.as_str()], |r| raw_step(r, 0))
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        raws.into_iter().map(|r| self.step_of(&r)).collect()
    }

    /// The one session a query of the sessions table (`s`) picks, by the user and maybe
    /// an id, if any.
    fn pick(
        &self,
        filter: &str,
        params: impl rusqlite::Params,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE {filter}");
        let raw = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut st| st.query_row(params, raw_session).optional())
            .map_err(|e| self.err(e))?;
        raw.map(|r| self.session_of(&r)).transpose()
    }

    pub(super) fn one_session(
        &self,
        user: &UserId,
        id: SessionId,
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.pick("s.id = ?1 AND s.user_id = ?2", params![id.0, user.as_str()])
    }

    pub(super) fn newest_unfinished(
        &self,
        user: &UserId,
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.pick(
            "s.user_id = ?1 AND s.outcome IS NULL ORDER BY s.started_at DESC, s.id DESC LIMIT 1",
            params![user.as_str()],
        )
    }

    /// The newest session that ended with a pain score before and after.
    pub(super) fn newest_rated(&self, user: &UserId) -> Result<Option<SessionRecord>, StoreError> {
        self.pick(
            "s.user_id = ?1 AND s.outcome IS NOT NULL
               AND s.pain_before IS NOT NULL AND s.pain_after IS NOT NULL
             ORDER BY s.started_at DESC, s.id DESC LIMIT 1",
            params![user.as_str()],
        )
    }

    /// Every session's pain scores (from `since` on, when given), oldest first: read from
    /// the index that covers them, never the rows with their routines and steps.
    pub(super) fn pain_history(
        &self,
        user: &UserId,
        since: Option<Stamp>,
    ) -> Result<Vec<PainRecord>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT started_at, started_offset, pain_before, pain_after, settled,
                        outcome IS NOT NULL
                 FROM sessions INDEXED BY sessions_pain
                 WHERE user_id = ?1 AND started_at >= ?2 ORDER BY started_at, id",
            )
            .map_err(|e| self.err(e))?;
        let since = since.map_or(i64::MIN, |t| t.utc_s);
        let rows = st
            .query_map(params![user.as_str(), since], |r| {
                Ok(PainRecord {
                    started_at: stamp(r.get(0)?, r.get(1)?),
                    pain_before: r.get(2)?,
                    pain_after: r.get(3)?,
                    settled: r.get(4)?,
                    ended: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Up to `limit` pain-before scores, oldest or newest first, read from the index.
    pub(super) fn pain_befores(
        &self,
        user: &UserId,
        newest_first: bool,
        limit: usize,
    ) -> Result<Vec<u8>, StoreError> {
        let sql = if newest_first {
            "SELECT pain_before FROM sessions INDEXED BY sessions_pain
             WHERE user_id = ?1 AND pain_before IS NOT NULL
             ORDER BY started_at DESC, id DESC LIMIT ?2"
        } else {
            "SELECT pain_before FROM sessions INDEXED BY sessions_pain
             WHERE user_id = ?1 AND pain_before IS NOT NULL
             ORDER BY started_at, id LIMIT ?2"
        };
        let mut st = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = st
            .query_map(params![user.as_str(), limit], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Imports in bounded transactions of [`IMPORT_CHUNK`] sessions, so a playing session's
    /// step commit waits at most one chunk, never the whole import; and stays all or nothing:
    /// when a chunk fails, the sessions the earlier chunks added are deleted again.
    /// The sessions come one at a time (memory holds one chunk); an error among them stops
    /// the import and undoes it.
    pub(super) fn import_sessions(
        &self,
        user: &UserId,
        sessions: &mut dyn Iterator<Item = Result<LoggedSession, StoreError>>,
    ) -> Result<ImportCount, StoreError> {
        let mut count = ImportCount::default();
        let mut added: (Vec<SessionId>, Vec<u64>) = (Vec::new(), Vec::new());
        let mut chunk = Vec::with_capacity(IMPORT_CHUNK);
        loop {
            chunk.clear();
            let next: Result<(), StoreError> = (&mut *sessions)
                .take(IMPORT_CHUNK)
                .try_for_each(|s| s.map(|s| chunk.push(s)));
            let done = chunk.len() < IMPORT_CHUNK;
            let written =
                next.and_then(|()| self.import_chunk(user, &chunk, &mut count, &mut added));
            if let Err(e) = written {
                self.undo_import(user, &added);
                return Err(e);
            }
            if done {
                return Ok(count);
            }
        }
    }

    fn import_chunk(
        &self,
        user: &UserId,
        chunk: &[LoggedSession],
        count: &mut ImportCount,
        added: &mut (Vec<SessionId>, Vec<u64>),
    ) -> Result<(), StoreError> {
        // IMMEDIATE: the existence checks and the inserts happen under one write lock, so
        // parallel imports of overlapping files never add a session twice.
        let tx = rusqlite::Transaction::new_unchecked(
            self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )
        .map_err(|e| self.err(e))?;
        let mut mine = Vec::new();
        let mut idxs = Vec::new();
        for l in chunk {
            let s = &l.session;
            let exists: bool = self
                .conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM sessions WHERE user_id = ?1 AND uid = ?2)",
                )
                .and_then(|mut st| st.query_row(params![user.as_str(), s.uid], |r| r.get(0)))
                .map_err(|e| self.err(e))?;
            if exists {
                count.skipped += 1;
                continue;
            }
            let id = self.insert_whole(user, l)?;
            idxs.push(self.append(user, self.whole(user, id)?)?);
            mine.push(id);
        }
        tx.commit().map_err(|e| self.err(e))?;
        count.added += mine.len();
        added.0.extend(mine);
        added.1.extend(idxs);
        Ok(())
    }

    /// A whole session as an import or an event carries it (its row id and process id are
    /// ignored; an outcome is kept only with its end), with its steps, end, settled answer
    /// and heartbeat as given.
    pub(super) fn insert_whole(
        &self,
        user: &UserId,
        l: &LoggedSession,
    ) -> Result<SessionId, StoreError> {
        let s = &l.session;
        let id = self.insert_session(
            user,
            &NewSession {
                uid: &s.uid,
                started_at: s.started_at,
                source: s.source,
                routine: &s.routine,
                planned_s: s.planned_s,
                pain_before: s.pain_before,
                pid: None,
            },
        )?;
        for st in &l.steps {
            self.insert_step(user, id, st, None)?;
        }
        let outcome = s.ended_at.and(s.outcome).map(Ending::as_str);
        self.conn
            .prepare_cached(
                "UPDATE sessions SET ended_at = ?2, ended_offset = ?3, pain_after = ?4,
                        outcome = ?5, settled = ?6, heartbeat_at = ?7, heartbeat_offset = ?8
                 WHERE id = ?1",
            )
            .and_then(|mut st| {
                st.execute(params![
                    id.0,
                    s.ended_at.map(|t| t.utc_s),
                    s.ended_at.map(|t| t.offset_s),
                    s.pain_after,
                    outcome,
                    s.settled,
                    s.heartbeat_at.utc_s,
                    s.heartbeat_at.offset_s
                ])
            })
            .map_err(|e| self.err(e))?;
        Ok(id)
    }

    /// The uid of the user's session `id`.
    pub(super) fn session_uid(&self, user: &UserId, id: SessionId) -> Result<String, StoreError> {
        self.conn
            .prepare_cached("SELECT uid FROM sessions WHERE id = ?1 AND user_id = ?2")
            .and_then(|mut st| {
                st.query_row(params![id.0, user.as_str()], |r| r.get(0))
                    .optional()
            })
            .map_err(|e| self.err(e))?
            .ok_or_else(|| StoreError::no_session(id))
    }

    /// When a session's settled answer was given, and by which device.
    pub(super) fn settled_writer(
        &self,
        user: &UserId,
        uid: &str,
    ) -> Result<Option<(Stamp, String)>, StoreError> {
        self.conn
            .query_row(
                "SELECT settled_at, COALESCE(settled_by, '') FROM sessions
                 WHERE user_id = ?1 AND uid = ?2 AND settled_at IS NOT NULL",
                params![user.as_str(), uid],
                |r| Ok((stamp(r.get(0)?, 0), r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The settled answer, unless one written later (by instant, then device) is here.
    pub(super) fn settle(
        &self,
        user: &UserId,
        uid: &str,
        settled: bool,
        (at, device): (Stamp, &str),
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE sessions SET settled = ?3, settled_at = ?4, settled_by = ?5
                 WHERE user_id = ?1 AND uid = ?2
                   AND (COALESCE(settled_at, -9223372036854775808), COALESCE(settled_by, ''))
                       <= (?4, ?5)",
            )
            .and_then(|mut st| st.execute(params![user.as_str(), uid, settled, at.utc_s, device]))
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// An end from another device: kept unless the session ended later here.
    pub(super) fn merge_end(
        &self,
        id: SessionId,
        ended_at: Stamp,
        pain_after: Option<u8>,
        ending: Ending,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE sessions SET ended_at = ?2, ended_offset = ?3, heartbeat_at = ?2,
                        heartbeat_offset = ?3, pain_after = ?4, outcome = ?5
                 WHERE id = ?1 AND (outcome IS NULL OR ended_at IS NULL OR ended_at <= ?2)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    id.0,
                    ended_at.utc_s,
                    ended_at.offset_s,
                    pain_after,
                    ending.as_str()
                ])
            })
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Deletes the sessions an import added before it failed (their steps go with them),
    /// and their events.
    fn undo_import(&self, user: &UserId, added: &(Vec<SessionId>, Vec<u64>)) {
        let _ = self.unappend(user, &added.1);
        for chunk in added.0.chunks(IMPORT_CHUNK) {
            let _ = (|| -> rusqlite::Result<()> {
                let tx = rusqlite::Transaction::new_unchecked(
                    self.conn,
                    rusqlite::TransactionBehavior::Immediate,
                )?;
                for id in chunk {
                    self.conn
                        .prepare_cached("DELETE FROM sessions WHERE id = ?1 AND user_id = ?2")?
                        .execute(params![id.0, user.as_str()])?;
                }
                tx.commit()
            })();
        }
    }
}

/// Sessions imported per transaction.
pub const IMPORT_CHUNK: usize = 100;
