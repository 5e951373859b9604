//! Questions on the terminal, one line at a time. Off a terminal nothing is asked.

use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Standard input's lines, once a thread reads them ([`read_in_background`]); `None` marks
/// the end of input.
static LINES: OnceLock<Mutex<Receiver<Option<String>>>> = OnceLock::new();

/// Whether questions can be asked: standard input and output are both terminals.
pub fn interactive() -> bool {
    io::stdin().is_terminal() && io::stdout().is_terminal()
}

/// Asks a question and reads one line; `None` at the end of input.
pub fn line(question: &str) -> Option<String> {
    print!("{} ", crate::output::wrapped(question));
    let _ = io::stdout().flush();
    if let Some(lines) = LINES.get() {
        let lines = lines.lock().ok()?;
        return lines.recv().ok().flatten();
    }
    let mut s = String::new();
    match io::stdin().lock().read_line(&mut s) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(s.trim().to_string()),
    }
}

/// From now on, standard input is read line by line on a thread of its own, so that a line
/// can be waited for with a timeout ([`line_within`]); later questions read from it too.
pub fn read_in_background() {
    LINES.get_or_init(|| {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let stdin = io::stdin();
            loop {
                let mut s = String::new();
                let line = match stdin.lock().read_line(&mut s) {
                    Ok(0) | Err(_) => None,
                    Ok(_) => Some(s.trim().to_string()),
                };
                let end = line.is_none();
                if tx.send(line).is_err() || end {
                    return;
                }
            }
        });
        Mutex::new(rx)
    });
}

/// A line typed within `timeout` (`Some(None)` when none was), or `None` at the end of
/// input. Only after [`read_in_background`].
pub fn line_within(timeout: Duration) -> Option<Option<String>> {
    let lines = LINES.get()?.lock().ok()?;
    match lines.recv_timeout(timeout) {
        Ok(Some(l)) => Some(Some(l)),
        Ok(None) | Err(RecvTimeoutError::Disconnected) => None,
        Err(RecvTimeoutError::Timeout) => Some(None),
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

/// Asks a yes-or-no question until it is answered: no answer is assumed, so Enter alone asks
/// again. `None` at the end of input.
pub fn yes_no(question: &str) -> Option<bool> {
    until(&format!("{question} [y/n]"), None, yes_or_no)
}

/// Reads "y", "yes", "n" or "no", in any case.
fn yes_or_no(answer: &str) -> Result<bool, Retry> {
    match answer.to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(true),
        "n" | "no" => Ok(false),
        "" => Err(Retry("Please answer y or n; nothing is assumed.".into())),
        _ => Err(Retry("Please answer y or n.".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: Enter alone answered "no" to every warning-sign question.
    #[test]
    fn an_empty_answer_is_neither_yes_nor_no() {
        assert!(yes_or_no("").is_err());
        assert_eq!(yes_or_no("Y"), Ok(true));
        assert_eq!(yes_or_no("no"), Ok(false));
        assert!(yes_or_no("maybe").is_err());
    }
}
