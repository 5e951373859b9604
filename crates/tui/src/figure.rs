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
    let mirrored;
    let spec = if step.side == Some(Side::Right) {
        mirrored = spec.mirrored();
        &mirrored
    } else {
        spec
    };
    let last = spec.keyframes.len().saturating_sub(1);
    let ease = |ms: u64, over: f64| {
        let t = (ms as f64 / over).clamp(0.0, 1.0);
        t * t * (3.0 - 2.0 * t)
    };
    match step.kind {
        StepKind::Hold => spec.tween(0, last, ease(into_ms, 2000.0)),
        StepKind::Rest => spec.tween(last, 0, ease(into_ms, 1500.0)),
        _ => spec.tween(0, 0, 0.0),
    }
}

pub(crate) fn draw_figure(
    f: &mut Frame<'_>,
    area: Rect,
    spec: &backstretch_core::pose::PoseSpec,
    step: &backstretch_core::timeline::Step,
    into_ms: u64,
) {
    use backstretch_core::pose::{BED_FLOOR, BONES, Joint, PropKind, Support, View, len};
    use ratatui::symbols::Marker;
    use ratatui::widgets::canvas::{Canvas, Circle, Line as CLine};
    let solved = pose_at(spec, step, into_ms);
    let pts = solved.projected(spec.view);
    // Fit the box to every keyframe (both sides), so the figure fills it and does not jump
    // while it moves. Braille dots are 2 across and 4 down per cell, about square.
    let top = matches!(spec.view, View::Top | View::Above);
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        if top { f64::INFINITY } else { -0.05 },
        if top { f64::NEG_INFINITY } else { 0.5_f64 },
    );
    for s in spec.solved().into_iter().chain(spec.mirrored().solved()) {
        for p in s.projected(spec.view) {
            x0 = x0.min(p[0]);
            x1 = x1.max(p[0]);
            y0 = y0.min(p[1] - len::HEAD_R - 0.05);
            y1 = y1.max(p[1] + len::HEAD_R + 0.05);
        }
    }
    if spec.support == Support::Bed && !top {
        y0 = y0.min(BED_FLOOR - 0.02);
    }
    // The props near the body, as outlines: a chair, a bed, a wall, a door frame.
    let props: Vec<(PropKind, [f64; 4])> = backstretch_core::pose::props(spec)
        .into_iter()
        .filter(|p| p.kind != PropKind::Mat)
        .map(|p| {
            let [a, b, c, d] = p.rect(spec.view);
            (p.kind, [a.max(x0 - 0.3), b, c.min(x1 + 0.3), d])
        })
        .collect();
    let floor_y = if spec.support == Support::Bed {
        BED_FLOOR
    } else {
        0.0
    };
    let (dots_w, dots_h) = (f64::from(area.width) * 2.0, f64::from(area.height) * 4.0);
    let scale = (dots_h / (y1 - y0)).min(dots_w / (x1 - x0 + 0.3));
    let half_w = dots_w / scale / 2.0;
    let cx = (x0 + x1) / 2.0;
    let view = spec.view;
    let canvas = Canvas::default()
        .marker(Marker::Braille)
        .x_bounds([cx - half_w, cx + half_w])
        .y_bounds(if top {
            let cy = (y0 + y1) / 2.0;
            [cy - dots_h / scale / 2.0, cy + dots_h / scale / 2.0]
        } else {
            // Standing on the bottom of the box.
            [y0, y0 + dots_h / scale]
        })
        .paint(move |ctx| {
            if !top {
                ctx.draw(&CLine::new(
                    cx - half_w,
                    floor_y,
                    cx + half_w,
                    floor_y,
                    Color::DarkGray,
                ));
            }
            for (kind, [a, b, c, d]) in &props {
                let color = match kind {
                    PropKind::DoorPost => Color::Yellow,
                    _ => Color::Gray,
                };
                for (x1, y1, x2, y2) in [
                    (*a, *b, *c, *b),
                    (*c, *b, *c, *d),
                    (*c, *d, *a, *d),
                    (*a, *d, *a, *b),
                ] {
                    ctx.draw(&CLine::new(x1, y1, x2, y2, color));
                }
                if *kind == PropKind::Seat && !top {
                    // The chair's legs down to the floor.
                    ctx.draw(&CLine::new(*a, *b, *a, 0.0, color));
                    ctx.draw(&CLine::new(*c, *b, *c, 0.0, color));
                }
            }
            for pass in [true, false] {
                for (i, (a, b)) in BONES.iter().enumerate() {
                    let (a, b) = (&a.index(), &b.index());
                    if view.far_bone(i) == pass {
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
