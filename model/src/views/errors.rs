//! What a service refuses and why, in one vocabulary for every domain, the HTTP API and the
//! browser. A [`Problem`] is typed (its code and the values it names), so the API sends its
//! English text and the UI says it in the user's language; its [`ErrorKind`] decides the HTTP
//! status. Failures that are ours (database, model) are not problems: they stay in the log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::accounts::Role;
use super::inbox::GroupStatus;
use super::knowledge::PointStatus;
use super::matching::Channel;

states! {
    /// Who can act on an error, and so its HTTP status.
    pub enum ErrorKind("error kind") {
        /// Bad input (422).
        Invalid = "invalid",
        NotFound = "not_found",
        /// A state that does not allow the action, or someone else's change first (409).
        Conflict = "conflict",
        /// Signed in without the role (403).
        Forbidden = "forbidden",
        /// Not signed in (401).
        Unauthorized = "unauthorized",
        /// Too many attempts; try again later (429).
        Throttled = "throttled",
        /// The bot is at capacity for a moment; try again after `Retry-After` (503).
        Busy = "busy",
        /// Ours, not the caller's: logged, never shown (500).
        Internal = "internal",
    }

    /// A field a problem is about.
    pub enum Field("field") {
        Question = "question",
        Answer = "answer",
        AnswerBot = "bot answer",
        AnswerOnline = "online answer",
        AnswerHotline = "hotline answer",
        Phrasing = "phrasing",
        CounterExample = "counter-example",
        AgentAnswer = "agent_answer",
        Category = "category",
        CategoryName = "category name",
        TemplateSlot = "template slot",
        Comment = "comment",
        SessionId = "session_id",
        Reason = "reason",
        Canonical = "canonical term",
        Variant = "variant",
        TestSetName = "test set name",
    }

    /// A thing a problem names.
    pub enum Thing("thing") {
        Category = "category",
        Point = "knowledge point",
        Revision = "revision",
        Ask = "ask",
        Group = "group",
        Question = "question",
        Decision = "decision",
        User = "user",
        Synonym = "synonym entry",
        TestSet = "test set",
        TestCase = "test case",
        TestRun = "test run",
    }

    /// What makes a text more than plain text.
    pub enum Markup("markup") {
        Link = "link",
        List = "list",
        Formatting = "formatting",
    }
}

impl Field {
    /// The field of a channel's answer variant.
    pub fn answer_for(channel: Channel) -> Field {
        match channel {
            Channel::Bot => Field::AnswerBot,
            Channel::Online => Field::AnswerOnline,
            Channel::Hotline => Field::AnswerHotline,
        }
    }
}

impl ErrorKind {
    /// The HTTP status of this kind, for the API and the browser's server functions alike.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::Invalid => 422,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::Forbidden => 403,
            ErrorKind::Unauthorized => 401,
            ErrorKind::Throttled => 429,
            ErrorKind::Busy => 503,
            ErrorKind::Internal => 500,
        }
    }
}

/// A refusal: the caller asked for something that cannot be, and nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    // Fields.
    #[error("the {field} is empty")]
    Empty { field: Field },
    #[error("the {field} is too long: {chars} characters (at most {max})")]
    TooLong { field: Field, chars: usize, max: usize },
    #[error("the {field} contains control characters (NUL, escape codes…)")]
    ControlCharacters { field: Field },
    #[error("too many phrasings: {count} (at most {max})")]
    TooManyPhrasings { count: usize, max: usize },
    #[error(
        "the {channel} answer must be plain text an agent can read out (no links, lists or \
         Markdown); it has a {found}"
    )]
    NotPlainText { channel: Channel, found: Markup },
    #[error(
        "valid_until ({}) must be after valid_from ({})",
        until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )]
    WindowOrder { from: DateTime<Utc>, until: DateTime<Utc> },
    #[error("too many related points: {count} (at most {max})")]
    TooManyRelated { count: usize, max: usize },
    #[error("a point cannot be related to itself")]
    RelatedToItself,
    #[error("the point answered and the right point are the same; choose another right point")]
    WrongIsRight,
    #[error("the revised answer is the point's answer as it is; change it, or choose another decision")]
    AnswerUnchanged,
    #[error("too many counter-examples: {count} (at most {max})")]
    TooManyCounterExamples { count: usize, max: usize },
    #[error("{text:?} is both a phrasing of the point and a counter-example of it")]
    CounterIsPhrasing { text: String },
    #[error("{term:?} is already a term of the synonym entry {canonical:?}")]
    SynonymTaken { term: String, canonical: String },
    #[error("too many variants: {count} (at most {max})")]
    TooManyVariants { count: usize, max: usize },
    #[error("a synonym entry needs at least one variant besides its canonical term")]
    NoVariants,
    #[error("too many synonym entries (at most {max})")]
    TooManySynonyms { max: usize },
    #[error("expect must be a knowledge point id or \"unanswered\", not {value:?}")]
    BadExpect { value: String },
    #[error("a test set holds at most {max} cases")]
    TooManyCases { max: usize },
    #[error("a test set named {name:?} already exists")]
    TestSetExists { name: String },
    #[error("this test set fills itself; cases are added to sets trainers own")]
    FilledSet,
    #[error("this test set is being run already; wait for that run to finish")]
    TestRunRunning,
    #[error("cannot read the workbook: {detail}")]
    BadWorkbook { detail: String },
    #[error("line {line}: {problem}")]
    AtLine { line: usize, problem: Box<Problem> },
    #[error("unknown {what} {value:?}: one of {expected}")]
    Unknown { what: String, value: String, expected: String },
    #[error("{value:?} is not a {thing} id")]
    NotAnId { thing: Thing, value: String },
    #[error("{thing} {id} not found")]
    NotFound { thing: Thing, id: String },
    #[error("knowledge point {point} has no revision{}", number.map(|n| format!(" {n}")).unwrap_or_default())]
    RevisionNotFound { point: i32, number: Option<i32> },
    #[error("this needs the {needed} role; {who} has the {has} role")]
    RoleNeeded { needed: Role, who: String, has: Role },
    #[error("sign in first")]
    SignIn,
    #[error("wrong name or password")]
    WrongCredentials,
    #[error("too many failed sign-ins: try again in {minutes} minutes")]
    Throttled { minutes: u64 },
    #[error(
        "the bot is busy: {waiting} questions are waiting for the model; try again in {retry_after_s} s"
    )]
    Busy { waiting: usize, retry_after_s: u64 },
    #[error("the model took longer than {ms} ms on this question; try again")]
    ModelTimedOut { ms: u64 },
    #[error("channel must be 1 to 40 of a-z, 0-9, _ and -")]
    BadChannel,
    #[error("occurred_at is in the future")]
    InFuture,

    // Categories.
    #[error("the category name {name:?} contains '/', which separates levels")]
    CategorySlash { name: String },
    #[error("a category named {name:?} already exists here ({path})")]
    CategoryExists { name: String, path: String },
    #[error("categories nest at most {max} levels deep")]
    TooDeep { max: usize },
    #[error("cannot move {path} under itself or one of its sub-categories")]
    CategoryCycle { path: String },

    // Knowledge points and their review.
    #[error("knowledge point {point} already has this question in this category")]
    DuplicateQuestion { point: i32 },
    #[error(
        "knowledge point {point} was changed by {by} at {} after you opened it (you had version \
         {yours}, it is now {now}). Nothing was saved: reload to see the change, then edit again.",
        at.format("%Y-%m-%d %H:%M:%S UTC")
    )]
    Stale { point: i32, by: String, at: DateTime<Utc>, yours: i32, now: i32 },
    #[error("knowledge point {point} changed while saving; nothing was saved")]
    ChangedWhileSaving { point: i32 },
    #[error("knowledge point {point} has no draft to submit (it is {})", status.as_str().replace('_', " "))]
    NoDraftToSubmit { point: i32, status: PointStatus },
    #[error("knowledge point {point} has no draft waiting to be published (it is {status})")]
    NoDraftToPublish { point: i32, status: PointStatus },
    #[error("knowledge point {point} is not in review (it is {status})")]
    NotInReview { point: i32, status: PointStatus },
    #[error("knowledge point {point} is already archived")]
    AlreadyArchived { point: i32 },
    #[error("knowledge point {point} is archived; restore it or link to another")]
    Archived { point: i32 },
    #[error("revision {revision} is already the current content")]
    AlreadyCurrent { revision: i32 },
    #[error("knowledge point {point} was published or edited since this decision; change it in the editor instead")]
    ChangedSinceDecision { point: i32 },
    #[error("knowledge point {point} got a new draft while it was being checked; nothing was published — check it again")]
    ChangedDuringCheck { point: i32 },
    #[error("say why: the comment goes back to the author")]
    CommentNeeded,

    // Imports.
    #[error("cannot tell the format of {name}: name it .json or .csv")]
    UnknownFileFormat { name: String },
    #[error("the file is not UTF-8 text (byte {byte})")]
    NotUtf8 { byte: usize },
    #[error("not a JSON array of knowledge points: {detail}")]
    NotJsonArray { detail: String },
    #[error("the CSV header must be {expected:?}, found {found:?}")]
    CsvHeader { expected: String, found: String },
    #[error("expected {expected} fields, found {found}")]
    FieldCount { expected: usize, found: usize },
    #[error("{detail}")]
    BadRow { detail: String },

    // The inbox.
    #[error("{by} is working on group {group} until {} UTC; nothing was changed — pick another group", until.format("%H:%M"))]
    Claimed { group: i64, by: String, until: DateTime<Utc> },
    #[error("group {group} is already {status}; nothing was changed")]
    GroupClosed { group: i64, status: GroupStatus },
    #[error("group {group} has no open question to decide on")]
    NothingToDecide { group: i64 },
    #[error("choose at least one question of group {group}")]
    NoneChosen { group: i64 },
    #[error("question {question} is not an open question of group {group}")]
    NotInGroup { question: i64, group: i64 },
    #[error("there is no open question {question} in a group")]
    NotGrouped { question: i64 },
    #[error("question {question} is already in group {group}")]
    AlreadyInGroup { question: i64, group: i64 },
    #[error("merge needs other groups than the one merged into")]
    MergeIntoItself,
    #[error("a split leaves at least one question in the group")]
    SplitAll,
    #[error(
        "a dismissal needs a reason of 1 to {max} characters (noise, chit-chat, out of scope, abusive…)"
    )]
    DismissReason { max: usize },
    #[error("try at most {max} questions at once")]
    TryQuestions { max: usize },
    #[error("a bulk action links or dismisses whole groups; make new points one group at a time")]
    NotInBulk,
    #[error("mark 1 to {max} groups for a bulk action")]
    BulkGroups { max: usize },
    #[error("{name} cannot be assigned groups: no trainer of that name")]
    NotATrainer { name: String },
    #[error(
        "knowledge point {point} has no draft beside a published revision to go back to (it is {status})"
    )]
    NoDraftToDiscard { point: i32, status: PointStatus },
    #[error("decision {decision} was undone already")]
    AlreadyUndone { decision: i64 },
    #[error("decision {decision} is {by}'s to undo")]
    NotYourDecision { decision: i64, by: String },
    #[error(
        "a regrouping is already running ({}); try again when it has finished",
        instance.as_ref().map_or("on this instance".to_string(), |i| format!("instance {i}"))
    )]
    /// `instance`: another instance's name; `None` for this one.
    RegroupRunning { instance: Option<String> },
    #[error("limit must be 1 to {max}")]
    Limit { max: u64 },
    #[error("since must be before until")]
    Range,

    // The dashboard.
    #[error("days must be 1 to {max}")]
    Days { max: u32 },
    #[error("day {value:?} is not YYYY-MM-DD")]
    Day { value: String },

    // Knowledge health.
    #[error("page must be 1 or more")]
    Page,
    #[error("a point cannot be merged with itself, nor a phrasing moved to its own point")]
    SamePoint,
    #[error(
        "knowledge point {point} has a change waiting for review: publish or withdraw it first, \
         then merge or move phrasings"
    )]
    PendingChange { point: i32 },
    #[error("knowledge point {point} is not published (it is {status}): only published points conflict")]
    NotPublished { point: i32, status: PointStatus },
    #[error("knowledge point {point} has no phrasing {text:?} (its typical question cannot be moved)")]
    NoSuchPhrasing { point: i32, text: String },

    // Accounts.
    #[error("bots use API tokens, not user accounts: choose trainer, reviewer, supervisor or admin")]
    BotAccount,
    #[error("the password must have at least {min} characters")]
    ShortPassword { min: usize },
    #[error("invalid name {name:?}: 1 to 64 characters, no leading or trailing spaces")]
    UserName { name: String },
    #[error("a user named {name:?} already exists")]
    UserExists { name: String },

    // The model.
    #[error(
        "a training run is already under way ({}); wait for it to finish",
        instance.as_ref().map_or("on this instance".to_string(), |i| format!("instance {i}"))
    )]
    /// `instance`: another instance's name; `None` for this one.
    TrainingRunning { instance: Option<String> },
    #[error("the model is being changed (re-embedding for {model}); train when it has finished")]
    ModelChanging { model: String },
    #[error("there is no model version {version} of {base}")]
    NoSuchVersion { base: String, version: i32 },
    #[error("version {version} was refused by the promotion guard and never served")]
    RefusedVersion { version: i32 },
    #[error("epochs must be 1 to {max}")]
    Epochs { max: usize },
    #[error(
        "nothing to learn from yet: the model learns from published knowledge and needs at least \
         {min_points} published points, some with {min_texts} or more phrasings to test it on \
         (published now: {points} points); publish knowledge first"
    )]
    NothingToLearn { points: usize, min_points: usize, min_texts: usize },
}

impl Problem {
    pub fn kind(&self) -> ErrorKind {
        use Problem::*;
        // Exhaustive: a new problem is classified here, not defaulted.
        match self {
            NotFound { .. } | RevisionNotFound { .. } | NotGrouped { .. } | NoSuchVersion { .. } => {
                ErrorKind::NotFound
            }
            RoleNeeded { .. } => ErrorKind::Forbidden,
            SignIn | WrongCredentials => ErrorKind::Unauthorized,
            Throttled { .. } => ErrorKind::Throttled,
            Busy { .. } | ModelTimedOut { .. } => ErrorKind::Busy,
            CategoryExists { .. }
            | DuplicateQuestion { .. }
            | Stale { .. }
            | ChangedWhileSaving { .. }
            | NoDraftToSubmit { .. }
            | NoDraftToPublish { .. }
            | NotInReview { .. }
            | AlreadyArchived { .. }
            | Archived { .. }
            | AlreadyCurrent { .. }
            | ChangedSinceDecision { .. }
            | ChangedDuringCheck { .. }
            | Claimed { .. }
            | GroupClosed { .. }
            | AlreadyUndone { .. }
            | NotYourDecision { .. }
            | NoDraftToDiscard { .. }
            | RegroupRunning { .. }
            | UserExists { .. }
            | TrainingRunning { .. }
            | ModelChanging { .. }
            | RefusedVersion { .. }
            | NothingToLearn { .. }
            | PendingChange { .. }
            | TestSetExists { .. }
            | FilledSet
            | TestRunRunning
            | NotPublished { .. } => ErrorKind::Conflict,
            Empty { .. }
            | TooLong { .. }
            | ControlCharacters { .. }
            | TooManyPhrasings { .. }
            | NotPlainText { .. }
            | WindowOrder { .. }
            | TooManyRelated { .. }
            | RelatedToItself
            | TooManyCounterExamples { .. }
            | WrongIsRight
            | AnswerUnchanged
            | CounterIsPhrasing { .. }
            | SynonymTaken { .. }
            | TooManyVariants { .. }
            | NoVariants
            | TooManySynonyms { .. }
            | BadExpect { .. }
            | TooManyCases { .. }
            | BadWorkbook { .. }
            | AtLine { .. }
            | Unknown { .. }
            | NotAnId { .. }
            | BadChannel
            | InFuture
            | CategorySlash { .. }
            | TooDeep { .. }
            | CategoryCycle { .. }
            | CommentNeeded
            | UnknownFileFormat { .. }
            | NotUtf8 { .. }
            | NotJsonArray { .. }
            | CsvHeader { .. }
            | FieldCount { .. }
            | BadRow { .. }
            | NothingToDecide { .. }
            | NoneChosen { .. }
            | NotInBulk
            | TryQuestions { .. }
            | BulkGroups { .. }
            | NotATrainer { .. }
            | NotInGroup { .. }
            | AlreadyInGroup { .. }
            | MergeIntoItself
            | SplitAll
            | DismissReason { .. }
            | Limit { .. }
            | Range
            | Days { .. }
            | Day { .. }
            | Page
            | SamePoint
            | NoSuchPhrasing { .. }
            | BotAccount
            | ShortPassword { .. }
            | UserName { .. }
            | Epochs { .. } => ErrorKind::Invalid,
        }
    }

    pub fn not_found(thing: Thing, id: impl ToString) -> Self {
        Problem::NotFound { thing, id: id.to_string() }
    }
}

impl From<super::UnknownState> for Problem {
    fn from(e: super::UnknownState) -> Self {
        Problem::Unknown { what: e.what.to_string(), value: e.value, expected: e.expected }
    }
}
