//! Sync events: the outbox every write appends to, and other devices' events merged in.

use std::collections::HashMap;

use backstretch_core::event::{Change, Event};
use backstretch_core::exchange::Clearance;
use backstretch_core::session::{LoggedSession, SessionId};
use rusqlite::{OptionalExtension, params};

use super::Db;
use crate::{ApplyCount, NewSession, StoreError, UserId, event_uid};

impl Db<'_> {
    /// This log's device id.
    pub(super) fn device_id(&self) -> Result<String, StoreError> {
        self.conn
            .prepare_cached("SELECT id FROM device WHERE one = 1")
            .and_then(|mut st| st.query_row([], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    /// Appends this device's event of a change, in the caller's transaction; its index.
    pub(super) fn append(&self, user: &UserId, change: Change) -> Result<u64, StoreError> {
        let device = self.device_id()?;
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
        )?;
        Ok(idx)
    }

    /// The last index of a device's series (0 when it has none).
    fn head(&self, user: &UserId, device: &str) -> Result<u64, StoreError> {
        let idx: i64 = self
            .conn
            .prepare_cached(
                "SELECT COALESCE(MAX(idx), 0) FROM outbox WHERE user_id = ?1 AND device = ?2",
            )
            .and_then(|mut st| st.query_row(params![user.as_str(), device], |r| r.get(0)))
            .map_err(|e| self.err(e))?;
        u64::try_from(idx).map_err(|e| self.corrupt("event", &e))
    }

    fn keep(&self, user: &UserId, e: &Event) -> Result<(), StoreError> {
        let body = serde_json::to_string(&e.change).map_err(|err| self.corrupt("event", &err))?;
        let idx = i64::try_from(e.idx).map_err(|err| self.corrupt("event", &err))?;
        self.conn
            .prepare_cached(
                "INSERT INTO outbox (user_id, device, idx, uid, kind, session, body, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    user.as_str(),
                    e.device,
                    idx,
                    e.uid,
                    e.change.kind(),
                    e.change.touches(),
                    body,
                    e.change.at().utc_s
                ])
            })
            .map(|_| ())
            .map_err(|err| self.err(err))
    }

    /// Deletes events this device appended (an import undone before it returned).
    pub(super) fn unappend(&self, user: &UserId, idxs: &[u64]) -> Result<(), StoreError> {
        let device = self.device_id()?;
        for idx in idxs {
            self.conn
                .prepare_cached(
                    "DELETE FROM outbox WHERE user_id = ?1 AND device = ?2 AND idx = ?3",
                )
                .and_then(|mut st| {
                    st.execute(params![
                        user.as_str(),
                        device,
                        i64::try_from(*idx).unwrap_or(i64::MAX)
                    ])
                })
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    pub(super) fn read_events(
        &self,
        user: &UserId,
        device: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT idx, uid, body FROM outbox WHERE user_id = ?1 AND device = ?2 AND idx > ?3
                 ORDER BY idx LIMIT ?4",
            )
            .map_err(|e| self.err(e))?;
        let rows: Vec<(i64, String, String)> = st
            .query_map(
                params![
                    user.as_str(),
                    device,
                    i64::try_from(after).unwrap_or(i64::MAX),
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|(idx, uid, body)| {
                Ok(Event {
                    device: device.to_string(),
                    idx: u64::try_from(idx).map_err(|e| self.corrupt("event", &e))?,
                    uid,
                    change: serde_json::from_str(&body).map_err(|e| self.corrupt("event", &e))?,
                })
            })
            .collect()
    }

    pub(super) fn read_heads(&self, user: &UserId) -> Result<Vec<(String, u64)>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT device, MAX(idx) FROM outbox WHERE user_id = ?1 GROUP BY device ORDER BY device",
            )
            .map_err(|e| self.err(e))?;
        let rows: Vec<(String, i64)> = st
            .query_map(params![user.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|(d, i)| Ok((d, u64::try_from(i).map_err(|e| self.corrupt("event", &e))?)))
            .collect()
    }

    /// Keeps and merges other devices' events, in the caller's transaction.
    pub(super) fn apply_events(
        &self,
        user: &UserId,
        events: &[Event],
    ) -> Result<ApplyCount, StoreError> {
        let mut count = ApplyCount::default();
        let mut heads: HashMap<&str, u64> = HashMap::new();
        for e in events {
            let here: Option<String> = self
                .conn
                .prepare_cached(
                    "SELECT uid FROM outbox WHERE user_id = ?1 AND device = ?2 AND idx = ?3",
                )
                .and_then(|mut st| {
                    st.query_row(
                        params![
                            user.as_str(),
                            e.device,
                            i64::try_from(e.idx).unwrap_or(i64::MAX)
                        ],
                        |r| r.get(0),
                    )
                    .optional()
                })
                .map_err(|err| self.err(err))?;
            match here {
                Some(uid) if uid == e.uid => {
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
            if self.has_event(user, &e.uid)? {
                return Err(diverged(e));
            }
            self.keep(user, e)?;
            heads.insert(&e.device, e.idx);
            self.merge(user, &e.device, &e.change)?;
            count.applied += 1;
        }
        Ok(count)
    }

    /// See [`crate::Store::rename_device`]; in the caller's transaction.
    pub(super) fn rename_device(&self, user: &UserId, keep: u64) -> Result<String, StoreError> {
        let old = self.device_id()?;
        let new = crate::new_device_id();
        let keep = i64::try_from(keep).unwrap_or(i64::MAX);
        let u = user.as_str();
        for (sql, args) in [
            ("UPDATE device SET id = ?1 WHERE one = 1", params![new]),
            (
                "UPDATE outbox SET device = ?3, idx = idx - ?4
                 WHERE user_id = ?1 AND device = ?2 AND idx > ?4",
                params![u, old, new, keep],
            ),
            (
                "UPDATE profile SET updated_by = ?3
                 WHERE user_id = ?1 AND updated_by = ?2 AND EXISTS (
                     SELECT 1 FROM outbox o WHERE o.user_id = ?1 AND o.device = ?3
                         AND o.kind = 'profile-set' AND o.at = profile.updated_at)",
                params![u, old, new],
            ),
            (
                "UPDATE sessions SET settled_by = ?3
                 WHERE user_id = ?1 AND settled_by = ?2 AND EXISTS (
                     SELECT 1 FROM outbox o WHERE o.user_id = ?1 AND o.device = ?3
                         AND o.kind = 'settled' AND o.session = sessions.uid
                         AND o.at = sessions.settled_at)",
                params![u, old, new],
            ),
        ] {
            self.conn.execute(sql, args).map_err(|e| self.err(e))?;
        }
        Ok(new)
    }

    fn has_event(&self, user: &UserId, uid: &str) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE user_id = ?1 AND uid = ?2)")
            .and_then(|mut st| st.query_row(params![user.as_str(), uid], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    /// The row id of the user's session with this uid, if it is here.
    pub(super) fn session_by_uid(
        &self,
        user: &UserId,
        uid: &str,
    ) -> Result<Option<SessionId>, StoreError> {
        self.conn
            .prepare_cached("SELECT id FROM sessions WHERE user_id = ?1 AND uid = ?2")
            .and_then(|mut st| {
                st.query_row(params![user.as_str(), uid], |r| r.get(0))
                    .optional()
            })
            .map(|id| id.map(SessionId))
            .map_err(|e| self.err(e))
    }

    /// Makes a change to the tables by the merge rules (see [`crate::Store::apply`]).
    fn merge(&self, user: &UserId, device: &str, change: &Change) -> Result<(), StoreError> {
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
                if self.session_by_uid(user, &session.session.uid)?.is_none() {
                    self.insert_whole(user, session)?;
                    self.merge_waiting(user, &session.session.uid)?;
                }
            }
            Change::StepLogged {
                session,
                report,
                step,
            } => {
                if let Some(id) = self.session_by_uid(user, session)? {
                    self.conn
                        .prepare_cached(
                            "UPDATE sessions SET heartbeat_at = ?2, heartbeat_offset = ?3
                             WHERE id = ?1 AND heartbeat_at < ?2",
                        )
                        .and_then(|mut st| {
                            st.execute(params![id.0, step.at.utc_s, step.at.offset_s])
                        })
                        .map_err(|e| self.err(e))?;
                    self.insert_row(id, step, *report)?;
                }
            }
            Change::SessionFinished {
                uid,
                ended_at,
                pain_after,
                ending,
            } => {
                if let Some(id) = self.session_by_uid(user, uid)? {
                    self.merge_end(id, *ended_at, *pain_after, *ending)?;
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
    fn merge_waiting(&self, user: &UserId, uid: &str) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT device, body FROM outbox WHERE user_id = ?1 AND session = ?2
                 ORDER BY device, idx",
            )
            .map_err(|e| self.err(e))?;
        let rows: Vec<(String, String)> = st
            .query_map(params![user.as_str(), uid], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        drop(st);
        for (device, body) in rows {
            let change: Change =
                serde_json::from_str(&body).map_err(|e| self.corrupt("event", &e))?;
            self.merge(user, &device, &change)?;
        }
        Ok(())
    }

    /// Appends the events of what a log held before it kept events (migration 0012), oldest
    /// first, so its history reaches the other devices too: the profile, each disclaimer
    /// accepted, check, clearance and sheet, and each session whole.
    pub(super) fn backfill(&self) -> Result<(), StoreError> {
        let users: Vec<String> = self
            .conn
            .prepare(
                "SELECT user_id FROM profile UNION SELECT user_id FROM acknowledgements
                 UNION SELECT user_id FROM screenings UNION SELECT user_id FROM clearances
                 UNION SELECT user_id FROM sheets UNION SELECT user_id FROM sessions
                 ORDER BY 1",
            )
            .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| self.err(e))?;
        for user in users.into_iter().map(UserId::new) {
            let u = &user;
            if let (Some(profile), Some(at)) =
                (self.read_profile(u)?, self.read_profile_saved_at(u)?)
            {
                self.append(u, Change::ProfileSet { profile, at })?;
            }
            let accepted: Vec<(u32, i64, i32)> = self
                .conn
                .prepare(
                    "SELECT version, accepted_at, accepted_offset FROM acknowledgements
                     WHERE user_id = ?1 AND kind = 'disclaimer' ORDER BY id",
                )
                .and_then(|mut st| {
                    st.query_map([u.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                        .collect()
                })
                .map_err(|e| self.err(e))?;
            for (version, at, off) in accepted {
                let at = super::stamp(at, off);
                self.append(u, Change::DisclaimerAccepted { version, at })?;
            }
            for screening in self.read_screenings(u, None)?.into_iter().rev() {
                self.append(u, Change::Screening { screening })?;
            }
            for c in self.read_clearances(u)? {
                self.append(
                    u,
                    Change::Clearance {
                        sign: c.sign,
                        at: c.at,
                        by: c.by,
                    },
                )?;
            }
            for (code, routine, at) in self.read_sheets(u)? {
                self.append(u, Change::SheetSaved { code, routine, at })?;
            }
            let ids: Vec<i64> = self
                .conn
                .prepare("SELECT id FROM sessions WHERE user_id = ?1 ORDER BY started_at, id")
                .and_then(|mut st| st.query_map([u.as_str()], |r| r.get(0))?.collect())
                .map_err(|e| self.err(e))?;
            for id in ids {
                self.append(u, self.whole(u, SessionId(id))?)?;
            }
        }
        Ok(())
    }

    /// A session's whole record as an event carries it: no row id, no process.
    pub(super) fn whole(&self, user: &UserId, id: SessionId) -> Result<Change, StoreError> {
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
