# fuzz.sh — the fuzz flavour of ci/stacks: every library compiled the way
# OSS-Fuzz compiles a project's libraries for libFuzzer with ASan+UBSan
# (its base-builder's $CFLAGS: -fsanitize=address -fsanitize-address-use-after-scope
# -fsanitize=fuzzer-no-link, clang, -O1, debug info), so that libFuzzer's
# coverage feedback and ASan's checks reach inside the library, not only
# cabound's glue. The recipes add, when FLAVOUR=fuzz, what is per library:
# assembly off (it hides loads and stores from ASan and edges from the
# coverage), static libraries where the build supports them, no programs.
#
# Not added: -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION and the libraries'
# own fuzzing switches (OpenSSL enable-fuzz-libfuzzer, GnuTLS
# --enable-fuzzer-target): they change the library's behaviour (fixed
# randomness, skipped checks), and cabound's targets judge the behaviour the
# library ships with.
#
# UBSan: every check of -fsanitize=undefined but alignment (OSS-Fuzz leaves it
# out for OpenSSL, whose unaligned loads are deliberate) and function (C
# callbacks cast between pointer types); a report stops the run, as in the
# cabound targets (-fno-sanitize-recover=all).
#
# -fno-inline-functions: a static function with one caller (Mbed TLS's
# ssl_parse_certificate_request, inlined into the handshake step at -O1)
# keeps its own name in libFuzzer's -print_coverage report, which is how
# ci/fuzz finds the CA-list functions (fuzz/listfuncs/STACK.txt).
export CC=clang CXX=clang++
FLAVOUR_CFLAGS="-O1 -g -fno-inline-functions -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fsanitize-address-use-after-scope -fno-sanitize=alignment,function -fno-sanitize-recover=all"
FLAVOUR_LDFLAGS="-fsanitize=address,undefined"
# Programs built and run during a library's build (configure tests, code
# generators) are instrumented too: their leaks are not findings.
export ASAN_OPTIONS=detect_leaks=0
