//! `backstretch learn`: the education cards, listed, or one shown whole with its sources.

use std::process::ExitCode;

use backstretch_core::education::Card;
use miette::miette;

use crate::args::{Format, LearnArgs};
use crate::context::Context;
use crate::output::{json, print, width};

pub fn run(ctx: &Context, a: &LearnArgs) -> miette::Result<ExitCode> {
    let format = ctx.format(&[Format::Table, Format::Json])?;
    let cards = backstretch_core::education::builtin()
        .map_err(|e| miette!("{e} (a defect of this build of backstretch)"))?;
    let Some(id) = &a.id else {
        if format == Format::Json {
            print(&json(cards.cards())?)?;
        } else {
            print(&list_text(cards.cards()))?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    let card = cards.get(id).ok_or_else(|| {
        let ids: Vec<&str> = cards.cards().iter().map(|c| c.id.as_str()).collect();
        miette!(
            help = format!("choose one of: {}", ids.join(", ")),
            "no card is called `{}`",
            id.escape_default()
        )
    })?;
    if format == Format::Json {
        print(&json(card)?)?;
    } else {
        print(&card_text(card, width()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Every card's id and title, and how to read one.
fn list_text(cards: &[Card]) -> String {
    let w = cards.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let mut out: String = cards
        .iter()
        .map(|c| format!("{:w$}  {}\n", c.id, c.title))
        .collect();
    out.push_str("\nRead one with `backstretch learn ID`. One also shows at each weekly review and after every third session.\n");
    out
}

/// One card: its title, its text wrapped to `width`, and its sources.
pub fn card_text(c: &Card, width: usize) -> String {
    let mut out = format!("{}\n\n", c.title);
    for l in backstretch_render::table::wrap(&c.text, width.max(20)) {
        out.push_str(&format!("{l}\n"));
    }
    out.push_str("\nSources:\n");
    for s in &c.sources {
        let lines =
            backstretch_render::table::wrap(&s.to_string(), width.saturating_sub(4).max(20));
        for (i, l) in lines.iter().enumerate() {
            out.push_str(&format!("{}{l}\n", if i == 0 { "  - " } else { "    " }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_reads_with_its_sources() {
        let cards = backstretch_core::education::builtin().unwrap();
        insta::assert_snapshot!(card_text(cards.get("stay-active").unwrap(), 72));
        let list = list_text(cards.cards());
        assert_eq!(
            list.lines().filter(|l| !l.is_empty()).count(),
            cards.cards().len() + 1
        );
    }
}
