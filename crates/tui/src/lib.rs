//! The full-screen guided player.
//!
//! [`App`] holds the core [`Player`] and what the screen needs; [`App::draw`] is a pure
//! function of the app and the time, and [`App::key`] turns a key into player actions, so
//! both are tested without a terminal ([`ratatui::backend::TestBackend`]). [`run`] is the
//! thin loop that reads the real terminal and clock.

use std::io;
use std::time::Duration;

use backstretch_core::player::{Event, Outcome, Player};
use backstretch_core::timeline::{Side, StepKind};
use ratatui::Frame;
use ratatui::crossterm::event::{
    self, Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
};
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, BorderType, Clear, Gauge, Paragraph, Wrap};

/// What the screen shows about one exercise of the routine.
#[derive(Debug, Clone, Default)]
pub struct ExerciseInfo {
    /// Display name.
    pub name: String,
    /// Position, with how to get into it.
    pub position: String,
    /// Numbered steps.
    pub steps: Vec<String>,
    /// Cautions.
    pub cautions: Vec<String>,
    /// The figure's pose data, when the exercise has it.
    pub pose: Option<backstretch_core::pose::PoseSpec>,
}

/// How the player ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Played to the end.
    Completed,
    /// The person quit.
    Stopped,
}

/// The player's screen state.
#[derive(Debug)]
pub struct App {
    /// The core player.
    pub player: Player,
    /// One entry per routine item.
    pub info: Vec<ExerciseInfo>,
    /// Asking whether to quit.
    pub confirm_quit: bool,
    /// A short message and when it stops showing (player time, ms).
    pub notice: Option<(String, u64)>,
    /// Counts for the done screen: done, skipped, hurt exercises.
    hurt: Vec<usize>,
    skipped_steps: Vec<usize>,
    /// Milliseconds actually spent in steps that ended.
    spent_ms: u64,
    /// Whether the player reached the end and the done screen is up.
    pub done: bool,
    /// This week against the goal and the streak, as they stand with this session.
    pub progress: Option<String>,
}

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

/// A number drawn five rows high (`m:ss` when a minute or more).
pub fn big_number(ms_left: u64) -> Vec<String> {
    let s = ms_left.div_ceil(1000);
    let text = if s >= 60 {
        format!("{}:{:02}", s / 60, s % 60)
    } else {
        s.to_string()
    };
    (0..5)
        .map(|row| {
            text.chars()
                .map(|c| match c {
                    ':' => DIGITS[10][row],
                    d => DIGITS[d.to_digit(10).unwrap_or(0) as usize][row],
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

impl App {
    /// A new app around a player.
    pub fn new(player: Player, info: Vec<ExerciseInfo>) -> Self {
        App {
            player,
            info,
            confirm_quit: false,
            notice: None,
            hurt: Vec::new(),
            skipped_steps: Vec::new(),
            spent_ms: 0,
            done: false,
            progress: None,
        }
    }

    fn note(&mut self, events: &[Event]) {
        for e in events {
            if let Event::StepEnded {
                step,
                outcome,
                done_ms,
            } = e
            {
                self.spent_ms += done_ms;
                let item = self.player.timeline().steps()[*step].item;
                match outcome {
                    Outcome::Hurt if !self.hurt.contains(&item) => self.hurt.push(item),
                    Outcome::Skipped => self.skipped_steps.push(*step),
                    _ => {}
                }
            }
            if matches!(e, Event::Finished) {
                self.done = true;
            }
        }
    }

    /// Advances to `now` (ms); returns what happened.
    pub fn tick(&mut self, now: u64) -> Vec<Event> {
        let ev = self.player.poll(now);
        self.note(&ev);
        ev
    }

    /// Handles one key at `now`: the events it caused, and whether to leave.
    pub fn key(&mut self, key: KeyEvent, now: u64) -> (Vec<Event>, Option<Exit>) {
        if key.kind != KeyEventKind::Press {
            return (Vec::new(), None);
        }
        if self.done {
            return (Vec::new(), Some(Exit::Completed));
        }
        if self.confirm_quit {
            return match key.code {
                KeyCode::Char('y' | 'Y' | 'q') => (Vec::new(), Some(Exit::Stopped)),
                _ => {
                    self.confirm_quit = false;
                    self.player.resume(now);
                    (Vec::new(), None)
                }
            };
        }
        let ctrl_c =
            key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
        let ev = match key.code {
            _ if ctrl_c => {
                self.confirm_quit = true;
                self.player.pause(now);
                Vec::new()
            }
            KeyCode::Char(' ') | KeyCode::Char('p') => {
                self.player.toggle_pause(now);
                Vec::new()
            }
            KeyCode::Char('n') | KeyCode::Right => self.player.next(now),
            KeyCode::Char('b') | KeyCode::Left => {
                self.player.back(now);
                Vec::new()
            }
            KeyCode::Char('h') => {
                let item = self.player.step(now).item;
                let name = self
                    .info
                    .get(item)
                    .map(|i| i.name.clone())
                    .unwrap_or_default();
                let ev = self.player.hurt(now);
                self.notice = Some((
                    format!("Stopped {name} and logged it as hurt. Moving on gently."),
                    self.player.elapsed(now) + 6_000,
                ));
                ev
            }
            KeyCode::Char('q') | KeyCode::Esc => {
                self.confirm_quit = true;
                self.player.pause(now);
                Vec::new()
            }
            _ => Vec::new(),
        };
        self.note(&ev);
        (ev, None)
    }

    /// Draws the screen at `now` (ms).
    pub fn draw(&self, f: &mut Frame<'_>, now: u64) {
        let area = f.area();
        if self.done {
            self.draw_done(f, area);
            return;
        }
        let at = self.player.at(now);
        let steps = self.player.timeline().steps();
        let step = &steps[at.step];
        let info = self.info.get(step.item).cloned().unwrap_or_default();
        let total_ms = u64::from(self.player.timeline().total_s()) * 1000;
        let elapsed = self.player.elapsed(now).min(total_ms);
        let n_items = self.info.len();

        let outer = Block::bordered()
            .border_type(BorderType::Rounded)
            .title(Line::from(vec![
                Span::raw(" backstretch ").bold(),
                Span::raw(format!("· {} of {} ", step.item + 1, n_items)),
            ]))
            .title(
                Line::from(format!(" {} left ", clock(total_ms - elapsed)))
                    .alignment(Alignment::Right),
            );
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
        let wide = body.width >= 70;
        let [left, right] = if wide {
            let figure_cols = (body.width * 2 / 5).max(28);
            Layout::horizontal([Constraint::Min(30), Constraint::Length(figure_cols)]).areas(body)
        } else {
            Layout::vertical([Constraint::Min(3), Constraint::Length(8)]).areas(body)
        };
        let mut lines: Vec<Line<'_>> = info
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| Line::from(format!("{}. {s}", i + 1)))
            .collect();
        if !info.cautions.is_empty() {
            lines.push(Line::from(""));
            lines.push(Line::from(vec![
                Span::styled("Careful: ", Style::new().fg(Color::Yellow).bold()),
                Span::raw(info.cautions.join(" ")),
            ]));
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), left);

        let phase = Player::phase_word(step.kind).to_uppercase();
        let mut detail = Vec::new();
        if let Some(side) = step.side {
            detail.push(format!(
                "{} side",
                match side {
                    Side::Left => "left",
                    Side::Right => "right",
                }
            ));
        }
        if matches!(step.kind, StepKind::Hold | StepKind::Rest) {
            detail.push(format!("rep {} of {}", step.rep, step.reps));
        }
        let phase_color = match step.kind {
            StepKind::Hold => Color::Green,
            StepKind::Rest | StepKind::Switch => Color::Blue,
            _ => Color::Yellow,
        };
        let [right, figure_area] = if right.height >= 14 {
            Layout::vertical([Constraint::Length(8), Constraint::Min(5)]).areas(right)
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
            Line::from(detail.join(" · ")).alignment(Alignment::Center),
            Line::from(""),
        ];
        for row in big_number(at.remaining_ms) {
            right_lines.push(Line::from(row).fg(phase_color).alignment(Alignment::Center));
        }
        f.render_widget(Paragraph::new(right_lines), right);

        // What comes next.
        let next_item = steps[at.step..]
            .iter()
            .find(|s| s.item != step.item)
            .and_then(|s| self.info.get(s.item));
        let next_text = match next_item {
            Some(n) => format!("Next: {}", n.name),
            None => "Next: the end of the session".to_string(),
        };
        f.render_widget(Paragraph::new(next_text).dim(), next);

        // Progress through the whole session.
        let ratio = if total_ms == 0 {
            1.0
        } else {
            elapsed as f64 / total_ms as f64
        };
        let gauge = Gauge::default()
            .gauge_style(Style::new().fg(Color::Green).bg(Color::DarkGray))
            .ratio(ratio.clamp(0.0, 1.0))
            .label(format!("{} of {}", clock(elapsed), clock(total_ms)));
        f.render_widget(gauge, bar);

        let help_text = "space pause · n next · b back · h it hurts · q quit";
        f.render_widget(
            Paragraph::new(help_text).dim().alignment(Alignment::Center),
            help,
        );

        // Overlays.
        if self.confirm_quit {
            self.popup(
                f,
                inner,
                "Quit this session?",
                "What you did so far is saved and the session is logged as stopped.\n\ny quit · any other key goes on",
                Color::Yellow,
            );
        } else if self.player.is_paused() {
            self.popup(f, inner, "Paused", "Press space to go on.", Color::Blue);
        } else if let Some((msg, until)) = &self.notice
            && self.player.elapsed(now) < *until
        {
            self.popup(f, inner, "It hurts: stopped", msg, Color::Red);
        }
    }

    fn popup(&self, f: &mut Frame<'_>, area: Rect, title: &str, text: &str, color: Color) {
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

    fn draw_done(&self, f: &mut Frame<'_>, area: Rect) {
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

/// The pose for a moment of a step: the start pose while getting ready, easing into the
/// stretch over the first two seconds of a hold, easing back during a rest; mirrored for
/// the right side.
pub fn pose_at(
    spec: &backstretch_core::pose::PoseSpec,
    step: &backstretch_core::timeline::Step,
    into_ms: u64,
) -> backstretch_core::pose::Solved {
    use backstretch_core::pose::interpolate;
    let frames: Vec<backstretch_core::pose::Keyframe> = if step.side == Some(Side::Right) {
        spec.keyframes.iter().map(|k| k.mirrored()).collect()
    } else {
        spec.keyframes.clone()
    };
    let first = &frames[0];
    let last = &frames[frames.len() - 1];
    let ease = |ms: u64, over: f64| {
        let t = (ms as f64 / over).clamp(0.0, 1.0);
        t * t * (3.0 - 2.0 * t)
    };
    match step.kind {
        StepKind::Hold => interpolate(first, last, ease(into_ms, 2000.0), spec.support),
        StepKind::Rest => interpolate(last, first, ease(into_ms, 1500.0), spec.support),
        _ => first.solve(spec.support),
    }
}

fn draw_figure(
    f: &mut Frame<'_>,
    area: Rect,
    spec: &backstretch_core::pose::PoseSpec,
    step: &backstretch_core::timeline::Step,
    into_ms: u64,
) {
    use backstretch_core::pose::{BONES, Joint, View, len};
    use ratatui::symbols::Marker;
    use ratatui::widgets::canvas::{Canvas, Circle, Line as CLine};
    let solved = pose_at(spec, step, into_ms);
    let pts = solved.projected(spec.view);
    // Fit the box to every keyframe (both sides), so the figure fills it and does not jump
    // while it moves. Braille dots are 2 across and 4 down per cell, about square.
    let (mut x0, mut x1, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, 0.5_f64);
    for k in &spec.keyframes {
        for s in [k.solve(spec.support), k.mirrored().solve(spec.support)] {
            for p in s.projected(spec.view) {
                x0 = x0.min(p[0]);
                x1 = x1.max(p[0]);
                y1 = y1.max(p[1] + len::HEAD_R + 0.05);
            }
        }
    }
    let (dots_w, dots_h) = (f64::from(area.width) * 2.0, f64::from(area.height) * 4.0);
    let y0 = -0.05;
    let scale = (dots_h / (y1 - y0)).min(dots_w / (x1 - x0 + 0.3));
    let half_w = dots_w / scale / 2.0;
    let cx = (x0 + x1) / 2.0;
    let far = |i: usize| spec.view == View::Side && (matches!(i, 5..=7) || (12..=15).contains(&i));
    let canvas = Canvas::default()
        .marker(Marker::Braille)
        .x_bounds([cx - half_w, cx + half_w])
        .y_bounds([y0, y0 + dots_h / scale])
        .paint(move |ctx| {
            ctx.draw(&CLine::new(
                cx - half_w,
                0.0,
                cx + half_w,
                0.0,
                Color::DarkGray,
            ));
            for pass in [true, false] {
                for (i, (a, b)) in BONES.iter().enumerate() {
                    let (a, b) = (&a.index(), &b.index());
                    if far(i) == pass {
                        let color = if pass { Color::DarkGray } else { Color::White };
                        ctx.draw(&CLine::new(
                            pts[*a][0], pts[*a][1], pts[*b][0], pts[*b][1], color,
                        ));
                    }
                }
            }
            ctx.draw(&Circle {
                x: pts[Joint::Head.index()][0],
                y: pts[Joint::Head.index()][1],
                radius: len::HEAD_R,
                color: Color::White,
            });
        });
    f.render_widget(canvas, area);
}

/// What the loop asks of its host: the time, and somewhere to send each event.
pub trait Host {
    /// Milliseconds on a monotonic clock.
    fn now(&self) -> u64;
    /// One event (a cue to say, a step to log). An error ends the session.
    fn event(&mut self, e: &Event) -> io::Result<()>;
    /// Called on every pass of the loop (heartbeats).
    fn tick(&mut self) -> io::Result<()>;
    /// How much faster than real time the clock runs (1 normally).
    fn speed(&self) -> u32 {
        1
    }
}

/// Runs the player in the real terminal until the session ends or the person quits.
pub fn run(app: &mut App, host: &mut impl Host) -> io::Result<Exit> {
    let mut terminal = ratatui::init();
    let result = run_loop(&mut terminal, app, host);
    ratatui::restore();
    result
}

fn run_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    host: &mut impl Host,
) -> io::Result<Exit> {
    loop {
        let now = host.now();
        for e in app.tick(now) {
            host.event(&e)?;
        }
        host.tick()?;
        terminal.draw(|f| app.draw(f, now))?;
        // Wake for the next cue, the next change of the displayed second, or input.
        let until_cue = app.player.until_next_cue(now).unwrap_or(250);
        let into_second = 1000 - app.player.at(now).remaining_ms % 1000;
        let wait_player_ms = until_cue.min(into_second).clamp(1, 250);
        let wait = Duration::from_millis((wait_player_ms / u64::from(host.speed())).max(1));
        if event::poll(wait)? {
            match event::read()? {
                TermEvent::Key(k) => {
                    let now = host.now();
                    let (events, exit) = app.key(k, now);
                    for e in &events {
                        host.event(e)?;
                    }
                    if let Some(x) = exit {
                        return Ok(x);
                    }
                }
                TermEvent::Resize(..) => terminal.autoresize()?,
                _ => {}
            }
        }
    }
}

/// The terminal's width in columns, when standard output is a terminal.
pub fn terminal_width() -> Option<u16> {
    ratatui::crossterm::terminal::size().ok().map(|(w, _)| w)
}

#[cfg(test)]
mod tests;
