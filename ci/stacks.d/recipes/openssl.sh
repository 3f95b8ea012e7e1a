# OpenSSL 3.6 (sid), with the Configure options of Debian's openssl 3.6.3-1
# debian/rules (CONFARGS) that bear on TLS: no-ssl3 no-ssl3-method
# no-idea no-mdc2 no-rc5 enable-rfc3779 enable-cms no-capieng no-rdrand
# enable-ec_nistp_64_gcc_128 enable-tfo, and enable-zlib/enable-zstd when
# their headers are here (RFC 8879 certificate compression). Left out:
# Debian's "debian-amd64" target (a Debian patch, debian-targets.patch: the
# upstream linux-x86_64 target instead), enable-fips (the FIPS provider is
# never loaded by the shim), enable-unit-test, docs. --openssldir is the
# prefix's ssl/ (upstream's openssl.cnf, not Debian's /etc/ssl one).
STACK=openssl
SRCPKG=openssl
SERIES='^3\.6\.'
openssl_opts() {
  local o="shared no-ssl3 no-ssl3-method no-idea no-mdc2 no-rc5 enable-rfc3779 enable-cms no-capieng no-rdrand enable-ec_nistp_64_gcc_128 enable-tfo no-tests no-docs"
  [ -f /usr/include/zlib.h ] && o="$o enable-zlib"
  [ -f /usr/include/zstd.h ] && o="$o enable-zstd"
  echo "$o"
}
# The fuzz flavour (ci/stacks.d/flavours/fuzz.sh): as OSS-Fuzz's OpenSSL build,
# static libraries (no-shared) and no assembly (no-asm: the perlasm
# bignum, AES, SHA and ChaCha code is invisible to ASan and to the
# coverage), plus no-module (the legacy provider built into libcrypto, not a
# shared module whose -z defs link would need the sanitizer runtime); the
# flavour's CFLAGS in the environment replace Configure's defaults; only
# the libraries and headers are built and installed (build_libs,
# install_dev). Not taken from OSS-Fuzz: enable-fuzz-libfuzzer and
# -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION (they change behaviour).
[ "$FLAVOUR" = fuzz ] && openssl_fuzz_opts="no-shared no-asm no-module" || openssl_fuzz_opts=""
CONFIG_OPTS="./Configure linux-x86_64 --prefix=PREFIX --openssldir=PREFIX/ssl --libdir=lib $(openssl_opts)${openssl_fuzz_opts:+ $openssl_fuzz_opts CFLAGS=$FLAVOUR_CFLAGS}"

recipe_build() {
  if [ "$FLAVOUR" = fuzz ]; then
    step configure env CFLAGS="$FLAVOUR_CFLAGS" LDFLAGS="$FLAVOUR_LDFLAGS" ./Configure linux-x86_64 \
      --prefix="$PREFIX" --openssldir="$PREFIX/ssl" --libdir=lib $(openssl_opts | sed 's/^shared //') $openssl_fuzz_opts || return 1
    step build mk build_libs || return 1
    step install mk install_dev || return 1
    return 0
  fi
  step configure ./Configure linux-x86_64 --prefix="$PREFIX" --openssldir="$PREFIX/ssl" --libdir=lib $(openssl_opts) || return 1
  step build mk build_sw || return 1
  step install mk install_sw install_ssldirs || return 1
}
