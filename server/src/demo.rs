//! `botcoach demo`: loads the demo knowledge bases (English from Banking77, Chinese for a
//! telecom operator), marks the telecom modules' templates, and makes one user per role plus a
//! bot token. Credentials are generated once, kept in a 0600 file beside the database and
//! printed every time, so the command can be run again safely.

use std::path::{Path, PathBuf};

use anyhow::Context;
use model::accounts::{tokens, users, Role};
use model::knowledge::{categories, transfer};
use model::views::{Actor, Template};
use sea_orm::DatabaseConnection;

use crate::config::Config;

const FILES: [&str; 2] = ["banking77-en.csv", "telecom-zh.json"];

/// Modules of the telecom demo and the template each follows.
const TEMPLATES: [(&str, Template); 5] = [
    ("套餐资费/5G套餐", Template::Pricing),
    ("优惠活动/新春特惠", Template::Promotion),
    ("宽带业务/宽带新装", Template::Product),
    ("业务办理/补换卡", Template::Service),
    ("账单与缴费/计费规则调整", Template::Update),
];

/// Questions the demo bot "failed on", so the inbox has work in it.
const MISSES: &str = "misses.csv";
/// Two weeks of questions asked, so the dashboard has a history.
const TRAFFIC: &str = "traffic.csv";
/// Answers customers rejected (👎 or a handoff, some with the agent's reply), each after an
/// earlier turn of its session: what the inbox's "What went wrong" shows.
const REJECTED: &str = "rejected.csv";

const USERS: [(&str, Role); 4] = [
    ("trainer", Role::Trainer),
    ("reviewer", Role::Reviewer),
    ("supervisor", Role::Supervisor),
    ("admin", Role::Admin),
];

pub async fn load(config: &Config, dir: &Path) -> anyhow::Result<()> {
    let db = crate::accounts::migrated_database(config).await?;
    let actor = Actor::new("demo", Role::Admin);
    for file in FILES {
        let path = dir.join(file);
        let body =
            std::fs::read(&path).with_context(|| format!("cannot read the demo file {}", path.display()))?;
        let parsed = transfer::parse(transfer::Format::from_path(&path)?, &body)?;
        let report = transfer::import(&db, &actor, parsed, true).await?;
        anyhow::ensure!(report.errors.is_empty(), "demo file {file} has bad rows: {:?}", report.errors);
        tracing::info!(
            file,
            created = report.created,
            updated = report.updated,
            unchanged = report.unchanged,
            "demo knowledge loaded"
        );
    }
    let tree = categories::tree(&db).await?;
    for (path, template) in TEMPLATES {
        let node =
            tree.iter().find(|c| c.path == path).with_context(|| format!("demo module {path} is missing"))?;
        if node.template != Some(template) {
            categories::update(&db, &actor, node.id, None, None, Some(Some(template))).await?;
        }
    }
    let masker = config.privacy.masker()?;
    seed_misses(&db, &masker, &dir.join(MISSES)).await?;
    replay_traffic(config, &db, &dir.join(TRAFFIC)).await?;
    replay_rejected(config, &db, &dir.join(REJECTED)).await?;
    let credentials = credentials(config, &db).await?;
    println!("{credentials}");
    Ok(())
}

/// Reports the demo misses once (the server groups them when it starts); a second run leaves
/// the inbox as it is.
async fn seed_misses(
    db: &DatabaseConnection,
    masker: &model::privacy::Masker,
    file: &Path,
) -> anyhow::Result<()> {
    use model::misses::{self, entity::miss, Report};
    use sea_orm::{EntityTrait, PaginatorTrait};
    if miss::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let mut reports = Vec::new();
    let mut reader = csv::Reader::from_path(file)
        .with_context(|| format!("cannot read the demo file {}", file.display()))?;
    for row in reader.records() {
        let row = row?;
        let miss =
            misses::External { channel: Some(row[1].to_string()), ..misses::External::question(&row[0]) };
        let report = Report::external(masker, miss, now)
            .map_err(|e| anyhow::anyhow!("demo miss {:?}: {e}", &row[0]))?;
        reports.push(report);
    }
    misses::record(db, &reports).await?;
    tracing::info!(misses = reports.len(), "demo misses reported");
    Ok(())
}

/// Asks the demo questions once through the real matcher (logged, misses recorded as the bot
/// decides), then dates each ask, and the reports it made, back by its `days_ago`. A second
/// run leaves the history as it is.
async fn replay_traffic(config: &Config, db: &DatabaseConnection, file: &Path) -> anyhow::Result<()> {
    use model::matching::asks::entity as asks;
    use model::matching::{AskRequest, Matcher};
    use model::misses::entity::event;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
    if asks::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let mut rows = Vec::new();
    let mut reader = csv::Reader::from_path(file)
        .with_context(|| format!("cannot read the demo file {}", file.display()))?;
    for row in reader.records() {
        let row = row?;
        let days: i64 = row[2].parse().with_context(|| format!("bad days_ago in {}", file.display()))?;
        let channel = serde_json::from_value(serde_json::json!(&row[1]))
            .with_context(|| format!("bad channel {:?} in {}", &row[1], file.display()))?;
        rows.push((row[0].to_string(), channel, days));
    }
    let embedder: std::sync::Arc<dyn model::Embedder> = crate::startup::load_embedder(config).await?;
    let matcher = Matcher::load(db.clone(), embedder, config.matching).await?;
    let now = chrono::Utc::now();
    for (i, (question, channel, days)) in rows.iter().enumerate() {
        let r = matcher
            .ask(AskRequest {
                question: question.clone(),
                channel: *channel,
                session_id: None,
                dry_run: false,
            })
            .await?;
        // Spread over office hours of that (UTC) day, in order, so each day reads like a day.
        let midnight = (now - chrono::Duration::days(*days))
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc();
        let at = midnight + chrono::Duration::hours(8) + chrono::Duration::minutes((i % 12) as i64 * 37);
        asks::Entity::update_many()
            .col_expr(asks::Column::CreatedAt, Expr::value(at))
            .filter(asks::Column::AskId.eq(r.ask_id.as_str()))
            .exec(db)
            .await?;
        event::Entity::update_many()
            .col_expr(event::Column::OccurredAt, Expr::value(at))
            .col_expr(event::Column::ReceivedAt, Expr::value(at))
            .filter(event::Column::AskId.eq(r.ask_id.as_str()))
            .exec(db)
            .await?;
    }
    db.execute_unprepared(
        "UPDATE misses SET first_seen_at = (SELECT MIN(e.occurred_at) FROM miss_events e WHERE e.miss_id = misses.id), \
         last_seen_at = (SELECT MAX(e.occurred_at) FROM miss_events e WHERE e.miss_id = misses.id) \
         WHERE EXISTS (SELECT 1 FROM miss_events e WHERE e.miss_id = misses.id)",
    )
    .await?;
    tracing::info!(asks = rows.len(), "demo traffic replayed");
    Ok(())
}

/// Asks each rejected question through the real matcher in a session of its own (after its
/// earlier turn, if any), then rejects the answer as the bot would report it: a 👎, or a handoff
/// with what the agent replied. A second run leaves them as they are.
async fn replay_rejected(config: &Config, db: &DatabaseConnection, file: &Path) -> anyhow::Result<()> {
    use model::matching::{AskRequest, Feedback, Matcher};
    use model::misses::entity::event;
    use model::views::{Channel, Signal};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let rejected = [Signal::NegativeFeedback, Signal::Handoff];
    if event::Entity::find().filter(event::Column::Signal.is_in(rejected)).count(db).await? > 0 {
        return Ok(());
    }
    let mut reader = csv::Reader::from_path(file)
        .with_context(|| format!("cannot read the demo file {}", file.display()))?;
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    let embedder: std::sync::Arc<dyn model::Embedder> = crate::startup::load_embedder(config).await?;
    let matcher = Matcher::load(db.clone(), embedder, config.matching).await?;
    matcher.set_masker(config.privacy.masker()?);
    for (i, row) in rows.iter().enumerate() {
        let channel: Channel = serde_json::from_value(serde_json::json!(&row[1]))
            .with_context(|| format!("bad channel {:?} in {}", &row[1], file.display()))?;
        let session = Some(format!("demo-rejected-{i}"));
        let ask = |question: &str| AskRequest {
            question: question.to_string(),
            channel,
            session_id: session.clone(),
            dry_run: false,
        };
        if !row[2].is_empty() {
            matcher.ask(ask(&row[2])).await?;
        }
        let answered = matcher.ask(ask(&row[0])).await?;
        matcher
            .feedback(Feedback {
                ask_id: answered.ask_id,
                helpful: false,
                handoff: &row[3] == "true",
                chosen_knowledge_id: None,
                agent_answer: Some(row[4].to_string()).filter(|a| !a.is_empty()),
            })
            .await?;
    }
    tracing::info!(rejected = rows.len(), "demo rejected answers replayed");
    Ok(())
}

/// Creates the demo accounts the first time and returns what to print.
async fn credentials(config: &Config, db: &DatabaseConnection) -> anyhow::Result<String> {
    let file = credentials_file(config);
    if file.exists() {
        return std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()));
    }
    let mut out = String::from("Demo accounts (sign in at the address botcoach serves):\n");
    for (name, role) in USERS {
        if users::find(db, name).await?.is_some() {
            out.push_str(&format!(
                "  {name:<11} {:<11} (existed before; password unchanged)\n",
                role.as_str()
            ));
            continue;
        }
        let password = tokens::random_password()?;
        users::add(db, name, &password, role).await?;
        out.push_str(&format!("  {name:<11} {:<11} password {password}\n", role.as_str()));
    }
    let token = tokens::create(db, "demo-bot", Role::Bot).await?;
    out.push_str(&format!("Bot API token: {token}\n"));
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    write_private(&file, &out)?;
    Ok(out)
}

/// Beside an SQLite database file, else in the working directory.
fn credentials_file(config: &Config) -> PathBuf {
    let url = &config.database_url;
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|p| p.split('?').next().unwrap_or(p));
    match path.map(Path::new).and_then(Path::parent) {
        Some(dir) => dir.join("demo-credentials.txt"),
        None => PathBuf::from("demo-credentials.txt"),
    }
}

fn write_private(file: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(file).with_context(|| format!("cannot write {}", file.display()))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}
