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
