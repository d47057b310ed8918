#!/bin/sh
# SPDX-License-Identifier: MIT
# Kernel settings for checking these scripts against Linux (run inside `unshare -n`, so only
# the private namespace changes). synack's adapter is configured to match them: window
# scale 8 (from tcp_rmem's maximum), timestamps and SACK on, exponential SYN backoff.
sysctl -q net.ipv4.tcp_rmem="4096 540000 15728640" 2>/dev/null
sysctl -q net.ipv4.tcp_wmem="4096 262144 4194304" 2>/dev/null
sysctl -q net.ipv4.tcp_timestamps=1 2>/dev/null
sysctl -q net.ipv4.tcp_sack=1 2>/dev/null
sysctl -q net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null
true
