//! A practice's clinicians, their login sessions and the audit log, in SQLite.

use backstretch_core::alert::Alert;
use backstretch_core::time::Stamp;
use rusqlite::{OptionalExtension, Row, params};

use super::{Db, SqliteStore, stamp};
use crate::clinic::{
    AlertMail, AuditEntry, Clinic, Clinician, Erased, Kept, KeptAlert, PatientRow, TotpState, Watch,
};
use crate::{StoreError, UserId};

/// The columns [`clinician`] reads, of `clinicians c`.
const CLINICIAN: &str =
    "c.id, c.email, c.password, c.failures, c.locked_until, c.totp_secret IS NOT NULL";

fn clinician(r: &Row<'_>) -> rusqlite::Result<Clinician> {
    Ok(Clinician {
        id: r.get(0)?,
        email: r.get(1)?,
        password_hash: r.get(2)?,
        failures: r.get(3)?,
        locked_until: r.get::<_, Option<i64>>(4)?.map(|s| stamp(s, 0)),
        totp: r.get(5)?,
    })
}

fn audit_line(r: &Row<'_>) -> rusqlite::Result<(i64, AuditEntry)> {
    Ok((
        r.get::<_, i64>(0)?,
        AuditEntry {
            at: stamp(r.get(1)?, r.get(2)?),
            actor: r.get(3)?,
            action: r.get(4)?,
            patient: r.get(5)?,
            from: r.get(6)?,
        },
    ))
}

/// The statements that erase a person, each taking their id as `?1`: their log, then what
/// links them to devices and clinicians, then the person.
const ERASE: &[&str] = &[
    "DELETE FROM session_steps WHERE session_id IN (SELECT id FROM sessions WHERE user_id = ?1)",
    "DELETE FROM sessions WHERE user_id = ?1",
    "DELETE FROM outbox WHERE user_id = ?1",
    "DELETE FROM profile WHERE user_id = ?1",
    "DELETE FROM acknowledgements WHERE user_id = ?1",
    "DELETE FROM screenings WHERE user_id = ?1",
    "DELETE FROM clearances WHERE user_id = ?1",
    "DELETE FROM sheets WHERE user_id = ?1",
    "DELETE FROM prescriptions WHERE user_id = ?1",
    "DELETE FROM messages WHERE user_id = ?1",
    "DELETE FROM function_scores WHERE user_id = ?1",
    "DELETE FROM alert_mail WHERE alert_id IN (SELECT id FROM alerts WHERE user_id = ?1)",
    "DELETE FROM alerts WHERE user_id = ?1",
    "DELETE FROM care_team WHERE user_id = ?1",
    "DELETE FROM link_codes WHERE user_id = ?1",
    "DELETE FROM devices WHERE user_id = ?1",
    "DELETE FROM people WHERE id = ?1",
];

impl Db<'_> {
    /// What the quiet alert reads of one person, or of everyone with a clinician: their
    /// first clinician's `since`, their chosen days and their latest session (one seek of the
    /// sessions' index each).
    fn watched(&self, patient: Option<&UserId>) -> Result<Vec<Watch>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "WITH w AS (SELECT user_id, min(since) AS since FROM care_team
                            WHERE ?1 IS NULL OR user_id = ?1 GROUP BY user_id)
                 SELECT w.user_id, w.since, p.quiet_days, l.started_at, l.started_offset
                 FROM w JOIN people p ON p.id = w.user_id
                 LEFT JOIN sessions l ON l.id = (
                     SELECT s.id FROM sessions s WHERE s.user_id = w.user_id
                     ORDER BY s.started_at DESC, s.id DESC LIMIT 1)
                 ORDER BY w.user_id",
            )
            .map_err(|e| self.err(e))?;
        st.query_map([patient.map(UserId::as_str)], |r| {
            let last: Option<(i64, i32)> = match (r.get(3)?, r.get(4)?) {
                (Some(at), Some(offset)) => Some((at, offset)),
                _ => None,
            };
            Ok(Watch {
                patient: UserId::new(r.get::<_, String>(0)?),
                joined: stamp(r.get(1)?, 0),
                quiet_days: r.get(2)?,
                last_session: last.map(|(at, offset)| stamp(at, offset)),
            })
        })
        .and_then(Iterator::collect)
        .map_err(|e| self.err(e))
    }

    /// The audit lines a query finds, with their numbers.
    fn audit_lines(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<(u64, AuditEntry)>, StoreError> {
        let mut st = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows: Vec<(i64, AuditEntry)> = st
            .query_map(args, audit_line)
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|(seq, e)| {
                Ok((
                    u64::try_from(seq).map_err(|err| self.corrupt("audit", &err))?,
                    e,
                ))
            })
            .collect()
    }

    fn add_audit(&self, e: &AuditEntry) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO audit (at, at_offset, actor, action, patient, source)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    e.at.utc_s,
                    e.at.offset_s,
                    e.actor,
                    e.action,
                    e.patient,
                    e.from
                ],
            )
            .map(|_| ())
            .map_err(|err| self.err(err))
    }

    fn count(&self, sql: &str, user: &UserId) -> Result<u64, StoreError> {
        self.conn
            .query_row(sql, [user.as_str()], |r| r.get::<_, i64>(0))
            .map(|n| u64::try_from(n).unwrap_or_default())
            .map_err(|e| self.err(e))
    }

    fn one_clinician(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Option<Clinician>, StoreError> {
        self.conn
            .query_row(&sql.replace("{CLINICIAN}", CLINICIAN), args, clinician)
            .optional()
            .map_err(|e| self.err(e))
    }
}

impl Clinic for SqliteStore {
    fn add_clinician(&self, id: &str, email: &str, at: Stamp) -> Result<(), StoreError> {
        self.with(|db| {
            let n = db
                .conn
                .execute(
                    "INSERT INTO clinicians (id, email, added_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT DO NOTHING",
                    params![id, email, at.utc_s],
                )
                .map_err(|e| db.err(e))?;
            if n == 0 {
                return Err(StoreError::Taken {
                    what: format!("the e-mail address {email}"),
                });
            }
            Ok(())
        })
    }

    fn clinician(&self, email: &str) -> Result<Option<Clinician>, StoreError> {
        self.read(|db| {
            db.one_clinician(
                "SELECT {CLINICIAN} FROM clinicians c WHERE lower(c.email) = lower(?1)",
                [email],
            )
        })
    }

    fn add_invitation(
        &self,
        clinician: &str,
        code_hash: &str,
        expires: Stamp,
    ) -> Result<(), StoreError> {
        self.with(|db| {
            let tx = db.conn.unchecked_transaction().map_err(|e| db.err(e))?;
            db.conn
                .execute(
                    "DELETE FROM invitations WHERE clinician_id = ?1 AND used_at IS NULL",
                    [clinician],
                )
                .map_err(|e| db.err(e))?;
            db.conn
                .execute(
                    "INSERT INTO invitations (hash, clinician_id, expires_at) VALUES (?1, ?2, ?3)",
                    params![code_hash, clinician, expires.utc_s],
                )
                .map_err(|e| db.err(e))?;
            tx.commit().map_err(|e| db.err(e))
        })
    }

    fn invitation(&self, code_hash: &str, at: Stamp) -> Result<Option<Clinician>, StoreError> {
        self.read(|db| {
            db.one_clinician(
                "SELECT {CLINICIAN} FROM invitations i JOIN clinicians c ON c.id = i.clinician_id
                 WHERE i.hash = ?1 AND i.used_at IS NULL AND i.expires_at > ?2",
                params![code_hash, at.utc_s],
            )
        })
    }

    fn accept_invitation(
        &self,
        code_hash: &str,
        password_hash: &str,
        at: Stamp,
    ) -> Result<Option<String>, StoreError> {
        self.with(|db| {
            let tx = db.conn.unchecked_transaction().map_err(|e| db.err(e))?;
            let id: Option<String> = db
                .conn
                .query_row(
                    "UPDATE invitations SET used_at = ?2
                     WHERE hash = ?1 AND used_at IS NULL AND expires_at > ?2
                     RETURNING clinician_id",
                    params![code_hash, at.utc_s],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| db.err(e))?;
            if let Some(id) = &id {
                db.conn
                    .execute(
                        "UPDATE clinicians SET password = ?2, failures = 0, locked_until = NULL
                         WHERE id = ?1",
                        params![id, password_hash],
                    )
                    .map_err(|e| db.err(e))?;
                db.conn
                    .execute(
                        "DELETE FROM clinician_sessions WHERE clinician_id = ?1",
                        [id],
                    )
                    .map_err(|e| db.err(e))?;
            }
            tx.commit().map_err(|e| db.err(e))?;
            Ok(id)
        })
    }

    fn login_failed(&self, id: &str, max: u32, lock_until: Stamp) -> Result<u32, StoreError> {
        self.with(|db| {
            db.conn
                .query_row(
                    "UPDATE clinicians SET failures = failures + 1,
                            locked_until = CASE WHEN failures + 1 >= ?2 THEN ?3
                                                ELSE locked_until END
                     WHERE id = ?1 RETURNING failures",
                    params![id, max, lock_until.utc_s],
                    |r| r.get(0),
                )
                .optional()
                .map(Option::unwrap_or_default)
                .map_err(|e| db.err(e))
        })
    }

    fn login_succeeded(&self, id: &str, at: Stamp) -> Result<bool, StoreError> {
        self.with(|db| {
            db.conn
                .execute(
                    "UPDATE clinicians SET failures = 0, locked_until = NULL
                     WHERE id = ?1 AND (locked_until IS NULL OR locked_until <= ?2)",
                    params![id, at.utc_s],
                )
                .map(|n| n == 1)
                .map_err(|e| db.err(e))
        })
    }

    fn open_session(
        &self,
        token_hash: &str,
        clinician: &str,
        at: Stamp,
        expires: Stamp,
    ) -> Result<(), StoreError> {
        self.with(|db| {
            db.conn
                .execute(
                    "INSERT INTO clinician_sessions (token_hash, clinician_id, opened_at, used_at, expires_at)
                     VALUES (?1, ?2, ?3, ?3, ?4)",
                    params![token_hash, clinician, at.utc_s, expires.utc_s],
                )
                .map(|_| ())
                .map_err(|e| db.err(e))
        })
    }

    fn use_session(
        &self,
        token_hash: &str,
        at: Stamp,
        idle_s: i64,
    ) -> Result<Option<Clinician>, StoreError> {
        self.with(|db| {
            let id: Option<String> = db
                .conn
                .query_row(
                    "UPDATE clinician_sessions SET used_at = ?2
                     WHERE token_hash = ?1 AND expires_at > ?2 AND used_at + ?3 > ?2
                     RETURNING clinician_id",
                    params![token_hash, at.utc_s, idle_s],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| db.err(e))?;
            match id {
                Some(id) => {
                    db.one_clinician("SELECT {CLINICIAN} FROM clinicians c WHERE c.id = ?1", [id])
                }
                None => Ok(None),
            }
        })
    }

    fn close_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.with(|db| {
            db.conn
                .execute(
                    "DELETE FROM clinician_sessions WHERE token_hash = ?1",
                    [token_hash],
                )
                .map(|_| ())
                .map_err(|e| db.err(e))
        })
    }

    fn add_patient(&self, clinician: &str, patient: &UserId, at: Stamp) -> Result<(), StoreError> {
        self.with(|db| {
            db.conn
                .execute(
                    "INSERT INTO care_team (clinician_id, user_id, since, seq)
                     VALUES (?1, ?2, ?3, (SELECT coalesce(max(seq), 0) + 1 FROM care_team))
                     ON CONFLICT DO NOTHING",
                    params![clinician, patient.as_str(), at.utc_s],
                )
                .map(|_| ())
                .map_err(|e| db.err(e))
        })
    }

    fn patients(&self, clinician: &str) -> Result<Vec<(UserId, String)>, StoreError> {
        self.read(|db| {
            let mut st = db
                .conn
                .prepare_cached(
                    "SELECT p.id, p.name FROM care_team t JOIN people p ON p.id = t.user_id
                     WHERE t.clinician_id = ?1 ORDER BY t.seq",
                )
                .map_err(|e| db.err(e))?;
            st.query_map([clinician], |r| {
                Ok((UserId::new(r.get::<_, String>(0)?), r.get(1)?))
            })
            .and_then(Iterator::collect)
            .map_err(|e| db.err(e))
        })
    }

    fn has_clinician(&self, patient: &UserId) -> Result<bool, StoreError> {
        self.read(|db| {
            db.conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM care_team WHERE user_id = ?1)",
                    [patient.as_str()],
                    |r| r.get(0),
                )
                .map_err(|e| db.err(e))
        })
    }

    fn patient(&self, clinician: &str, patient: &UserId) -> Result<Option<String>, StoreError> {
        self.read(|db| {
            db.conn
                .query_row(
                    "SELECT p.name FROM care_team t JOIN people p ON p.id = t.user_id
                     WHERE t.clinician_id = ?1 AND t.user_id = ?2",
                    params![clinician, patient.as_str()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| db.err(e))
        })
    }

    fn add_alert(&self, patient: &UserId, a: &Alert) -> Result<bool, StoreError> {
        self.write(|db| {
            let id: Option<i64> = db
                .conn
                .query_row(
                    "INSERT INTO alerts (user_id, key, kind, text, at, at_offset)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING RETURNING id",
                    params![
                        patient.as_str(),
                        a.key,
                        a.kind.as_str(),
                        a.text,
                        a.at.utc_s,
                        a.at.offset_s
                    ],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| db.err(e))?;
            let Some(id) = id else { return Ok(false) };
            db.conn
                .execute(
                    "INSERT INTO alert_mail (alert_id, clinician_id, next_at)
                     SELECT ?1, clinician_id, 0 FROM care_team WHERE user_id = ?2",
                    params![id, patient.as_str()],
                )
                .map_err(|e| db.err(e))?;
            Ok(true)
        })
    }

    fn alerts(&self, patient: &UserId) -> Result<Vec<KeptAlert>, StoreError> {
        self.read(|db| {
            let mut st = db
                .conn
                .prepare_cached(
                    "SELECT id, key, kind, text, at, at_offset, acked_by, acked_at FROM alerts
                     WHERE user_id = ?1 ORDER BY at DESC, id DESC",
                )
                .map_err(|e| db.err(e))?;
            st.query_map([patient.as_str()], |r| {
                let acked: Option<(String, i64)> = match (r.get(6)?, r.get(7)?) {
                    (Some(by), Some(at)) => Some((by, at)),
                    _ => None,
                };
                Ok(KeptAlert {
                    id: r.get(0)?,
                    key: r.get(1)?,
                    kind: r.get(2)?,
                    text: r.get(3)?,
                    at: stamp(r.get(4)?, r.get(5)?),
                    acked: acked.map(|(by, at)| (by, stamp(at, 0))),
                })
            })
            .and_then(Iterator::collect)
            .map_err(|e| db.err(e))
        })
    }

    fn ack_alert(
        &self,
        patient: &UserId,
        id: i64,
        by: &str,
        at: Stamp,
    ) -> Result<bool, StoreError> {
        self.with(|db| {
            db.conn
                .execute(
                    "UPDATE alerts SET acked_by = ?3, acked_at = ?4
                     WHERE user_id = ?1 AND id = ?2 AND acked_by IS NULL",
                    params![patient.as_str(), id, by, at.utc_s],
                )
                .map(|n| n == 1)
                .map_err(|e| db.err(e))
        })
    }

    fn set_quiet_days(&self, patient: &UserId, days: u32) -> Result<(), StoreError> {
        self.with(|db| {
            db.conn
                .execute(
                    "UPDATE people SET quiet_days = ?2 WHERE id = ?1",
                    params![patient.as_str(), days],
                )
                .map(|_| ())
                .map_err(|e| db.err(e))
        })
    }

    fn watch(&self, patient: &UserId) -> Result<Option<Watch>, StoreError> {
        self.read(|db| db.watched(Some(patient)))
            .map(|w| w.into_iter().next())
    }

    fn watched(&self) -> Result<Vec<Watch>, StoreError> {
        self.read(|db| db.watched(None))
    }

    fn claim_mail(
        &self,
        at: Stamp,
        until: Stamp,
        limit: usize,
    ) -> Result<Vec<AlertMail>, StoreError> {
        self.write(|db| {
            let mut st = db
                .conn
                .prepare_cached(
                    "SELECT m.alert_id, m.clinician_id, c.email, a.user_id, p.name, a.kind, a.text,
                            a.at, a.at_offset, a.acked_by IS NOT NULL, m.tries
                     FROM alert_mail m JOIN alerts a ON a.id = m.alert_id
                     JOIN clinicians c ON c.id = m.clinician_id
                     JOIN people p ON p.id = a.user_id
                     WHERE m.mailed_at IS NULL AND m.next_at <= ?1
                     ORDER BY m.next_at, m.alert_id, m.clinician_id LIMIT ?2",
                )
                .map_err(|e| db.err(e))?;
            let due: Vec<AlertMail> = st
                .query_map(
                    params![at.utc_s, i64::try_from(limit).unwrap_or(i64::MAX)],
                    |r| {
                        Ok(AlertMail {
                            alert: r.get(0)?,
                            clinician: r.get(1)?,
                            to: r.get(2)?,
                            patient: UserId::new(r.get::<_, String>(3)?),
                            name: r.get(4)?,
                            kind: r.get(5)?,
                            text: r.get(6)?,
                            at: stamp(r.get(7)?, r.get(8)?),
                            acked: r.get(9)?,
                            tries: r.get(10)?,
                        })
                    },
                )
                .and_then(Iterator::collect)
                .map_err(|e| db.err(e))?;
            for m in &due {
                db.conn
                    .execute(
                        "UPDATE alert_mail SET next_at = ?3 WHERE alert_id = ?1 AND clinician_id = ?2",
                        params![m.alert, m.clinician, until.utc_s],
                    )
                    .map_err(|e| db.err(e))?;
            }
            Ok(due)
        })
    }

    fn next_mail(&self) -> Result<Option<Stamp>, StoreError> {
        self.read(|db| {
            db.conn
                .query_row(
                    "SELECT min(next_at) FROM alert_mail WHERE mailed_at IS NULL",
                    [],
                    |r| r.get::<_, Option<i64>>(0),
                )
                .map(|at| at.map(|s| stamp(s, 0)))
                .map_err(|e| db.err(e))
        })
    }

    fn mail_done(&self, alert: i64, clinician: &str, at: Stamp) -> Result<bool, StoreError> {
        self.with(|db| {
            db.conn
                .execute(
                    "UPDATE alert_mail SET mailed_at = ?3
                     WHERE alert_id = ?1 AND clinician_id = ?2 AND mailed_at IS NULL",
                    params![alert, clinician, at.utc_s],
                )
                .map(|n| n == 1)
                .map_err(|e| db.err(e))
        })
    }

    fn mail_failed(&self, alert: i64, clinician: &str, retry_at: Stamp) -> Result<(), StoreError> {
        self.with(|db| {
            db.conn
                .execute(
                    "UPDATE alert_mail SET tries = tries + 1, next_at = ?3
                     WHERE alert_id = ?1 AND clinician_id = ?2 AND mailed_at IS NULL",
                    params![alert, clinician, retry_at.utc_s],
                )
                .map(|_| ())
                .map_err(|e| db.err(e))
        })
    }

    fn audit(&self, e: &AuditEntry) -> Result<(), StoreError> {
        self.with(|db| db.add_audit(e))
    }

    fn audit_all(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        self.with(|db| entries.iter().try_for_each(|e| db.add_audit(e)))
    }

    fn patient_rows(&self, clinician: &str, since: Stamp) -> Result<Vec<PatientRow>, StoreError> {
        self.read(|db| {
            let mut st = db
                .conn
                .prepare_cached(
                    "SELECT p.id, p.name, p.quiet_days,
                       (SELECT count(*) FROM devices d
                        WHERE d.user_id = p.id AND d.unlinked_at IS NULL),
                       l.started_at, l.started_offset,
                       (SELECT count(*) FROM alerts a
                        WHERE a.user_id = p.id AND a.acked_by IS NULL),
                       (SELECT count(DISTINCT (s.started_at + s.started_offset) / 86400)
                        FROM sessions s WHERE s.user_id = p.id AND s.started_at >= ?2
                          AND s.desk_break = 0),
                       (SELECT r.body FROM prescriptions r WHERE r.user_id = p.id
                        ORDER BY r.at DESC, r.uid DESC LIMIT 1)
                     FROM care_team t JOIN people p ON p.id = t.user_id
                     LEFT JOIN sessions l ON l.id = (
                         SELECT s.id FROM sessions s WHERE s.user_id = p.id
                         ORDER BY s.started_at DESC, s.id DESC LIMIT 1)
                     WHERE t.clinician_id = ?1 ORDER BY t.seq",
                )
                .map_err(|e| db.err(e))?;
            st.query_map(params![clinician, since.utc_s], |r| {
                let last: Option<(i64, i32)> = match (r.get(4)?, r.get(5)?) {
                    (Some(at), Some(offset)) => Some((at, offset)),
                    _ => None,
                };
                Ok(PatientRow {
                    patient: UserId::new(r.get::<_, String>(0)?),
                    name: r.get(1)?,
                    quiet_days: r.get(2)?,
                    devices: r.get(3)?,
                    last_session: last.map(|(at, offset)| stamp(at, offset)),
                    open_alerts: r.get(6)?,
                    recent_days: r.get(7)?,
                    prescription: r.get(8)?,
                })
            })
            .and_then(Iterator::collect)
            .map_err(|e| db.err(e))
        })
    }

    fn audit_log(&self, after: u64, limit: usize) -> Result<Vec<(u64, AuditEntry)>, StoreError> {
        self.read(|db| {
            db.audit_lines(
                "SELECT seq, at, at_offset, actor, action, patient, source FROM audit
                 WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                params![
                    i64::try_from(after).unwrap_or(i64::MAX),
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
            )
        })
    }

    fn audit_about(&self, patient: &UserId) -> Result<Vec<(u64, AuditEntry)>, StoreError> {
        self.read(|db| {
            db.audit_lines(
                "SELECT seq, at, at_offset, actor, action, patient, source FROM audit
                 WHERE patient = ?1 ORDER BY seq",
                [patient.as_str()],
            )
        })
    }

    fn offer_totp(&self, clinician: &str, secret: &str) -> Result<(), StoreError> {
        self.with(|db| {
            db.conn
                .execute(
                    "UPDATE clinicians SET totp_offered = ?2 WHERE id = ?1",
                    params![clinician, secret],
                )
                .map(|_| ())
                .map_err(|e| db.err(e))
        })
    }

    fn totp(&self, clinician: &str) -> Result<TotpState, StoreError> {
        self.read(|db| {
            db.conn
                .query_row(
                    "SELECT totp_secret, totp_offered, totp_step FROM clinicians WHERE id = ?1",
                    [clinician],
                    |r| {
                        Ok(TotpState {
                            secret: r.get(0)?,
                            offered: r.get(1)?,
                            last_step: r.get(2)?,
                        })
                    },
                )
                .optional()
                .map(Option::unwrap_or_default)
                .map_err(|e| db.err(e))
        })
    }

    fn take_totp_step(
        &self,
        clinician: &str,
        step: i64,
        confirm: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.with(|db| {
            let n = match confirm {
                Some(offered) => db.conn.execute(
                    "UPDATE clinicians SET totp_secret = totp_offered, totp_offered = NULL,
                            totp_step = ?2
                     WHERE id = ?1 AND totp_offered = ?3
                       AND (totp_step IS NULL OR totp_step < ?2)",
                    params![clinician, step, offered],
                ),
                None => db.conn.execute(
                    "UPDATE clinicians SET totp_step = ?2
                     WHERE id = ?1 AND totp_secret IS NOT NULL
                       AND (totp_step IS NULL OR totp_step < ?2)",
                    params![clinician, step],
                ),
            };
            n.map(|n| n == 1).map_err(|e| db.err(e))
        })
    }

    fn drop_totp(&self, clinician: &str) -> Result<(), StoreError> {
        self.with(|db| {
            db.conn
                .execute(
                    "UPDATE clinicians SET totp_secret = NULL, totp_offered = NULL WHERE id = ?1",
                    [clinician],
                )
                .map(|_| ())
                .map_err(|e| db.err(e))
        })
    }

    fn open_totp_login(
        &self,
        token_hash: &str,
        clinician: &str,
        expires: Stamp,
    ) -> Result<(), StoreError> {
        self.with(|db| {
            db.conn
                .execute(
                    "INSERT INTO totp_logins (token_hash, clinician_id, expires_at) VALUES (?1, ?2, ?3)",
                    params![token_hash, clinician, expires.utc_s],
                )
                .map(|_| ())
                .map_err(|e| db.err(e))
        })
    }

    fn totp_login(&self, token_hash: &str, at: Stamp) -> Result<Option<Clinician>, StoreError> {
        self.read(|db| {
            db.one_clinician(
                "SELECT {CLINICIAN} FROM totp_logins l JOIN clinicians c ON c.id = l.clinician_id
                 WHERE l.token_hash = ?1 AND l.expires_at > ?2",
                params![token_hash, at.utc_s],
            )
        })
    }

    fn close_totp_login(&self, token_hash: &str) -> Result<(), StoreError> {
        self.with(|db| {
            db.conn
                .execute(
                    "DELETE FROM totp_logins WHERE token_hash = ?1",
                    [token_hash],
                )
                .map(|_| ())
                .map_err(|e| db.err(e))
        })
    }

    fn care_team(&self, patient: &UserId) -> Result<Vec<(String, Stamp)>, StoreError> {
        self.read(|db| {
            let mut st = db
                .conn
                .prepare_cached(
                    "SELECT c.email, t.since FROM care_team t JOIN clinicians c ON c.id = t.clinician_id
                     WHERE t.user_id = ?1 ORDER BY t.seq",
                )
                .map_err(|e| db.err(e))?;
            st.query_map([patient.as_str()], |r| {
                Ok((r.get(0)?, stamp(r.get(1)?, 0)))
            })
            .and_then(Iterator::collect)
            .map_err(|e| db.err(e))
        })
    }

    fn erase_person(&self, patient: &UserId, entry: &AuditEntry) -> Result<Erased, StoreError> {
        // One transaction, which takes the write lock at once.
        self.write(|db| {
            let erased = Erased {
                sessions: db.count("SELECT count(*) FROM sessions WHERE user_id = ?1", patient)?,
                events: db.count("SELECT count(*) FROM outbox WHERE user_id = ?1", patient)?,
                devices: db.count("SELECT count(*) FROM devices WHERE user_id = ?1", patient)?,
            };
            db.conn
                .execute(
                    "INSERT INTO erased_tokens (token_hash, erased_at)
                     SELECT token_hash, ?2 FROM devices WHERE user_id = ?1
                     ON CONFLICT DO NOTHING",
                    params![patient.as_str(), entry.at.utc_s],
                )
                .map_err(|e| db.err(e))?;
            for sql in ERASE {
                db.conn
                    .execute(sql, [patient.as_str()])
                    .map_err(|e| db.err(e))?;
            }
            db.add_audit(entry)?;
            Ok(erased)
        })
    }

    fn erased_device(&self, token_hash: &str) -> Result<Option<Stamp>, StoreError> {
        self.read(|db| {
            db.conn
                .query_row(
                    "SELECT erased_at FROM erased_tokens WHERE token_hash = ?1",
                    [token_hash],
                    |r| r.get::<_, i64>(0),
                )
                .optional()
                .map(|t| t.map(|t| stamp(t, 0)))
                .map_err(|e| db.err(e))
        })
    }

    fn save_template(&self, t: &Kept) -> Result<(), StoreError> {
        self.with(|db| db.save_kept("templates", "name", t))
    }

    fn templates(&self) -> Result<Vec<Kept>, StoreError> {
        self.read(|db| db.read_kept("templates", "name"))
    }

    fn save_practice_exercise(&self, e: &Kept) -> Result<(), StoreError> {
        self.with(|db| db.save_kept("practice_exercises", "id", e))
    }

    fn practice_exercises(&self) -> Result<Vec<Kept>, StoreError> {
        self.read(|db| db.read_kept("practice_exercises", "id"))
    }
}

impl Db<'_> {
    /// Keeps an item of the practice's library in `table` under its `key` column, replacing
    /// one of the same name.
    fn save_kept(&self, table: &str, key: &str, k: &Kept) -> Result<(), StoreError> {
        self.conn
            .execute(
                &format!(
                    "INSERT INTO {table} ({key}, body, made_by, at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT ({key}) DO UPDATE SET body = excluded.body,
                         made_by = excluded.made_by, at = excluded.at"
                ),
                params![k.name, k.body, k.by, k.at.utc_s],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    fn read_kept(&self, table: &str, key: &str) -> Result<Vec<Kept>, StoreError> {
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT {key}, body, made_by, at FROM {table} ORDER BY {key}"
            ))
            .map_err(|e| self.err(e))?;
        st.query_map([], |r| {
            Ok(Kept {
                name: r.get(0)?,
                body: r.get(1)?,
                by: r.get(2)?,
                at: stamp(r.get(3)?, 0),
            })
        })
        .and_then(Iterator::collect)
        .map_err(|e| self.err(e))
    }
}
