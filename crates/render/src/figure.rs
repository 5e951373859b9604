//! Exercise figures as SVG: keyframes side by side, or one animated figure; and the solved
//! joints as JSON. All from the pose data in the catalogue.

use std::fmt::Write as _;

use backstretch_core::exercise::Exercise;
use backstretch_core::pose::{
    self, BED_FLOOR, BONES, Joint, PoseSpec, Prop, PropKind, Solved, Support, View, highlights,
    joint_map, len,
};
use backstretch_core::vocab::{Kind, Sides};
use serde::Serialize;

use crate::xml::escape;

const NEAR: &str = "#1e293b";
const FAR: &str = "#94a3b8";
const SUPPORT: &str = "#cbd5e1";
const STRETCH_NEAR: &str = "#ea580c";
const STRETCH_FAR: &str = "#fdba74";
const ARROW: &str = "#2563eb";
const FACE: &str = "#f8fafc";
const PANEL: f64 = 260.0;

mod inset;

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

/// The world box all frames fit in, with the props near the body: (min x, min y, max x,
/// max y).
fn bounds(frames: &[Solved], spec: &PoseSpec, props: &[Prop]) -> (f64, f64, f64, f64) {
    let (mut x0, mut y0, mut x1, mut y1) = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for s in frames {
        for p in s.projected(spec.view) {
            x0 = x0.min(p[0] - 0.1);
            x1 = x1.max(p[0] + 0.1);
            y0 = y0.min(p[1] - 0.1);
            y1 = y1.max(p[1] + 0.1);
        }
    }
    if !spec.view.from_above() {
        // The floor (or the floor beside the bed) is always in the picture.
        y0 = y0.min(if spec.support == Support::Bed {
            BED_FLOOR - 0.03
        } else {
            -0.12
        });
        y1 = y1.max(1.0);
    }
    for p in props {
        let [a, b, c, d] = p.rect(spec.view);
        // Walls and beds run on; show the part near the body.
        x0 = x0.min(a.max(x0 - 0.15));
        x1 = x1.max(c.min(x1 + 0.15));
        if spec.view.from_above() {
            y0 = y0.min(b.max(y0 - 0.15));
            y1 = y1.max(d.min(y1 + 0.15));
        }
    }
    // Keep a square-ish frame so figures of every exercise look the same size.
    let w = (x1 - x0).max(1.15);
    let cx = (x0 + x1) / 2.0;
    let h = (y1 - y0).max(if spec.view.from_above() { 1.15 } else { 0.0 });
    let cy = (y0 + y1) / 2.0;
    (cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0)
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
        from: (f64, f64),
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
        c: (f64, f64),
        r: f64,
        /// `#rrggbb`.
        fill: &'static str,
    },
    /// A polygon (closed) or a polyline (open), filled and/or outlined with round joins.
    Poly {
        /// The corners, in order.
        points: Vec<(f64, f64)>,
        /// `#rrggbb`.
        fill: Option<&'static str>,
        /// Outline colour and width.
        stroke: Option<(&'static str, f64)>,
        /// Whether the last corner joins the first.
        closed: bool,
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

fn points_attr(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
        .collect::<Vec<_>>()
        .join(" ")
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
            Shape::Poly {
                points,
                fill,
                stroke,
                closed,
            } => writeln!(
                s,
                "<{} points=\"{}\" fill=\"{}\"{}/>",
                if *closed { "polygon" } else { "polyline" },
                points_attr(points),
                fill.unwrap_or("none"),
                stroke.map_or(String::new(), |(c, w)| format!(
                    " stroke=\"{c}\" stroke-width=\"{}\" stroke-linejoin=\"round\" stroke-linecap=\"round\"",
                    num(w)
                ))
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

/// A thin thing lying flat (a mat, a pillow), at least 4 pixels thick so it shows.
fn slab(
    tl: (f64, f64),
    br: (f64, f64),
    rx: f64,
    fill: &'static str,
    stroke: &'static str,
    width: f64,
) -> Shape {
    rect(
        tl,
        (br.0, br.1.max(tl.1 + 4.0)),
        rx,
        fill,
        Some((stroke, width)),
    )
}

/// The props as the view shows them, and the floor: a mat, a bed on its legs, a chair, a
/// wall, a door frame.
fn prop_shapes(spec: &PoseSpec, props: &[Prop], f: &Frame, x0: f64, x1: f64) -> Vec<Shape> {
    let view = spec.view;
    let mut out = Vec::new();
    let floor_y = if spec.support == Support::Bed {
        BED_FLOOR
    } else {
        0.0
    };
    let px = |p: [f64; 2]| f.pt(p);
    let on_mat = props
        .iter()
        .any(|p| matches!(p.kind, PropKind::Mat | PropKind::Bed));
    if view == View::Oblique && !on_mat {
        // The floor as a patch under the figure, seen at a slant.
        let patch: Vec<(f64, f64)> = [(x0, -0.25), (x1, -0.25), (x1, 0.25), (x0, 0.25)]
            .into_iter()
            .map(|(x, z)| px(view.project([x, floor_y, z])))
            .collect();
        out.push(Shape::Poly {
            points: patch,
            fill: Some("#f1f5f9"),
            stroke: Some(("#cbd5e1", 1.0)),
            closed: true,
        });
    }
    for p in props {
        if view == View::Oblique {
            out.extend(oblique_prop(p, f, x0, x1));
            continue;
        }
        let [a, b, c, d] = p.rect(view);
        // Keep runs of wall and bed inside the picture.
        let (a, c) = (a.max(x0 - 0.2), c.min(x1 + 0.2));
        let (tl, br) = (px([a, d]), px([c, b]));
        match p.kind {
            PropKind::Mat => out.push(slab(tl, br, 2.0, "#99f6e4", "#5eead4", 1.0)),
            PropKind::Bed => {
                out.push(rect(tl, br, 6.0, "#e2e8f0", Some((SUPPORT, 2.0))));
                if !view.from_above() {
                    let (_, ly) = px([0.0, floor_y]);
                    for lx in [tl.0 + 8.0, br.0 - 14.0] {
                        out.push(rect((lx, br.1), (lx + 6.0, ly), 0.0, SUPPORT, None));
                    }
                }
            }
            PropKind::Pillow => out.push(slab(tl, br, 4.0, "#e2e8f0", "#64748b", 1.5)),
            PropKind::Seat => {
                out.push(rect(tl, br, 2.0, SUPPORT, None));
                if !view.from_above() {
                    let (_, ly) = px([0.0, 0.0]);
                    for lx in [tl.0 + 2.0, br.0 - 8.0] {
                        out.push(rect((lx, br.1), (lx + 6.0, ly), 0.0, SUPPORT, None));
                    }
                }
            }
            // From the front the back is hidden behind the body; draw it lighter.
            PropKind::ChairBack => out.push(rect(
                tl,
                br,
                2.0,
                if view == View::Front {
                    "#e2e8f0"
                } else {
                    SUPPORT
                },
                None,
            )),
            PropKind::Wall => out.push(rect(tl, br, 0.0, "#e2e8f0", Some((SUPPORT, 1.0)))),
            PropKind::DoorPost => out.push(rect(tl, br, 1.0, "#d6b98c", Some(("#b08d57", 1.0)))),
        }
    }
    if !view.from_above() && view != View::Oblique {
        let (fl, fy) = px([x0, floor_y]);
        let (fr, _) = px([x1, floor_y]);
        out.push(Shape::Line {
            from: (fl, fy),
            to: (fr, fy),
            color: "#64748b",
            width: 2.0,
            round: false,
        });
    }
    out
}

/// A prop seen obliquely: its box's outline (the hull of its corners), its run kept near
/// the body, and the legs of a bed or a chair seat down to the floor.
fn oblique_prop(p: &Prop, f: &Frame, x0: f64, x1: f64) -> Vec<Shape> {
    let view = View::Oblique;
    let (lo, hi) = (p.min[0].max(x0 - 0.3), p.max[0].min(x1 + 0.3));
    let corners: Vec<[f64; 2]> = (0..8)
        .map(|c| {
            let q = [
                if c & 1 == 0 { lo } else { hi },
                if c & 2 == 0 { p.min[1] } else { p.max[1] },
                if c & 4 == 0 { p.min[2] } else { p.max[2] },
            ];
            view.project(q)
        })
        .collect();
    let (fill, stroke) = match p.kind {
        PropKind::Mat => ("#99f6e4", "#5eead4"),
        PropKind::DoorPost => ("#d6b98c", "#b08d57"),
        PropKind::Pillow => ("#f1f5f9", "#94a3b8"),
        PropKind::Bed | PropKind::Wall => ("#e2e8f0", SUPPORT),
        PropKind::Seat | PropKind::ChairBack => (SUPPORT, SUPPORT),
    };
    let mut out = Vec::new();
    if matches!(p.kind, PropKind::Seat | PropKind::Bed) {
        let floor = if p.kind == PropKind::Bed {
            BED_FLOOR
        } else {
            0.0
        };
        for (x, z) in [(lo + 0.03, p.max[2] - 0.03), (hi - 0.03, p.max[2] - 0.03)] {
            out.push(Shape::Line {
                from: f.pt(view.project([x, p.min[1], z])),
                to: f.pt(view.project([x, floor, z])),
                color: SUPPORT,
                width: 5.0,
                round: false,
            });
        }
    }
    out.push(Shape::Poly {
        points: hull(&corners).into_iter().map(|q| f.pt(q)).collect(),
        fill: Some(fill),
        stroke: Some((stroke, 1.0)),
        closed: true,
    });
    out
}

/// The convex hull of a few points, in order round it (gift wrapping).
fn hull(pts: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let Some(start) = pts
        .iter()
        .copied()
        .min_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])))
    else {
        return Vec::new();
    };
    let mut out = vec![start];
    let mut at = start;
    for _ in 0..pts.len() {
        let mut next = pts[0];
        for q in pts {
            let cross = (next[0] - at[0]) * (q[1] - at[1]) - (next[1] - at[1]) * (q[0] - at[0]);
            let farther =
                (q[0] - at[0]).hypot(q[1] - at[1]) > (next[0] - at[0]).hypot(next[1] - at[1]);
            if next == at || cross < 0.0 || (cross == 0.0 && farther) {
                next = *q;
            }
        }
        if next == start {
            break;
        }
        out.push(next);
        at = next;
    }
    out
}

/// How wide each bone is drawn (body heights), in [`BONES`] order.
pub(crate) const BONE_WIDTH: [f64; 17] = [
    0.10, 0.05, 0.06, 0.055, 0.045, 0.06, 0.055, 0.045, 0.08, 0.075, 0.06, 0.04, 0.08, 0.075, 0.06,
    0.04, 0.10,
];

/// How deep the trunk is drawn from the side (body heights).
const TRUNK_DEPTH: f64 = 0.10;

/// A quadratic curve from `a` through `m` (at its middle) to `b`, as `n` + 1 points.
fn through(a: [f64; 3], m: [f64; 3], b: [f64; 3], n: usize) -> Vec<[f64; 3]> {
    // The control point that puts the curve through `m` halfway.
    let c = [0, 1, 2].map(|i| 2.0 * m[i] - (a[i] + b[i]) / 2.0);
    (0..=n)
        .map(|k| {
            let t = k as f64 / n as f64;
            let u = 1.0 - t;
            [0, 1, 2].map(|i| u * u * a[i] + 2.0 * u * t * c[i] + t * t * b[i])
        })
        .collect()
}

/// The trunk's outline: up the left side from the hip through the middle of the back to
/// the shoulder, and down the right, bending with the spine.
pub(crate) fn trunk_outline(s: &Solved) -> Vec<[f64; 3]> {
    let mid = s.joint(Joint::MidBack);
    let pelvis = s.joint(Joint::Pelvis);
    let neck = s.joint(Joint::Neck);
    let side = |hip: Joint, shoulder: Joint| {
        let (h, sh) = (s.joint(hip), s.joint(shoulder));
        // Halfway across at the middle of the back, as the hips and shoulders are.
        let m = [0, 1, 2].map(|i| mid[i] + ((h[i] - pelvis[i]) + (sh[i] - neck[i])) / 2.0);
        through(h, m, sh, 6)
    };
    let mut out = side(Joint::LeftHip, Joint::LeftShoulder);
    let mut right = side(Joint::RightHip, Joint::RightShoulder);
    right.reverse();
    out.extend(right);
    out
}

/// The head in profile: the skull, a nose where the face looks, and the eyes that face the
/// viewer (an eye turned away is drawn with no size, so every frame has the same shapes).
pub(crate) fn head_shapes(
    s: &Solved,
    view: View,
    pt: &dyn Fn([f64; 2]) -> (f64, f64),
    scale: f64,
    fill: &'static str,
) -> Vec<Shape> {
    let head = s.joint(Joint::Head);
    let neck = s.joint(Joint::Neck);
    let r = len::HEAD_R;
    let up = unit(sub(head, neck));
    let f = s.face;
    let toward = view.toward();
    let facing = dot(f, toward);
    // Across the face, to the figure's left.
    let across = unit(cross(f, up));
    let at = |k: [f64; 3]| pt(view.project([0, 1, 2].map(|i| head[i] + k[i] * r)));
    let mix = |a: f64, b: f64, c: f64| [0, 1, 2].map(|i| f[i] * a + up[i] * b + across[i] * c);
    let mut out = vec![
        Shape::Circle {
            c: pt(view.project(head)),
            r: r * scale,
            fill,
        },
        // The nose, on the face's side of the skull.
        Shape::Poly {
            points: vec![
                at(mix(0.85, 0.2, 0.0)),
                at(mix(1.25, -0.12, 0.0)),
                at(mix(0.85, -0.3, 0.0)),
            ],
            fill: Some(fill),
            stroke: None,
            closed: true,
        },
    ];
    for side in [1.0, -1.0] {
        let eye = mix(0.7, 0.3, 0.38 * side);
        let shows = dot(eye, toward) > 0.1 && facing > -0.2;
        out.push(Shape::Circle {
            c: at(eye),
            r: if shows { 0.011 * scale } else { 0.0 },
            fill: FACE,
        });
    }
    out
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn unit(v: [f64; 3]) -> [f64; 3] {
    let l = dot(v, v).sqrt().max(1e-9);
    v.map(|x| x / l)
}

/// The highlighted regions, near or far, as short thick orange strokes.
fn region_shapes(solved: &Solved, spec: &PoseSpec, f: &Frame, far: bool) -> Vec<Shape> {
    highlights(solved, spec)
        .into_iter()
        .filter(|h| h.far == far)
        .map(|h| Shape::Line {
            from: f.pt(spec.view.project(h.from)),
            to: f.pt(spec.view.project(h.to)),
            color: if far { STRETCH_FAR } else { STRETCH_NEAR },
            width: REGION_WIDTH * f.scale,
            round: true,
        })
        .collect()
}

/// How wide a highlighted region is drawn (body heights).
const REGION_WIDTH: f64 = 0.05;

/// The body of one frame, always the same shapes in the same order (so an animation can
/// move each one): far limbs, the trunk, near limbs, the head and the face. Far limbs are
/// paler; the regions where the exercise is felt are orange on top of the body.
fn body_shapes(solved: &Solved, spec: &PoseSpec, f: &Frame) -> Vec<Shape> {
    let view = spec.view;
    let p = solved.projected(view);
    let limb = |i: usize, far: bool| {
        let (a, b) = BONES[i];
        Shape::Line {
            from: f.pt(p[a.index()]),
            to: f.pt(p[b.index()]),
            color: if far { FAR } else { NEAR },
            width: BONE_WIDTH[i] * f.scale,
            round: true,
        }
    };
    let mut out = Vec::new();
    // Far limbs first; the collar and hip bones are inside the trunk.
    let limbs = [3, 4, 6, 7, 9, 10, 11, 13, 14, 15];
    for i in limbs.iter().copied().filter(|i| view.far_bone(*i)) {
        out.push(limb(i, true));
    }
    out.extend(region_shapes(solved, spec, f, true));
    let trunk: Vec<(f64, f64)> = trunk_outline(solved)
        .into_iter()
        .map(|q| f.pt(view.project(q)))
        .collect();
    // From the side the trunk is as deep as it is wide; from the front or above, the
    // shoulders and hips already give it its width.
    let depth = if matches!(view, View::Side | View::Above | View::Oblique) {
        TRUNK_DEPTH
    } else {
        0.035
    };
    out.push(Shape::Poly {
        points: trunk,
        fill: Some(NEAR),
        stroke: Some((NEAR, depth * f.scale)),
        closed: true,
    });
    out.push(limb(1, false));
    for i in limbs.iter().copied().filter(|i| !view.far_bone(*i)) {
        out.push(limb(i, false));
    }
    out.extend(region_shapes(solved, spec, f, false));
    out.extend(head_shapes(solved, view, &|q| f.pt(q), f.scale, NEAR));
    out
}

/// The joint that moves most from keyframe `a` to `b` (planted parts aside), its path
/// there as the view shows it, when it moves enough to draw.
fn movement(spec: &PoseSpec, solved: &[Solved], a: usize, b: usize) -> Option<Vec<[f64; 2]>> {
    const STEPS: usize = 10;
    let path: Vec<Solved> = (0..=STEPS)
        .map(|i| spec.tween_solved(solved, a, b, i as f64 / STEPS as f64))
        .collect();
    let (first, last) = (path.first()?, path.last()?);
    let moved = |j: Joint| {
        let (p, q) = (
            spec.view.project(first.joint(j)),
            spec.view.project(last.joint(j)),
        );
        ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt()
    };
    let j = match spec.arrow {
        Some(j) => j,
        None => {
            let j = Joint::ALL
                .iter()
                .copied()
                .filter(|j| !spec.planted.contains(j))
                .max_by(|x, y| moved(*x).total_cmp(&moved(*y)))?;
            if moved(j) < 0.03 {
                return None;
            }
            j
        }
    };
    if moved(j) < 0.005 {
        return None;
    }
    // Beside the path rather than on the limb: each point moved square to the way it goes,
    // on the side away from the hips.
    let pts: Vec<[f64; 2]> = path.iter().map(|s| spec.view.project(s.joint(j))).collect();
    let centre = spec.view.project(first.joint(Joint::Pelvis));
    let n = pts.len();
    let normal = |i: usize| {
        let (a, b) = (pts[i.saturating_sub(1)], pts[(i + 1).min(n - 1)]);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let l = (dx * dx + dy * dy).sqrt().max(1e-9);
        [-dy / l, dx / l]
    };
    let mid = pts[n / 2];
    let nm = normal(n / 2);
    let away = (mid[0] - centre[0]) * nm[0] + (mid[1] - centre[1]) * nm[1];
    let sign = if away >= 0.0 { 1.0 } else { -1.0 };
    Some(
        (0..n)
            .map(|i| {
                let nv = normal(i);
                [
                    pts[i][0] + sign * nv[0] * 0.07,
                    pts[i][1] + sign * nv[1] * 0.07,
                ]
            })
            .collect(),
    )
}

/// An arrow along the movement from keyframe `a` to `b`.
fn arrow_shapes(spec: &PoseSpec, solved: &[Solved], a: usize, b: usize, f: &Frame) -> Vec<Shape> {
    let Some(path) = movement(spec, solved, a, b) else {
        return Vec::new();
    };
    let pts: Vec<(f64, f64)> = path.iter().map(|p| f.pt(*p)).collect();
    let n = pts.len();
    let (tip, from) = (pts[n - 1], pts[n - 2]);
    let (dx, dy) = (tip.0 - from.0, tip.1 - from.1);
    let l = (dx * dx + dy * dy).sqrt().max(1e-6);
    let (ux, uy) = (dx / l, dy / l);
    vec![
        Shape::Poly {
            points: pts[..n - 1].to_vec(),
            fill: None,
            stroke: Some((ARROW, 2.5)),
            closed: false,
        },
        arrow_head(tip, (ux, uy), 9.0),
    ]
}

/// An arrow's head at `tip`, pointing along the unit `(ux, uy)`, `head` pixels long.
fn arrow_head(tip: (f64, f64), (ux, uy): (f64, f64), head: f64) -> Shape {
    Shape::Poly {
        points: vec![
            (tip.0 + ux * 3.0, tip.1 + uy * 3.0),
            (
                tip.0 - ux * head - uy * head * 0.6,
                tip.1 - uy * head + ux * head * 0.6,
            ),
            (
                tip.0 - ux * head + uy * head * 0.6,
                tip.1 - uy * head - ux * head * 0.6,
            ),
        ],
        fill: Some(ARROW),
        stroke: None,
        closed: true,
    }
}

/// Where the keyframes of a figure sit: the world box, and the scale for panels of `size`.
fn layout(
    frames: &[Solved],
    spec: &PoseSpec,
    props: &[Prop],
    size: f64,
) -> (f64, f64, f64, f64, f64) {
    let (x0, y0, x1, y1) = bounds(frames, spec, props);
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
/// body is the same size in each), with its props, the stretched part in orange, and from
/// the second on an arrow for the movement into it.
pub fn keyframe_panels(spec: &PoseSpec, size: f64) -> Vec<Panel> {
    let frames = pose::solve_all(spec);
    let props = pose::props(spec);
    let b = layout(&frames, spec, &props, size);
    let f = panel_frame(b, size, 0.0, 0.0);
    let scene = prop_shapes(spec, &props, &f, b.0, b.2);
    frames
        .iter()
        .enumerate()
        .map(|(i, fr)| {
            let mut shapes = scene.clone();
            shapes.extend(body_shapes(fr, spec, &f));
            // A figure with a close-up has its arrow there.
            if i > 0 && spec.inset.is_none() {
                shapes.extend(arrow_shapes(spec, &frames, i - 1, i, &f));
            }
            shapes.extend(inset::inset_shapes(spec, &frames, &props, i, size, b.4));
            Panel {
                size,
                shapes,
                name: fr.name.clone(),
            }
        })
        .collect()
}

/// How a figure is seen, and that the other side is its mirror: `Seen from the left. One
/// side shown; the other side is its mirror.` (the figures and the printed sheet say this).
pub fn view_note(e: &Exercise, spec: &PoseSpec) -> String {
    let side = if e.sides != Sides::Both {
        " One side shown; the other side is its mirror."
    } else {
        ""
    };
    // Orange marks what the person should notice, which is not a stretch in every move.
    let stretch = match (spec.stretch.is_empty(), e.kind) {
        (true, _) => "",
        (false, Kind::Stretch) => " Orange: where you should feel the stretch.",
        (false, Kind::Activation) => " Orange: the muscles doing the work.",
        (false, _) => " Orange: the part of the back that moves.",
    };
    format!("{}{side}{stretch}", spec.view.note())
}

/// The name, then how the figure is seen, a sentence a line.
fn titles(e: &Exercise, spec: &PoseSpec) -> String {
    let mut s = format!(
        "<text x=\"14\" y=\"26\" font-size=\"16\" font-weight=\"bold\" fill=\"#0f172a\">{}</text>\n",
        escape(&e.title())
    );
    let note = view_note(e, spec);
    let mut lines: Vec<String> = vec![String::new()];
    for sentence in note.split_inclusive(". ") {
        let last = lines.last_mut().map_or(0, |l| l.len());
        if last + sentence.len() > 62 && last > 0 {
            lines.push(String::new());
        }
        if let Some(l) = lines.last_mut() {
            l.push_str(sentence);
        }
    }
    for (i, l) in lines.iter().enumerate() {
        let _ = writeln!(
            s,
            "<text x=\"14\" y=\"{}\" font-size=\"12\" fill=\"#475569\">{}</text>",
            43 + 15 * i,
            escape(l.trim())
        );
    }
    s
}

/// The keyframes side by side.
pub fn keyframes_svg(e: &Exercise, spec: &PoseSpec) -> String {
    let panels = keyframe_panels(spec, PANEL);
    let n = panels.len();
    let w = (PANEL * n as f64 + 20.0).max(560.0);
    let h = PANEL + 96.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n<title>{}</title>\n<rect width=\"{w:.0}\" height=\"{h:.0}\" fill=\"#ffffff\"/>\n{}",
        escape(&e.title()),
        titles(e, spec)
    );
    for (i, p) in panels.iter().enumerate() {
        let _ = writeln!(
            s,
            "<g transform=\"translate({}, 66)\">\n{}</g>",
            num(10.0 + PANEL * i as f64),
            shapes_svg(&p.shapes)
        );
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#334155\" text-anchor=\"middle\">{}. {}</text>",
            10.0 + PANEL * i as f64 + PANEL / 2.0,
            h - 12.0,
            i + 1,
            escape(&p.name)
        );
        if i + 1 < n {
            let ax = 10.0 + PANEL * (i + 1) as f64;
            let _ = writeln!(
                s,
                "<text x=\"{ax:.1}\" y=\"{:.1}\" font-size=\"22\" fill=\"#94a3b8\" text-anchor=\"middle\">&#8594;</text>",
                66.0 + PANEL / 2.0
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

/// Every exercise's keyframes (and each variant's), one row each, on one sheet: for
/// reviewing the figures side by side. Unlabelled, each row has only its number (for a
/// reviewer naming the figures from the pictures alone).
pub fn contact_sheet_svg(exercises: &[Exercise], labelled: bool) -> String {
    const CELL: f64 = 170.0;
    const LABEL: f64 = 230.0;
    let rows: Vec<Exercise> = exercises
        .iter()
        .flat_map(|e| {
            std::iter::once(e.in_form(backstretch_core::exercise::Form::Main)).chain(
                (0..e.variants.len())
                    .map(|i| e.in_form(backstretch_core::exercise::Form::Variant(i))),
            )
        })
        .filter(|e| e.pose.is_some())
        .collect();
    let cols = rows
        .iter()
        .filter_map(|e| e.pose.as_ref().map(|p| p.keyframes.len()))
        .max()
        .unwrap_or(2);
    let w = LABEL + CELL * cols as f64 + 10.0;
    let h = CELL * rows.len() as f64 + 10.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n<rect width=\"{w:.0}\" height=\"{h:.0}\" fill=\"#ffffff\"/>\n"
    );
    for (r, e) in rows.iter().enumerate() {
        let Some(spec) = &e.pose else { continue };
        let top = 5.0 + CELL * r as f64;
        if !labelled {
            let _ = writeln!(
                s,
                "<line x1=\"0\" y1=\"{top:.0}\" x2=\"{w:.0}\" y2=\"{top:.0}\" stroke=\"#e2e8f0\"/>\n<text x=\"10\" y=\"{:.0}\" font-size=\"14\" font-weight=\"bold\" fill=\"#0f172a\">Figure {}</text>",
                top + 30.0,
                r + 1
            );
        } else {
            let _ = writeln!(
                s,
                "<line x1=\"0\" y1=\"{top:.0}\" x2=\"{w:.0}\" y2=\"{top:.0}\" stroke=\"#e2e8f0\"/>\n<text x=\"10\" y=\"{:.0}\" font-size=\"14\" font-weight=\"bold\" fill=\"#0f172a\">{}</text>\n<text x=\"10\" y=\"{:.0}\" font-size=\"11\" fill=\"#475569\">{} · {}</text>",
                top + 30.0,
                escape(&e.title()),
                top + 48.0,
                escape(&e.position.to_string()),
                escape(spec.view.note())
            );
        }
        for (i, p) in keyframe_panels(spec, CELL).iter().enumerate() {
            let _ = writeln!(
                s,
                "<g transform=\"translate({}, {})\">\n{}</g>",
                num(LABEL + CELL * i as f64),
                num(top),
                shapes_svg(&p.shapes),
            );
            if labelled {
                let _ = writeln!(
                    s,
                    "<text x=\"{:.0}\" y=\"{:.0}\" font-size=\"10\" fill=\"#334155\" text-anchor=\"middle\">{}</text>",
                    LABEL + CELL * i as f64 + CELL / 2.0,
                    top + CELL - 4.0,
                    escape(&p.name)
                );
            }
        }
    }
    s.push_str("</svg>\n");
    s
}

/// The attributes of a shape that move, with their value in this frame.
fn moving_attrs(sh: &Shape) -> Vec<(&'static str, String)> {
    match sh {
        Shape::Line { from, to, .. } => vec![
            ("x1", format!("{:.1}", from.0)),
            ("y1", format!("{:.1}", from.1)),
            ("x2", format!("{:.1}", to.0)),
            ("y2", format!("{:.1}", to.1)),
        ],
        Shape::Circle { c, r, .. } => vec![
            ("cx", format!("{:.1}", c.0)),
            ("cy", format!("{:.1}", c.1)),
            ("r", format!("{r:.1}")),
        ],
        Shape::Poly { points, .. } => vec![("points", points_attr(points))],
        Shape::Rect { .. } => vec![],
    }
}

/// One figure moving through the keyframes and back, as an animated SVG (SMIL): the props
/// and the arrow stay, the body moves (each limb turning at its joints, planted parts
/// still).
pub fn animated_svg(e: &Exercise, spec: &PoseSpec) -> String {
    const STEPS: usize = 10;
    if spec.keyframes.len() < 2 {
        // Nothing to move between (a checked figure always has two keyframes).
        return keyframes_svg(e, spec);
    }
    let mut frames: Vec<(f64, Solved)> = Vec::new();
    let mut t = 0.0;
    let n = spec.keyframes.len();
    let solved = spec.solved();
    let mut order: Vec<usize> = (0..n).collect();
    order.extend((0..n.saturating_sub(1)).rev());
    for w in order.windows(2) {
        frames.push((t, solved[w[0]].clone()));
        t += 1.0;
        for i in 0..=STEPS {
            frames.push((
                t,
                spec.tween_solved(&solved, w[0], w[1], i as f64 / STEPS as f64),
            ));
            t += 1.5 / STEPS as f64;
        }
    }
    let total = t;
    let all: Vec<Solved> = frames.iter().map(|(_, s)| s.clone()).collect();
    let props = pose::props(spec);
    let (x0, y0, x1, y1) = bounds(&all, spec, &props);
    let scale = (PANEL * 1.4 - 20.0) / (x1 - x0).max(y1 - y0);
    let w = PANEL * 1.4 + 20.0;
    let h = PANEL * 1.4 + 76.0;
    let f = Frame {
        x0,
        y1,
        scale,
        dx: 10.0 + (PANEL * 1.4 - (x1 - x0) * scale) / 2.0,
        dy: 71.0 + (PANEL * 1.4 - 20.0 - (y1 - y0) * scale) / 2.0,
    };
    let key_times: Vec<String> = frames
        .iter()
        .map(|(t, _)| format!("{:.4}", t / total))
        .collect();
    let key_times = key_times.join(";");
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n<title>{}</title>\n<rect width=\"{w:.0}\" height=\"{h:.0}\" fill=\"#ffffff\"/>\n{}",
        escape(&e.title()),
        titles(e, spec)
    );
    s.push_str(&shapes_svg(&prop_shapes(spec, &props, &f, x0, x1)));
    if spec.inset.is_none() {
        s.push_str(&shapes_svg(&arrow_shapes(spec, &solved, 0, n - 1, &f)));
    }
    // The close-up stays still, showing the whole small movement.
    let close = inset::inset_shapes(spec, &solved, &props, n - 1, PANEL * 1.4, scale);
    let bodies: Vec<Vec<Shape>> = frames
        .iter()
        .map(|(_, sv)| body_shapes(sv, spec, &f))
        .collect();
    for (i, first) in bodies[0].iter().enumerate() {
        let still = shapes_svg(std::slice::from_ref(first));
        let still = still.trim_end().trim_end_matches("/>");
        let mut anims = String::new();
        let per_frame: Vec<Vec<(&'static str, String)>> =
            bodies.iter().map(|b| moving_attrs(&b[i])).collect();
        for (k, (attr, _)) in per_frame[0].iter().enumerate() {
            let vals: Vec<&str> = per_frame.iter().map(|a| a[k].1.as_str()).collect();
            let _ = write!(
                anims,
                "<animate attributeName=\"{attr}\" dur=\"{total:.2}s\" repeatCount=\"indefinite\" keyTimes=\"{key_times}\" values=\"{}\"/>",
                vals.join(";")
            );
        }
        let tag = still
            .trim_start_matches('<')
            .split(' ')
            .next()
            .unwrap_or("g")
            .to_string();
        let _ = writeln!(s, "{still}>{anims}</{tag}>");
    }
    if !close.is_empty() {
        let _ = writeln!(
            s,
            "<g transform=\"translate(10, 71)\">\n{}</g>",
            shapes_svg(&close)
        );
    }
    s.push_str("</svg>\n");
    s
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
            11 * 4 + 1 + 2 * 4 + 3 + 1 + 2 * 3,
            "four per limb and the neck, one for the trunk, four for each buttock's highlight, three for the head, one for the nose, three for each eye"
        );
        // The props and the arrow stay; the body moves.
        assert!(
            svg.contains("#99f6e4") && svg.contains("#2563eb"),
            "mat and arrow"
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

    /// The review sheet: every exercise and variant, a row each; unlabelled, numbered and
    /// with no name, position or keyframe name to give the figure away.
    #[test]
    fn the_contact_sheet_can_hide_every_name() {
        let all: Vec<Exercise> = builtin().catalog.exercises().cloned().collect();
        let labelled = contact_sheet_svg(&all, true);
        let bare = contact_sheet_svg(&all, false);
        let rows = all.iter().map(|e| 1 + e.variants.len()).sum::<usize>();
        assert_eq!(rows, 33);
        assert!(labelled.contains("Knee to chest") || labelled.contains("knee to chest"));
        assert!(bare.contains(&format!(">Figure {rows}<")) && !bare.contains(">Figure 34<"));
        for e in &all {
            assert!(!bare.contains(&escape(&e.name)), "{} is named", e.name);
            for k in &e.pose.as_ref().unwrap().keyframes {
                assert!(
                    !bare.contains(&format!(">{}<", escape(&k.name))),
                    "{}",
                    k.name
                );
            }
        }
        assert!(!bare.contains("Seen from"));
    }

    /// The close-up draws its window and, from the second keyframe on, its arrow; the pelvic
    /// tilt's arrow points down (the low back presses toward the floor).
    #[test]
    fn the_close_up_has_its_arrow() {
        let e = entry("pelvic-tilt");
        let spec = e.pose.as_ref().unwrap();
        let panels = keyframe_panels(spec, 260.0);
        let arrows = |p: &Panel| -> Vec<((f64, f64), (f64, f64))> {
            p.shapes
                .iter()
                .filter_map(|s| match s {
                    Shape::Line {
                        from, to, color, ..
                    } if *color == ARROW => Some((*from, *to)),
                    _ => None,
                })
                .collect()
        };
        assert!(arrows(&panels[0]).is_empty());
        let a = arrows(&panels[1]);
        assert_eq!(a.len(), 1, "{a:?}");
        assert!(a[0].1.1 > a[0].0.1, "downward on the page: {a:?}");
        assert!(view_note(&e, spec).contains("the muscles doing the work"));
        let ham = entry("seated-hamstring-stretch");
        assert!(view_note(&ham, ham.pose.as_ref().unwrap()).contains("feel the stretch"));
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
