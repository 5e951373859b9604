//! Prepared statements kept for a connection's life.
//!
//! The `postgres` client prepares a statement given as text anew on every call: a round trip
//! to parse it before the one that runs it. A push of one session is some sixty events and
//! several statements an event, so the pool's connections keep each statement they have
//! prepared, by its text, and a call runs it in one round trip. Statements outlive the
//! transactions they were prepared in, and the cache is bounded, so SQL built from a
//! filter (a few shapes) cannot grow it without end.

use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Client, Error, GenericClient, Row, Statement};
use r2d2_postgres::PostgresConnectionManager;

/// Statements a connection keeps at most.
const KEEP: usize = 128;

/// A pooled connection and the statements prepared on it.
pub(crate) struct Pooled {
    client: Client,
    statements: HashMap<String, Statement>,
}

impl Pooled {
    /// The connection and its statements, to run a call on.
    pub(crate) fn parts(&mut self) -> (&mut Client, &mut HashMap<String, Statement>) {
        (&mut self.client, &mut self.statements)
    }
}

/// The pool's manager: `r2d2_postgres`'s, with a statement cache on each connection.
#[derive(Debug)]
pub(crate) struct Manager(pub(crate) PostgresConnectionManager<postgres::NoTls>);

impl r2d2::ManageConnection for Manager {
    type Connection = Pooled;
    type Error = Error;

    fn connect(&self) -> Result<Pooled, Error> {
        Ok(Pooled {
            client: self.0.connect()?,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut Pooled) -> Result<(), Error> {
        self.0.is_valid(&mut conn.client)
    }

    fn has_broken(&self, conn: &mut Pooled) -> bool {
        self.0.has_broken(&mut conn.client)
    }
}

/// A client (or a transaction on one) that runs SQL text through its connection's
/// prepared statements: the calls the backend's queries use, by the same names.
pub(crate) struct Cached<'a, C> {
    client: &'a mut C,
    statements: &'a mut HashMap<String, Statement>,
}

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

impl<'a, C: GenericClient> Cached<'a, C> {
    pub(crate) fn new(client: &'a mut C, statements: &'a mut HashMap<String, Statement>) -> Self {
        Cached { client, statements }
    }

    /// The statement of `sql`, prepared on this connection once.
    fn statement(&mut self, sql: &str) -> Result<Statement, Error> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = self.client.prepare(sql)?;
        if self.statements.len() < KEEP {
            self.statements.insert(sql.to_string(), st.clone());
        }
        Ok(st)
    }

    pub(crate) fn execute(&mut self, sql: &str, params: Params<'_>) -> Result<u64, Error> {
        let st = self.statement(sql)?;
        self.client.execute(&st, params)
    }

    pub(crate) fn query(&mut self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, Error> {
        let st = self.statement(sql)?;
        self.client.query(&st, params)
    }

    pub(crate) fn query_one(&mut self, sql: &str, params: Params<'_>) -> Result<Row, Error> {
        let st = self.statement(sql)?;
        self.client.query_one(&st, params)
    }

    pub(crate) fn query_opt(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> Result<Option<Row>, Error> {
        let st = self.statement(sql)?;
        self.client.query_opt(&st, params)
    }

    /// The client and the statements apart, to open a savepoint on the one that shares
    /// the other.
    pub(crate) fn parts(&mut self) -> (&mut C, &mut HashMap<String, Statement>) {
        (self.client, self.statements)
    }
}
