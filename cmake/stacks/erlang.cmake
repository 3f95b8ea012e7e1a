# erlang.cmake — Erlang/OTP's ssl application (Debian packages erlang-base,
# erlang-ssl, erlang-public-key, erlang-crypto; OTP 25 or later, for the
# certs_keys option). The shim is a set of Erlang modules compiled with erlc
# and bundled into one escript (harness/stacks/erlang/CMakeLists.txt); it
# reads and writes JSON with jiffy (Debian package erlang-jiffy). Finding the
# stack is finding erl, erlc and escript, and an emulator that loads ssl and
# jiffy. -DCABOUND_ERL_EXECUTABLE=/path/to/erl picks another OTP (its erlc
# and escript are taken from the same directory).
find_program(CABOUND_ERL_EXECUTABLE NAMES erl)
if(CABOUND_ERL_EXECUTABLE)
  get_filename_component(_erl_dir ${CABOUND_ERL_EXECUTABLE} DIRECTORY)
  find_program(CABOUND_ERLC_EXECUTABLE NAMES erlc HINTS ${_erl_dir} NO_DEFAULT_PATH)
  find_program(CABOUND_ERLC_EXECUTABLE NAMES erlc)
  find_program(CABOUND_ESCRIPT_EXECUTABLE NAMES escript HINTS ${_erl_dir} NO_DEFAULT_PATH)
  find_program(CABOUND_ESCRIPT_EXECUTABLE NAMES escript)
endif()
if(NOT CABOUND_ERL_EXECUTABLE OR NOT CABOUND_ERLC_EXECUTABLE OR NOT CABOUND_ESCRIPT_EXECUTABLE)
  _cabound_missing(erlang "erl, erlc or escript not found (Debian package erlang-base, or -DCABOUND_ERL_EXECUTABLE=PATH)")
else()
  # One line: OTP release, ssl version, and whether jiffy loads.
  execute_process(COMMAND ${CABOUND_ERL_EXECUTABLE} -noshell -eval
    "R = erlang:system_info(otp_release), S = case application:load(ssl) of ok -> {ok, V} = application:get_key(ssl, vsn), V; _ -> \"none\" end, J = case code:which(jiffy) of non_existing -> \"nojiffy\"; _ -> \"jiffy\" end, io:format(\"~s ~s ~s~n\", [R, S, J]), halt()."
    OUTPUT_VARIABLE _erl_out OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _erl_rc ERROR_QUIET)
  if(NOT _erl_rc EQUAL 0 OR NOT _erl_out MATCHES "^([0-9]+) ([^ ]+) ([a-z]+)$")
    _cabound_missing(erlang "${CABOUND_ERL_EXECUTABLE} did not start (Debian package erlang-base)")
  elseif(CMAKE_MATCH_1 LESS 25)
    _cabound_missing(erlang "${CABOUND_ERL_EXECUTABLE} is OTP ${CMAKE_MATCH_1}, need OTP 25 or later (Debian package erlang-base)")
  elseif(CMAKE_MATCH_2 STREQUAL "none")
    _cabound_missing(erlang "the ssl application does not load (Debian packages erlang-ssl, erlang-public-key, erlang-crypto)")
  elseif(NOT CMAKE_MATCH_3 STREQUAL "jiffy")
    _cabound_missing(erlang "the jiffy JSON library does not load (Debian package erlang-jiffy)")
  else()
    set(CABOUND_ERLANG_OTP ${CMAKE_MATCH_1})
    set(CABOUND_ERLANG_VERSION ${CMAKE_MATCH_2})
    _cabound_found(erlang)
  endif()
endif()
