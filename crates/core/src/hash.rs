//! One stable, non-cryptographic hash (64-bit FNV-1a), for what must come out the same on
//! every machine and every run: the planner's date rotation, cache keys. Ids that must be
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

/// Spreads a hash's bits over the whole word (the finaliser of splitmix64, a bijection),
/// so that hashes can be summed into a hash of a set: FNV's low bits alone mix poorly.
pub fn mix(h: u64) -> u64 {
    let h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
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

    #[test]
    fn mix_matches_splitmix64_and_spreads_neighbours() {
        // splitmix64's first output from seed 0 is mix(0x9e3779b97f4a7c15).
        assert_eq!(mix(0x9e37_79b9_7f4a_7c15), 0xe220_a839_7b1d_cdaf);
        assert_eq!(mix(0), 0);
        let (a, b) = (mix(1), mix(2));
        assert!((a ^ b).count_ones() > 16, "{a:x} {b:x}");
    }
}
