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
