//! The server's own addresses for things it draws, shared by the pages and the player's JSON.

use backstretch_core::exercise::Exercise;
use backstretch_core::pose::Support;

/// Where an exercise's figure is served, in the variant it is in: moving, or still.
/// A figure drawn on a bed (the person's places have no floor) says so: `place=bed`.
pub fn figure_url(e: &Exercise, still: bool) -> String {
    let still = if still { "-still" } else { "" };
    let id = &e.id;
    let mut query: Vec<String> = Vec::new();
    if let Some(v) = &e.variant {
        query.push(format!("variant={}", query_escape(v)));
    }
    if e.pose.as_ref().is_some_and(|p| p.support == Support::Bed) {
        query.push("place=bed".into());
    }
    if query.is_empty() {
        format!("/figures/{id}{still}.svg")
    } else {
        format!("/figures/{id}{still}.svg?{}", query.join("&"))
    }
}

/// Where an exercise's moving figure is served mirrored, as the right side is done.
pub fn figure_url_right(e: &Exercise) -> String {
    let url = figure_url(e, false);
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}side=right")
}

/// A text as a query value: letters, digits and `-._~` as they are, other bytes as `%XX`.
fn query_escape(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::query_escape;

    #[test]
    fn a_variant_name_is_written_as_a_query_value() {
        assert_eq!(query_escape("seated"), "seated");
        assert_eq!(query_escape("on a bed&x=1"), "on%20a%20bed%26x%3D1");
    }

    /// A figure drawn on a bed for someone without a floor says so in its address, so the
    /// player and the pages draw the bed.
    #[test]
    fn a_figure_on_a_bed_asks_for_the_bed() {
        use backstretch_core::vocab::Place;
        let c = backstretch_core::catalog::builtin().catalog;
        let tilt = c.get("pelvic-tilt").unwrap().exercise.clone();
        assert_eq!(super::figure_url(&tilt, false), "/figures/pelvic-tilt.svg");
        let in_bed = tilt.at_places(&[Place::Bed]);
        assert_eq!(
            super::figure_url(&in_bed, true),
            "/figures/pelvic-tilt-still.svg?place=bed"
        );
        let lying = c.played("chin-tuck", Some("lying")).unwrap();
        assert_eq!(
            super::figure_url(&lying.at_places(&[Place::Bed, Place::Chair]), false),
            "/figures/chin-tuck.svg?variant=lying&place=bed"
        );
    }
}
