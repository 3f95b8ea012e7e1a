#!/usr/bin/env bash
# update-corpus.sh SEEDS_TOOL — regenerate the small seeds kept in
# corpus/TARGET/ with the seed generator (fuzz/seeds.c, built as
# cabound-fuzz-seeds). Reproducers (fuzz/TARGET.repro/) are not touched.
set -euo pipefail
tool=${1:?usage: update-corpus.sh PATH/TO/cabound-fuzz-seeds}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$tool" small "$tmp"
put() { # FORM TARGET
  rm -rf "$root/corpus/$2"
  mkdir -p "$root/corpus/$2"
  cp "$tmp/$1"/* "$root/corpus/$2/"
}
put calist calist_codec
put calist calist_codec_big
put record record_stream
put suite suite_parser
for s in openssl boringssl gnutls mbedtls wolfssl nss botan bearssl; do
  put calist client_cr_$s
  put calist server_calist_$s
done
