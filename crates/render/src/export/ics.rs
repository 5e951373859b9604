use backstretch_core::reminder::Reminder;
use chrono::Weekday;
use icalendar::{Alarm, Calendar, Component, Event, Property};

fn byday(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// A reminder calendar: one recurring event (daily, or on the chosen weekdays) at a floating
/// local time, with an alarm at its start. The same reminder always gives the same bytes.
pub fn ics(r: &Reminder) -> String {
    let rrule = if r.days.is_empty() {
        "FREQ=DAILY".to_string()
    } else {
        format!(
            "FREQ=WEEKLY;BYDAY={}",
            r.days
                .iter()
                .map(|d| byday(*d))
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    let start = r.first_day.and_time(r.time);
    let stamp = r.stamp.format("%Y%m%dT%H%M%SZ").to_string();
    // The crate fills in a missing DTSTAMP and UID with the clock and a random id; both are
    // given, so the file is deterministic.
    let alarm = Alarm::display(
        if r.paused.is_some() {
            "Stretching is paused until a clinician has seen the warning sign"
        } else {
            "Time to stretch: run backstretch start"
        },
        chrono::Duration::zero(),
    )
    .uid(&format!("{}-alarm", r.uid))
    .add_property("DTSTAMP", &stamp)
    .done();
    let event = Event::new()
        .uid(&r.uid)
        .add_property("DTSTAMP", &stamp)
        .add_property("DTSTART", start.format("%Y%m%dT%H%M%S").to_string())
        .add_property("DURATION", format!("PT{}M", r.minutes.max(1)))
        .add_property("RRULE", &rrule)
        .summary(&match r.paused {
            Some(_) => "Stretching paused: see a clinician first".to_string(),
            None => format!("Stretch for your back ({} min)", r.minutes),
        })
        .description(&r.description)
        .add_property("CATEGORIES", "HEALTH")
        .add_property("TRANSP", "TRANSPARENT")
        .append_component(alarm)
        .done();
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new(
            "PRODID",
            "-//backstretch//stretching reminders//EN",
        ))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        .push(event);
    cal.to_string()
}
