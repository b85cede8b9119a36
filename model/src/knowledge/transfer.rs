//! Import and export of knowledge in the JSON and CSV formats of the HTTP API. Imports are
//! idempotent on (category, question); a bad row is reported with its line and skipped, the
//! good rows are written together in one transaction.

use std::path::Path;

use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::categories::{self, Tree};
use super::entity::point;
use super::points::{content_of, create_in, find_by_question, publish_in, save_in};
use super::queries::revisions_by_id;
use super::{normalize, require, KnowledgeError, Result};
use crate::views::Problem;
use crate::views::{Actor, Content, ImportReport, LineError, PointStatus, Role};

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub category: String,
    pub question: String,
    pub answer: String,
    #[serde(default)]
    pub phrasings: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_slot: Option<String>,
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

const CSV_HEADER: [&str; 4] = ["category", "question", "answer", "phrasings"];

fn parse_csv(text: &str) -> Result<Parsed> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| {
            KnowledgeError::from(Problem::CsvHeader { expected: CSV_HEADER.join(","), found: e.to_string() })
        })?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if header != CSV_HEADER {
        return Err(Problem::CsvHeader { expected: CSV_HEADER.join(","), found: header.join(",") }.into());
    }
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map(|p| p.line() as usize).unwrap_or(0);
                if r.len() != 4 {
                    errors.push(LineError::new(line, Problem::FieldCount { expected: 4, found: r.len() }));
                    continue;
                }
                let phrasings =
                    r[3].split('|').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect();
                rows.push((
                    line,
                    Row {
                        category: r[0].to_string(),
                        question: r[1].to_string(),
                        answer: r[2].to_string(),
                        phrasings,
                        template_slot: None,
                    },
                ));
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                errors.push(LineError::new(line, Problem::BadRow { detail: e.to_string() }));
            }
        }
    }
    Ok((rows, errors))
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
    })?;
    let category_id = categories::ensure_path(db, actor, row.category.trim()).await?;
    let content = Content { category_id, ..content };
    let outcome = match find_by_question(db, category_id, &content.question).await? {
        Some(existing) => {
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
            for r in &rows {
                w.write_record([&r.category, &r.question, &r.answer, &r.phrasings.join("|")]).map_err(io)?;
            }
            w.into_inner().map_err(|e| KnowledgeError::Export(e.to_string()))
        }
    }
}
