//! Fuzz targets for the parsers that read what users and other programs give backstretch:
//! catalogue files, routine JSON (`start --routine`) and export JSON (`import`). Each target
//! takes arbitrary bytes and must never panic, whatever it is given.
//!
//! The targets take bytes as cargo-fuzz's do (`fn(&[u8])`, telling also whether the input
//! parsed), and `src/main.rs` runs them
//! on stable Rust with a small mutation fuzzer over the seed corpus (the built-in catalogue,
//! a planned routine, an export), so no nightly toolchain is needed:
//!
//! ```sh
//! cargo run --release -p backstretch-fuzz -- all 10    # ten minutes on every target
//! ```

use backstretch_core::catalog::{self, Catalog, SourceFile};
use backstretch_core::exchange::LogFile;
use backstretch_core::routine::Routine;
use backstretch_core::time::Stamp;

/// A target: arbitrary bytes in, no panic out; true when the input got past parsing to the
/// code behind it (the runner keeps such inputs to mutate further).
pub type Target = fn(&[u8]) -> bool;

/// Catalogue files: parse and validate one file, then load it beside the built-in ones.
pub fn catalog_file(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    // Well-formed TOML reaches the validation behind the parser.
    let parsed = toml::from_str::<toml::Table>(&text).is_ok();
    let _ = catalog::parse_exercise("fuzz.toml", &text);
    let user = [SourceFile {
        path: "fuzz.toml",
        text: &text,
    }];
    let loaded = Catalog::load(&catalog::builtin_files(), &user);
    let _ = loaded
        .catalog
        .find(&text.chars().take(20).collect::<String>());
    parsed
}

/// Routine JSON: read it, and unroll its items into a timeline and its cues.
pub fn routine_json(data: &[u8]) -> bool {
    if let Ok(r) = serde_json::from_slice::<Routine>(data)
        && let Ok(items) = r.items()
    {
        let t = backstretch_core::timeline::Timeline::new(&items);
        let _ = t.cues();
        let _ = t.at(u64::from(t.total_s()) * 500);
        let _ = t.resume_from(items.len());
        return true;
    }
    false
}

/// Export JSON: read it and check every value, as `import` does.
pub fn import_json(data: &[u8]) -> bool {
    if let Ok(f) = serde_json::from_slice::<LogFile>(data) {
        let now = Stamp {
            utc_s: 1_795_000_000,
            offset_s: 0,
        };
        let _ = f.checked(now);
        return true;
    }
    false
}

/// Every target, by name.
pub const TARGETS: &[(&str, Target)] = &[
    ("catalog", catalog_file),
    ("routine", routine_json),
    ("import", import_json),
];

/// The seed inputs of a target.
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    match target {
        "catalog" => backstretch_core::BUILTIN_FILES
            .iter()
            .map(|(_, t)| t.as_bytes().to_vec())
            .collect(),
        "routine" => vec![ROUTINE_SEED.as_bytes().to_vec()],
        "import" => vec![IMPORT_SEED.as_bytes().to_vec()],
        _ => Vec::new(),
    }
}

const ROUTINE_SEED: &str = r#"{"profile":{"areas":["lower-back"],"places":["bed"],"minutes":5,"style":"source","exclude":[],"date":"2026-11-21","gentler":false},"style":"source","total_s":120,"items":[{"exercise_id":"pelvic-tilt","name":"Pelvic tilt","position":"supine","places":["floor","bed"],"sides":"both","dose":{"hold_s":5,"reps":5,"rest_s":3},"seconds":52,"reason":"warm-up","serves":["lower-back"],"warm_up":true,"cautions":[]},{"exercise_id":"knee-to-chest","name":"Single knee to chest","position":"supine","places":["floor","bed"],"sides":"each","dose":{"hold_s":20,"reps":2,"rest_s":5},"seconds":60,"reason":"x","serves":[],"warm_up":false,"cautions":[]}],"timeline":[],"warnings":[]}"#;

const IMPORT_SEED: &str = r#"{"format":"backstretch-log","version":1,"sessions":[{"uid":"abc-1","started_at":"2026-11-20T09:00:00+01:00","ended_at":"2026-11-20T09:10:00+01:00","heartbeat_at":"2026-11-20T09:10:00+01:00","source":"player","routine":{"items":[]},"planned_s":600,"pain_before":4,"pain_after":3,"outcome":"completed","steps":[{"step":1,"kind":"hold","exercise_id":"bridge","side":"left","rep":1,"planned_s":5,"done_ms":5000,"outcome":"done","at":"2026-11-20T09:01:00+01:00"}]}]}"#;

/// A small, deterministic random source (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// From a seed (zero is moved off zero).
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n.max(1)).unwrap_or(u64::MAX);
        usize::try_from(self.next_u64() % n).unwrap_or(0)
    }
}

/// Interesting bytes and tokens to splice in.
const TOKENS: &[&[u8]] = &[
    b"nan",
    b"inf",
    b"-inf",
    b"1e309",
    b"-1",
    b"0",
    b"4294967296",
    b"18446744073709551616",
    b"\"",
    b"[",
    b"]",
    b"{",
    b"}",
    b"=",
    b",",
    b"\n",
    b"\x1b",
    b"\x00",
    b"\xff",
    b"\xc3\x28",
    b"\xe2\x80\xae",
    b"[[",
    b"]]",
    b"null",
    b"true",
    b"\"\\u0000\"",
    b"9999-12-31T23:59:59Z",
    b"1970-01-01T00:00:00+14:00",
];

/// One mutation of `input`: flip, delete, duplicate, splice a token, or cross with `other`.
pub fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(6) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                let end = (at + rng.below(16)).min(v.len());
                v.drain(at.min(end)..end);
            }
            2 if !v.is_empty() => {
                let start = rng.below(v.len());
                let end = (start + rng.below(64)).min(v.len());
                let piece = v[start..end].to_vec();
                v.splice(at..at, piece);
            }
            3 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(at..at, t.iter().copied());
            }
            4 if !other.is_empty() => {
                let start = rng.below(other.len());
                let end = (start + rng.below(128)).min(other.len());
                v.splice(at..at, other[start..end].iter().copied());
            }
            _ => {
                let b = rng.next_u64().to_le_bytes()[0];
                v.insert(at, b);
            }
        }
    }
    v.truncate(256 * 1024);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A short, fixed-seed run of every target in the test suite (the long runs are by
    /// hand; see the crate docs).
    #[test]
    fn every_target_survives_a_short_run() {
        for (name, target) in TARGETS {
            let seeds = seeds(name);
            assert!(!seeds.is_empty(), "{name} has seeds");
            let mut rng = Rng::new(0x5eed);
            for s in &seeds {
                target(s);
            }
            for _ in 0..300 {
                let a = &seeds[rng.below(seeds.len())];
                let b = &seeds[rng.below(seeds.len())];
                target(&mutate(&mut rng, a, b));
            }
        }
    }
}
