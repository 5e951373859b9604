//! Eased plans: gentler after a flare or red sessions, the middle step back up, and the
//! gentlest routine at high pain.
//!
//! An eased plan is planned against the normal plan for the same request and day: it may take
//! a share of the normal plan's seconds ([`Ease::time_quarters`]) and of its exercises
//! ([`Ease::max_items`]), so it is never longer and never has more exercises, and it is never
//! filled up with a second round. Only exercises the ease allows are candidates
//! ([`Ease::allows`]: gentle enough, and with a hold that still means something once
//! shortened, so walking, timed in minutes, is left out). The gentlest routine is about
//! [`GENTLEST_MINUTES`] minutes in one place: in bed when the person has a bed and a routine
//! fits there, otherwise the place whose routine scores best.

use std::cmp::Reverse;

use crate::catalog::Catalog;
use crate::safety::{Ease, Easing, GENTLEST_MINUTES};
use crate::timeline::item_seconds;
use crate::vocab::Place;

use super::search::{Found, Problem};
use super::{Item, Plan, PlanError, Request, Warning, plan_by, plan_within};

/// Attempts at a smaller budget (an eighth less each time) before the routine is cut to its
/// most useful exercises.
const ATTEMPTS: usize = 12;

/// The plan for `req` eased as `easing` says.
pub(super) fn eased(
    catalog: &Catalog,
    req: &Request,
    blocked: &[String],
    easing: Easing,
    solve: fn(&Problem<'_>) -> Found,
) -> Result<Plan, PlanError> {
    let ease = easing.ease;
    let normal_req = Request {
        gentler: false,
        ..req.clone()
    };
    let (whole, cap) = match plan_by(catalog, &normal_req, blocked, solve) {
        Ok(n) => (n.total_s, ease.max_items(n.items.len())),
        // Not even one exercise at its normal dose fits: the eased one may.
        Err(PlanError::TooShort { .. }) => (req.minutes * 60, usize::MAX),
        Err(e) => return Err(e),
    };
    let mut req = Request {
        gentler: true,
        ..req.clone()
    };
    let mut budget = whole * ease.time_quarters() / 4;
    if ease == Ease::Gentlest {
        budget = budget.min(GENTLEST_MINUTES * 60);
        req.places = vec![one_place(catalog, &req, blocked, solve, budget)];
    }
    let mut plan = match plan_within(catalog, &req, blocked, solve, ease, budget) {
        Ok(p) => p,
        // Nothing eased fits the share: the normal plan's whole time, never more.
        Err(PlanError::TooShort { .. }) if budget < whole => {
            budget = whole;
            plan_within(catalog, &req, blocked, solve, ease, budget)?
        }
        Err(e) => return Err(e),
    };
    // Too many exercises: the budget shrinks an eighth at a time, so the routine keeps as
    // much of its share of the time as the cap on exercises allows.
    let mut smaller = budget;
    for _ in 0..ATTEMPTS {
        if plan.items.len() <= cap {
            break;
        }
        smaller -= smaller / 8;
        match plan_within(catalog, &req, blocked, solve, ease, smaller) {
            Ok(p) => plan = p,
            Err(_) => break,
        }
    }
    if plan.items.len() > cap {
        cut(&mut plan, cap);
    }
    // A thinner dose is the point of an eased plan, not a shortfall to fix.
    plan.warnings
        .retain(|w| !matches!(w, Warning::ThinDose { .. }));
    plan.warnings.insert(0, Warning::Gentler(easing));
    Ok(plan)
}

/// The place for the gentlest routine: bed when the person has one and a routine fits
/// there; otherwise the place whose routine scores best (the first of the request's places
/// on a tie).
fn one_place(
    catalog: &Catalog,
    req: &Request,
    blocked: &[String],
    solve: fn(&Problem<'_>) -> Found,
    budget: u32,
) -> Place {
    let try_place = |p: Place| {
        let r = Request {
            places: vec![p],
            ..req.clone()
        };
        plan_within(catalog, &r, blocked, solve, Ease::Gentlest, budget).ok()
    };
    if req.places.contains(&Place::Bed) && try_place(Place::Bed).is_some() {
        return Place::Bed;
    }
    req.places
        .iter()
        .enumerate()
        .filter_map(|(i, p)| try_place(*p).map(|plan| (plan.score, Reverse(i), *p)))
        .max()
        .map_or(req.places[0], |(_, _, p)| p)
}

/// Keeps the `cap` most useful exercises (those serving the primary area first, then those
/// serving more areas), in their order, and sums the time again.
fn cut(plan: &mut Plan, cap: usize) {
    let primary = plan.request.areas.first().copied();
    let mut rank: Vec<usize> = (0..plan.items.len()).collect();
    rank.sort_by_key(|&i| {
        let it = &plan.items[i];
        (
            Reverse(primary.is_some_and(|a| it.serves.contains(&a))),
            Reverse(it.serves.len()),
            i,
        )
    });
    rank.truncate(cap);
    rank.sort_unstable();
    let mut kept: Vec<Item> = rank.into_iter().map(|i| plan.items[i].clone()).collect();
    let mut last_pos = None;
    for it in &mut kept {
        let new_pos = last_pos != Some(it.exercise.position);
        last_pos = Some(it.exercise.position);
        it.seconds = item_seconds(&it.dose, it.exercise.sides, new_pos);
    }
    plan.total_s = kept.iter().map(|i| i.seconds).sum();
    plan.items = kept;
}
