#!/bin/sh
# Installs everything profwatch needs to build and to run its whole test suite on
# Debian or Ubuntu (apt). Safe to run again: apt skips what is already there.
#
# On Fedora/RHEL the same set is, for reference (not run by this script):
#   dnf install gcc cmake make pkgconf-pkg-config libuv-devel libcurl-devel \
#       protobuf-c-devel protobuf-c-compiler zlib-devel libdeflate-devel \
#       cjson-devel libyaml-devel golang chromium chromedriver python3 curl \
#       clang compiler-rt rpm-build python3-pyyaml man-db valgrind
#   (yum takes the same names on older releases; cjson-devel comes from EPEL.)
set -eu

if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup.sh: apt-get not found; install the packages listed at the top of $0 by hand" >&2
    exit 1
fi

# Build: compiler, CMake, and the libraries the code links.
BUILD_PKGS="build-essential cmake pkg-config libuv1-dev libcurl4-openssl-dev
    libprotobuf-c-dev protobuf-c-compiler zlib1g-dev libdeflate-dev libcjson-dev libyaml-dev"
# Tests: the Go toolchain builds the fixture program and provides `go tool pprof`,
# the reference for every number profwatch prints; python3 (standard library
# only) reads the JSON reports in the integration tests; curl talks to the
# fixture's service over TCP, TLS and unix sockets. Headless Chromium, driven
# through chromedriver by a Python 3 standard-library script, loads the flame
# graph page as a person would (tests/flame/browser.sh). valgrind runs
# profwatchd under memcheck in the daemon tests (label valgrind).
TEST_PKGS="golang-go ca-certificates python3 curl chromium chromium-driver valgrind"
# Packaging (tests/packaging): rpm provides rpmbuild for CPack's .rpm and
# `rpm -qlp`; lintian checks the .deb; python3-yaml reads the Kubernetes
# example; man-db renders the man pages; systemd provides systemd-analyze.
PKG_PKGS="rpm lintian python3-yaml man-db systemd"
# Fuzzing (tests/fuzz): libFuzzer ships in clang's runtime package, not in gcc.
# The unversioned pair always names one LLVM version (14 on Debian 12).
FUZZ_PKGS="clang libclang-rt-dev"

export DEBIAN_FRONTEND=noninteractive
# Only refresh the package lists when something is missing: keeps reruns fast.
missing=""
for p in $BUILD_PKGS $TEST_PKGS $FUZZ_PKGS $PKG_PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup.sh: installing:$missing"
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
echo "setup.sh: all build and test dependencies are installed"
