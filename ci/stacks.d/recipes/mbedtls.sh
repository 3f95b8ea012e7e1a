# Mbed TLS 3.6 LTS, configured as Debian's mbedtls 3.6.7-3 debian/rules does
# (override_dh_auto_configure): scripts/config.py set DEPRECATED_WARNING,
# THREADING_C, THREADING_PTHREAD, CMAC_C, SSL_DTLS_SRTP; shared libraries; no
# programs or tests; CFLAGS += -DMBEDTLS_ALIGNMENT_DISABLE_EFFICENT_UNALIGNED_ACCESS.
# Of these only THREADING_C shows in the shim's world (the debug callback's
# "%p: " prefix); none touches a buffer size or the CertificateRequest. The
# rest is upstream's default mbedtls_config.h: TLS 1.3
# (MBEDTLS_SSL_PROTO_TLS1_3) on, 16384-byte record buffers.
STACK=mbedtls
SRCPKG=mbedtls
SERIES='^3\.6\.'
DEB_SET="MBEDTLS_DEPRECATED_WARNING MBEDTLS_THREADING_C MBEDTLS_THREADING_PTHREAD MBEDTLS_CMAC_C MBEDTLS_SSL_DTLS_SRTP"
# The fuzz flavour (ci/stacks.d/flavours/fuzz.sh): static libraries only, the
# flavour's CFLAGS with no build type's own, warnings not fatal (clang with
# the sanitizers), and assembly off: MBEDTLS_HAVE_ASM (bignum inline
# assembly), MBEDTLS_AESNI_C and MBEDTLS_PADLOCK_C (AES instructions)
# unset, as library/bn_mul.h and aesni.c read them.
FUZZ_UNSET="MBEDTLS_HAVE_ASM MBEDTLS_AESNI_C MBEDTLS_PADLOCK_C"
LIBS_OPTS="-DUSE_SHARED_MBEDTLS_LIBRARY=ON -DUSE_STATIC_MBEDTLS_LIBRARY=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo"
[ "$FLAVOUR" = fuzz ] && LIBS_OPTS="-DUSE_SHARED_MBEDTLS_LIBRARY=OFF -DUSE_STATIC_MBEDTLS_LIBRARY=ON -DCMAKE_BUILD_TYPE=None -DMBEDTLS_FATAL_WARNINGS=OFF"
CONFIG_OPTS="scripts/config.py set $DEB_SET; cmake $LIBS_OPTS -DENABLE_PROGRAMS=OFF -DENABLE_TESTING=OFF; CFLAGS=-DMBEDTLS_ALIGNMENT_DISABLE_EFFICENT_UNALIGNED_ACCESS"
[ "$FLAVOUR" = fuzz ] && CONFIG_OPTS="$CONFIG_OPTS $FLAVOUR_CFLAGS; scripts/config.py unset $FUZZ_UNSET"

mbedtls_config() {
  local o
  for o in $DEB_SET; do python3 scripts/config.py set "$o" || return 1; done
  if [ "$FLAVOUR" = fuzz ]; then
    for o in $FUZZ_UNSET; do python3 scripts/config.py unset "$o" || return 1; done
  fi
}

recipe_build() {
  step configure mbedtls_config || return 1
  step configure env CFLAGS="-DMBEDTLS_ALIGNMENT_DISABLE_EFFICENT_UNALIGNED_ACCESS $FLAVOUR_CFLAGS" \
    LDFLAGS="$FLAVOUR_LDFLAGS" \
    cmake -S . -B build -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib \
    $LIBS_OPTS -DENABLE_PROGRAMS=OFF -DENABLE_TESTING=OFF || return 1
  step build mk -C build || return 1
  step install mk -C build install || return 1
}
