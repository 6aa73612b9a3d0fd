# gj_module(NAME SOURCES a.cpp b.cpp DEPS other_targets...)
# One module = one static library target `gj_NAME`, include root = src/.
function(gj_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(gj_${name} STATIC ${M_SOURCES})
  target_include_directories(gj_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(gj_${name} PUBLIC ${M_DEPS})
endfunction()

# gj_unit_test(NAME SOURCES ... DEPS ...): one gtest binary per module, registered with CTest.
function(gj_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(test_${name} ${T_SOURCES})
  target_link_libraries(test_${name} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(test_${name} PRIVATE
    GJ_SOURCE_DIR="${CMAKE_SOURCE_DIR}" GJ_SHARED_DIR="${CMAKE_SOURCE_DIR}/../shared")
  gtest_discover_tests(test_${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
endfunction()
