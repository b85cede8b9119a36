//! A fresh PostgreSQL database per test on the throw-away server `scripts/test.sh` starts
//! (BOTCOACH_TEST_POSTGRES_URL). Shared by the model's and the server's tests.

/// The URL of a new, empty database `name` (dropped first if a previous run left it), or `None`
/// without a test server, which CI does not allow.
pub async fn url(name: &str) -> Option<String> {
    use sea_orm::ConnectionTrait;
    let Ok(base) = std::env::var("BOTCOACH_TEST_POSTGRES_URL") else {
        assert!(std::env::var_os("CI").is_none(), "CI must run the PostgreSQL tests: use scripts/test.sh");
        eprintln!("PostgreSQL part skipped: BOTCOACH_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)");
        return None;
    };
    let admin = model::storage::connect(&base).await.unwrap();
    let database = format!("{name}_{}", std::process::id());
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")).await.unwrap();
    admin.execute_unprepared(&format!("CREATE DATABASE {database}")).await.unwrap();
    admin.close().await.unwrap();
    Some(format!("{}/{database}", &base[..base.rfind('/').unwrap()]))
}
