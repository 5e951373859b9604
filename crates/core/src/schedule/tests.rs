#![allow(clippy::unwrap_used)]

use chrono::{NaiveDateTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(tz: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Tz> {
    tz.with_ymd_and_hms(y, mo, d, h, mi, 0).earliest().unwrap()
}

#[test]
fn days_read_ranges_lists_and_words_and_print_back() {
    let cases = [
        ("mon-fri", "mon-fri"),
        ("Mon,Wed,Fri", "mon,wed,fri"),
        ("weekdays", "mon-fri"),
        ("weekends", "sat,sun"),
        ("daily", "every day"),
        ("every day", "every day"),
        ("fri-mon", "mon,fri,sat,sun"),
        ("tuesday thursday", "tue,thu"),
    ];
    for (input, shown) in cases {
        let d: Days = input.parse().unwrap();
        assert_eq!(d.to_string(), shown, "{input}");
        assert_eq!(d.to_string().parse::<Days>().unwrap(), d, "{input}");
    }
    for bad in ["", "monday-", "funday", "mon-xyz", ","] {
        let e = bad.parse::<Days>().unwrap_err().to_string();
        assert!(e.contains("mon-fri"), "{bad}: {e}");
    }
    assert_eq!(Days::of(&[]), Days::EVERY);
}

#[test]
fn lengths_read_minutes_and_hours() {
    assert_eq!(parse_minutes("45m"), Ok(45));
    assert_eq!(parse_minutes("45"), Ok(45));
    assert_eq!(parse_minutes("1h"), Ok(60));
    assert_eq!(parse_minutes("1h30m"), Ok(90));
    assert_eq!(parse_minutes("90 min"), Ok(90));
    for bad in ["", "soon", "5s", "1x", "99999999999h"] {
        assert!(parse_minutes(bad).unwrap_err().contains("45m"), "{bad}");
    }
}

#[test]
fn working_hours_read_and_hold_their_days() {
    let h: Hours = "09:00-17:30".parse().unwrap();
    let mon = day(2026, 12, 7);
    assert!(h.contains(mon.and_time(t(9, 0)), Days::WORKDAYS));
    assert!(!h.contains(mon.and_time(t(17, 30)), Days::WORKDAYS));
    assert!(!h.contains(day(2026, 12, 12).and_time(t(10, 0)), Days::WORKDAYS));
    let night: Hours = "22:00-06:00".parse().unwrap();
    let fri = day(2026, 12, 11);
    assert!(night.contains(fri.and_time(t(23, 0)), Days::WORKDAYS));
    // Saturday 02:00 belongs to Friday's shift; Monday 02:00 to Sunday's, not worked.
    assert!(night.contains(day(2026, 12, 12).and_time(t(2, 0)), Days::WORKDAYS));
    assert!(!night.contains(mon.and_time(t(2, 0)), Days::WORKDAYS));
    for bad in ["9-5", "09:00", "09:00-09:00", "25:00-26:00"] {
        assert!(
            bad.parse::<Hours>().unwrap_err().contains("09:00-17:30"),
            "{bad}"
        );
    }
}

#[test]
fn a_reminder_fires_later_today_or_on_its_next_day() {
    let tz: Tz = "Europe/London".parse().unwrap();
    let sat_morning = at(tz, 2026, 12, 12, 6, 0);
    let fire = next_fire(&sat_morning, &[t(7, 30)], Days::WORKDAYS).unwrap();
    assert_eq!(fire, at(tz, 2026, 12, 14, 7, 30));
    let fire = next_fire(&sat_morning, &[t(7, 30)], Days::EVERY).unwrap();
    assert_eq!(fire, at(tz, 2026, 12, 12, 7, 30));
    // At the very minute, the next one.
    let fire = next_fire(&fire, &[t(7, 30), t(15, 0)], Days::EVERY).unwrap();
    assert_eq!(fire, at(tz, 2026, 12, 12, 15, 0));
    assert_eq!(next_fire(&sat_morning, &[], Days::EVERY), None);
}

#[test]
fn daylight_saving_gaps_fire_after_the_gap_and_repeats_fire_once() {
    // Europe/Berlin, 29 March 2026: 02:00 jumps to 03:00. A 02:30 reminder fires at 03:00.
    let tz: Tz = "Europe/Berlin".parse().unwrap();
    let before = at(tz, 2026, 3, 29, 1, 0);
    let fire = next_fire(&before, &[t(2, 30)], Days::EVERY).unwrap();
    assert_eq!(fire.naive_local(), day(2026, 3, 29).and_time(t(3, 0)));
    // 25 October 2026: 02:30 happens twice; it fires at the first, then next day.
    let before = at(tz, 2026, 10, 25, 1, 0);
    let first = next_fire(&before, &[t(2, 30)], Days::EVERY).unwrap();
    assert_eq!(first.offset().fix().local_minus_utc(), 2 * 3600);
    let again = next_fire(&first, &[t(2, 30)], Days::EVERY).unwrap();
    assert_eq!(again.date_naive(), day(2026, 10, 26));
}

#[test]
fn a_day_skipped_or_done_is_quiet_and_a_block_says_why() {
    let today = day(2026, 12, 7);
    assert_eq!(nudge(today, false, None, false), Nudge::Remind);
    assert_eq!(nudge(today, true, None, false), Nudge::Done);
    assert_eq!(nudge(today, false, Some(today), true), Nudge::Skipped);
    assert_eq!(
        nudge(today, false, Some(today.pred_opt().unwrap()), true),
        Nudge::Blocked
    );
    assert_eq!(nudge(today, true, None, true), Nudge::Done);
}

#[test]
fn the_break_clock_counts_active_time_and_resets_when_the_person_leaves() {
    let mut c = BreakClock::new(45 * 60, 5 * 60);
    assert_eq!(c.observe(0, Some(0), true), Tick::Counting(0));
    // 40 minutes typing, polled each minute.
    let mut now = 0;
    for _ in 0..40 {
        now += 60;
        c.observe(now, Some(3), true);
    }
    assert_eq!(c.active_s(), 40 * 60);
    // A minute with no input does not count, and does not reset either.
    now += 60;
    assert_eq!(c.observe(now, Some(61), true), Tick::Counting(40 * 60));
    // Six minutes away: a break.
    now += 60;
    assert_eq!(c.observe(now, Some(6 * 60), true), Tick::Rested);
    for _ in 0..44 {
        now += 60;
        assert!(matches!(c.observe(now, Some(0), true), Tick::Counting(_)));
    }
    now += 60;
    assert_eq!(c.observe(now, Some(0), true), Tick::Due);
    c.answered(Answer::Snoozed(15 * 60));
    assert_eq!(c.active_s(), 30 * 60);
    now += 15 * 60 - 1;
    // A poll after a long gap (the laptop slept) is a break too.
    assert_eq!(c.observe(now, Some(0), true), Tick::Rested);
    now += 60;
    assert_eq!(c.observe(now, Some(0), false), Tick::OffHours);
    assert_eq!(c.active_s(), 0);
}

/// Zones with daylight-saving changes both ways, whole-hour and half-hour offsets, and a
/// 30-minute change (Lord Howe).
const ZONES: &[&str] = &[
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "UTC",
];

/// Daylight-saving changes of 2026 (UTC seconds): Berlin and London in March and October,
/// New York in March and November, Sydney in April and October, Lord Howe's half hours.
const TRANSITIONS: &[i64] = &[
    1_774_746_000,
    1_792_890_000,
    1_772_953_200,
    1_793_512_800,
    1_775_404_800,
    1_791_043_200,
    1_775_401_200,
    1_791_041_400,
];

/// The oracle: walking forward a minute at a time from `after`, the first minute whose wall
/// clock reaches one of `times` on a chosen day, counting each wall-clock (day, time) once.
fn walk(after: &DateTime<Tz>, times: &[NaiveTime], days: Days) -> Option<NaiveDateTime> {
    let tz = after.timezone();
    let start = after.with_timezone(&Utc).with_second(0).unwrap();
    let local = |m: i64| {
        (start + Duration::minutes(m))
            .with_timezone(&tz)
            .naive_local()
    };
    for m in 1..=9 * 24 * 60 {
        let (prev, cur) = (local(m - 1), local(m));
        for &time in times {
            let target = cur.date().and_time(time);
            let crossed = prev < target && target <= cur;
            // A repeated hour crosses again: only the first crossing of that wall time counts.
            let seen = || {
                (1..=180).any(|back| {
                    let (p, c) = (local(m - back - 1), local(m - back));
                    p < target && target <= c
                })
            };
            if crossed && days.contains(target.weekday()) && !seen() {
                return Some(cur);
            }
        }
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn next_fire_agrees_with_walking_the_clock(
        zone in 0..ZONES.len(),
        // Any instant 2025-2027 to the second, or one within a day of a 2026 change.
        utc in prop_oneof![
            1_735_689_600i64..1_830_297_600,
            (0..TRANSITIONS.len(), -86_400i64..86_400).prop_map(|(i, d)| TRANSITIONS[i] + d),
        ],
        times in proptest::collection::vec((0u32..24, 0u32..60), 1..3),
        mask in 1u8..128,
    ) {
        let tz: Tz = ZONES[zone].parse().unwrap();
        let now = Utc.timestamp_opt(utc, 0).unwrap().with_timezone(&tz);
        let times: Vec<NaiveTime> = times.into_iter().map(|(h, m)| t(h, m)).collect();
        let days = Days(mask);
        let fire = next_fire(&now, &times, days).unwrap();
        prop_assert!(fire > now);
        // Only a gap at midnight could carry a time past its day.
        let carried = times.iter().any(|x| {
            local_instant(&tz, fire.date_naive().pred_opt().unwrap(), *x).is_some_and(|a| a == fire)
        });
        prop_assert!(days.contains(fire.weekday()) || carried);
        let expected = walk(&now, &times, days);
        // The walk sees whole minutes: the fire time is the minute it reaches.
        prop_assert_eq!(Some(fire.naive_local()), expected, "zone {}", ZONES[zone]);
    }

    #[test]
    fn the_break_clock_never_offers_off_hours_or_before_its_time(
        polls in proptest::collection::vec((1i64..400, 0u32..900, proptest::bool::weighted(0.9)), 1..200),
    ) {
        let mut c = BreakClock::new(20 * 60, 5 * 60);
        let (mut now, mut since_rest) = (0i64, 0i64);
        c.observe(now, Some(0), true);
        for (step, idle, in_hours) in polls {
            now += step;
            since_rest += step;
            let tick = c.observe(now, Some(idle), in_hours);
            if !in_hours {
                prop_assert_eq!(tick, Tick::OffHours);
            }
            if idle >= 300 || step >= 300 {
                prop_assert!(matches!(tick, Tick::Rested | Tick::OffHours));
            }
            if matches!(tick, Tick::Rested | Tick::OffHours) {
                since_rest = 0;
                prop_assert_eq!(c.active_s(), 0);
            }
            if tick == Tick::Due {
                // Only after at least the interval of time has passed since the last rest.
                prop_assert!(since_rest >= 20 * 60);
                c.answered(Answer::Took);
                since_rest = 0;
            }
            prop_assert!(i64::from(c.active_s()) <= since_rest);
        }
    }
}
