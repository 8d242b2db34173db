# Writes the version source with the current git commit at every build (not only at configure
# time, which would leave `--version` naming a stale commit). Rewrites the file only on change.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE YONIMA_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(YONIMA_GIT_COMMIT)
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SOURCE_DIR}
                  OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(dirty)
    string(APPEND YONIMA_GIT_COMMIT "-dirty")
  endif()
elseif(NOT "$ENV{YONIMA_GIT_COMMIT}" STREQUAL "")
  # No repository here (a docker build context leaves .git out): the builder passes the commit in,
  # e.g. docker build --build-arg GIT_COMMIT=$(git rev-parse HEAD). Only hex digits reach the source.
  string(TOLOWER "$ENV{YONIMA_GIT_COMMIT}" given)
  if(given MATCHES "^[0-9a-f]+$")
    string(SUBSTRING "${given}" 0 12 YONIMA_GIT_COMMIT)
  else()
    message(WARNING "YONIMA_GIT_COMMIT='$ENV{YONIMA_GIT_COMMIT}' is not a commit hash; --version will say unknown")
  endif()
endif()
if(NOT YONIMA_GIT_COMMIT)
  set(YONIMA_GIT_COMMIT "unknown")
endif()
configure_file(${IN} ${OUT}.tmp @ONLY)
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
