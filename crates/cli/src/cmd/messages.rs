//! `backstretch messages`: the thread with the clinicians of a linked practice, and
//! `messages send` to write to them (it goes at the next `backstretch sync`).

use std::process::ExitCode;

use backstretch_core::care::Message;

use crate::args::{Format, MessagesArgs, MessagesCommand};
use crate::context::Context;
use crate::output::{json, print, width};

pub fn run(ctx: &Context, a: &MessagesArgs) -> miette::Result<ExitCode> {
    let store = ctx.store()?;
    let app = ctx.app(&store);
    if let Some(MessagesCommand::Send { text }) = &a.command {
        app.send_message(&text.join(" "))?;
        print("Written. It reaches your clinicians at the next `backstretch sync`.\n")?;
        return Ok(ExitCode::SUCCESS);
    }
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let thread = app.messages()?;
    if format == Format::Json {
        print(&json(&thread)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    print(&thread_text(&thread, app.under_clinic()?, width()))?;
    Ok(ExitCode::SUCCESS)
}

/// The thread as the terminal shows it, oldest first, each message wrapped to `width`.
fn thread_text(thread: &[Message], under_clinic: bool, width: usize) -> String {
    let fit = |text: &str| -> String {
        backstretch_render::table::wrap(text.trim_end(), width.max(20))
            .into_iter()
            .map(|l| l + "\n")
            .collect()
    };
    if thread.is_empty() {
        return fit(if under_clinic {
            "No messages yet. Write to your clinicians with `backstretch messages send \"...\"`."
        } else {
            "No messages. Your clinicians' messages show here once this log is linked to their practice's server (`backstretch sync link`)."
        });
    }
    let mut out = String::new();
    for m in thread {
        let who = m.from.as_deref().unwrap_or("You");
        out.push_str(&format!(
            "{who} · {}\n",
            m.at.local().format("%a %-d %b %Y %H:%M")
        ));
        for line in m.text.lines() {
            for wrapped in backstretch_render::table::wrap(line, width.saturating_sub(2).max(20)) {
                out.push_str(&format!("  {wrapped}\n"));
            }
        }
        out.push('\n');
    }
    out.push_str(&fit(
        "Write back with `backstretch messages send \"...\"`; `backstretch sync` sends it and fetches new ones.",
    ));
    out
}

#[cfg(test)]
mod tests {
    use backstretch_core::time::Stamp;

    use super::*;

    #[test]
    fn the_thread_names_who_wrote_and_wraps_long_lines() {
        let at = Stamp::parse("2026-12-07T09:00:00+00:00").unwrap();
        let thread = [
            Message {
                uid: "a".into(),
                from: Some("ada@clinic.example".into()),
                at,
                text: "Start gently this week. ".repeat(4),
            },
            Message {
                uid: "b".into(),
                from: None,
                at,
                text: "Thank you".into(),
            },
        ];
        insta::assert_snapshot!(thread_text(&thread, true, 40));
        assert!(thread_text(&[], false, 80).contains("sync link"));
    }
}
