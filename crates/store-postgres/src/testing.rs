//! A throwaway PostgreSQL for tests: Debian's own binaries (`initdb`, `pg_ctl` under
//! `/usr/lib/postgresql/*/bin`), run as the `postgres` user when the tests run as root (initdb
//! refuses root), listening only on a Unix socket in its own folder, with fsync off; and a
//! fresh database for each test, dropped when the test ends.
//!
//! nextest runs each test in a process of its own, so one cluster is shared by every test
//! process of a build (the folder is keyed by the build's target folder), as follows:
//!
//! - `lock` is held (exclusively) while a process checks the cluster and starts it;
//! - `users` is held shared by every process using the cluster, for as long as it lives (the
//!   kernel lets go of it when the process ends, however it ends);
//! - a watchdog shell, started with the cluster and detached from the test (`setsid`), looks
//!   once a second; after two looks in a row with no process holding `users`, it takes
//!   `lock`, stops the cluster (`pg_ctl stop -m immediate`) and deletes its data and log. So the
//!   cluster outlives one test process, serving the next, and stops about two seconds
//!   after the last test, even one killed on a timeout.
//!
//! Starting costs about a second (initdb) once per run; a test's database 0.1 to 0.3 s (it is
//! copied from `template1`), and migrating it about 0.1 s.
//!
//! A test that stops or restarts PostgreSQL has a [`PrivateCluster`] of its own instead,
//! started the same way with the same settings in a folder of its own: restarting the shared
//! one would cut every other test process's connections.

#![allow(
    clippy::missing_panics_doc,
    reason = "a test harness panics with its reason"
)]

use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use postgres::{Config, NoTls};

use crate::PostgresStore;

/// What to say when PostgreSQL is not installed.
const INSTALL: &str = "PostgreSQL's initdb and pg_ctl were not found under /usr/lib/postgresql/*/bin \
                       (or on PATH): install Debian's `postgresql` package \
                       (`apt-get install postgresql`; scripts/test installs it)";

/// The server's settings: no TCP, a socket in the cluster's folder, no waiting for the disk,
/// and the least WAL.
const SETTINGS: &str = "-c listen_addresses='' -c fsync=off -c full_page_writes=off \
                        -c synchronous_commit=off -c wal_level=minimal -c max_wal_senders=0 \
                        -c max_connections=200";

/// A PostgreSQL cluster for tests, shared by the test processes of a build.
#[derive(Debug)]
pub struct TestCluster {
    /// The folder of the server's socket: the `host` to connect to.
    socket: PathBuf,
    /// Held shared for the life of the process: the cluster is in use.
    _users: File,
}

/// How to run PostgreSQL's programs.
#[derive(Debug)]
struct Tools {
    bin: PathBuf,
    /// Whether they run as the `postgres` user (we are root).
    as_postgres: bool,
}

impl Tools {
    fn find() -> Result<Tools, String> {
        let bin = debian_bin()
            .or_else(|| on_path("initdb"))
            .ok_or_else(|| INSTALL.to_string())?;
        let uid = std::fs::metadata("/proc/self").map_or(u32::MAX, |m| m.uid());
        Ok(Tools {
            bin,
            as_postgres: uid == 0,
        })
    }

    /// A command for one of PostgreSQL's programs, as the `postgres` user when we are root.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        c.stdin(Stdio::null());
        c
    }

    /// The shell words that run `pg_ctl`, for the watchdog.
    fn pg_ctl_words(&self) -> String {
        let pg_ctl = quote(&self.bin.join("pg_ctl"));
        if self.as_postgres {
            format!("runuser -u postgres -- {pg_ctl}")
        } else {
            pg_ctl
        }
    }
}

/// The newest `/usr/lib/postgresql/N/bin` with both programs.
fn debian_bin() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .find(|dir| dir.join(program).is_file() && dir.join("pg_ctl").is_file())
}

/// A path as one single-quoted shell word.
fn quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

fn run(what: &str, c: &mut Command) -> Result<Output, String> {
    let out = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The folder of this build's cluster: keyed by the build's target folder, so two checkouts
/// (or worktrees) testing at once never share one.
fn cluster_root() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    // target/debug/deps/<test binary>: the key is target/debug.
    let build = exe.ancestors().nth(2).unwrap_or(&exe).to_path_buf();
    let mut h = DefaultHasher::new();
    build.hash(&mut h);
    std::env::temp_dir().join(format!("backstretch-pg-{:016x}", h.finish()))
}

static CLUSTER: OnceLock<Result<TestCluster, String>> = OnceLock::new();
static DATABASES: AtomicU32 = AtomicU32::new(0);

impl TestCluster {
    /// The cluster of this build's tests, started if no test process has it running.
    /// Panics, saying why, when it cannot be started (with how to install PostgreSQL when
    /// it is missing).
    pub fn shared() -> &'static TestCluster {
        match CLUSTER.get_or_init(TestCluster::join) {
            Ok(c) => c,
            Err(why) => panic!("cannot start a PostgreSQL for the tests: {why}"),
        }
    }

    fn join() -> Result<TestCluster, String> {
        let tools = Tools::find()?;
        let root = cluster_root();
        std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
        let mine = std::fs::metadata("/proc/self").map(|m| m.uid());
        let owner = std::fs::metadata(&root).map(|m| m.uid());
        if mine.is_ok() && owner.ok() != mine.ok() {
            return Err(format!("{} belongs to another user", root.display()));
        }
        let open = |name: &str| open_in(&root, name);
        let lock = open("lock")?;
        lock.lock()
            .map_err(|e| format!("locking the cluster: {e}"))?;
        let pg = root.join("pg");
        if !running(&tools, &pg) {
            start(&tools, &pg)?;
        }
        watch(&tools, &root, &open("watchdog")?)?;
        let users = open("users")?;
        users
            .lock_shared()
            .map_err(|e| format!("registering as a user of the cluster: {e}"))?;
        drop(lock);
        Ok(TestCluster {
            socket: pg,
            _users: users,
        })
    }

    /// A connection configuration for database `dbname` of this cluster.
    pub fn config(&self, dbname: &str) -> Config {
        config_at(&self.socket, dbname)
    }

    /// A new, empty database, dropped when the value is.
    pub fn database(&'static self) -> TestDatabase {
        let name = format!(
            "t_{}_{}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = self.admin();
        // A database left by an earlier process of the same id is replaced.
        // (Two statements: CREATE DATABASE cannot share a transaction.)
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            admin
                .batch_execute(&sql)
                .unwrap_or_else(|e| panic!("{sql}: {}", crate::said(&e)));
        }
        TestDatabase {
            cluster: self,
            name,
        }
    }

    /// A connection to the cluster's `postgres` database, to create and drop others.
    pub fn admin(&self) -> postgres::Client {
        self.config("postgres")
            .connect(NoTls)
            .unwrap_or_else(|e| panic!("connecting to the test cluster: {e}"))
    }
}

/// A file of a cluster's folder (one of its locks), made if missing.
fn open_in(root: &Path, name: &str) -> Result<File, String> {
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(root.join(name))
        .map_err(|e| format!("{}: {e}", root.join(name).display()))
}

/// A connection configuration for database `dbname` of the cluster whose socket is in `socket`.
fn config_at(socket: &Path, dbname: &str) -> Config {
    let mut c = Config::new();
    c.host_path(socket).user("postgres").dbname(dbname);
    c
}

/// The address of database `dbname` of the cluster whose socket is in `socket`, in libpq's
/// `key=value` words, as `--database` would take it.
fn address_at(socket: &Path, dbname: &str) -> String {
    format!("host={} user=postgres dbname={dbname}", socket.display())
}

/// Whether the cluster in `pg` is up.
fn running(tools: &Tools, pg: &Path) -> bool {
    pg.join("data/PG_VERSION").is_file()
        && tools
            .command("pg_ctl")
            .arg("status")
            .arg("-D")
            .arg(pg.join("data"))
            .current_dir(pg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// Creates the cluster (when it has no data yet) and starts it, waiting until it takes
/// connections.
fn start(tools: &Tools, pg: &Path) -> Result<(), String> {
    let data = pg.join("data");
    if !data.join("PG_VERSION").is_file() {
        // Half made (an initdb cut short) or never made.
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(pg).map_err(|e| format!("{}: {e}", pg.display()))?;
        if tools.as_postgres {
            run("chown", Command::new("chown").arg("postgres:").arg(pg))?;
        }
        run(
            "initdb",
            tools
                .command("initdb")
                .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
                .args(["--locale", "C", "-D"])
                .arg(&data)
                .current_dir(pg),
        )?;
    }
    let options = format!("{SETTINGS} -k {}", quote(pg));
    run(
        "pg_ctl start",
        tools
            .command("pg_ctl")
            .args(["start", "-w", "-t", "60", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(pg.join("log"))
            .args(["-o", &options])
            .current_dir(pg),
    )
    .map_err(|e| {
        let log = std::fs::read_to_string(pg.join("log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!("{e}\nthe server's log ends:\n{}", tail.join("\n"))
    })?;
    Ok(())
}

/// Stops the cluster in `pg`, waiting until it has: `fast` cuts the open connections and
/// shuts down cleanly, as a planned restart does; `immediate` just ends the processes.
fn stop(tools: &Tools, pg: &Path, mode: &str) -> Result<(), String> {
    run(
        "pg_ctl stop",
        tools
            .command("pg_ctl")
            .args(["stop", "-w", "-t", "60", "-m", mode, "-D"])
            .arg(pg.join("data"))
            .current_dir(pg),
    )
    .map(drop)
}

/// Starts the watchdog unless one is running (it holds `watchdog` locked while it runs).
fn watch(tools: &Tools, root: &Path, watchdog: &File) -> Result<(), String> {
    if watchdog.try_lock().is_err() {
        return Ok(());
    }
    watchdog
        .unlock()
        .map_err(|e| format!("unlocking the watchdog's file: {e}"))?;
    let stop = format!(
        "{} stop -D pg/data -m immediate >/dev/null 2>&1; rm -rf pg/data pg/log",
        tools.pg_ctl_words()
    );
    let script = format!(
        "cd {root} || exit 0
         idle=0
         while sleep 1; do
           [ -e pg/data/postmaster.pid ] || exit 0
           if flock -n -x users true; then idle=$((idle + 1)); else idle=0; fi
           if [ $idle -ge 2 ]; then
             flock -x lock sh -c 'flock -n -x users true || exit 1; {stop}' && exit 0
             idle=0
           fi
         done",
        root = quote(root),
        stop = stop.replace('\'', r"'\''"),
    );
    Command::new("setsid")
        .arg("flock")
        .arg("-n")
        .arg(root.join("watchdog"))
        .args(["sh", "-c", &script])
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting the cluster's watchdog (setsid, flock): {e}"))?;
    Ok(())
}

/// A database of the test cluster, dropped (its connections closed) when this is.
#[derive(Debug)]
pub struct TestDatabase {
    cluster: &'static TestCluster,
    name: String,
}

impl TestDatabase {
    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A connection configuration for it.
    pub fn config(&self) -> Config {
        self.cluster.config(&self.name)
    }

    /// Its address in libpq's `key=value` words, as `--database` would take it.
    pub fn address(&self) -> String {
        address_at(&self.cluster.socket, &self.name)
    }

    /// A plain connection to it.
    pub fn client(&self) -> postgres::Client {
        self.config()
            .connect(NoTls)
            .unwrap_or_else(|e| panic!("connecting to {}: {e}", self.name))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = self.cluster.config("postgres").connect(NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A store on a fresh database, dropped with it.
#[derive(Debug)]
pub struct TestStore {
    // Fields drop in order: the store's connections close before the database goes.
    store: PostgresStore,
    db: TestDatabase,
}

impl TestStore {
    /// The store's database.
    pub fn database(&self) -> &TestDatabase {
        &self.db
    }
}

impl std::ops::Deref for TestStore {
    type Target = PostgresStore;
    fn deref(&self) -> &PostgresStore {
        &self.store
    }
}

/// A store on a new, empty database of the shared test cluster.
pub fn fresh_store() -> TestStore {
    let db = TestCluster::shared().database();
    let store = PostgresStore::connect_with(db.config(), 4)
        .unwrap_or_else(|e| panic!("opening a store on {}: {e}", db.name()));
    TestStore { store, db }
}

static PRIVATE: AtomicU32 = AtomicU32::new(0);

/// A PostgreSQL cluster of one test's own, for a test that stops or restarts it. It is made
/// and started as the shared one is (the same programs and settings, a Unix socket only), in
/// a new folder under the temporary folder, and stopped and deleted when dropped, which a
/// panic does too as it unwinds. A test process killed outright (SIGKILL, a timeout) drops
/// nothing: the shared cluster's watchdog, started for this one too, stops it about two
/// seconds later and deletes its data, leaving the folder's empty shell.
#[derive(Debug)]
pub struct PrivateCluster {
    tools: Tools,
    /// The cluster's folder: its locks, and `pg` (the data, the log and the socket).
    root: PathBuf,
    /// Held shared while the cluster is in use, as for the shared cluster: for the watchdog.
    _users: File,
}

impl PrivateCluster {
    /// A new cluster, running, with only PostgreSQL's own databases (`postgres` among them).
    /// Panics, saying why, when it cannot be started.
    pub fn started() -> PrivateCluster {
        PrivateCluster::make()
            .unwrap_or_else(|why| panic!("cannot start a PostgreSQL for the test: {why}"))
    }

    fn make() -> Result<PrivateCluster, String> {
        let tools = Tools::find()?;
        let root = std::env::temp_dir().join(format!(
            "backstretch-pg-own-{}-{}",
            std::process::id(),
            PRIVATE.fetch_add(1, Ordering::Relaxed)
        ));
        // One left by an earlier process of the same id is stopped and replaced.
        if root.exists() {
            let _ = stop(&tools, &root.join("pg"), "immediate");
            std::fs::remove_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
        }
        std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
        let users = open_in(&root, "users")?;
        users
            .lock_shared()
            .map_err(|e| format!("registering as the user of the cluster: {e}"))?;
        // Made before it starts, so a failed start is cleaned up too.
        let cluster = PrivateCluster {
            tools,
            root,
            _users: users,
        };
        cluster.up()?;
        Ok(cluster)
    }

    /// The folder of the data, the log and the socket.
    fn pg(&self) -> PathBuf {
        self.root.join("pg")
    }

    /// Starts the cluster (made the first time) and a watchdog: the last one left when it
    /// saw the cluster stopped.
    fn up(&self) -> Result<(), String> {
        start(&self.tools, &self.pg())?;
        watch(&self.tools, &self.root, &open_in(&self.root, "watchdog")?)
    }

    /// Stops PostgreSQL as an administrator would (`pg_ctl stop -m fast`): open connections
    /// are cut, a statement under way fails with `57P01` ("terminating connection due to
    /// administrator command"), and new ones are refused until [`PrivateCluster::start`].
    pub fn stop(&self) {
        stop(&self.tools, &self.pg(), "fast")
            .unwrap_or_else(|why| panic!("cannot stop the test's PostgreSQL: {why}"));
    }

    /// Starts it again on the same data, waiting until it takes connections.
    pub fn start(&self) {
        self.up()
            .unwrap_or_else(|why| panic!("cannot start the test's PostgreSQL again: {why}"));
    }

    /// [`PrivateCluster::stop`], then [`PrivateCluster::start`]: a restart.
    pub fn restart(&self) {
        self.stop();
        self.start();
    }

    /// A connection configuration for database `dbname`.
    pub fn config(&self, dbname: &str) -> Config {
        config_at(&self.pg(), dbname)
    }

    /// The address of database `dbname`, as `--database` would take it.
    pub fn address(&self, dbname: &str) -> String {
        address_at(&self.pg(), dbname)
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = stop(&self.tools, &self.pg(), "immediate");
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
