//! The catalogue cache's payload: a compact binary form of loaded entries, in two parts.
//!
//! JSON took most of a warm start with a large folder (about 40 ms to decode 10,000 entries).
//! Here the *heads* part holds, for each entry, the areas it serves, its head (what the
//! planner needs: see [`Catalog::heads`](backstretch_core::catalog::Catalog::heads)) and
//! where its body lies in the *bodies* part, with the body's checksum; the body holds the
//! rest (texts, sources, figure). Loading only walks the heads part, noting where each head
//! lies, its id and its areas; a head is decoded when it is first needed (planning for two
//! areas decodes the heads serving them) and a body when its entry is first used (planning
//! decodes the few it chooses).
//!
//! Integers are LEB128, text and lists carry their length, words are their index in the
//! vocabulary, and a figure (rare in a user's folder) is kept as JSON. Every struct is taken
//! apart without `..`, so a field added to an exercise does not compile until it is encoded
//! here too. Decoding is checked at every step and never panics: damaged bytes give `None`,
//! and the catalogue is parsed again from the files (the cache is only ever an optimisation).

use std::sync::Arc;

use backstretch_core::catalog::{Catalog, Entry, EntrySource, Origin, area_bits};
use backstretch_core::exercise::{Dose, Evidence, Exercise, SourceDose, SourceRef, Variant};
use backstretch_core::pose::PoseSpec;
use backstretch_core::vocab::Word;

/// Entries encoded: the heads part, then the bodies part.
pub struct Encoded {
    /// The count, then for each entry the areas it serves, its head (with its length),
    /// and where its body lies with its checksum.
    pub heads: Vec<u8>,
    /// The bodies, one after another.
    pub bodies: Vec<u8>,
}

/// Encodes entries.
pub fn encode<'e>(entries: impl Iterator<Item = &'e Entry>) -> Result<Encoded, serde_json::Error> {
    let entries: Vec<&Entry> = entries.collect();
    let mut heads = Writer::default();
    let mut bodies = Vec::new();
    heads.len(entries.len());
    for e in entries {
        heads.entry(e, &mut bodies)?;
    }
    Ok(Encoded {
        heads: heads.out,
        bodies,
    })
}

/// A body's checksum (FNV-1a).
fn body_sum(body: &[u8]) -> u64 {
    backstretch_core::hash::fnv(backstretch_core::hash::START, body)
}

/// Appends to a byte buffer.
#[derive(Default)]
struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn uint(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.out.push(byte);
                return;
            }
            self.out.push(byte | 0x80);
        }
    }

    fn len(&mut self, n: usize) {
        self.uint(n as u64);
    }

    fn text(&mut self, s: &str) {
        self.len(s.len());
        self.out.extend_from_slice(s.as_bytes());
    }

    fn texts(&mut self, v: &[String]) {
        self.len(v.len());
        for s in v {
            self.text(s);
        }
    }

    fn flag(&mut self, b: bool) {
        self.out.push(u8::from(b));
    }

    fn opt_uint(&mut self, v: Option<u32>) {
        match v {
            None => self.flag(false),
            Some(v) => {
                self.flag(true);
                self.uint(v.into());
            }
        }
    }

    fn opt_text(&mut self, v: Option<&str>) {
        match v {
            None => self.flag(false),
            Some(v) => {
                self.flag(true);
                self.text(v);
            }
        }
    }

    fn word<W: Word + PartialEq>(&mut self, w: W) {
        let i = W::ALL.iter().position(|x| *x == w).unwrap_or(0);
        self.len(i);
    }

    fn words<W: Word + PartialEq>(&mut self, v: &[W]) {
        self.len(v.len());
        for w in v {
            self.word(*w);
        }
    }

    fn entry(&mut self, e: &Entry, bodies: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        let Entry {
            exercise,
            origin,
            file,
            replaces_builtin,
        } = e;
        self.uint(area_bits(&exercise.areas).into());
        let mut head = Writer::default();
        head.flag(*origin == Origin::User);
        head.flag(*replaces_builtin);
        head.head(exercise);
        self.len(head.out.len());
        self.out.extend(head.out);
        let mut body = Writer::default();
        body.text(file);
        body.body(exercise)?;
        self.uint(bodies.len() as u64);
        self.len(body.out.len());
        self.out
            .extend_from_slice(&body_sum(&body.out).to_le_bytes());
        bodies.extend(body.out);
        Ok(())
    }

    /// What [`Catalog::heads`](backstretch_core::catalog::Catalog::heads) promises.
    fn head(&mut self, e: &Exercise) {
        self.text(&e.id);
        self.text(&e.name);
        self.word(e.kind);
        self.word(e.position);
        self.words(&e.places);
        self.words(&e.equipment);
        self.words(&e.areas);
        self.word(e.sides);
        self.uint(e.gentleness.into());
        self.uint(e.dose.hold_s.into());
        self.uint(e.dose.reps.into());
        self.uint(e.dose.rest_s.into());
        self.len(e.sources.len());
        for s in &e.sources {
            self.source(s);
        }
        self.len(e.variants.len());
        for v in &e.variants {
            self.text(&v.name);
            self.word(v.position);
            self.words(&v.places);
            self.words(&v.equipment);
        }
    }

    fn pose(&mut self, pose: Option<&PoseSpec>) -> Result<(), serde_json::Error> {
        match pose {
            None => self.flag(false),
            Some(p) => {
                self.flag(true);
                self.text(&serde_json::to_string(p)?);
            }
        }
        Ok(())
    }

    /// The rest of the exercise (each field written once, in the head or here).
    fn body(&mut self, e: &Exercise) -> Result<(), serde_json::Error> {
        let Exercise {
            id,
            name,
            aliases,
            kind,
            position,
            places,
            equipment,
            areas,
            sides,
            gentleness,
            purpose,
            dose,
            steps,
            cautions,
            sources,
            evidence,
            pose,
            variants,
            variant,
            side_cue,
        } = e;
        // In the head (a catalogue holds no chosen variant).
        let _ = (
            id, name, kind, position, places, equipment, areas, sides, gentleness, sources, variant,
        );
        let Dose {
            hold_s: _,
            reps: _,
            rest_s: _,
            note,
        } = dose;
        self.texts(aliases);
        self.text(purpose);
        self.opt_text(note.as_deref());
        self.texts(steps);
        self.texts(cautions);
        self.opt_text(side_cue.as_deref());
        self.len(evidence.len());
        for x in evidence {
            let Evidence { cite, year, note } = x;
            self.text(cite);
            self.uint((*year).into());
            self.opt_text(note.as_deref());
        }
        self.pose(pose.as_deref())?;
        for v in variants {
            let Variant {
                name: _,
                position: _,
                places: _,
                equipment: _,
                steps,
                cautions,
                pose,
            } = v;
            self.texts(steps);
            self.texts(cautions);
            self.pose(pose.as_deref())?;
        }
        Ok(())
    }

    fn source(&mut self, s: &SourceRef) {
        let SourceRef { doc, dose, note } = s;
        self.text(doc);
        match dose {
            None => self.flag(false),
            Some(d) => {
                self.flag(true);
                let SourceDose {
                    hold_s,
                    min_hold_s,
                    reps,
                    reps_max,
                    sides,
                } = d;
                self.opt_uint(*hold_s);
                self.opt_uint(*min_hold_s);
                self.opt_uint(*reps);
                self.opt_uint(*reps_max);
                match sides {
                    None => self.flag(false),
                    Some(w) => {
                        self.flag(true);
                        self.word(*w);
                    }
                }
            }
        }
        self.opt_text(note.as_deref());
    }
}

/// Where an entry's body lies in the bodies part, and its checksum.
#[derive(Clone, Copy)]
struct BodyAt {
    at: u64,
    len: usize,
    sum: u64,
}

/// Reads `len` bytes of the bodies part from `at`.
pub type ReadBody = dyn Fn(u64, usize) -> Option<Vec<u8>> + Send + Sync;

/// A lazy catalogue from an encoded heads part and a way to read the bodies part: each
/// head is decoded when first needed, each body when its entry is first used. `None` when
/// the heads part does not make sense.
pub fn catalog(heads: Vec<u8>, read_body: Arc<ReadBody>) -> Option<Catalog> {
    let index = Reader::new(&heads).index()?;
    Some(Catalog::lazy(Arc::new(Source {
        heads,
        index,
        read_body,
    })))
}

/// Where one entry lies, and what is known of it before it is decoded.
struct HeadAt {
    /// Its head, in the heads part.
    head: std::ops::Range<usize>,
    /// Its id, in the heads part.
    id: std::ops::Range<usize>,
    /// The areas it serves ([`area_bits`]).
    areas: u32,
    body: BodyAt,
}

/// A lazy catalogue's entries: the heads part, and where each entry lies.
struct Source {
    heads: Vec<u8>,
    index: Vec<HeadAt>,
    read_body: Arc<ReadBody>,
}

impl EntrySource for Source {
    fn count(&self) -> usize {
        self.index.len()
    }

    fn id(&self, i: usize) -> &str {
        // Checked as UTF-8 when the index was made.
        let id = self.index.get(i).and_then(|h| self.heads.get(h.id.clone()));
        id.and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }

    fn area_bits(&self, i: usize) -> u32 {
        self.index.get(i).map_or(0, |h| h.areas)
    }

    fn head(&self, i: usize) -> Option<Entry> {
        let mut r = Reader::new(self.heads.get(self.index.get(i)?.head.clone())?);
        let e = r.head()?;
        (r.at == r.bytes.len()).then_some(e)
    }

    fn whole(&self, i: usize, head: &Entry) -> Option<Entry> {
        let b = &self.index.get(i)?.body;
        let bytes = (self.read_body)(b.at, b.len)?;
        (bytes.len() == b.len && body_sum(&bytes) == b.sum).then_some(())?;
        Reader::new(&bytes).body(head.clone())
    }
}

/// Reads entries back; every method gives `None` on bytes that do not make sense.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn uint(&mut self) -> Option<u64> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.uint()?).ok()
    }

    /// A length, never more than the bytes left (every item takes at least one byte), so
    /// damaged bytes cannot ask for a huge allocation.
    fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.uint()?).ok()?;
        (n <= self.bytes.len() - self.at).then_some(n)
    }

    fn flag(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = self.len()?;
        let s = self.bytes.get(self.at..self.at + n)?;
        self.at += n;
        std::str::from_utf8(s).ok()
    }

    fn text(&mut self) -> Option<String> {
        self.str().map(str::to_owned)
    }

    fn texts(&mut self) -> Option<Vec<String>> {
        let n = self.len()?;
        (0..n).map(|_| self.text()).collect()
    }

    fn opt_uint(&mut self) -> Option<Option<u32>> {
        Some(if self.flag()? {
            Some(self.u32()?)
        } else {
            None
        })
    }

    fn opt_text(&mut self) -> Option<Option<String>> {
        Some(if self.flag()? {
            Some(self.text()?)
        } else {
            None
        })
    }

    /// A word, by its index in the vocabulary (an index, not a length: a head's last
    /// word may be a larger number than the bytes left after it).
    fn word<W: Word>(&mut self) -> Option<W> {
        W::ALL.get(usize::try_from(self.uint()?).ok()?).copied()
    }

    fn words<W: Word>(&mut self) -> Option<Vec<W>> {
        let n = self.len()?;
        (0..n).map(|_| self.word()).collect()
    }

    /// Where every entry lies in the heads part, with its id and areas, when the bytes
    /// hold exactly that; no head is decoded.
    fn index(mut self) -> Option<Vec<HeadAt>> {
        let n = self.len()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let areas = self.u32()?;
            let len = self.len()?;
            let head = self.at..self.at + len;
            let id_len = self.head_start()?.2.len();
            let id = self.at - id_len..self.at;
            if self.at > head.end {
                return None;
            }
            self.at = head.end;
            let at = self.uint()?;
            let len = usize::try_from(self.uint()?).ok()?;
            let sum: [u8; 8] = self.bytes.get(self.at..self.at + 8)?.try_into().ok()?;
            self.at += 8;
            out.push(HeadAt {
                head,
                id,
                areas,
                body: BodyAt {
                    at,
                    len,
                    sum: u64::from_le_bytes(sum),
                },
            });
        }
        (self.at == self.bytes.len()).then_some(out)
    }

    /// How a head begins: the entry's origin, whether it replaces a built-in one, its id.
    fn head_start(&mut self) -> Option<(Origin, bool, &'a str)> {
        let origin = if self.flag()? {
            Origin::User
        } else {
            Origin::Builtin
        };
        Some((origin, self.flag()?, self.str()?))
    }

    /// An entry with its head filled in and its body empty.
    fn head(&mut self) -> Option<Entry> {
        let (origin, replaces_builtin, id) = self.head_start()?;
        let exercise = Exercise {
            id: id.to_owned(),
            name: self.text()?,
            kind: self.word()?,
            position: self.word()?,
            places: self.words()?,
            equipment: self.words()?,
            areas: self.words()?,
            sides: self.word()?,
            gentleness: u8::try_from(self.uint()?).ok()?,
            dose: Dose {
                hold_s: self.u32()?,
                reps: self.u32()?,
                rest_s: self.u32()?,
                note: None,
            },
            sources: {
                let n = self.len()?;
                (0..n).map(|_| self.source()).collect::<Option<_>>()?
            },
            aliases: Vec::new(),
            purpose: String::new(),
            steps: Vec::new(),
            cautions: Vec::new(),
            evidence: Vec::new(),
            pose: None,
            side_cue: None,
            variants: {
                let n = self.len()?;
                (0..n)
                    .map(|_| {
                        Some(Variant {
                            name: self.text()?,
                            position: self.word()?,
                            places: self.words()?,
                            equipment: self.words()?,
                            steps: Vec::new(),
                            cautions: Vec::new(),
                            pose: None,
                        })
                    })
                    .collect::<Option<_>>()?
            },
            variant: None,
        };
        Some(Entry {
            exercise,
            origin,
            file: String::new(),
            replaces_builtin,
        })
    }

    /// The entry whole: its head with this body's fields filled in, when the bytes hold
    /// exactly one body.
    fn body(mut self, mut e: Entry) -> Option<Entry> {
        e.file = self.text()?;
        let x = &mut e.exercise;
        x.aliases = self.texts()?;
        x.purpose = self.text()?;
        x.dose.note = self.opt_text()?;
        x.steps = self.texts()?;
        x.cautions = self.texts()?;
        x.side_cue = self.opt_text()?;
        let n = self.len()?;
        x.evidence = (0..n)
            .map(|_| {
                Some(Evidence {
                    cite: self.text()?,
                    year: u16::try_from(self.uint()?).ok()?,
                    note: self.opt_text()?,
                })
            })
            .collect::<Option<_>>()?;
        x.pose = self.pose()?;
        for v in &mut x.variants {
            v.steps = self.texts()?;
            v.cautions = self.texts()?;
            v.pose = self.pose()?;
        }
        (self.at == self.bytes.len()).then_some(e)
    }

    fn pose(&mut self) -> Option<Option<Box<PoseSpec>>> {
        Some(if self.flag()? {
            Some(serde_json::from_str(self.str()?).ok()?)
        } else {
            None
        })
    }

    fn source(&mut self) -> Option<SourceRef> {
        Some(SourceRef {
            doc: self.text()?,
            dose: if self.flag()? {
                Some(SourceDose {
                    hold_s: self.opt_uint()?,
                    min_hold_s: self.opt_uint()?,
                    reps: self.opt_uint()?,
                    reps_max: self.opt_uint()?,
                    sides: if self.flag()? {
                        Some(self.word()?)
                    } else {
                        None
                    },
                })
            } else {
                None
            },
            note: self.opt_text()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lazy catalogue over encoded bytes held in memory.
    fn load(heads: &[u8], bodies: Vec<u8>) -> Option<Catalog> {
        let read = move |at: u64, len: usize| {
            let at = usize::try_from(at).ok()?;
            bodies.get(at..at.checked_add(len)?).map(<[u8]>::to_vec)
        };
        catalog(heads.to_vec(), Arc::new(read))
    }

    fn round_trip(entries: &[Entry]) -> Catalog {
        let e = encode(entries.iter()).unwrap();
        load(&e.heads, e.bodies).unwrap()
    }

    fn whole(c: &Catalog) -> Vec<Entry> {
        c.entries().cloned().collect()
    }

    /// Every built-in exercise (figures, source doses, notes and all) comes back equal, as
    /// does one with every optional field set and one with every optional field empty; the
    /// heads alone hold what the planner needs.
    #[test]
    fn entries_round_trip_exactly() {
        let builtin = backstretch_core::catalog::builtin().catalog;
        let mut entries: Vec<Entry> = builtin.entries().cloned().collect();
        let paged = |i: usize| {
            entries
                .iter()
                .filter(|e| e.exercise.from_pages())
                .nth(i)
                .cloned()
        };
        let mut full = paged(0).unwrap();
        full.exercise.id = "zz-full".into();
        full.origin = Origin::User;
        full.replaces_builtin = true;
        full.exercise.aliases = vec!["ünïcode alias".into(), String::new()];
        full.exercise.dose.note = Some("a note".into());
        full.exercise.sources[0].dose = Some(SourceDose {
            hold_s: Some(30),
            min_hold_s: Some(20),
            reps: Some(2),
            reps_max: Some(300),
            sides: Some(backstretch_core::vocab::Sides::Each),
        });
        full.exercise.sources[0].note = Some("noted".into());
        full.exercise.evidence = vec![
            Evidence {
                cite: "Someone et al., A Journal".into(),
                year: 2024,
                note: Some("a dose".into()),
            },
            Evidence {
                cite: "Other".into(),
                year: 1999,
                note: None,
            },
        ];
        let mut bare = paged(1).unwrap();
        bare.exercise.id = "zz-bare".into();
        bare.exercise.pose = None;
        bare.exercise.dose.note = None;
        bare.exercise.sources[0].dose = None;
        bare.exercise.sources[0].note = None;
        bare.exercise.equipment.clear();
        entries.extend([full, bare]);
        let c = round_trip(&entries);
        for (head, e) in c.heads().zip(&entries) {
            let x = &e.exercise;
            assert_eq!(
                (&head.id, &head.name, head.kind, head.position, &head.places),
                (&x.id, &x.name, x.kind, x.position, &x.places)
            );
            assert_eq!(
                (&head.equipment, &head.areas, head.sides, head.gentleness),
                (&x.equipment, &x.areas, x.sides, x.gentleness)
            );
            assert_eq!(
                (head.dose.hold_s, head.dose.reps, head.dose.rest_s),
                (x.dose.hold_s, x.dose.reps, x.dose.rest_s)
            );
        }
        assert_eq!(c.get("zz-full").unwrap(), &entries[entries.len() - 2]);
        assert_eq!(whole(&c), entries);
    }

    /// A lazy catalogue decodes a head when it is first needed (planning for an area, the
    /// heads of the exercises serving it) and an entry whole when it is first used
    /// (planning, the chosen ones).
    #[test]
    fn heads_and_bodies_are_decoded_on_first_use() {
        use backstretch_core::vocab::Area;
        let entries: Vec<Entry> = backstretch_core::catalog::builtin()
            .catalog
            .entries()
            .cloned()
            .collect();
        let n = entries.len();
        let serving = |a: Area| -> Vec<&str> {
            entries
                .iter()
                .filter(|e| e.exercise.areas.contains(&a))
                .map(|e| e.exercise.id.as_str())
                .collect()
        };
        let c = round_trip(&entries);
        let decoded = |c: &Catalog| format!("{c:?}");
        assert!(decoded(&c).contains(&format!("Lazy(0 heads, 0 whole of {n})")));
        let neck: Vec<&str> = c
            .heads_serving(&[Area::Neck])
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(neck, serving(Area::Neck));
        let heads = neck.len();
        assert!(decoded(&c).contains(&format!("Lazy({heads} heads, 0 whole of {n})")));
        // By id: that entry's head and body, and no other head.
        let other = entries
            .iter()
            .find(|e| !e.exercise.areas.contains(&Area::Neck))
            .unwrap();
        assert_eq!(c.get(&other.exercise.id).unwrap(), other);
        let now = format!("Lazy({} heads, 1 whole of {n})", heads + 1);
        assert!(decoded(&c).contains(&now), "{}", decoded(&c));
        // Each entry's areas are known before it is decoded, for every area.
        let c = round_trip(&entries);
        for a in <Area as Word>::ALL {
            let ids: Vec<&str> = c.heads_serving(&[*a]).map(|e| e.id.as_str()).collect();
            assert_eq!(ids, serving(*a), "{a:?}");
        }
        assert_eq!(c.heads().count(), n);
        assert!(c.get("no-such-id").is_none());
    }

    /// Any cut or flipped byte gives `None` (or, at worst, other valid entries: the cache's
    /// checksum catches those) and never a panic or a huge allocation.
    #[test]
    fn damaged_bytes_never_panic() {
        let entries: Vec<Entry> = backstretch_core::catalog::builtin()
            .catalog
            .entries()
            .cloned()
            .collect();
        let e = encode(entries.iter()).unwrap();
        for cut in (0..e.heads.len()).step_by(7) {
            assert!(
                load(&e.heads[..cut], e.bodies.clone()).is_none(),
                "cut at {cut}"
            );
        }
        let mut extra = e.heads.clone();
        extra.push(0);
        assert!(load(&extra, e.bodies.clone()).is_none());
        for at in (0..e.heads.len()).step_by(13) {
            for v in [0x00, 0x7f, 0x80, 0xff] {
                let mut b = e.heads.clone();
                b[at] = v;
                if let Some(c) = load(&b, e.bodies.clone()) {
                    let _ = c
                        .heads_serving(&[backstretch_core::vocab::Area::Neck])
                        .count();
                    let _ = c.get(&entries[5].exercise.id);
                    let _ = whole(&c);
                }
            }
        }
        // A damaged body fails its checksum: that entry is its head alone, never garbage.
        let mut bodies = e.bodies.clone();
        bodies[3] ^= 0x20;
        let c = load(&e.heads, bodies).unwrap();
        let first = c.entries().next().unwrap();
        assert_eq!(first.exercise.id, entries[0].exercise.id);
        assert!(first.exercise.steps.is_empty());
        assert_eq!(whole(&c)[1..], entries[1..]);
        // Bodies cut short.
        let c = load(&e.heads, e.bodies[..e.bodies.len() / 2].to_vec()).unwrap();
        assert!(whole(&c).last().unwrap().exercise.steps.is_empty());
        let huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert!(load(&huge, Vec::new()).is_none());
    }
}
