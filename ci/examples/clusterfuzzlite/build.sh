#!/bin/bash -eu
# Build the library with the fuzzing flags into a prefix, then cabound's fuzz
# targets against it. cabound's fuzz/build.sh honours $CC, $CFLAGS,
# $LIB_FUZZING_ENGINE and $OUT, and CABOUND_FUZZ_PREFIXES for a library built
# with the fuzzing flags: its targets are client_cr_openssl@head,
# server_calist_openssl@head and server_calist13_openssl@head, linked
# statically against it, so libFuzzer's coverage and ASan reach inside it.
# As ci/stacks --flavour fuzz builds OpenSSL: static, no assembly (hidden
# from ASan and the coverage), the legacy provider built in.
cd "$SRC/lib"
./Configure --prefix="$WORK/prefix" --libdir=lib no-shared no-asm no-module no-docs no-tests $CFLAGS
make -j"$(nproc)" build_libs && make install_dev
CABOUND_FUZZ_PREFIXES="openssl@head=$WORK/prefix" bash "$SRC/cabound/fuzz/build.sh"
