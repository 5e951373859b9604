use backstretch_core::exchange::LogFile;

/// The CSV columns, documented in the README.
pub const CSV_COLUMNS: [&str; 18] = [
    "session_uid",
    "session_started_at",
    "session_ended_at",
    "session_source",
    "session_outcome",
    "pain_before",
    "pain_after",
    "session_planned_s",
    "step",
    "step_kind",
    "exercise_id",
    "side",
    "rep",
    "step_planned_s",
    "step_done_ms",
    "step_outcome",
    "step_at",
    "session_step_count",
];

/// The log as CSV: one row per step, each with its session's columns; a session without
/// steps has one row with the step columns empty.
pub fn csv(file: &LogFile) -> Result<String, ::csv::Error> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS)?;
    let opt = |v: Option<u8>| v.map(|x| x.to_string()).unwrap_or_default();
    for s in &file.sessions {
        let head = [
            s.uid.clone(),
            s.started_at.rfc3339(),
            s.ended_at
                .map(backstretch_core::time::Stamp::rfc3339)
                .unwrap_or_default(),
            s.source.as_str().to_string(),
            s.outcome
                .map_or_else(|| "interrupted".into(), |o| o.as_str().to_string()),
            opt(s.pain_before),
            opt(s.pain_after),
            s.planned_s.to_string(),
        ];
        let count = s.steps.len().to_string();
        if s.steps.is_empty() {
            let mut row: Vec<String> = head.to_vec();
            row.extend(std::iter::repeat_n(String::new(), 9));
            row.push(count.clone());
            w.write_record(&row)?;
        }
        for st in &s.steps {
            let mut row: Vec<String> = head.to_vec();
            row.extend([
                st.step.to_string(),
                st.kind.as_str().to_string(),
                st.exercise_id.clone().unwrap_or_default(),
                st.side.map(|x| x.as_str().to_string()).unwrap_or_default(),
                st.rep.to_string(),
                st.planned_s.to_string(),
                st.done_ms.to_string(),
                st.outcome.as_str().to_string(),
                st.at.rfc3339(),
                count.clone(),
            ]);
            w.write_record(&row)?;
        }
    }
    let bytes = w.into_inner().map_err(csv::IntoInnerError::into_error)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
