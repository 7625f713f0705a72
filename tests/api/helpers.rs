//! A test application on a fresh database of either backend, served on a random port.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::App;
use diesel::{Connection, PgConnection, RunQueryDsl};
use dondoc::config::Config;
use dondoc::indexer::Indexer;
use dondoc::store::Store;
use dondoc::store::users::{self, NewUser, Role};
use dondoc::web::auth;
use dondoc::web::{AppState, configure};
use serde_json::Value;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs an async test body once per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                super::$name($crate::helpers::Db::Sqlite).await
            }
            #[actix_web::test]
            async fn postgres() {
                super::$name($crate::helpers::Db::Postgres).await
            }
        }
    )*};
}

/// The server that holds the per-test PostgreSQL databases.
fn postgres_server() -> String {
    std::env::var("DONDOC_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// A database created for one test and dropped after it.
struct PgDatabase {
    name: String,
}

impl PgDatabase {
    fn create() -> (PgDatabase, String) {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "dondoc_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let server = postgres_server();
        let mut admin = PgConnection::establish(&format!("{server}/postgres")).unwrap_or_else(|e| {
            panic!("PostgreSQL is needed for these tests at {server} (set DONDOC_TEST_POSTGRES): {e}")
        });
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut admin)
            .expect("drop old test database");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create test database");
        let url = format!("{server}/{name}");
        (PgDatabase { name }, url)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&format!("{}/postgres", postgres_server())) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

/// A running test application.
pub struct TestApp {
    pub server: actix_test::TestServer,
    pub config: Config,
    pub store: Store,
    /// An API token of the `admin` user made for the test; the request helpers send it.
    pub token: String,
    _pg: Option<PgDatabase>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// A fresh application on a new, empty database.
    pub async fn spawn(db: Db) -> TestApp {
        Self::spawn_with(db, |_| ()).await
    }

    /// A fresh application with settings changed by `adjust`.
    pub async fn spawn_with(db: Db, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::for_data_dir(dir.path());
        config.limits.requests_per_second = 10_000;
        config.limits.request_burst = 10_000;
        adjust(&mut config);
        let pg = match db {
            Db::Sqlite => None,
            Db::Postgres => {
                let (pg, url) = PgDatabase::create();
                config.database_url = url;
                Some(pg)
            }
        };
        let store = Store::open(&config.database_url).expect("open store");
        let token = add_user(&store, "admin", Role::Admin, None);
        let server = start(store.clone(), config.clone());
        TestApp {
            server,
            config,
            store,
            token,
            _pg: pg,
            _dir: dir,
        }
    }

    /// Creates a user with password `password123` and answers an API token of theirs.
    pub fn add_user(&self, username: &str, role: Role, agency: Option<&str>) -> String {
        add_user(&self.store, username, role, agency)
    }

    /// The `Authorization` header value of the test's admin token.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// GET a path with another user's token.
    pub async fn get_as(&self, token: &str, path: &str) -> (u16, Value) {
        answer(
            self.server
                .get(path)
                .bearer_auth(token)
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    /// POST JSON with another user's token.
    pub async fn post_json_as(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        answer(
            self.server
                .post(path)
                .bearer_auth(token)
                .send_json(body)
                .await
                .expect("request"),
        )
        .await
    }

    /// PATCH JSON with another user's token.
    pub async fn patch_json_as(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        answer(
            self.server
                .patch(path)
                .bearer_auth(token)
                .send_json(body)
                .await
                .expect("request"),
        )
        .await
    }

    /// Stops the server and starts a new one on the same database (a restart).
    pub async fn restart(self) -> TestApp {
        self.restart_with(|| ()).await
    }

    /// A restart with `between` run while the server is down.
    pub async fn restart_with(self, between: impl FnOnce()) -> TestApp {
        let TestApp {
            server,
            config,
            store,
            token,
            _pg,
            _dir,
        } = self;
        server.stop().await;
        drop(store);
        between();
        let store = Store::open(&config.database_url).expect("reopen store");
        let server = start(store.clone(), config.clone());
        TestApp {
            server,
            config,
            store,
            token,
            _pg,
            _dir,
        }
    }

    /// GET a path; answers status and JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        answer(
            self.server
                .get(path)
                .bearer_auth(&self.token)
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    /// POST JSON to a path.
    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        answer(
            self.server
                .post(path)
                .bearer_auth(&self.token)
                .send_json(body)
                .await
                .expect("request"),
        )
        .await
    }

    /// PATCH JSON to a path.
    pub async fn patch_json(&self, path: &str, body: &Value) -> (u16, Value) {
        answer(
            self.server
                .patch(path)
                .bearer_auth(&self.token)
                .send_json(body)
                .await
                .expect("request"),
        )
        .await
    }

    /// PUT JSON to a path.
    pub async fn put_json(&self, path: &str, body: &Value) -> (u16, Value) {
        answer(
            self.server
                .put(path)
                .bearer_auth(&self.token)
                .send_json(body)
                .await
                .expect("request"),
        )
        .await
    }

    /// POST raw bytes with a content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        answer(
            self.server
                .post(path)
                .bearer_auth(&self.token)
                .insert_header(("content-type", content_type))
                .send_body(body)
                .await
                .expect("request"),
        )
        .await
    }

    /// POST a multipart form with one `file` part.
    pub async fn upload(&self, file_name: &str, content: &[u8]) -> (u16, Value) {
        let boundary = "dondoc-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.post_raw(
            "/api/directives",
            &format!("multipart/form-data; boundary={boundary}"),
            body,
        )
        .await
    }

    /// Row counts of every table that a request could change.
    pub fn counts(&self) -> Vec<(String, i64)> {
        use diesel::prelude::*;
        use dondoc::store::schema::*;
        self.store
            .read(|c| {
                Ok(vec![
                    (
                        "directives".into(),
                        directives::table.count().get_result(c)?,
                    ),
                    ("documents".into(), documents::table.count().get_result(c)?),
                    ("tasks".into(), tasks::table.count().get_result(c)?),
                    ("reports".into(), reports::table.count().get_result(c)?),
                    ("files".into(), files::table.count().get_result(c)?),
                    ("agencies".into(), agencies::table.count().get_result(c)?),
                    ("audit_log".into(), audit_log::table.count().get_result(c)?),
                    (
                        "search_queue".into(),
                        search_queue::table.count().get_result(c)?,
                    ),
                ])
            })
            .expect("counts")
    }
}

/// Creates a user with password `password123` and an API token; answers the token.
pub fn add_user(store: &Store, username: &str, role: Role, agency: Option<&str>) -> String {
    let hash = auth::hash_password(PASSWORD).expect("hash");
    let token = auth::new_secret().expect("token");
    store
        .write(|c| {
            users::add(
                c,
                &NewUser {
                    username,
                    display_name: username,
                    role,
                    agency,
                    password_hash: Some(hash),
                },
                "test",
            )?;
            users::add_token(c, username, &auth::secret_hash(&token), "test", "test")
        })
        .expect("add user");
    token
}

/// The password of every user the tests create.
pub const PASSWORD: &str = "password123";

fn start(store: Store, config: Config) -> actix_test::TestServer {
    let indexer = Indexer::open(&config.data_dir.join("index")).expect("open index");
    let state = AppState::new(store, std::sync::Arc::new(indexer), config);
    // Redirects are not followed, so tests see the 303s of the sign-in flow and its cookies.
    actix_test::start_with(actix_test::config().disable_redirects(), move || {
        App::new().configure(configure(state.clone()))
    })
}

/// The real sample directives shipped beside the project.
pub fn samples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("samples at {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "expected the three shared samples");
    files
}

/// Counts tasks across the documents of a directive JSON.
pub fn task_count(directive: &Value) -> usize {
    directive["documents"]
        .as_array()
        .map(|docs| {
            docs.iter()
                .map(|d| d["tasks"].as_array().map_or(0, Vec::len))
                .sum()
        })
        .unwrap_or(0)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Sends a raw HTTP/1.1 request head and then `body_len` bytes of body (as chunks of the chunked
/// transfer coding when `chunked`) from a writer thread, and reads the answer (status, JSON body) while
/// the body is still being sent, as a browser does. Asserts the server answered before taking it all.
pub fn raw_upload(
    addr: std::net::SocketAddr,
    head: &str,
    body_len: usize,
    chunked: bool,
) -> (u16, Value) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .expect("timeout");
    stream.write_all(head.as_bytes()).expect("send head");
    let mut writer = stream.try_clone().expect("clone stream");
    let sender = std::thread::spawn(move || {
        let chunk = vec![b'a'; 64 * 1024];
        let mut sent = 0;
        while sent < body_len {
            let n = chunk.len().min(body_len - sent);
            let framed = if chunked {
                let mut framed = format!("{n:x}\r\n").into_bytes();
                framed.extend_from_slice(&chunk[..n]);
                framed.extend_from_slice(b"\r\n");
                framed
            } else {
                chunk[..n].to_vec()
            };
            if writer.write_all(&framed).is_err() {
                break;
            }
            sent += n;
        }
        sent
    });
    let mut answer = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
        if let Some(end) = find(&answer, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&answer[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            if length.is_some_and(|len| answer.len() >= end + 4 + len) {
                break;
            }
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let sent = sender.join().expect("writer");
    assert!(
        sent < body_len,
        "the whole body was taken before the answer"
    );
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// Status and JSON body (null when the body is not JSON) of a response.
async fn answer(
    mut response: awc::ClientResponse<
        impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
        + Unpin,
    >,
) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.body().limit(64 << 20).await.expect("body");
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}
