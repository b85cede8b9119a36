//! Test cases to and from files: CSV (`question,channel,expect`), JSON (an array of cases) and
//! Excel workbooks (the first sheet, the same columns), which is how Chinese call centres keep
//! their test questions. The header may be in English or in Chinese (`问题,渠道,预期`). A file
//! is read whole or refused with the line at fault: nothing is half imported.

use std::io::Cursor;

use crate::views::{Channel, Expect, NewCase, Problem, TestCase};

/// The file formats of test sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetFormat {
    Csv,
    Json,
    Xlsx,
}

impl SetFormat {
    /// The format of a file by its name's ending.
    pub fn from_name(name: &str) -> Option<SetFormat> {
        let lower = name.to_lowercase();
        [(".csv", SetFormat::Csv), (".json", SetFormat::Json), (".xlsx", SetFormat::Xlsx)]
            .into_iter()
            .find(|(end, _)| lower.ends_with(end))
            .map(|(_, f)| f)
    }

    /// The format of a file by its first bytes (an xlsx file is a zip archive).
    pub fn sniff(bytes: &[u8]) -> SetFormat {
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if bytes.starts_with(b"PK\x03\x04") {
            SetFormat::Xlsx
        } else if text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            SetFormat::Json
        } else {
            SetFormat::Csv
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            SetFormat::Csv => "text/csv; charset=utf-8",
            SetFormat::Json => "application/json",
            SetFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            SetFormat::Csv => "csv",
            SetFormat::Json => "json",
            SetFormat::Xlsx => "xlsx",
        }
    }
}

const HEADER: [&str; 3] = ["question", "channel", "expect"];
const HEADER_ZH: [&str; 3] = ["问题", "渠道", "预期"];

/// The cases in `bytes`, or the first problem with the line (1-based, header included) it is on.
pub fn parse(format: SetFormat, bytes: &[u8]) -> Result<Vec<NewCase>, (usize, Problem)> {
    match format {
        SetFormat::Json => parse_json(bytes),
        SetFormat::Csv => parse_rows(csv_rows(bytes)?),
        SetFormat::Xlsx => parse_rows(xlsx_rows(bytes)?),
    }
}

fn text(bytes: &[u8]) -> Result<&str, (usize, Problem)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| (0, Problem::NotUtf8 { byte: e.valid_up_to() }))
}

fn parse_json(bytes: &[u8]) -> Result<Vec<NewCase>, (usize, Problem)> {
    serde_json::from_str(text(bytes)?)
        .map_err(|e| (e.line(), Problem::NotJsonArray { detail: e.to_string() }))
}

fn csv_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, (usize, Problem)> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text(bytes)?.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| (i + 1, Problem::BadRow { detail: e.to_string() }))?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, (usize, Problem)> {
    use calamine::{Data, Reader};
    let bad = |detail: String| (0, Problem::BadWorkbook { detail });
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e: calamine::XlsxError| bad(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| bad("the workbook has no sheet".into()))?
        .map_err(|e| bad(e.to_string()))?;
    let cell = |d: &Data| match d {
        // A point id typed into Excel is a number.
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Empty => String::new(),
        other => other.to_string(),
    };
    Ok(range.rows().map(|r| r.iter().map(cell).collect()).collect())
}

/// Rows of `question, channel, expect` under a header; empty rows are skipped.
fn parse_rows(rows: Vec<Vec<String>>) -> Result<Vec<NewCase>, (usize, Problem)> {
    let mut rows = rows.into_iter().enumerate();
    let Some((_, header)) = rows.next() else { return Ok(Vec::new()) };
    let found: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    if found != HEADER && found != HEADER_ZH {
        return Err((1, Problem::CsvHeader { expected: HEADER.join(","), found: header.join(",") }));
    }
    let mut out = Vec::new();
    for (i, row) in rows {
        let line = i + 1;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if row.len() != 3 {
            return Err((line, Problem::FieldCount { expected: 3, found: row.len() }));
        }
        let channel = match row[1].trim() {
            "" => Channel::default(),
            c => c.parse::<Channel>().map_err(|e| (line, Problem::from(e)))?,
        };
        let expect: Expect =
            row[2].parse().map_err(|_| (line, Problem::BadExpect { value: row[2].trim().to_string() }))?;
        out.push(NewCase { question: row[0].clone(), channel, expect });
    }
    Ok(out)
}

/// The cases as a file of `format`.
pub fn write(format: SetFormat, cases: &[TestCase]) -> Result<Vec<u8>, String> {
    let rows = cases.iter().map(|c| [c.question.clone(), c.channel.to_string(), c.expect.to_string()]);
    match format {
        SetFormat::Json => {
            let new: Vec<NewCase> = cases
                .iter()
                .map(|c| NewCase { question: c.question.clone(), channel: c.channel, expect: c.expect })
                .collect();
            serde_json::to_vec_pretty(&new).map_err(|e| e.to_string())
        }
        SetFormat::Csv => {
            // A byte-order mark: Excel on Chinese Windows reads the file as UTF-8 only with one.
            let mut out = b"\xEF\xBB\xBF".to_vec();
            {
                let mut w = csv::Writer::from_writer(&mut out);
                w.write_record(HEADER).map_err(|e| e.to_string())?;
                for r in rows {
                    w.write_record(&r).map_err(|e| e.to_string())?;
                }
                w.flush().map_err(|e| e.to_string())?;
            }
            Ok(out)
        }
        SetFormat::Xlsx => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            for (col, h) in HEADER.iter().enumerate() {
                sheet.write_string(0, col as u16, *h).map_err(|e| e.to_string())?;
            }
            for (i, r) in rows.enumerate() {
                for (col, v) in r.iter().enumerate() {
                    sheet.write_string(i as u32 + 1, col as u16, v).map_err(|e| e.to_string())?;
                }
            }
            sheet.set_column_width(0, 60).map_err(|e| e.to_string())?;
            book.save_to_buffer().map_err(|e| e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(q: &str, channel: Channel, expect: Expect) -> TestCase {
        TestCase {
            id: 1,
            question: q.into(),
            channel,
            expect,
            expect_question: None,
            origin: crate::views::SetKind::Manual,
            origin_ask_id: None,
            origin_at: None,
            flag: None,
        }
    }

    #[test]
    fn every_format_reads_back_what_it_wrote_chinese_included() {
        let cases = vec![
            case("怎么拦截骚扰电话，号码是多少？", Channel::Hotline, Expect::Point(12)),
            case("what's the weather, \"really\"", Channel::Bot, Expect::Unanswered),
        ];
        for format in [SetFormat::Csv, SetFormat::Json, SetFormat::Xlsx] {
            let bytes = write(format, &cases).unwrap();
            assert_eq!(SetFormat::sniff(&bytes), format);
            let back = parse(format, &bytes).unwrap();
            let expected: Vec<NewCase> = cases
                .iter()
                .map(|c| NewCase { question: c.question.clone(), channel: c.channel, expect: c.expect })
                .collect();
            assert_eq!(back, expected, "{format:?}");
        }
    }

    #[test]
    fn a_chinese_header_an_empty_channel_and_bad_lines() {
        let ok = "问题,渠道,预期\n宽带坏了,,7\n\n你好,online,unanswered\n";
        let cases = parse(SetFormat::Csv, ok.as_bytes()).unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].channel, Channel::Bot);
        assert_eq!(cases[1].expect, Expect::Unanswered);
        let bad = "question,channel,expect\nhi,bot,7\nhello,bot,seven\n";
        assert_eq!(
            parse(SetFormat::Csv, bad.as_bytes()).unwrap_err(),
            (3, Problem::BadExpect { value: "seven".into() })
        );
        let header = "q,c,e\nhi,bot,7\n";
        assert!(matches!(
            parse(SetFormat::Csv, header.as_bytes()).unwrap_err(),
            (1, Problem::CsvHeader { .. })
        ));
        assert!(matches!(
            parse(SetFormat::Xlsx, b"PK\x03\x04nonsense").unwrap_err(),
            (0, Problem::BadWorkbook { .. })
        ));
    }
}
