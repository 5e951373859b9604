//! One stable, non-cryptographic hash (64-bit FNV-1a), for what must come out the same on
//! every machine and every run: the planner's date rotation, routine codes. Ids that must be
//! unique across machines are UUIDs instead (v5 for names, v4 for new sessions).

/// The FNV-1a offset basis: the hash of no bytes.
pub const START: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0100_0000_01b3;

/// Adds `bytes` to the running hash `h`.
pub fn fnv(h: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(h, |h, b| (h ^ u64::from(*b)).wrapping_mul(PRIME))
}

/// A running hash, to feed several pieces in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hasher(u64);

impl Default for Hasher {
    fn default() -> Self {
        Hasher(START)
    }
}

impl Hasher {
    /// Adds bytes.
    pub fn add(&mut self, bytes: &[u8]) -> &mut Self {
        self.0 = fnv(self.0, bytes);
        self
    }

    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_fnv1a_vectors() {
        assert_eq!(fnv(START, b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv(START, b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv(START, b"foobar"), 0x8594_4171_f739_67e8);
        let mut h = Hasher::default();
        h.add(b"foo").add(b"bar");
        assert_eq!(h.finish(), fnv(START, b"foobar"));
    }
}
