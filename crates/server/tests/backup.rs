//! `tollgate backup` while `tollgate serve` writes, and the README's restore
//! (stop, copy the backup and the instance secret in place, start): the
//! restored server has the data up to the backup. On PostgreSQL the command
//! points to pg_dump.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::Method;
use serde_json::json;
use support::{PASSWORD, Server, call, free_port, tollgate};
use tollgate_persistence::Backend;
use tollgate_persistence::testing::TestDb;

async fn members(http: &reqwest::Client, base: &str, t: &str) -> Vec<String> {
    let mut emails = vec![];
    let mut cursor = String::new();
    loop {
        let page = call(http, Method::GET, format!("{base}/api/v1/users?limit=100{cursor}"), Some(t), None).await;
        emails.extend(page["data"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return emails,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_while_serving_then_restore() {
    let dir = std::env::temp_dir().join(format!("tollgate-backup-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let db_url = format!("sqlite://{}/data/tollgate.db", dir.display());
    let port = free_port();
    let server = Server::start(&dir, &db_url, port, "http://127.0.0.1:9").await;
    let http = reqwest::Client::new();
    let setup = json!({"email": "owner@example.com", "password": PASSWORD, "name": "Olivia", "app_name": "Academy"});
    let t = call(&http, Method::POST, format!("{}/api/v1/setup", server.base), None, Some(setup)).await["access_token"].as_str().unwrap().to_owned();

    // Members keep being added while the backup runs.
    let created = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (http, base, t, created, stop) = (http.clone(), server.base.clone(), t.clone(), created.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let n = created.load(Ordering::SeqCst);
                call(&http, Method::POST, format!("{base}/api/v1/users"), Some(&t), Some(json!({"email": format!("m{n}@example.com"), "name": format!("Member {n}")}))).await;
                created.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    while created.load(Ordering::SeqCst) < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let before = created.load(Ordering::SeqCst);
    let file = dir.join("backup.db");
    let out = tokio::task::spawn_blocking({
        let (dir, db_url, file) = (dir.clone(), db_url.clone(), file.clone());
        move || tollgate(&dir, &db_url, &["backup", file.to_str().unwrap()])
    })
    .await
    .unwrap();
    let after = created.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(out.status.success(), "backup failed: {}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("integrity ok") && said.contains("secret.key"), "{said}");
    // A second backup to the same file is refused; the first stays.
    let again = tollgate(&dir, &db_url, &["backup", file.to_str().unwrap()]);
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("never overwrite"));
    let live = members(&http, &server.base, &t).await;
    server.stop();

    // Restore as the README says, into a fresh directory.
    let restored = std::env::temp_dir().join(format!("tollgate-restore-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(restored.join("data")).unwrap();
    std::fs::copy(&file, restored.join("data/tollgate.db")).unwrap();
    std::fs::copy(dir.join("secret.key"), restored.join("secret.key")).unwrap();
    let restored_url = format!("sqlite://{}/data/tollgate.db", restored.display());
    let server = Server::start(&restored, &restored_url, free_port(), "http://127.0.0.1:9").await;
    let login = json!({"email": "owner@example.com", "password": PASSWORD});
    let t = call(&http, Method::POST, format!("{}/api/v1/auth/login", server.base), None, Some(login)).await["access_token"].as_str().unwrap().to_owned();
    let back = members(&http, &server.base, &t).await;
    assert!(back.len() >= before && back.len() <= after + 1, "the backup holds the members added before it ran: {} of {before}..={after} (+1 in flight)", back.len());
    for m in &back {
        assert!(live.contains(m), "{m} was in the live database");
    }
    for n in 0..before {
        assert!(back.contains(&format!("m{n}@example.com")), "m{n} was added before the backup");
    }
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&restored);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backup_points_to_pg_dump() {
    let db = TestDb::new(Backend::Postgres).await.expect("PostgreSQL at 127.0.0.1:5432");
    let dir = std::env::temp_dir().join(format!("tollgate-backup-pg-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = tollgate(&dir, &db.url, &["backup", dir.join("backup.db").to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!dir.join("backup.db").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
