//! The access rules, walked route by route: every route of the app has a rule, a route without
//! one is refused, and each rule refuses exactly the callers below its role. Browser writes
//! from another origin are refused. Real model, real SQLite file, the full router in-process.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use model::accounts::{sessions, tokens, users};
use model::views::Role;
use server::access::{Need, RULES};
use tower::ServiceExt;

const HOST: &str = "botcoach.test";

#[derive(Debug, Clone)]
enum Caller {
    Anonymous,
    Token(Role, String),
    User(Role, String),
}

impl Caller {
    fn role(&self) -> Option<Role> {
        match self {
            Caller::Anonymous => None,
            Caller::Token(r, _) | Caller::User(r, _) => Some(*r),
        }
    }
}

async fn send(
    router: &Router,
    method: &str,
    path: &str,
    caller: &Caller,
    origin: Option<&str>,
) -> axum::response::Response {
    let mut request = Request::builder().method(method).uri(path).header("host", HOST);
    if method != "GET" {
        request = request.header("content-type", "application/json");
    }
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    match caller {
        Caller::Anonymous => {}
        Caller::Token(_, t) => request = request.header("authorization", format!("Bearer {t}")),
        Caller::User(_, s) => request = request.header("cookie", format!("{}={s}", sessions::COOKIE)),
    }
    let body = if method == "GET" { Body::empty() } else { Body::from("{}") };
    router.clone().oneshot(request.body(body).unwrap()).await.unwrap()
}

fn refused(response: &axum::response::Response) -> bool {
    let to_login = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .is_some_and(|l| l.starts_with("/login"));
    matches!(response.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) || to_login
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_has_a_rule_and_each_rule_holds_for_every_role() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path());
    let services = server::startup::services(&config).await.unwrap();
    let db = services.db.clone();

    // Every page and server function the app declares has a rule.
    let mut declared: Vec<(String, String)> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|l| ("GET".to_string(), l.path().to_string()))
        .collect();
    declared.extend(
        leptos::server_fn::axum::server_fn_paths()
            .map(|(path, method)| (method.to_string(), path.to_string())),
    );
    assert!(declared.len() > 20, "{declared:?}");
    for (method, path) in &declared {
        assert!(
            server::access::rule_for(&method.parse().unwrap(), path).is_some(),
            "{method} {path} has no access rule"
        );
    }

    let mut callers = vec![
        Caller::Anonymous,
        Caller::Token(Role::Bot, tokens::create(&db, "bot", Role::Bot).await.unwrap()),
    ];
    for role in [Role::Trainer, Role::Reviewer, Role::Supervisor, Role::Admin] {
        users::add(&db, role.as_str(), "password-123", role).await.unwrap();
        let (secret, _) = sessions::sign_in(&db, role.as_str(), "password-123").await.unwrap().unwrap();
        callers.push(Caller::User(role, secret));
    }
    callers.push(Caller::Token(Role::Trainer, tokens::create(&db, "script", Role::Trainer).await.unwrap()));

    let router = server::http::router(&config, services.clone());
    let origin = format!("http://{HOST}");
    // Signing out ends the session the later checks use: walk it last.
    let mut rules: Vec<_> = RULES.iter().collect();
    rules.sort_by_key(|r| r.path == "/api/sign_out");
    let mut checked = 0;
    for rule in rules {
        let path = rule.path.replace("{id}", "1");
        for caller in &callers {
            let response = send(&router, rule.method, &path, caller, Some(&origin)).await;
            let allowed = match rule.need {
                Need::Public => true,
                Need::Role(needed) => caller.role().is_some_and(|r| r.includes(needed)),
            };
            assert_eq!(
                !refused(&response),
                allowed,
                "{} {} as {caller:?}: status {}",
                rule.method,
                rule.path,
                response.status()
            );
            checked += 1;
        }
    }
    assert!(checked >= RULES.len() * 6);

    // The table itself, for the routes that matter most: who is the least who may.
    for (method, path, least) in [
        ("GET", "/knowledge", Role::Trainer),
        ("POST", "/api/save_knowledge", Role::Trainer),
        ("GET", "/review", Role::Reviewer),
        ("POST", "/api/review_knowledge", Role::Reviewer),
        ("POST", "/api/publish_knowledge", Role::Reviewer),
        ("POST", "/api/archive_knowledge", Role::Reviewer),
        ("GET", "/dashboard", Role::Supervisor),
        ("GET", "/api/v1/knowledge", Role::Bot),
        ("POST", "/api/v1/knowledge/import", Role::Trainer),
    ] {
        let rule = server::access::rule_for(&method.parse().unwrap(), path).unwrap();
        assert_eq!(rule.need, Need::Role(least), "{method} {path}");
    }

    // A route nobody wrote a rule for is refused, even to an admin.
    let admin = callers.iter().find(|c| c.role() == Some(Role::Admin)).unwrap().clone();
    let unlisted = Router::new()
        .route("/api/v1/unlisted", get(|| async { "secret" }))
        .route_layer(axum::middleware::from_fn_with_state(services.clone(), server::access::check));
    let response = send(&unlisted, "GET", "/api/v1/unlisted", &admin, None).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // A known route with the wrong method says so.
    let response = send(&router, "DELETE", "/api/v1/knowledge", &admin, Some(&origin)).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);

    // A page refused to a signed-in user is the app's refusal inside its layout; refused to an
    // API token it is not rendered at all: rendering runs the page's server functions
    // in-process, past the rules (a bot token once got the inbox page this way).
    let secret = "a customer question only a trainer may read";
    model::misses::record(
        &db,
        &[model::misses::Report::external(
            &Default::default(),
            model::misses::External::question(secret),
            chrono::Utc::now(),
        )
        .unwrap()],
    )
    .await
    .unwrap();
    let bot = callers.iter().find(|c| c.role() == Some(Role::Bot)).unwrap().clone();
    for page in ["/", "/inbox", "/knowledge", "/search", "/review", "/dashboard"] {
        let response = send(&router, "GET", page, &bot, None).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{page}");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let body = String::from_utf8_lossy(&body);
        assert!(!body.contains("<html") && !body.contains(secret), "{page} rendered for a bot: {body}");
    }
    // A fresh session: the loop above called sign_out with every caller.
    let (session, _) = sessions::sign_in(&db, "trainer", "password-123").await.unwrap().unwrap();
    let response = send(&router, "GET", "/dashboard", &Caller::User(Role::Trainer, session), None).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    assert!(
        String::from_utf8_lossy(&body).contains("data-testid=\"nav\""),
        "the refusal is inside the layout"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_writes_from_another_origin_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path());
    let services = server::startup::services(&config).await.unwrap();
    users::add(&services.db, "tina", "password-123", Role::Trainer).await.unwrap();
    let (secret, _) = sessions::sign_in(&services.db, "tina", "password-123").await.unwrap().unwrap();
    let token = tokens::create(&services.db, "script", Role::Trainer).await.unwrap();
    let router = server::http::router(&config, services);
    let user = Caller::User(Role::Trainer, secret);

    for origin in [None, Some("http://evil.example")] {
        let response = send(&router, "POST", "/api/category_tree", &user, origin).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "origin {origin:?}");
    }
    let response = send(&router, "POST", "/api/category_tree", &user, Some("http://botcoach.test")).await;
    assert_eq!(response.status(), StatusCode::OK);
    // Tokens are not sent by browsers on their own, so they need no origin.
    let response =
        send(&router, "POST", "/api/category_tree", &Caller::Token(Role::Trainer, token), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    // An unknown token is an error, not an anonymous call.
    let response =
        send(&router, "GET", "/api/v1/knowledge", &Caller::Token(Role::Bot, "bc_nope".into()), None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
