//! Convergence of sync from SQLite to PostgreSQL: a PostgreSQL log (as the server keeps one)
//! and two SQLite devices make random writes and pass each other's events at random; once all
//! have exchanged everything, every log reads back the same (`contract::converge`).

use backstretch_store::SqliteStore;
use backstretch_store::contract::{DEVICES, Op, converge};
use backstretch_store_postgres::testing::fresh_store;
use proptest::prelude::*;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u32..60).prop_map(Op::Profile),
        (0u32..4).prop_map(Op::Disclaimer),
        any::<bool>().prop_map(Op::Screening),
        (0u8..3).prop_map(Op::Clearance),
        Just(Op::Begin),
        (0usize..8, 0u32..4, any::<bool>()).prop_map(|(pick, report, hurt)| Op::Step {
            pick,
            report,
            hurt
        }),
        (0usize..8, 0u8..=10).prop_map(|(pick, pain)| Op::Finish { pick, pain }),
        (0usize..8, any::<bool>()).prop_map(|(pick, settled)| Op::Settled { pick, settled }),
        (0u8..=10).prop_map(Op::Record),
        any::<bool>().prop_map(Op::Sheet),
        (0usize..DEVICES).prop_map(Op::Pull),
        (0usize..DEVICES).prop_map(Op::Pull),
    ]
}

proptest! {
    // Each case makes a fresh database: fewer cases than SQLite's own run.
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]
    #[test]
    fn sqlite_devices_and_a_postgres_log_agree(
        ops in prop::collection::vec((0usize..DEVICES, op()), 1..40)
    ) {
        let server = fresh_store();
        let (a, b) = (SqliteStore::in_memory().unwrap(), SqliteStore::in_memory().unwrap());
        converge(&[&a, &*server, &b], &ops);
    }
}
