//! The figure in motion: keyframes placed so planted parts stay put, the frames between
//! them, the props the body uses (mat, bed, chair, wall, door frame) as solid boxes, and the
//! checks every frame of the movement passes.

use super::checks::{check_ranges, dist};
use super::region::{mirrored_region, region_names};
use super::{
    Joint, Keyframe, PoseProblem, PoseSpec, RADIUS, SEAT, Solved, Support, TOUCH, View, between,
};

/// How far below the mattress the floor is, beside a bed.
pub const BED_FLOOR: f64 = -0.45;
/// How long a mattress is: a bed a little longer than the person.
pub const BED_LENGTH: f64 = 1.2;
/// How thick a pillow under the head is.
pub const PILLOW: f64 = 0.035;
/// Half the width of a doorway: the door frame's posts stand this far either side.
pub const DOOR_HALF: f64 = 0.27;
/// How far a planted part may drift on the way from one keyframe to the next: as far as a
/// part may float above its support and still touch it.
pub const PLANT_DRIFT: f64 = TOUCH;
/// Frames checked between two keyframes.
pub const CHECK_STEPS: usize = 12;

/// What a prop is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropKind {
    /// An exercise mat on the floor.
    Mat,
    /// A bed's mattress (its top is the surface the body rests on).
    Bed,
    /// A pillow under the head, on the floor or the mattress.
    Pillow,
    /// A chair seat.
    Seat,
    ChairBack,
    Wall,
    /// A post of a door frame.
    DoorPost,
}

/// A prop as a box in the figure's space (x forward, y up, z the figure's left).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prop {
    /// What it is.
    pub kind: PropKind,
    /// The box's least corner.
    pub min: [f64; 3],
    /// The box's greatest corner.
    pub max: [f64; 3],
}

impl Prop {
    /// Its box as a view shows it: `[min x, min y, max x, max y]` in the view's plane.
    pub fn rect(&self, view: View) -> [f64; 4] {
        let mut r = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for c in 0..8 {
            let corner = [0, 1, 2].map(|i| {
                if c & (1 << i) == 0 {
                    self.min[i]
                } else {
                    self.max[i]
                }
            });
            let [x, y] = view.project(corner);
            r = [r[0].min(x), r[1].min(y), r[2].max(x), r[3].max(y)];
        }
        r
    }

    /// Whether the body can pass into it (a mat and a mattress are surfaces, checked as the
    /// floor is).
    fn solid(&self) -> bool {
        !matches!(self.kind, PropKind::Mat | PropKind::Bed | PropKind::Pillow)
    }

    /// How deep a ball at `p` of radius `r` is inside it (negative: outside).
    fn depth_in(&self, p: [f64; 3], r: f64) -> f64 {
        (0..3)
            .map(|i| (p[i] - (self.min[i] - r)).min((self.max[i] + r) - p[i]))
            .fold(f64::INFINITY, f64::min)
    }
}

/// The props of a figure, placed around its first keyframe.
pub fn props(spec: &PoseSpec) -> Vec<Prop> {
    let frames = spec.solved();
    let Some(first) = frames.first() else {
        return Vec::new();
    };
    let (mut x0, mut x1) = (f64::INFINITY, f64::NEG_INFINITY);
    for s in &frames {
        for p in &s.joints {
            x0 = x0.min(p[0]);
            x1 = x1.max(p[0]);
        }
    }
    let pelvis = first.joint(Joint::Pelvis);
    let mut out = Vec::new();
    let (m0, m1) = mattress(spec, x0);
    match spec.support {
        // Seen from above, the floor under a figure lying on its side.
        Support::Floor if spec.view == View::Above => out.push(Prop {
            kind: PropKind::Mat,
            min: [x0 - 0.08, -0.1, -0.3],
            max: [x1 + 0.08, 0.55, -0.29],
        }),
        Support::Bed if spec.view == View::Above => out.push(Prop {
            kind: PropKind::Bed,
            min: [m0, -0.15, -0.3],
            max: [m1, 0.6, -0.29],
        }),
        Support::Floor if pelvis[1] < 0.4 => out.push(Prop {
            kind: PropKind::Mat,
            min: [x0 - 0.08, -0.012, -0.45],
            max: [x1 + 0.08, 0.0, 0.45],
        }),
        Support::Floor => {}
        Support::Bed => out.push(Prop {
            kind: PropKind::Bed,
            min: [m0, -0.12, -0.45],
            max: [m1, 0.0, 0.45],
        }),
        Support::Chair => {
            let hx = pelvis[0];
            out.push(Prop {
                kind: PropKind::Seat,
                min: [hx - 0.14, SEAT - 0.04, -0.16],
                max: [hx + 0.14, SEAT, 0.16],
            });
            // The backrest touches the back of a person sitting tall, and comes up to the
            // middle of the back (the upper back can bend back over it).
            out.push(Prop {
                kind: PropKind::ChairBack,
                min: [hx - 0.10, SEAT, -0.16],
                max: [hx - 0.06, SEAT + 0.22, 0.16],
            });
        }
    }
    if spec.pillow {
        let head = first.joint(Joint::Head);
        out.push(Prop {
            kind: PropKind::Pillow,
            min: [head[0] - 0.1, 0.0, -0.12],
            max: [head[0] + 0.07, PILLOW, 0.12],
        });
    }
    if let Some(w) = spec.wall {
        // The wall stands on the far side of the plane from the body.
        let (axis, at) = match spec.view {
            View::Front => (2, pelvis[2]),
            _ => (0, pelvis[0]),
        };
        let (lo, hi) = if at < w { (w, w + 0.04) } else { (w - 0.04, w) };
        let mut min = [-0.6, 0.0, -0.6];
        let mut max = [0.6, 1.1, 0.6];
        min[0] += pelvis[0];
        max[0] += pelvis[0];
        min[axis] = lo;
        max[axis] = hi;
        out.push(Prop {
            kind: PropKind::Wall,
            min,
            max,
        });
    }
    if let Some(d) = spec.door {
        for s in [-1.0, 1.0] {
            let (a, b) = (s * DOOR_HALF, s * (DOOR_HALF + 0.06));
            out.push(Prop {
                kind: PropKind::DoorPost,
                min: [d - 0.03, 0.0, a.min(b)],
                max: [d + 0.03, 1.1, a.max(b)],
            });
        }
    }
    out
}

/// Where a bed's mattress runs along x: from just beyond the body's end at `x0` (its head
/// end, lying on the back) for a bed's length, or up to the edge the figure uses.
fn mattress(spec: &PoseSpec, x0: f64) -> (f64, f64) {
    match spec.edge {
        Some(e) => (e - BED_LENGTH, e),
        None => (x0 - 0.06, x0 - 0.06 + BED_LENGTH),
    }
}

/// Whether a joint may be past a bed's edge: a leg hanging over it.
fn may_hang(j: usize) -> bool {
    matches!(
        Joint::ALL[j],
        Joint::LeftKnee
            | Joint::LeftAnkle
            | Joint::LeftToe
            | Joint::RightKnee
            | Joint::RightAnkle
            | Joint::RightToe
    )
}

/// What takes a frame off its bed or its pillow: a part beyond the mattress's ends (but a
/// leg over the edge the figure uses), or the head off the pillow.
fn off_bed_or_pillow(spec: &PoseSpec, props: &[Prop], s: &Solved, out: &mut Vec<(String, String)>) {
    for p in props {
        match p.kind {
            PropKind::Bed if spec.view != View::Above => {
                for (i, q) in s.joints.iter().enumerate() {
                    let hangs = spec.edge.is_some() && q[0] > p.max[0] && may_hang(i);
                    if !hangs && (q[0] < p.min[0] - TOUCH || q[0] > p.max[0] + TOUCH) {
                        out.push((
                            Joint::ALL[i].name().to_string(),
                            format!(
                                "is off the end of the mattress (at {:.2}, the bed runs from {:.2} to {:.2})",
                                q[0], p.min[0], p.max[0]
                            ),
                        ));
                    }
                }
            }
            PropKind::Pillow => {
                let h = s.joint(Joint::Head);
                let below = h[1] - RADIUS[Joint::Head.index()];
                if (below - p.max[1]).abs() > TOUCH || h[0] < p.min[0] || h[0] > p.max[0] {
                    out.push((
                        "head".into(),
                        format!(
                            "leaves the pillow (its underside {below:.2} high, the pillow's top {:.2})",
                            p.max[1]
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
}

/// The floor's height under `x`: the mattress top, or beyond a bed's edge the floor.
pub(super) fn floor_at(spec: &PoseSpec, x: f64) -> f64 {
    if spec.view == View::Above {
        // Seen from above a figure on its side, y runs along the floor: no floor below.
        return f64::NEG_INFINITY;
    }
    match (spec.support, spec.edge) {
        (Support::Bed, Some(e)) if x > e => BED_FLOOR,
        _ => 0.0,
    }
}

fn mean_of(s: &Solved, joints: &[Joint]) -> [f64; 3] {
    let n = joints.len().max(1) as f64;
    let mut m = [0.0; 3];
    for j in joints {
        let p = s.joint(*j);
        for i in 0..3 {
            m[i] += p[i] / n;
        }
    }
    m
}

impl PoseSpec {
    /// Every keyframe solved: the first rests on its support; a later one without its own
    /// hip x slides forward or back so its planted parts are where the first has them (the
    /// hips move, the planted foot does not).
    pub fn solved(&self) -> Vec<Solved> {
        let mut out: Vec<Solved> = Vec::with_capacity(self.keyframes.len());
        for (i, k) in self.keyframes.iter().enumerate() {
            let mut s = k.solve(self.support);
            if let (Support::Bed, Some(edge), None) = (self.support, self.edge, k.hip.get(1)) {
                // Rest on the mattress: a leg hanging past its edge does not hold the body up.
                let lowest = s
                    .joints
                    .iter()
                    .zip(RADIUS)
                    .filter(|(p, _)| p[0] <= edge)
                    .map(|(p, r)| p[1] - r)
                    .fold(f64::INFINITY, f64::min);
                if lowest.is_finite() {
                    s = s.shifted([0.0, -lowest, 0.0]);
                }
            }
            let s = match out.first() {
                Some(first) if i > 0 && !self.planted.is_empty() && k.hip.is_empty() => {
                    let (a, b) = (mean_of(first, &self.planted), mean_of(&s, &self.planted));
                    s.shifted([a[0] - b[0], 0.0, 0.0])
                }
                _ => s,
            };
            out.push(s);
        }
        out
    }

    /// The pose `t` (0 to 1) of the way from keyframe `a` to keyframe `b`, with the planted
    /// parts held where they are (the body moves around them). The spec has at least one
    /// keyframe (a checked one has two); an index past the end means the last.
    pub fn tween(&self, a: usize, b: usize, t: f64) -> Solved {
        let solved = self.solved();
        self.tween_solved(&solved, a, b, t)
    }

    /// [`PoseSpec::tween`] with the keyframes already solved (`solved` is what
    /// [`PoseSpec::solved`] gives), for drawing many frames of one figure.
    pub fn tween_solved(&self, solved: &[Solved], a: usize, b: usize, t: f64) -> Solved {
        // A checked figure has two keyframes or more; past the end means the last one.
        let last = self.keyframes.len().saturating_sub(1);
        let (a, b) = (a.min(last), b.min(last));
        let (ka, kb) = (&self.keyframes[a], &self.keyframes[b]);
        let (sa, sb) = (&solved[a], &solved[b]);
        let k = between(ka, kb, sa.joint(Joint::Pelvis), sb.joint(Joint::Pelvis), t);
        let s = k.solve_at([k.hip[0], k.hip[1]]);
        if self.planted.is_empty() {
            return s;
        }
        let t = t.clamp(0.0, 1.0);
        let (ma, mb) = (mean_of(sa, &self.planted), mean_of(sb, &self.planted));
        let now = mean_of(&s, &self.planted);
        let want = [ma[0] + (mb[0] - ma[0]) * t, ma[1] + (mb[1] - ma[1]) * t];
        s.shifted([want[0] - now[0], want[1] - now[1], 0.0])
    }

    /// The same figure on a bed instead of the floor (for someone who cannot get down to
    /// the floor): the body rests on the mattress, which is drawn with its legs.
    pub fn on_bed(&self) -> PoseSpec {
        PoseSpec {
            support: match self.support {
                Support::Floor => Support::Bed,
                s => s,
            },
            ..self.clone()
        }
    }

    /// The same figure for the other side: keyframes mirrored, and the planted parts and
    /// stretched segments swapped left for right.
    pub fn mirrored(&self) -> PoseSpec {
        PoseSpec {
            keyframes: self.keyframes.iter().map(Keyframe::mirrored).collect(),
            planted: self.planted.iter().map(|j| j.mirrored()).collect(),
            stretch: self.stretch.iter().map(|b| mirrored_region(b)).collect(),
            arrow: self.arrow.map(Joint::mirrored),
            wall: match (self.view, self.wall) {
                (View::Front, Some(w)) => Some(-w),
                (_, w) => w,
            },
            ..self.clone()
        }
    }
}

/// Checks the movement: every frame between keyframes (forward and back) keeps the joints
/// in range, stays out of the floor and the props, and keeps planted parts planted; the
/// planted and stretched names are real ones.
pub(super) fn check_motion(spec: &PoseSpec, out: &mut Vec<PoseProblem>) {
    let mut bad = |keyframe: &str, joint: &str, message: String| {
        out.push(PoseProblem {
            keyframe: keyframe.to_string(),
            joint: joint.to_string(),
            message,
        });
    };
    for b in &spec.stretch {
        if !region_names().contains(&b.as_str()) {
            bad(
                "",
                "stretch",
                format!("`{b}` is not a region; use {}", region_names().join(", ")),
            );
        }
    }
    let solved = spec.solved();
    let Some(first) = solved.first() else {
        return;
    };
    let props = props(spec);
    let frame_problems = |s: &Solved, out: &mut Vec<(String, String)>| {
        for (i, (p, r)) in s.joints.iter().zip(RADIUS).enumerate() {
            let floor = floor_at(spec, p[0]);
            if p[1] - r < floor - TOUCH {
                out.push((
                    Joint::ALL[i].name().to_string(),
                    format!("passes {:.2} through the floor", floor - (p[1] - r)),
                ));
            }
            for prop in props.iter().filter(|p| p.solid()) {
                let d = prop.depth_in(*p, r);
                if d > TOUCH && !(prop.kind == PropKind::Seat && i == 0) {
                    out.push((
                        Joint::ALL[i].name().to_string(),
                        format!("passes {d:.2} into the {}", prop_name(prop.kind)),
                    ));
                }
            }
        }
        off_bed_or_pillow(spec, &props, s, out);
        for j in &spec.planted {
            let d = dist(s.joint(*j), first.joint(*j));
            if d > PLANT_DRIFT {
                out.push((
                    j.name().to_string(),
                    format!("is planted but moves {d:.2} from where it starts"),
                ));
            }
        }
    };
    let n = spec.keyframes.len();
    let mut pairs: Vec<(usize, usize)> = (1..n).map(|i| (i - 1, i)).collect();
    pairs.extend((1..n).rev().map(|i| (i, i - 1)));
    let mut seen = std::collections::BTreeSet::new();
    for (a, b) in pairs {
        for step in 0..=CHECK_STEPS {
            let t = step as f64 / CHECK_STEPS as f64;
            let k = between(
                &spec.keyframes[a],
                &spec.keyframes[b],
                solved[a].joint(Joint::Pelvis),
                solved[b].joint(Joint::Pelvis),
                t,
            );
            let mut ranges = Vec::new();
            check_ranges(&k, &mut ranges);
            let mut found: Vec<(String, String)> =
                ranges.into_iter().map(|p| (p.joint, p.message)).collect();
            frame_problems(&spec.tween_solved(&solved, a, b, t), &mut found);
            for (joint, message) in found {
                // Report each joint's first problem on each move once.
                if seen.insert((a.min(b), joint.clone())) {
                    let name = format!(
                        "{} to {} ({:.0}% of the way)",
                        spec.keyframes[a].name,
                        spec.keyframes[b].name,
                        t * 100.0
                    );
                    bad(&name, &joint, message);
                }
            }
        }
    }
}

fn prop_name(k: PropKind) -> &'static str {
    match k {
        PropKind::Mat => "mat",
        PropKind::Bed => "bed",
        PropKind::Pillow => "pillow",
        PropKind::Seat => "chair seat",
        PropKind::ChairBack => "chair back",
        PropKind::Wall => "wall",
        PropKind::DoorPost => "door frame",
    }
}
