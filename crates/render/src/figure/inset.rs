//! The close-up of a small movement (a chin tuck, a pelvic tilt, a shoulder blade squeeze):
//! a round window in the panel's top right corner, the part of the body that moves drawn
//! larger, the pose before it pale, and an arrow the way it goes.

use backstretch_core::pose::{
    BONES, Inset, Joint, PoseSpec, Prop, PropKind, Solved, inset_arrow, inset_arrow_of, len,
};

use super::{ARROW, BONE_WIDTH, FAR, NEAR, STRETCH_NEAR, SUPPORT, Shape, TRUNK_DEPTH, arrow_head};

/// The pale colour of the pose before.
const GHOST: &str = "#cbd5e1";

/// Where the window is and how it maps the body.
struct Window {
    /// Centre and radius, panel pixels.
    c: (f64, f64),
    r: f64,
    /// The point of the body at the centre, in the inset's view.
    focus: [f64; 2],
    /// Pixels per body height.
    scale: f64,
}

impl Window {
    fn pt(&self, w: [f64; 2]) -> (f64, f64) {
        (
            self.c.0 + (w[0] - self.focus[0]) * self.scale,
            self.c.1 - (w[1] - self.focus[1]) * self.scale,
        )
    }

    /// The part of the segment from `a` to `b` inside the window, if any.
    fn clip(&self, a: (f64, f64), b: (f64, f64)) -> Option<((f64, f64), (f64, f64))> {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (fx, fy) = (a.0 - self.c.0, a.1 - self.c.1);
        let r = self.r - 3.0;
        let qa = dx * dx + dy * dy;
        if qa < 1e-12 {
            return (fx * fx + fy * fy <= r * r).then_some((a, b));
        }
        let qb = 2.0 * (fx * dx + fy * dy);
        let qc = fx * fx + fy * fy - r * r;
        let disc = qb * qb - 4.0 * qa * qc;
        if disc <= 0.0 {
            return None;
        }
        let sq = disc.sqrt();
        let t0 = ((-qb - sq) / (2.0 * qa)).max(0.0);
        let t1 = ((-qb + sq) / (2.0 * qa)).min(1.0);
        (t0 < t1).then(|| {
            let at = |t: f64| (a.0 + dx * t, a.1 + dy * t);
            (at(t0), at(t1))
        })
    }

    fn line(&self, a: [f64; 2], b: [f64; 2], color: &'static str, width: f64) -> Option<Shape> {
        let (from, to) = self.clip(self.pt(a), self.pt(b))?;
        Some(Shape::Line {
            from,
            to,
            color,
            width,
            round: true,
        })
    }
}

/// The bones the close-up draws: the spine, the neck, the limbs, and (seen from above)
/// the collar bones.
fn bones(inset: Inset) -> &'static [usize] {
    match inset {
        Inset::Neck => &[0, 16, 1],
        Inset::Pelvis => &[0, 16, 1, 9, 13],
        Inset::Blades => &[6, 3, 5, 2],
    }
}

/// One pose in the window, in `color` (the far limbs paler unless it is the pale pose).
fn body(spec: &PoseSpec, inset: Inset, s: &Solved, w: &Window, ghost: bool) -> Vec<Shape> {
    let view = spec.view;
    let p = |j: Joint| inset.project(view, s.joint(j));
    let mut out = Vec::new();
    let zoom = w.scale;
    for &i in bones(inset) {
        let (a, b) = BONES[i];
        let far = i >= 5 && view.far_bone(i) && inset != Inset::Blades;
        let color = match (ghost, far) {
            (true, _) => GHOST,
            (false, true) => FAR,
            (false, false) => NEAR,
        };
        let width = if i == 0 || i == 16 {
            TRUNK_DEPTH
        } else {
            BONE_WIDTH[i]
        };
        out.extend(w.line(p(a), p(b), color, width * zoom));
    }
    if inset == Inset::Blades {
        // Each blade: from the shoulder toward the spine behind it.
        for (sh, color) in [
            (Joint::LeftShoulder, STRETCH_NEAR),
            (Joint::RightShoulder, STRETCH_NEAR),
        ] {
            let (a, neck) = (s.joint(sh), s.joint(Joint::Neck));
            let back = [neck[0] - 0.05, neck[1], neck[2]];
            let d = [0, 1, 2].map(|i| back[i] - a[i]);
            let l = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt().max(1e-9);
            let m = [0, 1, 2].map(|i| a[i] + d[i] / l * 0.075);
            let c = if ghost { GHOST } else { color };
            out.extend(w.line(
                inset.project(view, a),
                inset.project(view, m),
                c,
                0.035 * zoom,
            ));
        }
    }
    if inset == Inset::Blades {
        // From above the head is below the shoulders' line: drawn first, pale.
        let (hx, hy) = w.pt(p(Joint::Head));
        out.insert(
            0,
            Shape::Circle {
                c: (hx, hy),
                r: len::HEAD_R * zoom * 0.8,
                fill: GHOST,
            },
        );
        return out;
    }
    let head = p(Joint::Head);
    let (hx, hy) = w.pt(head);
    let hr = len::HEAD_R * zoom;
    if ((hx - w.c.0).powi(2) + (hy - w.c.1).powi(2)).sqrt() + hr * 0.5 < w.r {
        if ghost {
            out.push(Shape::Circle {
                c: (hx, hy),
                r: hr,
                fill: if ghost { GHOST } else { NEAR },
            });
        } else {
            out.extend(super::head_shapes(s, view, &|q| w.pt(q), zoom, NEAR));
        }
    }
    out
}

/// The props under the close-up: the floor line, a pillow, a mattress, a chair, as
/// outlines.
fn props(spec: &PoseSpec, inset: Inset, props: &[Prop], w: &Window) -> Vec<Shape> {
    if inset == Inset::Blades {
        return Vec::new();
    }
    let mut out = Vec::new();
    for p in props {
        if matches!(p.kind, PropKind::Wall | PropKind::DoorPost) {
            continue;
        }
        let [a, b, c, d] = p.rect(spec.view);
        for (u, v) in [([a, d], [c, d]), ([a, b], [a, d]), ([c, b], [c, d])] {
            out.extend(w.line(u, v, SUPPORT, 2.0));
        }
    }
    out.extend(w.line([-5.0, 0.0], [5.0, 0.0], "#64748b", 2.0));
    out
}

/// Which way the arrow sits off the movement, so it does not hide the body.
fn arrow_offset(inset: Inset) -> [f64; 2] {
    match inset {
        Inset::Neck => [0.0, 0.115],
        Inset::Pelvis => [0.0, 0.085],
        Inset::Blades => [0.0, -0.05],
    }
}

/// The arrow in the window from `from` to `to` (the inset's view), at least long enough to
/// carry its head.
fn arrow(w: &Window, from: [f64; 2], to: [f64; 2], off: [f64; 2]) -> Vec<Shape> {
    let (a, b) = (
        w.pt([from[0] + off[0], from[1] + off[1]]),
        w.pt([to[0] + off[0], to[1] + off[1]]),
    );
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let l = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / l, dy / l);
    let half = l.max(18.0) / 2.0;
    let m = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
    let (tail, tip) = (
        (m.0 - ux * half, m.1 - uy * half),
        (m.0 + ux * half, m.1 + uy * half),
    );
    vec![
        Shape::Line {
            from: tail,
            to: (tip.0 - ux * 4.0, tip.1 - uy * 4.0),
            color: ARROW,
            width: 2.5,
            round: true,
        },
        arrow_head(tip, (ux, uy), 7.0),
    ]
}

/// The close-up for panel `i` of a figure drawn at `scale` pixels per body height in a
/// panel of `size` pixels: the pose before pale (from the second panel on), this one, and
/// the arrow between them. None when the figure has no inset.
pub(super) fn inset_shapes(
    spec: &PoseSpec,
    solved: &[Solved],
    all_props: &[Prop],
    i: usize,
    size: f64,
    scale: f64,
) -> Vec<Shape> {
    let Some(inset) = spec.inset else {
        return Vec::new();
    };
    let Some(now) = solved.get(i) else {
        return Vec::new();
    };
    // Centred on the focus's average place; between the shoulders for the blades.
    let centre_joint = match inset {
        Inset::Blades => Joint::Neck,
        _ => inset.focus(),
    };
    let pts: Vec<[f64; 2]> = solved
        .iter()
        .map(|s| inset.project(spec.view, s.joint(centre_joint)))
        .collect();
    let n = pts.len() as f64;
    let centre = [
        pts.iter().map(|p| p[0]).sum::<f64>() / n,
        pts.iter().map(|p| p[1]).sum::<f64>() / n,
    ];
    let r = size * 0.21;
    let w = Window {
        c: (size - r - 5.0, r + 5.0),
        r,
        focus: centre,
        scale: scale * inset.zoom(),
    };
    let mut out = vec![
        Shape::Circle {
            c: w.c,
            r: r + 1.5,
            fill: "#94a3b8",
        },
        Shape::Circle {
            c: w.c,
            r,
            fill: "#ffffff",
        },
    ];
    out.extend(props(spec, inset, all_props, &w));
    if i > 0 {
        out.extend(body(spec, inset, &solved[i - 1], &w, true));
    }
    out.extend(body(spec, inset, now, &w, false));
    if i > 0
        && let Some([from, to]) = inset_arrow(spec, solved, i - 1, i)
    {
        let off = arrow_offset(inset);
        out.extend(arrow(&w, from, to, off));
        if inset == Inset::Blades
            && let Some([from, to]) = inset_arrow_of(spec, solved, i - 1, i, true)
        {
            // The other blade's arrow, on its own side.
            out.extend(arrow(&w, from, to, [-off[0], -off[1]]));
        }
    }
    out
}
