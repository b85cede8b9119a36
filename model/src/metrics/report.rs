//! Voice of the customer: the period's top topics — inbox groups by the volume of their reports
//! and its growth over the period before — with example questions and their share of traffic,
//! as Markdown or CSV, in English or Chinese.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::{get, rows, MetricsError, Period, Result};
use crate::inbox::entity::cluster;
use crate::misses::entity::miss;
use crate::storage::sql::Sql;
use crate::views::{HealthFilter, HealthSort};

/// Example questions per topic.
const EXAMPLES: usize = 3;
/// Weakest points in the report.
const WEAKEST: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl std::str::FromStr for Lang {
    type Err = MetricsError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "en" => Ok(Lang::En),
            "zh" => Ok(Lang::Zh),
            other => Err(unknown("language", other, "en, zh")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Csv,
}

impl std::str::FromStr for Format {
    type Err = MetricsError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "md" | "markdown" => Ok(Format::Markdown),
            "csv" => Ok(Format::Csv),
            other => Err(unknown("format", other, "md, csv")),
        }
    }
}

fn unknown(what: &str, value: &str, expected: &str) -> MetricsError {
    Problem::Unknown { what: what.into(), value: value.into(), expected: expected.into() }.into()
}

use crate::views::Problem;
pub use crate::views::{VocReport as Report, VocTopic as Topic};

/// The `limit` topics with the most reports in the last `days` days, the fastest growing first
/// among equals.
pub async fn topics(db: &DatabaseConnection, days: u32, limit: usize) -> Result<Report> {
    let period = Period { days, channel: None };
    period.check()?;
    let since = period.since(Utc::now());
    let before = since - Duration::days(i64::from(days));
    let b = db.get_database_backend();
    let mut sql = Sql::new(b);
    sql.push("SELECT m.cluster_id AS cluster_id, COALESCE(SUM(CASE WHEN e.occurred_at >= ")
        .bind(since)
        .push(" THEN 1 ELSE 0 END), 0) AS volume, COUNT(*) AS total FROM misses m JOIN miss_events e ON e.miss_id = m.id ")
        .push("WHERE m.cluster_id IS NOT NULL AND e.occurred_at >= ")
        .bind(before)
        .push(" GROUP BY m.cluster_id");
    let mut found: Vec<(i64, i64, i64)> = Vec::new();
    for r in rows(db, &sql).await? {
        let (id, volume, total): (i64, i64, i64) =
            (get(&r, "cluster_id")?, get(&r, "volume")?, get(&r, "total")?);
        if volume > 0 {
            found.push((id, volume, total - volume));
        }
    }
    // Growth breaks ties: a topic new this period outranks one as big that was there before.
    found.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0)));
    found.truncate(limit);
    let mut sql = Sql::new(b);
    sql.push("SELECT COUNT(*) AS n FROM asks WHERE created_at >= ").bind(since);
    let asks: i64 = rows(db, &sql).await?.first().map(|r| get(r, "n")).unwrap_or(Ok(0))?;
    let reports: i64 = found.iter().map(|f| f.1).sum();
    let traffic = if asks > 0 { asks } else { reports.max(1) };
    let mut topics = Vec::with_capacity(found.len());
    for (id, volume, previous) in found {
        let Some(c) = cluster::Entity::find_by_id(id).one(db).await? else { continue };
        let examples = miss::Entity::find()
            .filter(miss::Column::ClusterId.eq(id))
            .order_by_desc(miss::Column::Count)
            .order_by_asc(miss::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .take(EXAMPLES)
            .map(|m| m.question)
            .collect();
        topics.push(Topic {
            cluster_id: id.to_string(),
            status: c.status,
            label: c.label,
            volume,
            previous,
            share: volume as f64 / traffic as f64,
            examples,
        });
    }
    let weakest = crate::health::health_list(
        db,
        &crate::health::HealthQuery {
            days,
            sort: HealthSort::HelpfulRate,
            descending: false,
            filter: HealthFilter::NeedsWork,
            page: 1,
        },
        Utc::now(),
    )
    .await?
    .rows
    .into_iter()
    .take(WEAKEST)
    .collect();
    Ok(Report { days, since, asks, topics, weakest })
}

fn growth(t: &Topic, lang: Lang) -> String {
    if t.previous == 0 {
        return match lang {
            Lang::En => "new".into(),
            Lang::Zh => "新出现".into(),
        };
    }
    format!("{:+.0}%", 100.0 * (t.volume - t.previous) as f64 / t.previous as f64)
}

fn headings(lang: Lang) -> [&'static str; 6] {
    match lang {
        Lang::En => ["Topic", "Reports", "Before", "Growth", "Share of traffic", "Example questions"],
        Lang::Zh => ["话题", "次数", "上期", "增长", "占流量", "问题示例"],
    }
}

pub fn render(report: &Report, format: Format, lang: Lang) -> Result<String> {
    match format {
        Format::Markdown => Ok(markdown(report, lang)),
        Format::Csv => csv(report, lang),
    }
}

/// The weakest points' section of the Markdown report (the CSV keeps one row per topic).
fn weakest(report: &Report, lang: Lang, cell: impl Fn(&str) -> String) -> String {
    if report.weakest.is_empty() {
        return String::new();
    }
    let (title, h) = match lang {
        Lang::En => ("\n## Weakest knowledge points\n\nPublished points customers rated down or left for an agent, least helpful first.\n\n",
            ["Question", "Answered", "Helpful", "Handoffs"]),
        Lang::Zh => ("\n## 效果最差的知识点\n\n客户点踩或转人工较多的已发布知识点，有帮助率最低的在前。\n\n",
            ["问题", "回答次数", "有帮助率", "转人工"]),
    };
    let mut out = format!("{title}| # | {} |\n| ---: | --- | ---: | ---: | ---: |\n", h.join(" | "));
    for (i, p) in report.weakest.iter().enumerate() {
        let rate = p.helpful_rate.map(|r| format!("{:.0}%", 100.0 * r)).unwrap_or_else(|| "–".into());
        out.push_str(&format!(
            "| {} | {} | {} | {rate} | {} |\n",
            i + 1,
            cell(&p.question),
            p.answered,
            p.handoffs
        ));
    }
    out
}

fn markdown(report: &Report, lang: Lang) -> String {
    let title = match lang {
        Lang::En => format!(
            "# What customers asked about: the {} days from {}\n\n{} asks; the topics the bot could not answer, most reported first.\n\n",
            report.days,
            report.since.format("%Y-%m-%d"),
            report.asks
        ),
        Lang::Zh => format!(
            "# 客户之声：自 {} 起的 {} 天\n\n共 {} 次提问；以下是机器人未能回答的话题，按次数排序。\n\n",
            report.since.format("%Y-%m-%d"),
            report.days,
            report.asks
        ),
    };
    let h = headings(lang);
    let mut out = title;
    out.push_str(&format!("| # | {} |\n| ---: | --- | ---: | ---: | ---: | ---: | --- |\n", h.join(" | ")));
    let cell = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('|', "\\|")
            .replace('\n', " ")
    };
    for (i, t) in report.topics.iter().enumerate() {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.1}% | {} |\n",
            i + 1,
            cell(&t.label),
            t.volume,
            t.previous,
            growth(t, lang),
            100.0 * t.share,
            t.examples.iter().map(|e| cell(e)).collect::<Vec<_>>().join(" · ")
        ));
    }
    out.push_str(&weakest(report, lang, cell));
    out
}

/// A customer's words as a spreadsheet cell: one starting with `=`, `+`, `-`, `@` (or a tab or
/// carriage return) would be read as a formula, so it gets a leading apostrophe.
fn as_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Excel on a Chinese Windows reads a CSV without a byte-order mark as GBK: the mark makes it
/// read UTF-8.
pub const UTF8_BOM: char = '\u{FEFF}';

fn csv(report: &Report, lang: Lang) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let h = headings(lang);
    let io = |e: csv::Error| MetricsError::Export(e.to_string());
    let rank = match lang {
        Lang::En => "Rank",
        Lang::Zh => "排名",
    };
    w.write_record([rank, h[0], h[1], h[2], h[3], h[4], h[5]]).map_err(io)?;
    for (i, t) in report.topics.iter().enumerate() {
        w.write_record([
            (i + 1).to_string(),
            as_text(&t.label),
            t.volume.to_string(),
            t.previous.to_string(),
            growth(t, lang),
            format!("{:.1}%", 100.0 * t.share),
            as_text(&t.examples.join(" | ")),
        ])
        .map_err(io)?;
    }
    let bytes = w.into_inner().map_err(|e| MetricsError::Export(e.to_string()))?;
    Ok(format!("{UTF8_BOM}{}", String::from_utf8_lossy(&bytes)))
}
