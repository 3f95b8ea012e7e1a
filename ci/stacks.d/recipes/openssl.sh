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
CONFIG_OPTS="./Configure linux-x86_64 --prefix=PREFIX --openssldir=PREFIX/ssl --libdir=lib $(openssl_opts)"

recipe_build() {
  step configure ./Configure linux-x86_64 --prefix="$PREFIX" --openssldir="$PREFIX/ssl" --libdir=lib $(openssl_opts) || return 1
  step build mk build_sw || return 1
  step install mk install_sw install_ssldirs || return 1
}
