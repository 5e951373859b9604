//! Convergence of sync: three devices (SQLite logs in memory) make random writes and pass
//! each other's events at random times, in whatever order each learns of them; once all have
//! exchanged everything, every log reads back the same (`contract::converge`).

use backstretch_store::contract::{DEVICES, Op, converge};
use backstretch_store::{SqliteStore, Store};
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
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn devices_that_exchange_every_event_agree(
        ops in prop::collection::vec((0usize..DEVICES, op()), 1..40)
    ) {
        let stores: Vec<SqliteStore> =
            (0..DEVICES).map(|_| SqliteStore::in_memory().unwrap()).collect();
        let each: Vec<&dyn Store> = stores.iter().map(|s| s as &dyn Store).collect();
        converge(&each, &ops);
    }
}
