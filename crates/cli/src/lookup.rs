//! Finding the exercise a user named, with the closest names when none answers.

use backstretch_core::catalog::{Catalog, Entry};
use miette::miette;

/// The entry a user named (id, name or alias), or an error with the closest names.
pub fn find_entry<'a>(catalog: &'a Catalog, query: &str) -> miette::Result<&'a Entry> {
    catalog.find(query).map_err(|nf| {
        let help = if nf.suggestions.is_empty() {
            "`backstretch catalog list` shows every exercise".to_string()
        } else {
            format!(
                "did you mean {}?",
                nf.suggestions
                    .iter()
                    .map(|(id, name)| format!("{id} ({name})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        miette!(help = help, "no exercise is called `{}`", nf.query)
    })
}
