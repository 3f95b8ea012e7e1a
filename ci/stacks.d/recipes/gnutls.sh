# GnuTLS 3.8 (sid, source package gnutls28). It needs Nettle >= 3.10, newer
# than Debian 12's 3.8: ci/stacks builds nettle from the same archive into the
# same prefix first (Debian's nettle debian/rules: --enable-fat), then GnuTLS
# against it (pkg-config from the prefix first, rpath into the prefix).
# GnuTLS's options follow Debian's gnutls28 3.8.13-1 debian/rules
# (CONFIGUREARGS): --enable-ld-version-script --disable-rpath --without-tpm
# --with-default-trust-store-file=/etc/ssl/certs/ca-certificates.crt. Left
# out or changed: --enable-libdane (needs libunbound-dev; DANE is not
# used), --enable-cxx, docs, tests; --with-included-unistring (Debian links
# the system libunistring, whose -dev package this machine lacks). None of
# these touches the CertificateRequest or record sizes.
STACK=gnutls
SRCPKG=gnutls28
SERIES='^3\.8\.'
NETTLE_OPTS="--enable-fat --disable-documentation --disable-openssl"
GNUTLS_OPTS="--enable-ld-version-script --disable-rpath --without-tpm --without-tpm2 --disable-libdane --disable-cxx --disable-doc --disable-tests --disable-tools --disable-guile --with-included-unistring --with-default-trust-store-file=/etc/ssl/certs/ca-certificates.crt --disable-silent-rules"
# The fuzz flavour (ci/stacks.d/flavours/fuzz.sh): static libraries, Nettle
# without its assembly (--disable-assembler instead of --enable-fat: x86_64
# AES, GCM, SHA and bignum code is invisible to ASan and the coverage),
# GnuTLS without its own accelerated x86 code
# (--disable-hardware-acceleration), the flavour's CFLAGS. Not taken from
# OSS-Fuzz: --enable-fuzzer-target (deterministic randomness, a behaviour change).
# GNUTLS_FUZZ_CFLAGS: lib/crau/crau.h (3.8.13) defines CRAU_MAYBE_UNUSED only
# when __has_c_attribute(__maybe_unused__) holds, or for GCC when
# __has_c_attribute is not there; clang 14 has __has_c_attribute but not that
# C2x attribute in gnu17, leaves the macro undefined and fails on audit.c
# (measured): it is defined empty, which only drops an unused-parameter hint.
GNUTLS_FUZZ_CFLAGS=""
if [ "$FLAVOUR" = fuzz ]; then
  NETTLE_OPTS="--disable-assembler --disable-shared --enable-static --disable-documentation --disable-openssl"
  GNUTLS_OPTS="$GNUTLS_OPTS --disable-shared --enable-static --disable-hardware-acceleration"
  GNUTLS_FUZZ_CFLAGS="-DCRAU_MAYBE_UNUSED="
fi
CONFIG_OPTS="nettle: ./configure --prefix=PREFIX --libdir=PREFIX/lib $NETTLE_OPTS; gnutls: PKG_CONFIG_PATH=PREFIX/lib/pkgconfig ./configure --prefix=PREFIX --libdir=PREFIX/lib $GNUTLS_OPTS"

recipe_build() {
  local gsrc=$PWD
  PART=nettle
  step fetch need_dep nettle '^3\.(1[0-9]|[2-9][0-9])' || return 1
  cd "$DEP_SRC" || return 1
  step configure env ${FLAVOUR_CFLAGS:+CFLAGS="$FLAVOUR_CFLAGS" LDFLAGS="$FLAVOUR_LDFLAGS"} \
    ./configure --prefix="$PREFIX" --libdir="$PREFIX/lib" $NETTLE_OPTS || return 1
  step build mk || return 1
  step install mk install || return 1
  PART=
  cd "$gsrc" || return 1
  step configure env PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig" LDFLAGS="-Wl,-rpath,$PREFIX/lib${FLAVOUR_LDFLAGS:+ $FLAVOUR_LDFLAGS}" \
    ${FLAVOUR_CFLAGS:+CFLAGS="$FLAVOUR_CFLAGS $GNUTLS_FUZZ_CFLAGS"} \
    ./configure --prefix="$PREFIX" --libdir="$PREFIX/lib" $GNUTLS_OPTS || return 1
  step build mk || return 1
  step install mk install || return 1
}
