#!/usr/bin/env bash
# Builds the static libraries the yonima-deploy tools link against:
#   - OpenSSL (libssl, libcrypto: TLS clients, digests; unused algorithms left out) from Debian's
#     openssl source package
#   - libcurl (HTTP/HTTPS only, OpenSSL, nghttp2, threaded resolver) from Debian's curl source package
#   - libpq (+ libpgcommon_shlib.a, libpgport_shlib.a) from Debian's postgresql-15 source package
# and writes PREFIX/deps.cmake, which defines the IMPORTED targets deps::curl, deps::pq, deps::ssl
# and deps::crypto.
#
# Usage: scripts/build-deps.sh [PREFIX]      (default: <repo>/.deps/prefix)
# Env:   YONIMA_DEPS_WORK   scratch dir for sources and build trees (default: <repo>/.deps/work)
#        YONIMA_DEPS_JOBS   parallel jobs (default: 2)
#
# Idempotent and cached: PREFIX/.build-deps.stamp holds a hash of this script; when it matches, the
# script exits at once. Sources come through apt with a private APT_CONFIG (deb-src entries that
# mirror the system's deb entries), so the system apt configuration is never modified.
# Why not Debian's own archives: its libcurl.a and libpq.a cannot be linked -static (they pull in
# Kerberos, which Debian ships no static archive of, p11-kit and SASL plugins:
# cmake/dependencies.cmake), and its libcrypto.a carries every algorithm and no per-function
# sections (docs/images.md, "A lean OpenSSL").
set -euo pipefail

log() { printf 'build-deps: %s\n' "$*" >&2; }
die() { printf 'build-deps: ERROR: %s\n' "$*" >&2; exit 1; }

script_path=$(readlink -f "${BASH_SOURCE[0]}")
repo=$(cd "$(dirname "$script_path")/.." && pwd)
prefix=${1:-$repo/.deps/prefix}
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
work=${YONIMA_DEPS_WORK:-$repo/.deps/work}
jobs=${YONIMA_DEPS_JOBS:-2}
stamp=$prefix/.build-deps.stamp

# The cache key: this script's content, the target triplet (a prefix is per-architecture) and the
# prefix itself (deps.cmake holds absolute paths).
key="$(sha256sum "$script_path" | cut -d' ' -f1) $(gcc -dumpmachine 2>/dev/null || echo unknown) $prefix"

outputs=(lib/libssl.a lib/libcrypto.a include/openssl/ssl.h lib/libcurl.a lib/libpq.a lib/libpgcommon_shlib.a lib/libpgport_shlib.a
         include/curl/curl.h include/libpq-fe.h deps.cmake)
up_to_date() {
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] || return 1
  local f
  for f in "${outputs[@]}"; do [ -e "$prefix/$f" ] || return 1; done
}

if up_to_date; then
  log "up to date in $prefix"
  exit 0
fi

mkdir -p "$work"
# Serialise concurrent runs (e.g. a CMake configure and a shell invoking us at once).
exec 9>"$work/.lock"
if ! flock -n 9; then
  log "another build-deps.sh is running; waiting for it"
  flock 9
fi
if up_to_date; then
  log "up to date in $prefix (built by a concurrent run)"
  exit 0
fi

for tool in gcc g++ make cmake apt-get dpkg-source perl; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found; run scripts/setup.sh (or install build-essential cmake dpkg-dev)"
done

# Debian's static archives we link against (found through the compiler, so any architecture works).
static_lib() {
  local p
  p=$(gcc -print-file-name="$1")
  [ "$p" != "$1" ] && [ -f "$p" ] || die "static $1 not found; install zlib1g-dev libnghttp2-dev"
  readlink -f "$p"
}
libssl=$prefix/lib/libssl.a       # built below
libcrypto=$prefix/lib/libcrypto.a
libz=$(static_lib libz.a)
libnghttp2=$(static_lib libnghttp2.a)

start=$SECONDS
rm -f "$stamp"

# ---------------------------------------------------------------------------------------------
# Private apt configuration with deb-src entries that mirror the system's deb entries.
# ---------------------------------------------------------------------------------------------
aptdir=$(mktemp -d "${TMPDIR:-/tmp}/yonima-apt.XXXXXX")
trap 'rm -rf "$aptdir"' EXIT
mkdir -p "$aptdir/sources.list.d" "$aptdir/state/lists/partial" "$aptdir/cache/archives/partial"
: >"$aptdir/status"
: >"$aptdir/sources.list"

# deb822 .sources files: copy every enabled stanza whose Types include "deb", as Types: deb-src.
# Continuation lines (e.g. an inline Signed-By key) are kept verbatim.
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  awk 'BEGIN { RS = ""; ORS = "\n\n" }
       {
         n = split($0, lines, "\n"); out = ""; isdeb = 0; enabled = 1
         for (i = 1; i <= n; i++) {
           l = lines[i]
           if (l ~ /^[Tt]ypes:/) {
             t = l; sub(/^[Tt]ypes:[ \t]*/, "", t)
             if ((" " t " ") ~ /[ \t]deb[ \t]/) isdeb = 1
             l = "Types: deb-src"
           }
           if (l ~ /^[Ee]nabled:[ \t]*[Nn]o/) enabled = 0
           out = out l "\n"
         }
         if (isdeb && enabled) printf "%s", out "\n"
       }' "$f" >"$aptdir/sources.list.d/$(basename "$f")"
done
# One-line format: "deb [options] URI suite components" becomes "deb-src ...".
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  sed -n 's/^[[:space:]]*deb[[:space:]]\+/deb-src /p' "$f" >>"$aptdir/sources.list"
done
if ! grep -qs . "$aptdir/sources.list" "$aptdir"/sources.list.d/*.sources; then
  die "no deb entries found in /etc/apt/sources.list{,.d/*} to mirror as deb-src"
fi

cat >"$aptdir/apt.conf" <<EOF
Dir::Etc::main "/dev/null";
Dir::Etc::sourcelist "$aptdir/sources.list";
Dir::Etc::sourceparts "$aptdir/sources.list.d";
Dir::State "$aptdir/state";
Dir::State::status "$aptdir/status";
Dir::Cache "$aptdir/cache";
Acquire::Languages "none";
APT::Sandbox::User "$(id -un)";
EOF
export APT_CONFIG=$aptdir/apt.conf

log "apt-get update (private config: deb-src for $(grep -hoE '^(URIs:|deb-src).*' "$aptdir/sources.list" "$aptdir"/sources.list.d/*.sources 2>/dev/null | tr '\n' ';'))"
if ! apt-get update -q=2 >"$aptdir/update.log" 2>&1; then
  # A third-party repository without a Sources index makes update fail; Debian's may still be fine.
  log "apt-get update reported errors (continuing; they matter only if a source download fails):"
  grep -E '^(E|W):' "$aptdir/update.log" >&2 || cat "$aptdir/update.log" >&2
fi

srcroot=$work/src
rm -rf "$srcroot"
mkdir -p "$srcroot"

# fetch_source PKG DIR: downloads the newest source version apt offers that can actually be fetched
# (the security suite may list a version it then answers 404 for) and unpacks it into DIR.
fetch_source() {
  local pkg=$1 dest=$2 dl=$srcroot/dl-$1 v versions=() ok=
  mkdir -p "$dl"
  mapfile -t versions < <(apt-cache showsrc "$pkg" 2>/dev/null | awk -v p="$pkg" '
      /^Package:/ { cur = $2 } /^Version:/ && cur == p { print $2 }' | sort -u | sort -rV)
  [ ${#versions[@]} -gt 0 ] || die "apt knows no source package '$pkg' (is deb-src reachable? see above)"
  for v in "${versions[@]}"; do
    log "downloading source $pkg=$v"
    if (cd "$dl" && apt-get source -q=2 --download-only "$pkg=$v") >"$dl/download.log" 2>&1; then
      ok=$v; break
    fi
    log "  failed: $(grep -E '^(E|W):' "$dl/download.log" | head -n 2 | tr '\n' ' ')"
    rm -f "$dl"/*
  done
  [ -n "$ok" ] || die "could not download any version of source package $pkg"
  local dsc
  dsc=$(ls "$dl"/*.dsc | head -n 1)
  log "unpacking $(basename "$dsc")"
  dpkg-source -q -x "$dsc" "$dest" >"$dl/unpack.log" 2>&1 || { cat "$dl/unpack.log" >&2; die "dpkg-source -x $dsc failed"; }
  printf '%s\n' "$ok" >"$dest/.debian-version"
}

fetch_source openssl "$srcroot/openssl"
fetch_source curl "$srcroot/curl"
fetch_source postgresql-15 "$srcroot/postgresql"
openssl_version=$(cat "$srcroot/openssl/.debian-version")
curl_version=$(cat "$srcroot/curl/.debian-version")
pq_version=$(cat "$srcroot/postgresql/.debian-version")

# Remove what an earlier build installed, so a changed feature set leaves no stale files behind.
rm -rf "$prefix/include/curl" "$prefix/include/postgresql" "$prefix/include/libpq" "$prefix/lib/cmake/CURL" \
       "$prefix/lib/pkgconfig/libcurl.pc" "$prefix/bin/curl-config"
rm -rf "$prefix/include/openssl"
rm -f "$prefix"/lib/libcurl* "$prefix"/lib/libpq* "$prefix"/lib/libpg*_shlib.a "$prefix/deps.cmake" \
      "$prefix/lib/libssl.a" "$prefix/lib/libcrypto.a"
mkdir -p "$prefix/lib" "$prefix/include"

# These libraries end up in FROM scratch images whose compressed size is pulled on every deploy
# (docs/images.md): optimise them for size, one section per function and datum, so the tools'
# --gc-sections drops what they never call. The ciphers and digests themselves run in OpenSSL's
# assembly, which -Os does not touch.
dep_cflags="-Os -ffunction-sections -fdata-sections"

run_logged() { # run_logged LOG CMD...: keeps the output in LOG, prints its tail on failure
  local logf=$1; shift
  if ! "$@" >"$logf" 2>&1; then
    tail -n 40 "$logf" >&2
    die "failed: $* (full log: $logf)"
  fi
}

# ---------------------------------------------------------------------------------------------
# OpenSSL
# ---------------------------------------------------------------------------------------------
# Debian's static libcrypto.a carries every algorithm the default provider registers and no
# per-function sections: 3.4 MB of each tool. The tools need TLS 1.2/1.3 clients (libcurl, libpq:
# AES-GCM, ChaCha20-Poly1305, ECDHE/DHE, RSA/ECDSA/EdDSA certificates), SHA-2 and base64; the
# algorithms no TLS peer of theirs negotiates, engines, CMS, OCSP, CT, SRP, DTLS... are left out.
# OPENSSLDIR stays Debian's (/usr/lib/ssl), so the default CA locations are the system's; the
# images point SSL_CERT_FILE at their bundle. OpenSSL compiles its library objects -fPIC.
t=$SECONDS
log "building OpenSSL $openssl_version (static, lean)"
(
  cd "$srcroot/openssl"
  run_logged "$work/openssl-configure.log" ./Configure --prefix="$prefix" --libdir=lib \
    --openssldir=/usr/lib/ssl no-shared no-module no-tests no-engine no-dso no-legacy no-comp \
    no-srp no-idea no-seed no-camellia no-aria no-bf no-cast no-rc2 no-rc4 no-rc5 no-md4 no-mdc2 \
    no-whirlpool no-sm2 no-sm3 no-sm4 no-siv no-ocb no-cms no-ts no-ct no-cmp no-gost no-sctp \
    no-ssl3 no-dtls no-srtp no-ec2m no-nextprotoneg no-ocsp \
    $dep_cflags
  run_logged "$work/openssl-build.log" make -j"$jobs" build_libs
)
install -m 644 "$srcroot/openssl/libssl.a" "$srcroot/openssl/libcrypto.a" "$prefix/lib/"
mkdir -p "$prefix/include/openssl"
install -m 644 "$srcroot/openssl"/include/openssl/*.h "$prefix/include/openssl/"
log "OpenSSL done in $((SECONDS - t)) s"

# ---------------------------------------------------------------------------------------------
# libcurl
# ---------------------------------------------------------------------------------------------
t=$SECONDS
log "building curl $curl_version (static, HTTP only)"
curl_build=$work/build-curl
rm -rf "$curl_build"
run_logged "$work/curl-configure.log" cmake -S "$srcroot/curl" -B "$curl_build" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="$dep_cflags -DNDEBUG" \
  -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
  -DBUILD_SHARED_LIBS=OFF -DBUILD_CURL_EXE=OFF -DBUILD_TESTING=OFF \
  -DCURL_USE_OPENSSL=ON -DOPENSSL_ROOT_DIR="$prefix" -DOPENSSL_USE_STATIC_LIBS=ON -DUSE_NGHTTP2=ON -DHTTP_ONLY=ON -DENABLE_THREADED_RESOLVER=ON \
  -DCURL_ZSTD=OFF -DCURL_BROTLI=OFF -DUSE_LIBIDN2=OFF -DCURL_USE_LIBPSL=OFF \
  -DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBSSH=OFF -DCURL_USE_GSSAPI=OFF -DUSE_LIBRTMP=OFF \
  -DCURL_DISABLE_LDAP=ON -DCURL_DISABLE_LDAPS=ON \
  -DCURL_CA_BUNDLE=none -DCURL_CA_PATH=none -DCURL_CA_FALLBACK=ON \
  -DENABLE_MANUAL=OFF
run_logged "$work/curl-build.log" cmake --build "$curl_build" -j"$jobs"
run_logged "$work/curl-install.log" cmake --install "$curl_build"
# curl's CMake package and curl-config describe a dynamic OpenSSL link; deps.cmake replaces them.
rm -rf "$prefix/lib/cmake/CURL" "$prefix/bin/curl-config" "$prefix/lib/pkgconfig/libcurl.pc"
rmdir "$prefix/lib/cmake" "$prefix/lib/pkgconfig" "$prefix/bin" 2>/dev/null || true
log "curl done in $((SECONDS - t)) s"

# ---------------------------------------------------------------------------------------------
# libpq
# ---------------------------------------------------------------------------------------------
t=$SECONDS
log "building libpq from postgresql-15 $pq_version (static)"
pg=$srcroot/postgresql
(
  cd "$pg"
  run_logged "$work/pq-configure.log" ./configure --prefix="$prefix" --includedir="$prefix/include" \
    CFLAGS="$dep_cflags" CPPFLAGS="-I$prefix/include" LDFLAGS="-L$prefix/lib" \
    --with-openssl --without-gssapi --without-ldap --without-readline --without-icu \
    --without-zlib --without-lz4 --without-zstd --without-libxml --without-pam --without-selinux \
    --without-systemd --without-llvm
  # PostgreSQL generates its headers only when make is the top-level make; do it explicitly.
  run_logged "$work/pq-headers.log" make -j"$jobs" -C src/backend generated-headers
  run_logged "$work/pq-build.log" make -j"$jobs" -C src/interfaces/libpq
  run_logged "$work/pq-install-headers.log" make -C src/include install
)
install -m 644 "$pg/src/interfaces/libpq/libpq.a" "$pg/src/common/libpgcommon_shlib.a" \
  "$pg/src/port/libpgport_shlib.a" "$prefix/lib/"
install -m 644 "$pg/src/interfaces/libpq/libpq-fe.h" "$pg/src/interfaces/libpq/libpq-events.h" \
  "$pg/src/include/pg_config_ext.h" "$pg/src/include/postgres_ext.h" "$prefix/include/"
log "libpq done in $((SECONDS - t)) s"

# ---------------------------------------------------------------------------------------------
# deps.cmake
# ---------------------------------------------------------------------------------------------
cat >"$prefix/deps.cmake" <<EOF
# Generated by scripts/build-deps.sh; do not edit. Include it after project() (C or CXX enabled).
# Defines the IMPORTED static targets deps::curl and deps::pq (plus deps::nghttp2, deps::ssl,
# deps::crypto (built here too, headers in $prefix/include), deps::z they depend on). Link order that works for -static:
#   libcurl libpq libpgcommon_shlib libpgport_shlib libnghttp2 libssl libcrypto libz -pthread -ldl
set(YONIMA_DEPS_PREFIX "$prefix")
set(YONIMA_DEPS_INCLUDE_DIR "$prefix/include")
set(YONIMA_DEPS_LIB_DIR "$prefix/lib")
set(YONIMA_DEPS_CURL_VERSION "$curl_version")
set(YONIMA_DEPS_POSTGRESQL_VERSION "$pq_version")
set(YONIMA_DEPS_OPENSSL_VERSION "$openssl_version")

if(NOT TARGET deps::curl)
  find_package(Threads REQUIRED)

  add_library(deps::z STATIC IMPORTED GLOBAL)
  set_target_properties(deps::z PROPERTIES IMPORTED_LOCATION "$libz")

  add_library(deps::crypto STATIC IMPORTED GLOBAL)
  set_target_properties(deps::crypto PROPERTIES IMPORTED_LOCATION "$libcrypto"
    INTERFACE_INCLUDE_DIRECTORIES "$prefix/include"
    INTERFACE_LINK_LIBRARIES "Threads::Threads;\${CMAKE_DL_LIBS}")

  add_library(deps::ssl STATIC IMPORTED GLOBAL)
  set_target_properties(deps::ssl PROPERTIES IMPORTED_LOCATION "$libssl"
    INTERFACE_LINK_LIBRARIES "deps::crypto")

  add_library(deps::nghttp2 STATIC IMPORTED GLOBAL)
  set_target_properties(deps::nghttp2 PROPERTIES IMPORTED_LOCATION "$libnghttp2")

  add_library(deps::curl STATIC IMPORTED GLOBAL)
  set_target_properties(deps::curl PROPERTIES
    IMPORTED_LOCATION "$prefix/lib/libcurl.a"
    INTERFACE_INCLUDE_DIRECTORIES "$prefix/include"
    INTERFACE_COMPILE_DEFINITIONS "CURL_STATICLIB"
    INTERFACE_LINK_LIBRARIES "deps::nghttp2;deps::ssl;deps::crypto;deps::z;Threads::Threads;\${CMAKE_DL_LIBS}")

  add_library(deps::pgport STATIC IMPORTED GLOBAL)
  set_target_properties(deps::pgport PROPERTIES IMPORTED_LOCATION "$prefix/lib/libpgport_shlib.a")
  add_library(deps::pgcommon STATIC IMPORTED GLOBAL)
  set_target_properties(deps::pgcommon PROPERTIES IMPORTED_LOCATION "$prefix/lib/libpgcommon_shlib.a"
    INTERFACE_LINK_LIBRARIES "deps::pgport;deps::ssl;deps::crypto")

  add_library(deps::pq STATIC IMPORTED GLOBAL)
  set_target_properties(deps::pq PROPERTIES
    IMPORTED_LOCATION "$prefix/lib/libpq.a"
    INTERFACE_INCLUDE_DIRECTORIES "$prefix/include"
    INTERFACE_LINK_LIBRARIES "deps::pgcommon;deps::pgport;deps::ssl;deps::crypto;Threads::Threads")
endif()
EOF

# ---------------------------------------------------------------------------------------------
# Verify: a -static program using both libraries links, has no dynamic section, and runs.
# ---------------------------------------------------------------------------------------------
vdir=$work/verify
rm -rf "$vdir"
mkdir -p "$vdir"
cat >"$vdir/check.c" <<'EOF'
#define CURL_STATICLIB
#include <stdio.h>
#include <curl/curl.h>
#include <libpq-fe.h>
int main(void) {
  CURL *h = curl_easy_init();
  if (!h) { fprintf(stderr, "curl_easy_init failed\n"); return 1; }
  curl_easy_cleanup(h);
  printf("%s; libpq %d\n", curl_version(), PQlibVersion());
  return 0;
}
EOF
run_logged "$vdir/link.log" gcc -O1 -static -o "$vdir/check" "$vdir/check.c" -I"$prefix/include" \
  "$prefix/lib/libcurl.a" "$prefix/lib/libpq.a" "$prefix/lib/libpgcommon_shlib.a" \
  "$prefix/lib/libpgport_shlib.a" "$libnghttp2" "$libssl" "$libcrypto" "$libz" -pthread -ldl
ldd_out=$(ldd "$vdir/check" 2>&1 || true)
case $ldd_out in
  *"not a dynamic executable"*) ;;
  *) die "verification binary is not static; ldd says: $ldd_out" ;;
esac
run_out=$("$vdir/check") || die "verification binary failed to run: $run_out"
log "verified static link: $run_out"

printf '%s\n' "$key" >"$stamp"
log "done in $((SECONDS - start)) s; prefix: $prefix (include $prefix/deps.cmake)"
