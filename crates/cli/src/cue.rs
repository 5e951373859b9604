//! Saying cues: a terminal bell by default (a pattern of rings per kind of step), or
//! espeak-ng's voice. Cues go to a worker thread that gives them one after another, so a cue
//! is never cut off by the next one; a count ("3", "2", "1") is left out while the voice is
//! still busy, and an exercise's steps, spoken once while the person gets into position, give
//! way to the next cue.

use std::collections::HashSet;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread::JoinHandle;
use std::time::Duration;

use backstretch_core::timeline::StepKind;

/// The message shown when `--voice` is asked for but espeak-ng is not installed.
pub const NO_ESPEAK: &str = "espeak-ng is not installed, so cues will ring the terminal bell instead of speaking. \
To hear them spoken, install it (Debian or Ubuntu: `sudo apt-get install espeak-ng`; Fedora: `sudo dnf install espeak-ng`; macOS: `brew install espeak-ng`) and run again with --voice.";

/// The gap between the rings of one pattern: apart enough to be heard as separate rings.
const RING_GAP: Duration = Duration::from_millis(220);

fn espeak_available() -> bool {
    Command::new("espeak-ng")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// How many rings say a kind of step without a voice: hold once, rest twice, the side
/// switch three times, done four times; getting ready rings once. A count rings nothing.
pub fn rings(kind: StepKind, count: bool) -> usize {
    match (kind, count) {
        (_, true) => 0,
        (StepKind::Hold | StepKind::Prepare | StepKind::Position, false) => 1,
        (StepKind::Rest, false) => 2,
        (StepKind::Switch, false) => 3,
        (StepKind::Done, false) => 4,
    }
}

/// What the worker gives.
enum Job {
    /// A cue, said whole.
    Say(String),
    /// An exercise's steps: said when nothing else waits, and stopped for the next cue.
    Aside(String),
    /// A pattern of rings.
    Ring(usize),
}

/// The worker thread that gives cues in turn, and how many wait or are being given.
#[derive(Debug)]
pub struct Queue {
    jobs: Option<Sender<Job>>,
    busy: Arc<AtomicUsize>,
    worker: Option<JoinHandle<()>>,
    /// The exercises whose steps were said.
    told: HashSet<usize>,
}

impl Queue {
    /// A worker that speaks with `voice` (a program and its leading arguments; the text comes
    /// last), or rings the terminal bell when there is none.
    fn start(voice: Option<Vec<String>>) -> Queue {
        let (tx, rx) = channel();
        let busy = Arc::new(AtomicUsize::new(0));
        let b = Arc::clone(&busy);
        let worker = std::thread::spawn(move || work(&rx, voice.as_deref(), &b));
        Queue {
            jobs: Some(tx),
            busy,
            worker: Some(worker),
            told: HashSet::new(),
        }
    }

    fn send(&self, job: Job) {
        if let Some(tx) = &self.jobs {
            self.busy.fetch_add(1, Ordering::SeqCst);
            if tx.send(job).is_err() {
                self.busy.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }

    /// Whether something is being given or waits.
    fn busy(&self) -> bool {
        self.busy.load(Ordering::SeqCst) > 0
    }

    /// Waits until everything sent has been given.
    fn finish(&mut self) {
        self.jobs = None;
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Runs `voice` with `text`, stopping it early when `stop` says so (checked every 50 ms).
fn speak(voice: &[String], text: &str, mut stop: impl FnMut() -> bool) {
    let Some((program, args)) = voice.split_first() else {
        return;
    };
    let Ok(mut child) = Command::new(program)
        .args(args)
        .arg(text)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    else {
        return;
    };
    loop {
        match child.try_wait() {
            Ok(None) if stop() => {
                let _ = child.kill();
                let _ = child.wait();
                return;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            _ => return,
        }
    }
}

/// The worker: each job in turn, until the sender goes.
fn work(rx: &Receiver<Job>, voice: Option<&[String]>, busy: &AtomicUsize) {
    let mut next = rx.recv().ok();
    while let Some(job) = next.take() {
        match (job, voice) {
            (Job::Say(text), Some(v)) => speak(v, &text, || false),
            (Job::Aside(text), Some(v)) => speak(v, &text, || {
                // A cue that comes stops the steps, and is given next.
                match rx.try_recv() {
                    Ok(j) => {
                        next = Some(j);
                        true
                    }
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => false,
                }
            }),
            (Job::Ring(n), _) => ring(n),
            (Job::Say(_) | Job::Aside(_), None) => {}
        }
        busy.fetch_sub(1, Ordering::SeqCst);
        if next.is_none() {
            next = rx.recv().ok();
        }
    }
}

/// Rings the terminal bell `n` times, apart. Each ring is one byte written whole, between
/// the screen's own writes.
fn ring(n: usize) {
    for i in 0..n {
        if i > 0 {
            std::thread::sleep(RING_GAP);
        }
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x07");
        let _ = out.flush();
    }
}

/// How cues are given.
#[derive(Debug)]
pub enum Announcer {
    /// Nothing audible (output is not a terminal).
    Silent,
    /// The terminal bell, in a pattern for each kind of step.
    Bell(Queue),
    /// espeak-ng, one cue after another.
    Voice(Queue),
}

impl Announcer {
    /// Chooses how to give cues; the second value is a warning to show, if any.
    pub fn new(voice: bool, terminal: bool) -> (Self, Option<&'static str>) {
        let espeak = || vec!["espeak-ng".to_string(), "-s".into(), "150".into()];
        match (voice, terminal) {
            (true, _) if espeak_available() => {
                (Announcer::Voice(Queue::start(Some(espeak()))), None)
            }
            (true, true) => (Announcer::Bell(Queue::start(None)), Some(NO_ESPEAK)),
            (true, false) => (Announcer::Silent, Some(NO_ESPEAK)),
            (false, true) => (Announcer::Bell(Queue::start(None)), None),
            (false, false) => (Announcer::Silent, None),
        }
    }

    /// Gives one cue, of a step of `kind`. A count is left out while the voice is busy (the
    /// screen shows it); any other cue waits its turn and is said whole.
    pub fn say(&mut self, text: &str, kind: StepKind) {
        let count = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        match self {
            Announcer::Silent => {}
            Announcer::Bell(q) => match rings(kind, count) {
                0 => {}
                n => q.send(Job::Ring(n)),
            },
            Announcer::Voice(q) if count && q.busy() => {}
            Announcer::Voice(q) => q.send(Job::Say(text.to_string())),
        }
    }

    /// Says exercise `item`'s steps, once a session, after the cues before them; they stop
    /// for the next cue. Only with a voice.
    pub fn tell_steps(&mut self, item: usize, steps: &[String]) {
        if let Announcer::Voice(q) = self
            && !steps.is_empty()
            && q.told.insert(item)
        {
            q.send(Job::Aside(steps.join(" ")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in voice that logs when each cue starts and ends (the real one needs a sound
    /// card): cues queued faster than they are said come out whole, one after another.
    #[test]
    fn cues_are_queued_never_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("said");
        let script = format!(
            "echo \"start $1\" >> {0}; sleep 0.1; echo \"end $1\" >> {0}",
            log.display()
        );
        let voice = vec!["sh".into(), "-c".into(), script, "voice".into()];
        let mut a = Announcer::Voice(Queue::start(Some(voice)));
        a.say("Hold", StepKind::Hold);
        a.say("3", StepKind::Hold);
        a.say("Rest", StepKind::Rest);
        a.say("Switch sides", StepKind::Switch);
        drop(a);
        let said = std::fs::read_to_string(&log).unwrap();
        assert_eq!(
            said,
            "start Hold\nend Hold\nstart Rest\nend Rest\nstart Switch sides\nend Switch sides\n",
            "every cue said whole and in turn; the count left out while the voice was busy"
        );
    }

    #[test]
    fn each_kind_of_step_rings_its_own_pattern() {
        let kinds = [
            StepKind::Hold,
            StepKind::Rest,
            StepKind::Switch,
            StepKind::Done,
        ];
        let patterns: HashSet<usize> = kinds.iter().map(|k| rings(*k, false)).collect();
        assert_eq!(patterns.len(), kinds.len());
        assert_eq!(rings(StepKind::Hold, true), 0, "a count rings nothing");
    }
}
