//! Questions on the terminal, one line at a time. Off a terminal nothing is asked.

use std::io::{self, BufRead, IsTerminal, Write};

/// Whether questions can be asked: standard input and output are both terminals.
pub fn interactive() -> bool {
    io::stdin().is_terminal() && io::stdout().is_terminal()
}

/// Asks a question and reads one line; `None` at the end of input.
pub fn line(question: &str) -> Option<String> {
    print!("{} ", crate::output::wrapped(question));
    let _ = io::stdout().flush();
    let mut s = String::new();
    match io::stdin().lock().read_line(&mut s) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(s.trim().to_string()),
    }
}

/// An answer that was not understood, with what to type instead; the question is asked
/// again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Retry(pub String);

/// Asks until `parse` accepts the answer; an empty answer gives `default` (when there is
/// one). `None` at the end of input.
pub fn until<T>(
    question: &str,
    default: Option<T>,
    parse: impl Fn(&str) -> Result<T, Retry>,
) -> Option<T> {
    let mut default = default;
    loop {
        let answer = line(question)?;
        if answer.is_empty()
            && let Some(d) = default.take()
        {
            return Some(d);
        }
        match parse(&answer) {
            Ok(v) => return Some(v),
            Err(e) => say(&format!("  {e}")),
        }
    }
}

/// Prints a paragraph wrapped to the output width.
pub fn say(text: &str) {
    println!("{}", crate::output::wrapped(text));
}

/// Asks a yes-or-no question; Enter gives `default`.
pub fn yes_no(question: &str, default: bool) -> bool {
    let hint = if default { "[Y/n]" } else { "[y/N]" };
    until(&format!("{question} {hint}"), Some(default), |a| {
        match a.to_ascii_lowercase().as_str() {
            "y" | "yes" => Ok(true),
            "n" | "no" => Ok(false),
            _ => Err(Retry("Please answer y or n.".into())),
        }
    })
    .unwrap_or(false)
}
