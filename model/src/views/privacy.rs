//! What retention and the per-session privacy requests report.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Channel, Outcome, Signal};

states! {
    /// The built-in personal-data detectors; which of them run is configured (all by default).
    pub enum Detector("detector") {
        /// Chinese mobile numbers (11 digits from 13 to 19, with or without +86).
        Phone = "phone",
        /// Chinese landline numbers with their area code (010-12345678, 0755 1234567).
        Landline = "landline",
        /// 18-character resident ID numbers (身份证), check digit verified.
        IdCard = "id_card",
        /// Bank card numbers (15 to 19 digits), Luhn verified.
        BankCard = "bank_card",
        Email = "email",
        /// IPv4 and IPv6 addresses.
        Ip = "ip",
    }
}

/// What the status page says about personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivacyStatus {
    /// The detectors masking incoming questions; empty when masking is off.
    pub detectors: Vec<Detector>,
    /// The names of the admin's own patterns.
    pub patterns: Vec<String>,
    /// The last retention run, by any instance.
    pub retention: Option<RetentionRun>,
}

/// One run of the retention job: when, up to which time, and what it deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionRun {
    pub ran_at: DateTime<Utc>,
    /// Rows older than this went; `None` when retention is off (kept forever).
    pub cutoff: Option<DateTime<Utc>>,
    pub days: u32,
    pub asks: u64,
    pub misses: u64,
    pub reports: u64,
}

/// Everything stored about one customer session (a data subject's access request).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionData {
    pub session_id: String,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub asks: Vec<SessionAsk>,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub reports: Vec<SessionReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionAsk {
    pub ask_id: String,
    /// As stored: personal data masked.
    pub question: String,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub channel: Channel,
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub outcome: Outcome,
    pub helpful: Option<bool>,
    pub handoff: Option<bool>,
    pub asked_at: DateTime<Utc>,
}

/// A miss report of the session: the question as the inbox holds it, and the report's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionReport {
    pub question: String,
    // Contract as documented: a plain string.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub signal: Signal,
    pub channel: String,
    pub reason: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

/// What erasing a session removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Erased {
    pub asks: u64,
    pub reports: u64,
    /// Misses no other session had reported, deleted with their last report.
    pub misses: u64,
}

/// What looks like personal data in a knowledge point's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PersonalKind {
    Builtin(Detector),
    /// One of the admin's patterns, by its name.
    Pattern(String),
}

/// Something in a knowledge point's text that looks like a customer's personal data: the
/// editor warns (trainers' text is the company's and is never masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalData {
    pub field: super::Field,
    pub kind: PersonalKind,
}
