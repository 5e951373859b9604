//! `backstretch function`: the function measure (Patient-Specific Functional Scale). Asked on
//! a terminal (offering last time's activities to score again), given whole with `function
//! set "ACTIVITY=SCORE" ...`, or shown with `function show`.

use std::process::ExitCode;

use backstretch_core::function::{FunctionItem, MAX_ACTIVITIES, parse_item};
use backstretch_render::function::{function_line, function_text};
use miette::miette;
use serde::Serialize;

use crate::args::{Format, FunctionArgs, FunctionCommand};
use crate::ask::{self, Retry};
use crate::context::Context;
use crate::output::{json, print};

/// What to type, as the messages show it.
const EXAMPLE: &str = "backstretch function set \"carrying shopping=4\" \"sitting an hour=6\"";

pub fn run(ctx: &Context, a: &FunctionArgs) -> miette::Result<ExitCode> {
    match &a.command {
        Some(FunctionCommand::Show) => show(ctx),
        Some(FunctionCommand::Set { items }) => {
            ctx.format(&[Format::Table])?;
            let parsed = items
                .iter()
                .map(|text| parse_item(text))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| miette!(help = format!("for example: {EXAMPLE}"), "{e}"))?;
            record(ctx, &parsed)
        }
        None => {
            ctx.format(&[Format::Table])?;
            if !ask::interactive() {
                return Err(miette!(
                    help = format!("give the scores on the command line: {EXAMPLE}"),
                    "`backstretch function` asks its questions on a terminal, and this is not one"
                ));
            }
            ask_and_record(ctx)
        }
    }
}

/// Asks the scale's questions on the terminal (last time's activities first) and records
/// the answers; the weekly review asks it too.
pub fn ask_and_record(ctx: &Context) -> miette::Result<ExitCode> {
    let last = {
        let store = ctx.store()?;
        ctx.app(&store).last_function_activities()?
    };
    let mut say = |text: &str| ask::say(text);
    match ask_items(&last, &mut ask::line, &mut say) {
        Some(items) if !items.is_empty() => record(ctx, &items),
        _ => {
            print("Nothing recorded.\n")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Records the scores and says what they come to.
fn record(ctx: &Context, items: &[(String, i64)]) -> miette::Result<ExitCode> {
    let store = ctx.store()?;
    let app = ctx.app(&store);
    let r = app.record_function(items)?;
    let list: Vec<String> = r
        .items
        .iter()
        .map(|i| format!("{} {}", i.activity, i.score))
        .collect();
    let mut out = format!(
        "Recorded: mean {:.1} of 10 ({}).\n",
        backstretch_core::function::point(&r).mean,
        list.join(", ")
    );
    if let Some(s) = app.function_summary()?.filter(|s| s.records > 1) {
        out.push_str(&function_line(&s));
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// `function show`: every record and the change, as text or JSON.
fn show(ctx: &Context) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let (records, summary) = if ctx.has_store() {
        let store = ctx.store()?;
        let app = ctx.app(&store);
        (app.function_history()?, app.function_summary()?)
    } else {
        (Vec::new(), None)
    };
    if format == Format::Json {
        #[derive(Serialize)]
        struct Shown<'a> {
            records: &'a [backstretch_core::function::FunctionRecord],
            summary: Option<&'a backstretch_core::function::FunctionSummary>,
        }
        print(&json(&Shown {
            records: &records,
            summary: summary.as_ref(),
        })?)?;
    } else {
        print(&function_text(&records, summary.as_ref()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A score typed at the prompt: a whole number from 0 to 10.
fn score(answer: &str) -> Result<i64, Retry> {
    match answer.trim().parse::<i64>() {
        Ok(n) if (0..=10).contains(&n) => Ok(n),
        _ => Err(Retry(
            "Type a whole number from 0 (unable to do it) to 10 (as well as before the problem)."
                .into(),
        )),
    }
}

/// Asks until `parse` accepts an answer, or `empty` stands for an empty one; `None` at the
/// end of input.
fn until<T>(
    ask: &mut dyn FnMut(&str) -> Option<String>,
    say: &mut dyn FnMut(&str),
    question: &str,
    parse: &dyn Fn(&str) -> Result<T, Retry>,
) -> Option<T> {
    loop {
        let answer = ask(question)?;
        match parse(answer.trim()) {
            Ok(v) => return Some(v),
            Err(Retry(why)) => say(&format!("  {why}")),
        }
    }
}

/// The questions: last time's activities first (Enter drops one), then new ones until three
/// or an empty name. The activities and scores, or `None` at the end of input.
fn ask_items(
    last: &[String],
    ask: &mut dyn FnMut(&str) -> Option<String>,
    say: &mut dyn FnMut(&str),
) -> Option<Vec<(String, i64)>> {
    say(
        "Name up to three activities your back or neck makes hard, and score how well you can do each today: 0 means you cannot do it at all, 10 means as well as before the problem.",
    );
    let mut items: Vec<(String, i64)> = Vec::new();
    if !last.is_empty() {
        say("Last time you scored these; score them again to see the change (Enter drops one).");
    }
    let maybe_score = |a: &str| -> Result<Option<i64>, Retry> {
        if a.is_empty() {
            Ok(None)
        } else {
            score(a).map(Some)
        }
    };
    for name in last.iter().take(MAX_ACTIVITIES) {
        if let Some(n) = until(ask, say, &format!("{name} (0-10):"), &maybe_score)? {
            items.push((name.clone(), n));
        }
    }
    while items.len() < MAX_ACTIVITIES {
        let taken: Vec<String> = items.iter().map(|(n, _)| n.to_lowercase()).collect();
        let name = until(
            ask,
            say,
            "Another activity (Enter when done):",
            &|a: &str| {
                if a.is_empty() {
                    return Ok(None);
                }
                let item = FunctionItem::new(a, 0).map_err(|e| Retry(e.to_string()))?;
                if taken.contains(&item.activity.to_lowercase()) {
                    return Err(Retry(format!(
                        "`{}` is already scored; name another.",
                        item.activity
                    )));
                }
                Ok(Some(item.activity))
            },
        )?;
        let Some(name) = name else { break };
        let n = until(ask, say, &format!("{name} (0-10):"), &score)?;
        items.push((name, n));
    }
    Some(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plays the questions with scripted answers: what was asked and said, and the result.
    fn play(last: &[&str], answers: &[&str]) -> (Option<Vec<(String, i64)>>, String) {
        let last: Vec<String> = last.iter().map(ToString::to_string).collect();
        let mut answers = answers.iter();
        let mut said = String::new();
        let mut asked = Vec::new();
        let got = {
            let mut ask = |q: &str| {
                asked.push(q.to_string());
                answers.next().map(ToString::to_string)
            };
            let mut say = |t: &str| said.push_str(&format!("{t}\n"));
            ask_items(&last, &mut ask, &mut say)
        };
        (got, format!("{}\n--\n{said}", asked.join("\n")))
    }

    #[test]
    fn the_first_time_asks_for_activities_until_three_or_enter() {
        let (got, _) = play(
            &[],
            &["carrying shopping", "4", "sitting an hour", "11", "6", ""],
        );
        assert_eq!(
            got.unwrap(),
            [
                ("carrying shopping".into(), 4),
                ("sitting an hour".into(), 6)
            ]
        );
        let (got, _) = play(&[], &["a", "1", "b", "2", "c", "3"]);
        assert_eq!(
            got.unwrap().len(),
            3,
            "stops at three without asking for more"
        );
    }

    #[test]
    fn last_times_activities_are_offered_again_and_may_be_dropped() {
        let (got, transcript) = play(
            &["carrying shopping", "sitting an hour"],
            &["5", "", "Carrying shopping", "gardening", "seven", "7", ""],
        );
        assert_eq!(
            got.unwrap(),
            [("carrying shopping".into(), 5), ("gardening".into(), 7)]
        );
        insta::assert_snapshot!(transcript);
    }

    #[test]
    fn the_end_of_input_records_nothing() {
        assert_eq!(play(&[], &["walking"]).0, None);
    }
}
