# wire.cmake — the tests of cabound_pki and cabound_wire, included from
# harness/tests/CMakeLists.txt. Paths go through CMAKE_CURRENT_LIST_DIR so the
# file works from any including directory.
set(_wire_tests ${CMAKE_CURRENT_LIST_DIR})
set(_wire_src ${CMAKE_CURRENT_LIST_DIR}/../wire)

add_executable(test_pki ${_wire_tests}/test_pki.c)
target_include_directories(test_pki PRIVATE ${_wire_tests})
target_link_libraries(test_pki PRIVATE cabound_pki cabound_core PkgConfig::HARNESS_CRYPTO)
add_test(NAME test_pki COMMAND test_pki)
set_tests_properties(test_pki PROPERTIES SKIP_RETURN_CODE 77 LABELS unit)

# The TLS tests run real OpenSSL handshakes in memory, so they (and only they)
# link libssl; tls_pair.c is test support and never part of cabound_wire.
pkg_check_modules(CABOUND_TEST_LIBSSL QUIET IMPORTED_TARGET openssl)
if(CABOUND_TEST_LIBSSL_FOUND)
  add_library(cabound_tls_pair STATIC ${_wire_src}/testing/tls_pair.c)
  target_include_directories(cabound_tls_pair PUBLIC ${_wire_src}/testing)
  target_link_libraries(cabound_tls_pair PUBLIC cabound_wire cabound_core PkgConfig::CABOUND_TEST_LIBSSL)

  foreach(t test_tls13 test_pcap)
    add_executable(${t} ${_wire_tests}/${t}.c)
    target_include_directories(${t} PRIVATE ${_wire_tests})
    target_link_libraries(${t} PRIVATE cabound_tls_pair cabound_wire cabound_pki cabound_core PkgConfig::PCAP)
    add_test(NAME ${t} COMMAND ${t})
    set_tests_properties(${t} PROPERTIES SKIP_RETURN_CODE 77 LABELS unit)
  endforeach()
  # Wireshark's reading of the same captures; skipped (77) without tshark.
  add_test(NAME tshark_agrees COMMAND test_pcap --tshark)
  set_tests_properties(tshark_agrees PROPERTIES SKIP_RETURN_CODE 77 LABELS unit TIMEOUT 120)
else()
  message(WARNING "libssl (pkg-config openssl) not found: test_tls13, test_pcap and tshark_agrees are not built")
endif()
