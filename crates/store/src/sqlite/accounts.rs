//! A sync server's people and devices, in SQLite.

use backstretch_core::time::Stamp;
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, stamp};
use crate::accounts::{Accounts, Device, Linking, Redeemed};
use crate::{StoreError, UserId};

impl Accounts for SqliteStore {
    fn add_person(&self, name: &str, id: &UserId, at: Stamp) -> Result<(), StoreError> {
        self.with(|db| {
            let n = db
                .conn
                .execute(
                    "INSERT INTO people (id, name, added_at, added_offset) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT DO NOTHING",
                    params![id.as_str(), name, at.utc_s, at.offset_s],
                )
                .map_err(|e| db.err(e))?;
            if n == 0 {
                return Err(StoreError::Taken {
                    what: format!("the name \"{name}\""),
                });
            }
            Ok(())
        })
    }

    fn person(&self, name: &str) -> Result<Option<UserId>, StoreError> {
        self.read(|db| {
            db.conn
                .query_row("SELECT id FROM people WHERE name = ?1", [name], |r| {
                    r.get::<_, String>(0)
                })
                .optional()
                .map(|id| id.map(UserId::new))
                .map_err(|e| db.err(e))
        })
    }

    fn add_link_code(
        &self,
        user: &UserId,
        code_hash: &str,
        expires: Stamp,
    ) -> Result<(), StoreError> {
        self.with(|db| {
            db.conn
                .execute(
                    "INSERT INTO link_codes (hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
                    params![code_hash, user.as_str(), expires.utc_s],
                )
                .map(|_| ())
                .map_err(|e| db.err(e))
        })
    }

    fn redeem_link_code(&self, l: &Linking<'_>) -> Result<Redeemed, StoreError> {
        self.with(|db| {
            let tx = db.conn.unchecked_transaction().map_err(|e| db.err(e))?;
            let user: Option<String> = db
                .conn
                .query_row(
                    "SELECT user_id FROM link_codes
                     WHERE hash = ?1 AND used_at IS NULL AND expires_at > ?2",
                    params![l.code_hash, l.at.utc_s],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| db.err(e))?;
            let Some(user) = user else {
                return Ok(Redeemed::Refused);
            };
            let owner: Option<String> = db
                .conn
                .query_row(
                    "SELECT user_id FROM devices WHERE id = ?1",
                    [l.device],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| db.err(e))?;
            if owner.is_some_and(|o| o != user) {
                return Ok(Redeemed::OtherPersons);
            }
            db.conn
                .execute(
                    "UPDATE link_codes SET used_at = ?2 WHERE hash = ?1",
                    params![l.code_hash, l.at.utc_s],
                )
                .map_err(|e| db.err(e))?;
            db.conn
                .execute(
                    "INSERT INTO devices (user_id, id, name, token_hash, linked_at, linked_offset)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (id) DO UPDATE SET name = ?3, token_hash = ?4, linked_at = ?5,
                         linked_offset = ?6, unlinked_at = NULL, unlinked_offset = NULL",
                    params![
                        user,
                        l.device,
                        l.name,
                        l.token_hash,
                        l.at.utc_s,
                        l.at.offset_s
                    ],
                )
                .map_err(|e| db.err(e))?;
            tx.commit().map_err(|e| db.err(e))?;
            Ok(Redeemed::Linked(UserId::new(user)))
        })
    }

    fn device_for(&self, token_hash: &str) -> Result<Option<(UserId, String)>, StoreError> {
        self.read(|db| {
            db.conn
                .query_row(
                    "SELECT user_id, id FROM devices WHERE token_hash = ?1 AND unlinked_at IS NULL",
                    [token_hash],
                    |r| Ok((UserId::new(r.get::<_, String>(0)?), r.get(1)?)),
                )
                .optional()
                .map_err(|e| db.err(e))
        })
    }

    fn unlink(&self, user: &UserId, device: &str, at: Stamp) -> Result<bool, StoreError> {
        self.with(|db| {
            db.conn
                .execute(
                    "UPDATE devices SET unlinked_at = ?3, unlinked_offset = ?4
                     WHERE user_id = ?1 AND id = ?2 AND unlinked_at IS NULL",
                    params![user.as_str(), device, at.utc_s, at.offset_s],
                )
                .map(|n| n == 1)
                .map_err(|e| db.err(e))
        })
    }

    fn move_link(
        &self,
        user: &UserId,
        from: &str,
        to: &str,
        at: Stamp,
    ) -> Result<bool, StoreError> {
        self.with(|db| {
            let tx = db.conn.unchecked_transaction().map_err(|e| db.err(e))?;
            let known: bool = db
                .conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM devices WHERE id = ?1)",
                    [to],
                    |r| r.get(0),
                )
                .map_err(|e| db.err(e))?;
            if known {
                return Err(StoreError::Taken {
                    what: format!("the device id {to}"),
                });
            }
            let linked: Option<(String, String)> = db
                .conn
                .query_row(
                    "SELECT name, token_hash FROM devices
                     WHERE user_id = ?1 AND id = ?2 AND unlinked_at IS NULL",
                    params![user.as_str(), from],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(|e| db.err(e))?;
            let Some((name, token_hash)) = linked else {
                return Ok(false);
            };
            // The old row keeps a token hash no token has (a hash is hex), so the column
            // stays unique.
            db.conn
                .execute(
                    "UPDATE devices SET token_hash = ?3, unlinked_at = ?4, unlinked_offset = ?5
                     WHERE user_id = ?1 AND id = ?2",
                    params![
                        user.as_str(),
                        from,
                        format!("moved to {to}"),
                        at.utc_s,
                        at.offset_s
                    ],
                )
                .map_err(|e| db.err(e))?;
            db.conn
                .execute(
                    "INSERT INTO devices (user_id, id, name, token_hash, linked_at, linked_offset)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![user.as_str(), to, name, token_hash, at.utc_s, at.offset_s],
                )
                .map_err(|e| db.err(e))?;
            tx.commit().map_err(|e| db.err(e))?;
            Ok(true)
        })
    }

    fn devices(&self, user: &UserId) -> Result<Vec<Device>, StoreError> {
        self.read(|db| {
            let mut st = db
                .conn
                .prepare(
                    "SELECT id, name, linked_at, linked_offset, unlinked_at, unlinked_offset
                     FROM devices WHERE user_id = ?1 ORDER BY linked_at, id",
                )
                .map_err(|e| db.err(e))?;
            let rows = st
                .query_map([user.as_str()], |r| {
                    let unlinked = match (r.get(4)?, r.get(5)?) {
                        (Some(t), Some(o)) => Some(stamp(t, o)),
                        _ => None,
                    };
                    Ok(Device {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        linked_at: stamp(r.get(2)?, r.get(3)?),
                        unlinked_at: unlinked,
                    })
                })
                .map_err(|e| db.err(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db.err(e))
        })
    }
}
