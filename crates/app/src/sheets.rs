//! Printed sheets: plan a routine for paper and keep it under the code the sheet shows, read
//! it back by that code, and find the routine planned for a day, for logging what was done.

use backstretch_core::catalog::Catalog;
use backstretch_core::code::RoutineCode;
use backstretch_core::plan::{self, Plan};
use backstretch_core::routine::Routine;
use chrono::NaiveDate;

use crate::{App, AppError, Overrides};

impl App<'_> {
    /// The routine for a sheet, planned as `plan` would (every gate passed), and kept under
    /// its code so `log --sheet CODE` records exactly what was printed.
    pub fn sheet(&self, catalog: &Catalog, o: &Overrides) -> Result<(Plan, RoutineCode), AppError> {
        let (p, code) = self.sheet_preview(catalog, o)?;
        self.store
            .save_sheet(&self.user, code, &Routine::from_plan(&p), self.now)?;
        Ok((p, code))
    }

    /// The sheet [`App::sheet`] would print now, with the code it would show, without keeping
    /// anything: for a preview, which changes nothing in the log.
    pub fn sheet_preview(
        &self,
        catalog: &Catalog,
        o: &Overrides,
    ) -> Result<(Plan, RoutineCode), AppError> {
        let p = self.plan(catalog, o, false)?;
        let code = RoutineCode::of(&Routine::from_plan(&p));
        Ok((p, code))
    }

    /// The routine printed under a code.
    pub fn printed(&self, code: RoutineCode) -> Result<Routine, AppError> {
        self.store
            .sheet(&self.user, code)?
            .ok_or(AppError::UnknownSheet { code })
    }

    /// The routine the profile plans for a day (or the prescription in force), to log it as
    /// done. The gates are not asked again (the session has happened), but exercises that
    /// hurt lately stay out, as they would have on the day.
    pub fn planned_on(
        &self,
        catalog: &Catalog,
        day: NaiveDate,
        moment: Option<&str>,
    ) -> Result<Routine, AppError> {
        if moment.is_none()
            && let Some(p) = self.prescription()?
        {
            let plan = self.prescription_plan(catalog, &p, false)?;
            return Ok(Routine::from_plan(&plan));
        }
        let (mut req, moment) = self.request_for_moment(
            catalog,
            &Overrides {
                date: Some(day),
                moment: moment.map(str::to_string),
                ..Overrides::default()
            },
        )?;
        let rules = self.pain_rules()?;
        req.gentler = rules.flare.easing.is_some();
        let mut p = plan::plan_eased(catalog, &req, &rules.blocked, rules.flare.easing)
            .map_err(AppError::Plan)?;
        p.moment = moment;
        Ok(Routine::from_plan(&p))
    }
}

#[cfg(test)]
mod tests {
    use backstretch_core::catalog::builtin;
    use backstretch_core::profile::Profile;
    use backstretch_core::time::Stamp;
    use backstretch_core::vocab::{Area, Place};
    use backstretch_store::{SqliteStore, Store, UserId};

    use super::*;

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(&dir.path().join("log.db")).unwrap();
        (dir, s)
    }

    #[test]
    fn a_printed_routine_is_found_by_its_code_and_an_unknown_code_is_an_error() {
        let (_d, s) = store();
        let now = Stamp::parse("2026-11-22T08:00:00+00:00").unwrap();
        let u = UserId::local();
        s.set_profile(
            &u,
            &Profile {
                areas: vec![Area::LowerBack],
                places: vec![Place::Bed],
                ..Profile::default()
            },
            now,
        )
        .unwrap();
        let app = App::new(&s, u, now);
        let c = builtin().catalog;
        let planned = app.planned_on(&c, now.day(), None).unwrap();
        let code = RoutineCode::of(&planned);
        assert!(matches!(
            app.printed(code),
            Err(AppError::UnknownSheet { .. })
        ));
        s.save_sheet(&UserId::local(), code, &planned, now).unwrap();
        assert_eq!(app.printed(code).unwrap(), planned);
    }
}
