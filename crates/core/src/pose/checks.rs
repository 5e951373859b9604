//! The checks every pose passes: human ranges of motion, constant segment lengths, and a
//! figure resting on its support in the position its exercise names.

use std::fmt;

use crate::vocab::Position;

use super::{
    BONES, Dir, Joint, Keyframe, PoseSpec, RADIUS, SEAT, SEAT_OFFSET, Solved, Support, TOUCH, View,
    bone_length, dir3, motion,
};

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

pub(super) fn norm(a: f64) -> f64 {
    let mut a = a % 360.0;
    if a > 180.0 {
        a -= 360.0;
    } else if a <= -180.0 {
        a += 360.0;
    }
    a
}

pub(super) fn angle_between(a: [f64; 3], b: [f64; 3]) -> f64 {
    let dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    dot.clamp(-1.0, 1.0).acos().to_degrees()
}

pub(super) fn dist(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Checks one keyframe's joint ranges; problems are added to `out`.
pub(super) fn check_ranges(k: &Keyframe, out: &mut Vec<PoseProblem>) {
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
    if !(-40.0..=70.0).contains(&k.spine) {
        bad(
            "spine",
            format!(
                "bends {:.0} degrees; a back rounds up to 70 and arches up to 40",
                k.spine
            ),
        );
    }
    if !(-45.0..=50.0).contains(&k.nod) {
        bad(
            "head",
            format!(
                "nods {:.0} degrees; the head tips from 45 up to 50 down on the neck",
                k.nod
            ),
        );
    }
    if !(-10.0..=30.0).contains(&k.blades) {
        bad(
            "blades",
            format!(
                "draws the shoulder blades {:.0} degrees; from -10 (forward) to 30 (squeezed)",
                k.blades
            ),
        );
    }
    if k.twist.abs() > 60.0 {
        bad(
            "trunk",
            format!("twists {:.0} degrees; at most 60", k.twist.abs()),
        );
    }
    // The arms hang from the thoracic spine, the legs from the pelvis (the lumbar spine).
    let [lumbar, thoracic] = k.spine_dirs();
    for (side, arm) in [("left", k.left_arm), ("right", k.right_arm())] {
        check_arm(side, arm, thoracic.pt().0, &mut bad);
    }
    for (side, leg, outward) in [("left", k.left_leg, 1.0), ("right", k.right_leg(), -1.0)] {
        check_leg(side, leg, outward, lumbar.pt().0, &mut bad);
    }
}

/// Checks one arm's shoulder and elbow, the trunk at `tp` degrees.
fn check_arm(side: &str, arm: [Dir; 2], tp: f64, bad: &mut impl FnMut(&str, String)) {
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

/// Checks one leg's hip, knee and ankle, the trunk at `tp` degrees; `outward` is the sign of
/// a lean out to the leg's own side.
fn check_leg(side: &str, leg: [Dir; 3], outward: f64, tp: f64, bad: &mut impl FnMut(&str, String)) {
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

/// The body's lowest surface point: (joint index, height of its surface).
pub(super) fn lowest(s: &Solved) -> (usize, f64) {
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

pub(super) fn touches(s: &Solved, j: Joint) -> bool {
    let i = j.index();
    s.joints[i][1] - RADIUS[i] <= TOUCH
}

/// Checks a solved pose against its support and the exercise's position.
pub(super) fn check_placement(
    s: &Solved,
    spec: &PoseSpec,
    position: Position,
    out: &mut Vec<PoseProblem>,
) {
    let support = spec.support;
    let mut bad = |joint: &str, message: String| {
        out.push(PoseProblem {
            keyframe: s.name.clone(),
            joint: joint.to_string(),
            message,
        });
    };
    for (i, (p, r)) in s.joints.iter().zip(RADIUS).enumerate() {
        let floor = motion::floor_at(spec, p[0]);
        if p[1] - r < floor - TOUCH {
            bad(
                Joint::ALL[i].name(),
                format!("sinks {:.2} below the floor", floor - (p[1] - r)),
            );
        }
    }
    let (li, ly) = lowest(s);
    if ly > TOUCH && spec.view != View::Above {
        bad(
            Joint::ALL[li].name(),
            format!(
                "the body floats {ly:.2} above the {}",
                match support {
                    Support::Bed => "bed",
                    _ => "floor",
                }
            ),
        );
    }
    let pelvis = s.joint(Joint::Pelvis);
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
    if let Some((joint, what)) = position_problem(s, support, position) {
        bad(&joint, what);
    }
}

/// What puts a solved pose out of its exercise's position, if anything: the joint at fault
/// and what the position asks for.
fn position_problem(s: &Solved, support: Support, position: Position) -> Option<(String, String)> {
    let pelvis = s.joint(Joint::Pelvis);
    let pitch = |j: Joint| {
        let n = s.joint(j);
        (n[1] - pelvis[1]).atan2(n[0] - pelvis[0]).to_degrees()
    };
    let tp = pitch(Joint::Neck);
    // Lying is the pelvis's: the chest may lift (a press-up) with the hips down.
    let lp = pitch(Joint::MidBack);
    let upright = (tp - 90.0).abs() <= 55.0;
    let both = |a: Joint, b: Joint| touches(s, a) && touches(s, b);
    let check =
        |ok: bool, joint: &str, what: &str| (!ok).then(|| (joint.to_string(), what.to_string()));
    match position {
        Position::Supine => check(
            (norm(tp) - 180.0).abs() <= 40.0 || (norm(tp) + 180.0).abs() <= 40.0,
            "trunk",
            "a supine figure lies on its back, head to the left",
        )
        .or_else(|| {
            check(
                touches(s, Joint::Pelvis) || touches(s, Joint::Neck),
                "pelvis",
                "a supine figure lies on the floor",
            )
        }),
        Position::Prone => check(
            norm(lp).abs() <= 40.0,
            "trunk",
            "a prone figure lies face down",
        ),
        Position::SideLying => check(
            norm(tp).abs() <= 40.0 || (norm(tp).abs() - 180.0).abs() <= 40.0,
            "trunk",
            "a side-lying figure lies down",
        ),
        // A hand and a knee may lift (bird-dog), never both hands or both knees.
        Position::Quadruped => check(
            touches(s, Joint::LeftHand) || touches(s, Joint::RightHand),
            "left_hand",
            "on all fours a hand is down",
        )
        .or_else(|| {
            check(
                touches(s, Joint::LeftKnee) || touches(s, Joint::RightKnee),
                "left_knee",
                "on all fours a knee is down",
            )
        }),
        Position::Kneeling => check(
            both(Joint::LeftKnee, Joint::RightKnee),
            "left_knee",
            "kneeling, both knees are down",
        ),
        Position::HalfKneeling => check(
            (touches(s, Joint::LeftKnee) && touches(s, Joint::RightAnkle))
                || (touches(s, Joint::RightKnee) && touches(s, Joint::LeftAnkle)),
            "left_knee",
            "half-kneeling, one knee and the other foot are down",
        ),
        Position::SeatedFloor => check(
            touches(s, Joint::Pelvis),
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
                [
                    Joint::LeftAnkle,
                    Joint::RightAnkle,
                    Joint::LeftToe,
                    Joint::RightToe,
                ]
                .into_iter()
                .any(|j| touches(s, j)),
                "left_ankle",
                "seated on a chair, the feet are on the floor",
            )
        }),
        Position::Standing => check(
            (touches(s, Joint::LeftAnkle) || touches(s, Joint::LeftToe))
                && (touches(s, Joint::RightAnkle) || touches(s, Joint::RightToe)),
            "left_ankle",
            "a standing figure has both feet on the floor",
        )
        .or_else(|| check(pelvis[1] >= 0.35, "pelvis", "a standing figure stands up")),
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
    if spec.wall.is_some_and(|w| !w.is_finite()) {
        out.push(PoseProblem {
            keyframe: String::new(),
            joint: "wall".into(),
            message: "is not a finite number".into(),
        });
        return out;
    }
    let mut finite = true;
    for k in &spec.keyframes {
        if let Some(bad) = k.numbers().into_iter().find(|(_, v)| !v.is_finite()) {
            finite = false;
            out.push(PoseProblem {
                keyframe: k.name.clone(),
                joint: bad.0.into(),
                message: "is not a finite number".into(),
            });
        }
    }
    if !finite {
        return out;
    }
    for (k, s) in spec.keyframes.iter().zip(spec.solved()) {
        check_ranges(k, &mut out);
        // The skeleton keeps its lengths (a guard on the solver, and on interpolation).
        for (i, (a, b)) in BONES.iter().enumerate() {
            let want = bone_length(i);
            let got = dist(s.joint(*a), s.joint(*b));
            if (got - want).abs() > 1e-6 {
                out.push(PoseProblem {
                    keyframe: k.name.clone(),
                    joint: b.name().into(),
                    message: format!("segment is {got:.3} long, not {want:.3}"),
                });
            }
        }
        check_placement(&s, spec, position, &mut out);
    }
    if out.is_empty() {
        motion::check_motion(spec, &mut out);
        super::region::check_inset(spec, &mut out);
    }
    out
}
