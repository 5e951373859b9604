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
        turn: 0.0,
        spine: 0.0,
        nod: 0.0,
        blades: 0.0,
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
        door: None,
        edge: None,
        planted: vec![],
        stretch: vec![],
        inset: None,
        pillow: false,
        arrow: None,
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
        turn: 0.0,
        spine: 0.0,
        nod: 0.0,
        blades: 0.0,
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
            turn: 0.0,
            spine: 0.0,
            nod: 0.0,
            blades: 0.0,
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

fn kneel(front_thigh: f64, front_shin: f64) -> Keyframe {
    Keyframe {
        name: format!("kneel {front_thigh}"),
        left_leg: [Dir::Pitch(-110.0), Dir::Pitch(180.0), Dir::Pitch(180.0)],
        right_leg: Some([
            Dir::Pitch(front_thigh),
            Dir::Pitch(front_shin),
            Dir::Pitch(0.0),
        ]),
        ..standing()
    }
}

/// The regression of the hip-flexor figure: the front foot slid forward between the
/// keyframes. Planted, a foot that would slide is reported; the hips moving over a foot
/// that stays put is not.
#[test]
fn a_planted_foot_that_slides_is_reported() {
    let mut s = spec(Support::Floor, vec![kneel(0.0, -90.0), kneel(-10.0, -60.0)]);
    s.planted = vec![Joint::LeftKnee, Joint::RightAnkle];
    let p = problems(&s, Position::HalfKneeling);
    assert!(
        p.iter().any(|m| m.contains("is planted but moves")),
        "{p:?}"
    );
    // The same lunge with the front shin over the foot: the stance keeps its length.
    let ok = spec(Support::Floor, vec![kneel(0.0, -90.0), kneel(7.0, -103.0)]);
    let ok = PoseSpec {
        planted: vec![Joint::LeftKnee, Joint::RightAnkle],
        keyframes: vec![
            kneel(0.0, -90.0),
            Keyframe {
                left_leg: [Dir::Pitch(-125.0), Dir::Pitch(175.0), Dir::Pitch(175.0)],
                ..kneel(7.0, -103.0)
            },
        ],
        ..ok
    };
    assert!(
        problems(&ok, Position::HalfKneeling).is_empty(),
        "{:?}",
        problems(&ok, Position::HalfKneeling)
    );
    // The planted parts stay put in every frame of the animation, not only the keyframes.
    let first = ok.solved()[0].joint(Joint::RightAnkle);
    for i in 0..=10 {
        let f = ok.tween(0, 1, f64::from(i) / 10.0);
        assert!(dist(f.joint(Joint::RightAnkle), first) < 0.035, "frame {i}");
    }
}

/// Frames between two good keyframes are checked too: a hand sweeping under the floor on
/// the way, or a leg passing through a chair seat, is reported with how far along it is.
#[test]
fn frames_between_keyframes_stay_out_of_the_floor_and_the_props() {
    let arm = |a: f64| Keyframe {
        name: format!("arm {a}"),
        left_arm: [Dir::Pitch(a), Dir::Pitch(a)],
        ..standing()
    };
    // From forward-down to behind-down the short way passes straight down: fine standing.
    let ok = spec(Support::Floor, vec![arm(-60.0), arm(-120.0)]);
    assert!(
        problems(&ok, Position::Standing).is_empty(),
        "{:?}",
        problems(&ok, Position::Standing)
    );
    // The child's pose as it was: hands down in both keyframes, but sweeping through the
    // floor on the way as the hips sit back. Planting the hands fixes it.
    let quad = |name: &str, trunk: f64, head: f64, arm: f64, thigh: f64| Keyframe {
        name: name.into(),
        trunk: Dir::Pitch(trunk),
        head: Some(Dir::Pitch(head)),
        left_arm: [Dir::Pitch(arm), Dir::Pitch(arm)],
        left_leg: [Dir::Pitch(thigh), Dir::Pitch(180.0), Dir::Pitch(180.0)],
        ..standing()
    };
    let mut child = spec(
        Support::Floor,
        vec![
            quad("all fours", 13.0, -25.0, -90.0, -90.0),
            quad("sit back", -10.0, -30.0, -20.0, -35.0),
        ],
    );
    let p = problems(&child, Position::Quadruped);
    assert!(
        p.iter()
            .any(|m| m.contains("% of the way") && m.contains("through the floor")),
        "{p:?}"
    );
    child.planted = vec![Joint::LeftHand, Joint::RightHand];
    assert!(problems(&child, Position::Quadruped).is_empty());
    // Seated, leaning back through the chair's backrest.
    let sit = |trunk: f64| Keyframe {
        name: format!("sit {trunk}"),
        trunk: Dir::Pitch(trunk),
        left_leg: [Dir::Pitch(0.0), Dir::Pitch(-90.0), Dir::Pitch(0.0)],
        ..standing()
    };
    let chair = spec(Support::Chair, vec![sit(90.0), sit(100.0)]);
    assert!(
        problems(&chair, Position::SeatedChair).is_empty(),
        "{:?}",
        problems(&chair, Position::SeatedChair)
    );
    let chair = spec(Support::Chair, vec![sit(90.0), sit(125.0)]);
    let p = problems(&chair, Position::SeatedChair);
    assert!(p.iter().any(|m| m.contains("into the chair")), "{p:?}");
}

/// The face looks where the head turns: straight ahead, then to the figure's right.
#[test]
fn the_face_follows_the_turn_and_the_twist() {
    let s = standing().solve(Support::Floor);
    assert!((s.face[0] - 1.0).abs() < 1e-9, "{:?}", s.face);
    let turned = Keyframe {
        turn: -90.0,
        ..standing()
    }
    .solve(Support::Floor);
    assert!(turned.face[2] < -0.99, "{:?}", turned.face);
    let mirrored = Keyframe {
        turn: -90.0,
        ..standing()
    }
    .mirrored()
    .solve(Support::Floor);
    assert!(mirrored.face[2] > 0.99, "{:?}", mirrored.face);
}

fn lying(name: &str, spine: f64, nod: f64) -> Keyframe {
    Keyframe {
        name: name.into(),
        trunk: Dir::Pitch(180.0),
        spine,
        nod,
        head: Some(Dir::Pitch(165.0)),
        left_arm: [Dir::Pitch(0.0), Dir::Pitch(0.0)],
        left_leg: [Dir::Pitch(50.0), Dir::Pitch(-56.0), Dir::Pitch(0.0)],
        ..standing()
    }
}

/// A highlight must be a region, and in an area the exercise serves: the bridge lights the
/// buttocks (glutes), not the back of the thigh.
#[test]
fn highlights_match_the_exercises_areas() {
    let mut s = spec(
        Support::Floor,
        vec![lying("a", 0.0, 0.0), lying("b", 0.0, 0.0)],
    );
    s.stretch = vec!["left_buttock".into(), "right_buttock".into()];
    assert!(check_regions(&s, &[crate::vocab::Area::Glutes], true).is_empty());
    s.stretch = vec!["left_thigh_back".into()];
    let p = check_regions(&s, &[crate::vocab::Area::Glutes], true);
    assert!(p[0].message.contains("does not serve"), "{p:?}");
    s.stretch = vec!["trunk".into()];
    let p = check_regions(&s, &[crate::vocab::Area::LowerBack], true);
    assert!(p[0].message.contains("is not a region"), "{p:?}");
    s.stretch = vec![];
    assert_eq!(
        check_regions(&s, &[crate::vocab::Area::LowerBack], true).len(),
        1
    );
    assert!(check_regions(&s, &[crate::vocab::Area::LowerBack], false).is_empty());
    // The region sits behind the hip, on the side away from the belly.
    s.stretch = vec!["left_buttock".into(), "belly".into()];
    let solved = s.solved();
    let h = highlights(&solved[0], &s);
    let pelvis = solved[0].joint(Joint::Pelvis);
    assert!(
        h[0].from[1] < pelvis[1],
        "a buttock under a supine pelvis: {h:?}"
    );
    assert!(h[1].from[1] > pelvis[1], "the belly on top: {h:?}");
    // Mirrored, the left buttock becomes the right one, drawn paler from the left.
    let m = s.mirrored();
    assert_eq!(m.stretch, vec!["right_buttock".to_string(), "belly".into()]);
    assert!(highlights(&m.solved()[0], &m)[0].far);
}

/// The spine bends: rounded, the middle of the back bulges away from the front; the
/// segments keep their lengths.
#[test]
fn the_spine_rounds_and_arches() {
    let mut k = standing();
    k.spine = 40.0;
    let s = k.solve(Support::Floor);
    let (p, m, n) = (
        s.joint(Joint::Pelvis),
        s.joint(Joint::MidBack),
        s.joint(Joint::Neck),
    );
    assert!(
        m[0] < (p[0] + n[0]) / 2.0 - 0.02,
        "rounded back bulges back: {m:?}"
    );
    assert!((dist(p, m) - len::LUMBAR).abs() < 1e-9);
    assert!((dist(m, n) - len::THORACIC).abs() < 1e-9);
    k.spine = -30.0;
    assert!(k.solve(Support::Floor).joint(Joint::MidBack)[0] > 0.01);
    k.spine = 90.0;
    let p = problems(
        &spec(Support::Floor, vec![k.clone(), k]),
        Position::Standing,
    );
    assert!(p.iter().any(|m| m.contains("spine")), "{p:?}");
}

/// A nod tips the face without moving the head; a glide moves the head, the face level.
#[test]
fn a_nod_is_not_a_glide() {
    let a = lying("a", 0.0, 0.0).solve(Support::Floor);
    let b = lying("b", 0.0, 20.0).solve(Support::Floor);
    assert_eq!(a.joint(Joint::Head), b.joint(Joint::Head));
    assert!(a.face != b.face);
    let mut up = standing();
    up.head = Some(Dir::Pitch(66.0));
    up.nod = -24.0;
    assert!(up.solve(Support::Floor).face[1].abs() < 1e-9, "eyes level");
}

/// On a bed a lying figure stays on the mattress: its end, or the edge it hangs a leg
/// over, is the limit; its head stays on its pillow.
#[test]
fn a_lying_figure_stays_on_the_mattress_and_the_pillow() {
    let ok = spec(
        Support::Floor,
        vec![lying("a", -15.0, -15.0), lying("b", 0.0, 10.0)],
    );
    let bed = ok.on_bed();
    assert_eq!(bed.support, Support::Bed);
    assert!(
        problems(&bed, Position::Supine).is_empty(),
        "{:?}",
        problems(&bed, Position::Supine)
    );
    // A bed whose edge is far beyond the feet: the head is off its other end.
    let mut short = bed.clone();
    short.edge = Some(0.9);
    let p = problems(&short, Position::Supine);
    assert!(
        p.iter().any(|m| m.contains("off the end of the mattress")),
        "{p:?}"
    );
    // The pillow: the head rests on it; lifted off it, it is reported.
    let mut pillow = bed;
    pillow.pillow = true;
    assert!(
        problems(&pillow, Position::Supine).is_empty(),
        "{:?}",
        problems(&pillow, Position::Supine)
    );
    let mut lifted = pillow;
    lifted.keyframes[1].head = Some(Dir::Pitch(120.0));
    let p = problems(&lifted, Position::Supine);
    assert!(p.iter().any(|m| m.contains("leaves the pillow")), "{p:?}");
}

/// The close-up's arrow follows what moves: the low back pressing down in a tilt; an
/// inset on a move that does not move its focus is refused.
#[test]
fn the_insets_arrow_follows_the_movement() {
    let mut s = spec(
        Support::Floor,
        vec![lying("a", -18.0, 0.0), lying("b", 0.0, 0.0)],
    );
    s.inset = Some(Inset::Pelvis);
    assert!(
        problems(&s, Position::Supine).is_empty(),
        "{:?}",
        problems(&s, Position::Supine)
    );
    let solved = s.solved();
    let [from, to] = inset_arrow(&s, &solved, 0, 1).unwrap();
    assert!(to[1] < from[1], "the back presses down: {from:?} {to:?}");
    // The neck's close-up follows the face: down in a nod.
    s.inset = Some(Inset::Neck);
    s.keyframes = vec![lying("a", 0.0, -15.0), lying("b", 0.0, 10.0)];
    let [from, to] = inset_arrow(&s, &s.solved(), 0, 1).unwrap();
    assert!(
        to[0] > from[0],
        "the chin drops toward the chest: {from:?} {to:?}"
    );
    // Nothing moves at the focus: no arrow, and a problem.
    s.inset = Some(Inset::Pelvis);
    let p = problems(&s, Position::Supine);
    assert!(p.iter().any(|m| m.contains("hardly moves")), "{p:?}");
    // The blades: the shoulders draw back.
    let mut sq = spec(
        Support::Floor,
        vec![
            standing(),
            Keyframe {
                blades: 20.0,
                ..standing()
            },
        ],
    );
    sq.inset = Some(Inset::Blades);
    assert!(
        problems(&sq, Position::Standing).is_empty(),
        "{:?}",
        problems(&sq, Position::Standing)
    );
    let [from, to] = inset_arrow(&sq, &sq.solved(), 0, 1).unwrap();
    assert!(to[0] < from[0], "{from:?} {to:?}");
}
