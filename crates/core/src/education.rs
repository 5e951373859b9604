//! Education cards: short notes from the clinical guidelines, in our own words, each with its
//! sources (`content/education.toml`, embedded and checked here).
//!
//! One card shows at each weekly review and at the end of every [`SESSION_EVERY`]th completed
//! session. Which card is derived from the log, never kept in a counter that could drift: the
//! occasions so far ([`occasions`], from the reviews held and the sessions completed) number
//! the card, and the cards go round in the file's order, so none repeats until all have been
//! shown ([`Education::card_for`]).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The cards as written, embedded at build time.
pub const EDUCATION_TOML: &str = include_str!("../../../content/education.toml");

/// A session end shows a card when the completed sessions so far are a multiple of this.
pub const SESSION_EVERY: usize = 3;

/// The longest card text, in characters.
pub const MAX_TEXT_CHARS: usize = 600;

/// Where a card's advice comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The author or organisation ("NICE", "Hartvigsen J, et al.").
    pub author: String,
    /// The title of the guideline or paper.
    pub title: String,
    /// The year it was published.
    pub year: u16,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, {} ({})", self.author, self.title, self.year)
    }
}

/// One education card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Card {
    /// A short stable id (`stay-active`).
    pub id: String,
    /// Its heading.
    pub title: String,
    /// Two to four sentences of plain English.
    pub text: String,
    /// At least one source.
    #[serde(default)]
    pub sources: Vec<Source>,
}

/// Every card, in the order they are shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Education {
    cards: Vec<Card>,
}

/// What is wrong with the cards file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("content/education.toml: {0}")]
pub struct BadCards(pub String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    card: Vec<Card>,
}

/// The sentences of a text: runs ending in `.`, `?` or `!` followed by a space or the end.
fn sentences(text: &str) -> usize {
    let chars: Vec<char> = text.trim().chars().collect();
    chars
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            matches!(c, '.' | '?' | '!') && chars.get(i + 1).is_none_or(|n| n.is_whitespace())
        })
        .count()
}

impl Education {
    /// The cards of a TOML text, checked: at least two; ids unique, lowercase words joined
    /// by `-`; a title; 2 to 4 sentences of at most [`MAX_TEXT_CHARS`] characters; and at
    /// least one source with an author, a title and a year from 1990 on.
    pub fn parse(text: &str) -> Result<Education, BadCards> {
        let file: File = toml::from_str(text).map_err(|e| BadCards(e.to_string()))?;
        let mut cards = file.card;
        if cards.len() < 2 {
            return Err(BadCards("there must be at least two cards".into()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in &mut cards {
            c.text = c.text.split_whitespace().collect::<Vec<_>>().join(" ");
            let bad = |what: String| BadCards(format!("card `{}`: {what}", c.id));
            let id_ok = !c.id.is_empty()
                && c.id
                    .split('-')
                    .all(|w| !w.is_empty() && w.chars().all(|ch| ch.is_ascii_lowercase()));
            if !id_ok {
                return Err(bad("the id must be lowercase words joined by `-`".into()));
            }
            if !seen.insert(c.id.clone()) {
                return Err(bad("the id is used twice".into()));
            }
            if c.title.trim().is_empty() {
                return Err(bad("it has no title".into()));
            }
            let n = sentences(&c.text);
            if !(2..=4).contains(&n) {
                return Err(bad(format!("it has {n} sentences; write 2 to 4")));
            }
            if c.text.chars().count() > MAX_TEXT_CHARS {
                return Err(bad(format!(
                    "it is longer than {MAX_TEXT_CHARS} characters"
                )));
            }
            if c.sources.is_empty() {
                return Err(bad("it cites no source".into()));
            }
            if c.sources
                .iter()
                .any(|s| s.author.trim().is_empty() || s.title.trim().is_empty() || s.year < 1990)
            {
                return Err(bad(
                    "every source needs an author or organisation, a title and a year".into(),
                ));
            }
        }
        Ok(Education { cards })
    }

    /// Every card, in the order they are shown.
    pub fn cards(&self) -> &[Card] {
        &self.cards
    }

    /// The card with this id.
    pub fn get(&self, id: &str) -> Option<&Card> {
        self.cards.iter().find(|c| c.id == id)
    }

    /// The card of occasion `occasion` (counted from 0): the cards in turn, so any run of
    /// as many occasions as there are cards shows each card once.
    pub fn card_for(&self, occasion: usize) -> &Card {
        // `parse` guarantees at least two cards.
        &self.cards[occasion % self.cards.len()]
    }
}

/// The built-in cards, parsed once. An error is a build defect, which the tests catch.
pub fn builtin() -> Result<&'static Education, BadCards> {
    static CARDS: OnceLock<Result<Education, BadCards>> = OnceLock::new();
    CARDS
        .get_or_init(|| Education::parse(EDUCATION_TOML))
        .as_ref()
        .map_err(Clone::clone)
}

/// Whether the end of a session shows a card, given the completed sessions so far counting
/// that one: every [`SESSION_EVERY`]th.
pub fn session_end_shows_card(completed: usize) -> bool {
    completed > 0 && completed.is_multiple_of(SESSION_EVERY)
}

/// How many occasions have shown a card, from what the log holds: the weekly reviews held and
/// the sessions completed (each counting the one happening now, if any). The card of the
/// occasion happening now is `card_for(occasions(..) - 1)`; each new occasion adds exactly
/// one, so consecutive occasions show consecutive cards.
pub fn occasions(reviews: usize, completed_sessions: usize) -> usize {
    reviews + completed_sessions / SESSION_EVERY
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_built_in_cards_parse_and_pass_their_checks() {
        let e = builtin().unwrap();
        assert!((10..=16).contains(&e.cards().len()), "{}", e.cards().len());
        for id in [
            "common",
            "stay-active",
            "pacing",
            "sleep",
            "flare-plan",
            "seek-help",
            "scans",
            "hurt-not-harm",
            "stress-mood",
            "work",
            "neck",
            "keep-going",
        ] {
            assert!(e.get(id).is_some(), "no card {id}");
        }
        assert_eq!(e.card_for(0).id, "common", "reassurance comes first");
    }

    /// The card on when to get help says what the program's own emergency line says.
    #[test]
    fn the_help_card_agrees_with_the_emergency_line() {
        let text = builtin()
            .unwrap()
            .get("seek-help")
            .unwrap()
            .text
            .to_lowercase();
        for words in [
            "emergency",
            "numb",
            "bladder",
            "bowels",
            "both legs",
            "backstretch safety",
        ] {
            assert!(text.contains(words), "{words}");
        }
    }

    #[test]
    fn bad_cards_are_refused_with_the_card_named() {
        let card = |id: &str, text: &str, sources: &str| {
            format!("[[card]]\nid = \"{id}\"\ntitle = \"T\"\ntext = \"{text}\"\n{sources}\n")
        };
        let src = "[[card.sources]]\nauthor = \"NICE\"\ntitle = \"NG59\"\nyear = 2016";
        let ok = card("a", "One. Two.", src);
        assert!(Education::parse(&format!("{ok}{}", card("b", "One. Two.", src))).is_ok());
        let err = |extra: String| Education::parse(&format!("{ok}{extra}")).unwrap_err().0;
        assert!(err(card("b", "Only one.", src)).contains("1 sentences"));
        assert!(err(card("b", "A. B. C. D. E.", src)).contains("5 sentences"));
        assert!(err(card("a", "One. Two.", src)).contains("twice"));
        assert!(err(card("B c", "One. Two.", src)).contains("lowercase"));
        assert!(err(card("b", "One. Two.", "")).contains("no source"));
        let old = "[[card.sources]]\nauthor = \"X\"\ntitle = \"Y\"\nyear = 1900";
        assert!(err(card("b", "One. Two.", old)).contains("year"));
        assert!(Education::parse(&ok).is_err(), "one card is too few");
    }

    #[test]
    fn sentences_are_counted_by_their_ends() {
        assert_eq!(sentences("Run `backstretch safety`. It is fine."), 2);
        assert_eq!(sentences("Is it? Yes! Good."), 3);
        assert_eq!(sentences("A 2.5 point change."), 1);
    }

    #[test]
    fn every_third_session_and_every_review_is_an_occasion() {
        let shown: Vec<usize> = (1..=9).filter(|n| session_end_shows_card(*n)).collect();
        assert_eq!(shown, [3, 6, 9]);
        assert!(!session_end_shows_card(0));
        assert_eq!(occasions(0, 2), 0);
        assert_eq!(occasions(1, 3), 2);
        assert_eq!(occasions(2, 7), 4);
    }

    proptest! {
        /// Any run of as many occasions as there are cards shows every card once: none
        /// repeats until all have been shown.
        #[test]
        fn any_run_of_occasions_shows_distinct_cards(start in 0usize..10_000) {
            let e = builtin().unwrap();
            let n = e.cards().len();
            let ids: BTreeSet<&str> = (start..start + n).map(|o| e.card_for(o).id.as_str()).collect();
            prop_assert_eq!(ids.len(), n);
            let twelve: BTreeSet<&str> = (start..start + 12).map(|o| e.card_for(o).id.as_str()).collect();
            prop_assert_eq!(twelve.len(), 12);
        }

        /// Reviews and session ends interleaved in any order give consecutive occasions: each
        /// new occasion shows the next card.
        #[test]
        fn interleaved_reviews_and_sessions_step_one_card_at_a_time(events in prop::collection::vec(any::<bool>(), 1..200)) {
            let (mut reviews, mut sessions, mut last) = (0usize, 0usize, None::<usize>);
            for review in events {
                let shows = if review {
                    reviews += 1;
                    true
                } else {
                    sessions += 1;
                    session_end_shows_card(sessions)
                };
                if shows {
                    let now = occasions(reviews, sessions) - 1;
                    prop_assert_eq!(now, last.map_or(0, |l| l + 1));
                    last = Some(now);
                }
            }
        }
    }
}
