# rustls.cmake — the rustls stack: a shim in Rust (harness/stacks/rustls),
# built with Debian's own toolchain (/usr/bin/cargo, /usr/bin/rustc from the
# package cargo, never a rustup toolchain that may be first on PATH) against
# Debian's packaged crates only: /usr/share/cargo/registry stands in for
# crates.io and cargo runs --offline. Included by CaboundStacks.cmake.

set(CABOUND_CARGO_REGISTRY /usr/share/cargo/registry CACHE PATH
    "Directory of packaged Rust crates used in place of crates.io (Debian: /usr/share/cargo/registry)")
find_program(CABOUND_CARGO cargo PATHS /usr/bin NO_DEFAULT_PATH)
find_program(CABOUND_RUSTC rustc PATHS /usr/bin NO_DEFAULT_PATH)

# The crates the shim names (harness/stacks/rustls/Cargo.toml) and the Debian
# package of each; ring, sct and untrusted come with librust-rustls-dev.
set(_rustls_crates
    "rustls-0.20.*=librust-rustls-dev"
    "rustls-pemfile-1.*=librust-rustls-pemfile-dev"
    "webpki-0.22.*=librust-webpki-dev"
    "ring-0.16.*=librust-ring-dev"
    "log-0.4.*=librust-log-dev"
    "libc-0.2.*=librust-libc-dev"
    "serde_json-1.*=librust-serde-json-dev")
set(_rustls_why "")
if(NOT CABOUND_CARGO)
  list(APPEND _rustls_why "/usr/bin/cargo not found (Debian package cargo)")
endif()
if(NOT CABOUND_RUSTC)
  list(APPEND _rustls_why "/usr/bin/rustc not found (Debian package rustc, pulled in by cargo)")
endif()
set(_rustls_pkgs "")
foreach(_c IN LISTS _rustls_crates)
  string(REGEX REPLACE "=.*" "" _glob "${_c}")
  string(REGEX REPLACE ".*=" "" _pkg "${_c}")
  file(GLOB _dirs LIST_DIRECTORIES true "${CABOUND_CARGO_REGISTRY}/${_glob}")
  if(NOT _dirs)
    list(APPEND _rustls_pkgs ${_pkg})
  elseif(_glob MATCHES "^rustls-0")
    list(GET _dirs -1 CABOUND_RUSTLS_CRATE_DIR)
  endif()
endforeach()
if(_rustls_pkgs)
  string(REPLACE ";" " " _p "${_rustls_pkgs}")
  list(APPEND _rustls_why "crates missing from ${CABOUND_CARGO_REGISTRY} (Debian packages ${_p})")
endif()
if(_rustls_why)
  string(REPLACE ";" "; " _w "${_rustls_why}")
  _cabound_missing(rustls "${_w}")
else()
  get_filename_component(_v "${CABOUND_RUSTLS_CRATE_DIR}" NAME)
  string(REPLACE "rustls-" "" CABOUND_RUSTLS_VERSION "${_v}")
  _cabound_found(rustls)
endif()
