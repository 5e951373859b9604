//! The store contract, against the PostgreSQL backend: each check on a fresh database of a
//! real PostgreSQL that the harness starts (see `backstretch_store_postgres::testing`).

use backstretch_store_postgres::testing::fresh_store;

backstretch_store::store_contract_tests!(fresh_store());

mod accounts {
    use super::fresh_store;
    backstretch_store::accounts_contract_tests!(fresh_store());
}

mod clinic {
    use super::fresh_store;
    backstretch_store::clinic_contract_tests!(fresh_store());
}

/// After the contract's erasure, no table with a person's column (`user_id`) holds a row of
/// the erased person's, nor `people`: a table added later that keeps a person's data fails
/// here until the erasure removes it too.
#[test]
fn an_erased_person_is_in_no_table() {
    let store = fresh_store();
    backstretch_store::contract::erasing_a_person_leaves_nothing_of_them_and_no_one_else_changes(
        &*store,
    );
    let mut c = store.database().client();
    let tables: Vec<String> = c
        .query(
            "SELECT table_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND column_name = 'user_id'",
            &[],
        )
        .expect("tables")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(tables.len() >= 10, "{tables:?}");
    for table in tables.iter().map(String::as_str).chain(["people"]) {
        let column = if table == "people" { "id" } else { "user_id" };
        let n: i64 = c
            .query_one(
                &format!("SELECT count(*) FROM {table} WHERE {column} = 'u-a'"),
                &[],
            )
            .expect("counts")
            .get(0);
        assert_eq!(n, 0, "{table} holds the erased person");
    }
}
