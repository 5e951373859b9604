use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use proptest::prelude::*;

use super::*;
use crate::catalog::builtin;

fn catalog() -> Catalog {
    builtin().catalog
}

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 9, 7).unwrap_or_default()
}

/// A session on day `d` (from 7 September 2026) at 08:00 in Paris, with its pains, the
/// exercises done and what was said of them.
fn session(d: i64, pains: (u8, u8), done: &[&str], efforts: &[(&str, Effort)]) -> SessionFact {
    let day = start() + Duration::days(d);
    let started: DateTime<FixedOffset> = day
        .and_hms_opt(8, 0, 0)
        .unwrap_or_default()
        .and_local_timezone(
            FixedOffset::east_opt(3600).unwrap_or(FixedOffset::east_opt(0).unwrap()),
        )
        .single()
        .unwrap_or_default();
    SessionFact {
        started,
        seconds: 600,
        pain_before: Some(pains.0),
        pain_after: Some(pains.1),
        done: done.len(),
        counts: true,
        exercises_done: done.iter().map(ToString::to_string).collect(),
        efforts: efforts
            .iter()
            .map(|(id, e)| ((*id).to_string(), *e))
            .collect(),
        ..SessionFact::default()
    }
}

const NECK: &str = "neck-side-bend";

fn stage_of(facts: &[SessionFact], id: &str) -> u32 {
    stages(facts, &catalog(), None)
        .get(id)
        .map_or(0, |s| s.stage)
}

fn hold_of(facts: &[SessionFact], id: &str) -> u32 {
    let c = catalog();
    let e = &c.get(id).unwrap().exercise;
    staged_dose(e, stage_of(facts, id)).hold_s
}

#[test]
fn a_stretch_climbs_holds_and_repetitions_in_turn_up_to_the_caps() {
    let c = catalog();
    let l = Ladder::of(&c.get(NECK).unwrap().exercise);
    let short: Vec<String> = l
        .steps
        .iter()
        .take(6)
        .map(|d| format!("{}x{}", d.hold_s, d.reps))
        .collect();
    assert_eq!(short, ["15x3", "20x3", "20x4", "25x4", "25x5", "30x5"]);
    let last = l.steps.last().unwrap();
    assert_eq!((last.hold_s, last.reps), (60, 5), "a page's most is five");
    assert_eq!(l.next, None);
    let k = Ladder::of(&c.get("knee-to-chest").unwrap().exercise);
    assert_eq!(k.next.as_deref(), Some("double-knee-to-chest"));
    assert!(k.moved_on(k.top()) && !k.moved_on(k.top() - 1));
}

/// Eight weeks of calm daily sessions: the holds grow from 15 s into the 30-45 s range, a
/// step a week at most.
#[test]
fn eight_calm_weeks_grow_a_fifteen_second_hold_to_thirty_to_forty_five() {
    let log: Vec<SessionFact> = (0..56)
        .map(|d| session(d, (3, 2), &[NECK], &[(NECK, Effort::AboutRight)]))
        .collect();
    let hold = hold_of(&log, NECK);
    assert!((30..=45).contains(&hold), "{hold} s after eight weeks");
    let st = &stages(&log, &catalog(), None)[NECK];
    assert!(
        st.moves
            .iter()
            .all(|m| m.why == Why::Calm && m.to == m.from + 1)
    );
    for w in st.moves.windows(2) {
        assert!((w[1].day - w[0].day).num_days() >= DAYS_AT_A_STAGE);
    }
    let text = explain(&catalog().get(NECK).unwrap().exercise, st).unwrap();
    assert!(
        text.ends_with("three calm sessions at 35 s.") || text.contains(": three calm sessions at"),
        "{text}"
    );
}

/// The same weeks with a flare in week three: a step back, then the climb again.
#[test]
fn a_flare_in_week_three_steps_back_and_the_climb_resumes() {
    let calm = |d| session(d, (3, 2), &[NECK], &[]);
    let mut log: Vec<SessionFact> = (0..56).map(calm).collect();
    log[17] = session(17, (3, 7), &[NECK], &[]);
    let st = &stages(&log, &catalog(), None)[NECK];
    let back = st.moves.iter().find(|m| m.why == Why::Flare).unwrap();
    assert_eq!(back.to + 1, back.from);
    let after: Vec<&Move> = st.moves.iter().filter(|m| m.day > back.day).collect();
    assert!(!after.is_empty() && after.iter().all(|m| m.why == Why::Calm));
    // Nothing moved up within a week of the flare.
    assert!((after[0].day - back.day).num_days() >= DAYS_AT_A_STAGE);
    let calm_only: Vec<SessionFact> = (0..56).map(calm).collect();
    assert!(hold_of(&log, NECK) < hold_of(&calm_only, NECK));
    assert!(hold_of(&log, NECK) > 15);
}

#[test]
fn too_hard_and_a_hurt_step_back_and_are_explained() {
    let mut log: Vec<SessionFact> = (0..15).map(|d| session(d, (2, 2), &[NECK], &[])).collect();
    assert_eq!(stage_of(&log, NECK), 2);
    log.push(session(15, (2, 2), &[NECK], &[(NECK, Effort::TooHard)]));
    assert_eq!(stage_of(&log, NECK), 1);
    let e = catalog().get(NECK).unwrap().exercise.clone();
    let st = stages(&log, &catalog(), None)[NECK].clone();
    assert_eq!(
        explain(&e, &st).as_deref(),
        Some("Now 3 times, a step back: you found it too hard at 4 times.")
    );
    let mut hurt = session(16, (2, 2), &[], &[]);
    hurt.hurt = vec![NECK.into()];
    log.push(hurt);
    assert_eq!(stage_of(&log, NECK), 0);
}

fn arb_session() -> impl Strategy<Value = SessionFact> {
    let ids = ["neck-side-bend", "knee-to-chest", "bridge", "pelvic-tilt"];
    (
        0i64..70,
        0u8..=10,
        0u8..=10,
        proptest::sample::subsequence(ids.to_vec(), 0..=4),
        proptest::collection::vec((0usize..4, 0usize..3), 0..3),
        proptest::option::of(any::<bool>()),
        proptest::bool::weighted(0.1),
    )
        .prop_map(move |(d, b, a, done, rated, settled, hurt)| {
            let efforts: Vec<(&str, Effort)> = rated
                .iter()
                .map(|(i, e)| (ids[*i], Effort::ALL[*e]))
                .collect();
            let mut f = session(d, (b.min(4), a.min(5)), &done, &efforts);
            f.settled = settled;
            if hurt && !done.is_empty() {
                f.hurt = vec![done[0].to_string()];
                f.exercises_done.remove(0);
            }
            f
        })
}

fn within_caps(c: &Catalog, all: &BTreeMap<String, Stage>) -> Result<(), TestCaseError> {
    for (id, st) in all {
        let e = &c.get(id).unwrap().exercise;
        let l = Ladder::of(e);
        prop_assert!(st.stage <= l.top());
        let d = l.dose(st.stage);
        prop_assert!(d.hold_s <= STRETCH_HOLD_CAP_S.max(e.dose.hold_s));
        let most = e
            .sources
            .iter()
            .filter_map(|s| s.dose.as_ref().and_then(|d| d.reps_max.or(d.reps)))
            .max()
            .unwrap_or(0)
            .max(e.dose.reps);
        prop_assert!(d.reps <= most);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// No dose ever passes the caps, and the stages are the same whatever order the
    /// sessions arrive in (one piece, or by sync in any order).
    #[test]
    fn stages_stay_within_caps_and_ignore_arrival_order(
        log in proptest::collection::vec(arb_session(), 0..60),
        seed in any::<u64>(),
    ) {
        let c = catalog();
        let all = stages(&log, &c, None);
        within_caps(&c, &all)?;
        let mut shuffled = log.clone();
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let j = usize::try_from(s % (i as u64 + 1)).unwrap_or(0);
            shuffled.swap(i, j);
        }
        prop_assert_eq!(stages(&shuffled, &c, None), all);
    }

    /// A flare, an amber or a red session never moves anything up, and nothing moves up in
    /// the sessions during a block.
    #[test]
    fn nothing_progresses_after_a_flare_an_amber_or_red_session_or_in_a_block(
        log in proptest::collection::vec(arb_session(), 0..40),
        done in proptest::sample::subsequence(vec![NECK, "bridge"], 1..=2),
        (before, after, settled) in prop_oneof![
            (0u8..=3, 5u8..=10, Just(None)),
            (0u8..=10, 7u8..=10, Just(None)),
            (0u8..=3, 0u8..=3, Just(Some(false))),
        ],
    ) {
        let c = catalog();
        let was = stages(&log, &c, None);
        let mut bad = session(80, (before, after), &done, &[]);
        bad.settled = settled;
        let mut more = log.clone();
        more.push(bad);
        let now = stages(&more, &c, None);
        for (id, st) in &now {
            let before = was.get(id).map_or(0, |s| s.stage);
            prop_assert!(st.stage <= before, "{id} went up");
        }
        // Then the next calm session moves nothing up either: every count started again.
        more.push(session(81, (2, 2), &done, &[]));
        for (id, st) in &stages(&more, &c, None) {
            prop_assert!(st.stage <= now.get(id).map_or(0, |s| s.stage));
        }
        // In a block, calm sessions count for nothing.
        let block = start() + Duration::days(90);
        let blocked_since = block.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp();
        let mut blocked = log.clone();
        blocked.extend((90..100).map(|d| session(d, (1, 1), &done, &[])));
        let in_block = stages(&blocked, &c, Some(blocked_since));
        for (id, st) in &in_block {
            prop_assert!(st.stage <= was.get(id).map_or(0, |s| s.stage));
        }
    }

    /// Three calm "about right" sessions, on different days and a week or more after the
    /// last change, always move an exercise one step (up to its top).
    #[test]
    fn three_calm_sessions_always_progress_one_step(
        log in proptest::collection::vec(arb_session(), 0..40),
        id in proptest::sample::select(vec![NECK, "knee-to-chest", "pelvic-tilt"]),
    ) {
        let c = catalog();
        // The exercise is part of the programme already (a stage lasts a week at least).
        let mut log = log;
        log.insert(0, session(-1, (2, 2), &[id], &[]));
        let was = stages(&log, &c, None).get(id).map_or(0, |s| s.stage);
        let mut more = log.clone();
        for d in 78..81 {
            more.push(session(d, (2, 2), &[id], &[(id, Effort::AboutRight)]));
        }
        let top = Ladder::of(&c.get(id).unwrap().exercise).top();
        let now = stages(&more, &c, None)[id].stage;
        prop_assert_eq!(now, (was + 1).min(top));
    }
}
