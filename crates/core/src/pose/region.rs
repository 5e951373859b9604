//! Where the person should feel an exercise: small regions of the body (the back of a thigh,
//! a buttock, the back of the neck) placed on the solved skeleton, each serving an area of
//! the catalogue; and the close-up insets for small movements, with the arrow each draws.

use serde::{Deserialize, Serialize};

use crate::vocab::Area;

use super::checks::dist;
use super::{Joint, PoseProblem, PoseSpec, Solved, View};

/// Which way a region lies from its bone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Face {
    /// The front of the body (the chest, the front of the hip).
    Front,
    /// The back of the body (the back of the thigh, the lower back).
    Back,
    /// Toward the figure's left (+) or right (-) side.
    Out(i8),
}

/// A region: its name, the areas it serves, the bone it lies along (from, to, and the part
/// of the bone, 0 to 1), which way from the bone, and how far (body heights).
type Def = (
    &'static str,
    &'static [Area],
    (Joint, Joint),
    (f64, f64),
    Face,
    f64,
);

use Area::{
    Abdominals, Glutes, Hamstrings, HipFlexors, LowerBack, MidBack, Neck, SideTrunk, UpperBack,
};
use Joint::{Head, LeftHip, LeftKnee, MidBack as Mid, Neck as NeckJ, Pelvis, RightHip, RightKnee};

const DEFS: [Def; 17] = [
    (
        "neck_back",
        &[Neck],
        (NeckJ, Head),
        (0.0, 0.5),
        Face::Back,
        0.02,
    ),
    (
        "left_neck",
        &[Neck],
        (NeckJ, Head),
        (0.0, 0.5),
        Face::Out(1),
        0.02,
    ),
    (
        "right_neck",
        &[Neck],
        (NeckJ, Head),
        (0.0, 0.5),
        Face::Out(-1),
        0.02,
    ),
    (
        "upper_back",
        &[UpperBack, MidBack],
        (Mid, NeckJ),
        (0.45, 0.9),
        Face::Back,
        0.045,
    ),
    (
        "mid_back",
        &[MidBack],
        (Mid, NeckJ),
        (0.0, 0.5),
        Face::Back,
        0.045,
    ),
    (
        "chest",
        &[UpperBack],
        (Mid, NeckJ),
        (0.45, 0.85),
        Face::Front,
        0.045,
    ),
    (
        "lower_back",
        &[LowerBack],
        (Pelvis, Mid),
        (0.15, 0.9),
        Face::Back,
        0.045,
    ),
    (
        "belly",
        &[Abdominals],
        (Pelvis, Mid),
        (0.1, 0.9),
        Face::Front,
        0.045,
    ),
    (
        "left_flank",
        &[SideTrunk, LowerBack],
        (Pelvis, Mid),
        (0.2, 1.1),
        Face::Out(1),
        0.08,
    ),
    (
        "right_flank",
        &[SideTrunk, LowerBack],
        (Pelvis, Mid),
        (0.2, 1.1),
        Face::Out(-1),
        0.08,
    ),
    (
        "left_buttock",
        &[Glutes],
        (LeftHip, LeftKnee),
        (-0.05, 0.25),
        Face::Back,
        0.05,
    ),
    (
        "right_buttock",
        &[Glutes],
        (RightHip, RightKnee),
        (-0.05, 0.25),
        Face::Back,
        0.05,
    ),
    (
        "left_hip_front",
        &[HipFlexors],
        (LeftHip, LeftKnee),
        (-0.05, 0.35),
        Face::Front,
        0.03,
    ),
    (
        "right_hip_front",
        &[HipFlexors],
        (RightHip, RightKnee),
        (-0.05, 0.35),
        Face::Front,
        0.03,
    ),
    (
        "left_thigh_back",
        &[Hamstrings],
        (LeftHip, LeftKnee),
        (0.3, 0.85),
        Face::Back,
        0.03,
    ),
    (
        "right_thigh_back",
        &[Hamstrings],
        (RightHip, RightKnee),
        (0.3, 0.85),
        Face::Back,
        0.03,
    ),
    (
        "left_outer_thigh",
        &[SideTrunk],
        (LeftHip, LeftKnee),
        (0.15, 0.9),
        Face::Out(1),
        0.035,
    ),
];

/// Every region's name, for `stretch` and its messages.
pub fn region_names() -> Vec<&'static str> {
    DEFS.iter().map(|d| d.0).collect()
}

fn find(name: &str) -> Option<&'static Def> {
    DEFS.iter().find(|d| d.0 == name)
}

/// A region with its name, `left_`/`right_` swapped, for the mirrored figure.
pub(super) fn mirrored_region(name: &str) -> String {
    let m = super::mirrored_bone(name);
    // `right_outer_thigh` has no region of its own: it stays on the left when mirrored.
    if find(&m).is_some() {
        m
    } else {
        name.to_string()
    }
}

/// One highlighted region as drawn: a short thick stroke along the body's surface.
#[derive(Debug, Clone, PartialEq)]
pub struct Highlight {
    /// The region's name.
    pub name: &'static str,
    /// Where the stroke starts and ends (3D, body heights).
    pub from: [f64; 3],
    pub to: [f64; 3],
    /// Whether it is on the far side of the body in this view (drawn paler).
    pub far: bool,
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn dot3(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn unit(v: [f64; 3]) -> [f64; 3] {
    let l = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt().max(1e-9);
    [v[0] / l, v[1] / l, v[2] / l]
}

/// The regions of `spec.stretch` on a solved frame.
pub fn highlights(s: &Solved, spec: &PoseSpec) -> Vec<Highlight> {
    spec.stretch
        .iter()
        .filter_map(|n| find(n))
        .map(|&(name, _, bone, span, face, off)| {
            let (a, b) = (s.joint(bone.0), s.joint(bone.1));
            let dir = unit(sub(b, a));
            // Bones from the hips up have their front turned back a quarter turn; the legs,
            // pointing down from the hips, forward.
            let up = !matches!(bone.0, LeftHip | RightHip);
            let front = unit(if up {
                [dir[1], -dir[0], 0.0]
            } else {
                [-dir[1], dir[0], 0.0]
            });
            let n = match face {
                Face::Front => front,
                Face::Back => front.map(|v| -v),
                Face::Out(side) => [0.0, 0.0, f64::from(side)],
            };
            let at = |t: f64| [0, 1, 2].map(|i| a[i] + (b[i] - a[i]) * t + n[i] * off);
            let right = name.starts_with("right_");
            Highlight {
                name,
                from: at(span.0),
                to: at(span.1),
                // On the far side: a right-side region seen from the left, or one turned
                // away from the viewer (the lower back seen from the front).
                far: (right && matches!(spec.view, View::Side | View::Above | View::Oblique))
                    || (off > 0.0 && dot3(n, spec.view.toward()) < -0.5),
            }
        })
        .collect()
}

/// The problems with `spec.stretch` for an exercise serving `areas`: a name that is no
/// region, a region serving none of the areas, or none at all where `needed`.
pub fn check_regions(spec: &PoseSpec, areas: &[Area], needed: bool) -> Vec<PoseProblem> {
    let mut out = Vec::new();
    let mut bad = |message: String| {
        out.push(PoseProblem {
            keyframe: String::new(),
            joint: "stretch".into(),
            message,
        });
    };
    for n in &spec.stretch {
        match find(n) {
            None => bad(format!(
                "`{n}` is not a region; use {}",
                region_names().join(", ")
            )),
            Some(&(_, serves, ..)) if !serves.iter().any(|a| areas.contains(a)) => bad(format!(
                "`{n}` is in {}, which the exercise does not serve (its areas: {}); highlight where it is felt",
                serves
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" or "),
                areas
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Some(_) => {}
        }
    }
    if needed && spec.stretch.is_empty() {
        bad("a stretch shows where it is felt; name a region in `stretch`".into());
    }
    out
}

/// A close-up of a small movement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Inset {
    /// The head and neck from the side: the chin tuck's glide, or a nod.
    Neck,
    /// The lower back and pelvis from the side: the pelvic tilt.
    Pelvis,
    /// The shoulders and blades seen from above: the squeeze draws them back.
    Blades,
}

impl Inset {
    /// The joint the close-up centres on: the head (the arrow follows its face), the
    /// middle of the back, the left shoulder.
    pub fn focus(self) -> Joint {
        match self {
            Inset::Neck => Head,
            Inset::Pelvis => Mid,
            Inset::Blades => Joint::LeftShoulder,
        }
    }

    /// The point the arrow follows: the face's front for the neck (it glides back in a
    /// tuck, tips down in a nod), else the focus joint; `mirror` takes the other side's.
    pub fn tracked(self, s: &Solved, mirror: bool) -> [f64; 3] {
        let j = if mirror {
            self.focus().mirrored()
        } else {
            self.focus()
        };
        let p = s.joint(j);
        match self {
            Inset::Neck => [0, 1, 2].map(|i| p[i] + s.face[i] * super::len::HEAD_R),
            _ => p,
        }
    }

    /// A point as the close-up sees it: the figure's own view, or from above for the
    /// blades (the figure's front to the right, its left toward the bottom).
    pub fn project(self, view: View, p: [f64; 3]) -> [f64; 2] {
        match self {
            Inset::Blades => View::Top.project(p),
            _ => view.project(p),
        }
    }

    /// How many times larger than the figure the close-up draws.
    pub fn zoom(self) -> f64 {
        match self {
            Inset::Neck => 1.5,
            Inset::Pelvis => 1.4,
            Inset::Blades => 1.3,
        }
    }
}

/// The inset's arrow from keyframe `a` to `b`, in the inset's view (body heights, before
/// zooming): from where the focus was, to where it goes; none when it hardly moves.
pub fn inset_arrow(
    spec: &PoseSpec,
    solved: &[Solved],
    a: usize,
    b: usize,
) -> Option<[[f64; 2]; 2]> {
    inset_arrow_of(spec, solved, a, b, false)
}

/// [`inset_arrow`] for the left (`mirror` false) or right point the close-up tracks.
pub fn inset_arrow_of(
    spec: &PoseSpec,
    solved: &[Solved],
    a: usize,
    b: usize,
    mirror: bool,
) -> Option<[[f64; 2]; 2]> {
    let inset = spec.inset?;
    let (p, q) = (
        inset.tracked(solved.get(a)?, mirror),
        inset.tracked(solved.get(b)?, mirror),
    );
    let (p2, q2) = (inset.project(spec.view, p), inset.project(spec.view, q));
    let len = ((q2[0] - p2[0]).powi(2) + (q2[1] - p2[1]).powi(2)).sqrt();
    (len >= MIN_INSET_MOVE && dist(p, q) > 0.0).then_some([p2, q2])
}

/// The least movement of the focus an inset shows (body heights, before zooming).
pub const MIN_INSET_MOVE: f64 = 0.008;

/// Checks the inset: its focus moves from the first keyframe to the last, and the arrow
/// drawn points the way it moves, in every step from one keyframe to the next.
pub(super) fn check_inset(spec: &PoseSpec, out: &mut Vec<PoseProblem>) {
    let Some(inset) = spec.inset else { return };
    let solved = spec.solved();
    let n = solved.len();
    let focus = inset.focus();
    let track = |s: &Solved| inset.project(spec.view, inset.tracked(s, false));
    let mut any = false;
    for b in 1..n {
        let a = b - 1;
        let Some([from, to]) = inset_arrow(spec, &solved, a, b) else {
            continue;
        };
        any = true;
        let (p, q) = (track(&solved[a]), track(&solved[b]));
        let (ax, ay) = (to[0] - from[0], to[1] - from[1]);
        // Halfway, the focus is on the way: past the start in the arrow's direction.
        let mid = track(&spec.tween_solved(&solved, a, b, 0.5));
        let along = |pt: [f64; 2]| (pt[0] - from[0]) * ax + (pt[1] - from[1]) * ay;
        let len2 = ax * ax + ay * ay;
        let follows = along(q) > 0.8 * len2 && along(mid) > 0.0 && along(p).abs() < 1e-9;
        if !follows {
            out.push(PoseProblem {
                keyframe: spec.keyframes[b].name.clone(),
                joint: "inset".into(),
                message: format!(
                    "the close-up's arrow does not follow the {} from `{}`",
                    focus.name(),
                    spec.keyframes[a].name
                ),
            });
        }
    }
    if !any {
        out.push(PoseProblem {
            keyframe: String::new(),
            joint: "inset".into(),
            message: format!(
                "the {} hardly moves, so the close-up has nothing to show; move it more or leave out the inset",
                focus.name()
            ),
        });
    }
}
