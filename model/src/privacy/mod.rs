//! Customers' personal data: masked at intake ([`mask`]), kept no longer than the configured
//! days ([`retention`]), and found or erased per customer session ([`sessions`]).

pub mod mask;
pub mod retention;
pub mod sessions;

use serde::{Deserialize, Serialize};

pub use mask::{Detector, Finding, Found, MaskError, Masker, PatternSetting};

use crate::storage::StorageError;

/// Days the ask log and finished misses are kept by default.
pub const DEFAULT_RETENTION_DAYS: u32 = 180;

/// `[privacy]` in the configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Mask personal data in every question that comes in (on by default).
    pub mask: bool,
    /// Which built-in detectors run (all by default).
    pub detectors: Vec<Detector>,
    /// The admin's own patterns (`[[privacy.patterns]]`).
    pub patterns: Vec<PatternSetting>,
    /// Days the ask log and closed or dismissed misses are kept; 0 keeps them forever.
    pub retention_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mask: true,
            detectors: Detector::ALL.to_vec(),
            patterns: Vec::new(),
            retention_days: DEFAULT_RETENTION_DAYS,
        }
    }
}

impl Settings {
    /// The masker these settings describe; an admin's pattern that does not compile is an error.
    pub fn masker(&self) -> Result<Masker, MaskError> {
        if !self.mask {
            return Ok(Masker::off());
        }
        Masker::new(&self.detectors, &self.patterns)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    #[error(transparent)]
    Refused(#[from] crate::views::Problem),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sea_orm::DbErr> for PrivacyError {
    fn from(e: sea_orm::DbErr) -> Self {
        PrivacyError::Storage(StorageError::Db(e))
    }
}

/// What in a point's question, answers (default and per channel) and phrasings looks personal,
/// once per field and kind.
pub fn personal_data_in(masker: &Masker, content: &crate::views::Content) -> Vec<crate::views::PersonalData> {
    use crate::views::{Field, PersonalData, PersonalKind};
    let texts = [(Field::Question, &content.question), (Field::Answer, &content.answer)]
        .into_iter()
        .chain(content.answers.iter().map(|(channel, a)| (Field::answer_for(*channel), a)))
        .chain(content.phrasings.iter().map(|p| (Field::Phrasing, p)));
    let mut out: Vec<PersonalData> = Vec::new();
    for (field, text) in texts {
        for f in masker.findings(text) {
            let kind = match f.found {
                Found::Builtin(d) => PersonalKind::Builtin(d),
                Found::Pattern(name) => PersonalKind::Pattern(name),
            };
            let found = PersonalData { field, kind };
            if !out.contains(&found) {
                out.push(found);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::{Channel, Content, Field, PersonalData, PersonalKind};

    #[test]
    fn personal_data_is_found_in_a_channels_answer_too() {
        let content = Content {
            question: "How do I reach you?".into(),
            answer: "Call us.".into(),
            answers: [(Channel::Hotline, "Tell them to call 13812345678.".to_string())].into(),
            ..Default::default()
        };
        let found = personal_data_in(&Masker::default(), &content);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            matches!(&found[0], PersonalData { field: Field::AnswerHotline, kind: PersonalKind::Builtin(_) }),
            "{found:?}"
        );
    }
}
