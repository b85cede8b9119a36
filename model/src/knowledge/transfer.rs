//! Import and export of knowledge in the JSON and CSV formats of the HTTP API. Imports are
//! idempotent on (category, question); a bad row is reported with its line and skipped, the
//! good rows are written together in one transaction.

use std::path::Path;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::categories::{self, Tree};
use super::entity::point;
use super::points::{content_of, create_in, find_by_question, publish_in, save_in};
use super::queries::revisions_by_id;
use super::{normalize, require, KnowledgeError, Result};
use crate::views::Problem;
use crate::views::{Actor, Channel, ChannelAnswers, Content, ImportReport, LineError, PointStatus, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    /// From a file name: `.csv` is CSV, `.json` is JSON.
    pub fn from_path(path: &Path) -> Result<Format> {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => Ok(Format::Csv),
            Some("json") => Ok(Format::Json),
            _ => Err(Problem::UnknownFileFormat { name: path.display().to_string() }.into()),
        }
    }

    /// From the body itself: a JSON array starts with `[`.
    pub fn sniff(body: &[u8]) -> Format {
        match body.iter().find(|b| !b.is_ascii_whitespace() && **b != 0xef && **b != 0xbb && **b != 0xbf) {
            Some(b'[') => Format::Json,
            _ => Format::Csv,
        }
    }
}

/// One row of an import file, as written.
// The API's `KnowledgeRow` (server/src/api/knowledge.rs adjusts this schema to the contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Row {
    #[cfg_attr(feature = "openapi", schema(examples("Cards/Delivery")))]
    pub category: String,
    pub question: String,
    pub answer: String,
    #[serde(default)]
    pub phrasings: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_slot: Option<String>,
    /// Answer variants by channel (`{"online": …, "hotline": …}`).
    #[serde(default, skip_serializing_if = "ChannelAnswers::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::views::openapi::ChannelAnswersSchema, inline))]
    pub answers: ChannelAnswers,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime<Utc>>,
    /// Questions the point must not answer; left out (an older file), a known point keeps its own.
    // Contract as documented: an array, never null.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub counter_examples: Option<Vec<String>>,
}

/// Rows with the line each starts on, and the lines that could not be read.
pub type Parsed = (Vec<(usize, Row)>, Vec<LineError>);

/// Reads a whole file. A file that is not one of the formats at all is an error; a bad row is
/// reported in the second list.
pub fn parse(format: Format, body: &[u8]) -> Result<Parsed> {
    let text = std::str::from_utf8(body)
        .map_err(|e| KnowledgeError::from(Problem::NotUtf8 { byte: e.valid_up_to() }))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match format {
        Format::Json => parse_json(text),
        Format::Csv => parse_csv(text),
    }
}

fn parse_json(text: &str) -> Result<Parsed> {
    let items: Vec<&RawValue> = serde_json::from_str(text)
        .map_err(|e| KnowledgeError::from(Problem::NotJsonArray { detail: e.to_string() }))?;
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for item in items {
        let offset = item.get().as_ptr() as usize - text.as_ptr() as usize;
        let line = text[..offset].matches('\n').count() + 1;
        match serde_json::from_str::<Row>(item.get()) {
            Ok(row) => rows.push((line, row)),
            Err(e) => {
                errors.push(LineError::new(line, Problem::BadRow { detail: strip_position(&e.to_string()) }))
            }
        }
    }
    Ok((rows, errors))
}

/// serde_json's position is relative to the item; the line we report is the file's.
fn strip_position(message: &str) -> String {
    message.split(" at line ").next().unwrap_or(message).to_string()
}

/// The CSV columns, in the order an export writes them. An import needs `category`,
/// `question` and `answer`; the others may be left out (an older export has the first four).
const CSV_HEADER: [&str; 10] = [
    "category",
    "question",
    "answer",
    "phrasings",
    "answer_bot",
    "answer_online",
    "answer_hotline",
    "valid_from",
    "valid_until",
    "counter_examples",
];
const CSV_REQUIRED: usize = 3;

fn parse_csv(text: &str) -> Result<Parsed> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let bad_header =
        |found: String| KnowledgeError::from(Problem::CsvHeader { expected: CSV_HEADER.join(","), found });
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad_header(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    // Where each known column is in this file.
    let mut at = [None; CSV_HEADER.len()];
    for (i, name) in header.iter().enumerate() {
        match CSV_HEADER.iter().position(|c| c == name) {
            Some(c) if at[c].is_none() => at[c] = Some(i),
            _ => return Err(bad_header(header.join(","))),
        }
    }
    if at[..CSV_REQUIRED].iter().any(Option::is_none) {
        return Err(bad_header(header.join(",")));
    }
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map(|p| p.line() as usize).unwrap_or(0);
                if r.len() != header.len() {
                    let problem = Problem::FieldCount { expected: header.len(), found: r.len() };
                    errors.push(LineError::new(line, problem));
                    continue;
                }
                match csv_row(&r, &at) {
                    Ok(row) => rows.push((line, row)),
                    Err(problem) => errors.push(LineError::new(line, problem)),
                }
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                errors.push(LineError::new(line, Problem::BadRow { detail: e.to_string() }));
            }
        }
    }
    Ok((rows, errors))
}

fn csv_row(r: &csv::StringRecord, at: &[Option<usize>; CSV_HEADER.len()]) -> Result<Row, Problem> {
    let cell = |c: usize| at[c].map_or("", |i| &r[i]);
    let time = |c: usize| -> Result<Option<DateTime<Utc>>, Problem> {
        match cell(c).trim() {
            "" => Ok(None),
            t => DateTime::parse_from_rfc3339(t).map(|t| Some(t.with_timezone(&Utc))).map_err(|_| {
                Problem::BadRow { detail: format!("{}: {t:?} is not an RFC 3339 time", CSV_HEADER[c]) }
            }),
        }
    };
    let list = |c: usize| -> Vec<String> {
        cell(c).split('|').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
    };
    let mut answers = ChannelAnswers::new();
    for (c, channel) in [(4, Channel::Bot), (5, Channel::Online), (6, Channel::Hotline)] {
        if !cell(c).trim().is_empty() {
            answers.insert(channel, cell(c).to_string());
        }
    }
    Ok(Row {
        category: cell(0).to_string(),
        question: cell(1).to_string(),
        answer: cell(2).to_string(),
        phrasings: list(3),
        template_slot: None,
        answers,
        valid_from: time(7)?,
        valid_until: time(8)?,
        counter_examples: at[9].map(|_| list(9)),
    })
}

enum Outcome {
    Created(i32),
    Updated(i32),
    Unchanged(i32),
}

/// Writes the parsed rows: new (category, question) pairs become knowledge points, known
/// ones get a new revision when their content differs. With `publish` (reviewer or above)
/// the result goes live at once; without, it waits as drafts.
pub async fn import(
    db: &DatabaseConnection,
    actor: &Actor,
    parsed: Parsed,
    publish: bool,
) -> Result<ImportReport> {
    require(actor, Role::Trainer, "importing knowledge")?;
    if publish {
        require(actor, Role::Reviewer, "importing with publish")?;
    }
    let (rows, mut errors) = parsed;
    let mut report = ImportReport::default();
    let txn = crate::storage::write(db).await?;
    for (line, row) in rows {
        match import_row(&txn, actor, row, publish).await {
            Ok(outcome) => {
                let id = match outcome {
                    Outcome::Created(id) => {
                        report.created += 1;
                        id
                    }
                    Outcome::Updated(id) => {
                        report.updated += 1;
                        id
                    }
                    Outcome::Unchanged(id) => {
                        report.unchanged += 1;
                        id
                    }
                };
                if publish {
                    report.published.push(id);
                }
            }
            Err(KnowledgeError::Refused(p)) => errors.push(LineError::new(line, p)),
            Err(e) => return Err(e),
        }
    }
    txn.commit().await?;
    errors.sort_by_key(|e| e.line);
    report.errors = errors;
    tracing::info!(
        actor = %actor.name,
        created = report.created,
        updated = report.updated,
        unchanged = report.unchanged,
        errors = report.errors.len(),
        publish,
        "knowledge imported"
    );
    Ok(report)
}

async fn import_row(db: &impl ConnectionTrait, actor: &Actor, row: Row, publish: bool) -> Result<Outcome> {
    // Check the content before creating categories, so a bad row leaves nothing behind.
    let content = normalize(Content {
        category_id: 0,
        question: row.question,
        answer: row.answer,
        phrasings: row.phrasings,
        template_slot: row.template_slot,
        answers: row.answers,
        valid_from: row.valid_from,
        valid_until: row.valid_until,
        related: Vec::new(),
        counter_examples: row.counter_examples.clone().unwrap_or_default(),
    })?;
    let category_id = categories::ensure_path(db, actor, row.category.trim()).await?;
    let content = Content { category_id, ..content };
    let outcome = match find_by_question(db, category_id, &content.question).await? {
        Some(existing) => {
            // Files carry no related points (ids are this knowledge base's): keep the point's;
            // and its counter-examples when the file has none to say.
            let head = content_of(&super::store::head(db, &existing).await?);
            let counter_examples = match row.counter_examples {
                Some(_) => content.counter_examples.clone(),
                None => head.counter_examples,
            };
            let content = Content { related: head.related, counter_examples, ..content };
            let changed = save_in(
                db,
                actor,
                existing.id,
                None,
                content,
                Some(&crate::views::RevisionNote::Imported.to_string()),
            )
            .await?;
            if publish {
                publish_in(db, actor, existing.id).await?;
            }
            if changed {
                Outcome::Updated(existing.id)
            } else {
                Outcome::Unchanged(existing.id)
            }
        }
        None => {
            let id = create_in(db, actor, content).await?;
            if publish {
                publish_in(db, actor, id).await?;
            }
            Outcome::Created(id)
        }
    };
    Ok(outcome)
}

/// The published knowledge (archived points left out), by category then question: what
/// `import --publish` turns back into the same knowledge base.
pub async fn export(db: &impl ConnectionTrait, format: Format) -> Result<Vec<u8>> {
    use sea_orm::ColumnTrait;
    let tree = Tree::load(db).await?;
    let live = point::Entity::find()
        .filter(point::Column::Status.ne(PointStatus::Archived))
        .filter(point::Column::PublishedRevisionId.is_not_null())
        .all(db)
        .await?;
    let revisions = revisions_by_id(db, live.iter().filter_map(|p| p.published_revision_id)).await?;
    let mut rows: Vec<Row> = revisions
        .values()
        .map(|r| {
            let c = content_of(r);
            Row {
                category: tree.path(c.category_id),
                question: c.question,
                answer: c.answer,
                phrasings: c.phrasings,
                template_slot: c.template_slot,
                answers: c.answers,
                valid_from: c.valid_from,
                valid_until: c.valid_until,
                // Left out when there are none: an export stays as it was for points without.
                counter_examples: Some(c.counter_examples).filter(|c| !c.is_empty()),
            }
        })
        .collect();
    rows.sort_by(|a, b| (&a.category, &a.question).cmp(&(&b.category, &b.question)));
    match format {
        Format::Json => serde_json::to_vec_pretty(&rows).map_err(|e| KnowledgeError::Export(e.to_string())),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let io = |e: csv::Error| KnowledgeError::Export(e.to_string());
            w.write_record(CSV_HEADER).map_err(io)?;
            let time = |t: Option<DateTime<Utc>>| {
                t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default()
            };
            for r in &rows {
                let variant = |c: Channel| r.answers.get(&c).cloned().unwrap_or_default();
                w.write_record([
                    r.category.clone(),
                    r.question.clone(),
                    r.answer.clone(),
                    r.phrasings.join("|"),
                    variant(Channel::Bot),
                    variant(Channel::Online),
                    variant(Channel::Hotline),
                    time(r.valid_from),
                    time(r.valid_until),
                    r.counter_examples.as_deref().unwrap_or_default().join("|"),
                ])
                .map_err(io)?;
            }
            w.into_inner().map_err(|e| KnowledgeError::Export(e.to_string()))
        }
    }
}
