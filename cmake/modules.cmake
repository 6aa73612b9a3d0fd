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

# The server's allocator: jemalloc (Debian's libjemalloc-dev). Under the intake load glibc's
# malloc took ~17 % of the server's CPU samples: arena and free-list work, and heap trims whose
# madvise TLB shoot-downs interrupt both cores (bench/README.md §1d). The benchmarks' in-process
# rates link it as well, so that every ratio they report compares like with like.
option(GJ_JEMALLOC "Link the server and its benchmarks with jemalloc" ON)
if(GJ_JEMALLOC)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()
function(gj_server_allocator target)
  if(GJ_JEMALLOC)
    target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
  endif()
endfunction()
