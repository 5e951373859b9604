//! Plain-text tables that fit a given width.
//!
//! Columns keep their natural width when everything fits. Otherwise the widest wrappable
//! columns give up space first, and their cells wrap on spaces, never inside a word.
//! A cell may hold explicit line breaks (`\n`).

/// Spaces between a table's columns.
const GAP: usize = 2;

/// A table under construction.
#[derive(Debug, Clone, Default)]
pub struct Table {
    headers: Vec<String>,
    wrap: Vec<bool>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Wraps text to `max` characters per line, breaking at spaces; a word longer than the line
/// breaks after its hyphens (`kneeling-hip-` / `flexor-stretch`), and one without hyphens
/// stands on its own line. Each paragraph (split on `\n`) keeps its leading spaces on
/// every line it wraps to.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        let indent: String = para.chars().take_while(|c| *c == ' ').collect();
        let mut line = indent.clone();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            if width(word) + width(&indent) > max && word.contains('-') {
                if line.len() > indent.len() {
                    out.push(std::mem::replace(&mut line, indent.clone()));
                }
                for piece in word.split_inclusive('-') {
                    if line.len() > indent.len() && width(&line) + width(piece) > max {
                        out.push(std::mem::replace(&mut line, indent.clone()));
                    }
                    line.push_str(piece);
                }
                continue;
            }
            if line.len() > indent.len() && width(&line) + 1 + width(word) > max {
                out.push(std::mem::replace(&mut line, indent.clone()));
            }
            if line.len() > indent.len() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push(line);
    }
    out
}

/// The text with its first letter upper-case (`Lie on your back`).
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Wraps `text` to `width` with `first` before the first line and `rest` before the others
/// (a hanging indent: `"  - "` then `"    "`).
pub fn hanging(first: &str, rest: &str, text: &str, width: usize) -> String {
    let w = width
        .saturating_sub(self::width(first).max(self::width(rest)))
        .max(20);
    let mut out = String::new();
    for (i, l) in wrap(text, w).iter().enumerate() {
        out.push_str(if i == 0 { first } else { rest });
        out.push_str(l);
        out.push('\n');
    }
    out
}

impl Table {
    /// A table with these column headers; every column may wrap.
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Self {
        let headers: Vec<String> = headers.into_iter().map(Into::into).collect();
        let n = headers.len();
        Table {
            headers,
            wrap: vec![true; n],
            right: vec![false; n],
            rows: Vec::new(),
        }
    }

    /// Keeps a column on one line (ids, numbers).
    pub fn no_wrap(mut self, col: usize) -> Self {
        if let Some(w) = self.wrap.get_mut(col) {
            *w = false;
        }
        self
    }

    /// Aligns a column to the right (numbers).
    pub fn align_right(mut self, col: usize) -> Self {
        if let Some(r) = self.right.get_mut(col) {
            *r = true;
        }
        self
    }

    /// Adds a row; missing cells are empty, extra cells are dropped.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        let mut cells: Vec<String> = cells.into_iter().map(Into::into).collect();
        cells.resize(self.headers.len(), String::new());
        self.rows.push(cells);
    }

    /// Renders the table to fit `max_width` characters where possible.
    /// Each row as a block of `header: value` lines, for widths too narrow for columns.
    fn stacked(&self, max_width: usize) -> String {
        let label_w = self.headers.iter().map(|h| width(h)).max().unwrap_or(0) + 2;
        let mut out = String::new();
        for (k, row) in self.rows.iter().enumerate() {
            if k > 0 {
                out.push('\n');
            }
            for (h, cell) in self.headers.iter().zip(row) {
                let label = format!("{}:", h.to_lowercase());
                let text = cell
                    .split('\n')
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join(" ");
                let first = format!("{label:<label_w$}");
                out.push_str(&hanging(&first, &" ".repeat(label_w), &text, max_width));
            }
        }
        out
    }

    pub fn render(&self, max_width: usize) -> String {
        if self.headers.is_empty() {
            return String::new();
        }
        let Some(widths) = self.column_widths(max_width) else {
            return self.stacked(max_width);
        };
        let mut out = String::new();
        self.emit(&self.headers, &widths, &mut out);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        self.emit(&rule, &widths, &mut out);
        for r in &self.rows {
            self.emit(r, &widths, &mut out);
        }
        out
    }

    /// The columns' widths, wrapping the columns that may wrap until the table fits
    /// `max_width` (None when it cannot).
    fn column_widths(&self, max_width: usize) -> Option<Vec<usize>> {
        let n = self.headers.len();
        let cell_lines = |c: &str| c.split('\n').map(width).max().unwrap_or(0);
        // Words break at spaces; only when that is not enough, long words also break after
        // their hyphens.
        let longest_word = |c: &str, at_hyphens: bool| {
            c.split(['\n', ' '])
                .flat_map(|w| {
                    if at_hyphens {
                        w.split_inclusive('-').collect::<Vec<_>>()
                    } else {
                        vec![w]
                    }
                })
                .map(width)
                .max()
                .unwrap_or(0)
        };
        let mut widths: Vec<usize> = (0..n)
            .map(|i| {
                self.rows
                    .iter()
                    .map(|r| cell_lines(&r[i]))
                    .chain(std::iter::once(width(&self.headers[i])))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let total = |w: &[usize]| w.iter().sum::<usize>() + GAP * (n - 1);
        for at_hyphens in [false, true] {
            let mins: Vec<usize> = (0..n)
                .map(|i| {
                    if self.wrap[i] {
                        self.rows
                            .iter()
                            .map(|r| longest_word(&r[i], at_hyphens))
                            .chain(std::iter::once(longest_word(&self.headers[i], at_hyphens)))
                            .max()
                            .unwrap_or(0)
                    } else {
                        widths[i]
                    }
                })
                .collect();
            while total(&widths) > max_width {
                // Shrink the widest column that can still give up a character.
                let Some(i) = (0..n)
                    .filter(|i| widths[*i] > mins[*i])
                    .max_by_key(|i| (widths[*i], std::cmp::Reverse(*i)))
                else {
                    break;
                };
                widths[i] -= 1;
            }
        }
        (total(&widths) <= max_width).then_some(widths)
    }

    /// One row of cells, wrapped to the columns' widths, as lines.
    fn emit(&self, cells: &[String], widths: &[usize], out: &mut String) {
        let n = self.headers.len();
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if self.wrap[i] {
                    wrap(c, widths[i])
                } else {
                    c.split('\n').map(str::to_string).collect()
                }
            })
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        for l in 0..height {
            let mut line = String::new();
            for (i, cell) in wrapped.iter().enumerate() {
                let text = cell.get(l).map_or("", String::as_str);
                let pad = widths[i].saturating_sub(width(text));
                if i > 0 {
                    line.push_str(&" ".repeat(GAP));
                }
                if self.right[i] {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(text);
                } else {
                    line.push_str(text);
                    if i + 1 < n {
                        line.push_str(&" ".repeat(pad));
                    }
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_when_it_can() {
        let mut t = Table::new(["ID", "NAME"]);
        t.row(["a", "Alpha"]);
        assert_eq!(t.render(80), "ID  NAME\n--  -----\na   Alpha\n");
    }

    #[test]
    fn wraps_widest_column_on_spaces() {
        let mut t = Table::new(["ID", "TEXT"]).no_wrap(0);
        t.row(["one", "a fairly long text that must wrap"]);
        let out = t.render(20);
        assert!(out.lines().all(|l| l.chars().count() <= 20), "{out}");
        assert!(out.contains("one  a fairly long\n"), "{out}");
        assert!(out.contains("     text that must\n"), "{out}");
    }

    #[test]
    fn right_alignment_and_explicit_breaks() {
        let mut t = Table::new(["N", "CELL"]).align_right(0);
        t.row(["7", "first\nsecond"]);
        t.row(["12", "x"]);
        assert_eq!(
            t.render(80),
            " N  CELL\n--  ------\n 7  first\n    second\n12  x\n"
        );
    }

    #[test]
    fn wrap_keeps_long_words_whole() {
        assert_eq!(wrap("abc defghijkl mn", 5), vec!["abc", "defghijkl", "mn"]);
        assert_eq!(wrap("", 5), vec![""]);
        assert_eq!(wrap("  ab cd", 5), vec!["  ab", "  cd"]);
        assert_eq!(
            hanging("- ", "  ", "one two three", 28),
            "- one two three\n"
        );
    }

    #[test]
    fn wide_characters_take_two_columns() {
        let mut t = Table::new(["NAME", "NOTE"]);
        t.row(["ストレッチ", "x"]);
        t.row(["ab", "y"]);
        let out = t.render(80);
        let col = |mark: char| {
            let l = out.lines().find(|l| l.ends_with(mark)).unwrap();
            width(&l[..l.len() - 1])
        };
        assert_eq!(col('x'), col('y'), "{out}");
    }

    /// Regression: at 50 columns `catalog list` printed 78-column lines; a table too wide
    /// for its columns is laid out as blocks instead.
    #[test]
    fn a_table_never_exceeds_its_width() {
        let mut t = Table::new(["EXERCISE", "POSITION", "PLACES"])
            .no_wrap(0)
            .no_wrap(1);
        t.row(["kneeling-hip-flexor-stretch", "half-kneeling", "floor"]);
        t.row(["bridge", "supine", "floor, bed"]);
        for w in [40, 50, 80] {
            let out = t.render(w);
            assert!(out.lines().all(|l| width(l) <= w), "{w}:\n{out}");
        }
        assert!(t.render(40).contains("position: half-kneeling"));
    }
}
