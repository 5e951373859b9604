//! Exercise figures as SVG: keyframes side by side, or one animated figure; and the solved
//! joints as JSON. All from the pose data in the catalogue.

use std::fmt::Write as _;

use backstretch_core::exercise::Exercise;
use backstretch_core::pose::{
    self, BONES, Joint, PoseSpec, SEAT, Solved, Support, View, interpolate, joint_map, len,
};
use backstretch_core::vocab::Sides;
use serde::Serialize;

const NEAR: &str = "#1e293b";
const FAR: &str = "#94a3b8";
const SUPPORT: &str = "#cbd5e1";
const PANEL: f64 = 260.0;

/// The JSON of `figure ID --format json`.
#[derive(Debug, Serialize)]
pub struct FigureJson {
    /// Exercise id.
    pub id: String,
    /// side | front.
    pub view: View,
    /// floor | bed | chair.
    pub support: Support,
    /// Where a wall stands, if any.
    pub wall: Option<f64>,
    /// Every keyframe's joints, `[x, y]` with y up, in body heights.
    pub keyframes: Vec<KeyframeJson>,
}

/// One keyframe's joints.
#[derive(Debug, Serialize)]
pub struct KeyframeJson {
    /// Its name.
    pub name: String,
    /// Joint name to `[x, y]`.
    pub joints: std::collections::BTreeMap<&'static str, [f64; 2]>,
}

/// The solved joints of every keyframe.
pub fn figure_json(e: &Exercise, spec: &PoseSpec) -> FigureJson {
    FigureJson {
        id: e.id.clone(),
        view: spec.view,
        support: spec.support,
        wall: spec.wall,
        keyframes: pose::solve_all(spec)
            .iter()
            .map(|s| KeyframeJson {
                name: s.name.clone(),
                joints: joint_map(s, spec.view),
            })
            .collect(),
    }
}

/// The world box all frames fit in: (min x, min y, max x, max y).
fn bounds(frames: &[Solved], spec: &PoseSpec) -> (f64, f64, f64, f64) {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, -0.12, f64::NEG_INFINITY, 1.0_f64);
    for s in frames {
        for p in s.projected(spec.view) {
            x0 = x0.min(p[0] - 0.1);
            x1 = x1.max(p[0] + 0.1);
            y1 = y1.max(p[1] + 0.1);
        }
    }
    if let Some(w) = spec.wall {
        x0 = x0.min(w - 0.05);
        x1 = x1.max(w + 0.05);
    }
    if spec.support == Support::Bed {
        y0 = -0.2;
    }
    // Keep a square-ish frame so figures of every exercise look the same size.
    let w = (x1 - x0).max(1.15);
    let cx = (x0 + x1) / 2.0;
    (cx - w / 2.0, y0, cx + w / 2.0, y1)
}

struct Frame {
    x0: f64,
    y1: f64,
    scale: f64,
    dx: f64,
    dy: f64,
}

impl Frame {
    fn pt(&self, p: [f64; 2]) -> (f64, f64) {
        (
            self.dx + (p[0] - self.x0) * self.scale,
            self.dy + (self.y1 - p[1]) * self.scale,
        )
    }
}

/// One drawing primitive of a figure, in panel pixels (y down). The SVG figures, the
/// printed sheet's HTML and its PDF all draw these, so they never disagree.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A straight stroke.
    Line {
        /// Start.
        from: (f64, f64),
        /// End.
        to: (f64, f64),
        /// `#rrggbb`.
        color: &'static str,
        /// Stroke width.
        width: f64,
        /// Round ends (limbs) or square (the floor).
        round: bool,
    },
    /// A filled circle.
    Circle {
        /// Centre.
        c: (f64, f64),
        /// Radius.
        r: f64,
        /// `#rrggbb`.
        fill: &'static str,
    },
    /// A filled rectangle, perhaps rounded and outlined.
    Rect {
        /// Top left.
        at: (f64, f64),
        /// Width and height.
        size: (f64, f64),
        /// Corner radius.
        rx: f64,
        /// `#rrggbb`.
        fill: &'static str,
        /// Outline colour and width.
        stroke: Option<(&'static str, f64)>,
    },
}

/// One keyframe drawn in a square panel of `size` pixels: the prop, the body, and its name.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Width and height of the panel.
    pub size: f64,
    /// What to draw.
    pub shapes: Vec<Shape>,
    /// The keyframe's name.
    pub name: String,
}

/// A number for SVG: one decimal, without a trailing `.0`.
fn num(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

/// The shapes as SVG elements, one a line.
pub fn shapes_svg(shapes: &[Shape]) -> String {
    let mut s = String::new();
    for sh in shapes {
        let _ = match sh {
            Shape::Line {
                from,
                to,
                color,
                width,
                round,
            } => writeln!(
                s,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{color}\" stroke-width=\"{}\"{}/>",
                num(from.0),
                num(from.1),
                num(to.0),
                num(to.1),
                num(*width),
                if *round {
                    " stroke-linecap=\"round\""
                } else {
                    ""
                }
            ),
            Shape::Circle { c, r, fill } => writeln!(
                s,
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\"/>",
                num(c.0),
                num(c.1),
                num(*r)
            ),
            Shape::Rect {
                at,
                size,
                rx,
                fill,
                stroke,
            } => writeln!(
                s,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"{} fill=\"{fill}\"{}/>",
                num(at.0),
                num(at.1),
                num(size.0),
                num(size.1),
                if *rx > 0.0 {
                    format!(" rx=\"{}\"", num(*rx))
                } else {
                    String::new()
                },
                stroke.map_or(String::new(), |(c, w)| format!(
                    " stroke=\"{c}\" stroke-width=\"{}\"",
                    num(w)
                ))
            ),
        };
    }
    s
}

fn rect(
    (x0, y0): (f64, f64),
    (x1, y1): (f64, f64),
    rx: f64,
    fill: &'static str,
    stroke: Option<(&'static str, f64)>,
) -> Shape {
    Shape::Rect {
        at: (x0, y0),
        size: (x1 - x0, y1 - y0),
        rx,
        fill,
        stroke,
    }
}

fn support_shapes(spec: &PoseSpec, f: &Frame, hip: [f64; 2], x0: f64, x1: f64) -> Vec<Shape> {
    let mut out = Vec::new();
    let (fl, fy) = f.pt([x0, 0.0]);
    let (fr, _) = f.pt([x1, 0.0]);
    match spec.support {
        Support::Bed => {
            let (bl, bt) = f.pt([x0 + 0.05, 0.0]);
            let (br, bb) = f.pt([x1 - 0.05, -0.1]);
            out.push(rect(
                (bl, bt),
                (br, bb),
                6.0,
                "#e2e8f0",
                Some((SUPPORT, 2.0)),
            ));
            let (_, ly) = f.pt([0.0, -0.2]);
            for lx in [bl + 8.0, br - 14.0] {
                out.push(rect((lx, bb), (lx + 6.0, ly), 0.0, SUPPORT, None));
            }
        }
        Support::Chair => {
            let back = match spec.view {
                View::Side => Some(hip[0] - 0.13),
                View::Front => None,
            };
            let (sl, sy) = f.pt([hip[0] - 0.14, SEAT]);
            let (sr, _) = f.pt([hip[0] + 0.14, SEAT]);
            out.push(rect((sl, sy), (sr, sy + 7.0), 2.0, SUPPORT, None));
            for lx in [sl + 2.0, sr - 8.0] {
                out.push(rect((lx, sy + 7.0), (lx + 6.0, fy), 0.0, SUPPORT, None));
            }
            if let Some(bx) = back {
                let (bxs, by) = f.pt([bx, SEAT + 0.32]);
                out.push(rect((bxs - 7.0, by), (bxs, sy), 2.0, SUPPORT, None));
            }
        }
        Support::Floor => {}
    }
    if let Some(w) = spec.wall {
        let (wx, wt) = f.pt([w, 1.0]);
        out.push(rect(
            (wx, wt),
            (wx + 8.0, fy),
            0.0,
            "#e2e8f0",
            Some((SUPPORT, 1.0)),
        ));
    }
    out.push(Shape::Line {
        from: (fl, fy),
        to: (fr, fy),
        color: "#64748b",
        width: 2.0,
        round: false,
    });
    out
}

/// Which side each bone is on: near (drawn dark, last) or far (light, first).
fn far_bone(view: View, i: usize) -> bool {
    // Bones 5-7 are the right arm, 12-15 the right leg; from the side they are behind.
    view == View::Side && (matches!(i, 5..=7) || (12..=15).contains(&i))
}

fn body_shapes(solved: &Solved, view: View, f: &Frame) -> Vec<Shape> {
    let p = solved.projected(view);
    let width = 0.032 * f.scale;
    let mut out = Vec::new();
    for pass in [true, false] {
        for (i, (a, b)) in BONES.iter().enumerate() {
            if far_bone(view, i) != pass {
                continue;
            }
            out.push(Shape::Line {
                from: f.pt(p[a.index()]),
                to: f.pt(p[b.index()]),
                color: if pass { FAR } else { NEAR },
                width,
                round: true,
            });
        }
    }
    out.push(Shape::Circle {
        c: f.pt(p[Joint::Head.index()]),
        r: len::HEAD_R * f.scale,
        fill: NEAR,
    });
    out
}

/// Where the keyframes of a figure sit: the world box, and the scale for panels of `size`.
fn layout(frames: &[Solved], spec: &PoseSpec, size: f64) -> (f64, f64, f64, f64, f64) {
    let (x0, y0, x1, y1) = bounds(frames, spec);
    let scale = (size - 20.0) / (x1 - x0).max(y1 - y0);
    (x0, y0, x1, y1, scale)
}

fn panel_frame(b: (f64, f64, f64, f64, f64), size: f64, left: f64, top: f64) -> Frame {
    let (x0, y0, x1, y1, scale) = b;
    Frame {
        x0,
        y1,
        scale,
        dx: left + (size - (x1 - x0) * scale) / 2.0,
        dy: top + (size - 20.0 - (y1 - y0) * scale) / 2.0 + 10.0,
    }
}

/// The keyframes, each drawn in a square panel of `size` pixels on one shared scale (so the
/// body is the same size in each).
pub fn keyframe_panels(spec: &PoseSpec, size: f64) -> Vec<Panel> {
    let frames = pose::solve_all(spec);
    let b = layout(&frames, spec, size);
    frames
        .iter()
        .map(|fr| {
            let f = panel_frame(b, size, 0.0, 0.0);
            let hip = fr.projected(spec.view)[0];
            let mut shapes = support_shapes(spec, &f, hip, b.0, b.2);
            shapes.extend(body_shapes(fr, spec.view, &f));
            Panel {
                size,
                shapes,
                name: fr.name.clone(),
            }
        })
        .collect()
}

/// The name, and a line saying how the figure is seen.
/// How a figure is seen, and that the other side is its mirror: `Seen from the left. One
/// side shown; the other side is its mirror.` (the figures and the printed sheet say this).
pub fn view_note(e: &Exercise, spec: &PoseSpec) -> String {
    let view = match spec.view {
        View::Side => "Seen from the left.",
        View::Front => "Seen from the front.",
    };
    let side = if e.sides != Sides::Both {
        " One side shown; the other side is its mirror."
    } else {
        ""
    };
    format!("{view}{side}")
}

fn titles(e: &Exercise, spec: &PoseSpec) -> String {
    format!(
        "<text x=\"14\" y=\"26\" font-size=\"16\" font-weight=\"bold\" fill=\"#0f172a\">{}</text>\n<text x=\"14\" y=\"45\" font-size=\"12\" fill=\"#475569\">{}</text>\n",
        esc(&e.name),
        view_note(e, spec)
    )
}

/// The keyframes side by side.
pub fn keyframes_svg(e: &Exercise, spec: &PoseSpec) -> String {
    let panels = keyframe_panels(spec, PANEL);
    let n = panels.len();
    let w = PANEL * n as f64 + 20.0;
    let h = PANEL + 80.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n<title>{}</title>\n<rect width=\"{w:.0}\" height=\"{h:.0}\" fill=\"#ffffff\"/>\n{}",
        esc(&e.name),
        titles(e, spec)
    );
    for (i, p) in panels.iter().enumerate() {
        let _ = writeln!(
            s,
            "<g transform=\"translate({}, 50)\">\n{}</g>",
            num(10.0 + PANEL * i as f64),
            shapes_svg(&p.shapes)
        );
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#334155\" text-anchor=\"middle\">{}. {}</text>",
            10.0 + PANEL * i as f64 + PANEL / 2.0,
            h - 12.0,
            i + 1,
            esc(&p.name)
        );
        if i + 1 < n {
            let ax = 10.0 + PANEL * (i + 1) as f64;
            let _ = writeln!(
                s,
                "<text x=\"{ax:.1}\" y=\"{:.1}\" font-size=\"22\" fill=\"#94a3b8\" text-anchor=\"middle\">&#8594;</text>",
                50.0 + PANEL / 2.0
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

/// One figure moving through the keyframes and back, as an animated SVG (SMIL).
pub fn animated_svg(e: &Exercise, spec: &PoseSpec) -> String {
    // Timeline: hold each keyframe, then move to the next in small steps (so limbs keep
    // their length, which a straight line between joint positions would not), then back.
    const STEPS: usize = 8;
    let mut frames: Vec<(f64, Solved)> = Vec::new();
    let mut t = 0.0;
    let k = &spec.keyframes;
    let mut order: Vec<usize> = (0..k.len()).collect();
    order.extend((0..k.len().saturating_sub(1)).rev());
    for w in order.windows(2) {
        let (a, b) = (&k[w[0]], &k[w[1]]);
        frames.push((t, a.solve(spec.support)));
        t += 1.0;
        for i in 0..=STEPS {
            frames.push((t, interpolate(a, b, i as f64 / STEPS as f64, spec.support)));
            t += 1.5 / STEPS as f64;
        }
    }
    let total = t;
    let solved: Vec<Solved> = frames.iter().map(|(_, s)| s.clone()).collect();
    let (x0, y0, x1, y1) = bounds(&solved, spec);
    let scale = (PANEL * 1.4 - 20.0) / (x1 - x0).max(y1 - y0);
    let w = PANEL * 1.4 + 20.0;
    let h = PANEL * 1.4 + 60.0;
    let f = Frame {
        x0,
        y1,
        scale,
        dx: 10.0 + (PANEL * 1.4 - (x1 - x0) * scale) / 2.0,
        dy: 55.0 + (PANEL * 1.4 - 20.0 - (y1 - y0) * scale) / 2.0,
    };
    let key_times: Vec<String> = frames
        .iter()
        .map(|(t, _)| format!("{:.4}", t / total))
        .collect();
    let key_times = key_times.join(";");
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n<title>{}</title>\n<rect width=\"{w:.0}\" height=\"{h:.0}\" fill=\"#ffffff\"/>\n{}",
        esc(&e.name),
        titles(e, spec)
    );
    let hip = solved[0].projected(spec.view)[0];
    s.push_str(&shapes_svg(&support_shapes(spec, &f, hip, x0, x1)));
    let stroke = 0.032 * scale;
    let pts: Vec<Vec<(f64, f64)>> = solved
        .iter()
        .map(|sv| {
            sv.projected(spec.view)
                .into_iter()
                .map(|p| f.pt(p))
                .collect()
        })
        .collect();
    let anim = |vals: Vec<String>, attr: &str| {
        format!(
            "<animate attributeName=\"{attr}\" dur=\"{total:.2}s\" repeatCount=\"indefinite\" keyTimes=\"{key_times}\" values=\"{}\"/>",
            vals.join(";")
        )
    };
    for pass in [true, false] {
        for (i, (a, b)) in BONES.iter().enumerate() {
            let (a, b) = (&a.index(), &b.index());
            if far_bone(spec.view, i) != pass {
                continue;
            }
            let color = if pass { FAR } else { NEAR };
            let v = |j: usize, c: usize| -> Vec<String> {
                pts.iter()
                    .map(|p| format!("{:.1}", if c == 0 { p[j].0 } else { p[j].1 }))
                    .collect()
            };
            let (x1s, y1s) = pts[0][*a];
            let (x2s, y2s) = pts[0][*b];
            let _ = writeln!(
                s,
                "<line x1=\"{x1s:.1}\" y1=\"{y1s:.1}\" x2=\"{x2s:.1}\" y2=\"{y2s:.1}\" stroke=\"{color}\" stroke-width=\"{stroke:.1}\" stroke-linecap=\"round\">{}{}{}{}</line>",
                anim(v(*a, 0), "x1"),
                anim(v(*a, 1), "y1"),
                anim(v(*b, 0), "x2"),
                anim(v(*b, 1), "y2")
            );
        }
    }
    let head_x: Vec<String> = pts
        .iter()
        .map(|p| format!("{:.1}", p[Joint::Head.index()].0))
        .collect();
    let head_y: Vec<String> = pts
        .iter()
        .map(|p| format!("{:.1}", p[Joint::Head.index()].1))
        .collect();
    let _ = writeln!(
        s,
        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{:.1}\" fill=\"{NEAR}\">{}{}</circle>",
        pts[0][Joint::Head.index()].0,
        pts[0][Joint::Head.index()].1,
        len::HEAD_R * scale,
        anim(head_x, "cx"),
        anim(head_y, "cy")
    );
    s.push_str("</svg>\n");
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use backstretch_core::catalog::builtin;

    fn entry(id: &str) -> Exercise {
        builtin().catalog.get(id).unwrap().exercise.clone()
    }

    #[test]
    fn keyframes_svg_snapshot() {
        let e = entry("childs-pose");
        insta::assert_snapshot!(keyframes_svg(&e, e.pose.as_ref().unwrap()));
    }

    #[test]
    fn front_view_with_a_chair_snapshot() {
        let e = entry("neck-side-bend");
        insta::assert_snapshot!(keyframes_svg(&e, e.pose.as_ref().unwrap()));
    }

    #[test]
    fn the_animation_loops_through_every_keyframe() {
        let e = entry("bridge");
        let svg = animated_svg(&e, e.pose.as_ref().unwrap());
        assert!(svg.contains("repeatCount=\"indefinite\""));
        assert_eq!(
            svg.matches("<animate ").count(),
            16 * 4 + 2,
            "four per bone, two for the head"
        );
        let key_times = svg
            .split("keyTimes=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let times: Vec<f64> = key_times.split(';').map(|t| t.parse().unwrap()).collect();
        assert_eq!(times[0], 0.0);
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn json_has_every_joint_of_every_keyframe() {
        let e = entry("standing-hamstring-stretch");
        let j = serde_json::to_value(figure_json(&e, e.pose.as_ref().unwrap())).unwrap();
        assert_eq!(j["id"], "standing-hamstring-stretch");
        assert_eq!(j["view"], "side");
        assert_eq!(j["support"], "floor");
        let kf = j["keyframes"].as_array().unwrap();
        assert_eq!(kf.len(), 2);
        for k in kf {
            let joints = k["joints"].as_object().unwrap();
            assert_eq!(joints.len(), Joint::ALL.len());
            assert!(joints["head"][1].as_f64().unwrap() > 0.5);
        }
    }
}
