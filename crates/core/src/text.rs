//! Small text helpers: name normalization and closeness for "did you mean" hints.

/// Folds a name for matching: lower case, apostrophes dropped, any other punctuation or
/// hyphen read as a space, runs of space collapsed.
///
/// `"Child's pose"`, `"childs pose"` and `"CHILDS-POSE"` all fold to `"childs pose"`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_space = false;
    for c in name.chars() {
        if matches!(c, '\'' | '\u{2019}' | '\u{2018}') {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// Whether a character must not reach a screen or a voice from a file: a control character,
/// or a bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2069), which
/// can make a name read as something else.
pub fn is_hidden_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Levenshtein distance between two strings, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The largest edit distance still taken as a typo of a word of this length.
fn tolerance(len: usize) -> usize {
    match len {
        0..=3 => 1,
        4..=7 => 2,
        _ => 3,
    }
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word, c), c))
        .filter(|(d, _)| *d <= tolerance(word.chars().count()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// A count with its noun: `1 exercise`, `3 exercises`.
pub fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_punctuation_case_and_space() {
        assert_eq!(normalize_name("Child's pose"), "childs pose");
        assert_eq!(normalize_name("childs  pose"), "childs pose");
        assert_eq!(normalize_name("Child\u{2019}s Pose!"), "childs pose");
        assert_eq!(normalize_name("knee-to-chest"), "knee to chest");
        assert_eq!(normalize_name("  IT band / QL "), "it band ql");
    }

    #[test]
    fn distance_and_closest() {
        assert_eq!(edit_distance("flor", "floor"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(closest("flor", ["floor", "bed", "chair"]), Some("floor"));
        assert_eq!(closest("xyz", ["floor", "bed", "chair"]), None);
    }
}
