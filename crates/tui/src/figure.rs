//! The stick figure on a braille canvas, posed for the moment of the step.

use backstretch_core::timeline::{Side, StepKind};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Color;

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

pub(crate) fn draw_figure(
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
