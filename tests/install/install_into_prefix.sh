#!/bin/sh
# Test install.into_prefix: installs the build into a temporary prefix, checks the layout and
# the public library's ABI surface, then builds and runs small programs against the installed
# files only: C++ through pkg-config, C++ and C through find_package(Seshat), C through
# pkg-config. Registered by tests/install/CMakeLists.txt, which passes (as environment):
#   BUILD_DIR  LIBRARY_FILE  SOURCE_DIR  CONSUMER_DIR  VERSION  CC  CXX  SANITIZE_FLAGS  EXPECT_COMMAND
#   LIBDIR  INCLUDEDIR  BINDIR  DATADIR  DOCDIR   (install directories relative to the prefix)
# shellcheck disable=SC2086  # the flag lists ($warnings, $pkg_flags, ...) are split on purpose
set -eu

work=$(mktemp -d "${TMPDIR:-/tmp}/seshat-install-test.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
prefix="$work/prefix"
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
step() { echo "== $*"; }

# Runs a command quietly; on failure shows its output and stops the test.
run() {
  log="$work/last.log"
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    echo "FAIL: command failed: $*" >&2
    exit 1
  fi
}

expect_file() {
  [ -f "$prefix/$1" ] || fail "not installed: $1"
}

step "cmake --install $BUILD_DIR --prefix $prefix"
if [ ! -e "$LIBRARY_FILE" ]; then
  echo "FAIL: $LIBRARY_FILE missing: build everything before running ctest" >&2
  exit 1
fi
unset DESTDIR
run cmake --install "$BUILD_DIR" --prefix "$prefix"

step "installed files"
if [ "$EXPECT_COMMAND" = 1 ]; then
  [ -x "$prefix/$BINDIR/seshat" ] || fail "not installed or not executable: $BINDIR/seshat"
fi
expect_file "$LIBDIR/libseshat.so.$VERSION"
[ -L "$prefix/$LIBDIR/libseshat.so.0" ] || fail "no symbolic link $LIBDIR/libseshat.so.0"
[ -L "$prefix/$LIBDIR/libseshat.so" ] || fail "no symbolic link $LIBDIR/libseshat.so"
expect_file "$INCLUDEDIR/seshat/client.hpp"
expect_file "$INCLUDEDIR/seshat/client.h"
expect_file "$LIBDIR/pkgconfig/seshat.pc"
expect_file "$LIBDIR/cmake/Seshat/SeshatConfig.cmake"
expect_file "$LIBDIR/cmake/Seshat/SeshatConfigVersion.cmake"
expect_file "$LIBDIR/cmake/Seshat/SeshatTargets.cmake"
expect_file "$DOCDIR/README.md"
expect_file "$DOCDIR/ARCHITECTURE.md"
expect_file "$DOCDIR/examples/seshat.service"
expect_file "$DOCDIR/examples/seshat.ini.example"
# Every widget file in the source tree (web/) is installed, whatever it holds by now.
if [ -d "$SOURCE_DIR/web" ]; then
  for file in $(cd "$SOURCE_DIR/web" && find . -type f ! -path '*/node_modules/*' ! -path '*/.*'); do
    expect_file "$DATADIR/seshat/web/${file#./}"
  done
fi
grep -q '^ExecStart=/usr/local/bin/seshat serve /etc/seshat/seshat.ini Seshat$' \
  "$prefix/$DOCDIR/examples/seshat.service" || fail "seshat.service: unexpected ExecStart"
[ ! -e "$prefix/etc" ] || fail "something was installed to etc/: examples belong in $DOCDIR"

step "libseshat: soname, dependencies, exported symbols"
library="$prefix/$LIBDIR/libseshat.so.$VERSION"
readelf -d "$library" | grep -q 'SONAME.*\[libseshat\.so\.0\]' || fail "soname is not libseshat.so.0"
needed=$(readelf -d "$library" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
for forbidden in strophe boost spdlog fmt; do
  case "$needed" in *"$forbidden"*) fail "libseshat needs $forbidden: $needed" ;; esac
done
exported=$(nm -D --defined-only -C "$library" | awk '{ $1 = ""; $2 = ""; print }' | sed 's/@.*//')
for symbol in seshat_client_new seshat_fetch 'seshat::Client::Client' 'seshat::format_time' \
  'typeinfo for seshat::Error'; do
  printf '%s\n' "$exported" | grep -qF "$symbol" || fail "libseshat does not export $symbol"
done
internal=$(printf '%s\n' "$exported" |
  grep -E 'seshat::|sqlite3_' |
  grep -vE '^ *(seshat::(Client|Error)::|seshat::format_time[[(]|(typeinfo|typeinfo name|vtable) for seshat::Error$)' ||
  true)
[ -z "$internal" ] || fail "libseshat exports internal symbols:
$internal"

# Consumers find the library at run time through LD_LIBRARY_PATH, as one installed to a
# non-system prefix would be; each run gets its own new database.
check_program() {
  name=$1
  shift
  output=$(LD_LIBRARY_PATH="$prefix/$LIBDIR" "$@" "$work/$name.db" 2>&1) || true
  if [ "$output" != ok ]; then
    fail "$name printed '$output' instead of 'ok'"
    return
  fi
  LD_LIBRARY_PATH="$prefix/$LIBDIR" ldd "$1" | grep -qF "libseshat.so.0 => $prefix/$LIBDIR/" ||
    fail "$name does not load libseshat from the prefix"
}

warnings="-Wall -Wextra -Wpedantic -Werror"

step "C++ and C through pkg-config"
export PKG_CONFIG_PATH="$prefix/$LIBDIR/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
[ "$(pkg-config --modversion seshat)" = "$VERSION" ] || fail "pkg-config --modversion seshat"
pkg_flags=$(pkg-config --cflags --libs seshat)
case "$pkg_flags" in *"-I$prefix/$INCLUDEDIR"*) ;; *) fail "pkg-config cflags: $pkg_flags" ;; esac
run "$CXX" -std=c++17 $warnings $SANITIZE_FLAGS "$CONSUMER_DIR/consumer.cpp" $pkg_flags \
  -o "$work/consumer_pkg"
check_program consumer_pkg "$work/consumer_pkg"
run "$CC" -std=c11 $warnings $SANITIZE_FLAGS "$CONSUMER_DIR/consumer.c" $pkg_flags \
  -o "$work/consumer_c_pkg"
check_program consumer_c_pkg "$work/consumer_c_pkg"

step "C++ and C through find_package(Seshat)"
run cmake -S "$CONSUMER_DIR" -B "$work/consumer-build" \
  -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$warnings $SANITIZE_FLAGS" -DCMAKE_CXX_FLAGS="$warnings $SANITIZE_FLAGS" \
  -DCMAKE_EXE_LINKER_FLAGS="$SANITIZE_FLAGS" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
grep -qF "Seshat_DIR:PATH=$prefix/$LIBDIR/cmake/Seshat" "$work/consumer-build/CMakeCache.txt" ||
  fail "find_package(Seshat) did not use the installed package: $(grep Seshat_DIR "$work/consumer-build/CMakeCache.txt")"
run cmake --build "$work/consumer-build"
check_program consumer_cmake "$work/consumer-build/consumer"
check_program consumer_c_cmake "$work/consumer-build/consumer_c"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all install checks passed"
