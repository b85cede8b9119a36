//! The knowledge base services on a real SQLite file: lifecycle, locking, review, history,
//! categories, templates, search, import/export and the bot feed.

use migrations::{Migrator, MigratorTrait};
use model::knowledge::{categories, feed, points, queries, transfer, KnowledgeError};
use model::views::{Actor, Content, PointStatus, RevisionState, Role, Template};
use sea_orm::DatabaseConnection;

async fn db() -> (tempfile::TempDir, DatabaseConnection) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kb.db").display());
    let db = model::storage::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    (dir, db)
}

fn trainer() -> Actor {
    Actor::new("tina", Role::Trainer)
}
fn reviewer() -> Actor {
    Actor::new("rex", Role::Reviewer)
}

fn content(category_id: i32, q: &str, a: &str, p: &[&str]) -> Content {
    Content {
        category_id,
        question: q.into(),
        answer: a.into(),
        phrasings: p.iter().map(|s| s.to_string()).collect(),
        template_slot: None,
        ..Default::default()
    }
}

async fn module(db: &DatabaseConnection) -> i32 {
    let cards = categories::create(db, &trainer(), None, "Cards", None).await.unwrap();
    categories::create(db, &trainer(), Some(cards.id), "Delivery", Some(Template::Service)).await.unwrap().id
}

#[tokio::test]
async fn draft_review_publish_and_feed() {
    let (_dir, db) = db().await;
    let m = module(&db).await;
    let p = points::create(
        &db,
        &trainer(),
        content(m, "When will my card arrive?", "In 5 days.", &["card not here"]),
    )
    .await
    .unwrap();
    assert_eq!(p.status, PointStatus::Draft);
    assert!(p.published.is_none());
    assert_eq!(feed::since(&db, 0).await.unwrap().items.len(), 0, "drafts never reach bots");

    // A trainer cannot approve; a reviewer cannot approve what was not submitted.
    let e = points::approve(&db, &trainer(), p.id, p.version).await.unwrap_err();
    assert!(matches!(e, KnowledgeError::Refused(model::views::Problem::RoleNeeded { .. })), "{e}");
    assert!(matches!(
        points::approve(&db, &reviewer(), p.id, p.version).await,
        Err(KnowledgeError::Refused(model::views::Problem::NotInReview { .. }))
    ));

    let p = points::submit(&db, &trainer(), p.id, p.version).await.unwrap();
    assert_eq!(p.status, PointStatus::InReview);
    let queue = queries::review_queue(&db).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert!(queue[0].first_publication);

    let p = points::approve(&db, &reviewer(), p.id, p.version).await.unwrap();
    assert_eq!(p.status, PointStatus::Published);
    assert_eq!(p.published.as_ref().unwrap().reviewed_by.as_deref(), Some("rex"));
    let f = feed::since(&db, 0).await.unwrap();
    assert_eq!((f.revision, f.items.len()), (1, 1));
    assert_eq!(f.items[0].category, "Cards/Delivery");
    assert_eq!(f.items[0].phrasings, vec!["card not here"]);

    // An edit is a draft: bots keep the published answer until it is approved.
    let p = points::save(
        &db,
        &trainer(),
        p.id,
        p.version,
        content(m, "When will my card arrive?", "In 3 days.", &[]),
    )
    .await
    .unwrap();
    assert_eq!(p.status, PointStatus::Draft);
    assert_eq!(p.published.as_ref().unwrap().content.answer, "In 5 days.");
    assert_eq!(feed::since(&db, 1).await.unwrap().items.len(), 0);
    let p = points::submit(&db, &trainer(), p.id, p.version).await.unwrap();
    let queue = queries::review_queue(&db).await.unwrap();
    let d = &queue[0].diff;
    assert_eq!(d.fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["answer"]);
    assert_eq!(d.phrasings_removed, vec!["card not here"]);

    // Rejected with a comment, back to the author; the published answer stays.
    assert!(matches!(
        points::reject(&db, &reviewer(), p.id, p.version, " ").await,
        Err(KnowledgeError::Refused(model::views::Problem::CommentNeeded))
    ));
    let p = points::reject(&db, &reviewer(), p.id, p.version, "3 days only in the UK").await.unwrap();
    assert_eq!(p.status, PointStatus::Rejected);
    assert_eq!(p.head.review_comment.as_deref(), Some("3 days only in the UK"));
    assert_eq!(feed::since(&db, 0).await.unwrap().items[0].answer, "In 5 days.");

    // Archive: bots see a deletion at the next feed revision.
    let p = points::archive(&db, &reviewer(), p.id, p.version).await.unwrap();
    let f = feed::since(&db, 1).await.unwrap();
    assert_eq!(f.revision, 2);
    assert!(f.items[0].deleted);
    assert_eq!(p.status, PointStatus::Archived);
    // Every step was audited.
    let log = model::audit::for_target(&db, &format!("knowledge:{}", p.id)).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "knowledge.create",
            "knowledge.submit",
            "knowledge.publish",
            "knowledge.save",
            "knowledge.submit",
            "knowledge.reject",
            "knowledge.archive"
        ]
    );
}

#[tokio::test]
async fn a_stale_edit_is_refused_and_nothing_is_overwritten() {
    let (_dir, db) = db().await;
    let m = module(&db).await;
    let p = points::create(&db, &trainer(), content(m, "Q", "first", &[])).await.unwrap();
    let alice = Actor::new("alice", Role::Trainer);
    let bob = Actor::new("bob", Role::Trainer);
    // Both opened version 1; Alice saves first.
    points::save(&db, &alice, p.id, p.version, content(m, "Q", "alice's answer", &[])).await.unwrap();
    let e = points::save(&db, &bob, p.id, p.version, content(m, "Q", "bob's answer", &[])).await.unwrap_err();
    let KnowledgeError::Refused(stale @ model::views::Problem::Stale { .. }) = e else {
        panic!("expected a stale edit, got {e:?}")
    };
    let message = stale.to_string();
    assert!(message.contains("alice") && message.contains("Nothing was saved"), "{message}");
    let now = queries::detail(&db, p.id).await.unwrap();
    assert_eq!(now.head.content.answer, "alice's answer");
    assert_eq!(queries::history(&db, p.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn history_and_restore_as_a_new_draft() {
    let (_dir, db) = db().await;
    let m = module(&db).await;
    let p =
        points::create(&db, &trainer(), content(m, "套餐怎么改?", "拨打10086。", &["改套餐"])).await.unwrap();
    let p = points::save(
        &db,
        &trainer(),
        p.id,
        p.version,
        content(m, "套餐怎么改?", "在App里改。", &["改套餐", "换套餐"]),
    )
    .await
    .unwrap();
    let h = queries::history(&db, p.id).await.unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].revision.number, 2);
    assert_eq!(h[0].revision.state, RevisionState::Draft);
    assert_eq!(h[1].revision.state, RevisionState::Superseded);
    assert_eq!(h[0].changes.phrasings_added, vec!["换套餐"]);
    assert_eq!(h[0].changes.fields[0].field, "answer");

    let p = points::restore(&db, &trainer(), p.id, p.version, 1).await.unwrap();
    assert_eq!(p.head.number, 3);
    assert_eq!(p.head.content.answer, "拨打10086。");
    assert_eq!(p.head.note.as_deref(), Some("restored from revision 1"));
    // Restoring what is already current changes nothing.
    assert!(matches!(
        points::restore(&db, &trainer(), p.id, p.version, 3).await,
        Err(KnowledgeError::Refused(model::views::Problem::AlreadyCurrent { .. }))
    ));
}

#[tokio::test]
async fn bad_content_is_refused_and_nothing_is_written() {
    let (_dir, db) = db().await;
    let m = module(&db).await;
    let long = "x".repeat(5_001);
    for bad in [content(m, " ", "a", &[]), content(m, "q", &long, &[]), content(9_999, "q", "a", &[])] {
        assert!(points::create(&db, &trainer(), bad).await.is_err());
    }
    points::create(&db, &trainer(), content(m, "Same?", "a", &[])).await.unwrap();
    let e = points::create(&db, &trainer(), content(m, "Same?", "b", &[])).await.unwrap_err();
    assert!(matches!(e, KnowledgeError::Refused(model::views::Problem::DuplicateQuestion { .. })), "{e}");
    assert_eq!(queries::list(&db, &Default::default()).await.unwrap().len(), 1);
    let e = points::create(&db, &Actor::new("bot", Role::Bot), content(m, "q", "a", &[])).await.unwrap_err();
    assert!(matches!(e, KnowledgeError::Refused(model::views::Problem::RoleNeeded { .. })));
}

#[tokio::test]
async fn categories_rename_move_and_refuse_cycles() {
    let (_dir, db) = db().await;
    let t = trainer();
    let a = categories::create(&db, &t, None, "套餐资费", None).await.unwrap();
    let b = categories::create(&db, &t, Some(a.id), "5G套餐", Some(Template::Pricing)).await.unwrap();
    assert_eq!(b.path, "套餐资费/5G套餐");
    assert!(matches!(
        categories::create(&db, &t, Some(a.id), "5G套餐", None).await,
        Err(KnowledgeError::Refused(model::views::Problem::CategoryExists { .. }))
    ));
    assert!(categories::create(&db, &t, None, "a/b", None).await.is_err());
    let b = categories::update(&db, &t, b.id, Some("5G 套餐"), None, None).await.unwrap();
    assert_eq!(b.path, "套餐资费/5G 套餐");
    let e = categories::update(&db, &t, a.id, None, Some(Some(b.id)), None).await.unwrap_err();
    assert!(e.to_string().contains("under itself"), "{e}");
    let c = categories::create(&db, &t, None, "Other", None).await.unwrap();
    let b = categories::update(&db, &t, b.id, None, Some(Some(c.id)), Some(Some(Template::Promotion)))
        .await
        .unwrap();
    assert_eq!((b.path.as_str(), b.template), ("Other/5G 套餐", Some(Template::Promotion)));
    let tree = categories::tree(&db).await.unwrap();
    assert_eq!(
        tree.iter().map(|c| c.path.as_str()).collect::<Vec<_>>(),
        ["Other", "Other/5G 套餐", "套餐资费"]
    );
}

#[tokio::test]
async fn module_page_lists_published_points_and_missing_slots() {
    let (_dir, db) = db().await;
    let m = module(&db).await; // a service module
    let mut c = content(m, "How long does delivery take?", "3 to 5 working days.", &[]);
    c.template_slot = Some("time".into());
    let p = points::create(&db, &trainer(), c).await.unwrap();
    let p = points::submit(&db, &trainer(), p.id, p.version).await.unwrap();
    points::approve(&db, &reviewer(), p.id, p.version).await.unwrap();
    points::create(&db, &trainer(), content(m, "Can I track it?", "Not yet.", &[])).await.unwrap();
    let page = queries::module_page(&db, m).await.unwrap();
    assert_eq!(page.points.len(), 1);
    assert_eq!(page.unpublished.len(), 1);
    let filled: Vec<&str> =
        page.slots.iter().filter(|s| !s.filled_by.is_empty()).map(|s| s.key.as_str()).collect();
    assert_eq!(filled, ["time"]);
    assert_eq!(page.slots.len(), Template::Service.slots().len());
}

#[tokio::test]
async fn search_finds_chinese_and_english_in_any_field() {
    let (_dir, db) = db().await;
    let m = module(&db).await;
    points::create(&db, &trainer(), content(m, "宽带怎么报修?", "拨打客服热线。", &["网断了怎么办"]))
        .await
        .unwrap();
    points::create(&db, &trainer(), content(m, "Where is my card?", "It is on its way.", &["card delivery"]))
        .await
        .unwrap();
    let find = |text: &str| {
        let filter = queries::Filter { text: Some(text.into()), ..Default::default() };
        let db = db.clone();
        async move {
            queries::list(&db, &filter).await.unwrap().into_iter().map(|p| p.question).collect::<Vec<_>>()
        }
    };
    assert_eq!(find("报修").await, ["宽带怎么报修?"]);
    assert_eq!(find("网断").await, ["宽带怎么报修?"]);
    assert_eq!(find("CARD way").await, ["Where is my card?"]);
    assert!(find("mortgage").await.is_empty());
}

#[tokio::test]
async fn import_is_idempotent_reports_bad_lines_and_round_trips() {
    let (_dir, db) = db().await;
    let csv = "category,question,answer,phrasings\n\
               Cards/Delivery,Where is my card?,On its way.,card not arrived|still waiting for card\n\
               Cards/Delivery,,No question.,\n\
               \"Cards/Top up\",How do I top up?,\"In the app, under Top up.\",add money\n\
               Bad//Path,Q,A,\n\
               Cards/Delivery,too,few\n";
    let parsed = transfer::parse(transfer::Format::Csv, csv.as_bytes()).unwrap();
    // A trainer may not publish with an import.
    assert!(matches!(
        transfer::import(&db, &trainer(), parsed.clone(), true).await,
        Err(KnowledgeError::Refused(model::views::Problem::RoleNeeded { .. }))
    ));
    let r = transfer::import(&db, &reviewer(), parsed.clone(), true).await.unwrap();
    assert_eq!((r.created, r.updated), (2, 0));
    assert_eq!(r.errors.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 5, 6], "{:?}", r.errors);
    assert!(r.errors[0].message.contains("question is empty"));
    // The same file again changes nothing.
    let again = transfer::import(&db, &reviewer(), parsed, true).await.unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2));
    assert_eq!(feed::since(&db, 0).await.unwrap().items.len(), 2);

    // Export, change one answer, re-import as JSON: one update, as a draft for review.
    let exported = transfer::export(&db, transfer::Format::Json).await.unwrap();
    let text = String::from_utf8(exported).unwrap().replace("On its way.", "Arrives tomorrow.");
    let parsed = transfer::parse(transfer::Format::Json, text.as_bytes()).unwrap();
    let r = transfer::import(&db, &trainer(), parsed, false).await.unwrap();
    assert_eq!((r.created, r.updated, r.unchanged), (0, 1, 1));
    assert_eq!(
        queries::list(&db, &queries::Filter { status: Some(PointStatus::Draft), ..Default::default() })
            .await
            .unwrap()
            .len(),
        1
    );

    // JSON errors carry the line of the bad item.
    let json = "[\n {\"category\": \"A\", \"question\": \"q\", \"answer\": \"a\"},\n {\"category\": \"A\", \"question\": 5}\n]";
    let (rows, errors) = transfer::parse(transfer::Format::Json, json.as_bytes()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(errors[0].line, 3);
    assert!(transfer::parse(transfer::Format::Json, b"{}").is_err());
    assert!(transfer::parse(transfer::Format::Csv, b"q,a\n").is_err());
    assert!(transfer::parse(transfer::Format::Csv, b"\xff\xfe").is_err());
}
