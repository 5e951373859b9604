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

/// The pairing address as a QR code drawn with half blocks, dark modules on light with a
/// quiet zone around, as scanners expect. On a terminal (`colour`), the code sets its own
/// colours (black on bright white), so it reads the same in a light theme and a dark one.
pub fn qr_text(url: &str, colour: bool) -> String {
    use qrcode::render::unicode::Dense1x2;
    let Ok(code) = qrcode::QrCode::new(url.as_bytes()) else {
        return String::new();
    };
    let text = code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Dark)
        .light_color(Dense1x2::Light)
        .quiet_zone(true)
        .build();
    if !colour {
        return text;
    }
    text.lines()
        .map(|l| format!("{QR_COLOURS}{l}\x1b[0m"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The colours a QR code on a terminal sets: black modules on a bright white ground.
const QR_COLOURS: &str = "\x1b[30;107m";

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
    use super::{qr_text, sanitize};

    /// A terminal theme: its own foreground and background, and what it shows for black
    /// (30) and bright white (107).
    struct Theme {
        fg: u8,
        bg: u8,
        black: u8,
        bright_white: u8,
    }

    /// Draws terminal text as a terminal would in `theme` (each cell 1 wide and 2 high, the
    /// half blocks split it), 4 pixels a half cell, as a greyscale PGM with a margin of the
    /// theme's background.
    fn draw(text: &str, t: &Theme) -> Vec<u8> {
        let mut rows: Vec<Vec<(u8, u8)>> = Vec::new();
        for line in text.lines() {
            let (mut fg, mut bg) = (t.fg, t.bg);
            let mut row = Vec::new();
            let mut rest = line;
            while let Some(c) = rest.chars().next() {
                if let Some(after) = rest.strip_prefix("\x1b[") {
                    let end = after.find('m').expect("an SGR sequence");
                    for code in after[..end].split(';') {
                        match code {
                            "0" => (fg, bg) = (t.fg, t.bg),
                            "30" => fg = t.black,
                            "107" => bg = t.bright_white,
                            other => panic!("unexpected colour {other}"),
                        }
                    }
                    rest = &after[end + 1..];
                    continue;
                }
                row.push(match c {
                    '█' => (fg, fg),
                    '▀' => (fg, bg),
                    '▄' => (bg, fg),
                    _ => (bg, bg),
                });
                rest = &rest[c.len_utf8()..];
            }
            rows.push(row);
        }
        let (scale, margin) = (4, 8);
        let w = rows.iter().map(Vec::len).max().unwrap_or(0) + 2 * margin;
        let h = 2 * rows.len() + 2 * margin;
        let mut img = format!("P5 {} {} 255\n", w * scale, h * scale).into_bytes();
        for y in 0..h {
            let line: Vec<u8> = (0..w)
                .map(|x| {
                    let (row, col) = ((y.wrapping_sub(margin)) / 2, x.wrapping_sub(margin));
                    rows.get(row)
                        .and_then(|r| r.get(col))
                        .map_or(
                            t.bg,
                            |&(up, down)| {
                                if (y - margin) % 2 == 0 { up } else { down }
                            },
                        )
                })
                .flat_map(|v| std::iter::repeat_n(v, scale))
                .collect();
            for _ in 0..scale {
                img.extend_from_slice(&line);
            }
        }
        img
    }

    /// What zbarimg reads from an image, or none when it reads nothing.
    fn decode(img: &[u8]) -> Option<String> {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("qr.pgm");
        std::fs::write(&path, img).expect("the image");
        let out = std::process::Command::new("zbarimg")
            .args(["--quiet", "--raw"])
            .arg(&path)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Regression: the code was drawn inverted for dark themes, so in a light theme zbarimg
    /// read nothing. With its own colours it reads in both, and plain (piped) it is dark
    /// on light.
    #[test]
    fn the_pairing_qr_decodes_in_a_light_theme_and_a_dark_one() {
        if std::process::Command::new("zbarimg")
            .arg("--version")
            .output()
            .is_err()
        {
            eprintln!("zbarimg is not installed (zbar-tools): skipped");
            return;
        }
        let url = "https://192.168.1.20:8421/pair?code=K7Q2-M9XD";
        let light = Theme {
            fg: 20,
            bg: 250,
            black: 0,
            bright_white: 255,
        };
        // Solarized dark, in grey: light text on a dark ground, its black not quite black.
        let dark = Theme {
            fg: 140,
            bg: 20,
            black: 40,
            bright_white: 245,
        };
        for (name, theme) in [("light", &light), ("dark", &dark)] {
            let img = draw(&qr_text(url, true), theme);
            if let Some(dir) = std::env::var_os("BACKSTRETCH_SCREENSHOTS") {
                std::fs::write(
                    std::path::Path::new(&dir).join(format!("qr-{name}.pgm")),
                    &img,
                )
                .expect("the picture");
            }
            assert_eq!(decode(&img).as_deref(), Some(url), "{name} theme");
        }
        assert_eq!(
            decode(&draw(&qr_text(url, false), &light)).as_deref(),
            Some(url)
        );
    }

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
