//! Steps that players report, written in groups: one thread takes every step waiting and
//! logs them in one commit (one write to disk, durable before any is answered), so fifty
//! players posting at once cost a few commits, not fifty.

use std::sync::mpsc;
use std::sync::{Arc, Weak};

use backstretch_app::{App, AppError, Reported};
use backstretch_core::session::SessionId;
use backstretch_core::timeline::Timeline;
use backstretch_store::UserId;
use tokio::sync::oneshot;

use crate::error::WebError;
use crate::state::{Inner, Shared};

/// The most steps in one commit.
const GROUP: usize = 256;

/// A step to log, and where to say how it went.
#[derive(Debug)]
pub struct Job {
    /// The session.
    pub id: SessionId,
    /// The step.
    pub report: Reported,
    /// The answer: logged now (true), a retry (false), or why not.
    pub reply: oneshot::Sender<Result<bool, WebError>>,
}

/// An error about a reported step, with the field it concerns.
pub fn report_error(e: AppError) -> WebError {
    let field = match &e {
        AppError::NoSuchStep { .. } => Some("step"),
        AppError::TooLong { .. } => Some("done_ms"),
        AppError::InTheFuture(_) => Some("at"),
        _ => None,
    };
    let mut w = WebError::from(e);
    w.field = field.map(str::to_string);
    w
}

/// Starts the writer; it ends when the server's state is dropped (the sender with it).
pub fn spawn(state: Weak<Inner>, rx: mpsc::Receiver<Job>) {
    std::thread::spawn(move || {
        while let Ok(first) = rx.recv() {
            let mut jobs = vec![first];
            jobs.extend(rx.try_iter().take(GROUP - 1));
            let Some(inner) = state.upgrade() else {
                break;
            };
            Shared(inner).write(jobs);
        }
    });
}

impl Shared {
    /// Logs a group of steps in one commit and answers each.
    fn write(&self, jobs: Vec<Job>) {
        let now = (self.0.clock)();
        let store = self.lock();
        let app = App::new(&*store, UserId::local(), now);
        let mut ready: Vec<(Job, Arc<Timeline>)> = Vec::with_capacity(jobs.len());
        for job in jobs {
            match self.timeline(job.id.0, || app.session_timeline(job.id)) {
                Ok(t) => ready.push((job, t)),
                Err(e) => {
                    let _ = job.reply.send(Err(report_error(e)));
                }
            }
        }
        let batch: Vec<(SessionId, &Timeline, Reported)> =
            ready.iter().map(|(j, t)| (j.id, &**t, j.report)).collect();
        let results = app.record_reports(&batch);
        drop(batch);
        match results {
            Ok(results) => {
                for ((job, _), r) in ready.into_iter().zip(results) {
                    let _ = job.reply.send(r.map_err(report_error));
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
}
