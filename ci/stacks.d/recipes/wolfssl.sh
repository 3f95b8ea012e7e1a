# wolfSSL 5.9 (sid), configured as Debian's wolfssl debian/rules does
# (override_dh_auto_configure, read from 5.7.2-0.1+deb13u2: the sid 5.9.2
# upload's Debian tarball was missing from the archive): --enable-distro
# (the OpenSSL compatibility layer, opensslextra/opensslall, that the shim's
# SSL_CTX_set_client_CA_list and SSL_get_client_CA_list need, and most
# features) --enable-oldtls --enable-pkcs11 --disable-examples. Added:
# --disable-crypttests --disable-benchmark (test programs, not installed).
# Needs autoconf, automake, libtool (ci/deps).
STACK=wolfssl
SRCPKG=wolfssl
SERIES='^5\.'
WOLF_OPTS="--enable-distro --enable-oldtls --enable-pkcs11 --disable-examples --disable-silent-rules --disable-crypttests --disable-benchmark"
# The fuzz flavour (ci/stacks.d/flavours/fuzz.sh): a static library only and
# assembly off (--disable-asm: wolfcrypt's inline/x86 assembly for bignum,
# AES-NI, SHA; --disable-aesni --disable-intelasm in case --enable-distro
# turned them on), the flavour's CFLAGS.
[ "$FLAVOUR" = fuzz ] && WOLF_OPTS="$WOLF_OPTS --disable-shared --enable-static --disable-asm --disable-aesni --disable-intelasm"
CONFIG_OPTS="./configure --prefix=PREFIX --libdir=PREFIX/lib $WOLF_OPTS"
[ "$FLAVOUR" = fuzz ] && CONFIG_OPTS="$CONFIG_OPTS CFLAGS=$FLAVOUR_CFLAGS"

recipe_build() {
  # The orig tarball is a git export without a generated configure (Debian's
  # build runs dh_autoreconf): upstream's autogen.sh makes it.
  [ -x configure ] || step configure ./autogen.sh || return 1
  step configure env ${FLAVOUR_CFLAGS:+CFLAGS="$FLAVOUR_CFLAGS" LDFLAGS="$FLAVOUR_LDFLAGS"} \
    ./configure --prefix="$PREFIX" --libdir="$PREFIX/lib" $WOLF_OPTS || return 1
  step build mk || return 1
  step install mk install || return 1
}
