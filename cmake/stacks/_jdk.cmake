# _jdk.cmake — the JDK that builds and runs the JVM shims (jsse, bctls): not
# a stack of its own (no stack is named "_jdk"), included by their files.
# Debian's openjdk-17-jdk-headless by default: SunJSSE 17 is the stack jsse
# measures, so another JDK on PATH must not answer. -DCABOUND_JAVA_HOME=DIR
# picks another JDK (17 or later).
if(NOT DEFINED _CABOUND_JDK_DONE)
  set(_CABOUND_JDK_DONE TRUE)
  set(CABOUND_JAVA_HOME "" CACHE PATH "JDK for the JVM shims (default: Debian's openjdk-17)")
  if(CABOUND_JAVA_HOME)
    set(_jdk_dirs ${CABOUND_JAVA_HOME}/bin)
  else()
    file(GLOB _jdk_dirs /usr/lib/jvm/java-17-openjdk-*/bin)
  endif()
  find_program(CABOUND_JAVAC javac PATHS ${_jdk_dirs} NO_DEFAULT_PATH)
  find_program(CABOUND_JAVA java PATHS ${_jdk_dirs} NO_DEFAULT_PATH)
  find_program(CABOUND_JAR jar PATHS ${_jdk_dirs} NO_DEFAULT_PATH)
  set(CABOUND_JDK_FOUND FALSE)
  if(CABOUND_JAVAC AND CABOUND_JAVA AND CABOUND_JAR)
    execute_process(COMMAND ${CABOUND_JAVAC} -version OUTPUT_VARIABLE _jv ERROR_VARIABLE _jv
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_STRIP_TRAILING_WHITESPACE)
    if(_jv MATCHES "javac ([0-9]+)")
      if(CMAKE_MATCH_1 GREATER_EQUAL 17)
        set(CABOUND_JDK_FOUND TRUE)
        set(CABOUND_JDK_VERSION "${_jv}")
      endif()
    endif()
  endif()
  set(CABOUND_JDK_WHY "javac, java and jar of a JDK 17 not found (Debian package openjdk-17-jdk-headless, or -DCABOUND_JAVA_HOME=DIR)")
endif()
