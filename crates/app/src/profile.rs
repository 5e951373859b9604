//! The profile: save it, show it, and put back an exercise left out for hurting.

use backstretch_core::catalog::Catalog;
use backstretch_core::profile::{Moment, Profile};

use crate::{App, AppError};

/// What saving a profile changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileSaved {
    /// The profile as saved.
    pub profile: Profile,
    /// Whether there was one before.
    pub replaced: bool,
    /// Whether the areas changed, so a red-flag check for them is due.
    pub screening_due: bool,
}

impl App<'_> {
    /// The saved profile, if any.
    pub fn profile(&self) -> Result<Option<Profile>, AppError> {
        Ok(self.store.profile(&self.user)?)
    }

    /// Saves a profile, which must have areas and places.
    pub fn save_profile(&self, catalog: &Catalog, p: Profile) -> Result<ProfileSaved, AppError> {
        if p.areas.is_empty() || p.places.is_empty() {
            return Err(AppError::IncompleteProfile);
        }
        let old = self.store.profile(&self.user)?;
        self.store.set_profile(&self.user, &p, self.now)?;
        let areas_changed = old.as_ref().is_none_or(|o| o.areas != p.areas);
        let screening_due = areas_changed && self.screening_gate(catalog, &p.areas)?.is_some();
        Ok(ProfileSaved {
            profile: p,
            replaced: old.is_some(),
            screening_due,
        })
    }

    /// Adds a moment of the day, or replaces the one of that name; the profile as saved and
    /// whether one was replaced. Its places must be some, its minutes 1 to 180, its times
    /// some.
    pub fn set_moment(&self, catalog: &Catalog, m: Moment) -> Result<(Profile, bool), AppError> {
        Moment::check_name(&m.name).map_err(AppError::BadMoment)?;
        if m.places.is_empty() || m.times.is_empty() || !(1..=180).contains(&m.minutes) {
            return Err(AppError::BadMoment(format!(
                "the moment `{}` needs places, 1 to 180 minutes and a time",
                m.name
            )));
        }
        let Some(mut p) = self.store.profile(&self.user)? else {
            return Err(AppError::NoProfile);
        };
        let replaced = match p.moments.iter_mut().find(|x| x.name == m.name) {
            Some(old) => {
                *old = m;
                true
            }
            None => {
                p.moments.push(m);
                false
            }
        };
        Ok((self.save_profile(catalog, p)?.profile, replaced))
    }

    /// Removes a moment of the day; the profile as saved.
    pub fn remove_moment(&self, catalog: &Catalog, name: &str) -> Result<Profile, AppError> {
        let Some(mut p) = self.store.profile(&self.user)? else {
            return Err(AppError::NoProfile);
        };
        let before = p.moments.len();
        p.moments.retain(|m| m.name != name);
        if p.moments.len() == before {
            return Err(AppError::UnknownMoment {
                name: name.into(),
                known: p.moments.iter().map(|m| m.name.clone()).collect(),
            });
        }
        Ok(self.save_profile(catalog, p)?.profile)
    }

    /// Puts an exercise back into plans (only hurts from today on count against it), and
    /// says whether it had been left out.
    pub fn allow(&self, catalog: &Catalog, name: &str) -> Result<(String, bool), AppError> {
        let id = self
            .resolve(catalog, &[name.to_string()], "allow")?
            .remove(0);
        let Some(mut p) = self.store.profile(&self.user)? else {
            return Err(AppError::NoProfile);
        };
        let was_blocked = self.pain_rules()?.blocked.contains(&id);
        p.allowed.insert(id.clone(), self.today());
        p.exclude.retain(|x| *x != id);
        self.store.set_profile(&self.user, &p, self.now)?;
        Ok((id, was_blocked))
    }
}
