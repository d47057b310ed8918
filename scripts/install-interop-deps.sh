#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what the interop tests use, when missing (Debian, as root): ip (iproute2), curl,
# nc (netcat-openbsd), python3, ping (iputils-ping), ss (iproute2), dash (README commands
# are run in it), openssl (the TLS example's server). Waits for the dpkg lock (up to
# 5 minutes) and retries once.
set -uo pipefail
need=()
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v curl >/dev/null 2>&1 || need+=(curl)
{ command -v nc >/dev/null 2>&1 && nc -h 2>&1 | grep -q OpenBSD; } || need+=(netcat-openbsd)
[ -x /usr/bin/python3 ] || need+=(python3)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
command -v dash >/dev/null 2>&1 || need+=(dash)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then exit 0; fi
echo "install-interop-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -o DPkg::Lock::Timeout=300 "$@"; }
do_install() { apt_get update -qq >/dev/null 2>&1 && apt_get install -y -qq "${need[@]}" >/dev/null 2>&1; }
if ! do_install; then
    echo "install-interop-deps: apt-get failed; retrying once in 10 s" >&2
    sleep 10
    do_install || echo "install-interop-deps: apt-get failed" >&2
fi
