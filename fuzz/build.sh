#!/usr/bin/env bash
# fuzz/build.sh — build every cabound fuzz target the way OSS-Fuzz and
# ClusterFuzzLite call a project's build script, and ship into $OUT:
#   TARGET                     the fuzzer
#   TARGET.options             its libFuzzer options (max_len, timeout, dict)
#   TARGET_seed_corpus.zip     corpus/TARGET and the generated boundary seeds
#   calist.dict, record_stream.dict, suite_parser.dict, known-findings.txt
#
# Honours $CC, $CFLAGS, $LIB_FUZZING_ENGINE, $OUT, $WORK (all optional for
# local use: clang, ASan+UBSan with libFuzzer, out/fuzz, a temporary
# directory), $CABOUND_STACKS (a ';' list; default: every stack found) and
# $CABOUND_<STACK>_ROOT (a stack installed under that prefix), and
# $CABOUND_FUZZ_PREFIXES ("STACK@VERSION=PREFIX;...": stacks built with the
# fuzzing flags, e.g. by `ci/stacks --flavour fuzz`; each gets its own
# client_cr_STACK@VERSION, server_calist_STACK@VERSION and, where the stack
# sends the TLS 1.3 list, server_calist13_STACK@VERSION, linked statically
# where the prefix has static libraries).
# Under OSS-Fuzz $CFLAGS already carries the sanitizer and coverage flags,
# so the CMake build adds none of its own.
#
# The per-stack targets link the TLS libraries installed on the build
# machine; an OSS-Fuzz image must build those stacks itself and name them with
# CABOUND_<STACK>_ROOT (see cmake/CaboundStacks.cmake), since its runner has
# none of them installed.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "${LIB_FUZZING_ENGINE:-}" ]; then # local use: our own defaults
  : "${CC:=clang}"
  : "${CFLAGS:=-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize=fuzzer-no-link}"
  LIB_FUZZING_ENGINE=-fsanitize=fuzzer
fi
: "${CC:=clang}"
: "${CFLAGS:=}"
: "${OUT:=$src/out/fuzz}"
owned_work=
if [ -z "${WORK:-}" ]; then
  WORK=$(mktemp -d)
  owned_work=$WORK
fi
trap '[ -n "$owned_work" ] && rm -rf "$owned_work"' EXIT
build="$WORK/cabound-fuzz-build"
mkdir -p "$OUT" "$build"

stacks=()
[ -n "${CABOUND_STACKS:-}" ] && stacks=("-DCABOUND_STACKS=$CABOUND_STACKS")
# A stack built for fuzzing (instrumented, so libFuzzer sees its coverage):
# CABOUND_<STACK>_ROOT=PREFIX in the environment, as in
# ci/examples/clusterfuzzlite/build.sh.
for s in OPENSSL BORINGSSL GNUTLS MBEDTLS WOLFSSL NSS; do
  v=CABOUND_${s}_ROOT
  [ -n "${!v:-}" ] && stacks+=("-D$v=${!v}")
done
[ -n "${CABOUND_FUZZ_PREFIXES:-}" ] && stacks+=("-DCABOUND_FUZZ_PREFIXES=$CABOUND_FUZZ_PREFIXES")

echo "build.sh: configuring (CC=$CC) in $build"
CC="$CC" CFLAGS="$CFLAGS" cmake -S "$src/fuzz" -B "$build" \
  -DCMAKE_BUILD_TYPE=None \
  -DCABOUND_FUZZ=ON -DCABOUND_BUILD_TESTS=OFF \
  -DCABOUND_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
  -DCABOUND_FUZZ_SANITIZERS= -DCABOUND_FUZZ_CFLAGS= \
  "${stacks[@]}" >"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
echo "build.sh: building"
cmake --build "$build" -j "$(nproc)" >"$build/build.log" 2>&1 || {
  grep -E "error|Error" "$build/build.log" | head -40; exit 1; }

zipdir() { # ZIP DIR... — the files of the directories, flat
  local zip=$1; shift
  rm -f "$zip"
  local files=()
  for d in "$@"; do
    [ -d "$d" ] || continue
    for f in "$d"/*; do [ -f "$f" ] && files+=("$f"); done
  done
  [ ${#files[@]} -gt 0 ] || return 0
  if command -v zip >/dev/null; then
    zip -q -j "$zip" "${files[@]}"
  else
    python3 - "$zip" "${files[@]}" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for f in sys.argv[2:]:
        z.write(f, os.path.basename(f))
PY
  fi
}

n=0
while read -r target form base; do
  [ -n "$target" ] || continue
  base=${base:-$target} # TARGET@VERSION shares its base target's options and seeds
  cp "$build/fuzz/bin/$target" "$OUT/"
  cp "$src/fuzz/$base.options" "$OUT/$target.options"
  zipdir "$OUT/${target}_seed_corpus.zip" "$src/corpus/$base" "$src/corpus/$target" "$build/seeds/$form"
  n=$((n + 1))
done <"$build/fuzz-targets.txt"
cp "$src"/fuzz/*.dict "$src/fuzz/known-findings.txt" "$OUT/"
echo "build.sh: $n targets in $OUT"
