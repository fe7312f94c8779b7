//! What the persistence test files share: the `both!` macro that runs each
//! test on SQLite and on PostgreSQL, each in a fresh database.

/// Declares a `sqlite` and a `postgres` module with one test per named
/// `async fn name(db: &Db)` of the file.
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let t = tollgate_persistence::testing::TestDb::new(tollgate_persistence::Backend::Sqlite).await.expect("sqlite test db");
                super::$name(&t.db).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let t = tollgate_persistence::testing::TestDb::new(tollgate_persistence::Backend::Postgres)
                    .await
                    .expect("postgres test db (is PostgreSQL running on 127.0.0.1:5432?)");
                super::$name(&t.db).await;
            })*
        }
    };
}
