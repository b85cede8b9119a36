# Sourced by the scripts: `stage NAME HINT COMMAND…` runs one stage, prints how long it took,
# and when it fails says what to try (docs/development.md, "When a stage fails", has the known failures).
stage_clock() { local s=$(( SECONDS - $1 )); printf '%dm%02ds' $(( s / 60 )) $(( s % 60 )); }

stage() {
  local name=$1 hint=$2 start=$SECONDS
  shift 2
  printf '\n==> %s\n' "$name" >&2
  if ! "$@"; then
    printf '\nerror: "%s" failed after %s.\n  try: %s\n  (docs/development.md, "When a stage fails", lists the known failures)\n' \
      "$name" "$(stage_clock "$start")" "$hint" >&2
    exit 1
  fi
  printf '==> %s: done in %s\n' "$name" "$(stage_clock "$start")" >&2
  STAGE_TIMES+=("$(printf '%-44s %s' "$name" "$(stage_clock "$start")")")
}

# The stages so far with their times, for the end of a run.
stage_summary() {
  printf '\n==> time per stage\n' >&2
  printf '  %s\n' "${STAGE_TIMES[@]}" >&2
}
STAGE_TIMES=()
