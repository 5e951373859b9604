//! Steps that players report, written in groups: one thread takes every step waiting and
//! logs them in one commit (one write to disk, durable before any is answered), so fifty
//! players posting at once cost a few commits, not fifty.
//!
//! Kept for what it measured (`bench/web.sh`, release build, 50 clients posting steps on
//! loopback, a busy 2-core machine): 5,300 to 8,800 steps a second, p99 about 20 ms, against
//! 1,700 to 2,800 a second, p99 55 to 112 ms, with each step its own commit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, mpsc};

use backstretch_app::{App, Reported, SessionFrame};
use backstretch_core::session::SessionId;
use tokio::sync::oneshot;

use crate::error::WebError;

/// The most steps in one commit.
const GROUP: usize = 256;
/// How many sessions' timelines are kept (a few kilobytes each): more than the sessions that
/// can play at once, or the cache would be emptied while they play.
const KEEP_TIMELINES: usize = 1024;

/// A step to log, and where to say how it went.
#[derive(Debug)]
pub struct Job {
    pub id: SessionId,
    pub report: Reported,
    /// The answer: logged now (true), a retry (false), or why not.
    pub reply: oneshot::Sender<Result<bool, WebError>>,
}

/// The queue to the writing thread.
#[derive(Debug)]
pub struct StepWriter {
    tx: mpsc::Sender<Job>,
}

impl StepWriter {
    /// Starts the thread: each time steps wait, it hands up to [`GROUP`] of them to `write`,
    /// and ends when `write` says so (false) or every sender is gone.
    pub fn spawn(mut write: impl FnMut(Vec<Job>) -> bool + Send + 'static) -> StepWriter {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut jobs = vec![first];
                jobs.extend(rx.try_iter().take(GROUP - 1));
                if !write(jobs) {
                    break;
                }
            }
        });
        StepWriter { tx }
    }

    /// Logs a reported step with any others waiting: true when logged now, false for a retry.
    pub async fn log(&self, id: SessionId, report: Reported) -> Result<bool, WebError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job { id, report, reply })
            .map_err(|_| WebError::internal("the step writer has stopped"))?;
        answer
            .await
            .map_err(|_| WebError::internal("the step writer dropped a step unanswered"))?
    }
}

/// Sessions' timelines, by session id (a timeline never changes once begun).
#[derive(Debug, Default)]
pub struct Timelines(Mutex<HashMap<i64, Arc<SessionFrame>>>);

impl Timelines {
    /// A session's timeline, made by `make` the first time.
    pub fn get<E>(
        &self,
        id: i64,
        make: impl FnOnce() -> Result<SessionFrame, E>,
    ) -> Result<Arc<SessionFrame>, E> {
        if let Some(t) = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&id)
        {
            return Ok(Arc::clone(t));
        }
        let t = Arc::new(make()?);
        let mut all = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if all.len() >= KEEP_TIMELINES {
            all.clear();
        }
        all.insert(id, Arc::clone(&t));
        Ok(t)
    }
}

/// Logs a group of steps in one commit and answers each.
pub fn write(app: &App<'_>, timelines: &Timelines, jobs: Vec<Job>) {
    let mut ready: Vec<(Job, Arc<SessionFrame>)> = Vec::with_capacity(jobs.len());
    for job in jobs {
        match timelines.get(job.id.0, || app.session_frame(job.id)) {
            Ok(t) => ready.push((job, t)),
            Err(e) => {
                let _ = job.reply.send(Err(e.into()));
            }
        }
    }
    let batch: Vec<(SessionId, &SessionFrame, Reported)> = ready
        .iter()
        .map(|(j, t)| (j.id, &**t, j.report.clone()))
        .collect();
    let results = app.record_reports(&batch);
    drop(batch);
    match results {
        Ok(results) => {
            for ((job, _), r) in ready.into_iter().zip(results) {
                let _ = job.reply.send(r.map_err(WebError::from));
            }
        }
        Err(e) => {
            let w = WebError::from(e);
            for (job, _) in ready {
                let _ = job.reply.send(Err(w.clone()));
            }
        }
    }
}
