//! A practice's clinicians, their patients, their login sessions, alerts about patients and
//! the audit log, in PostgreSQL.

use backstretch_core::alert::Alert;
use backstretch_core::time::Stamp;
use backstretch_store::clinic::{
    AlertMail, AuditEntry, Clinic, Clinician, Erased, Kept, KeptAlert, PatientRow, TotpState, Watch,
};
use backstretch_store::{StoreError, UserId};
use postgres::types::ToSql;
use postgres::{GenericClient, Row};

use crate::{Db, PostgresStore, stamp};

/// The columns [`Db::clinician`] reads, of `clinicians c`.
const CLINICIAN: &str =
    "c.id, c.email, c.password, c.failures, c.locked_until, c.totp_secret IS NOT NULL";

impl<C: GenericClient> Db<'_, C> {
    /// The clinician of a row of [`CLINICIAN`]'s columns.
    fn clinician(&self, r: &Row) -> Result<Clinician, StoreError> {
        let read = || -> Result<_, postgres::Error> {
            Ok((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get::<_, i64>(3)?,
                r.try_get::<_, Option<i64>>(4)?,
                r.try_get(5)?,
            ))
        };
        let (id, email, password_hash, failures, locked_until, totp) =
            read().map_err(|e| self.err(e))?;
        Ok(Clinician {
            id,
            email,
            password_hash,
            failures: self.count("clinician", failures)?,
            locked_until: locked_until.map(|s| stamp(s, 0)),
            totp,
        })
    }

    /// The clinician a query finds, if it finds one; `{CLINICIAN}` in it stands for the
    /// columns [`Db::clinician`] reads.
    fn one_clinician(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Clinician>, StoreError> {
        let row = self
            .c
            .query_opt(&sql.replace("{CLINICIAN}", CLINICIAN), params)
            .map_err(|e| self.err(e))?;
        row.map(|r| self.clinician(&r)).transpose()
    }

    /// The line of the audit log of a row, with its number.
    fn audit_line(&self, r: &Row) -> Result<(u64, AuditEntry), StoreError> {
        let read = || -> Result<_, postgres::Error> {
            Ok((
                r.try_get::<_, i64>(0)?,
                AuditEntry {
                    at: stamp(r.try_get(1)?, r.try_get(2)?),
                    actor: r.try_get(3)?,
                    action: r.try_get(4)?,
                    patient: r.try_get(5)?,
                    from: r.try_get(6)?,
                },
            ))
        };
        let (seq, entry) = read().map_err(|e| self.err(e))?;
        let seq = u64::try_from(seq).map_err(|e| self.corrupt("audit", &e))?;
        Ok((seq, entry))
    }

    /// The alert of a row of `id, key, kind, text, at, at_offset, acked_by, acked_at`.
    fn kept_alert(&self, r: &Row) -> Result<KeptAlert, StoreError> {
        let read = || -> Result<_, postgres::Error> {
            let acked = match (r.try_get(6)?, r.try_get::<_, Option<i64>>(7)?) {
                (Some(by), Some(at)) => Some((by, stamp(at, 0))),
                _ => None,
            };
            Ok(KeptAlert {
                id: r.try_get(0)?,
                key: r.try_get(1)?,
                kind: r.try_get(2)?,
                text: r.try_get(3)?,
                at: stamp(r.try_get(4)?, r.try_get(5)?),
                acked,
            })
        };
        read().map_err(|e| self.err(e))
    }
}

impl<C: GenericClient> Db<'_, C> {
    /// What the quiet alert reads of one person, or of everyone with a clinician: their
    /// first clinician's `since`, their chosen days and their latest session (one seek of the
    /// sessions' index each).
    fn watched(&mut self, patient: Option<&UserId>) -> Result<Vec<Watch>, StoreError> {
        let rows = self
            .c
            .query(
                "WITH w AS (SELECT user_id, min(since) AS since FROM care_team
                            WHERE $1::text IS NULL OR user_id = $1 GROUP BY user_id)
                 SELECT w.user_id, w.since, p.quiet_days, l.started_at, l.started_offset
                 FROM w JOIN people p ON p.id = w.user_id
                 LEFT JOIN LATERAL (
                     SELECT s.started_at, s.started_offset FROM sessions s
                     WHERE s.user_id = w.user_id ORDER BY s.started_at DESC, s.id DESC LIMIT 1
                 ) l ON true
                 ORDER BY w.user_id",
                &[&patient.map(UserId::as_str)],
            )
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                let read = || -> Result<_, postgres::Error> {
                    Ok((
                        r.try_get::<_, String>(0)?,
                        r.try_get::<_, i64>(1)?,
                        r.try_get::<_, Option<i32>>(2)?,
                        r.try_get::<_, Option<i64>>(3)?,
                        r.try_get::<_, Option<i32>>(4)?,
                    ))
                };
                let (id, since, days, last_at, last_offset) = read().map_err(|e| self.err(e))?;
                let quiet_days = days
                    .map(|d| u32::try_from(d).map_err(|e| self.corrupt("people", &e)))
                    .transpose()?;
                Ok(Watch {
                    patient: UserId::new(id),
                    joined: stamp(since, 0),
                    quiet_days,
                    last_session: last_at.zip(last_offset).map(|(at, o)| stamp(at, o)),
                })
            })
            .collect()
    }

    /// The e-mail owed of a row of [`Clinic::claim_mail`]'s columns.
    fn alert_mail(&self, r: &Row) -> Result<AlertMail, StoreError> {
        let read = || -> Result<_, postgres::Error> {
            Ok((
                AlertMail {
                    alert: r.try_get(0)?,
                    clinician: r.try_get(1)?,
                    to: r.try_get(2)?,
                    patient: UserId::new(r.try_get::<_, String>(3)?),
                    name: r.try_get(4)?,
                    kind: r.try_get(5)?,
                    text: r.try_get(6)?,
                    at: stamp(r.try_get(7)?, r.try_get(8)?),
                    acked: r.try_get(9)?,
                    tries: 0,
                },
                r.try_get::<_, i32>(10)?,
            ))
        };
        let (mail, tries) = read().map_err(|e| self.err(e))?;
        Ok(AlertMail {
            tries: self.count("alert_mail", i64::from(tries))?,
            ..mail
        })
    }
}

/// The statements that erase a person, each taking their id as `$1`: their log (a session's
/// steps go with it), then what links them to devices and clinicians, then the person.
const ERASE: &[&str] = &[
    "DELETE FROM sessions WHERE user_id = $1",
    "DELETE FROM outbox WHERE user_id = $1",
    "DELETE FROM profile WHERE user_id = $1",
    "DELETE FROM acknowledgements WHERE user_id = $1",
    "DELETE FROM screenings WHERE user_id = $1",
    "DELETE FROM clearances WHERE user_id = $1",
    "DELETE FROM sheets WHERE user_id = $1",
    "DELETE FROM prescriptions WHERE user_id = $1",
    "DELETE FROM messages WHERE user_id = $1",
    "DELETE FROM function_scores WHERE user_id = $1",
    "DELETE FROM alert_mail WHERE alert_id IN (SELECT id FROM alerts WHERE user_id = $1)",
    "DELETE FROM alerts WHERE user_id = $1",
    "DELETE FROM care_team WHERE user_id = $1",
    "DELETE FROM link_codes WHERE user_id = $1",
    "DELETE FROM devices WHERE user_id = $1",
    "DELETE FROM people WHERE id = $1",
];

impl<C: GenericClient> Db<'_, C> {
    /// Adds a line to the audit log, in the caller's transaction.
    fn add_audit(&mut self, e: &AuditEntry) -> Result<(), StoreError> {
        // Lines are added one at a time: a line's number is taken when it is inserted,
        // not when it is committed, so two at once could commit out of order, and a
        // reader going on from the last number it saw would miss the one committed
        // late. Under the lock (which plain reads pass) they commit in number order,
        // as in SQLite.
        self.c
            .execute("LOCK TABLE audit IN EXCLUSIVE MODE", &[])
            .map_err(|err| self.err(err))?;
        self.c
            .execute(
                "INSERT INTO audit (at, at_offset, actor, action, patient, source)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &e.at.utc_s,
                    &e.at.offset_s,
                    &e.actor,
                    &e.action,
                    &e.patient,
                    &e.from,
                ],
            )
            .map(|_| ())
            .map_err(|err| self.err(err))
    }

    /// A count the query gives for the person.
    fn tally(&mut self, sql: &str, user: &UserId) -> Result<u64, StoreError> {
        let n: i64 = self
            .c
            .query_one(sql, &[&user.as_str()])
            .and_then(|r| r.try_get(0))
            .map_err(|e| self.err(e))?;
        Ok(u64::try_from(n).unwrap_or_default())
    }
}

impl PostgresStore {
    /// Runs one statement, in a write of its own.
    fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<(), StoreError> {
        self.write(|db| db.c.execute(sql, params).map(|_| ()).map_err(|e| db.err(e)))
    }
}

impl Clinic for PostgresStore {
    fn add_clinician(&self, id: &str, email: &str, at: Stamp) -> Result<(), StoreError> {
        self.write(|db| {
            let n =
                db.c.execute(
                    "INSERT INTO clinicians (id, email, added_at) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING",
                    &[&id, &email, &at.utc_s],
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
                "SELECT {CLINICIAN} FROM clinicians c WHERE lower(c.email) = lower($1)",
                &[&email],
            )
        })
    }

    fn add_invitation(
        &self,
        clinician: &str,
        code_hash: &str,
        expires: Stamp,
    ) -> Result<(), StoreError> {
        self.write(|db| {
            db.c.execute(
                "DELETE FROM invitations WHERE clinician_id = $1 AND used_at IS NULL",
                &[&clinician],
            )
            .map_err(|e| db.err(e))?;
            db.c.execute(
                "INSERT INTO invitations (hash, clinician_id, expires_at) VALUES ($1, $2, $3)",
                &[&code_hash, &clinician, &expires.utc_s],
            )
            .map(|_| ())
            .map_err(|e| db.err(e))
        })
    }

    fn invitation(&self, code_hash: &str, at: Stamp) -> Result<Option<Clinician>, StoreError> {
        self.read(|db| {
            db.one_clinician(
                "SELECT {CLINICIAN} FROM invitations i JOIN clinicians c ON c.id = i.clinician_id
                 WHERE i.hash = $1 AND i.used_at IS NULL AND i.expires_at > $2",
                &[&code_hash, &at.utc_s],
            )
        })
    }

    fn accept_invitation(
        &self,
        code_hash: &str,
        password_hash: &str,
        at: Stamp,
    ) -> Result<Option<String>, StoreError> {
        self.write(|db| {
            // The update locks the invitation's row: a second call with the same code waits
            // for this transaction, then finds it spent.
            let id: Option<String> =
                db.c.query_opt(
                    "UPDATE invitations SET used_at = $2
                     WHERE hash = $1 AND used_at IS NULL AND expires_at > $2
                     RETURNING clinician_id",
                    &[&code_hash, &at.utc_s],
                )
                .and_then(|r| r.map(|r| r.try_get(0)).transpose())
                .map_err(|e| db.err(e))?;
            if let Some(id) = &id {
                db.c.execute(
                    "UPDATE clinicians SET password = $2, failures = 0, locked_until = NULL
                     WHERE id = $1",
                    &[id, &password_hash],
                )
                .map_err(|e| db.err(e))?;
                db.c.execute(
                    "DELETE FROM clinician_sessions WHERE clinician_id = $1",
                    &[id],
                )
                .map_err(|e| db.err(e))?;
            }
            Ok(id)
        })
    }

    fn login_failed(&self, id: &str, max: u32, lock_until: Stamp) -> Result<u32, StoreError> {
        self.write(|db| {
            let failures: Option<i64> =
                db.c.query_opt(
                    "UPDATE clinicians SET failures = failures + 1,
                            locked_until = CASE WHEN failures + 1 >= $2 THEN $3
                                                ELSE locked_until END
                     WHERE id = $1 RETURNING failures",
                    &[&id, &i64::from(max), &lock_until.utc_s],
                )
                .and_then(|r| r.map(|r| r.try_get(0)).transpose())
                .map_err(|e| db.err(e))?;
            failures.map_or(Ok(0), |n| db.count("clinician", n))
        })
    }

    fn login_succeeded(&self, id: &str, at: Stamp) -> Result<bool, StoreError> {
        self.write(|db| {
            db.c.execute(
                "UPDATE clinicians SET failures = 0, locked_until = NULL
                 WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2)",
                &[&id, &at.utc_s],
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
        self.execute(
            "INSERT INTO clinician_sessions
                 (token_hash, clinician_id, opened_at, used_at, expires_at)
             VALUES ($1, $2, $3, $3, $4)",
            &[&token_hash, &clinician, &at.utc_s, &expires.utc_s],
        )
    }

    fn use_session(
        &self,
        token_hash: &str,
        at: Stamp,
        idle_s: i64,
    ) -> Result<Option<Clinician>, StoreError> {
        self.write(|db| {
            // One statement marks the use and reads the clinician. `used_at > $2 - $3` is
            // `used_at + idle_s > at`, without adding to a time near the end of `bigint`.
            db.one_clinician(
                "UPDATE clinician_sessions s SET used_at = $2 FROM clinicians c
                 WHERE s.token_hash = $1 AND c.id = s.clinician_id
                   AND s.expires_at > $2 AND s.used_at > $2 - $3
                 RETURNING {CLINICIAN}",
                &[&token_hash, &at.utc_s, &idle_s],
            )
        })
    }

    fn close_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM clinician_sessions WHERE token_hash = $1",
            &[&token_hash],
        )
    }

    fn add_patient(&self, clinician: &str, patient: &UserId, at: Stamp) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO care_team (clinician_id, user_id, since) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&clinician, &patient.as_str(), &at.utc_s],
        )
    }

    fn patients(&self, clinician: &str) -> Result<Vec<(UserId, String)>, StoreError> {
        self.read(|db| {
            let rows =
                db.c.query(
                    "SELECT p.id, p.name FROM care_team t JOIN people p ON p.id = t.user_id
                     WHERE t.clinician_id = $1 ORDER BY t.seq",
                    &[&clinician],
                )
                .map_err(|e| db.err(e))?;
            rows.iter()
                .map(|r| Ok((UserId::new(r.try_get::<_, String>(0)?), r.try_get(1)?)))
                .collect::<Result<_, postgres::Error>>()
                .map_err(|e| db.err(e))
        })
    }

    fn has_clinician(&self, patient: &UserId) -> Result<bool, StoreError> {
        self.read(|db| {
            db.c.query_one(
                "SELECT EXISTS (SELECT 1 FROM care_team WHERE user_id = $1)",
                &[&patient.as_str()],
            )
            .and_then(|r| r.try_get(0))
            .map_err(|e| db.err(e))
        })
    }

    fn patient(&self, clinician: &str, patient: &UserId) -> Result<Option<String>, StoreError> {
        self.read(|db| {
            db.c.query_opt(
                "SELECT p.name FROM care_team t JOIN people p ON p.id = t.user_id
                 WHERE t.clinician_id = $1 AND t.user_id = $2",
                &[&clinician, &patient.as_str()],
            )
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .map_err(|e| db.err(e))
        })
    }

    fn add_alert(&self, patient: &UserId, a: &Alert) -> Result<bool, StoreError> {
        self.write(|db| {
            let id: Option<i64> =
                db.c.query_opt(
                    "INSERT INTO alerts (user_id, key, kind, text, at, at_offset)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id",
                    &[
                        &patient.as_str(),
                        &a.key,
                        &a.kind.as_str(),
                        &a.text,
                        &a.at.utc_s,
                        &a.at.offset_s,
                    ],
                )
                .and_then(|r| r.map(|r| r.try_get(0)).transpose())
                .map_err(|e| db.err(e))?;
            let Some(id) = id else { return Ok(false) };
            db.c.execute(
                "INSERT INTO alert_mail (alert_id, clinician_id, next_at)
                 SELECT $1, clinician_id, 0 FROM care_team WHERE user_id = $2",
                &[&id, &patient.as_str()],
            )
            .map_err(|e| db.err(e))?;
            Ok(true)
        })
    }

    fn alerts(&self, patient: &UserId) -> Result<Vec<KeptAlert>, StoreError> {
        self.read(|db| {
            let rows =
                db.c.query(
                    "SELECT id, key, kind, text, at, at_offset, acked_by, acked_at FROM alerts
                     WHERE user_id = $1 ORDER BY at DESC, id DESC",
                    &[&patient.as_str()],
                )
                .map_err(|e| db.err(e))?;
            rows.iter().map(|r| db.kept_alert(r)).collect()
        })
    }

    fn ack_alert(
        &self,
        patient: &UserId,
        id: i64,
        by: &str,
        at: Stamp,
    ) -> Result<bool, StoreError> {
        self.write(|db| {
            // The update locks the alert's row: a second acknowledgement at once waits for
            // this transaction, then finds it acknowledged.
            db.c.execute(
                "UPDATE alerts SET acked_by = $3, acked_at = $4
                 WHERE user_id = $1 AND id = $2 AND acked_by IS NULL",
                &[&patient.as_str(), &id, &by, &at.utc_s],
            )
            .map(|n| n == 1)
            .map_err(|e| db.err(e))
        })
    }

    fn set_quiet_days(&self, patient: &UserId, days: u32) -> Result<(), StoreError> {
        let days = i32::try_from(days).unwrap_or(i32::MAX);
        self.execute(
            "UPDATE people SET quiet_days = $2 WHERE id = $1",
            &[&patient.as_str(), &days],
        )
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
            // Rows another server is claiming are skipped, not waited for.
            let rows =
                db.c.query(
                    "SELECT m.alert_id, m.clinician_id, c.email, a.user_id, p.name, a.kind, a.text,
                            a.at, a.at_offset, a.acked_by IS NOT NULL, m.tries
                     FROM alert_mail m JOIN alerts a ON a.id = m.alert_id
                     JOIN clinicians c ON c.id = m.clinician_id
                     JOIN people p ON p.id = a.user_id
                     WHERE m.mailed_at IS NULL AND m.next_at <= $1
                     ORDER BY m.next_at, m.alert_id, m.clinician_id LIMIT $2
                     FOR UPDATE OF m SKIP LOCKED",
                    &[&at.utc_s, &i64::try_from(limit).unwrap_or(i64::MAX)],
                )
                .map_err(|e| db.err(e))?;
            let due = rows
                .iter()
                .map(|r| db.alert_mail(r))
                .collect::<Result<Vec<_>, _>>()?;
            for m in &due {
                db.c.execute(
                    "UPDATE alert_mail SET next_at = $3 WHERE alert_id = $1 AND clinician_id = $2",
                    &[&m.alert, &m.clinician, &until.utc_s],
                )
                .map_err(|e| db.err(e))?;
            }
            Ok(due)
        })
    }

    fn next_mail(&self) -> Result<Option<Stamp>, StoreError> {
        self.read(|db| {
            db.c.query_one(
                "SELECT min(next_at) FROM alert_mail WHERE mailed_at IS NULL",
                &[],
            )
            .and_then(|r| r.try_get::<_, Option<i64>>(0))
            .map(|at| at.map(|s| stamp(s, 0)))
            .map_err(|e| db.err(e))
        })
    }

    fn mail_done(&self, alert: i64, clinician: &str, at: Stamp) -> Result<bool, StoreError> {
        self.write(|db| {
            db.c.execute(
                "UPDATE alert_mail SET mailed_at = $3
                 WHERE alert_id = $1 AND clinician_id = $2 AND mailed_at IS NULL",
                &[&alert, &clinician, &at.utc_s],
            )
            .map(|n| n == 1)
            .map_err(|e| db.err(e))
        })
    }

    fn mail_failed(&self, alert: i64, clinician: &str, retry_at: Stamp) -> Result<(), StoreError> {
        self.execute(
            "UPDATE alert_mail SET tries = tries + 1, next_at = $3
             WHERE alert_id = $1 AND clinician_id = $2 AND mailed_at IS NULL",
            &[&alert, &clinician, &retry_at.utc_s],
        )
    }

    fn audit(&self, e: &AuditEntry) -> Result<(), StoreError> {
        self.write(|db| db.add_audit(e))
    }

    fn audit_all(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let at: Vec<i64> = entries.iter().map(|e| e.at.utc_s).collect();
        let offset: Vec<i32> = entries.iter().map(|e| e.at.offset_s).collect();
        let actor: Vec<&str> = entries.iter().map(|e| e.actor.as_str()).collect();
        let action: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        let patient: Vec<Option<&str>> = entries.iter().map(|e| e.patient.as_deref()).collect();
        let from: Vec<&str> = entries.iter().map(|e| e.from.as_str()).collect();
        self.write(|db| {
            // Under the lock, as `add_audit`; the lines in one statement (a page that reads
            // 500 patients' data writes 500 lines, in one round trip), numbered in order.
            db.c.execute("LOCK TABLE audit IN EXCLUSIVE MODE", &[])
                .map_err(|err| db.err(err))?;
            db.c.execute(
                "INSERT INTO audit (at, at_offset, actor, action, patient, source)
                 SELECT at, off, actor, action, patient, source
                 FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[],
                             $6::text[])
                      WITH ORDINALITY AS l (at, off, actor, action, patient, source, n)
                 ORDER BY n",
                &[&at, &offset, &actor, &action, &patient, &from],
            )
            .map(|_| ())
            .map_err(|err| db.err(err))
        })
    }

    fn patient_rows(&self, clinician: &str, since: Stamp) -> Result<Vec<PatientRow>, StoreError> {
        self.read(|db| {
            let rows =
                db.c.query(
                    r#"SELECT p.id, p.name, p.quiet_days,
                       (SELECT count(*) FROM devices d
                        WHERE d.user_id = p.id AND d.unlinked_at IS NULL),
                       l.started_at, l.started_offset,
                       (SELECT count(*) FROM alerts a
                        WHERE a.user_id = p.id AND a.acked_by IS NULL),
                       (SELECT count(DISTINCT (s.started_at + s.started_offset) / 86400)
                        FROM sessions s WHERE s.user_id = p.id AND s.started_at >= $2
                          AND NOT s.desk_break),
                       (SELECT r.body FROM prescriptions r WHERE r.user_id = p.id
                        ORDER BY r.at DESC, r.uid COLLATE "C" DESC LIMIT 1)
                     FROM care_team t JOIN people p ON p.id = t.user_id
                     LEFT JOIN LATERAL (
                         SELECT s.started_at, s.started_offset FROM sessions s
                         WHERE s.user_id = p.id ORDER BY s.started_at DESC, s.id DESC LIMIT 1
                     ) l ON true
                     WHERE t.clinician_id = $1 ORDER BY t.seq"#,
                    &[&clinician, &since.utc_s],
                )
                .map_err(|e| db.err(e))?;
            rows.iter()
                .map(|r| {
                    let read = || -> Result<_, postgres::Error> {
                        Ok((
                            r.try_get::<_, String>(0)?,
                            r.try_get::<_, String>(1)?,
                            r.try_get::<_, Option<i32>>(2)?,
                            r.try_get::<_, i64>(3)?,
                            r.try_get::<_, Option<i64>>(4)?
                                .zip(r.try_get::<_, Option<i32>>(5)?),
                            r.try_get::<_, i64>(6)?,
                            r.try_get::<_, i64>(7)?,
                            r.try_get::<_, Option<String>>(8)?,
                        ))
                    };
                    let (id, name, days, devices, last, open, recent, prescription) =
                        read().map_err(|e| db.err(e))?;
                    let count = |n: i64| u32::try_from(n).map_err(|e| db.corrupt("people", &e));
                    Ok(PatientRow {
                        patient: UserId::new(id),
                        name,
                        quiet_days: days
                            .map(|d| u32::try_from(d).map_err(|e| db.corrupt("people", &e)))
                            .transpose()?,
                        devices: count(devices)?,
                        last_session: last.map(|(at, offset)| stamp(at, offset)),
                        open_alerts: count(open)?,
                        recent_days: count(recent)?,
                        prescription,
                    })
                })
                .collect()
        })
    }

    fn audit_log(&self, after: u64, limit: usize) -> Result<Vec<(u64, AuditEntry)>, StoreError> {
        self.read(|db| {
            let rows =
                db.c.query(
                    "SELECT seq, at, at_offset, actor, action, patient, source FROM audit
                     WHERE seq > $1 ORDER BY seq LIMIT $2",
                    &[
                        &i64::try_from(after).unwrap_or(i64::MAX),
                        &i64::try_from(limit).unwrap_or(i64::MAX),
                    ],
                )
                .map_err(|e| db.err(e))?;
            rows.iter().map(|r| db.audit_line(r)).collect()
        })
    }

    fn audit_about(&self, patient: &UserId) -> Result<Vec<(u64, AuditEntry)>, StoreError> {
        self.read(|db| {
            let rows =
                db.c.query(
                    "SELECT seq, at, at_offset, actor, action, patient, source FROM audit
                     WHERE patient = $1 ORDER BY seq",
                    &[&patient.as_str()],
                )
                .map_err(|e| db.err(e))?;
            rows.iter().map(|r| db.audit_line(r)).collect()
        })
    }

    fn offer_totp(&self, clinician: &str, secret: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE clinicians SET totp_offered = $2 WHERE id = $1",
            &[&clinician, &secret],
        )
    }

    fn totp(&self, clinician: &str) -> Result<TotpState, StoreError> {
        self.read(|db| {
            let row =
                db.c.query_opt(
                    "SELECT totp_secret, totp_offered, totp_step FROM clinicians WHERE id = $1",
                    &[&clinician],
                )
                .map_err(|e| db.err(e))?;
            row.map_or(Ok(TotpState::default()), |r| {
                let read = || -> Result<TotpState, postgres::Error> {
                    Ok(TotpState {
                        secret: r.try_get(0)?,
                        offered: r.try_get(1)?,
                        last_step: r.try_get(2)?,
                    })
                };
                read().map_err(|e| db.err(e))
            })
        })
    }

    fn take_totp_step(
        &self,
        clinician: &str,
        step: i64,
        confirm: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.write(|db| {
            // The update locks the clinician's row: a second use of the same code at once
            // waits, then finds its step taken.
            let n = match confirm {
                Some(offered) => db.c.execute(
                    "UPDATE clinicians SET totp_secret = totp_offered, totp_offered = NULL,
                            totp_step = $2
                     WHERE id = $1 AND totp_offered = $3
                       AND (totp_step IS NULL OR totp_step < $2)",
                    &[&clinician, &step, &offered],
                ),
                None => db.c.execute(
                    "UPDATE clinicians SET totp_step = $2
                     WHERE id = $1 AND totp_secret IS NOT NULL
                       AND (totp_step IS NULL OR totp_step < $2)",
                    &[&clinician, &step],
                ),
            };
            n.map(|n| n == 1).map_err(|e| db.err(e))
        })
    }

    fn drop_totp(&self, clinician: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE clinicians SET totp_secret = NULL, totp_offered = NULL WHERE id = $1",
            &[&clinician],
        )
    }

    fn open_totp_login(
        &self,
        token_hash: &str,
        clinician: &str,
        expires: Stamp,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO totp_logins (token_hash, clinician_id, expires_at) VALUES ($1, $2, $3)",
            &[&token_hash, &clinician, &expires.utc_s],
        )
    }

    fn totp_login(&self, token_hash: &str, at: Stamp) -> Result<Option<Clinician>, StoreError> {
        self.read(|db| {
            db.one_clinician(
                "SELECT {CLINICIAN} FROM totp_logins l JOIN clinicians c ON c.id = l.clinician_id
                 WHERE l.token_hash = $1 AND l.expires_at > $2",
                &[&token_hash, &at.utc_s],
            )
        })
    }

    fn close_totp_login(&self, token_hash: &str) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM totp_logins WHERE token_hash = $1",
            &[&token_hash],
        )
    }

    fn care_team(&self, patient: &UserId) -> Result<Vec<(String, Stamp)>, StoreError> {
        self.read(|db| {
            let rows =
                db.c.query(
                    "SELECT c.email, t.since FROM care_team t
                     JOIN clinicians c ON c.id = t.clinician_id
                     WHERE t.user_id = $1 ORDER BY t.seq",
                    &[&patient.as_str()],
                )
                .map_err(|e| db.err(e))?;
            rows.iter()
                .map(|r| Ok((r.try_get(0)?, stamp(r.try_get(1)?, 0))))
                .collect::<Result<_, postgres::Error>>()
                .map_err(|e| db.err(e))
        })
    }

    fn erase_person(&self, patient: &UserId, entry: &AuditEntry) -> Result<Erased, StoreError> {
        self.write(|db| {
            // The person's devices are locked first (no device links or moves meanwhile),
            // then each series of their log, as a writer takes it: a write of their log
            // under way finishes first, and one after finds their device gone.
            let mut series: Vec<String> =
                db.c.query(
                    "SELECT id FROM devices WHERE user_id = $1 FOR UPDATE",
                    &[&patient.as_str()],
                )
                .and_then(|rows| rows.iter().map(|r| r.try_get(0)).collect())
                .map_err(|e| db.err(e))?;
            let logged: Vec<String> =
                db.c.query(
                    "SELECT DISTINCT device FROM outbox WHERE user_id = $1",
                    &[&patient.as_str()],
                )
                .and_then(|rows| rows.iter().map(|r| r.try_get(0)).collect())
                .map_err(|e| db.err(e))?;
            series.extend(logged);
            series.push(db.device_id()?);
            series.sort();
            series.dedup();
            for device in &series {
                db.lock_series(patient, device)?;
            }
            let erased = Erased {
                sessions: db.tally("SELECT count(*) FROM sessions WHERE user_id = $1", patient)?,
                events: db.tally("SELECT count(*) FROM outbox WHERE user_id = $1", patient)?,
                devices: db.tally("SELECT count(*) FROM devices WHERE user_id = $1", patient)?,
            };
            db.c.execute(
                "INSERT INTO erased_tokens (token_hash, erased_at)
                 SELECT token_hash, $2 FROM devices WHERE user_id = $1
                 ON CONFLICT DO NOTHING",
                &[&patient.as_str(), &entry.at.utc_s],
            )
            .map_err(|e| db.err(e))?;
            for sql in ERASE {
                db.c.execute(sql, &[&patient.as_str()])
                    .map_err(|e| db.err(e))?;
            }
            db.add_audit(entry)?;
            Ok(erased)
        })
    }

    fn erased_device(&self, token_hash: &str) -> Result<Option<Stamp>, StoreError> {
        self.read(|db| {
            db.c.query_opt(
                "SELECT erased_at FROM erased_tokens WHERE token_hash = $1",
                &[&token_hash],
            )
            .and_then(|r| r.map(|r| r.try_get::<_, i64>(0)).transpose())
            .map(|t| t.map(|t| stamp(t, 0)))
            .map_err(|e| db.err(e))
        })
    }

    fn save_template(&self, t: &Kept) -> Result<(), StoreError> {
        self.save_kept("templates", "name", t)
    }

    fn templates(&self) -> Result<Vec<Kept>, StoreError> {
        self.read_kept("templates", "name")
    }

    fn save_practice_exercise(&self, e: &Kept) -> Result<(), StoreError> {
        self.save_kept("practice_exercises", "id", e)
    }

    fn practice_exercises(&self) -> Result<Vec<Kept>, StoreError> {
        self.read_kept("practice_exercises", "id")
    }
}

impl PostgresStore {
    /// Keeps an item of the practice's library in `table` under its `key` column, replacing
    /// one of the same name.
    fn save_kept(&self, table: &str, key: &str, k: &Kept) -> Result<(), StoreError> {
        self.execute(
            &format!(
                "INSERT INTO {table} ({key}, body, made_by, at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT ({key}) DO UPDATE SET body = excluded.body,
                     made_by = excluded.made_by, at = excluded.at"
            ),
            &[&k.name, &k.body, &k.by, &k.at.utc_s],
        )
    }

    fn read_kept(&self, table: &str, key: &str) -> Result<Vec<Kept>, StoreError> {
        self.read(|db| {
            let rows =
                db.c.query(
                    &format!(
                        r#"SELECT {key}, body, made_by, at FROM {table} ORDER BY {key} COLLATE "C""#
                    ),
                    &[],
                )
                .map_err(|e| db.err(e))?;
            rows.iter()
                .map(|r| {
                    Ok(Kept {
                        name: r.try_get(0)?,
                        body: r.try_get(1)?,
                        by: r.try_get(2)?,
                        at: stamp(r.try_get(3)?, 0),
                    })
                })
                .collect::<Result<_, postgres::Error>>()
                .map_err(|e| db.err(e))
        })
    }
}
