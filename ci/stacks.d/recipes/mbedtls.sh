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
CONFIG_OPTS="scripts/config.py set $DEB_SET; cmake -DUSE_SHARED_MBEDTLS_LIBRARY=ON -DUSE_STATIC_MBEDTLS_LIBRARY=OFF -DENABLE_PROGRAMS=OFF -DENABLE_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo; CFLAGS=-DMBEDTLS_ALIGNMENT_DISABLE_EFFICENT_UNALIGNED_ACCESS"

mbedtls_config() {
  local o
  for o in $DEB_SET; do python3 scripts/config.py set "$o" || return 1; done
}

recipe_build() {
  step configure mbedtls_config || return 1
  step configure env CFLAGS=-DMBEDTLS_ALIGNMENT_DISABLE_EFFICENT_UNALIGNED_ACCESS \
    cmake -S . -B build -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib \
    -DUSE_SHARED_MBEDTLS_LIBRARY=ON -DUSE_STATIC_MBEDTLS_LIBRARY=OFF -DENABLE_PROGRAMS=OFF \
    -DENABLE_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo || return 1
  step build mk -C build || return 1
  step install mk -C build install || return 1
}
