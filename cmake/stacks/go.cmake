# go.cmake — Go's crypto/tls (Debian package golang-go, Go >= 1.19). The shim
# is a Go program built with the go tool (harness/stacks/go/CMakeLists.txt);
# it needs nothing but the standard library, so finding the toolchain is
# finding the stack. -DCABOUND_GO_EXECUTABLE=/path/to/go picks another one.
find_program(CABOUND_GO_EXECUTABLE NAMES go go-1.19 PATHS /usr/lib/go-1.19/bin /usr/lib/go/bin)
if(NOT CABOUND_GO_EXECUTABLE)
  _cabound_missing(go "the go tool not found (Debian package golang-go, or -DCABOUND_GO_EXECUTABLE=PATH)")
else()
  execute_process(COMMAND ${CABOUND_GO_EXECUTABLE} env GOVERSION
                  OUTPUT_VARIABLE _go_ver OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _go_rc ERROR_QUIET)
  string(REGEX MATCH "^go([0-9]+\\.[0-9]+(\\.[0-9]+)?)" _go_m "${_go_ver}")
  if(NOT _go_rc EQUAL 0 OR NOT _go_m)
    _cabound_missing(go "${CABOUND_GO_EXECUTABLE} env GOVERSION failed (Debian package golang-go)")
  elseif(CMAKE_MATCH_1 VERSION_LESS 1.19)
    _cabound_missing(go "${CABOUND_GO_EXECUTABLE} is ${_go_ver}, need go1.19 or later (Debian package golang-go)")
  else()
    set(CABOUND_GO_VERSION ${CMAKE_MATCH_1})
    _cabound_found(go)
  endif()
endif()
