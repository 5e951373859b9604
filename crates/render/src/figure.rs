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

fn support_svg(s: &mut String, spec: &PoseSpec, f: &Frame, hip: [f64; 2], x0: f64, x1: f64) {
    let (fl, fy) = f.pt([x0, 0.0]);
    let (fr, _) = f.pt([x1, 0.0]);
    match spec.support {
        Support::Bed => {
            let (bl, bt) = f.pt([x0 + 0.05, 0.0]);
            let (br, bb) = f.pt([x1 - 0.05, -0.1]);
            let _ = writeln!(
                s,
                "<rect x=\"{bl:.1}\" y=\"{bt:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\" fill=\"#e2e8f0\" stroke=\"{SUPPORT}\" stroke-width=\"2\"/>",
                br - bl,
                bb - bt
            );
            let (_, ly) = f.pt([0.0, -0.2]);
            for lx in [bl + 8.0, br - 14.0] {
                let _ = writeln!(
                    s,
                    "<rect x=\"{lx:.1}\" y=\"{bb:.1}\" width=\"6\" height=\"{:.1}\" fill=\"{SUPPORT}\"/>",
                    ly - bb
                );
            }
        }
        Support::Chair => {
            let back = match spec.view {
                View::Side => Some(hip[0] - 0.13),
                View::Front => None,
            };
            let (sl, sy) = f.pt([hip[0] - 0.14, SEAT]);
            let (sr, _) = f.pt([hip[0] + 0.14, SEAT]);
            let _ = writeln!(
                s,
                "<rect x=\"{sl:.1}\" y=\"{sy:.1}\" width=\"{:.1}\" height=\"7\" rx=\"2\" fill=\"{SUPPORT}\"/>",
                sr - sl
            );
            for lx in [sl + 2.0, sr - 8.0] {
                let _ = writeln!(
                    s,
                    "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"6\" height=\"{:.1}\" fill=\"{SUPPORT}\"/>",
                    sy + 7.0,
                    fy - sy - 7.0
                );
            }
            if let Some(bx) = back {
                let (bxs, by) = f.pt([bx, SEAT + 0.32]);
                let _ = writeln!(
                    s,
                    "<rect x=\"{:.1}\" y=\"{by:.1}\" width=\"7\" height=\"{:.1}\" rx=\"2\" fill=\"{SUPPORT}\"/>",
                    bxs - 7.0,
                    sy - by
                );
            }
        }
        Support::Floor => {}
    }
    if let Some(w) = spec.wall {
        let (wx, wt) = f.pt([w, 1.0]);
        let _ = writeln!(
            s,
            "<rect x=\"{wx:.1}\" y=\"{wt:.1}\" width=\"8\" height=\"{:.1}\" fill=\"#e2e8f0\" stroke=\"{SUPPORT}\"/>",
            fy - wt
        );
    }
    let _ = writeln!(
        s,
        "<line x1=\"{fl:.1}\" y1=\"{fy:.1}\" x2=\"{fr:.1}\" y2=\"{fy:.1}\" stroke=\"#64748b\" stroke-width=\"2\"/>"
    );
}

/// Which side each bone is on: near (drawn dark, last) or far (light, first).
fn far_bone(view: View, i: usize) -> bool {
    // Bones 5-7 are the right arm, 12-15 the right leg; from the side they are behind.
    view == View::Side && (matches!(i, 5..=7) || (12..=15).contains(&i))
}

fn figure_svg(s: &mut String, solved: &Solved, view: View, f: &Frame) {
    let p = solved.projected(view);
    let stroke = 0.032 * f.scale;
    for pass in [true, false] {
        for (i, (a, b)) in BONES.iter().enumerate() {
            let (a, b) = (&a.index(), &b.index());
            if far_bone(view, i) != pass {
                continue;
            }
            let color = if pass { FAR } else { NEAR };
            let (x1, y1) = f.pt(p[*a]);
            let (x2, y2) = f.pt(p[*b]);
            let _ = writeln!(
                s,
                "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{color}\" stroke-width=\"{stroke:.1}\" stroke-linecap=\"round\"/>"
            );
        }
    }
    let (hx, hy) = f.pt(p[Joint::Head.index()]);
    let _ = writeln!(
        s,
        "<circle cx=\"{hx:.1}\" cy=\"{hy:.1}\" r=\"{:.1}\" fill=\"{NEAR}\"/>",
        len::HEAD_R * f.scale
    );
}

/// The name, and a line saying how the figure is seen.
fn titles(e: &Exercise, spec: &PoseSpec) -> String {
    let view = match spec.view {
        View::Side => "Seen from the left.",
        View::Front => "Seen from the front.",
    };
    let side = if e.sides == Sides::Each {
        " One side shown; the other side is its mirror."
    } else {
        ""
    };
    format!(
        "<text x=\"14\" y=\"26\" font-size=\"16\" font-weight=\"bold\" fill=\"#0f172a\">{}</text>\n<text x=\"14\" y=\"45\" font-size=\"12\" fill=\"#475569\">{view}{side}</text>\n",
        esc(&e.name)
    )
}

/// The keyframes side by side.
pub fn keyframes_svg(e: &Exercise, spec: &PoseSpec) -> String {
    let frames = pose::solve_all(spec);
    let (x0, y0, x1, y1) = bounds(&frames, spec);
    let scale = (PANEL - 20.0) / (x1 - x0).max(y1 - y0);
    let n = frames.len();
    let w = PANEL * n as f64 + 20.0;
    let h = PANEL + 80.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n<title>{}</title>\n<rect width=\"{w:.0}\" height=\"{h:.0}\" fill=\"#ffffff\"/>\n{}",
        esc(&e.name),
        titles(e, spec)
    );
    for (i, fr) in frames.iter().enumerate() {
        let f = Frame {
            x0,
            y1,
            scale,
            dx: 10.0 + PANEL * i as f64 + (PANEL - (x1 - x0) * scale) / 2.0,
            dy: 50.0 + (PANEL - 20.0 - (y1 - y0) * scale) / 2.0 + 10.0,
        };
        let hip = fr.projected(spec.view)[0];
        support_svg(&mut s, spec, &f, hip, x0, x1);
        figure_svg(&mut s, fr, spec.view, &f);
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#334155\" text-anchor=\"middle\">{}. {}</text>",
            10.0 + PANEL * i as f64 + PANEL / 2.0,
            h - 12.0,
            i + 1,
            esc(&fr.name)
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
    support_svg(&mut s, spec, &f, hip, x0, x1);
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
