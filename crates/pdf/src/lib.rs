//! The routine sheet as a PDF, laid out from render's [`Sheet`] and written with krilla:
//! vector figures, embedded (subset) DejaVu Sans Condensed, selectable text, and the same
//! bytes for the same sheet (the creation date is the sheet's date, never the clock).
//!
//! Pure: bytes in, bytes out. Layout runs in two passes, so every page knows the page count.

use std::sync::OnceLock;

use backstretch_render::figure::{Panel, Shape};
use backstretch_render::sheet::{Paper, Sheet};
use chrono::Datelike;
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineCap, LineJoin, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSansCondensed.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSansCondensed-Bold.ttf");

/// Why no PDF could be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The PDF library refused the document.
    #[error("the PDF could not be written: {0}")]
    Write(String),
    /// The paper is too small for one exercise's block.
    #[error("{0}")]
    Layout(String),
}

/// Horizontal advances of one embedded font, per 1 pt of size.
struct Metrics {
    advances: Vec<(char, f32)>,
    fallback: f32,
}

impl Metrics {
    fn of(data: &'static [u8]) -> Metrics {
        let font = skrifa::FontRef::new(data).ok();
        let Some(font) = font else {
            return Metrics {
                advances: Vec::new(),
                fallback: 0.55,
            };
        };
        let upem = font
            .metrics(Size::unscaled(), LocationRef::default())
            .units_per_em;
        let upem = f32::from(upem.max(1));
        let gm = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        let cmap = font.charmap();
        let advances = (0x20u32..0x2500)
            .filter_map(char::from_u32)
            .filter_map(|c| {
                let g = cmap.map(c)?;
                Some((c, gm.advance_width(g)? / upem))
            })
            .collect();
        Metrics {
            advances,
            fallback: 0.55,
        }
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| {
                self.advances
                    .binary_search_by(|(k, _)| k.cmp(&c))
                    .map_or(self.fallback, |i| self.advances[i].1)
            })
            .sum::<f32>()
            * size
    }
}

struct Fonts {
    regular: Font,
    bold: Font,
    m_regular: Metrics,
    m_bold: Metrics,
}

fn fonts() -> Result<&'static Fonts, PdfError> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Some(Fonts {
                regular: Font::new(REGULAR.into(), 0)?,
                bold: Font::new(BOLD.into(), 0)?,
                m_regular: Metrics::of(REGULAR),
                m_bold: Metrics::of(BOLD),
            })
        })
        .as_ref()
        .ok_or_else(|| PdfError::Write("the embedded font could not be read".into()))
}

impl Fonts {
    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        if bold {
            self.m_bold.width(text, size)
        } else {
            self.m_regular.width(text, size)
        }
    }

    /// Words wrapped to `width`; a word longer than a line is cut.
    fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, size, bold) <= width || line.is_empty() {
                line = candidate;
            } else {
                lines.push(std::mem::take(&mut line));
                line = word.to_string();
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// One thing to draw, in page points (y down).
#[derive(Debug, Clone)]
enum Op<'a> {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        gray: u8,
        text: String,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        gray: u8,
    },
    Box {
        rect: (f32, f32, f32, f32),
        width: f32,
    },
    Figure {
        at: (f32, f32),
        side: f32,
        panel: &'a Panel,
    },
}

const MARGIN: f32 = 36.0;
const BODY: f32 = 8.0;
const LEAD: f32 = 1.25;
const FIG: f32 = 74.0;
const FOOTER_H: f32 = 44.0;

struct Layout<'a> {
    f: &'static Fonts,
    pw: f32,
    ph: f32,
    pages: Vec<Vec<Op<'a>>>,
    y: f32,
}

impl<'a> Layout<'a> {
    fn width(&self) -> f32 {
        self.pw - 2.0 * MARGIN
    }

    fn bottom(&self) -> f32 {
        self.ph - MARGIN - FOOTER_H
    }

    fn ops(&mut self) -> &mut Vec<Op<'a>> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: impl Into<String>) {
        self.ops().push(Op::Text {
            x,
            y,
            size,
            bold,
            gray: 0,
            text: text.into(),
        });
    }

    /// Wrapped text from the cursor down; returns the height used.
    fn para(&mut self, x: f32, width: f32, size: f32, bold: bool, text: &str) -> f32 {
        let lines = self.f.wrap(text, size, bold, width);
        let h = size * LEAD;
        for l in &lines {
            self.y += h;
            let y = self.y - size * 0.25;
            self.text(x, y, size, bold, l.clone());
        }
        lines.len() as f32 * h
    }

    fn para_height(&self, width: f32, size: f32, bold: bool, text: &str) -> f32 {
        self.f.wrap(text, size, bold, width).len() as f32 * size * LEAD
    }

    fn new_page(&mut self, s: &Sheet) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
        let line = format!("{} · {} · code {}", s.title, s.date_text(), s.code);
        self.y += 10.0;
        self.text(MARGIN, self.y, 9.0, true, line);
        self.y += 8.0;
    }

    fn header(&mut self, s: &Sheet) {
        let w = self.width();
        // The code, boxed, top right.
        let code_size = 15.0;
        let cw = self.f.width(&s.code, code_size, true) + 14.0;
        let cx = self.pw - MARGIN - cw;
        self.text(cx, MARGIN + 8.0, 7.5, false, "Routine code");
        self.ops().push(Op::Box {
            rect: (cx, MARGIN + 11.0, cw, 22.0),
            width: 1.5,
        });
        self.text(cx + 7.0, MARGIN + 28.0, code_size, true, s.code.clone());
        self.y = MARGIN + 16.0;
        self.text(MARGIN, self.y, 17.0, true, s.title.clone());
        let tw = w - cw - 12.0;
        self.y += 4.0;
        self.para(MARGIN, tw, 9.0, false, &s.for_line);
        let from = format!("From {}. {}", s.date_text(), s.total);
        self.para(MARGIN, tw, 9.0, false, &from);
        self.y = self.y.max(MARGIN + 38.0) + 5.0;
        let y = self.y;
        self.ops().push(Op::Line {
            from: (MARGIN, y),
            to: (MARGIN + w, y),
            width: 1.5,
            gray: 0,
        });
        self.y += 2.0;
        for n in &s.notes {
            self.para(MARGIN, w, BODY, false, &format!("• {n}"));
        }
    }

    fn block_height(&self, b: &backstretch_render::sheet::Block, tw: f32) -> f32 {
        let mut h = 10.5 * LEAD + 2.0;
        h += self.para_height(tw, BODY, false, &format!("{} {}", b.position, b.view));
        for st in &b.steps {
            h += self.para_height(tw - 10.0, BODY, false, st);
        }
        h += self.para_height(
            tw,
            BODY,
            false,
            &format!("Cautions: {}", b.cautions.join(" ")),
        );
        h.max(FIG + 10.0) + 8.0
    }

    fn block(&mut self, s: &Sheet, b: &'a backstretch_render::sheet::Block) {
        let figs_w = 2.0 * FIG + 12.0;
        let tx = MARGIN + figs_w + 8.0;
        let tw = self.width() - figs_w - 8.0;
        let h = self.block_height(b, tw);
        if self.y + h > self.bottom() {
            self.new_page(s);
        }
        let top = self.y + 4.0;
        for (k, p) in b.figures.iter().enumerate() {
            let x = MARGIN + k as f32 * (FIG + 12.0);
            self.ops().push(Op::Figure {
                at: (x, top),
                side: FIG,
                panel: p,
            });
            if k > 0 {
                self.text(x - 10.0, top + FIG / 2.0 + 3.0, 10.0, false, "→");
            }
        }
        self.y = top;
        // Name in bold, then the dose.
        self.y += 10.5 * LEAD;
        let title = format!("{}. {}", b.number, b.name);
        let y = self.y - 3.0;
        self.text(tx, y, 10.5, true, title.clone());
        let dx = self.f.width(&title, 10.5, true);
        self.text(tx + dx, y, 10.5, false, format!("  ·  {}", b.dose));
        self.y += 2.0;
        self.para(tx, tw, BODY, false, &format!("{} {}", b.position, b.view));
        for (k, st) in b.steps.iter().enumerate() {
            let before = self.y;
            self.para(tx + 10.0, tw - 10.0, BODY, false, st);
            self.text(
                tx,
                before + BODY * LEAD - BODY * 0.25,
                BODY,
                true,
                format!("{}.", k + 1),
            );
        }
        let label = "Cautions:";
        let rest = b.cautions.join(" ");
        let lines = self.f.wrap(&format!("{label} {rest}"), BODY, false, tw);
        for (i, l) in lines.iter().enumerate() {
            self.y += BODY * LEAD;
            let y = self.y - BODY * 0.25;
            if i == 0 {
                self.text(tx, y, BODY, true, label);
                let lw = self.f.width(&format!("{label} "), BODY, true);
                let rest_of_line = l.strip_prefix(label).unwrap_or(l).trim_start().to_string();
                self.text(tx + lw, y, BODY, false, rest_of_line);
            } else {
                self.text(tx, y, BODY, false, l.clone());
            }
        }
        self.y = self.y.max(top + FIG) + 6.0;
        let (y, right) = (self.y, MARGIN + self.width());
        self.ops().push(Op::Line {
            from: (MARGIN, y),
            to: (right, y),
            width: 0.5,
            gray: 150,
        });
    }

    fn grid(&mut self, s: &Sheet) {
        let g = &s.grid;
        let head_h = 22.0;
        let row_h = 20.0;
        let rows = g.rows.len() + g.pain_rows.len();
        let h = 14.0 + head_h + row_h * rows as f32;
        if self.y + h + 6.0 > self.bottom() {
            self.new_page(s);
        }
        self.y += 14.0;
        let y = self.y;
        self.text(
            MARGIN,
            y - 3.0,
            9.5,
            true,
            "Tick each exercise done; score pain before and after (0 none, 10 worst).",
        );
        let name_w = g
            .rows
            .iter()
            .chain(
                g.pain_rows
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .iter(),
            )
            .map(|r| self.f.width(r, 7.5, false))
            .fold(60.0_f32, f32::max)
            .min(150.0)
            + 8.0;
        let days = g.days.len().max(1) as f32;
        let col = (self.width() - name_w) / days;
        let top = self.y + 2.0;
        let left = MARGIN;
        let right = MARGIN + name_w + col * days;
        let bottom = top + head_h + row_h * rows as f32;
        // Headings.
        for (i, d) in g.days.iter().enumerate() {
            let (wd, n) = Sheet::day_heading(*d);
            let cx = left + name_w + col * (i as f32 + 0.5);
            let w1 = self.f.width(&wd, 6.5, false);
            let w2 = self.f.width(&n, 7.5, true);
            self.text(cx - w1 / 2.0, top + 9.0, 6.5, false, wd);
            self.text(cx - w2 / 2.0, top + 18.5, 7.5, true, n);
        }
        for (r, name) in g
            .rows
            .iter()
            .map(String::as_str)
            .chain(g.pain_rows.iter().copied())
            .enumerate()
        {
            let y = top + head_h + row_h * (r as f32 + 1.0) - 7.0;
            let mut shown = name.to_string();
            while self.f.width(&shown, 7.5, false) > name_w - 6.0 && shown.len() > 4 {
                shown.pop();
                while !shown.is_char_boundary(shown.len()) {
                    shown.pop();
                }
                shown = format!("{}…", shown.trim_end_matches('…').trim_end());
            }
            let bold = r >= g.rows.len();
            self.text(left + 3.0, y, 7.5, bold, shown);
        }
        // Lines: every row, every column; heavier at week boundaries and around pain rows.
        for r in 0..=rows + 1 {
            let y = if r == 0 {
                top
            } else {
                top + head_h + row_h * (r - 1) as f32
            };
            let heavy = r == 0 || r == 1 || r == g.rows.len() + 1 || r == rows + 1;
            self.ops().push(Op::Line {
                from: (left, y),
                to: (right, y),
                width: if heavy { 1.2 } else { 0.6 },
                gray: 0,
            });
        }
        for c in 0..=g.days.len() + 1 {
            let x = if c == 0 {
                left
            } else {
                left + name_w + col * (c - 1) as f32
            };
            let heavy = c <= 1 || (c - 1) % 7 == 0;
            self.ops().push(Op::Line {
                from: (x, top),
                to: (x, bottom),
                width: if heavy { 1.2 } else { 0.6 },
                gray: 0,
            });
        }
        self.y = bottom;
    }

    /// Ruled lines for notes in the space left on the last page.
    fn notes(&mut self) {
        let gap = 20.0;
        if self.bottom() - self.y < 3.0 * gap + 16.0 {
            return;
        }
        self.y += 22.0;
        let y = self.y;
        self.text(
            MARGIN,
            y,
            9.5,
            true,
            "Notes: how it felt, what changed, what to ask your clinician",
        );
        let right = MARGIN + self.width();
        let mut y = self.y + gap;
        while y < self.bottom() - 4.0 {
            self.ops().push(Op::Line {
                from: (MARGIN, y),
                to: (right, y),
                width: 0.5,
                gray: 140,
            });
            y += gap;
        }
    }

    fn footers(&mut self, s: &Sheet) {
        let n = self.pages.len();
        let w = self.width();
        let fonts = self.f;
        for (i, page) in self.pages.iter_mut().enumerate() {
            let mut y = self.ph - MARGIN - FOOTER_H + 6.0;
            page.push(Op::Line {
                from: (MARGIN, y),
                to: (MARGIN + w, y),
                width: 1.5,
                gray: 0,
            });
            let mut line = |size: f32, bold: bool, text: &str, page: &mut Vec<Op<'a>>| {
                for l in fonts.wrap(text, size, bold, w) {
                    y += size * LEAD;
                    page.push(Op::Text {
                        x: MARGIN,
                        y: y - size * 0.25,
                        size,
                        bold,
                        gray: 0,
                        text: l,
                    });
                }
            };
            line(8.0, true, &s.warning, page);
            line(7.0, false, &s.stop, page);
            line(7.0, false, &s.goal, page);
            line(7.0, false, &s.log_line, page);
            let label = format!("Page {} of {n}", i + 1);
            let lw = fonts.width(&label, 7.0, false);
            page.push(Op::Text {
                x: MARGIN + w - lw,
                y: self.ph - MARGIN - FOOTER_H + 6.0 + 8.0 * LEAD - 2.0,
                size: 7.0,
                bold: false,
                gray: 60,
                text: label,
            });
        }
    }
}

fn hex(c: &str) -> rgb::Color {
    let v = u32::from_str_radix(c.trim_start_matches('#'), 16).unwrap_or(0);
    let [_, r, g, b] = v.to_be_bytes();
    rgb::Color::new(r, g, b)
}

fn gray(g: u8) -> rgb::Color {
    rgb::Color::new(g, g, g)
}

fn circle(pb: &mut PathBuilder, cx: f32, cy: f32, r: f32) {
    const K: f32 = 0.552_284_8;
    let k = K * r;
    pb.move_to(cx + r, cy);
    pb.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    pb.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    pb.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    pb.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    pb.close();
}

fn rounded(pb: &mut PathBuilder, x: f32, y: f32, w: f32, h: f32, r: f32) {
    let r = r.min(w / 2.0).min(h / 2.0).max(0.0);
    pb.move_to(x + r, y);
    pb.line_to(x + w - r, y);
    pb.quad_to(x + w, y, x + w, y + r);
    pb.line_to(x + w, y + h - r);
    pb.quad_to(x + w, y + h, x + w - r, y + h);
    pb.line_to(x + r, y + h);
    pb.quad_to(x, y + h, x, y + h - r);
    pb.line_to(x, y + r);
    pb.quad_to(x, y, x + r, y);
    pb.close();
}

fn stroke(color: rgb::Color, width: f32, round: bool) -> Stroke {
    Stroke {
        paint: color.into(),
        width,
        line_cap: if round { LineCap::Round } else { LineCap::Butt },
        line_join: if round {
            LineJoin::Round
        } else {
            LineJoin::Miter
        },
        ..Stroke::default()
    }
}

fn fill(color: rgb::Color) -> Fill {
    Fill {
        paint: color.into(),
        opacity: NormalizedF32::ONE,
        ..Fill::default()
    }
}

/// A figure's coordinate (f64, as render lays it out) as the page's f32: figures are a few
/// hundred units across, far inside f32's range and precision.
#[allow(clippy::cast_possible_truncation, reason = "see above")]
fn f32_of(x: f64) -> f32 {
    x as f32
}

fn draw_figure(surface: &mut Surface<'_>, at: (f32, f32), side: f32, p: &Panel) {
    let k = side / f32_of(p.size);
    let pt = |(x, y): (f64, f64)| (at.0 + f32_of(x) * k, at.1 + f32_of(y) * k);
    // Keep the drawing inside its square.
    let mut clip = PathBuilder::new();
    if let Some(r) = Rect::from_xywh(at.0, at.1, side, side) {
        clip.push_rect(r);
    }
    let clip = clip.finish();
    if let Some(c) = &clip {
        surface.push_clip_path(c, &krilla::paint::FillRule::NonZero);
    }
    for sh in &p.shapes {
        let mut pb = PathBuilder::new();
        match sh {
            Shape::Line {
                from,
                to,
                color,
                width,
                round,
            } => {
                let (a, b) = (pt(*from), pt(*to));
                pb.move_to(a.0, a.1);
                pb.line_to(b.0, b.1);
                if let Some(path) = pb.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(stroke(hex(color), f32_of(*width) * k, *round)));
                    surface.draw_path(&path);
                }
            }
            Shape::Circle { c, r, fill: f } => {
                let c = pt(*c);
                circle(&mut pb, c.0, c.1, f32_of(*r) * k);
                if let Some(path) = pb.finish() {
                    surface.set_stroke(None);
                    surface.set_fill(Some(fill(hex(f))));
                    surface.draw_path(&path);
                }
            }
            Shape::Poly {
                points,
                fill: f,
                stroke: s,
                closed,
            } => {
                let Some(first) = points.first() else {
                    continue;
                };
                let a = pt(*first);
                pb.move_to(a.0, a.1);
                for p in &points[1..] {
                    let b = pt(*p);
                    pb.line_to(b.0, b.1);
                }
                if *closed {
                    pb.close();
                }
                if let Some(path) = pb.finish() {
                    surface.set_fill(f.map(|c| fill(hex(c))));
                    surface.set_stroke(s.map(|(c, sw)| stroke(hex(c), f32_of(sw) * k, true)));
                    surface.draw_path(&path);
                }
            }
            Shape::Rect {
                at: a,
                size,
                rx,
                fill: f,
                stroke: s,
            } => {
                let a = pt(*a);
                let (w, h) = (f32_of(size.0) * k, f32_of(size.1) * k);
                if w <= 0.0 || h <= 0.0 {
                    continue;
                }
                rounded(&mut pb, a.0, a.1, w, h, f32_of(*rx) * k);
                if let Some(path) = pb.finish() {
                    surface.set_fill(Some(fill(hex(f))));
                    surface.set_stroke(s.map(|(c, sw)| stroke(hex(c), f32_of(sw) * k, false)));
                    surface.draw_path(&path);
                }
            }
        }
    }
    if clip.is_some() {
        surface.pop();
    }
    // A light frame around the panel.
    let mut pb = PathBuilder::new();
    rounded(&mut pb, at.0, at.1, side, side, 4.0);
    if let Some(path) = pb.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(stroke(gray(190), 0.6, false)));
        surface.draw_path(&path);
    }
}

fn draw(surface: &mut Surface<'_>, f: &Fonts, op: &Op<'_>) {
    match op {
        Op::Text {
            x,
            y,
            size,
            bold,
            gray: g,
            text,
        } => {
            surface.set_stroke(None);
            surface.set_fill(Some(fill(gray(*g))));
            surface.draw_text(
                Point::from_xy(*x, *y),
                if *bold {
                    f.bold.clone()
                } else {
                    f.regular.clone()
                },
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Op::Line {
            from,
            to,
            width,
            gray: g,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(from.0, from.1);
            pb.line_to(to.0, to.1);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(stroke(gray(*g), *width, false)));
                surface.draw_path(&path);
            }
        }
        Op::Box { rect, width } => {
            let mut pb = PathBuilder::new();
            rounded(&mut pb, rect.0, rect.1, rect.2, rect.3, 3.0);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(stroke(gray(0), *width, false)));
                surface.draw_path(&path);
            }
        }
        Op::Figure { at, side, panel } => draw_figure(surface, *at, *side, panel),
    }
}

/// The sheet as PDF bytes on `paper`.
pub fn pdf(s: &Sheet, paper: Paper) -> Result<Vec<u8>, PdfError> {
    let f = fonts()?;
    let (pw, ph) = paper.points();
    let mut l = Layout {
        f,
        pw,
        ph,
        pages: vec![Vec::new()],
        y: MARGIN,
    };
    l.header(s);
    for b in &s.blocks {
        l.block(s, b);
    }
    l.grid(s);
    l.notes();
    l.footers(s);

    let mut doc = Document::new();
    let d = s.date;
    let date = DateTime::new(u16::try_from(d.year()).unwrap_or(2000))
        .month(u8::try_from(d.month()).unwrap_or(1))
        .day(u8::try_from(d.day()).unwrap_or(1))
        .hour(0)
        .minute(0)
        .second(0)
        .utc_offset_hour(0)
        .utc_offset_minute(0);
    doc.set_metadata(
        Metadata::new()
            .title(format!("{} · {}", s.title, s.date_text()))
            .creator("backstretch".into())
            .language("en".into())
            .creation_date(date),
    );
    for ops in &l.pages {
        let settings = PageSettings::from_wh(pw, ph)
            .ok_or_else(|| PdfError::Layout("the paper size is not valid".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, f, op);
        }
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| PdfError::Write(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use backstretch_core::catalog::builtin;
    use backstretch_core::code::RoutineCode;
    use backstretch_core::plan::{Request, plan};
    use backstretch_core::profile::Goal;
    use backstretch_core::routine::Routine;
    use backstretch_core::vocab::{Area, DoseStyle, Place};
    use chrono::NaiveDate;

    fn sheet(minutes: u32, weeks: u32) -> Sheet {
        let c = builtin().catalog;
        let r = Request {
            areas: vec![Area::LowerBack, Area::Neck],
            places: vec![Place::Floor, Place::Chair],
            minutes,
            style: DoseStyle::Source,
            exclude: vec![],
            date: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            gentler: false,
            pages_only: false,
            recent: vec![],
            conditions: vec![],
            eased_by: None,
            coaching: Default::default(),
        };
        let p = plan(&c, &r, &[]).unwrap();
        Sheet::new(
            &p,
            RoutineCode::of(&Routine::from_plan(&p)),
            weeks,
            Goal::Daily,
        )
    }

    #[test]
    fn the_same_sheet_gives_the_same_bytes() {
        let s = sheet(10, 2);
        let a = pdf(&s, Paper::A4).unwrap();
        assert!(a.starts_with(b"%PDF-"));
        assert_eq!(a, pdf(&s, Paper::A4).unwrap());
        assert_ne!(a, pdf(&s, Paper::Letter).unwrap());
    }

    #[test]
    fn a_long_routine_goes_on_to_more_pages_and_keeps_every_block() {
        let f = fonts().unwrap();
        for (minutes, paper) in [(10, Paper::A4), (30, Paper::Letter)] {
            let s = sheet(minutes, 4);
            let (pw, ph) = paper.points();
            let mut l = Layout {
                f,
                pw,
                ph,
                pages: vec![Vec::new()],
                y: MARGIN,
            };
            l.header(&s);
            for b in &s.blocks {
                l.block(&s, b);
            }
            l.grid(&s);
            let figures = l
                .pages
                .iter()
                .flatten()
                .filter(|o| matches!(o, Op::Figure { .. }))
                .count();
            let want: usize = s.blocks.iter().map(|b| b.figures.len()).sum();
            assert_eq!(figures, want);
            // Nothing is drawn into the footer's band.
            for page in &l.pages {
                for op in page {
                    if let Op::Text { y, .. } = op {
                        assert!(*y <= ph - MARGIN - FOOTER_H, "{op:?}");
                    }
                }
            }
            if minutes == 10 {
                assert!(l.pages.len() <= 2, "{} pages", l.pages.len());
            }
        }
    }

    #[test]
    fn wrapped_lines_fit_their_width() {
        let f = fonts().unwrap();
        let text = "Sit near the front of a steady chair with both feet flat, then lean forward from the hips until you feel a stretch.";
        for width in [80.0, 150.0, 300.0] {
            let lines = f.wrap(text, 8.0, false, width);
            assert_eq!(lines.join(" "), text);
            for l in &lines {
                assert!(f.width(l, 8.0, false) <= width, "{l}");
            }
        }
        assert_eq!(f.wrap("unbreakable", 8.0, false, 1.0), ["unbreakable"]);
    }
}
