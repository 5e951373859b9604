//! Drawing the player screen: a pure function of the state and the time.

use backstretch_core::player::Player;
use backstretch_core::timeline::{At, Step, StepKind};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, BorderType, Clear, Gauge, Paragraph, Wrap};

use crate::figure::draw_figure;
use crate::state::Ask;
use crate::{App, ExerciseInfo};

/// Seconds as `m:ss`.
fn clock(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    format!("{}:{:02}", s / 60, s % 60)
}

const DIGITS: [[&str; 5]; 11] = [
    ["███", "█ █", "█ █", "█ █", "███"],
    [" █ ", "██ ", " █ ", " █ ", "███"],
    ["███", "  █", "███", "█  ", "███"],
    ["███", "  █", "███", "  █", "███"],
    ["█ █", "█ █", "███", "  █", "  █"],
    ["███", "█  ", "███", "  █", "███"],
    ["███", "█  ", "███", "█ █", "███"],
    ["███", "  █", "  █", "  █", "  █"],
    ["███", "█ █", "███", "█ █", "███"],
    ["███", "█ █", "███", "  █", "███"],
    ["   ", " ▪ ", "   ", " ▪ ", "   "],
];

/// The countdown's text: seconds, or `m:ss` when a minute or more.
fn countdown_text(ms_left: u64) -> String {
    let s = ms_left.div_ceil(1000);
    if s >= 60 {
        format!("{}:{:02}", s / 60, s % 60)
    } else {
        s.to_string()
    }
}

/// A number drawn five rows high (`m:ss` when a minute or more).
pub fn big_number(ms_left: u64) -> Vec<String> {
    big_number_scaled(ms_left, 1)
}

/// The number drawn `k` times larger: every cell of the 3x5 glyphs becomes k columns by
/// k rows, with k columns between glyphs.
pub fn big_number_scaled(ms_left: u64, k: u16) -> Vec<String> {
    let k = usize::from(k.max(1));
    let text = countdown_text(ms_left);
    (0..5 * k)
        .map(|row| {
            text.chars()
                .map(|c| {
                    let glyph = match c {
                        ':' => DIGITS[10][row / k],
                        d => DIGITS[d.to_digit(10).unwrap_or(0) as usize][row / k],
                    };
                    glyph
                        .chars()
                        .map(|g| g.to_string().repeat(k))
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join(&" ".repeat(k))
        })
        .collect()
}

/// The largest scale at which the countdown fits `w` columns and `h` rows; none when even
/// the smallest does not.
pub fn countdown_scale(ms_left: u64, w: u16, h: u16) -> Option<u16> {
    let chars = u16::try_from(countdown_text(ms_left).chars().count()).unwrap_or(u16::MAX);
    let width = |k: u16| chars * 3 * k + chars.saturating_sub(1) * k;
    (1..=12).rev().find(|k| width(*k) <= w && 5 * k <= h)
}

/// The phase word, its details (side, repetition) and its colour.
fn phase_of(step: &Step, info: &ExerciseInfo) -> (String, Vec<String>, Color) {
    let mut detail = Vec::new();
    if let Some(side) = step.side {
        detail.push(backstretch_core::exercise::side_text(
            info.side_cue.as_deref(),
            side,
        ));
    }
    if matches!(step.kind, StepKind::Hold | StepKind::Rest) {
        detail.push(format!("rep {} of {}", step.rep, step.reps));
    }
    let color = match step.kind {
        StepKind::Hold => Color::Green,
        StepKind::Rest | StepKind::Switch => Color::Blue,
        _ => Color::Yellow,
    };
    (Player::phase_word(step.kind).to_uppercase(), detail, color)
}

/// A detail cut to `width` columns: whole when it fits, else the part before its colon
/// (`stretching your left hip`), else cut with an ellipsis.
fn fit_detail(d: String, width: usize) -> String {
    if d.chars().count() <= width {
        return d;
    }
    if let Some((head, _)) = d.split_once(':')
        && head.chars().count() <= width
    {
        return head.to_string();
    }
    let cut: String = d.chars().take(width.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// The progress bar through the whole session.
fn progress_gauge(elapsed: u64, total_ms: u64, label: String) -> Gauge<'static> {
    let ratio = if total_ms == 0 {
        1.0
    } else {
        elapsed as f64 / total_ms as f64
    };
    Gauge::default()
        .gauge_style(Style::new().fg(Color::Green).bg(Color::DarkGray))
        .ratio(ratio.clamp(0.0, 1.0))
        .label(label)
}

/// Numbered steps, then the cautions, then the rule for every exercise.
fn instructions(info: &ExerciseInfo, blank_before_cautions: bool) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = info
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| Line::from(format!("{}. {s}", i + 1)))
        .collect();
    if !info.cautions.is_empty() {
        if blank_before_cautions {
            lines.push(Line::from(""));
        }
        lines.push(Line::from(vec![
            Span::styled("Careful: ", Style::new().fg(Color::Yellow).bold()),
            Span::raw(info.cautions.join(" ")),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled("Always: ", Style::new().fg(Color::Red).bold()),
        Span::raw(backstretch_core::safety::STOP_RULE),
    ]));
    lines
}

impl App {
    /// The next exercise's name, or the end.
    fn next_name(&self, at_step: usize) -> Option<&str> {
        let steps = self.player.timeline().steps();
        let item = steps[at_step].item;
        steps[at_step..]
            .iter()
            .find(|s| s.item != item)
            .and_then(|s| self.info.get(s.item))
            .map(|i| i.name.as_str())
    }
}

/// The frame around the player: which exercise of how many, the time left, and the
/// safety-netting line at the bottom when it fits.
fn frame_block(item: usize, n_items: usize, left_ms: u64, width: u16) -> Block<'static> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .title(Line::from(vec![
            Span::raw(" backstretch ").bold(),
            Span::raw(format!("· {item} of {n_items} ")),
        ]))
        .title(Line::from(format!(" {} left ", clock(left_ms))).alignment(Alignment::Right))
        .title_bottom(
            Line::from(
                if usize::from(width) >= backstretch_core::safety::CES_SHORT.len() + 6 {
                    format!(" {} ", backstretch_core::safety::CES_SHORT)
                } else {
                    String::new()
                },
            )
            .fg(Color::Red)
            .alignment(Alignment::Center),
        )
}

/// The phase, its details and the countdown in `right`, as large as fits, with the figure
/// below when there is a pose to draw and room for it.
fn draw_countdown(
    f: &mut Frame<'_>,
    right: Rect,
    step: &Step,
    info: &ExerciseInfo,
    at: At,
    (phase, detail, phase_color): (String, Vec<String>, Color),
) {
    // The countdown takes the largest size that fits, leaving the figure room when
    // there is a pose to draw; from across a room the number is what counts.
    let figure_min = if info.pose.is_some() && right.height >= 14 {
        (right.height * 2 / 5).max(6)
    } else {
        0
    };
    // The phase, each detail on a line of its own (the side said in full when it fits,
    // else up to its colon), a blank line, then the countdown.
    // The side is never cut off: a detail that lost its side word says the side plainly.
    let side_word = step.side.map(backstretch_core::timeline::Side::as_str);
    let detail: Vec<String> = detail
        .into_iter()
        .map(|d| {
            let had = side_word.filter(|w| d.contains(w));
            let fitted = fit_detail(d, usize::from(right.width));
            match had {
                Some(w) if !fitted.contains(w) => format!("{w} side"),
                _ => fitted,
            }
        })
        .collect();
    let head_rows = 2
        + u16::from(side_word.is_some())
        + u16::try_from(detail.len().max(1)).unwrap_or(u16::MAX / 2);
    let k = countdown_scale(
        at.remaining_ms,
        right.width,
        right.height.saturating_sub(head_rows + figure_min),
    )
    .unwrap_or(1);
    let count_rows = head_rows + 5 * k;
    let [right, figure_area] = if figure_min > 0 {
        Layout::vertical([Constraint::Length(count_rows), Constraint::Min(figure_min)]).areas(right)
    } else {
        [right, Rect::default()]
    };
    if let Some(spec) = &info.pose
        && figure_area.height >= 4
    {
        draw_figure(f, figure_area, spec, step, at.into_ms);
    }
    let mut right_lines = vec![
        Line::from(phase)
            .bold()
            .fg(phase_color)
            .alignment(Alignment::Center),
    ];
    if detail.is_empty() {
        right_lines.push(Line::from(""));
    }
    right_lines.extend(
        detail
            .into_iter()
            .map(|d| Line::from(d).alignment(Alignment::Center)),
    );
    right_lines.push(Line::from(""));
    // The side, large and beside the countdown: the one word that must not be missed.
    if let Some(w) = side_word {
        right_lines.push(
            Line::from(format!(" {} SIDE ", w.to_uppercase()))
                .bold()
                .reversed()
                .fg(phase_color)
                .alignment(Alignment::Center),
        );
    }
    for row in big_number_scaled(at.remaining_ms, k) {
        right_lines.push(Line::from(row).fg(phase_color).alignment(Alignment::Center));
    }
    f.render_widget(Paragraph::new(right_lines), right);
}

/// Below this size the screen gives way to the compact layout.
pub const COMPACT_BELOW: (u16, u16) = (60, 20);

impl App {
    /// Draws the screen at `now` (ms).
    pub fn draw(&self, f: &mut Frame<'_>, now: u64) {
        let area = f.area();
        if self.done {
            self.draw_done(f, area);
            return;
        }
        if area.width < COMPACT_BELOW.0 || area.height < COMPACT_BELOW.1 {
            self.draw_compact(f, area, now);
            self.overlays(f, area, now);
            return;
        }
        let at = self.player.at(now);
        let steps = self.player.timeline().steps();
        let step = &steps[at.step];
        let info = self.info.get(step.item).cloned().unwrap_or_default();
        let total_ms = u64::from(self.player.timeline().total_s()) * 1000;
        let elapsed = self.player.elapsed(now).min(total_ms);
        let n_items = self.info.len();

        let outer = frame_block(step.item + 1, n_items, total_ms - elapsed, area.width);
        let inner = outer.inner(area);
        f.render_widget(outer, area);

        let [head, body, next, bar, help] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(6),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);

        // Name and position.
        let head_text = Text::from(vec![
            Line::from(info.name.clone()).bold().fg(Color::Cyan),
            Line::from(format!("Position: {}", info.position)).dim(),
        ]);
        f.render_widget(Paragraph::new(head_text), head);

        // Left: steps and cautions; right: the phase and the countdown.
        let (phase, detail, phase_color) = phase_of(step, &info);
        let wide = body.width >= 70;
        let [left, right] = if wide {
            let figure_cols = (body.width * 2 / 5).max(28);
            Layout::horizontal([Constraint::Min(30), Constraint::Length(figure_cols)]).areas(body)
        } else {
            // The phase, its details, a blank line and a number five rows tall.
            let rows = 2 + u16::try_from(detail.len().max(1)).unwrap_or(u16::MAX / 2) + 5;
            Layout::vertical([Constraint::Min(3), Constraint::Length(rows)]).areas(body)
        };
        f.render_widget(
            Paragraph::new(instructions(&info, true)).wrap(Wrap { trim: true }),
            left,
        );
        draw_countdown(f, right, step, &info, at, (phase, detail, phase_color));
        self.draw_footer(f, [next, bar, help], at.step, elapsed, total_ms);
        self.overlays(f, inner, now);
    }

    /// What comes next, the session's progress and the keys, on the last three lines.
    fn draw_footer(
        &self,
        f: &mut Frame<'_>,
        [next, bar, help]: [Rect; 3],
        step: usize,
        elapsed: u64,
        total_ms: u64,
    ) {
        // What comes next.
        let next_text = match self.next_name(step) {
            Some(n) => format!("Next: {n}"),
            None => "Next: the end of the session".to_string(),
        };
        f.render_widget(Paragraph::new(next_text).dim(), next);
        f.render_widget(
            progress_gauge(
                elapsed,
                total_ms,
                format!("{} of {}", clock(elapsed), clock(total_ms)),
            ),
            bar,
        );

        let help_text =
            "space pause · n next · b back · h worse · s it spreads or tingles · q quit";
        f.render_widget(
            Paragraph::new(help_text).dim().alignment(Alignment::Center),
            help,
        );
    }

    /// The quit question, the pause and the "it hurts" notice, over whatever is drawn.
    fn overlays(&self, f: &mut Frame<'_>, inner: Rect, now: u64) {
        if self.confirm_quit {
            self.popup(
                f,
                inner,
                "Quit this session?",
                "What you did so far is saved and the session is logged as stopped.\n\ny quit · any other key goes on",
                Color::Yellow,
            );
        } else if let Some(ask) = self.asking {
            let (title, text) = match ask {
                Ask::Spreading => (
                    "Does it spread or tingle?",
                    "Pain spreading down an arm or a leg, or numbness, tingling or weakness: the session stops and it is recorded as a warning sign.\n\ny yes, stop and record it · any other key goes on",
                ),
                Ask::HurtEnds => (
                    "Sharper or worse?",
                    "The session stops here, and this exercise is logged as hurt.\n\ny yes, stop · any other key goes on",
                ),
            };
            self.popup(f, inner, title, text, Color::Yellow);
        } else if self.player.is_paused() {
            self.popup(f, inner, "Paused", "Press space to go on.", Color::Blue);
        } else if let Some((msg, until)) = &self.notice
            && self.player.elapsed(now) < *until
        {
            self.popup(f, inner, "Sharper or worse: stopped", msg, Color::Red);
        }
    }

    /// The layout for small windows (under 60x20): one column, no border, the countdown as
    /// large as still fits, and the steps in whatever room is left.
    fn draw_compact(&self, f: &mut Frame<'_>, area: Rect, now: u64) {
        let at = self.player.at(now);
        let steps = self.player.timeline().steps();
        let step = &steps[at.step];
        let info = self.info.get(step.item).cloned().unwrap_or_default();
        let total_ms = u64::from(self.player.timeline().total_s()) * 1000;
        let elapsed = self.player.elapsed(now).min(total_ms);
        let (word, detail, phase_color) = phase_of(step, &info);
        // One line: the side as far as its colon (`stretching your left hip`).
        let detail = detail
            .into_iter()
            .map(|d| d.split_once(':').map_or(d.clone(), |(h, _)| h.to_string()));
        let phase: Vec<String> = std::iter::once(word).chain(detail).collect();
        // Name, phase, countdown, steps, next, bar, keys: the countdown and the phase come
        // first when rows run out.
        let fixed = 5u16;
        let room = area.height.saturating_sub(fixed);
        let k = countdown_scale(at.remaining_ms, area.width, room.saturating_sub(1));
        let count_rows = k.map_or(1, |k| 5 * k);
        let [name, phase_row, count, body, next, bar, help] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(count_rows),
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        f.render_widget(
            Paragraph::new(Line::from(info.name.clone()).bold().fg(Color::Cyan)),
            name,
        );
        f.render_widget(
            Paragraph::new(Line::from(phase.join(" · ")).bold().fg(phase_color))
                .alignment(Alignment::Center),
            phase_row,
        );
        let count_lines: Vec<Line<'_>> = match k {
            Some(k) => big_number_scaled(at.remaining_ms, k)
                .into_iter()
                .map(|r| Line::from(r).fg(phase_color).alignment(Alignment::Center))
                .collect(),
            None => vec![
                Line::from(clock(at.remaining_ms))
                    .bold()
                    .fg(phase_color)
                    .alignment(Alignment::Center),
            ],
        };
        f.render_widget(Paragraph::new(count_lines), count);
        f.render_widget(
            Paragraph::new(instructions(&info, false)).wrap(Wrap { trim: true }),
            body,
        );
        let next_text = match self.next_name(at.step) {
            Some(n) => format!("Next: {n}"),
            None => "Next: the end".to_string(),
        };
        f.render_widget(Paragraph::new(next_text).dim(), next);
        f.render_widget(
            progress_gauge(
                elapsed,
                total_ms,
                format!("{} left", clock(total_ms - elapsed)),
            ),
            bar,
        );
        f.render_widget(
            Paragraph::new("spc pause·n·b·h worse·s spreads·q quit")
                .dim()
                .alignment(Alignment::Center),
            help,
        );
    }

    pub(crate) fn popup(
        &self,
        f: &mut Frame<'_>,
        area: Rect,
        title: &str,
        text: &str,
        color: Color,
    ) {
        let w = area.width.min(56);
        let h = 7.min(area.height);
        let r = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + (area.height.saturating_sub(h)) / 2,
            width: w,
            height: h,
        };
        f.render_widget(Clear, r);
        let block = Block::bordered()
            .border_type(BorderType::Double)
            .border_style(Style::new().fg(color))
            .title(Line::from(format!(" {title} ")).bold());
        f.render_widget(
            Paragraph::new(text.to_string())
                .wrap(Wrap { trim: true })
                .alignment(Alignment::Center)
                .block(block),
            r,
        );
    }

    pub(crate) fn draw_done(&self, f: &mut Frame<'_>, area: Rect) {
        let steps = self.player.timeline().steps();
        let items = self.info.len();
        let hurt = self.hurt.len();
        // An exercise counts as skipped when every one of its holds was skipped.
        let skipped = (0..items)
            .filter(|i| !self.hurt.contains(i))
            .filter(|i| {
                let holds: Vec<usize> = steps
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.item == *i && s.kind == StepKind::Hold)
                    .map(|(k, _)| k)
                    .collect();
                !holds.is_empty() && holds.iter().all(|k| self.skipped_steps.contains(k))
            })
            .count();
        let done = items - hurt - skipped;
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .title(Line::from(" backstretch ").bold());
        let text = vec![
            Line::from(""),
            Line::from("Session done. Well done.")
                .bold()
                .fg(Color::Green)
                .alignment(Alignment::Center),
            Line::from(""),
            Line::from(format!(
                "{done} exercise{} done, {skipped} skipped, {hurt} hurt · {}",
                if done == 1 { "" } else { "s" },
                clock(self.spent_ms)
            ))
            .alignment(Alignment::Center),
            Line::from(""),
            Line::from(self.progress.clone().unwrap_or_default())
                .fg(Color::Cyan)
                .alignment(Alignment::Center),
            Line::from(""),
            Line::from("Press any key to finish and note how you feel.")
                .dim()
                .alignment(Alignment::Center),
        ];
        f.render_widget(
            Paragraph::new(text).block(block).wrap(Wrap { trim: true }),
            area,
        );
    }
}
