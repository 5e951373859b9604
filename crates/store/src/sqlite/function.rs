//! The function measure (PSFS): each record kept once by its uid, the whole value as JSON.

use backstretch_core::function::FunctionRecord;

use super::Db;
use crate::{StoreError, UserId};

impl Db<'_> {
    pub(super) fn write_function(
        &self,
        user: &UserId,
        r: &FunctionRecord,
    ) -> Result<(), StoreError> {
        self.keep_once(
            "function_scores",
            "function record",
            user,
            (&r.uid, r.at.utc_s),
            r,
        )
    }

    pub(super) fn read_functions(&self, user: &UserId) -> Result<Vec<FunctionRecord>, StoreError> {
        self.kept_all("function_scores", "function record", user)
    }
}
