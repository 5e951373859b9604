//! The stick figure: a skeleton with fixed segment lengths, poses given as segment angles,
//! forward kinematics, interpolation between keyframes, mirroring for the other side, and
//! the checks every pose must pass (human joint ranges, resting on its support, matching
//! the exercise's position).
//!
//! Units are body heights (a standing figure is about 1.0 tall), y points up. Each segment's
//! direction is a `pitch` in the side plane (0 = the way the figure faces when standing,
//! 90 = up, 180 = behind, -90 = down) and an optional `tilt` toward the figure's left (+) or
//! right (-). The side view shows (x, y); the front view shows the figure's left on the right,
//! (z, y), so a segment pointing at the viewer is foreshortened, as it would be; the view
//! from above shows (x, -z), the figure's left toward the bottom.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Segment lengths (body heights).
pub mod len {
    /// Hip centre to shoulder centre.
    pub const TRUNK: f64 = 0.30;
    /// Hip centre to the middle of the back (the lumbar spine).
    pub const LUMBAR: f64 = 0.14;
    /// The middle of the back to the shoulder centre (the thoracic spine).
    pub const THORACIC: f64 = 0.16;
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
    /// From above (for moves across the floor: knees rolling to the side).
    Top,
    /// From above a figure lying on its side (on its right side, its left toward the
    /// ceiling): drawn as the side view of a figure whose back is at y = 0 and whose front
    /// faces +y, on the floor seen from above.
    Above,
    /// From the figure's left, a little toward its feet or front and from above (for moves
    /// neither the side nor the front shows: knees rolling over, a trunk turning).
    Oblique,
}

/// The oblique view's turn from the side toward the figure's front, and its look down,
/// degrees.
const OBLIQUE: (f64, f64) = (50.0, 35.0);

fn oblique_axes() -> [[f64; 3]; 3] {
    let (a, e) = (OBLIQUE.0.to_radians(), OBLIQUE.1.to_radians());
    [
        // Right across the picture, up it, and toward the viewer.
        [a.cos(), 0.0, -a.sin()],
        [-a.sin() * e.sin(), e.cos(), -a.cos() * e.sin()],
        [a.sin() * e.cos(), e.sin(), a.cos() * e.cos()],
    ]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

impl View {
    /// A point as this view shows it.
    pub fn project(self, p: [f64; 3]) -> [f64; 2] {
        match self {
            View::Side | View::Above => [p[0], p[1]],
            View::Front => [p[2], p[1]],
            View::Top => [p[0], -p[2]],
            View::Oblique => {
                let [r, u, _] = oblique_axes();
                [dot(p, r), dot(p, u)]
            }
        }
    }

    /// How near a point is to the viewer (larger is nearer).
    pub fn depth(self, p: [f64; 3]) -> f64 {
        match self {
            View::Side | View::Above => p[2],
            View::Front => p[0],
            View::Top => p[1],
            View::Oblique => dot(p, oblique_axes()[2]),
        }
    }

    /// The direction toward the viewer.
    pub fn toward(self) -> [f64; 3] {
        match self {
            View::Side | View::Above => [0.0, 0.0, 1.0],
            View::Front => [1.0, 0.0, 0.0],
            View::Top => [0.0, 1.0, 0.0],
            View::Oblique => oblique_axes()[2],
        }
    }

    /// Whether it looks down on a figure lying on the floor (no floor line, no height).
    pub fn from_above(self) -> bool {
        matches!(self, View::Top | View::Above)
    }

    /// Whether bone `i` of [`BONES`] is on the far side of the body in this view (drawn
    /// lighter, and first): from the side, the right arm and leg.
    pub fn far_bone(self, i: usize) -> bool {
        matches!(self, View::Side | View::Above | View::Oblique)
            && (matches!(i, 5..=7) || (12..=15).contains(&i))
    }

    /// `Seen from the left.`
    pub fn note(self) -> &'static str {
        match self {
            View::Side => "Seen from the left.",
            View::Front => "Seen from the front.",
            View::Top => "Seen from above.",
            View::Above => "Seen from above, lying on the right side.",
            View::Oblique => "Seen from the left, a little from above.",
        }
    }
}

/// What the body rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Support {
    /// The floor (or a mat).
    Floor,
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
    fn numbers(self) -> [f64; 2] {
        let (p, t) = self.pt();
        [p, t]
    }

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

impl Keyframe {
    /// Every number it holds, with the field it is in.
    pub fn numbers(&self) -> Vec<(&'static str, f64)> {
        let mut out: Vec<(&'static str, f64)> = self.hip.iter().map(|v| ("hip", *v)).collect();
        out.push(("twist", self.twist));
        out.push(("turn", self.turn));
        out.push(("spine", self.spine));
        out.push(("nod", self.nod));
        out.push(("blades", self.blades));
        let dirs: Vec<(&'static str, Dir)> = [("trunk", Some(self.trunk)), ("head", self.head)]
            .into_iter()
            .filter_map(|(n, d)| d.map(|d| (n, d)))
            .chain(self.left_arm.iter().map(|d| ("left_arm", *d)))
            .chain(self.right_arm.iter().flatten().map(|d| ("right_arm", *d)))
            .chain(self.left_leg.iter().map(|d| ("left_leg", *d)))
            .chain(self.right_leg.iter().flatten().map(|d| ("right_leg", *d)))
            .collect();
        for (n, d) in dirs {
            out.extend(d.numbers().map(|v| (n, v)));
        }
        out
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
    /// How the back bends between the hips and the shoulders, degrees: rounded (+, the
    /// lumbar and thoracic spine flexed, as in the cat) or arched (-); `trunk` stays the line
    /// from the hips to the shoulders.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub spine: f64,
    /// How far the face tips down (+) or up (-) from square to the neck, degrees: a nod, as
    /// against the neck's own direction (`head`), which glides the head forward or back.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub nod: f64,
    /// How far the shoulder blades draw back toward the spine, degrees of the collar bones'
    /// turn (0 relaxed, about 20 squeezed).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub blades: f64,
    /// Shoulder centre to head; the trunk's direction when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<Dir>,
    /// How far the head turns from the shoulders, degrees, to the figure's left (+) or
    /// right (-): where the face looks.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub turn: f64,
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

fn is_false(v: &bool) -> bool {
    !*v
}

/// The pose data of a catalogue entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoseSpec {
    /// side or front.
    pub view: View,
    /// floor, bed or chair.
    pub support: Support,
    /// A wall to lean on or touch, at this x (side and top views) or z (front view).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall: Option<f64>,
    /// A door frame whose posts stand at this x, either side of the figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub door: Option<f64>,
    /// On a bed: the mattress ends at this x, and a leg beyond it may hang toward the floor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edge: Option<f64>,
    /// Joints that stay put through the whole move (`left_toe`, `right_knee`): every
    /// keyframe is placed to keep them where the first has them, the animation holds them
    /// still, and the checks see that they do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub planted: Vec<Joint>,
    /// Where the person should feel the stretch or the work, drawn in orange: regions of
    /// the body (`left_thigh_back`, `buttocks`; see [`Region`]), each serving one of the
    /// exercise's areas.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stretch: Vec<String>,
    /// A close-up of a small movement, drawn in a corner with its own arrow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inset: Option<Inset>,
    /// A pillow under the head (lying on the back): the head rests on it throughout.
    #[serde(default, skip_serializing_if = "is_false")]
    pub pillow: bool,
    /// The joint whose movement the arrow follows; the one that moves most when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrow: Option<Joint>,
    /// Two or more keyframes; the first is the start pose, the last the stretch.
    pub keyframes: Vec<Keyframe>,
}

/// A joint of the skeleton, in drawing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Joint {
    Pelvis,
    Neck,
    Head,
    LeftShoulder,
    LeftElbow,
    LeftHand,
    RightShoulder,
    RightElbow,
    RightHand,
    LeftHip,
    LeftKnee,
    LeftAnkle,
    LeftToe,
    RightHip,
    RightKnee,
    RightAnkle,
    RightToe,
    /// The middle of the back, where the lumbar spine meets the thoracic.
    MidBack,
}

impl Joint {
    /// Every joint, in drawing order.
    pub const ALL: [Joint; 18] = [
        Joint::Pelvis,
        Joint::Neck,
        Joint::Head,
        Joint::LeftShoulder,
        Joint::LeftElbow,
        Joint::LeftHand,
        Joint::RightShoulder,
        Joint::RightElbow,
        Joint::RightHand,
        Joint::LeftHip,
        Joint::LeftKnee,
        Joint::LeftAnkle,
        Joint::LeftToe,
        Joint::RightHip,
        Joint::RightKnee,
        Joint::RightAnkle,
        Joint::RightToe,
        Joint::MidBack,
    ];

    /// Its name in JSON and messages (`left_knee`).
    pub fn name(self) -> &'static str {
        match self {
            Joint::Pelvis => "pelvis",
            Joint::Neck => "neck",
            Joint::Head => "head",
            Joint::LeftShoulder => "left_shoulder",
            Joint::LeftElbow => "left_elbow",
            Joint::LeftHand => "left_hand",
            Joint::RightShoulder => "right_shoulder",
            Joint::RightElbow => "right_elbow",
            Joint::RightHand => "right_hand",
            Joint::LeftHip => "left_hip",
            Joint::LeftKnee => "left_knee",
            Joint::LeftAnkle => "left_ankle",
            Joint::LeftToe => "left_toe",
            Joint::RightHip => "right_hip",
            Joint::RightKnee => "right_knee",
            Joint::RightAnkle => "right_ankle",
            Joint::RightToe => "right_toe",
            Joint::MidBack => "mid_back",
        }
    }

    /// Its place in [`Solved::joints`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The same joint on the other side (the pelvis, neck and head are their own).
    pub fn mirrored(self) -> Joint {
        let i = self.index();
        match i {
            3..=5 => Joint::ALL[i + 3],
            6..=8 => Joint::ALL[i - 3],
            9..=12 => Joint::ALL[i + 4],
            13..=16 => Joint::ALL[i - 4],
            _ => self,
        }
    }
}

impl fmt::Display for Joint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The segments drawn, as joint pairs (parent, child).
pub const BONES: [(Joint, Joint); 17] = [
    (Joint::Pelvis, Joint::MidBack),
    (Joint::Neck, Joint::Head),
    (Joint::Neck, Joint::LeftShoulder),
    (Joint::LeftShoulder, Joint::LeftElbow),
    (Joint::LeftElbow, Joint::LeftHand),
    (Joint::Neck, Joint::RightShoulder),
    (Joint::RightShoulder, Joint::RightElbow),
    (Joint::RightElbow, Joint::RightHand),
    (Joint::Pelvis, Joint::LeftHip),
    (Joint::LeftHip, Joint::LeftKnee),
    (Joint::LeftKnee, Joint::LeftAnkle),
    (Joint::LeftAnkle, Joint::LeftToe),
    (Joint::Pelvis, Joint::RightHip),
    (Joint::RightHip, Joint::RightKnee),
    (Joint::RightKnee, Joint::RightAnkle),
    (Joint::RightAnkle, Joint::RightToe),
    (Joint::MidBack, Joint::Neck),
];

/// The name of each bone of [`BONES`].
pub const BONE_NAMES: [&str; 17] = [
    "lumbar",
    "neck",
    "left_collar",
    "left_upper_arm",
    "left_forearm",
    "right_collar",
    "right_upper_arm",
    "right_forearm",
    "left_hip",
    "left_thigh",
    "left_shin",
    "left_foot",
    "right_hip",
    "right_thigh",
    "right_shin",
    "right_foot",
    "thoracic",
];

/// A bone's name on the other side.
pub fn mirrored_bone(name: &str) -> String {
    if let Some(r) = name.strip_prefix("left_") {
        format!("right_{r}")
    } else if let Some(l) = name.strip_prefix("right_") {
        format!("left_{l}")
    } else {
        name.to_string()
    }
}

/// How thick the body is around each joint (the distance from a joint's centre to the
/// surface it rests on).
const RADIUS: [f64; 18] = [
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
    0.06,
];

/// A solved pose: 3D joint positions (x forward, y up, z the figure's left).
#[derive(Debug, Clone, PartialEq)]
pub struct Solved {
    /// The keyframe's name.
    pub name: String,
    /// One position per joint, in [`Joint::ALL`] order.
    pub joints: [[f64; 3]; 18],
    /// Which way the face looks (a unit vector).
    pub face: [f64; 3],
}

impl Solved {
    /// A joint's position.
    pub fn joint(&self, j: Joint) -> [f64; 3] {
        self.joints[j.index()]
    }

    /// The joints as the view shows them: (x, y) from the side, (z, y) from the front.
    pub fn projected(&self, view: View) -> Vec<[f64; 2]> {
        self.joints.iter().map(|p| view.project(*p)).collect()
    }

    /// The same pose moved by `d`.
    pub fn shifted(mut self, d: [f64; 3]) -> Solved {
        for p in &mut self.joints {
            *p = add(*p, d, 1.0);
        }
        self
    }
}

fn dir3(d: Dir) -> [f64; 3] {
    let (p, t) = d.pt();
    let (p, t) = (p.to_radians(), t.to_radians());
    [p.cos() * t.cos(), p.sin() * t.cos(), t.sin()]
}

/// `v` turned by `angle` radians about the unit `axis` (Rodrigues).
fn rotate(v: [f64; 3], axis: [f64; 3], angle: f64) -> [f64; 3] {
    let (s, c) = angle.sin_cos();
    let dot = v[0] * axis[0] + v[1] * axis[1] + v[2] * axis[2];
    let cross = [
        axis[1] * v[2] - axis[2] * v[1],
        axis[2] * v[0] - axis[0] * v[2],
        axis[0] * v[1] - axis[1] * v[0],
    ];
    [
        v[0] * c + cross[0] * s + axis[0] * dot * (1.0 - c),
        v[1] * c + cross[1] * s + axis[1] * dot * (1.0 - c),
        v[2] * c + cross[2] * s + axis[2] * dot * (1.0 - c),
    ]
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
            turn: -self.turn,
            spine: self.spine,
            nod: self.nod,
            blades: self.blades,
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
        let [lumbar, thoracic] = self.spine_dirs();
        let mid = add(pelvis, dir3(lumbar), len::LUMBAR);
        let neck = add(mid, dir3(thoracic), len::THORACIC);
        let head = add(neck, dir3(self.head.unwrap_or(self.trunk)), len::HEAD);
        // The shoulder line is across the body (z), turned by the twist about the vertical;
        // each collar bone turns back by the blades' squeeze.
        let collar = |side: f64| {
            let a = (self.twist + side * self.blades).to_radians();
            [-a.sin() * side, 0.0, a.cos() * side]
        };
        let ls = add(neck, collar(1.0), len::SHOULDER_HALF);
        let rs = add(neck, collar(-1.0), len::SHOULDER_HALF);
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
        // The face looks square to the head, forward of it in the side plane, then turns
        // about the head's axis with the trunk's twist and the head's own turn.
        let hd = self.head.unwrap_or(self.trunk);
        let (hp, ht) = hd.pt();
        let axis = dir3(hd);
        let ahead = dir3(Dir::PitchTilt([hp - 90.0 - self.nod, ht]));
        // A positive turn is to the figure's left: clockwise about the head's axis.
        let face = rotate(ahead, axis, -(self.twist + self.turn).to_radians());
        Solved {
            name: self.name.clone(),
            joints: [
                pelvis, neck, head, ls, le, lh, rs, re, rh, lhip, lk, la, lt, rhip, rk, ran, rt,
                mid,
            ],
            face,
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

    /// The lumbar and thoracic spine's directions: the trunk's line, bent by `spine` half
    /// each way (rounding bows the back away from the front).
    pub fn spine_dirs(&self) -> [Dir; 2] {
        let (p, t) = self.trunk.pt();
        let half = self.spine / 2.0;
        [Dir::PitchTilt([p + half, t]), Dir::PitchTilt([p - half, t])]
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
    let (sa, sb) = (a.solve(support), b.solve(support));
    let k = between(a, b, sa.joints[0], sb.joints[0], t);
    let hip = [k.hip[0], k.hip[1]];
    k.solve_at(hip)
}

/// The keyframe `t` of the way from `a` (its hip centre at `ha`) to `b` (at `hb`).
pub(crate) fn between(a: &Keyframe, b: &Keyframe, ha: [f64; 3], hb: [f64; 3], t: f64) -> Keyframe {
    let t = t.clamp(0.0, 1.0);
    let hip = [ha[0] + (hb[0] - ha[0]) * t, ha[1] + (hb[1] - ha[1]) * t];
    let la = a.dirs();
    let lb = b.dirs();
    let d = |i: usize| lerp_dir(la[i], lb[i], t);
    Keyframe {
        name: format!("{} to {}", a.name, b.name),
        hip: vec![hip[0], hip[1]],
        trunk: d(0),
        twist: a.twist + (b.twist - a.twist) * t,
        turn: a.turn + (b.turn - a.turn) * t,
        spine: a.spine + (b.spine - a.spine) * t,
        nod: a.nod + (b.nod - a.nod) * t,
        blades: a.blades + (b.blades - a.blades) * t,
        head: Some(d(1)),
        left_arm: [d(2), d(3)],
        right_arm: Some([d(4), d(5)]),
        left_leg: [d(6), d(7), d(8)],
        right_leg: Some([d(9), d(10), d(11)]),
    }
}

/// The fixed length of bone `i` in [`BONES`].
pub fn bone_length(i: usize) -> f64 {
    use len::{
        FOOT, FOREARM, HEAD, HIP_HALF, LUMBAR, SHIN, SHOULDER_HALF, THIGH, THORACIC, UPPER_ARM,
    };
    match i {
        0 => LUMBAR,
        16 => THORACIC,
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

/// Every keyframe solved and placed (see [`PoseSpec::solved`]), for the JSON and the
/// drawings.
pub fn solve_all(spec: &PoseSpec) -> Vec<Solved> {
    spec.solved()
}

/// The solved joints of one keyframe as a name-to-position map in the view's plane.
pub fn joint_map(s: &Solved, view: View) -> BTreeMap<&'static str, [f64; 2]> {
    Joint::ALL
        .iter()
        .zip(s.projected(view))
        .map(|(n, p)| {
            (
                n.name(),
                [
                    (p[0] * 1000.0).round() / 1000.0,
                    (p[1] * 1000.0).round() / 1000.0,
                ],
            )
        })
        .collect()
}

mod checks;
mod motion;
mod region;

pub use checks::{PoseProblem, check};
pub use motion::{BED_FLOOR, DOOR_HALF, PILLOW, Prop, PropKind, props};
pub use region::{
    Highlight, Inset, MIN_INSET_MOVE, check_regions, highlights, inset_arrow, inset_arrow_of,
    region_names,
};

#[cfg(test)]
mod tests;
