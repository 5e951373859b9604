//! The server's connection slots: how many connections it holds, in total and per address,
//! and which one gives way when they are full.
//!
//! A connection is *waiting* until one of its requests has passed the guard (a paired
//! device's cookie on `--lan`, or any request of this computer's own on loopback); then it
//! is *proven*. A slow client that never finishes a request, or an unpaired device that is
//! refused, stays waiting. When an address holds [`PER_ADDRESS`] waiting connections, its
//! oldest waiting one is closed to make room for the new one; when the server holds
//! [`MAX_CONNECTIONS`], the oldest waiting connection anywhere is closed. A proven
//! connection is never closed for room, and a new connection (a paired phone's, which sends
//! its request at once) always gets a slot while any connection is still waiting: no number
//! of half-sent requests keeps a paired device out.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// How many connections the server holds at once, proven and waiting.
pub const MAX_CONNECTIONS: usize = 512;
/// How many waiting connections one address holds at once.
pub const PER_ADDRESS: usize = 16;

/// Set on a connection once one of its requests has passed the guard (a request extension).
#[derive(Debug, Clone, Default)]
pub struct Proven(pub(crate) Arc<AtomicBool>);

impl Proven {
    /// Marks the connection proven.
    pub fn prove(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    fn is(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The address a request came from (a request extension; none in tests without a socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer(pub IpAddr);

/// One open connection.
#[derive(Debug)]
struct Open<H> {
    ip: IpAddr,
    /// The order it was opened in: the lowest is the oldest.
    seq: u64,
    proven: Proven,
    handle: H,
}

/// The open connections, by key (the task serving each), with a handle that closes each.
#[derive(Debug)]
pub struct Slots<K, H> {
    max: usize,
    per_address: usize,
    next: u64,
    open: HashMap<K, Open<H>>,
}

/// No slot: every connection is proven and the server is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

impl<K: Hash + Eq + Clone, H> Slots<K, H> {
    /// Slots for `max` connections, `per_address` waiting ones from one address.
    pub fn new(max: usize, per_address: usize) -> Slots<K, H> {
        Slots {
            max,
            per_address,
            next: 0,
            open: HashMap::new(),
        }
    }

    /// The oldest waiting connection, of `ip` if given.
    fn oldest_waiting(&self, ip: Option<IpAddr>) -> Option<K> {
        self.open
            .iter()
            .filter(|(_, o)| !o.proven.is() && ip.is_none_or(|ip| o.ip == ip))
            .min_by_key(|(_, o)| o.seq)
            .map(|(k, _)| k.clone())
    }

    /// Makes room for a new connection from `ip`: the handles of the connections to close
    /// (already out of the slots), or [`Full`] when the new one must be refused.
    pub fn make_room(&mut self, ip: IpAddr) -> Result<Vec<H>, Full> {
        let mut closed = Vec::new();
        let waiting_here = self
            .open
            .values()
            .filter(|o| o.ip == ip && !o.proven.is())
            .count();
        if waiting_here >= self.per_address
            && let Some(k) = self.oldest_waiting(Some(ip))
            && let Some(o) = self.open.remove(&k)
        {
            closed.push(o.handle);
        }
        if self.open.len() >= self.max {
            match self.oldest_waiting(None).and_then(|k| self.open.remove(&k)) {
                Some(o) => closed.push(o.handle),
                None => return Err(Full),
            }
        }
        Ok(closed)
    }

    /// Holds a slot for a connection [`Slots::make_room`] made room for.
    pub fn insert(&mut self, key: K, ip: IpAddr, proven: Proven, handle: H) {
        self.next += 1;
        self.open.insert(
            key,
            Open {
                ip,
                seq: self.next,
                proven,
                handle,
            },
        );
    }

    /// Frees the slot of a connection that ended (nothing if it was closed for room).
    pub fn remove(&mut self, key: &K) {
        self.open.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn an_address_over_its_share_loses_its_oldest_waiting_connection() {
        let mut s: Slots<u32, u32> = Slots::new(100, 3);
        for k in 0..3 {
            assert_eq!(s.make_room(ip(1)), Ok(vec![]));
            s.insert(k, ip(1), Proven::default(), k);
        }
        // Another address is not affected.
        assert_eq!(s.make_room(ip(2)), Ok(vec![]));
        // The fourth from the same address closes its first.
        assert_eq!(s.make_room(ip(1)), Ok(vec![0]));
        s.insert(3, ip(1), Proven::default(), 3);
        assert_eq!(s.make_room(ip(1)), Ok(vec![1]));
        assert_eq!(s.open.len(), 2);
    }

    #[test]
    fn proven_connections_are_kept_and_only_a_full_server_of_them_refuses() {
        let mut s: Slots<u32, u32> = Slots::new(3, 10);
        let proven = Proven::default();
        proven.prove();
        s.insert(0, ip(1), proven.clone(), 0);
        s.insert(1, ip(2), Proven::default(), 1);
        s.insert(2, ip(3), Proven::default(), 2);
        // Full: the oldest waiting one (1) gives way, never the proven one (0).
        assert_eq!(s.make_room(ip(9)), Ok(vec![1]));
        s.insert(3, ip(9), proven.clone(), 3);
        assert_eq!(s.make_room(ip(9)), Ok(vec![2]));
        s.insert(4, ip(9), proven, 4);
        assert_eq!(s.make_room(ip(9)), Err(Full));
        s.remove(&0);
        assert_eq!(s.make_room(ip(9)), Ok(vec![]));
        // A proven connection does not count against its address's share of waiting ones.
        let mut s: Slots<u32, u32> = Slots::new(10, 1);
        let p = Proven::default();
        p.prove();
        s.insert(0, ip(1), p, 0);
        assert_eq!(s.make_room(ip(1)), Ok(vec![]));
    }
}
