# CaboundStacks.cmake — find each of the six TLS stacks and say, for every
# one, whether it was found and why not. A stack can be pointed at any build
# with -DCABOUND_<STACK>_ROOT=/prefix (headers in include/, libraries in lib/).
#
# Defines for each found stack an INTERFACE target cabound::<stack> and the
# list CABOUND_STACKS_FOUND; CABOUND_STACKS_MISSING holds "stack: reason".

set(CABOUND_ALL_STACKS openssl boringssl gnutls mbedtls wolfssl nss)
set(CABOUND_STACKS_FOUND "")
set(CABOUND_STACKS_MISSING "")

function(_cabound_found stack)
  set(CABOUND_STACKS_FOUND ${CABOUND_STACKS_FOUND} ${stack} PARENT_SCOPE)
endfunction()
function(_cabound_missing stack why)
  set(CABOUND_STACKS_MISSING ${CABOUND_STACKS_MISSING} "${stack}: ${why}" PARENT_SCOPE)
endfunction()

# _cabound_pkg: a stack found through pkg-config, or under CABOUND_<STACK>_ROOT.
macro(_cabound_pkg stack module debpkg)
  string(TOUPPER ${stack} _S)
  if(CABOUND_${_S}_ROOT)
    set(ENV{PKG_CONFIG_PATH} "${CABOUND_${_S}_ROOT}/lib/pkgconfig:${CABOUND_${_S}_ROOT}/lib64/pkgconfig:${CABOUND_${_S}_ROOT}/lib/${CMAKE_LIBRARY_ARCHITECTURE}/pkgconfig")
  endif()
  pkg_check_modules(STACK_${_S} QUIET IMPORTED_TARGET GLOBAL ${module})
  unset(ENV{PKG_CONFIG_PATH})
  if(STACK_${_S}_FOUND)
    add_library(cabound_stack_${stack} INTERFACE)
    target_link_libraries(cabound_stack_${stack} INTERFACE PkgConfig::STACK_${_S})
    if(STACK_${_S}_LIBRARY_DIRS)
      target_link_options(cabound_stack_${stack} INTERFACE "-Wl,-rpath,${STACK_${_S}_LIBRARY_DIRS}")
    endif()
    add_library(cabound::${stack} ALIAS cabound_stack_${stack})
    _cabound_found(${stack})
    set(CABOUND_${_S}_VERSION ${STACK_${_S}_VERSION})
  else()
    _cabound_missing(${stack} "pkg-config module '${module}' not found (Debian package ${debpkg}, or -DCABOUND_${_S}_ROOT=PREFIX)")
  endif()
endmacro()

# _cabound_manual: a stack found by header and library names.
macro(_cabound_manual stack header debpkg incsuffix libsuffix)
  string(TOUPPER ${stack} _S)
  set(_libs ${ARGN})
  # A stack installed beside another one under a sub-directory (BoringSSL's
  # android/) must never resolve to the other's files: search only there.
  if(CABOUND_${_S}_ROOT)
    set(_incdirs ${CABOUND_${_S}_ROOT}/include)
    set(_libdirs ${CABOUND_${_S}_ROOT}/lib ${CABOUND_${_S}_ROOT}/lib64 ${CABOUND_${_S}_ROOT}/lib/${CMAKE_LIBRARY_ARCHITECTURE} ${CABOUND_${_S}_ROOT})
  else()
    set(_incdirs /usr/local/include/${incsuffix} /usr/include/${incsuffix})
    set(_libdirs /usr/local/lib/${libsuffix} /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/${libsuffix} /usr/lib/${libsuffix})
  endif()
  find_path(CABOUND_${_S}_INCLUDE_DIR ${header} PATHS ${_incdirs} NO_DEFAULT_PATH)
  set(_paths "")
  set(_ok TRUE)
  foreach(_l IN LISTS _libs)
    find_library(CABOUND_${_S}_LIB_${_l} NAMES ${_l} PATHS ${_libdirs} NO_DEFAULT_PATH)
    if(NOT CABOUND_${_S}_LIB_${_l})
      set(_ok FALSE)
    else()
      list(APPEND _paths ${CABOUND_${_S}_LIB_${_l}})
    endif()
  endforeach()
  if(CABOUND_${_S}_INCLUDE_DIR AND _ok)
    add_library(cabound_stack_${stack} INTERFACE)
    target_include_directories(cabound_stack_${stack} SYSTEM INTERFACE ${CABOUND_${_S}_INCLUDE_DIR})
    target_link_libraries(cabound_stack_${stack} INTERFACE ${_paths})
    list(GET _paths 0 _first)
    get_filename_component(_dir ${_first} DIRECTORY)
    target_link_options(cabound_stack_${stack} INTERFACE "-Wl,-rpath,${_dir}")
    add_library(cabound::${stack} ALIAS cabound_stack_${stack})
    _cabound_found(${stack})
  else()
    _cabound_missing(${stack} "${header} or libraries (${_libs}) not found (Debian package ${debpkg}, or -DCABOUND_${_S}_ROOT=PREFIX)")
  endif()
endmacro()

_cabound_pkg(openssl openssl libssl-dev)
# BoringSSL's Debian build installs OpenSSL-named headers and libraries in
# their own android/ directories so they never collide with OpenSSL's.
_cabound_manual(boringssl openssl/ssl.h android-libboringssl-dev android android ssl crypto)
_cabound_pkg(gnutls gnutls libgnutls28-dev)
_cabound_manual(mbedtls mbedtls/ssl.h libmbedtls-dev "" "" mbedtls mbedx509 mbedcrypto)
_cabound_pkg(wolfssl wolfssl libwolfssl-dev)
_cabound_pkg(nss nss libnss3-dev)

message(STATUS "cabound TLS stacks found: ${CABOUND_STACKS_FOUND}")
foreach(_m IN LISTS CABOUND_STACKS_MISSING)
  message(WARNING "cabound TLS stack missing — ${_m}")
endforeach()
if(CABOUND_REQUIRE_ALL_STACKS AND CABOUND_STACKS_MISSING)
  message(FATAL_ERROR "CABOUND_REQUIRE_ALL_STACKS is ON and stacks are missing: ${CABOUND_STACKS_MISSING}")
endif()
