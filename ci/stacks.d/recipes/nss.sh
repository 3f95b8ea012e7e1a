# NSS 3.1xx with a matching NSPR, both from the same archive into one prefix.
# NSPR: configured as Debian's nspr 4.36-1 debian/rules does (--enable-optimize
# --disable-debug --enable-debug-symbols --enable-64bit). NSS: the archive
# held no Debian tarball for any listed 3.1xx upload (404), so its
# debian/rules could not be read; the build is upstream's coreconf make with
# the variables Debian's package has long passed (BUILD_OPT=1 USE_64=1
# NSS_USE_SYSTEM_SQLITE=1 USE_SYSTEM_ZLIB=1 NSS_ENABLE_WERROR=0
# NSS_DISABLE_GTESTS=1, NSPR from the prefix), none of which touches TLS
# behaviour. NSS has no "make install": the public headers, the shared
# libraries and an nss.pc (Requires: nspr, as Debian's) go into the prefix.
STACK=nss
SRCPKG=nss
SERIES='^3\.1[0-9][0-9]'
NSPR_OPTS="--enable-optimize --disable-debug --enable-debug-symbols --enable-64bit"
NSS_MAKE="BUILD_OPT=1 USE_64=1 NSS_USE_SYSTEM_SQLITE=1 USE_SYSTEM_ZLIB=1 ZLIB_LIBS=-lz NSS_ENABLE_WERROR=0 NSS_DISABLE_GTESTS=1"
# The fuzz flavour (ci/stacks.d/flavours/fuzz.sh): NSPR and NSS compiled by
# clang with the flavour's CFLAGS (NSS: CC/CCC and XCFLAGS on coreconf's make
# line; its programs link with CFLAGS, so they get the sanitizer runtime),
# ZDEFS_FLAG emptied (the shared libraries' -z defs link would need the
# sanitizer runtime's symbols). Still shared libraries (upstream's coreconf
# make builds NSS's static archives but no static link of libssl3's
# dependencies) and freebl's assembly left as it is (libssl's CA-list code
# is C either way).
NSS_FUZZ_MAKE=""
[ "$FLAVOUR" = fuzz ] && NSS_FUZZ_MAKE="CC=clang CCC=clang++ ZDEFS_FLAG="
CONFIG_OPTS="nspr: ./configure --prefix=PREFIX --libdir=PREFIX/lib $NSPR_OPTS; nss: make -C nss all $NSS_MAKE${NSS_FUZZ_MAKE:+ $NSS_FUZZ_MAKE XCFLAGS=$FLAVOUR_CFLAGS} NSPR_INCLUDE_DIR=PREFIX/include/nspr NSPR_LIB_DIR=PREFIX/lib"

nss_install() {
  local top=$1 objdir
  objdir=$(ls -d "$top"/dist/Linux*_OPT.OBJ | head -1)
  [ -d "$objdir/lib" ] || { echo "no $top/dist/Linux*_OPT.OBJ/lib"; return 1; }
  mkdir -p "$PREFIX/include/nss" "$PREFIX/lib/pkgconfig" &&
    cp -L "$top"/dist/public/nss/*.h "$PREFIX/include/nss/" &&
    cp -L "$objdir"/lib/*.so "$PREFIX/lib/" &&
    cat >"$PREFIX/lib/pkgconfig/nss.pc" <<PC
prefix=$PREFIX
libdir=\${prefix}/lib
includedir=\${prefix}/include/nss

Name: NSS
Description: Network Security Services (built by cabound's ci/stacks)
Version: $UPV
Requires: nspr
Libs: -L\${libdir} -lssl3 -lsmime3 -lnss3 -lnssutil3
Cflags: -I\${includedir}
PC
}

recipe_build() {
  local top=$PWD
  PART=nspr
  step fetch need_dep nspr '^4\.' || return 1
  cd "$DEP_SRC/nspr" || return 1
  step configure env ${FLAVOUR_CFLAGS:+CFLAGS="$FLAVOUR_CFLAGS" LDFLAGS="$FLAVOUR_LDFLAGS"} \
    ./configure --prefix="$PREFIX" --libdir="$PREFIX/lib" $NSPR_OPTS || return 1
  step build mk || return 1
  step install mk install || return 1
  PART=
  cd "$top" || return 1
  # coreconf builds are not safe in parallel: one job.
  step build nice -n 10 make -C nss all $NSS_MAKE $NSS_FUZZ_MAKE ${FLAVOUR_CFLAGS:+XCFLAGS="$FLAVOUR_CFLAGS"} \
    NSPR_INCLUDE_DIR="$PREFIX/include/nspr" NSPR_LIB_DIR="$PREFIX/lib" || return 1
  step install nss_install "$top" || return 1
}
