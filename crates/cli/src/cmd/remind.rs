//! `backstretch remind`: reminders on the desktop. `remind test` shows a sample reminder, so
//! the person can see that notifications work, and says in plain words what they did with it.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use crate::args::{RemindArgs, RemindCommand, RemindTestArgs};
use crate::idle::{self, IdleSource};
use crate::notify::{self, Answer, NoService, Notice};
use crate::output::print;

pub fn run(a: &RemindArgs) -> miette::Result<ExitCode> {
    match &a.command {
        RemindCommand::Test(t) => test(t),
    }
}

/// The reminder `remind test` shows: the real one's words and buttons.
pub fn sample() -> Notice {
    let action = |k: &str, l: &str| (k.to_string(), l.to_string());
    Notice {
        summary: "Time for your 10-minute stretch".to_string(),
        body: "A sample reminder from `backstretch remind test`: choose a button to see that your answer comes back.".to_string(),
        actions: vec![
            action("start", "Start"),
            action("snooze", "Snooze 15 minutes"),
            action("skip", "Skip today"),
        ],
    }
}

/// Shows the sample and reports what happened. Without a notification service it shows the
/// reminder in the terminal instead and still succeeds: that is how a reminder reaches the
/// person there too, and the words say why.
/// It then says whether idle time can be read, which the desk-break mode needs.
pub fn test(a: &RemindTestArgs) -> miette::Result<ExitCode> {
    let notice = sample();
    match notify::capabilities() {
        Err(e) => fell_back(&notice, &e)?,
        Ok(caps) => {
            print(&format!(
                "Showing a sample reminder on your desktop; waiting up to {} for your answer.\n",
                seconds(a.wait)
            ))?;
            match notify::show(&notice, Duration::from_secs(a.wait)) {
                Ok(answer) => {
                    let answers = caps.iter().any(|c| c == "actions");
                    print(&said(&notice, &answer, answers, a.wait))?;
                }
                Err(e) => fell_back(&notice, &e)?,
            }
        }
    }
    print(&idle_line(idle::system().as_mut()))?;
    Ok(ExitCode::SUCCESS)
}

fn fell_back(notice: &Notice, e: &NoService) -> miette::Result<()> {
    print(&format!(
        "No notification service: showed it here instead ({}).\n",
        e.0
    ))?;
    let mut out = std::io::stdout().lock();
    notify::fallback(notice, &mut out);
    let _ = out.flush();
    Ok(())
}

/// Whether idle time can be read, and how long it is now.
fn idle_line(source: &mut dyn IdleSource) -> String {
    match source.idle() {
        Ok(d) => format!(
            "Idle time: your last key press or mouse movement was {} ago ({}).\n",
            seconds(d.as_secs()),
            source.describe()
        ),
        Err(e) => {
            let e = e.to_string();
            let mut chars = e.chars();
            let first = chars.next().map(|c| c.to_uppercase().to_string());
            format!("{}{}.\n", first.unwrap_or_default(), chars.as_str())
        }
    }
}

fn seconds(n: u64) -> String {
    if n == 1 {
        "1 second".to_string()
    } else {
        format!("{n} seconds")
    }
}

/// What happened, in plain words. `answers`: whether the desktop can report a button.
fn said(notice: &Notice, answer: &Answer, answers: bool, wait: u64) -> String {
    match answer {
        Answer::Action(key) => match notice.actions.iter().find(|(k, _)| k == key) {
            Some((_, label)) => format!("You chose {label}.\n"),
            None if key == "default" => "You clicked the reminder itself.\n".to_string(),
            None => format!("The desktop answered `{key}`, which is none of the buttons.\n"),
        },
        Answer::Dismissed => "No answer: the reminder was closed.\n".to_string(),
        Answer::NoAnswer if answers => format!(
            "No answer within {}: the reminder was taken down.\n",
            seconds(wait)
        ),
        Answer::NoAnswer => "Shown. Notifications work, but your desktop cannot report which button you choose, so reminders show without buttons.\n".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Answer, said, sample};

    #[test]
    fn each_answer_in_plain_words() {
        let n = sample();
        let say = |a: Answer, answers: bool| said(&n, &a, answers, 60);
        assert_eq!(
            say(Answer::Action("start".into()), true),
            "You chose Start.\n"
        );
        assert_eq!(
            say(Answer::Action("snooze".into()), true),
            "You chose Snooze 15 minutes.\n"
        );
        assert_eq!(
            say(Answer::Action("default".into()), true),
            "You clicked the reminder itself.\n"
        );
        assert_eq!(
            say(Answer::Dismissed, true),
            "No answer: the reminder was closed.\n"
        );
        assert!(say(Answer::NoAnswer, true).contains("within 60 seconds"));
        assert!(say(Answer::NoAnswer, false).contains("cannot report"));
    }
}
