//! A digest of a person's log, part by part, the same on every device and on the server once
//! they hold the same changes: what `sync verify` compares. What is local to one log is left
//! out: row ids, heartbeats, process ids, and the order a session's steps arrived in.

use std::collections::BTreeMap;

use backstretch_core::hash::Hasher;
use backstretch_core::session::LoggedSession;
use backstretch_core::time::Stamp;
use serde::{Deserialize, Serialize};

use crate::{Order, Store, StoreError, UserId};

/// Sessions read a page at a time.
const PAGE: usize = 500;

/// A log's digest: how many sessions, and a hash of each part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    /// How many sessions the log holds.
    pub sessions: usize,
    /// Each part's hash, in hex: `sessions`, `profile`, `disclaimer`, `screening`,
    /// `clearances`, `sheets`, `prescriptions`, `messages`, `function`.
    pub parts: BTreeMap<String, String>,
}

impl Digest {
    /// The parts that differ from `other`'s, in order.
    pub fn differences(&self, other: &Digest) -> Vec<String> {
        let mut names: Vec<&String> = self.parts.keys().chain(other.parts.keys()).collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .filter(|n| self.parts.get(*n) != other.parts.get(*n))
            .cloned()
            .collect()
    }
}

fn hex(h: &Hasher) -> String {
    format!("{:016x}", h.finish())
}

fn json<T: Serialize + ?Sized>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Backend(e.into()))
}

/// One session as every log holds it: its steps in a fixed order, no local details.
fn session_text(l: &LoggedSession) -> Result<String, StoreError> {
    let s = &l.session;
    let mut steps = l.steps.iter().map(json).collect::<Result<Vec<_>, _>>()?;
    steps.sort();
    json(&serde_json::json!({
        "uid": s.uid,
        "started_at": s.started_at,
        "ended_at": s.ended_at,
        "source": s.source,
        "routine": s.routine,
        "planned_s": s.planned_s,
        "pain_before": s.pain_before,
        "pain_after": s.pain_after,
        "outcome": s.outcome,
        "settled": s.settled,
        "steps": steps,
    }))
}

/// The digest of `user`'s log, reading its sessions a page at a time.
pub fn digest(s: &dyn Store, user: &UserId) -> Result<Digest, StoreError> {
    let mut by_uid: BTreeMap<String, String> = BTreeMap::new();
    let mut from = None;
    loop {
        let page = s.sessions_page(user, from, PAGE, Order::OldestFirst)?;
        let Some(last) = page.last() else { break };
        from = Some((last.session.started_at, last.session.id));
        for l in &page {
            let mut h = Hasher::default();
            h.add(session_text(l)?.as_bytes());
            by_uid.insert(l.session.uid.clone(), hex(&h));
        }
    }
    let mut sessions = Hasher::default();
    for (uid, h) in &by_uid {
        sessions.add(uid.as_bytes()).add(h.as_bytes());
    }
    let mut parts = BTreeMap::new();
    parts.insert("sessions".to_string(), hex(&sessions));
    let mut part = |name: &str, text: String| {
        let mut h = Hasher::default();
        h.add(text.as_bytes());
        parts.insert(name.to_string(), hex(&h));
    };
    part("profile", json(&s.profile(user)?)?);
    part("disclaimer", json(&s.disclaimer_version(user)?)?);
    part("screening", json(&s.last_screening(user)?)?);
    part("clearances", json(&s.clearances(user)?)?);
    let sheets: Vec<(String, String, Stamp)> = s
        .sheets(user)?
        .into_iter()
        .map(|(code, routine, at)| Ok((code.to_string(), json(&routine)?, at)))
        .collect::<Result<_, StoreError>>()?;
    part("sheets", json(&sheets)?);
    part("prescriptions", json(&s.prescriptions(user)?)?);
    part("messages", json(&s.messages(user)?)?);
    part("function", json(&s.functions(user)?)?);
    Ok(Digest {
        sessions: by_uid.len(),
        parts,
    })
}
