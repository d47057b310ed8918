#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what the test suite needs on Debian, when missing: cmocka (unit test framework),
# tshark (checks our pcap files), a C compiler and make, valgrind, pkg-config and OpenSSL
# (the install test and the TLS example), man (checks the man page renders), clang with
# libFuzzer and llvm-cov (the fuzzers), headless Chromium (the browser test of the HTML
# report: chromium-headless-shell without its recommends, 19 packages). Needs root for
# apt-get. Waits for the dpkg lock when another apt or dpkg holds it (up to 5 minutes), and
# retries once if apt-get fails anyway.
set -euo pipefail
need=()
[ -f /usr/include/cmocka.h ] || need+=(libcmocka-dev)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v cc >/dev/null 2>&1 || need+=(gcc)
command -v make >/dev/null 2>&1 || need+=(make)
command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
[ -f /usr/include/openssl/ssl.h ] || need+=(libssl-dev)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v man >/dev/null 2>&1 || need+=(man-db)
# The fuzzers (scripts/fuzz.sh): clang with libFuzzer and the sanitizer runtimes, llvm-cov.
command -v clang >/dev/null 2>&1 || need+=(clang)
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1 ||
    need+=(libclang-rt-dev)
command -v llvm-cov >/dev/null 2>&1 || need+=(llvm)
# The browser test (tests/browser/run.sh): alone, without recommends (which would bring
# systemd, avahi and a desktop's worth of packages).
browser=()
command -v chromium-headless-shell >/dev/null 2>&1 || command -v chromium >/dev/null 2>&1 ||
    browser=(chromium-headless-shell)
if [ ${#need[@]} -eq 0 ] && [ ${#browser[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing ${need[*]} ${browser[*]}; run as root or: apt-get install" \
        "${need[*]}; apt-get install --no-install-recommends ${browser[*]}" >&2
    [ -f /usr/include/cmocka.h ] || exit 1
    exit 0
fi
echo "install-deps: installing ${need[*]} ${browser[*]}"
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
# DPkg::Lock::Timeout makes apt wait for a lock held by another apt/dpkg (apt >= 1.9.11).
apt_get() { apt-get -o DPkg::Lock::Timeout=300 "$@"; }
do_install() { apt_get update -qq && apt_get install -y -qq "${need[@]}" >/dev/null; }
if [ ${#need[@]} -gt 0 ] && ! do_install; then
    echo "install-deps: apt-get failed; retrying once in 10 s" >&2
    sleep 10
    do_install
fi
# Without Chromium only the browser test is skipped (it says so): a failure here is not
# fatal.
if [ ${#browser[@]} -gt 0 ] && ! { apt_get update -qq &&
    apt_get install -y -qq --no-install-recommends "${browser[@]}" >/dev/null; }; then
    echo "install-deps: could not install ${browser[*]}; the browser test will be skipped" >&2
fi
