//! The print view: today's routine as the printed sheet (render's HTML, with its own styles
//! and tick boxes for one to four weeks), behind the same gates as today's page.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use backstretch_app::Overrides;
use backstretch_render::sheet::{self, Paper, Sheet};

use crate::error::WebError;
use crate::input::query;
use crate::pages::frame::Page;
use crate::pages::gate::stop;
use crate::state::Shared;

/// The sheet's own policy: its styles inline, still no script.
const SHEET_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

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

/// Today's routine as a sheet to print.
pub async fn print(State(s): State<Shared>, q: Result<Query<PrintQuery>, QueryRejection>) -> Page {
    let (weeks, paper) = query(q, "use weeks=1 to 4 and paper=a4 or letter")?.read()?;
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
    let mut r = axum::response::Html(page).into_response();
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(SHEET_CSP),
    );
    Ok(r)
}
