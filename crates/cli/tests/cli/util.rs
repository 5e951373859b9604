//! The helper kit: a fresh data directory per test and a command builder for the binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// A data directory for one test.
pub struct Env {
    dir: TempDir,
    accepted: bool,
}

impl Env {
    /// A data directory where the disclaimer is accepted and a red-flag check found no
    /// warning sign, as after a first run: routines can be planned and played.
    pub fn new() -> Self {
        let env = Env {
            dir: tempfile::tempdir().expect("temp dir"),
            accepted: true,
        };
        let ok = env
            .cmd()
            .args(["safety", "--answers", "none"])
            .output()
            .expect("runs");
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
        env
    }

    /// A fresh, empty data directory: nothing accepted, nothing checked.
    pub fn fresh() -> Self {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
            accepted: false,
        }
    }

    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// The binary, pointed at this data directory, with a fixed width and no colour.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("backstretch").expect("binary built");
        c.env_clear()
            .env("BACKSTRETCH_HOME", self.home())
            .env("COLUMNS", "80")
            .env("NO_COLOR", "1")
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        if self.accepted {
            c.env("BACKSTRETCH_ACCEPT_DISCLAIMER", "1");
        }
        c
    }

    /// The binary with these words as its arguments (split at white space).
    pub fn run(&self, words: &str) -> Command {
        let mut c = self.cmd();
        c.args(words.split_whitespace());
        c
    }

    /// A session played fast with no terminal: `start --plain --speed 400 WORDS`.
    pub fn play(&self, words: &str) -> Command {
        self.run(&format!("start --plain --speed 400 {words}"))
    }

    /// `history --format json`, as an array of sessions (newest first).
    pub fn history(&self) -> Vec<serde_json::Value> {
        let out = stdout_ok(self.cmd().args(["history", "--all", "--format", "json"]));
        match serde_json::from_str(&out).expect("history JSON") {
            serde_json::Value::Array(v) => v,
            v => panic!("history is not an array: {v}"),
        }
    }

    /// Writes a file under the data directory, creating folders.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.home().join(rel);
        std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        p
    }
}

/// Plays `start --plain ARGS` in this data directory until a cue line contains `until`, then
/// kills the player with SIGKILL, as a crash or a closed terminal would.
pub fn play_then_kill(env: &Env, args: &[&str], until: &str) {
    use std::io::BufRead;
    let bin = assert_cmd::cargo::cargo_bin("backstretch");
    let mut child = std::process::Command::new(&bin)
        .env("BACKSTRETCH_HOME", env.home())
        .env("BACKSTRETCH_ACCEPT_DISCLAIMER", "1")
        .env("NO_COLOR", "1")
        .args(["start", "--plain"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut reader = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    while reader.read_line(&mut line).expect("reads") > 0 {
        if line.contains(until) {
            break;
        }
        line.clear();
    }
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
}

/// Standard output of a command that must succeed.
pub fn stdout_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "failed: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// (exit code, stdout, stderr) of a command expected to fail.
pub fn run_fail(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("runs");
    assert!(!out.status.success(), "expected failure, got success");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

/// A valid user exercise file with the given id.
pub fn valid_exercise(id: &str) -> String {
    format!(
        r#"id = "{id}"
name = "Test move {id}"
kind = "stretch"
position = "supine"
places = ["floor", "bed"]
areas = ["lower-back"]
sides = "both"
gentleness = 1
purpose = "A test exercise."
steps = ["Lie down.", "Breathe."]
cautions = ["Stop if it hurts."]

[dose]
hold_s = 10
reps = 3
rest_s = 5
note = "A test dose."

[[sources]]
doc = "002_0d052247460285cc.txt"
"#
    )
}

/// A local time `n` days ago at 10:00; today, two minutes ago (10:00 today may not have come
/// yet: the suite runs at any hour).
pub fn days_ago(n: i64) -> String {
    if n == 0 {
        return (chrono::Local::now() - chrono::Duration::minutes(2))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
    }
    (chrono::Local::now() - chrono::Duration::days(n))
        .format("%Y-%m-%dT10:00")
        .to_string()
}
