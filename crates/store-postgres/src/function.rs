//! The function measure (PSFS): each record kept once by its uid, the whole value as JSON
//! text.

use backstretch_core::function::FunctionRecord;
use backstretch_store::{StoreError, UserId};
use postgres::GenericClient;

use crate::Db;

impl<C: GenericClient> Db<'_, C> {
    pub(crate) fn write_function(
        &mut self,
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

    pub(crate) fn read_functions(
        &mut self,
        user: &UserId,
    ) -> Result<Vec<FunctionRecord>, StoreError> {
        self.kept_all("function_scores", "function record", user)
    }
}
