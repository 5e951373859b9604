//! Opening the player from a reminder or a desk break: the terminal player in a new terminal
//! window, or the web player in the browser, as the person chose (`--open`).

use std::path::Path;
use std::process::{Command, Stdio};

use clap::ValueEnum;

/// Where a reminder's Start opens the player.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Open {
    /// The terminal player, in a new terminal window.
    #[default]
    Terminal,
    /// The web player, in the browser (`backstretch serve --open`).
    Web,
}

impl Open {
    /// The flag's value, to pass on.
    pub fn as_str(self) -> &'static str {
        match self {
            Open::Terminal => "terminal",
            Open::Web => "web",
        }
    }
}

/// Starts `backstretch ARGS` (with `--home home`) where the person chose, without waiting
/// for it. The terminal is `BACKSTRETCH_TERMINAL` (a command the backstretch command line is
/// appended to, like `foot` or `kitty --hold`), else `$TERMINAL -e`, else the first of the
/// usual ones found.
pub fn player(open: Open, home: &Path, args: &[&str]) -> Result<String, String> {
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot find backstretch's own program to start it: {e}"))?;
    let mut ours: Vec<String> = vec![
        exe.display().to_string(),
        "--home".into(),
        home.display().to_string(),
    ];
    match open {
        Open::Terminal => ours.extend(args.iter().map(ToString::to_string)),
        Open::Web => ours.extend(["serve".to_string(), "--open".to_string()]),
    }
    let line = match open {
        Open::Terminal if cfg!(target_os = "macos") && !own_terminal() => mac_terminal(&ours),
        Open::Terminal => terminal()?.into_iter().chain(ours).collect::<Vec<_>>(),
        Open::Web => ours,
    };
    let (program, rest) = line
        .split_first()
        .ok_or_else(|| "no command to start the player with".to_string())?;
    Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start `{program}`: {e}"))?;
    Ok(line.join(" "))
}

/// The command that opens a new terminal window running what follows it.
fn terminal() -> Result<Vec<String>, String> {
    let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
    if let Ok(t) = std::env::var("BACKSTRETCH_TERMINAL")
        && !t.trim().is_empty()
    {
        return Ok(words(&t));
    }
    if cfg!(target_os = "windows") {
        return Ok(words("cmd /c start \"backstretch\""));
    }
    if let Ok(t) = std::env::var("TERMINAL")
        && !t.trim().is_empty()
    {
        let mut w = words(&t);
        w.push("-e".into());
        return Ok(w);
    }
    for (program, then) in [
        ("x-terminal-emulator", "-e"),
        ("gnome-terminal", "--"),
        ("konsole", "-e"),
        ("xfce4-terminal", "-x"),
        ("foot", ""),
        ("kitty", ""),
        ("alacritty", "-e"),
        ("xterm", "-e"),
    ] {
        if on_path(program) {
            return Ok(std::iter::once(program.to_string())
                .chain((!then.is_empty()).then(|| then.to_string()))
                .collect());
        }
    }
    Err(
        "no terminal program found; set BACKSTRETCH_TERMINAL to one (like `xterm -e`), or use --open web"
            .into(),
    )
}

fn own_terminal() -> bool {
    std::env::var("BACKSTRETCH_TERMINAL").is_ok_and(|t| !t.trim().is_empty())
}

/// macOS: Terminal runs the command line in a new window (AppleScript's `do script`).
fn mac_terminal(words: &[String]) -> Vec<String> {
    let shell: Vec<String> = words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', "'\\''")))
        .collect();
    let script = shell.join(" ").replace('\\', "\\\\").replace('"', "\\\"");
    vec![
        "osascript".into(),
        "-e".into(),
        format!("tell application \"Terminal\" to do script \"{script}\""),
    ]
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}
