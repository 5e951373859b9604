//! The page frame and small HTML helpers. Every page is plain HTML with one stylesheet and
//! one script file (no inline script, so the Content-Security-Policy can forbid it).

use std::fmt::Write as _;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use backstretch_core::safety::{CES_SHORT, STOP_RULE};

use crate::error::WebError;

/// Text safe to put in HTML (also in attribute values).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The pages in the menu, by path and label.
const NAV: [(&str, &str); 5] = [
    ("/today", "Today"),
    ("/exercises", "Exercises"),
    ("/history", "History"),
    ("/progress", "Progress"),
    ("/profile", "Profile"),
];

/// A whole page: the menu (with `current` marked), the title as its heading, the body, and
/// the stop rule at the foot of every page.
pub fn page(title: &str, current: &str, body: &str) -> String {
    let mut nav = String::new();
    for (path, label) in NAV {
        let cur = if path == current {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = write!(nav, "<a href=\"{path}\"{cur}>{label}</a>");
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{t} · backstretch</title>\
<link rel=\"stylesheet\" href=\"/static/app.css\">\
<link rel=\"manifest\" href=\"/manifest.webmanifest\">\
<link rel=\"icon\" href=\"/static/icon.svg\" type=\"image/svg+xml\">\
<meta name=\"theme-color\" content=\"#1e40af\">\
<script src=\"/static/app.js\" defer></script></head>\
<body><a class=\"skip\" href=\"#main\">Skip to the content</a>\
<header><a class=\"brand\" href=\"/today\">backstretch</a><nav aria-label=\"Main\">{nav}</nav></header>\
<main id=\"main\"><h1>{t}</h1>\n{body}\n</main>\
<footer><p><strong>{stop}</strong></p><p>{ces}</p></footer></body></html>\n",
        t = esc(title),
        stop = esc(STOP_RULE),
        ces = esc(CES_SHORT),
    )
}

/// A page response.
pub fn html(status: StatusCode, title: &str, current: &str, body: &str) -> Response {
    (status, Html(page(title, current, body))).into_response()
}

/// An error as a page: what was wrong and what to do, with a way on.
#[derive(Debug)]
pub struct PageError(pub WebError);

impl From<WebError> for PageError {
    fn from(e: WebError) -> PageError {
        PageError(e)
    }
}

impl From<backstretch_app::AppError> for PageError {
    fn from(e: backstretch_app::AppError) -> PageError {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        let mut body = format!("<p class=\"error\" role=\"alert\">{}</p>", esc(&e.error));
        if let Some(h) = &e.help {
            let _ = write!(body, "<p>{}</p>", esc(h));
        }
        body.push_str("<p><a class=\"button\" href=\"/today\">Back to today</a></p>");
        let title = match e.status {
            StatusCode::NOT_FOUND => "Not found",
            s if s.is_server_error() => "Something went wrong",
            _ => "That did not work",
        };
        html(e.status, title, "", &body)
    }
}

/// A see-other redirect (after a form, or to the gate a page needs first).
pub fn to(path: &str) -> Response {
    axum::response::Redirect::to(path).into_response()
}

/// A field's error message, when the error concerns it.
pub fn field_error(e: Option<&WebError>, field: &str) -> String {
    match e {
        Some(e) if e.field.as_deref() == Some(field) => {
            let mut s = format!(
                "<p class=\"error\" id=\"{field}-error\" role=\"alert\">{}",
                esc(&e.error)
            );
            if let Some(h) = &e.help {
                let _ = write!(s, ". {}", esc(h));
            }
            s.push_str("</p>");
            s
        }
        _ => String::new(),
    }
}

/// `aria-describedby` and `aria-invalid` for a field with an error.
pub fn invalid_attrs(e: Option<&WebError>, field: &str) -> String {
    match e {
        Some(e) if e.field.as_deref() == Some(field) => {
            format!(" aria-invalid=\"true\" aria-describedby=\"{field}-error\"")
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_elements_and_attributes() {
        assert_eq!(
            esc("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn every_page_carries_the_stop_rule_and_no_inline_script() {
        let p = page("Today", "/today", "<p>hi</p>");
        assert!(p.contains(&esc(STOP_RULE)));
        assert!(p.contains("aria-current=\"page\">Today"));
        assert!(!p.contains("<script>"));
    }
}
