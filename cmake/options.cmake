# Interface targets every component links: one place for warnings and one
# for sanitizers, so flags never drift between targets.
add_library(cf_warnings INTERFACE)
target_compile_options(cf_warnings INTERFACE -Wall -Wextra -Wpedantic
  -Wno-unused-parameter -Wno-missing-field-initializers $<$<BOOL:${CF_WERROR}>:-Werror>)

add_library(cf_sanitizers INTERFACE)
if(CF_SANITIZE)
  target_compile_options(cf_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(cf_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

add_library(cf_defaults INTERFACE)
target_link_libraries(cf_defaults INTERFACE cf_warnings cf_sanitizers)

# cf_add_test(NAME SOURCES... LABEL label LIBS libs... [PREFIX prefix])
# One gtest binary per test file group, discovered per test case. PREFIX goes
# in front of each test's ctest name (e.g. "edge." for `ctest -R edge`).
function(cf_add_test name)
  cmake_parse_arguments(ARG "" "LABEL;PREFIX" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  # Test sources build at -O1 (tests/CMakeLists.txt says why).
  target_compile_options(${name} PRIVATE $<$<CONFIG:RelWithDebInfo,Release>:-O1>)
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main cf_defaults)
  gtest_discover_tests(${name} TEST_PREFIX "${ARG_PREFIX}" PROPERTIES LABELS ${ARG_LABEL} DISCOVERY_TIMEOUT 60)
endfunction()
