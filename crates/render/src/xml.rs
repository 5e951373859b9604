//! The one escape for markup that render writes (SVG charts and figures, the printed sheet's
//! HTML): text made safe to place in an element or in a double-quoted attribute value.

/// `text` with `&`, `<`, `>` and `"` written as entities, so it reads as text inside an
/// element or a double-quoted attribute of XML, SVG or HTML, never as markup.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_characters_become_entities_and_the_rest_stays() {
        assert_eq!(
            escape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry's&lt;/a&gt;"
        );
        assert_eq!(escape("Child’s pose · 30 s"), "Child’s pose · 30 s");
    }
}
