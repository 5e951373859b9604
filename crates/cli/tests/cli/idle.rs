//! Idle time from a real X server: Debian's Xvfb (which has the MIT-SCREEN-SAVER extension)
//! on a display number it picks itself, reached over its Unix socket only.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use crate::util::{Env, stdout_ok};

const XVFB: &str = "Xvfb";

/// A virtual X display; stopped when dropped.
pub(crate) struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    pub(crate) fn start() -> Xvfb {
        // -displayfd: Xvfb takes a free display number and writes it to standard output once
        // it accepts clients.
        let mut child = std::process::Command::new(XVFB)
            .args([
                "-displayfd",
                "1",
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "320x240x24",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{XVFB} runs ({e}): install xvfb"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let n: u32 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb gave no display number: {line:?}"));
        Xvfb {
            child,
            display: format!(":{n}"),
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn remind_test_reads_a_small_idle_time_from_the_x_server() {
    let x = Xvfb::start();
    let env = Env::new();
    let gone = env.home().join("no-bus");
    let out = stdout_ok(
        env.run("remind test --wait 1")
            .env("DISPLAY", &x.display)
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", gone.display()),
            ),
    );
    let line = out
        .lines()
        .find(|l| l.starts_with("Idle time: "))
        .unwrap_or_else(|| panic!("no idle line in {out}"));
    assert!(
        line.ends_with(" ago (X11 screen saver extension)."),
        "{line}"
    );
    // Nobody touches a fresh virtual display: idle since it started, a few seconds at most.
    let secs: u64 = line
        .split(" was ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no seconds in {line}"));
    assert!(secs < 60, "{line}");

    // Without DISPLAY (and no logind on the test's buses), idle time is unknown and says so.
    let out = stdout_ok(
        env.run("remind test --wait 1")
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", gone.display()),
            )
            .env(
                "DBUS_SYSTEM_BUS_ADDRESS",
                format!("unix:path={}", gone.display()),
            ),
    );
    assert!(
        out.contains("\nIdle time is unknown (DISPLAY is not set (no X11); "),
        "{out}"
    );
    assert!(out.contains("so breaks are counted by the clock."), "{out}");
}
