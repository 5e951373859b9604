//! Exports people already use: the whole log as CSV, a reminder calendar (iCalendar, RFC
//! 5545, written with the `icalendar` crate), and an HL7 FHIR R4 Bundle for a clinician.
//! The log's own JSON is core's [`LogFile`](backstretch_core::exchange::LogFile), serialised
//! as it is.

mod csv;
mod fhir;
mod ics;

pub use csv::{CSV_COLUMNS, csv};
pub use fhir::{PSFS_SYSTEM, Prescribed, fhir};
pub use ics::ics;

/// A name-based UUID (version 5, URL namespace), so exports are deterministic.
pub fn uuid_from(text: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, text.as_bytes()).to_string()
}

#[cfg(test)]
mod tests;
