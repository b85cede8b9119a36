//! The bot's API over the router with the real model and a real SQLite file: answers, clarify
//! and miss, live updates on publish, feedback and reported misses, and bad input (4xx, never
//! 5xx, nothing stored).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use model::accounts::tokens;
use model::views::Role;
use sea_orm::{EntityTrait, PaginatorTrait};
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    json: serde_json::Value,
}

async fn call(
    router: &axum::Router,
    method: &str,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(path).header("content-type", content_type);
    if !token.is_empty() {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let request = request.body(Body::from(body)).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    Reply { status, json }
}

async fn get(router: &axum::Router, path: &str, token: &str) -> Reply {
    call(router, "GET", path, token, "", Vec::new()).await
}

async fn post(router: &axum::Router, path: &str, token: &str, body: serde_json::Value) -> Reply {
    call(router, "POST", path, token, "application/json", serde_json::to_vec(&body).unwrap()).await
}

async fn setup() -> (tempfile::TempDir, axum::Router, model::Services, String, String) {
    setup_with(model::matching::Batching::default()).await
}

async fn setup_with(
    batching: model::matching::Batching,
) -> (tempfile::TempDir, axum::Router, model::Services, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = server::config::Config { batching, ..common::config_in(dir.path()) };
    let services = server::startup::services(&config).await.unwrap();
    let bot = tokens::create(&services.db, "bot", Role::Bot).await.unwrap();
    let lead = tokens::create(&services.db, "lead", Role::Reviewer).await.unwrap();
    let router = server::http::router(&config, services.clone());
    let kb = serde_json::json!([
        {"category": "Cards/Delivery", "question": "When will my card arrive?", "answer": "Within 5 working days.",
         "phrasings": ["My card has not arrived yet", "How long does card delivery take?", "still waiting for my new card"]},
        {"category": "Cards/Security", "question": "I lost my card, what should I do?", "answer": "Freeze it in the app.",
         "phrasings": ["my card was stolen", "I can't find my card anywhere", "someone took my wallet with my card"]},
        {"category": "Top-ups", "question": "How do I top up my account?", "answer": "Top up > Card in the app.",
         "phrasings": ["add money to my account", "how can I put money in", "top up with a debit card"]},
        {"category": "宽带业务/报修", "question": "宽带断网了怎么办？", "answer": "请重启光猫，仍不行请报修。",
         "phrasings": ["家里网断了", "宽带连不上网", "光猫红灯怎么办"]},
        {"category": "账单与缴费", "question": "怎么交话费？", "answer": "在App或营业厅缴费。",
         "phrasings": ["在哪里充话费", "手机怎么充值", "交话费的方式有哪些"]}
    ]);
    let r = call(
        &router,
        "POST",
        "/api/v1/knowledge/import?publish=true",
        &lead,
        "application/json",
        serde_json::to_vec(&kb).unwrap(),
    )
    .await;
    assert_eq!(r.json["created"], 5, "{}", r.json);
    (dir, router, services, bot, lead)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asks_are_answered_ranked_logged_and_misses_recorded() {
    let (_dir, router, services, bot, lead) = setup().await;
    let db = services.db.clone();

    let r = post(
        &router,
        "/api/v1/ask",
        &bot,
        serde_json::json!({"question": "my new card still hasn't arrived"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["outcome"], "answered", "{}", r.json);
    assert_eq!(r.json["answer"]["answer"], "Within 5 working days.");
    let candidates = r.json["candidates"].as_array().unwrap();
    assert!(!candidates.is_empty() && candidates.len() <= 5);
    let scores: Vec<f64> = candidates.iter().map(|c| c["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    assert!(r.json["ask_id"].as_str().unwrap().starts_with("ask_"));

    // Chinese: the lexical side finds it though the model knows little Chinese.
    let r = post(
        &router,
        "/api/v1/ask",
        &bot,
        serde_json::json!({"question": "宽带又断网了", "channel": "online"}),
    )
    .await;
    assert_eq!(r.json["candidates"][0]["question"], "宽带断网了怎么办？", "{}", r.json);

    // Something the base does not cover is not answered, and becomes a miss.
    let r = post(
        &router,
        "/api/v1/ask",
        &bot,
        serde_json::json!({"question": "Can you recommend a good pizza place?", "session_id": "s-1"}),
    )
    .await;
    assert_ne!(r.json["outcome"], "answered", "{}", r.json);
    assert!(r.json["answer"].is_null());
    assert_eq!(r.json["candidates"].as_array().unwrap().len(), 5, "the ranking is always shown");

    // A dry run answers the same and records nothing.
    let asks_before = model::matching::asks::entity::Entity::find().count(&db).await.unwrap();
    let r = post(
        &router,
        "/api/v1/ask",
        &bot,
        serde_json::json!({"question": "Can you recommend a good pizza place?", "dry_run": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(model::matching::asks::entity::Entity::find().count(&db).await.unwrap(), asks_before);
    assert_eq!(asks_before, 3);

    // Feedback: not helpful records a miss for that ask's question; an unknown ask is a 404.
    let r =
        post(&router, "/api/v1/ask", &bot, serde_json::json!({"question": "How do I top up my account?"}))
            .await;
    assert_eq!(r.json["outcome"], "answered");
    let ask_id = r.json["ask_id"].as_str().unwrap().to_string();
    let f = post(
        &router,
        "/api/v1/feedback",
        &bot,
        serde_json::json!({"ask_id": ask_id, "helpful": false, "handoff": true}),
    )
    .await;
    assert_eq!(f.status, StatusCode::NO_CONTENT, "{}", f.json);
    let f =
        post(&router, "/api/v1/feedback", &bot, serde_json::json!({"ask_id": "ask_nope", "helpful": true}))
            .await;
    assert_eq!(f.status, StatusCode::NOT_FOUND);
    assert_eq!(f.json["error"]["code"], "not_found");
    let events = model::misses::entity::event::Entity::find().all(&db).await.unwrap();
    let signals: Vec<&str> = events.iter().map(|e| e.signal.as_str()).collect();
    assert!(signals.contains(&"handoff"), "{signals:?}");

    // Publishing goes live at once; archiving takes it away.
    let kb = serde_json::json!([{"category": "Cards/Travel", "question": "Can I use my card abroad?", "answer": "Yes, in 150 countries.", "phrasings": ["does my card work in other countries"]}]);
    call(
        &router,
        "POST",
        "/api/v1/knowledge/import?publish=true",
        &lead,
        "application/json",
        serde_json::to_vec(&kb).unwrap(),
    )
    .await;
    let r = post(
        &router,
        "/api/v1/ask",
        &bot,
        serde_json::json!({"question": "will my card work when I travel abroad?", "dry_run": true}),
    )
    .await;
    assert_eq!(r.json["candidates"][0]["question"], "Can I use my card abroad?", "{}", r.json);
    let id: i32 = r.json["candidates"][0]["knowledge_id"].as_str().unwrap().parse().unwrap();
    let point = model::knowledge::queries::detail(&db, id).await.unwrap();
    model::knowledge::points::archive(
        &db,
        &model::views::Actor::new("lead", Role::Reviewer),
        id,
        point.version,
    )
    .await
    .unwrap();
    services.knowledge_changed().await;
    let r = post(
        &router,
        "/api/v1/ask",
        &bot,
        serde_json::json!({"question": "will my card work when I travel abroad?", "dry_run": true}),
    )
    .await;
    assert!(r.json["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["question"] != "Can I use my card abroad?"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_misses_are_stored_deduplicated_and_checked_first() {
    let (_dir, router, services, bot, _) = setup().await;
    let db = services.db.clone();
    let r = post(
        &router,
        "/api/v1/misses",
        &bot,
        serde_json::json!({"misses": [
            {"question": "Do you offer mortgages?", "channel": "wechat", "reason": "no_intent"},
            {"question": "do you offer   MORTGAGES", "occurred_at": "2026-11-20T10:00:00Z"},
            {"question": "有没有房贷？"}
        ]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
    assert_eq!(r.json["accepted"], 3);
    let misses = model::misses::entity::miss::Entity::find().all(&db).await.unwrap();
    assert_eq!(misses.len(), 2, "the same question twice counts once, twice");
    let mortgage = misses.iter().find(|m| m.normalized == "do you offer mortgages").unwrap();
    assert_eq!(mortgage.count, 2);
    assert_eq!(mortgage.first_seen_at.to_rfc3339(), "2026-11-20T10:00:00+00:00");

    for (body, code) in [
        (serde_json::json!({"misses": []}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            serde_json::json!({"misses": [{"question": "ok"}, {"question": "  "}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            serde_json::json!({"misses": [{"question": "ok", "channel": "bad channel!"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            serde_json::json!({"misses": [{"question": "ok", "occurred_at": "yesterday"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // A NUL is refused by PostgreSQL's text columns: a clear 422 here, not a 500 there.
        (serde_json::json!({"misses": [{"question": "ok\u{0}then"}]}), StatusCode::UNPROCESSABLE_ENTITY),
        (serde_json::json!({"misses": [{"question": "bell\u{7}"}]}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            serde_json::json!({"misses": (0..1001).map(|i| serde_json::json!({"question": format!("q{i}")})).collect::<Vec<_>>()}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let r = post(&router, "/api/v1/misses", &bot, body).await;
        assert_eq!(r.status, code, "{}", r.json);
        assert!(r.json["error"]["message"].is_string());
    }
    assert_eq!(
        model::misses::entity::event::Entity::find().count(&db).await.unwrap(),
        3,
        "refused calls stored nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_4xx_never_a_5xx() {
    let (_dir, router, services, bot, _) = setup().await;
    let long = "x".repeat(10_000);
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        ("application/json", br#"{"question": ""}"#.to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "empty"),
        ("application/json", br#"{"question": "   "}"#.to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "empty"),
        (
            "application/json",
            format!(r#"{{"question": "{long}"}}"#).into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "too long",
        ),
        (
            "application/json",
            br#"{"question": "hi\u0000there"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "control characters",
        ),
        ("application/json", br#"{"question": "hi""#.to_vec(), StatusCode::BAD_REQUEST, ""),
        ("application/json", br#"{"question": 42}"#.to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "question"),
        (
            "application/json",
            br#"{"question": "hi", "channel": "fax"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "channel",
        ),
        (
            "application/json",
            br#"{"question": "hi", "colour": "red"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "colour",
        ),
        ("application/json", b"{\"question\": \"\xff\xfe\"}".to_vec(), StatusCode::BAD_REQUEST, ""),
        ("text/plain", br#"{"question": "hi"}"#.to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, ""),
        ("application/json", vec![b' '; 100_000], StatusCode::PAYLOAD_TOO_LARGE, ""),
    ];
    for (content_type, body, code, says) in cases {
        let r = call(&router, "POST", "/api/v1/ask", &bot, content_type, body).await;
        assert_eq!(r.status, code, "{}", r.json);
        assert!(r.json["error"]["code"].is_string(), "JSON error body: {}", r.json);
        let message = r.json["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{message:?} should say {says:?}");
    }
    let r = post(&router, "/api/v1/feedback", &bot, serde_json::json!({"ask_id": "x"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    let r = post(
        &router,
        "/api/v1/feedback",
        &bot,
        serde_json::json!({"ask_id": "x", "helpful": true, "chosen_knowledge_id": "abc"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert_eq!(
        model::matching::asks::entity::Entity::find().count(&services.db).await.unwrap(),
        0,
        "nothing logged"
    );

    // The contract is served and names every API route.
    let r = call(&router, "GET", "/api/v1/openapi.json", "", "application/json", vec![]).await;
    assert_eq!(r.status, StatusCode::OK);
    for rule in server::access::RULES.iter().filter(|r| r.path.starts_with("/api/v1/")) {
        let method = rule.method.to_ascii_lowercase();
        assert!(
            r.json["paths"][rule.path][&method].is_object(),
            "openapi lacks {} {}",
            rule.method,
            rule.path
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_api_lists_regroups_and_resolves_groups() {
    let (_dir, router, services, bot, lead) = setup().await;
    let misses = serde_json::json!({"misses": [
        {"question": "can I order a card in pink", "channel": "online"},
        {"question": "is there a pink card design"},
        {"question": "do you offer cards in other colours"},
        {"question": "what is the weather tomorrow"},
        {"question": "can I order a card in pink", "channel": "online"}
    ]});
    assert_eq!(post(&router, "/api/v1/misses", &bot, misses).await.status, StatusCode::ACCEPTED);
    assert_eq!(services.inbox.assign_pending().await.unwrap(), 4);

    let r = get(&router, "/api/v1/clusters?members=all", &lead).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let clusters = r.json["clusters"].as_array().unwrap().clone();
    assert_eq!(r.json["total"], clusters.len());
    let colours = clusters
        .iter()
        .find(|c| {
            c["members"].as_array().unwrap().iter().any(|m| m["question"] == "is there a pink card design")
        })
        .expect("a group with the pink card questions");
    assert_eq!((colours["size"].as_i64(), colours["volume"].as_i64()), (Some(3), Some(4)), "{colours}");
    assert_eq!(clusters[0]["id"], colours["id"], "most reports first");
    let members = colours["members"].as_array().unwrap();
    assert_eq!(
        (members[0]["question"].as_str(), members[0]["count"].as_i64()),
        (Some("can I order a card in pink"), Some(2))
    );
    assert!(members[0]["miss_id"].is_string());
    assert!(colours["suggestions"][0]["knowledge_id"].is_string(), "{colours}");
    assert!(colours["suggestions"][0]["score"].is_number());
    let id = colours["id"].as_str().unwrap().to_string();

    let r = post(&router, "/api/v1/clusters/rebuild?wait=true", &lead, serde_json::json!(null)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(
        (r.json["misses"].as_i64(), r.json["clusters"].as_i64()),
        (Some(4), Some(clusters.len() as i64))
    );
    assert!(r.json["seconds"].is_number());
    let r = get(&router, "/api/v1/clusters", &lead).await;
    assert_eq!(r.json["clusters"][0]["id"], id.as_str(), "the group kept its id");

    // Bad requests: 4xx with the API's error body, nothing changed.
    for (path, body, status) in [
        (
            format!("/api/v1/clusters/{id}/resolve"),
            serde_json::json!({"action": "dismiss"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("/api/v1/clusters/{id}/resolve"),
            serde_json::json!({"action": "dismiss", "reason": ""}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("/api/v1/clusters/{id}/resolve"),
            serde_json::json!({"action": "merge"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("/api/v1/clusters/{id}/resolve"),
            serde_json::json!({"action": "link", "knowledge_id": "77777"}),
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/v1/clusters/123456/resolve".to_string(),
            serde_json::json!({"action": "dismiss", "reason": "noise"}),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let r = post(&router, &path, &lead, body.clone()).await;
        assert_eq!(r.status, status, "{body}: {}", r.json);
        assert!(r.json["error"]["message"].is_string(), "{}", r.json);
    }
    for (path, status) in [
        ("/api/v1/clusters?limit=0", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/v1/clusters?members=some", StatusCode::BAD_REQUEST),
        ("/api/v1/clusters?status=closed", StatusCode::BAD_REQUEST),
        ("/api/v1/clusters?since=yesterday", StatusCode::BAD_REQUEST),
    ] {
        assert_eq!(get(&router, path, &lead).await.status, status, "{path}");
    }
    assert_eq!(
        get(&router, "/api/v1/clusters", &bot).await.status,
        StatusCode::FORBIDDEN,
        "bots do not read the inbox"
    );
    assert_eq!(get(&router, "/api/v1/clusters", &lead).await.json["total"], clusters.len());

    let r = post(
        &router,
        &format!("/api/v1/clusters/{id}/resolve"),
        &lead,
        serde_json::json!({"action": "dismiss", "reason": "chit-chat"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json, serde_json::json!({"knowledge_id": null, "resolved_misses": 3, "decision_id": "1"}));
    let r = post(
        &router,
        &format!("/api/v1/clusters/{id}/resolve"),
        &lead,
        serde_json::json!({"action": "dismiss", "reason": "again"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(get(&router, "/api/v1/clusters", &lead).await.json["total"], clusters.len() - 1);
    let r = get(&router, "/api/v1/clusters?status=dismissed", &lead).await;
    assert_eq!(r.json["clusters"][0]["id"], id.as_str());

    // Undone over the API: the group is open again; a second undo is a conflict.
    let r = post(&router, "/api/v1/decisions/1/undo", &lead, serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json, serde_json::json!({"cluster_id": id, "reopened_misses": 3}));
    assert_eq!(
        post(&router, "/api/v1/decisions/1/undo", &lead, serde_json::json!({})).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        post(&router, "/api/v1/decisions/x/undo", &lead, serde_json::json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&router, "/api/v1/clusters", &lead).await.json["total"], clusters.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_over_the_api_checks_regressions_and_closes_misses() {
    let (_dir, router, services, bot, lead) = setup().await;
    let trainer = tokens::create(&services.db, "tina", Role::Trainer).await.unwrap();
    let misses = serde_json::json!({"misses": [
        {"question": "can I order a card in pink"},
        {"question": "is there a pink card design"}
    ]});
    assert_eq!(post(&router, "/api/v1/misses", &bot, misses).await.status, StatusCode::ACCEPTED);
    services.inbox.assign_pending().await.unwrap();
    let r = get(&router, "/api/v1/clusters?members=all", &lead).await;
    let id = r.json["clusters"][0]["id"].as_str().unwrap().to_string();
    let r = post(
        &router,
        &format!("/api/v1/clusters/{id}/resolve"),
        &trainer,
        serde_json::json!({"action": "create", "category": "Cards/Design", "question": "Can I choose a pink card?",
                           "answer": "Yes: pick the design when you order."}),
    )
    .await;
    let kid = r.json["knowledge_id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/knowledge/{kid}/publish");

    assert_eq!(post(&router, &path, &trainer, serde_json::json!({})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        post(&router, "/api/v1/knowledge/nope/publish", &lead, serde_json::json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post(&router, &format!("{path}?force=maybe"), &lead, serde_json::json!({})).await.status,
        StatusCode::BAD_REQUEST
    );
    let r = post(&router, &path, &lead, serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["knowledge_id"], kid.as_str());
    assert_eq!(r.json["regressions"], serde_json::json!([]));
    assert_eq!(r.json["closed_misses"], 2, "{}", r.json);
    assert!(r.json["revision"].as_i64().unwrap() > 0);
    let r =
        post(&router, "/api/v1/ask", &bot, serde_json::json!({"question": "is there a pink card design"}))
            .await;
    assert_eq!(
        (r.json["outcome"].as_str(), r.json["answer"]["knowledge_id"].as_str()),
        (Some("answered"), Some(kid.as_str()))
    );
    let r = post(&router, &path, &lead, serde_json::json!({})).await;
    assert_eq!((r.status, r.json["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));

    // A draft that takes over answers: 409 with the list, then published with force.
    let tree = model::knowledge::categories::Tree::load(&services.db).await.unwrap();
    let content = model::views::Content {
        category_id: tree.find_path("Top-ups").unwrap(),
        question: "How do I top up my account with a card?".into(),
        answer: "Use Apple Pay.".into(),
        phrasings: vec!["top up my account".into()],
        template_slot: None,
        ..Default::default()
    };
    let actor = model::views::Actor::new("tina", Role::Trainer);
    let p = model::knowledge::points::create(&services.db, &actor, content).await.unwrap();
    let path = format!("/api/v1/knowledge/{}/publish", p.id);
    let r = post(&router, &path, &lead, serde_json::json!({})).await;
    assert_eq!(
        (r.status, r.json["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("regressions")),
        "{}",
        r.json
    );
    let listed = r.json["regressions"].as_array().unwrap().clone();
    assert!(listed.iter().any(|x| x["was"] == "How do I top up my account?"), "{listed:?}");
    let r = post(&router, &format!("{path}?force=true"), &lead, serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["regressions"].as_array().unwrap(), &listed);
}

async fn post_with_key(
    router: &axum::Router,
    path: &str,
    token: &str,
    key: &str,
    body: &serde_json::Value,
) -> Reply {
    let request = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .header("idempotency-key", key)
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply { status, json: serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null) }
}

/// `n` deliveries of one request with one key, all at the same time.
async fn at_once(
    n: usize,
    router: &axum::Router,
    path: &'static str,
    token: &str,
    key: &'static str,
    body: &serde_json::Value,
) -> Vec<Reply> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (router, token, body) = (router.clone(), token.to_string(), body.clone());
            tokio::spawn(async move { post_with_key(&router, path, &token, key, &body).await })
        })
        .collect();
    let mut replies = Vec::new();
    for t in tasks {
        replies.push(t.await.unwrap());
    }
    replies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn retries_with_an_idempotency_key_are_answered_once_and_counted_once() {
    let (_dir, router, services, bot, _) = setup().await;
    let db = services.db.clone();
    let events = || async { model::misses::entity::event::Entity::find().count(&db).await.unwrap() };
    let asks = || async { model::matching::asks::entity::Entity::find().count(&db).await.unwrap() };

    // A bot that lost the answer sends the batch again, eight times at once: stored once.
    let batch = serde_json::json!({"misses": [{"question": "Can I open a joint account?"}]});
    let replies = at_once(8, &router, "/api/v1/misses", &bot, "batch-7f3a", &batch).await;
    for r in &replies {
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
        assert_eq!(r.json, serde_json::json!({"accepted": 1}));
    }
    assert_eq!(events().await, 1, "eight deliveries of one batch are one report");
    let miss = model::misses::entity::miss::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(miss.count, 1);

    // The same key for another batch is a mistake of the caller's: refused, nothing stored.
    let other = serde_json::json!({"misses": [{"question": "Do you lend to students?"}]});
    let r = post_with_key(&router, "/api/v1/misses", &bot, "batch-7f3a", &other).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert!(r.json["error"]["message"].as_str().unwrap().contains("another request"), "{}", r.json);
    for bad in ["with space", "中文", &"k".repeat(201)] {
        let r = post_with_key(&router, "/api/v1/misses", &bot, bad, &other).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}: {}", r.json);
    }
    assert_eq!(events().await, 1);
    // Without a key every delivery counts, as before.
    post(&router, "/api/v1/misses", &bot, batch.clone()).await;
    assert_eq!(events().await, 2);

    // An ask the bot misses, retried: the first answer again (same ask id), one ask, one miss.
    let before = (asks().await, events().await);
    let ask = serde_json::json!({"question": "Can I insure my bicycle with you?"});
    let replies = at_once(4, &router, "/api/v1/ask", &bot, "ask-1", &ask).await;
    assert_eq!(replies[0].json["outcome"], "miss", "{}", replies[0].json);
    for r in &replies {
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json["ask_id"], replies[0].json["ask_id"]);
    }
    assert_eq!((asks().await, events().await), (before.0 + 1, before.1 + 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_ask_queue_answers_503_with_retry_after_and_loses_nothing_accepted() {
    // Room for two questions waiting, taken one at a time: 24 customers at once overflow it.
    let batching = model::matching::Batching { queue: 2, max_batch_texts: 1, ..Default::default() };
    let (_dir, router, services, bot, _) = setup_with(batching).await;
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let (router, bot) = (router.clone(), bot.clone());
            tokio::spawn(async move {
                let body = serde_json::json!({"question": format!("my card has not arrived, order {i}")});
                let request = Request::builder()
                    .method("POST")
                    .uri("/api/v1/ask")
                    .header("content-type", "application/json")
                    .header("authorization", format!("Bearer {bot}"))
                    .body(Body::from(serde_json::to_vec(&body).unwrap()))
                    .unwrap();
                let response = router.oneshot(request).await.unwrap();
                let status = response.status();
                let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
                let bytes = response.into_body().collect().await.unwrap().to_bytes();
                (status, retry, serde_json::from_slice::<serde_json::Value>(&bytes).unwrap())
            })
        })
        .collect();
    let (mut answered, mut busy) = (Vec::new(), 0);
    for t in tasks {
        let (status, retry, json) = t.await.unwrap();
        match status {
            StatusCode::OK => answered.push(json["ask_id"].as_str().unwrap().to_string()),
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(json["error"]["code"], "busy", "{json}");
                let seconds: u64 = retry.expect("a Retry-After header").parse().unwrap();
                assert!(seconds >= 1, "{seconds}");
                busy += 1;
            }
            other => panic!("{other}: {json}"),
        }
    }
    assert!(busy > 0, "24 asks at once against room for 2");
    assert!(answered.len() >= 2, "{} answered", answered.len());
    // Every answered ask is logged, and only those.
    let logged: Vec<String> = model::matching::asks::entity::Entity::find()
        .all(&services.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.ask_id)
        .collect();
    answered.sort();
    let mut logged = logged;
    logged.sort();
    assert_eq!(logged, answered);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_points_stats_count_its_answers_and_a_thumbs_down_against_it() {
    let (_dir, router, _services, bot, lead) = setup().await;
    let mut answered = Vec::new();
    for q in
        ["my card has not arrived yet", "how long does card delivery take", "still waiting for my new card"]
    {
        let r = post(&router, "/api/v1/ask", &bot, serde_json::json!({"question": q})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        if r.json["outcome"] == "answered" {
            answered.push(r.json);
        }
    }
    assert!(answered.len() >= 2, "{answered:?}");
    let id = answered[0]["answer"]["knowledge_id"].as_str().unwrap().to_string();
    let mine = answered.iter().filter(|a| a["answer"]["knowledge_id"] == id.as_str()).count();
    let r = post(
        &router,
        "/api/v1/feedback",
        &bot,
        serde_json::json!({"ask_id": answered[0]["ask_id"], "helpful": false}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);

    let stats = get(&router, &format!("/api/v1/knowledge/{id}/stats?days=7"), &lead).await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.json);
    assert_eq!(stats.json["answered"], mine as u64);
    assert_eq!((stats.json["rated"].as_u64(), stats.json["unhelpful"].as_u64()), (Some(1), Some(1)));
    assert_eq!(stats.json["helpful_rate"], 0.0);
    assert!(stats.json["last_asked"].is_string());

    // Bots do not read it; a point that does not exist and a period out of range are refused.
    assert_eq!(
        get(&router, &format!("/api/v1/knowledge/{id}/stats"), &bot).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(get(&router, "/api/v1/knowledge/999999/stats", &lead).await.status, StatusCode::NOT_FOUND);
    let bad = get(&router, &format!("/api/v1/knowledge/{id}/stats?days=0"), &lead).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.json);
}
