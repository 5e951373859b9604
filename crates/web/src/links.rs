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
}
