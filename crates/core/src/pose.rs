//! The stick figure: a skeleton with fixed segment lengths, poses given as segment angles,
//! forward kinematics, interpolation between keyframes, mirroring for the other side, and
//! the checks every pose must pass (human joint ranges, resting on its support, matching
//! the exercise's position).
//!
//! Units are body heights (a standing figure is about 1.0 tall), y points up. Each segment's
//! direction is a `pitch` in the side plane (0 = the way the figure faces when standing,
//! 90 = up, 180 = behind, -90 = down) and an optional `tilt` toward the figure's left (+) or
//! right (-). The side view shows (x, y); the front view shows the figure's left on the right,
//! (z, y), so a segment pointing at the viewer is foreshortened, as it would be.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::vocab::Position;

/// Segment lengths (body heights).
pub mod len {
    /// Hip centre to shoulder centre.
    pub const TRUNK: f64 = 0.30;
    /// Shoulder centre to the head's centre.
    pub const HEAD: f64 = 0.12;
    /// Shoulder to elbow.
    pub const UPPER_ARM: f64 = 0.17;
    /// Elbow to hand.
    pub const FOREARM: f64 = 0.16;
    /// Hip to knee.
    pub const THIGH: f64 = 0.25;
    /// Knee to ankle.
    pub const SHIN: f64 = 0.25;
    /// Ankle to toe.
    pub const FOOT: f64 = 0.09;
    /// Half the width of the hips.
    pub const HIP_HALF: f64 = 0.07;
    /// Half the width of the shoulders.
    pub const SHOULDER_HALF: f64 = 0.10;
    /// The head's radius.
    pub const HEAD_R: f64 = 0.07;
}

/// The height of a chair seat (a shin's length, less the foot's thickness).
pub const SEAT: f64 = 0.23;
/// How far the hip joint sits above the seat.
pub const SEAT_OFFSET: f64 = 0.05;
/// How far a body part may float above, or sink into, its support and still touch it.
pub const TOUCH: f64 = 0.035;

/// Which way the figure is seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    /// From the figure's left side.
    Side,
    /// From the front.
    Front,
}

/// What the body rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Support {
    /// The floor (or a mat).
    Floor,
    /// A bed.
    Bed,
    /// A chair: the pelvis on the seat, the feet on the floor.
    Chair,
}

/// A segment's direction: pitch alone, or `[pitch, tilt]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Dir {
    /// In the side plane.
    Pitch(f64),
    /// Leaning sideways by `tilt` degrees.
    PitchTilt([f64; 2]),
}

impl Dir {
    fn pt(self) -> (f64, f64) {
        match self {
            Dir::Pitch(p) => (p, 0.0),
            Dir::PitchTilt([p, t]) => (p, t),
        }
    }
    fn mirrored(self) -> Dir {
        match self {
            Dir::Pitch(p) => Dir::Pitch(p),
            Dir::PitchTilt([p, t]) => Dir::PitchTilt([p, -t]),
        }
    }
}

/// One keyframe as written in a catalogue file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keyframe {
    /// A short name: `start`, `stretch`.
    pub name: String,
    /// The hip centre `[x]` or `[x, y]`; without y the figure rests on its support.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hip: Vec<f64>,
    /// Hip centre to shoulder centre.
    pub trunk: Dir,
    /// The shoulders' turn about the vertical, degrees (a twist of the trunk).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub twist: f64,
    /// Shoulder centre to head; the trunk's direction when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<Dir>,
    /// Left upper arm and forearm.
    pub left_arm: [Dir; 2],
    /// Right arm; mirrors the left when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_arm: Option<[Dir; 2]>,
    /// Left thigh, shin and foot.
    pub left_leg: [Dir; 3],
    /// Right leg; mirrors the left when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_leg: Option<[Dir; 3]>,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

/// The pose data of a catalogue entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoseSpec {
    /// side or front.
    pub view: View,
    /// floor, bed or chair.
    pub support: Support,
    /// A wall to lean on or touch, at this x (side view) or z (front view).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall: Option<f64>,
    /// Two or more keyframes; the first is the start pose, the last the stretch.
    pub keyframes: Vec<Keyframe>,
}

/// Joint names, in drawing order.
pub const JOINTS: [&str; 17] = [
    "pelvis",
    "neck",
    "head",
    "left_shoulder",
    "left_elbow",
    "left_hand",
    "right_shoulder",
    "right_elbow",
    "right_hand",
    "left_hip",
    "left_knee",
    "left_ankle",
    "left_toe",
    "right_hip",
    "right_knee",
    "right_ankle",
    "right_toe",
];

/// The segments drawn, as joint index pairs.
pub const BONES: [(usize, usize); 16] = [
    (0, 1),
    (1, 2),
    (1, 3),
    (3, 4),
    (4, 5),
    (1, 6),
    (6, 7),
    (7, 8),
    (0, 9),
    (9, 10),
    (10, 11),
    (11, 12),
    (0, 13),
    (13, 14),
    (14, 15),
    (15, 16),
];

/// How thick the body is around each joint (the distance from a joint's centre to the
/// surface it rests on).
const RADIUS: [f64; 17] = [
    0.06,
    0.06,
    len::HEAD_R,
    0.05,
    0.04,
    0.03,
    0.05,
    0.04,
    0.03,
    0.06,
    0.04,
    0.03,
    0.02,
    0.06,
    0.04,
    0.03,
    0.02,
];

/// A solved pose: 3D joint positions (x forward, y up, z the figure's left).
#[derive(Debug, Clone, PartialEq)]
pub struct Solved {
    /// The keyframe's name.
    pub name: String,
    /// One position per joint, in [`JOINTS`] order.
    pub joints: [[f64; 3]; 17],
}

impl Solved {
    /// A joint's position by name.
    pub fn joint(&self, name: &str) -> [f64; 3] {
        JOINTS
            .iter()
            .position(|j| *j == name)
            .map_or([0.0; 3], |i| self.joints[i])
    }

    /// The joints as the view shows them: (x, y) from the side, (z, y) from the front.
    pub fn projected(&self, view: View) -> Vec<[f64; 2]> {
        self.joints
            .iter()
            .map(|p| match view {
                View::Side => [p[0], p[1]],
                View::Front => [p[2], p[1]],
            })
            .collect()
    }
}

fn dir3(d: Dir) -> [f64; 3] {
    let (p, t) = d.pt();
    let (p, t) = (p.to_radians(), t.to_radians());
    [p.cos() * t.cos(), p.sin() * t.cos(), t.sin()]
}

fn add(a: [f64; 3], b: [f64; 3], k: f64) -> [f64; 3] {
    [a[0] + b[0] * k, a[1] + b[1] * k, a[2] + b[2] * k]
}

impl Keyframe {
    fn right_arm(&self) -> [Dir; 2] {
        self.right_arm
            .unwrap_or([self.left_arm[0].mirrored(), self.left_arm[1].mirrored()])
    }
    fn right_leg(&self) -> [Dir; 3] {
        self.right_leg.unwrap_or([
            self.left_leg[0].mirrored(),
            self.left_leg[1].mirrored(),
            self.left_leg[2].mirrored(),
        ])
    }

    /// The same pose on the other side: left and right swapped, sideways leans reversed.
    pub fn mirrored(&self) -> Keyframe {
        let m2 = |a: [Dir; 2]| [a[0].mirrored(), a[1].mirrored()];
        let m3 = |a: [Dir; 3]| [a[0].mirrored(), a[1].mirrored(), a[2].mirrored()];
        Keyframe {
            name: self.name.clone(),
            hip: self.hip.clone(),
            trunk: self.trunk.mirrored(),
            twist: -self.twist,
            head: self.head.map(Dir::mirrored),
            left_arm: m2(self.right_arm()),
            right_arm: Some(m2(self.left_arm)),
            left_leg: m3(self.right_leg()),
            right_leg: Some(m3(self.left_leg)),
        }
    }

    /// Forward kinematics with the hip centre at `hip` (x, y).
    fn solve_at(&self, hip: [f64; 2]) -> Solved {
        let pelvis = [hip[0], hip[1], 0.0];
        let neck = add(pelvis, dir3(self.trunk), len::TRUNK);
        let head = add(neck, dir3(self.head.unwrap_or(self.trunk)), len::HEAD);
        // The shoulder line is across the body (z), turned by the twist about the vertical.
        let tw = self.twist.to_radians();
        let across = [-tw.sin(), 0.0, tw.cos()];
        let ls = add(neck, across, len::SHOULDER_HALF);
        let rs = add(neck, across, -len::SHOULDER_HALF);
        let ra = self.right_arm();
        let le = add(ls, dir3(self.left_arm[0]), len::UPPER_ARM);
        let lh = add(le, dir3(self.left_arm[1]), len::FOREARM);
        let re = add(rs, dir3(ra[0]), len::UPPER_ARM);
        let rh = add(re, dir3(ra[1]), len::FOREARM);
        let rl = self.right_leg();
        let lhip = add(pelvis, [0.0, 0.0, 1.0], len::HIP_HALF);
        let rhip = add(pelvis, [0.0, 0.0, -1.0], len::HIP_HALF);
        let lk = add(lhip, dir3(self.left_leg[0]), len::THIGH);
        let la = add(lk, dir3(self.left_leg[1]), len::SHIN);
        let lt = add(la, dir3(self.left_leg[2]), len::FOOT);
        let rk = add(rhip, dir3(rl[0]), len::THIGH);
        let ran = add(rk, dir3(rl[1]), len::SHIN);
        let rt = add(ran, dir3(rl[2]), len::FOOT);
        Solved {
            name: self.name.clone(),
            joints: [
                pelvis, neck, head, ls, le, lh, rs, re, rh, lhip, lk, la, lt, rhip, rk, ran, rt,
            ],
        }
    }

    /// Solves the pose, resting it on its support when the hip's height is not given.
    pub fn solve(&self, support: Support) -> Solved {
        let x = self.hip.first().copied().unwrap_or(0.0);
        if let Some(y) = self.hip.get(1) {
            return self.solve_at([x, *y]);
        }
        let probe = self.solve_at([x, 0.0]);
        let y = match support {
            Support::Chair => SEAT + SEAT_OFFSET,
            Support::Floor | Support::Bed => {
                let lowest = probe
                    .joints
                    .iter()
                    .zip(RADIUS)
                    .map(|(p, r)| p[1] - r)
                    .fold(f64::INFINITY, f64::min);
                -lowest
            }
        };
        self.solve_at([x, y])
    }

    fn dirs(&self) -> Vec<Dir> {
        let mut v = vec![self.trunk, self.head.unwrap_or(self.trunk)];
        v.extend(self.left_arm);
        v.extend(self.right_arm());
        v.extend(self.left_leg);
        v.extend(self.right_leg());
        v
    }
}

fn lerp_angle(a: f64, b: f64, t: f64) -> f64 {
    let mut d = (b - a) % 360.0;
    if d > 180.0 {
        d -= 360.0;
    } else if d < -180.0 {
        d += 360.0;
    }
    a + d * t
}

fn lerp_dir(a: Dir, b: Dir, t: f64) -> Dir {
    let (pa, ta) = a.pt();
    let (pb, tb) = b.pt();
    Dir::PitchTilt([lerp_angle(pa, pb, t), ta + (tb - ta) * t])
}

/// A pose `t` (0 to 1) of the way from `a` to `b`: angles turn the short way round, so limbs
/// keep their length on the way.
pub fn interpolate(a: &Keyframe, b: &Keyframe, t: f64, support: Support) -> Solved {
    let t = t.clamp(0.0, 1.0);
    let sa = a.solve(support);
    let sb = b.solve(support);
    let hip = [
        sa.joints[0][0] + (sb.joints[0][0] - sa.joints[0][0]) * t,
        sa.joints[0][1] + (sb.joints[0][1] - sa.joints[0][1]) * t,
    ];
    let la = a.dirs();
    let lb = b.dirs();
    let d = |i: usize| lerp_dir(la[i], lb[i], t);
    let k = Keyframe {
        name: format!("{} to {}", a.name, b.name),
        hip: vec![hip[0], hip[1]],
        trunk: d(0),
        twist: a.twist + (b.twist - a.twist) * t,
        head: Some(d(1)),
        left_arm: [d(2), d(3)],
        right_arm: Some([d(4), d(5)]),
        left_leg: [d(6), d(7), d(8)],
        right_leg: Some([d(9), d(10), d(11)]),
    };
    k.solve_at(hip)
}

/// One problem with a pose.
#[derive(Debug, Clone, PartialEq)]
pub struct PoseProblem {
    /// The keyframe's name.
    pub keyframe: String,
    /// The joint or segment at fault.
    pub joint: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PoseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "keyframe `{}`, {}: {}",
            self.keyframe, self.joint, self.message
        )
    }
}

fn norm(a: f64) -> f64 {
    let mut a = a % 360.0;
    if a > 180.0 {
        a -= 360.0;
    } else if a <= -180.0 {
        a += 360.0;
    }
    a
}

fn angle_between(a: [f64; 3], b: [f64; 3]) -> f64 {
    let dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    dot.clamp(-1.0, 1.0).acos().to_degrees()
}

fn dist(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Checks one keyframe's joint ranges; problems are added to `out`.
fn check_ranges(k: &Keyframe, out: &mut Vec<PoseProblem>) {
    let mut bad = |joint: &str, message: String| {
        out.push(PoseProblem {
            keyframe: k.name.clone(),
            joint: joint.to_string(),
            message,
        });
    };
    let (tp, tt) = k.trunk.pt();
    let (hp, ht) = k.head.unwrap_or(k.trunk).pt();
    let neck = norm(hp - tp);
    if !(-75.0..=60.0).contains(&neck) {
        bad(
            "neck",
            format!(
                "bends {neck:.0} degrees from the trunk; a neck bends from 75 forward to 60 back"
            ),
        );
    }
    if (ht - tt).abs() > 50.0 {
        bad(
            "neck",
            format!(
                "leans {:.0} degrees sideways from the trunk; at most 50",
                (ht - tt).abs()
            ),
        );
    }
    if tt.abs() > 45.0 {
        bad(
            "trunk",
            format!("leans {:.0} degrees sideways; at most 45", tt.abs()),
        );
    }
    if k.twist.abs() > 60.0 {
        bad(
            "trunk",
            format!("twists {:.0} degrees; at most 60", k.twist.abs()),
        );
    }
    for (side, arm) in [("left", k.left_arm), ("right", k.right_arm())] {
        let (up, _) = arm[0].pt();
        // From the arm by the side (0) through overhead (180) to a little beyond (200).
        let shoulder = norm(up - tp + 180.0);
        if !((-90.0..=180.0).contains(&shoulder) || shoulder <= -160.0) {
            bad(
                &format!("{side}_shoulder"),
                format!("the arm reaches {shoulder:.0} degrees behind the body; at most 90"),
            );
        }
        let elbow = angle_between(dir3(arm[0]), dir3(arm[1]));
        let (fp, _) = arm[1].pt();
        let signed = norm(fp - up);
        if elbow > 165.0 {
            bad(
                &format!("{side}_elbow"),
                format!("bends {elbow:.0} degrees; at most 165"),
            );
        } else if signed < -10.0 && arm[0].pt().1.abs() < 30.0 && arm[1].pt().1.abs() < 30.0 {
            bad(
                &format!("{side}_elbow"),
                format!("bends backwards by {:.0} degrees", -signed),
            );
        }
    }
    for (side, leg, outward) in [("left", k.left_leg, 1.0), ("right", k.right_leg(), -1.0)] {
        let (thp, tht) = leg[0].pt();
        let (shp, sht) = leg[1].pt();
        // A thigh leaning out to its own side is abduction, whichever side it is.
        let abduction = tht * outward;
        let hip = norm(thp - tp + 180.0);
        if !(-35.0..=160.0).contains(&hip) {
            bad(
                &format!("{side}_hip"),
                format!("flexes {hip:.0} degrees; a hip moves from 35 back to 160 forward"),
            );
        }
        if !(-45.0..=60.0).contains(&abduction) {
            bad(
                &format!("{side}_hip"),
                format!(
                    "moves the thigh {abduction:.0} degrees out to the side; from -45 (across) to 60 (out)"
                ),
            );
        }
        let knee = angle_between(dir3(leg[0]), dir3(leg[1]));
        let signed = norm(thp - shp);
        if knee > 165.0 {
            bad(
                &format!("{side}_knee"),
                format!("bends {knee:.0} degrees; at most 165"),
            );
        } else if signed < -5.0 && tht.abs() < 30.0 && sht.abs() < 30.0 {
            bad(
                &format!("{side}_knee"),
                format!("bends backwards by {:.0} degrees", -signed),
            );
        }
        // 90 degrees standing, near 0 with the foot pointed, about 115 with the toes pulled up.
        let ankle = angle_between(dir3(leg[1]), dir3(leg[2]));
        if ankle > 135.0 {
            bad(
                &format!("{side}_ankle"),
                format!("sets the foot at {ankle:.0} degrees to the shin; at most 135"),
            );
        }
    }
}

/// The body's lowest surface point: (joint index, height of its surface).
fn lowest(s: &Solved) -> (usize, f64) {
    s.joints
        .iter()
        .zip(RADIUS)
        .map(|(p, r)| p[1] - r)
        .enumerate()
        .fold(
            (0, f64::INFINITY),
            |a, (i, y)| if y < a.1 { (i, y) } else { a },
        )
}

fn touches(s: &Solved, name: &str) -> bool {
    let i = JOINTS.iter().position(|j| *j == name).unwrap_or(0);
    s.joints[i][1] - RADIUS[i] <= TOUCH
}

/// Checks a solved pose against its support and the exercise's position.
fn check_placement(s: &Solved, support: Support, position: Position, out: &mut Vec<PoseProblem>) {
    let mut bad = |joint: &str, message: String| {
        out.push(PoseProblem {
            keyframe: s.name.clone(),
            joint: joint.to_string(),
            message,
        });
    };
    for (i, (p, r)) in s.joints.iter().zip(RADIUS).enumerate() {
        if p[1] - r < -TOUCH {
            bad(
                JOINTS[i],
                format!("sinks {:.2} below the floor", -(p[1] - r)),
            );
        }
    }
    let (li, ly) = lowest(s);
    if ly > TOUCH {
        bad(
            JOINTS[li],
            format!(
                "the body floats {ly:.2} above the {}",
                match support {
                    Support::Bed => "bed",
                    _ => "floor",
                }
            ),
        );
    }
    let pelvis = s.joint("pelvis");
    if support == Support::Chair {
        let on_seat = pelvis[1] - SEAT_OFFSET;
        if (on_seat - SEAT).abs() > TOUCH {
            bad(
                "pelvis",
                format!(
                    "is {:.2} from the chair seat; a seated figure sits on it",
                    on_seat - SEAT
                ),
            );
        }
    }
    let (tp, _) = {
        let n = s.joint("neck");
        let d = [n[0] - pelvis[0], n[1] - pelvis[1]];
        (d[1].atan2(d[0]).to_degrees(), 0.0)
    };
    let upright = (tp - 90.0).abs() <= 55.0;
    let both = |a: &str, b: &str| touches(s, a) && touches(s, b);
    let check =
        |ok: bool, joint: &str, what: &str| (!ok).then(|| (joint.to_string(), what.to_string()));
    let problem = match position {
        Position::Supine => check(
            (norm(tp) - 180.0).abs() <= 40.0 || (norm(tp) + 180.0).abs() <= 40.0,
            "trunk",
            "a supine figure lies on its back, head to the left",
        )
        .or_else(|| {
            check(
                touches(s, "pelvis") || touches(s, "neck"),
                "pelvis",
                "a supine figure lies on the floor",
            )
        }),
        Position::Prone => check(
            norm(tp).abs() <= 40.0,
            "trunk",
            "a prone figure lies face down",
        ),
        Position::SideLying => check(
            norm(tp).abs() <= 40.0 || (norm(tp).abs() - 180.0).abs() <= 40.0,
            "trunk",
            "a side-lying figure lies down",
        ),
        Position::Quadruped => check(
            both("left_hand", "right_hand"),
            "left_hand",
            "on all fours both hands are down",
        )
        .or_else(|| {
            check(
                both("left_knee", "right_knee"),
                "left_knee",
                "on all fours both knees are down",
            )
        }),
        Position::Kneeling => check(
            both("left_knee", "right_knee"),
            "left_knee",
            "kneeling, both knees are down",
        ),
        Position::HalfKneeling => check(
            (touches(s, "left_knee") && touches(s, "right_ankle"))
                || (touches(s, "right_knee") && touches(s, "left_ankle")),
            "left_knee",
            "half-kneeling, one knee and the other foot are down",
        ),
        Position::SeatedFloor => check(
            touches(s, "pelvis"),
            "pelvis",
            "seated on the floor, the pelvis is down",
        )
        .or_else(|| {
            check(
                upright || (tp - 90.0).abs() <= 70.0,
                "trunk",
                "a seated figure sits up",
            )
        }),
        Position::SeatedChair => check(
            support == Support::Chair,
            "pelvis",
            "a seated-chair figure needs a chair",
        )
        .or_else(|| {
            check(
                ["left_ankle", "right_ankle", "left_toe", "right_toe"]
                    .iter()
                    .any(|j| touches(s, j)),
                "left_ankle",
                "seated on a chair, the feet are on the floor",
            )
        }),
        Position::Standing => check(
            (touches(s, "left_ankle") || touches(s, "left_toe"))
                && (touches(s, "right_ankle") || touches(s, "right_toe")),
            "left_ankle",
            "a standing figure has both feet on the floor",
        )
        .or_else(|| check(pelvis[1] >= 0.35, "pelvis", "a standing figure stands up")),
    };
    if let Some((joint, what)) = problem {
        bad(&joint, what);
    }
}

/// Every problem with a pose: too few keyframes, limbs out of human range, segments of the
/// wrong length, a body not resting on its support, a figure not in the entry's position.
pub fn check(spec: &PoseSpec, position: Position) -> Vec<PoseProblem> {
    let mut out = Vec::new();
    if spec.keyframes.len() < 2 {
        out.push(PoseProblem {
            keyframe: spec
                .keyframes
                .first()
                .map_or_else(String::new, |k| k.name.clone()),
            joint: "keyframes".into(),
            message: "needs at least two keyframes (a start and an end pose)".into(),
        });
    }
    for k in &spec.keyframes {
        check_ranges(k, &mut out);
        let s = k.solve(spec.support);
        // The skeleton keeps its lengths (a guard on the solver, and on interpolation).
        for (i, (a, b)) in BONES.iter().enumerate() {
            let want = bone_length(i);
            let got = dist(s.joints[*a], s.joints[*b]);
            if (got - want).abs() > 1e-6 {
                out.push(PoseProblem {
                    keyframe: k.name.clone(),
                    joint: JOINTS[*b].into(),
                    message: format!("segment is {got:.3} long, not {want:.3}"),
                });
            }
        }
        check_placement(&s, spec.support, position, &mut out);
    }
    out
}

/// The fixed length of bone `i` in [`BONES`].
pub fn bone_length(i: usize) -> f64 {
    use len::*;
    match i {
        0 => TRUNK,
        1 => HEAD,
        2 | 5 => SHOULDER_HALF,
        3 | 6 => UPPER_ARM,
        4 | 7 => FOREARM,
        8 | 12 => HIP_HALF,
        9 | 13 => THIGH,
        10 | 14 => SHIN,
        _ => FOOT,
    }
}

/// Every keyframe solved, for the JSON and the drawings.
pub fn solve_all(spec: &PoseSpec) -> Vec<Solved> {
    spec.keyframes
        .iter()
        .map(|k| k.solve(spec.support))
        .collect()
}

/// The solved joints of one keyframe as a name-to-position map in the view's plane.
pub fn joint_map(s: &Solved, view: View) -> BTreeMap<&'static str, [f64; 2]> {
    JOINTS
        .iter()
        .zip(s.projected(view))
        .map(|(n, p)| {
            (
                *n,
                [
                    (p[0] * 1000.0).round() / 1000.0,
                    (p[1] * 1000.0).round() / 1000.0,
                ],
            )
        })
        .collect()
}

#[cfg(test)]
mod tests;
