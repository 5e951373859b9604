//! Writing to the terminal: stdout that tolerates a closed pipe, colour rules, width, and
//! error reports.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

/// Text made safe for a terminal: control characters are dropped, except newlines (LF, or
/// CR LF), tabs and the colour sequences (`ESC [ digits ; m`) this program writes itself. Data in the log or a
/// catalogue can never retitle the window, move the cursor or ask the terminal to report.
pub fn sanitize(text: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| backstretch_core::text::is_hidden_control(c) && c != '\n' && c != '\t';
    if !text.chars().any(bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}' {
            let sgr = rest[1..]
                .strip_prefix('[')
                .and_then(|r| {
                    r.find(|ch: char| !(ch.is_ascii_digit() || ch == ';'))
                        .map(|n| (r, n))
                })
                .filter(|(r, n)| r[*n..].starts_with('m'));
            if let Some((_, n)) = sgr {
                let len = 2 + n + 1;
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
        }
        // A line ending of CR LF (RFC 5545 calendars, CSV) is kept; a lone CR, which could
        // write over a line on the screen, is not.
        if !bad(c) || rest.starts_with("\r\n") {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    std::borrow::Cow::Owned(out)
}

/// Writes text to standard output, made safe for a terminal ([`sanitize`]). A reader that
/// went away (`| head`) is not an error.
pub fn print(text: &str) -> miette::Result<()> {
    let text = sanitize(text);
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(miette::miette!("cannot write to standard output: {e}")),
    }
}

/// Pretty JSON with a final newline.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> miette::Result<String> {
    let mut s = serde_json::to_string_pretty(value)
        .map_err(|e| miette::miette!("cannot write JSON: {e}"))?;
    s.push('\n');
    Ok(s)
}

/// Writes bytes to a file the user named (atomically, readable by them alone), or says why
/// it could not.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> miette::Result<()> {
    crate::files::write_private(path, bytes)
}

/// Renders an SVG to PNG at twice its size, with the system's fonts.
pub fn png(svg: &str) -> miette::Result<Vec<u8>> {
    let mut opt = resvg::usvg::Options::default();
    opt.fontdb_mut().load_system_fonts();
    if opt.fontdb.is_empty() {
        eprintln!(
            "note: no fonts found, so the PNG has no text; install some (Debian: `apt-get install fonts-dejavu-core`) or write an SVG"
        );
    }
    let tree = resvg::usvg::Tree::from_str(svg, &opt)
        .map_err(|e| miette::miette!("cannot draw the picture: {e}"))?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width() * 2, size.height() * 2)
        .ok_or_else(|| miette::miette!("the picture is too large to draw"))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(2.0, 2.0),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| miette::miette!("cannot encode the PNG: {e}"))
}

/// Whether to colour output on a stream: a terminal, `NO_COLOR` unset, `TERM` not dumb.
pub fn color_for(is_terminal: bool) -> bool {
    is_terminal
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Whether standard error may be coloured.
pub fn stderr_color() -> bool {
    color_for(io::stderr().is_terminal())
}

/// The width to lay text out in: `COLUMNS` when set, else the terminal's width, else 80;
/// kept between 40 and 160.
pub fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .or_else(|| {
            io::stdout()
                .is_terminal()
                .then(backstretch_tui::terminal_width)
                .flatten()
                .map(usize::from)
        })
        .unwrap_or(80)
        .clamp(40, 160)
}

/// Text wrapped on spaces to the output width, each paragraph (line) on its own.
pub fn wrapped(text: &str) -> String {
    let w = width();
    text.lines()
        .map(|l| backstretch_render::table::wrap(l, w).join("\n"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sets how error reports look. miette fixes a report's look when the report is made, so
/// this runs first thing in `main`.
pub fn install_report_hook() {
    let terminal = io::stderr().is_terminal();
    let color = stderr_color();
    // On a terminal, wrap to its width; into a pipe or a log, keep each message on one line.
    let wrap = if terminal { width() } else { 10_000 };
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(color)
                .unicode(color)
                .terminal_links(false)
                .width(wrap)
                .build(),
        )
    }));
}

/// Prints an error report to standard error and returns the failure exit code.
pub fn report(e: &miette::Report) -> ExitCode {
    // The app's errors name a remedy in no front end's words: here it gets the terminal's.
    let text = match e.downcast_ref::<backstretch_app::AppError>() {
        Some(app) => format!("{:?}", miette::Report::new(crate::remedy::Worded::of(app))),
        None => format!("{e:?}"),
    };
    eprintln!("{}", sanitize(&text));
    ExitCode::FAILURE
}

/// A note on standard error, made safe for a terminal.
pub fn note(text: &str) {
    eprintln!("{}", sanitize(text));
}

/// The pairing address as a QR code drawn with half blocks, for a terminal.
pub fn qr_text(url: &str) -> String {
    use qrcode::render::unicode::Dense1x2;
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// A server's errors (their causes, which clients are never shown) as lines on stderr.
pub fn log_to_stderr() {
    let _ = tracing_subscriber::fmt()
        .with_writer(io::stderr)
        .with_ansi(false)
        .with_target(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn terminal_controls_are_dropped_but_colour_and_lines_kept() {
        assert_eq!(sanitize("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(
            sanitize("a\u{1b}]0;pwned\u{7}b\u{8}c\rd\u{0}e\u{9b}f"),
            "a]0;pwnedbcdef"
        );
        assert_eq!(
            sanitize("\u{1b}[1;31mred\u{1b}[0m"),
            "\u{1b}[1;31mred\u{1b}[0m"
        );
        assert_eq!(
            sanitize("\u{1b}[6n"),
            "[6n",
            "a cursor report request is defused"
        );
    }

    /// Regression: `export ics` lost the CR of its CR LF line endings (RFC 5545) on the way
    /// out; a lone CR is still dropped.
    #[test]
    fn crlf_line_endings_are_kept() {
        assert_eq!(
            sanitize("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
            "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
        );
        assert_eq!(sanitize("over\rwrite\r\n"), "overwrite\r\n");
    }
}
