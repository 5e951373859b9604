//! The server's own addresses for things it draws, shared by the pages and the player's JSON.

use backstretch_core::exercise::Exercise;

/// Where an exercise's figure is served, in the variant it is in: moving, or still.
pub fn figure_url(e: &Exercise, still: bool) -> String {
    let still = if still { "-still" } else { "" };
    let id = &e.id;
    match &e.variant {
        None => format!("/figures/{id}{still}.svg"),
        Some(v) => format!("/figures/{id}{still}.svg?variant={}", query_escape(v)),
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
}
