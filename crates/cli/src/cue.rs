//! Saying cues: a terminal bell by default, or espeak-ng's voice.

use std::io::Write;
use std::process::{Child, Command, Stdio};

/// How cues are given.
#[derive(Debug)]
pub enum Announcer {
    /// Nothing audible (output is not a terminal).
    Silent,
    /// The terminal bell.
    Bell,
    /// espeak-ng, one process per cue; a cue still being spoken is cut off by the next.
    Voice(Option<Child>),
}

/// The message shown when `--voice` is asked for but espeak-ng is not installed.
pub const NO_ESPEAK: &str = "espeak-ng is not installed, so cues will ring the terminal bell instead of speaking. \
To hear them spoken, install it (Debian or Ubuntu: `sudo apt-get install espeak-ng`; Fedora: `sudo dnf install espeak-ng`; macOS: `brew install espeak-ng`) and run again with --voice.";

fn espeak_available() -> bool {
    Command::new("espeak-ng")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Announcer {
    /// Chooses how to give cues; the second value is a warning to show, if any.
    pub fn new(voice: bool, terminal: bool) -> (Self, Option<&'static str>) {
        match (voice, terminal) {
            (true, _) if espeak_available() => (Announcer::Voice(None), None),
            (true, true) => (Announcer::Bell, Some(NO_ESPEAK)),
            (true, false) => (Announcer::Silent, Some(NO_ESPEAK)),
            (false, true) => (Announcer::Bell, None),
            (false, false) => (Announcer::Silent, None),
        }
    }

    /// Gives one cue.
    pub fn say(&mut self, text: &str, tty: &mut impl Write) {
        match self {
            Announcer::Silent => {}
            Announcer::Bell => {
                // Ring for the cues that start something and for the final count.
                let _ = tty.write_all(b"\x07");
                let _ = tty.flush();
            }
            Announcer::Voice(child) => {
                if let Some(mut c) = child.take() {
                    if matches!(c.try_wait(), Ok(None)) {
                        let _ = c.kill();
                    }
                    let _ = c.wait();
                }
                *child = Command::new("espeak-ng")
                    .args(["-s", "150", text])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .ok();
            }
        }
    }
}

impl Drop for Announcer {
    fn drop(&mut self) {
        if let Announcer::Voice(Some(c)) = self {
            let _ = c.wait();
        }
    }
}
