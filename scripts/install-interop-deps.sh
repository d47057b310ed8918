#!/usr/bin/env bash
# Installs what the interop tests use, when missing (Debian, as root): ip (iproute2), curl,
# nc (netcat-openbsd), python3, ping (iputils-ping), ss (iproute2).
set -uo pipefail
need=()
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v curl >/dev/null 2>&1 || need+=(curl)
{ command -v nc >/dev/null 2>&1 && nc -h 2>&1 | grep -q OpenBSD; } || need+=(netcat-openbsd)
[ -x /usr/bin/python3 ] || need+=(python3)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then exit 0; fi
echo "install-interop-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1
apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || echo "install-interop-deps: apt-get failed" >&2
