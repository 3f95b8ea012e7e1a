# CaboundApps.cmake — find the real applications the apps suite drives
# (harness/stacks/apps/NOTES.md): each is a stack of kind "app", never part
# of a suite's "all". An application is found when every file it needs is
# installed; a missing one is named with the Debian package that brings it
# (ci/deps installs them all).
#
# Defines CABOUND_ALL_APPS (every application this build knows, in table
# order), CABOUND_APPS_FOUND, and CABOUND_APPS_MISSING ("app: reason"), which
# joins the stacks' reasons for `cabound stacks`.

set(CABOUND_ALL_APPS "")
set(CABOUND_APPS_FOUND "")
set(CABOUND_APPS_MISSING "")
option(CABOUND_APPS "build the application shims (harness/stacks/apps)" ON)

# _cabound_app(APP KIND PACKAGES FILE...): APP of KIND (server or client) is
# found when every FILE exists; PACKAGES (comma-separated) bring them.
macro(_cabound_app app kind packages)
  list(APPEND CABOUND_ALL_APPS ${app})
  set(CABOUND_APP_KIND_${app} ${kind})
  set(_gone "")
  foreach(_f ${ARGN})
    if(NOT EXISTS "${_f}")
      list(APPEND _gone "${_f}")
    endif()
  endforeach()
  if(NOT CABOUND_APPS)
    list(APPEND CABOUND_APPS_MISSING "${app}: not built (-DCABOUND_APPS=OFF)")
  elseif(_gone)
    string(REPLACE ";" ", " _gone "${_gone}")
    list(APPEND CABOUND_APPS_MISSING "${app}: ${_gone} not installed (Debian package ${packages})")
  else()
    list(APPEND CABOUND_APPS_FOUND ${app})
  endif()
endmacro()

foreach(_m openssl gnutls mbedtls wolfssl nss)
  _cabound_app(lighttpd-${_m} server "lighttpd, lighttpd-mod-${_m}" /usr/sbin/lighttpd /usr/lib/lighttpd/mod_${_m}.so)
endforeach()
_cabound_app(nginx server nginx /usr/sbin/nginx)
_cabound_app(apache2 server apache2 /usr/sbin/apache2 /usr/lib/apache2/modules/mod_ssl.so
             /usr/lib/apache2/modules/mod_mpm_prefork.so)
_cabound_app(haproxy server haproxy /usr/sbin/haproxy)

# Clients as people use them, run against the library shims' servers.
_cabound_app(curl client curl /usr/bin/curl)
_cabound_app(curl-gnutls client "libcurl3-gnutls, libcurl4-openssl-dev (curl/curl.h)"
             /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/libcurl-gnutls.so.4 /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/curl/curl.h)
_cabound_app(curl-nss client "libcurl3-nss, libcurl4-openssl-dev (curl/curl.h)"
             /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/libcurl-nss.so.4 /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/curl/curl.h)
_cabound_app(wget client wget /usr/bin/wget)
_cabound_app(s_client client openssl /usr/bin/openssl)
_cabound_app(gnutls-cli client gnutls-bin /usr/bin/gnutls-cli)
_cabound_app(python-ssl client python3 /usr/bin/python3)

message(STATUS "cabound applications found: ${CABOUND_APPS_FOUND}")
foreach(_m IN LISTS CABOUND_APPS_MISSING)
  message(STATUS "cabound application missing — ${_m}")
endforeach()
