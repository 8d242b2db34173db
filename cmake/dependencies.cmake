# Dependencies come from Debian packages, except libcurl and libpq: Debian's static archives of
# those cannot be linked -static (Kerberos, p11-kit, SASL), so scripts/build-deps.sh rebuilds them
# from Debian's source packages with a minimal feature set and caches the result.
if(NOT EXISTS "${YONIMA_DEPS_PREFIX}/deps.cmake")
  message(FATAL_ERROR "static curl/libpq not found in ${YONIMA_DEPS_PREFIX}: run scripts/build-deps.sh first")
endif()
include("${YONIMA_DEPS_PREFIX}/deps.cmake")

find_package(nlohmann_json 3.10 REQUIRED)
if(YONIMA_STATIC)
  set(Boost_USE_STATIC_LIBS ON)
endif()
find_package(Boost 1.74 REQUIRED COMPONENTS filesystem)
find_package(Threads REQUIRED)

find_path(SPDLOG_INCLUDE_DIR spdlog/spdlog.h REQUIRED)
find_path(DOCTEST_INCLUDE_DIR doctest/doctest.h PATH_SUFFIXES doctest REQUIRED)
find_path(PG_QUERY_INCLUDE_DIR pg_query.h REQUIRED)
find_library(PG_QUERY_LIBRARY NAMES libpg_query.a REQUIRED)

# PCRE2 for health-gate --expect-body (std::regex recurses per character and crashed on large
# bodies). Debian's libpcre2-dev ships a static libpcre2-8.a; it is linked as such in every build.
find_path(PCRE2_INCLUDE_DIR pcre2.h REQUIRED)
find_library(PCRE2_LIBRARY NAMES libpcre2-8.a REQUIRED)
if(NOT TARGET deps::pcre2)
  add_library(deps::pcre2 STATIC IMPORTED GLOBAL)
  set_target_properties(deps::pcre2 PROPERTIES
    IMPORTED_LOCATION "${PCRE2_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${PCRE2_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS "PCRE2_STATIC")
endif()
