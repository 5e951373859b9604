//! Health conditions and the direction of movement that eases lower-back pain: which
//! exercises each leaves out of a plan, and why. One rule, one place: the planner applies
//! it, the plan's warnings and `docs/safety.md` say it.
//!
//! Exercises carry `demands` tags in the catalogue (what they ask of the body:
//! [`Demand`]); a condition rules out some demands and flags others.

use crate::exercise::Exercise;
use crate::vocab::{Area, Condition, Demand, EasedBy};

/// What one condition does to a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Exercises making any of these demands are left out.
    pub rules_out: &'static [Demand],
    /// Exercises making any of these demands stay, with a warning naming them.
    pub flags: &'static [Demand],
    /// Why they are left out, said after their names.
    pub why: &'static str,
    /// What a flagged exercise calls for (empty when the rule flags nothing).
    pub flag_advice: &'static str,
    /// Advice given with every plan for a person with the condition (empty when none).
    pub always: &'static str,
}

/// The rule for a condition.
pub fn rule(c: Condition) -> Rule {
    match c {
        Condition::Osteoporosis => Rule {
            rules_out: &[Demand::LoadedFlexion],
            flags: &[],
            why: "they round the spine forward under load, which has been linked to spinal fractures in fragile bones (Sinaki and Mikkelsen, 1984); hinging at the hips with a long back is the safer way to bend",
            flag_advice: "",
            always: "",
        },
        Condition::HipReplacement => Rule {
            rules_out: &[Demand::DeepHipFlexion, Demand::HipCrossing],
            flags: &[],
            why: "they bend the hip well past a right angle or cross the legs, which is commonly restricted for a time after a hip replacement, above all after the posterior approach; your surgical team says when these are allowed again (NHS guidance on recovering from a hip replacement)",
            flag_advice: "",
            always: "",
        },
        Condition::KneeReplacement => Rule {
            rules_out: &[Demand::Kneeling],
            flags: &[],
            why: "they put weight on a knee, which is often uncomfortable or not yet advised after a knee replacement; ask your physiotherapist when kneeling on padding is fine",
            flag_advice: "",
            always: "",
        },
        Condition::Pregnancy => Rule {
            rules_out: &[Demand::ProneLying],
            flags: &[Demand::SupineLying],
            why: "lying face down presses on the bump and becomes impractical as pregnancy goes on",
            flag_advice: "after about the first three months, keep time lying flat on your back short, and roll onto your side if you feel faint, dizzy or sick (ACOG Committee Opinion 804, 2020); a chair or standing routine avoids it",
            always: "",
        },
        Condition::RecentSpinalSurgery => Rule {
            rules_out: &[
                Demand::LoadedFlexion,
                Demand::SpinalExtension,
                Demand::SpinalRotation,
            ],
            flags: &[],
            why: "they bend, arch or twist the spine, which a surgical team usually brings back step by step",
            flag_advice: "",
            always: "after a spinal operation, follow the programme your surgeon or physiotherapist gave you, and ask them before adding anything from this plan",
        },
    }
}

/// Whether an exercise makes any of these demands.
fn demands_any(e: &Exercise, demands: &[Demand]) -> bool {
    e.demands.iter().any(|d| demands.contains(d))
}

/// The first of these conditions that rules the exercise out.
pub fn ruled_out_by(conditions: &[Condition], e: &Exercise) -> Option<Condition> {
    conditions
        .iter()
        .copied()
        .find(|c| demands_any(e, rule(*c).rules_out))
}

/// The first of these conditions that flags the exercise (keeps it, with a warning).
pub fn flagged_by(conditions: &[Condition], e: &Exercise) -> Option<Condition> {
    conditions
        .iter()
        .copied()
        .find(|c| demands_any(e, rule(*c).flags))
}

/// The two families of lower-back movement that a directional preference chooses between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Bending back: the prone press-up and its kind.
    Extension,
    /// Rounding forward: knee to chest, child's pose and their kind.
    Flexion,
}

impl Family {
    /// The family an exercise belongs to, for lower-back pain: one serving the lower back
    /// that arches it ([`Demand::SpinalExtension`]) or rounds it under load
    /// ([`Demand::LoadedFlexion`]).
    pub fn of(e: &Exercise) -> Option<Family> {
        if !e.areas.contains(&Area::LowerBack) {
            return None;
        }
        if e.demands.contains(&Demand::SpinalExtension) {
            Some(Family::Extension)
        } else if e.demands.contains(&Demand::LoadedFlexion) {
            Some(Family::Flexion)
        } else {
            None
        }
    }

    /// How people say it.
    pub fn words(self) -> &'static str {
        match self {
            Family::Extension => "arch the lower back",
            Family::Flexion => "round the lower back",
        }
    }
}

/// What a directional preference asks of a lower-back plan: the family to include, and
/// the family to leave out. For `neither`, both families: the extension family is asked for
/// (the flexion family serves the lower back anyway) and nothing is left out. Nothing for a
/// question not yet answered, or when the lower back is not among the areas.
///
/// Matching exercise to the direction that eases the pain did better than the opposite
/// direction or general exercise (Long, Donelson and Fung, Spine 2004).
pub fn direction(eased_by: Option<EasedBy>, areas: &[Area]) -> Option<(Family, Option<Family>)> {
    if !areas.contains(&Area::LowerBack) {
        return None;
    }
    match eased_by? {
        EasedBy::Back => Some((Family::Extension, Some(Family::Flexion))),
        EasedBy::Forward => Some((Family::Flexion, Some(Family::Extension))),
        EasedBy::Neither => Some((Family::Extension, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::builtin;

    fn ids(pred: impl Fn(&Exercise) -> bool) -> Vec<String> {
        builtin()
            .catalog
            .exercises()
            .filter(|e| pred(e))
            .map(|e| e.id.clone())
            .collect()
    }

    #[test]
    fn osteoporosis_rules_out_loaded_flexion() {
        let out = ids(|e| ruled_out_by(&[Condition::Osteoporosis], e).is_some());
        for id in [
            "knee-to-chest",
            "double-knee-to-chest",
            "childs-pose",
            "cat-camel",
            "seated-hamstring-stretch",
        ] {
            assert!(out.contains(&id.to_string()), "{id} in {out:?}");
        }
        assert!(!out.contains(&"walking".to_string()));
        assert!(!out.contains(&"prone-press-up".to_string()));
    }

    #[test]
    fn each_condition_rules_out_what_the_clinical_review_names() {
        let by = |c: Condition| ids(|e| ruled_out_by(&[c], e).is_some());
        assert_eq!(by(Condition::Pregnancy), ["prone-press-up"]);
        let hip = by(Condition::HipReplacement);
        for id in [
            "knee-to-chest",
            "double-knee-to-chest",
            "seated-piriformis-stretch",
        ] {
            assert!(hip.contains(&id.to_string()), "{id} in {hip:?}");
        }
        let knee = by(Condition::KneeReplacement);
        for id in [
            "kneeling-hip-flexor-stretch",
            "childs-pose",
            "bird-dog",
            "cat-camel",
        ] {
            assert!(knee.contains(&id.to_string()), "{id} in {knee:?}");
        }
        let spine = by(Condition::RecentSpinalSurgery);
        for id in ["prone-press-up", "supine-trunk-rotation", "knee-to-chest"] {
            assert!(spine.contains(&id.to_string()), "{id} in {spine:?}");
        }
        assert!(!rule(Condition::RecentSpinalSurgery).always.is_empty());
        let flagged = ids(|e| flagged_by(&[Condition::Pregnancy], e).is_some());
        assert!(flagged.contains(&"bridge".to_string()), "{flagged:?}");
    }

    #[test]
    fn the_direction_chooses_a_family_for_the_lower_back_only() {
        let lb = [Area::LowerBack];
        assert_eq!(
            direction(Some(EasedBy::Back), &lb),
            Some((Family::Extension, Some(Family::Flexion)))
        );
        assert_eq!(
            direction(Some(EasedBy::Forward), &lb),
            Some((Family::Flexion, Some(Family::Extension)))
        );
        assert_eq!(
            direction(Some(EasedBy::Neither), &lb),
            Some((Family::Extension, None)),
            "both families: the press-up asked for, nothing left out"
        );
        assert_eq!(direction(None, &lb), None);
        assert_eq!(direction(Some(EasedBy::Back), &[Area::Neck]), None);
        let ext = ids(|e| Family::of(e) == Some(Family::Extension));
        assert_eq!(ext, ["prone-press-up"]);
    }
}
