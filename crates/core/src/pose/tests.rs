//! The skeleton and its checks, each check shown failing on a deliberately broken pose.

use super::checks::dist;
use super::*;
use crate::vocab::Position;
use proptest::prelude::*;

fn standing() -> Keyframe {
    Keyframe {
        name: "stand".into(),
        hip: vec![],
        trunk: Dir::Pitch(90.0),
        twist: 0.0,
        head: None,
        left_arm: [Dir::Pitch(-90.0), Dir::Pitch(-90.0)],
        right_arm: None,
        left_leg: [Dir::Pitch(-90.0), Dir::Pitch(-90.0), Dir::Pitch(0.0)],
        right_leg: None,
    }
}

fn spec(support: Support, frames: Vec<Keyframe>) -> PoseSpec {
    PoseSpec {
        view: View::Side,
        support,
        wall: None,
        keyframes: frames,
    }
}

fn problems(s: &PoseSpec, p: Position) -> Vec<String> {
    check(s, p).iter().map(ToString::to_string).collect()
}

#[test]
fn a_standing_figure_is_about_one_body_tall_and_rests_on_the_floor() {
    let s = standing().solve(Support::Floor);
    let head = s.joint(Joint::Head);
    assert!(
        (head[1] + len::HEAD_R - 1.0).abs() < 0.03,
        "height {}",
        head[1] + len::HEAD_R
    );
    let ok = spec(Support::Floor, vec![standing(), standing()]);
    assert!(
        problems(&ok, Position::Standing).is_empty(),
        "{:?}",
        problems(&ok, Position::Standing)
    );
}

#[test]
fn too_few_keyframes() {
    let p = problems(&spec(Support::Floor, vec![standing()]), Position::Standing);
    assert!(
        p.iter().any(|m| m.contains("at least two keyframes")),
        "{p:?}"
    );
}

#[test]
fn a_knee_bending_backwards_is_refused_and_named() {
    let mut k = standing();
    k.name = "bad".into();
    k.left_leg = [Dir::Pitch(-80.0), Dir::Pitch(-60.0), Dir::Pitch(0.0)];
    let p = problems(
        &spec(Support::Floor, vec![standing(), k]),
        Position::Standing,
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with("keyframe `bad`, left_knee: bends backwards by 20")),
        "{p:?}"
    );
}

#[test]
fn joints_out_of_range_are_refused() {
    let mut k = standing();
    k.name = "neck".into();
    k.head = Some(Dir::Pitch(-10.0)); // 100 degrees forward of the trunk
    k.left_arm = [Dir::Pitch(160.0), Dir::Pitch(160.0)]; // up behind the back
    let p = problems(
        &spec(Support::Floor, vec![standing(), k]),
        Position::Standing,
    );
    assert!(p.iter().any(|m| m.contains("neck: bends")), "{p:?}");
    assert!(p.iter().any(|m| m.contains("left_shoulder")), "{p:?}");
}

#[test]
fn a_floating_body_is_refused() {
    let mut k = standing();
    k.name = "float".into();
    k.hip = vec![0.0, 0.7];
    let p = problems(
        &spec(Support::Floor, vec![standing(), k]),
        Position::Standing,
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with("keyframe `float`") && m.contains("floats")),
        "{p:?}"
    );
}

#[test]
fn a_body_sinking_through_the_floor_is_refused() {
    let mut k = standing();
    k.name = "sink".into();
    k.hip = vec![0.0, 0.3];
    let p = problems(
        &spec(Support::Floor, vec![standing(), k]),
        Position::Standing,
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with("keyframe `sink`, left_") && m.contains("below the floor")),
        "{p:?}"
    );
}

fn seated() -> Keyframe {
    Keyframe {
        name: "sit".into(),
        hip: vec![],
        trunk: Dir::Pitch(90.0),
        twist: 0.0,
        head: None,
        left_arm: [Dir::Pitch(-80.0), Dir::Pitch(0.0)],
        right_arm: None,
        left_leg: [Dir::Pitch(0.0), Dir::Pitch(-90.0), Dir::Pitch(0.0)],
        right_leg: None,
    }
}

#[test]
fn a_seated_figure_sits_on_the_chair_seat_with_feet_down() {
    let ok = spec(Support::Chair, vec![seated(), seated()]);
    assert!(
        problems(&ok, Position::SeatedChair).is_empty(),
        "{:?}",
        problems(&ok, Position::SeatedChair)
    );
    let mut off = seated();
    off.name = "off".into();
    off.hip = vec![0.0, 0.5];
    let p = problems(
        &spec(Support::Chair, vec![seated(), off]),
        Position::SeatedChair,
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with("keyframe `off`, pelvis: is") && m.contains("chair seat")),
        "{p:?}"
    );
    // Dangling feet do not reach the floor.
    let mut dangle = seated();
    dangle.name = "dangle".into();
    dangle.left_leg = [Dir::Pitch(0.0), Dir::Pitch(-40.0), Dir::Pitch(20.0)];
    dangle.right_leg = Some([Dir::Pitch(0.0), Dir::Pitch(-40.0), Dir::Pitch(20.0)]);
    let p = problems(
        &spec(Support::Chair, vec![seated(), dangle]),
        Position::SeatedChair,
    );
    assert!(
        p.iter()
            .any(|m| m.contains("feet are on the floor") || m.contains("floats")),
        "{p:?}"
    );
}

#[test]
fn the_figure_must_match_the_entrys_position() {
    let st = spec(Support::Floor, vec![standing(), standing()]);
    let p = problems(&st, Position::Supine);
    assert!(p.iter().any(|m| m.contains("lies on its back")), "{p:?}");
    let p = problems(&st, Position::Quadruped);
    assert!(p.iter().any(|m| m.contains("a hand is down")), "{p:?}");
    let p = problems(&st, Position::SeatedChair);
    assert!(p.iter().any(|m| m.contains("needs a chair")), "{p:?}");
    let p = problems(&st, Position::Kneeling);
    assert!(p.iter().any(|m| m.contains("both knees are down")), "{p:?}");
    // A "standing" figure with one foot lifted.
    let mut lift = standing();
    lift.name = "lift".into();
    lift.right_leg = Some([Dir::Pitch(0.0), Dir::Pitch(-90.0), Dir::Pitch(0.0)]);
    let p = problems(
        &spec(Support::Floor, vec![standing(), lift]),
        Position::Standing,
    );
    assert!(
        p.iter().any(|m| m.contains("both feet on the floor")),
        "{p:?}"
    );
}

#[test]
fn mirroring_swaps_sides_and_sideways_leans() {
    let mut k = standing();
    k.left_arm = [Dir::PitchTilt([90.0, 20.0]), Dir::Pitch(90.0)];
    k.right_arm = Some([Dir::Pitch(-90.0), Dir::Pitch(-90.0)]);
    let m = k.mirrored();
    let a = k.solve(Support::Floor);
    let b = m.solve(Support::Floor);
    let la = a.joint(Joint::LeftHand);
    let rb = b.joint(Joint::RightHand);
    assert!(
        (la[0] - rb[0]).abs() < 1e-9
            && (la[1] - rb[1]).abs() < 1e-9
            && (la[2] + rb[2]).abs() < 1e-9
    );
    assert_eq!(m.mirrored().solve(Support::Floor), a);
}

proptest! {
    /// Every pose between two keyframes keeps every segment's length.
    #[test]
    fn interpolation_keeps_segment_lengths(angles in proptest::collection::vec(-180.0f64..180.0, 24), t in 0.0f64..=1.0) {
        let k = |o: usize| Keyframe {
            name: format!("k{o}"),
            hip: vec![0.0, 0.5],
            trunk: Dir::PitchTilt([angles[o], angles[o + 1] / 6.0]),
            twist: angles[o + 2] / 4.0,
            head: Some(Dir::Pitch(angles[o + 3])),
            left_arm: [Dir::Pitch(angles[o + 4]), Dir::PitchTilt([angles[o + 5], angles[o + 6] / 3.0])],
            right_arm: None,
            left_leg: [Dir::Pitch(angles[o + 7]), Dir::Pitch(angles[o + 8]), Dir::Pitch(angles[o + 9])],
            right_leg: None,
        };
        let s = interpolate(&k(0), &k(12), t, Support::Floor);
        for (i, (a, b)) in BONES.iter().enumerate() {
            prop_assert!((dist(s.joint(*a), s.joint(*b)) - bone_length(i)).abs() < 1e-9);
        }
    }
}

/// Regression: `wall = nan` passed and drew `x="NaN"` in SVG.
#[test]
fn nan_and_infinity_are_refused() {
    let mut s = spec(Support::Floor, vec![standing(), standing()]);
    s.wall = Some(f64::NAN);
    let p = problems(&s, Position::Standing);
    assert!(p.iter().any(|p| p.contains("not a finite number")), "{p:?}");
    let mut k = standing();
    k.twist = f64::INFINITY;
    let s = spec(Support::Floor, vec![standing(), k]);
    let p = problems(&s, Position::Standing);
    assert!(
        p.iter()
            .any(|p| p.contains("twist") && p.contains("not a finite")),
        "{p:?}"
    );
}
