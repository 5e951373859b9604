//! The page frame: every page is plain HTML (maud, which escapes every value it is given)
//! with one stylesheet and one script file, no inline script (so the Content-Security-Policy
//! can forbid it), the menu, and the stop rule at the foot.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use backstretch_core::safety::{CES_SHORT, STOP_RULE};
use maud::{DOCTYPE, Markup, html};

use crate::error::WebError;
use crate::pages::parts::with_code;

/// A page handler's answer: the page, or an error shown as one.
pub type Page = Result<Response, PageError>;

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
pub fn page(title: &str, current: &str, body: &Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · backstretch" }
                link rel="stylesheet" href="/static/app.css";
                link rel="manifest" href="/manifest.webmanifest";
                link rel="icon" href="/static/icon.svg" type="image/svg+xml";
                meta name="theme-color" content="#1e40af";
                script src="/static/app.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to the content" }
                header {
                    a.brand href="/today" { "backstretch" }
                    nav aria-label="Main" {
                        @for (path, label) in NAV {
                            a href=(path) aria-current=[(path == current).then_some("page")] { (label) }
                        }
                    }
                }
                main #main {
                    h1 { (title) }
                    (body)
                }
                footer {
                    p { strong { (STOP_RULE) } }
                    p { (CES_SHORT) }
                }
            }
        }
    }
}

/// A page response.
pub fn html_page(status: StatusCode, title: &str, current: &str, body: &Markup) -> Response {
    (status, page(title, current, body)).into_response()
}

/// A see-other redirect (after a form, or to the gate a page needs first).
pub fn to(path: &str) -> Response {
    axum::response::Redirect::to(path).into_response()
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
        e.log();
        let status = e.status();
        let told = e.told();
        let title = match status {
            StatusCode::NOT_FOUND => "Not found",
            s if s.is_server_error() => "Something went wrong",
            _ => "That did not work",
        };
        let body = html! {
            p.error role="alert" { (with_code(&told.error)) }
            @if let Some(h) = &told.help { p { (with_code(h)) } }
            p { a.button href="/today" { "Back to today" } }
        };
        html_page(status, title, "", &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_carries_the_stop_rule_and_no_inline_script() {
        let p = page("Today", "/today", &html! { p { "hi" } }).into_string();
        assert!(p.contains(&backstretch_render::xml::escape(STOP_RULE)));
        assert!(p.contains("aria-current=\"page\">Today"), "{p}");
        assert!(!p.contains("<script>"));
    }

    #[test]
    fn text_from_a_person_is_escaped() {
        let p = page(
            "<b>x</b>",
            "",
            &html! { p { ("Tom & \"Jerry\" <script>") } },
        )
        .into_string();
        assert!(p.contains("&lt;b&gt;x&lt;/b&gt; · backstretch"), "{p}");
        assert!(
            p.contains("Tom &amp; &quot;Jerry&quot; &lt;script&gt;"),
            "{p}"
        );
    }
}
