//! The dictionary as CSV: `canonical,variants`, variants separated by `|` (as a point's
//! phrasings are). An import proposes drafts for review — a new canonical term adds an entry, a
//! known one replaces that entry's variants — and is all or nothing: one bad line and nothing
//! is proposed.

use sea_orm::{TransactionSession, TransactionTrait};

use super::{check, fold, normalize, published, require, with_drafts, Pending, Result};
use crate::knowledge::KnowledgeError;
use crate::views::{Actor, ImportReport, LineError, Problem, Role, SynonymEntry, SynonymProposal};

const HEADER: [&str; 2] = ["canonical", "variants"];

/// The published dictionary as CSV.
pub async fn export_csv(db: &impl sea_orm::ConnectionTrait) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| KnowledgeError::Export(e.to_string());
    w.write_record(HEADER).map_err(io)?;
    for e in published(db).await? {
        w.write_record([e.canonical.as_str(), e.variants.join("|").as_str()]).map_err(io)?;
    }
    let bytes = w.into_inner().map_err(|e| KnowledgeError::Export(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| KnowledgeError::Export(e.to_string()))
}

fn parse(text: &str) -> Result<(Vec<(usize, SynonymEntry)>, Vec<LineError>)> {
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Problem::CsvHeader { expected: HEADER.join(","), found: e.to_string() })?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if header != HEADER {
        return Err(Problem::CsvHeader { expected: HEADER.join(","), found: header.join(",") }.into());
    }
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map(|p| p.line() as usize).unwrap_or(0);
                if r.len() != HEADER.len() {
                    errors.push(LineError::new(
                        line,
                        Problem::FieldCount { expected: HEADER.len(), found: r.len() },
                    ));
                    continue;
                }
                let entry = SynonymEntry {
                    canonical: r[0].to_string(),
                    variants: r[1].split('|').map(str::to_string).collect(),
                };
                match normalize(entry) {
                    Ok(e) => rows.push((line, e)),
                    Err(p) => errors.push(LineError::new(line, p)),
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

/// Proposes the file's entries as drafts. With any line in error nothing is proposed and the
/// report lists the errors; a dictionary conflict is refused as a whole.
pub async fn import_csv(db: &impl TransactionTrait, actor: &Actor, text: &str) -> Result<ImportReport> {
    require(actor, Role::Trainer, "changing synonyms")?;
    let (rows, errors) = parse(text)?;
    let mut report = ImportReport { errors, ..Default::default() };
    if !report.errors.is_empty() {
        return Ok(report);
    }
    let txn = crate::storage::write(db).await?;
    let mut pending = Pending::load(&txn).await?;
    for (_, entry) in rows {
        let (id, same) = match pending.entry_named(&entry.canonical) {
            Some(e) => {
                let mut now: Vec<String> = super::variants_of(&e.variants).iter().map(|v| fold(v)).collect();
                let mut new: Vec<String> = entry.variants.iter().map(|v| fold(v)).collect();
                now.sort();
                new.sort();
                (Some(e.id), now == new && e.canonical == entry.canonical)
            }
            None => (None, false),
        };
        if same {
            report.unchanged += 1;
            continue;
        }
        let proposal =
            SynonymProposal { id, canonical: entry.canonical, variants: entry.variants, remove: false };
        pending.propose(&txn, actor, proposal).await?;
        if id.is_some() {
            report.updated += 1;
        } else {
            report.created += 1;
        }
    }
    check(&with_drafts(&pending.entries, &pending.drafts))?;
    txn.commit().await?;
    Ok(report)
}
