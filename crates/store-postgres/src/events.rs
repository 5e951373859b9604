//! Sync events: the outbox every write appends to, and other devices' events merged in.

use std::collections::{BTreeSet, HashMap, HashSet};

use backstretch_core::event::{Change, Event};
use backstretch_core::exchange::Clearance;
use backstretch_core::session::{Ending, LoggedSession, SessionId};
use backstretch_core::time::Stamp;
use backstretch_store::{ApplyCount, NewSession, StoreError, UserId, event_uid};
use postgres::GenericClient;

use crate::{Db, stamp};

/// The first key of the advisory lock a device's series is appended under ("bkst"); the
/// second is a hash of the user and the device.
const SERIES_LOCK: i32 = 0x626b_7374;

impl<C: GenericClient> Db<'_, C> {
    /// This database's device id.
    pub(crate) fn device_id(&mut self) -> Result<String, StoreError> {
        self.c
            .query_one("SELECT id FROM device WHERE one = 1", &[])
            .and_then(|r| r.try_get(0))
            .map_err(|e| self.err(e))
    }

    /// Holds a device's series of a user until the transaction ends, so the next index read
    /// in it stays the next.
    pub(crate) fn lock_series(&mut self, user: &UserId, device: &str) -> Result<(), StoreError> {
        self.c
            .execute(
                "SELECT pg_advisory_xact_lock($1, hashtext($2 || '/' || $3))",
                &[&SERIES_LOCK, &user.as_str(), &device],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Holds this device's series of a user from now until the transaction ends: a write
    /// that takes row locks after its first event (an import, a batch of steps) takes it
    /// first, so it never waits for a row while holding the series another writer waits for.
    pub(crate) fn lock_own_series(&mut self, user: &UserId) -> Result<(), StoreError> {
        let device = self.device_id()?;
        self.lock_series(user, &device)
    }

    /// Appends this device's event of a change, in the caller's transaction.
    pub(crate) fn append(&mut self, user: &UserId, change: Change) -> Result<(), StoreError> {
        let device = self.device_id()?;
        self.lock_series(user, &device)?;
        let idx = self.head(user, &device)? + 1;
        let uid = event_uid(&change);
        self.keep(
            user,
            &Event {
                device,
                idx,
                uid,
                change,
            },
        )
    }

    /// The last index of a device's series (0 when it has none).
    fn head(&mut self, user: &UserId, device: &str) -> Result<u64, StoreError> {
        let idx: i64 = self
            .c
            .query_one(
                "SELECT COALESCE(MAX(idx), 0) FROM outbox WHERE user_id = $1 AND device = $2",
                &[&user.as_str(), &device],
            )
            .and_then(|r| r.try_get(0))
            .map_err(|e| self.err(e))?;
        u64::try_from(idx).map_err(|e| self.corrupt("event", &e))
    }

    fn keep(&mut self, user: &UserId, e: &Event) -> Result<(), StoreError> {
        let body = serde_json::to_string(&e.change).map_err(|err| self.corrupt("event", &err))?;
        let idx = i64::try_from(e.idx).map_err(|err| self.corrupt("event", &err))?;
        self.c
            .execute(
                "INSERT INTO outbox (user_id, device, idx, uid, kind, session, body, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7::text::json, $8)",
                &[
                    &user.as_str(),
                    &e.device,
                    &idx,
                    &e.uid,
                    &e.change.kind(),
                    &e.change.touches(),
                    &body,
                    &e.change.at().utc_s,
                ],
            )
            .map(|_| ())
            .map_err(|err| self.err(err))
    }

    pub(crate) fn read_events(
        &mut self,
        user: &UserId,
        device: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError> {
        let rows = self
            .c
            .query(
                "SELECT idx, uid, body::text FROM outbox
                 WHERE user_id = $1 AND device = $2 AND idx > $3 ORDER BY idx LIMIT $4",
                &[
                    &user.as_str(),
                    &device,
                    &i64::try_from(after).unwrap_or(i64::MAX),
                    &i64::try_from(limit).unwrap_or(i64::MAX),
                ],
            )
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                let raw = || -> Result<(i64, String, String), postgres::Error> {
                    Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
                };
                let (idx, uid, body) = raw().map_err(|e| self.err(e))?;
                Ok(Event {
                    device: device.to_string(),
                    idx: u64::try_from(idx).map_err(|e| self.corrupt("event", &e))?,
                    uid,
                    change: serde_json::from_str(&body).map_err(|e| self.corrupt("event", &e))?,
                })
            })
            .collect()
    }

    pub(crate) fn read_heads(&mut self, user: &UserId) -> Result<Vec<(String, u64)>, StoreError> {
        let rows = self
            .c
            .query(
                r#"SELECT device, MAX(idx) FROM outbox WHERE user_id = $1
                   GROUP BY device ORDER BY device COLLATE "C""#,
                &[&user.as_str()],
            )
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                let raw = || -> Result<(String, i64), postgres::Error> {
                    Ok((r.try_get(0)?, r.try_get(1)?))
                };
                let (device, idx) = raw().map_err(|e| self.err(e))?;
                Ok((
                    device,
                    u64::try_from(idx).map_err(|e| self.corrupt("event", &e))?,
                ))
            })
            .collect()
    }

    /// Keeps and merges other devices' events, in the caller's transaction, each series
    /// locked (in one order, so two calls never deadlock) until it ends.
    pub(crate) fn apply_events(
        &mut self,
        user: &UserId,
        events: &[Event],
    ) -> Result<ApplyCount, StoreError> {
        let devices: BTreeSet<&str> = events.iter().map(|e| e.device.as_str()).collect();
        for d in devices {
            self.lock_series(user, d)?;
        }
        // What the server holds already, in two queries for the whole page rather than two
        // for each event; kept up to date as the page's events are kept.
        let mut held = self.held(user, events)?;
        let mut taken = self.taken(user, events)?;
        let mut count = ApplyCount::default();
        let mut heads: HashMap<&str, u64> = HashMap::new();
        for e in events {
            match held.get(&(e.device.as_str(), e.idx)) {
                Some(uid) if *uid == e.uid => {
                    count.skipped += 1;
                    continue;
                }
                Some(_) => return Err(diverged(e)),
                None => {}
            }
            let head = match heads.get(e.device.as_str()) {
                Some(h) => *h,
                None => self.head(user, &e.device)?,
            };
            if e.idx != head + 1 {
                return Err(StoreError::Gap {
                    device: e.device.clone(),
                    after: head,
                    found: e.idx,
                });
            }
            if taken.contains(e.uid.as_str()) {
                return Err(diverged(e));
            }
            self.keep(user, e)?;
            held.insert((&e.device, e.idx), e.uid.clone());
            taken.insert(&e.uid);
            heads.insert(&e.device, e.idx);
            self.merge(user, &e.device, &e.change)?;
            count.applied += 1;
        }
        Ok(count)
    }

    /// The uids held at the places (device and index) of a page of events.
    fn held<'e>(
        &mut self,
        user: &UserId,
        events: &'e [Event],
    ) -> Result<HashMap<(&'e str, u64), String>, StoreError> {
        let mut places: HashMap<&str, Vec<i64>> = HashMap::new();
        for e in events {
            let idx = i64::try_from(e.idx).unwrap_or(i64::MAX);
            places.entry(&e.device).or_default().push(idx);
        }
        let mut held = HashMap::new();
        for (device, idxs) in places {
            let rows = self
                .c
                .query(
                    "SELECT idx, uid FROM outbox WHERE user_id = $1 AND device = $2 AND idx = ANY($3)",
                    &[&user.as_str(), &device, &idxs],
                )
                .map_err(|e| self.err(e))?;
            for r in rows {
                let (idx, uid): (i64, String) = (r.get(0), r.get(1));
                let idx = u64::try_from(idx).map_err(|e| self.corrupt("event", &e))?;
                held.insert((device, idx), uid);
            }
        }
        Ok(held)
    }

    /// Which of a page's event uids the user's log holds already (anywhere).
    fn taken<'e>(
        &mut self,
        user: &UserId,
        events: &'e [Event],
    ) -> Result<HashSet<&'e str>, StoreError> {
        let uids: Vec<&str> = events.iter().map(|e| e.uid.as_str()).collect();
        let rows = self
            .c
            .query(
                "SELECT uid FROM outbox WHERE user_id = $1 AND uid = ANY($2)",
                &[&user.as_str(), &uids],
            )
            .map_err(|e| self.err(e))?;
        let found: HashSet<String> = rows.iter().map(|r| r.get(0)).collect();
        Ok(uids.into_iter().filter(|u| found.contains(*u)).collect())
    }

    /// See `Store::rename_device`; in the caller's transaction, the device's row and both
    /// series locked.
    pub(crate) fn rename_device(&mut self, user: &UserId, keep: u64) -> Result<String, StoreError> {
        let old: String = self
            .c
            .query_one("SELECT id FROM device WHERE one = 1 FOR UPDATE", &[])
            .and_then(|r| r.try_get(0))
            .map_err(|e| self.err(e))?;
        let new = backstretch_store::new_device_id();
        let (lo, hi) = if old < new {
            (&old, &new)
        } else {
            (&new, &old)
        };
        self.lock_series(user, lo)?;
        self.lock_series(user, hi)?;
        let keep = i64::try_from(keep).unwrap_or(i64::MAX);
        let u = user.as_str();
        let steps: [(&str, &[&(dyn postgres::types::ToSql + Sync)]); 4] = [
            ("UPDATE device SET id = $1 WHERE one = 1", &[&new]),
            (
                "UPDATE outbox SET device = $3, idx = idx - $4
                 WHERE user_id = $1 AND device = $2 AND idx > $4",
                &[&u, &old, &new, &keep],
            ),
            (
                "UPDATE profile p SET updated_by = $3
                 WHERE p.user_id = $1 AND p.updated_by = $2 AND EXISTS (
                     SELECT 1 FROM outbox o WHERE o.user_id = $1 AND o.device = $3
                         AND o.kind = 'profile-set' AND o.at = p.updated_at)",
                &[&u, &old, &new],
            ),
            (
                "UPDATE sessions s SET settled_by = $3
                 WHERE s.user_id = $1 AND s.settled_by = $2 AND EXISTS (
                     SELECT 1 FROM outbox o WHERE o.user_id = $1 AND o.device = $3
                         AND o.kind = 'settled' AND o.session = s.uid
                         AND o.at = s.settled_at)",
                &[&u, &old, &new],
            ),
        ];
        for (sql, args) in steps {
            self.c.execute(sql, args).map_err(|e| self.err(e))?;
        }
        Ok(new)
    }

    /// The row id of the user's session with this uid, if it is here.
    pub(crate) fn session_by_uid(
        &mut self,
        user: &UserId,
        uid: &str,
    ) -> Result<Option<SessionId>, StoreError> {
        self.c
            .query_opt(
                "SELECT id FROM sessions WHERE user_id = $1 AND uid = $2",
                &[&user.as_str(), &uid],
            )
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .map(|id| id.map(SessionId))
            .map_err(|e| self.err(e))
    }

    /// The uid of the user's session `id`.
    pub(crate) fn session_uid(
        &mut self,
        user: &UserId,
        id: SessionId,
    ) -> Result<String, StoreError> {
        self.c
            .query_opt(
                "SELECT uid FROM sessions WHERE user_id = $1 AND id = $2",
                &[&user.as_str(), &id.0],
            )
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .map_err(|e| self.err(e))?
            .ok_or_else(|| StoreError::no_session(id))
    }

    /// When a session's settled answer was given, and by which device.
    pub(crate) fn settled_writer(
        &mut self,
        user: &UserId,
        uid: &str,
    ) -> Result<Option<(Stamp, String)>, StoreError> {
        self.c
            .query_opt(
                "SELECT settled_at, COALESCE(settled_by, '') FROM sessions
                 WHERE user_id = $1 AND uid = $2 AND settled_at IS NOT NULL",
                &[&user.as_str(), &uid],
            )
            .and_then(|r| {
                r.map(|r| Ok((stamp(r.try_get(0)?, 0), r.try_get(1)?)))
                    .transpose()
            })
            .map_err(|e| self.err(e))
    }

    /// Makes a change to the tables by the merge rules (see `Store::apply`).
    fn merge(&mut self, user: &UserId, device: &str, change: &Change) -> Result<(), StoreError> {
        match change {
            Change::SessionStarted {
                uid,
                started_at,
                source,
                routine,
                planned_s,
                pain_before,
            } => {
                if self.session_by_uid(user, uid)?.is_none() {
                    let new = NewSession {
                        uid,
                        started_at: *started_at,
                        source: *source,
                        routine,
                        planned_s: *planned_s,
                        pain_before: *pain_before,
                        pid: None,
                    };
                    self.insert_session(user, &new)?;
                    self.merge_waiting(user, uid)?;
                }
            }
            Change::SessionRecorded { session } => {
                if self.import_one(user, session)? {
                    self.merge_waiting(user, &session.session.uid)?;
                }
            }
            Change::StepLogged {
                session,
                report,
                step,
            } => {
                // The session's heartbeat moved on, which finds its row (and locks it),
                // and its id and tally for the step's row, in one statement.
                let row = self
                    .c
                    .query_opt(
                        "UPDATE sessions SET heartbeat_at = GREATEST(heartbeat_at, $3),
                                heartbeat_offset = CASE WHEN heartbeat_at < $3 THEN $4
                                                        ELSE heartbeat_offset END
                         WHERE user_id = $1 AND uid = $2
                         RETURNING id, tally::text",
                        &[&user.as_str(), session, &step.at.utc_s, &step.at.offset_s],
                    )
                    .map_err(|e| self.err(e))?;
                if let Some(row) = row {
                    let tally = self.parse_tally(row.get(1))?;
                    self.insert_counted(user, SessionId(row.get(0)), step, *report, Some(tally))?;
                }
            }
            Change::SessionFinished {
                uid,
                ended_at,
                pain_after,
                ending,
            } => {
                if let Some(id) = self.session_by_uid(user, uid)? {
                    self.merge_end(user, id, *ended_at, *pain_after, *ending)?;
                }
            }
            Change::Settled { uid, settled, at } => {
                self.settle(user, uid, *settled, (*at, device))?;
            }
            Change::ProfileSet { profile, at } => self.write_profile(user, profile, *at, device)?,
            Change::DisclaimerAccepted { version, at } => {
                self.write_disclaimer(user, *version, *at)?;
            }
            Change::Screening { screening } => self.write_screening(user, screening)?,
            Change::Clearance { sign, at, by } => self.write_clearance(
                user,
                &Clearance {
                    sign: sign.clone(),
                    at: *at,
                    by: by.clone(),
                },
            )?,
            Change::Prescribed { prescription } => self.write_prescription(user, prescription)?,
            Change::Message { message } => self.write_message(user, message)?,
            Change::FunctionRecorded { record } => self.write_function(user, record)?,
            Change::SheetSaved { code, routine, at } => {
                self.write_sheet(user, *code, routine, *at)?;
            }
        }
        Ok(())
    }

    /// Merges the changes that came before their session (steps, its end, the settled
    /// answer), in each device's order, now that it is here.
    fn merge_waiting(&mut self, user: &UserId, uid: &str) -> Result<(), StoreError> {
        let rows = self
            .c
            .query(
                r#"SELECT device, body::text FROM outbox WHERE user_id = $1 AND session = $2
                   ORDER BY device COLLATE "C", idx"#,
                &[&user.as_str(), &uid],
            )
            .map_err(|e| self.err(e))?;
        for r in rows {
            let (device, body): (String, String) = (r.get(0), r.get(1));
            let change: Change =
                serde_json::from_str(&body).map_err(|e| self.corrupt("event", &e))?;
            self.merge(user, &device, &change)?;
        }
        Ok(())
    }

    /// The settled answer, unless one written later (by instant, then device) is here.
    pub(crate) fn settle(
        &mut self,
        user: &UserId,
        uid: &str,
        settled: bool,
        (at, device): (Stamp, &str),
    ) -> Result<(), StoreError> {
        self.c
            .execute(
                r#"UPDATE sessions SET settled = $3, settled_at = $4, settled_by = $5
                   WHERE user_id = $1 AND uid = $2
                     AND (COALESCE(settled_at, -9223372036854775808), COALESCE(settled_by, '') COLLATE "C")
                         <= ($4, $5::text COLLATE "C")"#,
                &[&user.as_str(), &uid, &settled, &at.utc_s, &device],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// An end from another device: kept unless the session ended later here.
    fn merge_end(
        &mut self,
        user: &UserId,
        id: SessionId,
        ended_at: Stamp,
        pain_after: Option<u8>,
        ending: Ending,
    ) -> Result<(), StoreError> {
        self.c
            .execute(
                "UPDATE sessions SET ended_at = $3, ended_offset = $4, heartbeat_at = $3,
                        heartbeat_offset = $4, pain_after = $5, outcome = $6
                 WHERE user_id = $1 AND id = $2
                   AND (outcome IS NULL OR ended_at IS NULL OR ended_at <= $3)",
                &[
                    &user.as_str(),
                    &id.0,
                    &ended_at.utc_s,
                    &ended_at.offset_s,
                    &pain_after.map(i16::from),
                    &ending.as_str(),
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// A session's whole record as an event carries it: no row id, no process.
    pub(crate) fn whole(&mut self, user: &UserId, id: SessionId) -> Result<Change, StoreError> {
        let mut session = self
            .one_session(user, id)?
            .ok_or_else(|| StoreError::no_session(id))?;
        session.id = SessionId(0);
        session.pid = None;
        let steps = self.session_steps(user, id)?;
        Ok(Change::SessionRecorded {
            session: LoggedSession { session, steps },
        })
    }
}

fn diverged(e: &Event) -> StoreError {
    StoreError::Diverged {
        device: e.device.clone(),
        idx: e.idx,
    }
}
