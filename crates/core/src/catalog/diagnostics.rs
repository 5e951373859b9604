//! Problems in catalogue files, located by line and column, with a hint.

use std::fmt;
use std::ops::Range;

use crate::text::closest;

/// One problem in a catalogue file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user knows it (`catalog/bridge.toml`, `/home/me/exercises/x.toml`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte range in the file.
    pub span: Range<usize>,
    /// The field at fault (`places[1]`, `dose.hold_s`), when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// The text of the line, for showing the problem in place.
    pub line_text: String,
}

impl Diagnostic {
    /// A problem with a whole file (it cannot be read, is not text, is too large).
    pub fn whole_file(file: &str, message: String, hint: &str) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            line: 1,
            column: 1,
            span: 0..0,
            field: None,
            message,
            hint: Some(hint.to_string()),
            line_text: String::new(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset, and that line's text.
pub(super) fn locate(text: &str, offset: usize) -> (usize, usize, String) {
    let offset = offset.min(text.len());
    let offset = (0..=offset)
        .rev()
        .find(|o| text.is_char_boundary(*o))
        .unwrap_or(0);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line_text = text[line_start..line_end]
        .trim_end_matches('\r')
        .to_string();
    (line, column, line_text)
}

/// Collects diagnostics for one file.
pub(super) struct Reporter<'a> {
    pub(super) file: &'a str,
    pub(super) text: &'a str,
    pub(super) out: Vec<Diagnostic>,
}

impl<'a> Reporter<'a> {
    pub(super) fn new(file: &'a str, text: &'a str) -> Self {
        Reporter {
            file,
            text,
            out: Vec::new(),
        }
    }

    pub(super) fn report(
        &mut self,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let field = field.into();
        self.out.push(make_diag(
            self.file,
            self.text,
            span,
            (!field.is_empty()).then_some(field),
            message.into(),
            hint,
        ));
    }
}

pub(super) fn make_diag(
    file: &str,
    text: &str,
    span: Range<usize>,
    field: Option<String>,
    message: String,
    hint: Option<String>,
) -> Diagnostic {
    let (line, column, line_text) = locate(text, span.start);
    Diagnostic {
        file: file.to_string(),
        line,
        column,
        span,
        field,
        message,
        hint,
        line_text,
    }
}

/// Turns a TOML/serde error into a diagnostic with a field name and a hint where possible.
pub(super) fn syntax_diag(file: &str, text: &str, err: &toml::de::Error) -> Diagnostic {
    let span = err.span().unwrap_or(0..0);
    let message = err.message().trim().to_string();
    let (_, _, line_text) = locate(text, span.start);
    let field = line_text
        .split_once('=')
        .map(|(k, _)| k.trim())
        .filter(|k| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        })
        .map(str::to_string);
    let mut hint = None;
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let words: Vec<&str> = rest.split('`').step_by(2).collect();
        if let Some((bad, expected)) = words.split_first() {
            let expected: Vec<&str> = expected.to_vec();
            hint = Some(match closest(bad, expected.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? Unknown keys are not allowed"),
                None => "remove it; unknown keys are not allowed (see catalog/README.md)".into(),
            });
        }
    } else if let Some(missing) = message.strip_prefix("missing field `") {
        let key = missing.split('`').next().unwrap_or_default();
        hint = Some(format!(
            "add `{key}`; every field is described in catalog/README.md"
        ));
    } else if message.contains("invalid type") {
        hint = Some("check the value's type against catalog/README.md".into());
    }
    make_diag(file, text, span, field, message, hint)
}
