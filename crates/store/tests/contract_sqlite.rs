//! The store contract, against the SQLite backend: in memory, and in a real file.

use backstretch_store::SqliteStore;

mod in_memory {
    use super::*;
    backstretch_store::store_contract_tests!(Box::new(SqliteStore::in_memory().expect("opens")));
}

/// A store in a real file, with the directory kept until the test ends.
struct InFile {
    store: SqliteStore,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for InFile {
    type Target = SqliteStore;
    fn deref(&self) -> &SqliteStore {
        &self.store
    }
}

fn in_file() -> InFile {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("log.sqlite")).expect("opens");
    InFile { store, _dir: dir }
}

mod real_file {
    use super::*;
    backstretch_store::store_contract_tests!(in_file());
}

mod accounts_in_memory {
    use super::*;
    backstretch_store::accounts_contract_tests!(Box::new(SqliteStore::in_memory().expect("opens")));
}

mod accounts_in_file {
    use super::*;
    backstretch_store::accounts_contract_tests!(in_file());
}

mod clinic_in_memory {
    use super::*;
    backstretch_store::clinic_contract_tests!(Box::new(SqliteStore::in_memory().expect("opens")));
}

mod clinic_in_file {
    use super::*;
    backstretch_store::clinic_contract_tests!(in_file());
}

/// After the contract's erasure, no table with a person's column (`user_id`) holds a row of
/// the erased person's, nor `people`: a table added later that keeps a person's data fails
/// here until the erasure removes it too.
#[test]
fn an_erased_person_is_in_no_table() {
    let f = in_file();
    backstretch_store::contract::erasing_a_person_leaves_nothing_of_them_and_no_one_else_changes(
        &*f,
    );
    let db = rusqlite::Connection::open(f._dir.path().join("log.sqlite")).expect("opens");
    let mut st = db
        .prepare(
            "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
             WHERE m.type = 'table' AND c.name = 'user_id'",
        )
        .expect("prepares");
    let tables: Vec<String> = st
        .query_map([], |r| r.get(0))
        .and_then(Iterator::collect)
        .expect("tables");
    assert!(tables.len() >= 10, "{tables:?}");
    for table in tables.iter().map(String::as_str).chain(["people"]) {
        let column = if table == "people" { "id" } else { "user_id" };
        let n: i64 = db
            .query_row(
                &format!("SELECT count(*) FROM {table} WHERE {column} = 'u-a'"),
                [],
                |r| r.get(0),
            )
            .expect("counts");
        assert_eq!(n, 0, "{table} holds the erased person");
    }
}
