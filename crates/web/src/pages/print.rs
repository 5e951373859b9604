//! The print view: today's routine as the printed sheet (render's HTML, with its own styles
//! and tick boxes for one to four weeks), behind the same gates as today's page. `GET /print`
//! is a preview that keeps nothing; `POST /print` keeps the routine under the sheet's code
//! and gives the page to print.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use backstretch_app::Overrides;
use backstretch_render::sheet::{self, Paper, Sheet};

use crate::error::WebError;
use crate::input::{Fields, FormResult, query};
use crate::pages::frame::Page;
use crate::pages::gate::stop;
use crate::state::Shared;

/// The sheet's own policy: its styles inline, still no script.
const SHEET_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// The preview's: the same, and its one form posts back to the server.
const PREVIEW_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// How many weeks of ticks, on which paper.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintQuery {
    weeks: Option<u32>,
    paper: Option<String>,
}

impl PrintQuery {
    fn read(self) -> Result<(u32, Paper), WebError> {
        let weeks = self.weeks.unwrap_or(2);
        if !sheet::WEEKS.contains(&weeks) {
            return Err(WebError::invalid(
                "weeks",
                format!("{weeks} weeks of ticks do not fit a sheet"),
                "use weeks=1 to 4",
            ));
        }
        let paper = match self.paper.as_deref() {
            None | Some("a4") => Paper::A4,
            Some("letter") => Paper::Letter,
            Some(other) => {
                return Err(WebError::invalid(
                    "paper",
                    format!("`{other}` is not a paper size"),
                    "use paper=a4 or paper=letter",
                ));
            }
        };
        Ok((weeks, paper))
    }
}

/// Today's routine as a preview of its sheet, which keeps nothing: a GET changes nothing.
/// The "Print this sheet" button posts to keep it under its code, and printing the preview
/// itself prints only a line saying to press it.
pub async fn print(State(s): State<Shared>, q: Result<Query<PrintQuery>, QueryRejection>) -> Page {
    let (weeks, paper) = query(q, "use weeks=1 to 4 and paper=a4 or letter")?.read()?;
    if let Some(stop) = stop(&s).await? {
        return Ok(stop.page());
    }
    let page = s
        .run(move |app, catalog| {
            let (plan, code) = app.sheet_preview(catalog, &Overrides::default())?;
            let goal = app.profile()?.unwrap_or_default().goal;
            Ok(sheet::html(&Sheet::new(&plan, code, weeks, goal), paper))
        })
        .await?;
    let paper_word = match paper {
        Paper::A4 => "a4",
        Paper::Letter => "letter",
    };
    let bar = format!(
        "<form class=\"preview\" method=\"post\" action=\"/print\"><p>A preview: nothing is kept yet. Print this sheet to keep its routine under its code, so <code>backstretch log --sheet CODE</code> logs what it shows.</p><input type=\"hidden\" name=\"weeks\" value=\"{weeks}\"><input type=\"hidden\" name=\"paper\" value=\"{paper_word}\"><button type=\"submit\">Print this sheet</button></form>\n"
    );
    Ok(sheet_response(
        &with_bar(&page, PREVIEW_STYLE, &bar),
        PREVIEW_CSP,
    ))
}

/// The sheet printed: its routine kept under its code (`log --sheet CODE` finds it), then the
/// page to print.
pub async fn print_sheet(State(s): State<Shared>, f: FormResult) -> Page {
    let f = Fields::read(f)?;
    let weeks = match f.one("weeks") {
        None => None,
        Some(w) => Some(w.trim().parse::<u32>().map_err(|_| {
            WebError::invalid(
                "weeks",
                format!("`{w}` is not a number of weeks"),
                "use weeks=1 to 4",
            )
        })?),
    };
    let (weeks, paper) = PrintQuery {
        weeks,
        paper: f.one("paper"),
    }
    .read()?;
    if let Some(stop) = stop(&s).await? {
        return Ok(stop.page());
    }
    let page = s
        .run(move |app, catalog| {
            let (plan, code) = app.sheet(catalog, &Overrides::default())?;
            let goal = app.profile()?.unwrap_or_default().goal;
            Ok(sheet::html(&Sheet::new(&plan, code, weeks, goal), paper))
        })
        .await?;
    let bar = "<p class=\"preview\">Kept under its code. Print it with your browser's Print (Ctrl-P, or Share then Print on a phone).</p>\n";
    Ok(sheet_response(
        &with_bar(&page, SCREEN_ONLY, bar),
        SHEET_CSP,
    ))
}

/// The preview's bar shows on screen only, and printing the preview prints only the bar.
const PREVIEW_STYLE: &str = "<style>.preview{font:11pt sans-serif;border:2px solid #000;padding:6pt;margin-bottom:8pt}.preview button{font-size:12pt;min-height:48px;padding:0 14pt}@media print{body>:not(.preview){display:none}.preview button{display:none}}</style>";
/// The printed sheet's note shows on screen only.
const SCREEN_ONLY: &str = "<style>.preview{font:11pt sans-serif;margin:0 0 8pt}@media print{.preview{display:none}}</style>";

/// The sheet's page with a bar at the top of its body and the bar's styles in its head.
fn with_bar(page: &str, style: &str, bar: &str) -> String {
    page.replacen("</head>", &format!("{style}</head>"), 1)
        .replacen("<body>\n", &format!("<body>\n{bar}"), 1)
}

fn sheet_response(page: &str, csp: &'static str) -> axum::response::Response {
    let mut r = axum::response::Html(page.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    r
}
