# Sourced by the other scripts: where tools and build output live. Outside the clone, so a
# fresh clone on a machine that built before starts warm.
BOTCOACH_CACHE=${BOTCOACH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/botcoach}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$BOTCOACH_CACHE/target}
export PATH="$BOTCOACH_CACHE/tools/binaryen/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Browser tests use Debian's Chromium; Playwright must never fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
