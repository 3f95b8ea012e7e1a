# BoringSSL as Android 14 ships it: Debian's android-platform-external-boringssl
# 14.0.0+r45 (sid), built the way its debian/rules does. There is no upstream
# build system in the orig tarball that Debian uses: debian/rules runs
# `make --file=debian/libcrypto.mk` then `debian/libssl.mk` (dh_auto_build
# --buildsystem=makefile), whose file lists come from debian/sources.mk; so
# the Debian tarball is required, and a version fetched as "orig tarball
# only" is refused (recipe_build says so).
#
# Compiler and flags, from debian/rules: CC=clang CXX=clang++ (clang is
# installed here; Debian's amd64 build-depends on it), with lld
# (-fuse-ld=lld -Wl,--build-id=sha1), and dpkg-buildflags under the same
# DEB_BUILD_MAINT_OPTIONS / DEB_*_MAINT_APPEND debian/rules exports
# (hardening=+all, -DBORINGSSL_ANDROID_SYSTEM -DBORINGSSL_SHARED_LIBRARY
# -DOPENSSL_SMALL ... -std=gnu17 / -std=gnu++2a -gdwarf-4). OPENSSL_SMALL is
# the one define that changes code paths (smaller precomputed tables in
# crypto); none of them touches ssl/.
#
# Debian's patches (debian/patches/series): none is applied, because none is
# needed to build libcrypto and libssl on amd64:
#   01-Add-new-Arch-ia64-riscv64-sh4-x32  include/openssl/base.h: new
#       architectures; for amd64 `__x86_64 && __LP64__` is what upstream's
#       `__x86_64` already selects.
#   02-sources-mk  util/generate_build_files.py: only regenerates
#       debian/sources.mk, which the Debian tarball already carries.
#   03-Disable-failing-test  ssl/ssl_test.cc: a test, not built here.
#   04-Revert-Remove-support-for-ppc64le, 05-loong64: other architectures.
#
# Installed like android-libboringssl(-dev) (debian/*.install), but without
# the android/ sub-directories, which cmake/CaboundStacks.cmake does not want
# under a prefix: include/openssl/*.h, lib/libcrypto.so.0, lib/libssl.so.0
# (SONAMEs from the .mk files) and the libcrypto.so / libssl.so links.
# libssl.mk adds -Wl,-rpath=/usr/lib/MULTIARCH/android (the packaged
# Android 13 libcrypto): the prefix's lib/ is put before it, and the install
# step checks that libssl resolves libcrypto from the prefix.
#
# Stack id: cabound's ids allow [a-z0-9@._-] (cb_lex_id, harness/lib/lex.c),
# not Debian's "+": the id is AOSP's own tag spelling, android-14.0.0_r45 ->
# boringssl@14.0.0_r45 (Debian's 14.0.0+r45 is that tag).
STACK=boringssl
SRCPKG=android-platform-external-boringssl
SERIES='^14\.'
BSSL_CPPFLAGS="-DNDEBUG -UDEBUG -DBORINGSSL_ANDROID_SYSTEM -DBORINGSSL_IMPLEMENTATION -DBORINGSSL_SHARED_LIBRARY -DOPENSSL_SMALL -fmessage-length=0 -fno-exceptions -fno-strict-aliasing -no-canonical-prefixes"
# The fuzz flavour (ci/stacks.d/flavours/fuzz.sh): the same makefiles and
# defines, the flavour's flags in place of dpkg-buildflags' (hardening and -O2
# would only fight -O1 and the sanitizers), -DOPENSSL_NO_ASM and no assembly
# sources (amd64_SOURCES emptied on make's command line: the perlasm code
# hides loads and stores from ASan and edges from the coverage), not
# stripped (libFuzzer's -print_coverage names the list functions from the
# debug info). Still shared libraries, as the makefiles build: their
# sanitizer and coverage symbols resolve against the fuzz target's runtime.
BSSL_FUZZ=""
[ "$FLAVOUR" = fuzz ] && BSSL_FUZZ="; fuzz flavour: CFLAGS/CXXFLAGS=$FLAVOUR_CFLAGS -fPIC -std=gnu17|gnu++2a, CPPFLAGS+=-DOPENSSL_NO_ASM, amd64_SOURCES= (no assembly), LDFLAGS=$FLAVOUR_LDFLAGS -fuse-ld=lld, not stripped"
CONFIG_OPTS="Debian patches: none applied (see 'debian packaging'); make --file=debian/libcrypto.mk, then debian/libssl.mk, CC=clang CXX=clang++, dpkg-buildflags with DEB_BUILD_MAINT_OPTIONS='hardening=+all optimize=-lto' DEB_CPPFLAGS_MAINT_APPEND='$BSSL_CPPFLAGS' DEB_CFLAGS_MAINT_APPEND='-fPIC -std=gnu17 -gdwarf-4' DEB_CXXFLAGS_MAINT_APPEND='-fPIC -std=gnu++2a -gdwarf-4' DEB_LDFLAGS_MAINT_APPEND='-fPIC -fuse-ld=lld -Wl,--build-id=sha1' (debian/rules), LDFLAGS prefixed with -Wl,-rpath=PREFIX/lib; installed stripped (--strip-unneeded, as dh_strip)$BSSL_FUZZ"

# recipe_id_version UPSTREAM: the version part of the stack id.
recipe_id_version() { printf '%s\n' "${1//+/_}"; }

# RECIPE_COMPILER: what PROVENANCE names as the compiler (ci/stacks).
RECIPE_COMPILER="$(clang --version 2>/dev/null | head -1) (debian/rules: CC=clang CXX=clang++), $(ld.lld --version 2>/dev/null | head -1)"

# bssl_flags: debian/rules' exports, turned into flags by dpkg-buildflags.
# Called in the subshell of each make (bssl_make): nothing leaks into the
# next target's build.
bssl_flags() {
  export DEB_BUILD_MAINT_OPTIONS="hardening=+all optimize=-lto"
  export DEB_CPPFLAGS_MAINT_APPEND="$BSSL_CPPFLAGS"
  export DEB_CFLAGS_MAINT_APPEND="-fPIC -std=gnu17 -gdwarf-4"
  export DEB_CXXFLAGS_MAINT_APPEND="-fPIC -std=gnu++2a -gdwarf-4"
  export DEB_LDFLAGS_MAINT_APPEND="-fPIC -fuse-ld=lld -Wl,--build-id=sha1"
  export CC=clang CXX=clang++
  if [ "$FLAVOUR" = fuzz ]; then
    CPPFLAGS="$BSSL_CPPFLAGS -DOPENSSL_NO_ASM" CFLAGS="$FLAVOUR_CFLAGS -fPIC -std=gnu17" &&
      CXXFLAGS="$FLAVOUR_CFLAGS -fPIC -std=gnu++2a" LDFLAGS="-Wl,-rpath=$PREFIX/lib -fPIC -fuse-ld=lld $FLAVOUR_LDFLAGS" &&
      DEB_HOST_ARCH=$(dpkg-architecture -qDEB_HOST_ARCH) && DEB_HOST_MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH) &&
      export CPPFLAGS CFLAGS CXXFLAGS LDFLAGS DEB_HOST_ARCH DEB_HOST_MULTIARCH &&
      printf 'CC=%s CXX=%s (fuzz flavour)\nCPPFLAGS=%s\nCFLAGS=%s\nCXXFLAGS=%s\nLDFLAGS=%s\n' \
        "$CC" "$CXX" "$CPPFLAGS" "$CFLAGS" "$CXXFLAGS" "$LDFLAGS"
    return
  fi
  CPPFLAGS=$(dpkg-buildflags --get CPPFLAGS) && CFLAGS=$(dpkg-buildflags --get CFLAGS) &&
    CXXFLAGS=$(dpkg-buildflags --get CXXFLAGS) && LDFLAGS="-Wl,-rpath=$PREFIX/lib $(dpkg-buildflags --get LDFLAGS)" &&
    DEB_HOST_ARCH=$(dpkg-architecture -qDEB_HOST_ARCH) && DEB_HOST_MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH) &&
    export CPPFLAGS CFLAGS CXXFLAGS LDFLAGS DEB_HOST_ARCH DEB_HOST_MULTIARCH &&
    printf 'CC=%s CXX=%s DEB_HOST_ARCH=%s\nCPPFLAGS=%s\nCFLAGS=%s\nCXXFLAGS=%s\nLDFLAGS=%s\n' \
      "$CC" "$CXX" "$DEB_HOST_ARCH" "$CPPFLAGS" "$CFLAGS" "$CXXFLAGS" "$LDFLAGS"
}
# bssl_make LIB: what dh_auto_build runs for debian/LIB.mk.
bssl_make() {
  if [ "$FLAVOUR" = fuzz ]; then ( bssl_flags && mk --file=debian/$1.mk amd64_SOURCES= ); else ( bssl_flags && mk --file=debian/$1.mk ); fi
}

bssl_debian() {
  # ci/stacks unpacked the Debian tarball next to the source (debian-pkg/).
  local pkg=$SRC/../debian-pkg/debian
  [ -f "$pkg/sources.mk" ] && [ -f "$pkg/libcrypto.mk" ] && [ -f "$pkg/libssl.mk" ] || {
    echo "no Debian packaging (debian/sources.mk, libcrypto.mk, libssl.mk): the archive served the orig tarball only; BoringSSL cannot be built the way Debian does without it"
    return 1
  }
  cp -r "$pkg" debian && grep -q '^ssl_sources' debian/sources.mk || return 1
  # PROVENANCE's "debian packaging" line (ci/stacks): used, not just read.
  DEBIAN_RULES="its debian/libcrypto.mk, debian/libssl.mk and debian/sources.mk build the libraries (debian/rules); Debian patches applied: none, as amd64 needs none of debian/patches/series: $(bssl_patches_why)"
}

# bssl_patches_why: each patch of the series and why it is not applied; an
# unknown patch fails the build (a new Debian revision must be looked at).
bssl_patches_why() {
  local p out=""
  while read -r p; do
    case $p in
      ''|'#'*) continue ;;
      01-Add-new-Arch-ia64-riscv64-sh4-x32.patch) out="$out $p (include/openssl/base.h: other architectures; on amd64 it selects what upstream does);" ;;
      02-sources-mk.patch) out="$out $p (util/generate_build_files.py: regenerates debian/sources.mk, which the Debian tarball carries);" ;;
      03-Disable-failing-test.patch) out="$out $p (ssl/ssl_test.cc: a test, not built);" ;;
      04-Revert-Remove-support-for-ppc64le.patch) out="$out $p (ppc64el);" ;;
      05-loong64.patch) out="$out $p (loong64);" ;;
      *) echo "unknown Debian patch $p in debian/patches/series: read it and say in ci/stacks.d/recipes/boringssl.sh whether amd64 needs it" >&2; return 1 ;;
    esac
  done <debian/patches/series
  printf '%s\n' "${out# }"
}

bssl_install() {
  local l
  mkdir -p "$PREFIX/include" "$PREFIX/lib" &&
    cp -r src/include/openssl "$PREFIX/include/" || return 1
  for l in libcrypto libssl; do
    cp debian/out/$l.so.0 "$PREFIX/lib/" && { [ "$FLAVOUR" = fuzz ] || strip --strip-unneeded "$PREFIX/lib/$l.so.0"; } &&
      ln -sf $l.so.0 "$PREFIX/lib/$l.so" || return 1
  done
  # libssl must find this libcrypto, not the packaged Android 13 one.
  # (ldd's output kept whole first: grep -q stopping early must not make
  # the pipe's writer fail under pipefail.)
  local deps
  deps=$(LD_LIBRARY_PATH= ldd "$PREFIX/lib/libssl.so.0") && printf '%s\n' "$deps" >&2 &&
    grep -q "libcrypto.so.0 => $PREFIX/lib/libcrypto.so.0" <<<"$deps" ||
    { echo "libssl.so.0 does not resolve libcrypto.so.0 from $PREFIX/lib"; return 1; }
}

recipe_build() {
  step debian bssl_debian || return 1
  step build bssl_make libcrypto || return 1
  step build bssl_make libssl || return 1
  step install bssl_install || return 1
}
