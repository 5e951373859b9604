//! Finding the exercise a user named, with the closest names when none answers.

use backstretch_core::catalog::{Catalog, Entry};
use miette::miette;

/// The entry a user named (id, name or alias), or an error with the closest names.
pub fn find_entry<'a>(catalog: &'a Catalog, query: &str) -> miette::Result<&'a Entry> {
    catalog.find(query).map_err(|nf| {
        miette!(
            help = crate::remedy::not_found(&nf),
            "no exercise is called `{}`",
            nf.query
        )
    })
}
