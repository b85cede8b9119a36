//! The serving model reading text through the published synonyms: the outermost layer of the
//! model the matcher and the inbox use, so asks, misses and stored texts all meet the canonical
//! terms. Layers below (the base model, a learned adapter) read text as given.

use std::borrow::Cow;
use std::sync::Arc;

use super::Dictionary;
use crate::embedding::{EmbedError, Embedder, ModelInfo};

pub struct WithSynonyms {
    inner: Arc<dyn Embedder>,
    dictionary: Arc<Dictionary>,
}

impl WithSynonyms {
    pub fn new(inner: Arc<dyn Embedder>, dictionary: Arc<Dictionary>) -> WithSynonyms {
        WithSynonyms { inner, dictionary }
    }
}

impl Embedder for WithSynonyms {
    fn info(&self) -> &ModelInfo {
        self.inner.info()
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let read: Vec<Cow<str>> = texts.iter().map(|t| self.dictionary.apply(t)).collect();
        let read: Vec<&str> = read.iter().map(|t| t.as_ref()).collect();
        self.inner.embed(&read)
    }

    fn tokens(&self, text: &str) -> usize {
        self.inner.tokens(&self.dictionary.apply(text))
    }

    fn rewrite<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.dictionary.apply(text)
    }
}
