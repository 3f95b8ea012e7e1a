# jsse — the JDK's own TLS (SunJSSE), Debian openjdk-17-jdk-headless; the
# shim is Java (harness/stacks/jsse), built with the JDK's javac and jar.
include(${CMAKE_CURRENT_LIST_DIR}/_jdk.cmake)
if(CABOUND_JDK_FOUND)
  _cabound_found(jsse)
else()
  _cabound_missing(jsse "${CABOUND_JDK_WHY}")
endif()
