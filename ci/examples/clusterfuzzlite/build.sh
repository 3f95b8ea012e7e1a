#!/bin/bash -eu
# Build the library with the fuzzing flags into a prefix, then cabound's fuzz
# targets against it. cabound's fuzz/build.sh honours $CC, $CFLAGS,
# $LIB_FUZZING_ENGINE and $OUT, and CABOUND_<STACK>_ROOT for the library.
cd "$SRC/lib"
./Configure --prefix="$WORK/prefix" --libdir=lib no-shared no-docs -fno-sanitize=all $CFLAGS
make -j"$(nproc)" build_libs && make install_dev
CABOUND_OPENSSL_ROOT="$WORK/prefix" bash "$SRC/cabound/fuzz/build.sh"
