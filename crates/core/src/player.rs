//! Playing a timeline: the state a player needs, with time given as milliseconds.
//!
//! The player keeps one origin and the time spent paused; each call computes
//! `elapsed = now - origin` (frozen while paused) and asks the timeline where that falls.
//! Cues fire once each when their due time has passed, so a slow frame delays a cue by at
//! most that frame and errors never add up. Skipping, going back and "it hurts" move the
//! origin; the cues they jump over are passed silently.
//!
//! Every step that ends is reported once, with how it ended, so the caller can write it to
//! the log at once.

use crate::timeline::{At, Cue, Step, StepKind, Timeline};

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Played to its end.
    Done,
    /// Skipped (next, or the rest of an exercise after "it hurts").
    Skipped,
    /// Stopped because it hurt.
    Hurt,
}

impl Outcome {
    /// `done`, `skipped` or `hurt`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Skipped => "skipped",
            Outcome::Hurt => "hurt",
        }
    }

    /// The outcome a word names.
    pub fn parse(word: &str) -> Option<Outcome> {
        [Outcome::Done, Outcome::Skipped, Outcome::Hurt]
            .into_iter()
            .find(|o| o.as_str() == word)
    }
}

/// Something that happened while playing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A cue came due.
    Cue {
        /// The cue (how late it fired is the caller's to measure: now minus `cue.at_ms`).
        cue: Cue,
    },
    /// A step ended; write it to the log.
    StepEnded {
        /// Index in the timeline.
        step: usize,
        /// How it ended.
        outcome: Outcome,
        /// Seconds actually spent in it.
        done_ms: u64,
    },
    /// The last step ended.
    Finished,
}

/// A timeline being played.
#[derive(Debug, Clone)]
pub struct Player {
    timeline: Timeline,
    cues: Vec<Cue>,
    /// The `now` at which elapsed time was zero.
    origin_ms: i64,
    paused_since: Option<u64>,
    /// The next cue to fire.
    next_cue: usize,
    /// Every step before this one has been reported.
    next_report: usize,
    /// Whether the last step has ended.
    finished: bool,
}

impl Player {
    /// A player at the start of step `from` (0 to start at the beginning; later to resume),
    /// with `now_ms` as the current time. Steps before `from` are taken as already logged.
    pub fn new(timeline: Timeline, from: usize, now_ms: u64) -> Self {
        Player::counting(timeline, from, now_ms, crate::timeline::COUNT_HOLDS_FROM_S)
    }

    /// [`Player::new`], counting down holds of `hold_min_s` seconds or more.
    pub fn counting(timeline: Timeline, from: usize, now_ms: u64, hold_min_s: u32) -> Self {
        let cues = timeline.cues_counting(hold_min_s);
        let from = from.min(timeline.steps().len() - 1);
        let start = u64::from(timeline.steps()[from].start_s) * 1000;
        let mut p = Player {
            timeline,
            cues,
            // Milliseconds of a session, far inside i64 either way.
            origin_ms: now_ms.cast_signed() - start.cast_signed(),
            paused_since: None,
            next_cue: 0,
            next_report: from,
            finished: false,
        };
        p.skip_cues_before(start);
        p
    }

    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Milliseconds into the session at `now_ms` (frozen while paused).
    pub fn elapsed(&self, now_ms: u64) -> u64 {
        let now = self.paused_since.unwrap_or(now_ms).cast_signed();
        (now - self.origin_ms).max(0).cast_unsigned()
    }

    /// Where the session is at `now_ms`.
    pub fn at(&self, now_ms: u64) -> At {
        self.timeline.at(self.elapsed(now_ms))
    }

    /// The current step.
    pub fn step(&self, now_ms: u64) -> &Step {
        &self.timeline.steps()[self.at(now_ms).step]
    }

    /// Whether paused.
    pub fn is_paused(&self) -> bool {
        self.paused_since.is_some()
    }

    /// Whether the last step has ended.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Pauses (no effect when paused already or finished).
    pub fn pause(&mut self, now_ms: u64) {
        if self.paused_since.is_none() && !self.finished {
            self.paused_since = Some(now_ms);
        }
    }

    /// Resumes; the paused time does not count.
    pub fn resume(&mut self, now_ms: u64) {
        if let Some(since) = self.paused_since.take() {
            self.origin_ms += now_ms.saturating_sub(since).cast_signed();
        }
    }

    /// Pauses or resumes.
    pub fn toggle_pause(&mut self, now_ms: u64) {
        if self.is_paused() {
            self.resume(now_ms);
        } else {
            self.pause(now_ms);
        }
    }

    fn skip_cues_before(&mut self, elapsed_ms: u64) {
        while self.next_cue < self.cues.len() && self.cues[self.next_cue].at_ms < elapsed_ms {
            self.next_cue += 1;
        }
    }

    /// Moves the playhead to the start of `step`, keeping the paused state.
    fn jump_to(&mut self, step: usize, now_ms: u64) {
        let target = u64::from(self.timeline.steps()[step].start_s) * 1000;
        let now = self.paused_since.unwrap_or(now_ms).cast_signed();
        self.origin_ms = now - target.cast_signed();
        self.next_cue = self
            .cues
            .iter()
            .position(|c| c.at_ms >= target)
            .unwrap_or(self.cues.len());
    }

    /// Ends the current step early with `outcome` and reports it, with the steps before it.
    fn end_current(&mut self, now_ms: u64, outcome: Outcome, out: &mut Vec<Event>) {
        let at = self.at(now_ms);
        self.report_until(at.step, out);
        if self.next_report == at.step && !at.finished {
            out.push(Event::StepEnded {
                step: at.step,
                outcome,
                done_ms: at.into_ms,
            });
            self.next_report = at.step + 1;
        }
    }

    /// Reports, as done, every unreported step before `step`.
    fn report_until(&mut self, step: usize, out: &mut Vec<Event>) {
        while self.next_report < step {
            let s = &self.timeline.steps()[self.next_report];
            out.push(Event::StepEnded {
                step: self.next_report,
                outcome: Outcome::Done,
                done_ms: u64::from(s.seconds) * 1000,
            });
            self.next_report += 1;
        }
    }

    /// Skips to the next step; the current one is reported as skipped.
    pub fn next(&mut self, now_ms: u64) -> Vec<Event> {
        let mut out = Vec::new();
        if self.finished {
            return out;
        }
        let cur = self.at(now_ms).step;
        self.end_current(now_ms, Outcome::Skipped, &mut out);
        self.jump_to((cur + 1).min(self.timeline.steps().len() - 1), now_ms);
        out.extend(self.poll(now_ms));
        out
    }

    /// Goes back: to the start of the current step, or to the previous step when the current
    /// one began less than two seconds ago. Steps already reported stay in the log; playing
    /// them again reports them again.
    pub fn back(&mut self, now_ms: u64) {
        if self.finished {
            return;
        }
        let at = self.at(now_ms);
        let target = if at.into_ms < 2000 {
            at.step.saturating_sub(1)
        } else {
            at.step
        };
        self.jump_to(target, now_ms);
        self.next_report = self.next_report.min(target);
    }

    /// "It hurts": stops this exercise at once. The current step is reported as hurt, the
    /// rest of the exercise as skipped, and play goes on with the next exercise.
    pub fn hurt(&mut self, now_ms: u64) -> Vec<Event> {
        let mut out = Vec::new();
        if self.finished {
            return out;
        }
        let at = self.at(now_ms);
        let item = self.timeline.steps()[at.step].item;
        self.end_current(now_ms, Outcome::Hurt, &mut out);
        let next_item = self.timeline.first_step_of(item + 1);
        while self.next_report < next_item {
            out.push(Event::StepEnded {
                step: self.next_report,
                outcome: Outcome::Skipped,
                done_ms: 0,
            });
            self.next_report += 1;
        }
        self.jump_to(next_item, now_ms);
        out.extend(self.poll(now_ms));
        out
    }

    /// Advances to `now_ms`: fires every cue now due (once each) and reports every step
    /// that has ended.
    pub fn poll(&mut self, now_ms: u64) -> Vec<Event> {
        let mut out = Vec::new();
        if self.finished {
            return out;
        }
        let elapsed = self.elapsed(now_ms);
        let at = self.timeline.at(elapsed);
        // Steps that ended come first, so they are in the log before the next cue is heard.
        self.report_until(at.step, &mut out);
        while self.next_cue < self.cues.len() && self.cues[self.next_cue].at_ms <= elapsed {
            let cue = self.cues[self.next_cue].clone();
            out.push(Event::Cue { cue });
            self.next_cue += 1;
        }
        if at.finished {
            self.finished = true;
            out.push(Event::Finished);
        }
        out
    }

    /// Milliseconds from `now_ms` until the next cue is due, if any (for sleeping).
    pub fn until_next_cue(&self, now_ms: u64) -> Option<u64> {
        if self.is_paused() || self.finished {
            return None;
        }
        let elapsed = self.elapsed(now_ms);
        self.cues
            .get(self.next_cue)
            .map(|c| c.at_ms.saturating_sub(elapsed))
    }

    /// The exercise's step kind shown as a word (for screens).
    pub fn phase_word(kind: StepKind) -> &'static str {
        match kind {
            StepKind::Position => "Get into position",
            StepKind::Prepare => "Get ready",
            StepKind::Hold => "Hold",
            StepKind::Rest => "Rest",
            StepKind::Switch => "Switch sides",
            StepKind::Done => "Done",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::Dose;
    use crate::timeline::TimelineItem;
    use crate::vocab::{Position, Sides};
    use proptest::prelude::*;

    fn timeline() -> Timeline {
        Timeline::new(&[
            TimelineItem {
                id: "a".into(),
                name: "A".into(),
                position: Position::Supine,
                sides: Sides::Each,
                dose: Dose::new(10, 2, 5),
                variant: None,
                side_cue: None,
            },
            TimelineItem {
                id: "b".into(),
                name: "B".into(),
                position: Position::Standing,
                sides: Sides::Both,
                dose: Dose::new(20, 1, 0),
                variant: None,
                side_cue: None,
            },
        ])
    }

    fn ended(events: &[Event]) -> Vec<(usize, Outcome)> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::StepEnded { step, outcome, .. } => Some((*step, *outcome)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn plays_to_the_end_reporting_every_step_once() {
        let mut p = Player::new(timeline(), 0, 1_000);
        let total = u64::from(p.timeline().total_s()) * 1000;
        let mut all = Vec::new();
        let mut worst_late = 0;
        let mut t = 1_000;
        while !p.is_finished() {
            t += 137; // an odd frame length
            for e in p.poll(t) {
                if let Event::Cue { cue } = &e {
                    worst_late = worst_late.max(p.elapsed(t) - cue.at_ms);
                }
                all.push(e);
            }
        }
        let steps = ended(&all);
        let n = p.timeline().steps().len() - 1;
        assert_eq!(steps.len(), n, "every step but done reported");
        assert!(
            steps
                .iter()
                .enumerate()
                .all(|(i, s)| *s == (i, Outcome::Done))
        );
        let cues = all
            .iter()
            .filter(|e| matches!(e, Event::Cue { .. }))
            .count();
        assert_eq!(cues, p.timeline().cues().len());
        assert!(worst_late <= 137, "{worst_late} ms late");
        assert!(t - 1_000 >= total);
    }

    #[test]
    fn pause_freezes_time() {
        let mut p = Player::new(timeline(), 0, 0);
        p.poll(5_000);
        p.pause(5_000);
        assert_eq!(p.elapsed(60_000), 5_000);
        assert!(
            p.poll(60_000)
                .iter()
                .all(|e| !matches!(e, Event::Cue { .. }))
        );
        p.resume(60_000);
        assert_eq!(p.elapsed(61_000), 6_000);
    }

    #[test]
    fn next_skips_and_back_returns() {
        let mut p = Player::new(timeline(), 0, 0);
        let mut ev = p.poll(16_000); // in the first hold (15 s position step, then hold)
        ev.extend(p.next(16_000));
        assert_eq!(ended(&ev), vec![(0, Outcome::Done), (1, Outcome::Skipped)]);
        assert_eq!(p.at(16_000).step, 2);
        p.back(16_500); // less than 2 s into step 2: back to step 1
        assert_eq!(p.at(16_500).step, 1);
        assert_eq!(p.at(16_500).into_ms, 0);
    }

    #[test]
    fn hurt_stops_the_exercise_and_moves_on() {
        let mut p = Player::new(timeline(), 0, 0);
        let mut ev = p.poll(17_000);
        ev.extend(p.hurt(17_000));
        let e = ended(&ev);
        assert_eq!(e[0], (0, Outcome::Done));
        assert_eq!(e[1], (1, Outcome::Hurt));
        assert!(e[2..].iter().all(|(_, o)| *o == Outcome::Skipped));
        let next = p.timeline().first_step_of(1);
        assert_eq!(e.last().unwrap().0, next - 1);
        assert_eq!(p.at(17_000).step, next);
        assert_eq!(p.step(17_000).exercise_id.as_deref(), Some("b"));
    }

    #[test]
    fn resume_starts_at_the_given_step_without_old_cues() {
        let t = timeline();
        let from = t.first_step_of(1);
        let mut p = Player::new(t, from, 500);
        let ev = p.poll(500);
        assert!(ended(&ev).is_empty());
        assert!(
            matches!(&ev[0], Event::Cue { cue, .. } if cue.text.starts_with("Get into position")),
            "{ev:?}"
        );
    }

    proptest! {
        /// However irregular the frames, every cue fires once, in order, no later than the
        /// frame after it fell due: lateness never grows with time.
        #[test]
        fn cues_never_drift(frames in proptest::collection::vec(1u64..400, 1..2000)) {
            let mut p = Player::new(timeline(), 0, 10_000);
            let mut t = 10_000;
            let mut fired = Vec::new();
            for f in frames {
                t += f;
                for e in p.poll(t) {
                    if let Event::Cue { cue } = e {
                        let late_ms = p.elapsed(t) - cue.at_ms;
                        prop_assert!(late_ms <= f, "cue {} fired {} ms late with {} ms frames", cue.text, late_ms, f);
                        fired.push(cue.at_ms);
                    }
                }
            }
            prop_assert!(fired.windows(2).all(|w| w[0] <= w[1]));
            let due = p.timeline().cues().iter().filter(|c| c.at_ms <= t - 10_000).count();
            prop_assert_eq!(fired.len(), due);
        }
    }
}
