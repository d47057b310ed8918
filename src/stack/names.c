/* SPDX-License-Identifier: MIT */
/* Human-readable names for states, flags and counters. */
#include <stdio.h>
#include <string.h>
#include "synack/config.h"
#include "synack/stack.h"
#include "synack/trace.h"

const char *synack_state_name(enum synack_tcp_state state)
{
    static const char *const names[] = {
        "CLOSED",     "LISTEN",     "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
        "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",  "LAST-ACK",     "TIME-WAIT",
    };
    if ((unsigned)state >= sizeof names / sizeof names[0]) return "?";
    return names[state];
}

char *synack_flags_str(uint8_t flags, char *buf, size_t size)
{
    /* Order: SYN, FIN, RST, PSH, ACK, URG, then ECE, CWR ("SYN,ACK", "FIN,ACK",
     * "SYN,ACK,ECE"). */
    static const struct {
        uint8_t bit;
        const char *name;
    } order[] = {{SYNACK_SYN, "SYN"}, {SYNACK_FIN, "FIN"}, {SYNACK_RST, "RST"},
                 {SYNACK_PSH, "PSH"}, {SYNACK_ACK, "ACK"}, {SYNACK_URG, "URG"},
                 {SYNACK_ECE, "ECE"}, {SYNACK_CWR, "CWR"}};
    size_t used = 0;
    if (size == 0) return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (!(flags & order[i].bit)) continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? "," : "", order[i].name);
        if (n < 0 || (size_t)n >= size - used) break;
        used += (size_t)n;
    }
    return buf;
}

const char *synack_counter_name(enum synack_counter id)
{
    static const char *const names[SYNACK_CTR_COUNT] = {
        [SYNACK_CTR_IP_IN] = "ip_in",
        [SYNACK_CTR_IP_OUT] = "ip_out",
        [SYNACK_CTR_IP_TOO_SHORT] = "ip_too_short",
        [SYNACK_CTR_IP_BAD_VERSION] = "ip_bad_version",
        [SYNACK_CTR_IP_BAD_IHL] = "ip_bad_ihl",
        [SYNACK_CTR_IP_BAD_LENGTH] = "ip_bad_length",
        [SYNACK_CTR_IP_BAD_CHECKSUM] = "ip_bad_checksum",
        [SYNACK_CTR_IP_FRAGMENT] = "ip_fragment",
        [SYNACK_CTR_IP_NOT_FOR_US] = "ip_not_for_us",
        [SYNACK_CTR_IP_UNKNOWN_PROTO] = "ip_unknown_proto",
        [SYNACK_CTR_TCP_IN] = "tcp_in",
        [SYNACK_CTR_TCP_OUT] = "tcp_out",
        [SYNACK_CTR_TCP_TOO_SHORT] = "tcp_too_short",
        [SYNACK_CTR_TCP_BAD_OFFSET] = "tcp_bad_offset",
        [SYNACK_CTR_TCP_BAD_CHECKSUM] = "tcp_bad_checksum",
        [SYNACK_CTR_TCP_BAD_OPTION] = "tcp_bad_option",
        [SYNACK_CTR_TCP_BAD_PORT] = "tcp_bad_port",
        [SYNACK_CTR_TCP_NO_CONNECTION] = "tcp_no_connection",
        [SYNACK_CTR_TCP_RST_SENT] = "tcp_rst_sent",
        [SYNACK_CTR_TCP_RST_IGNORED] = "tcp_rst_ignored",
        [SYNACK_CTR_TCP_CHALLENGE_ACK] = "tcp_challenge_ack",
        [SYNACK_CTR_TCP_CHALLENGE_LIMITED] = "tcp_challenge_limited",
        [SYNACK_CTR_TCP_OUT_OF_WINDOW] = "tcp_out_of_window",
        [SYNACK_CTR_TCP_BAD_ACK] = "tcp_bad_ack",
        [SYNACK_CTR_TCP_HANDSHAKE_BAD_ACK] = "tcp_handshake_bad_ack",
        [SYNACK_CTR_TCP_ACK_TOO_OLD] = "tcp_ack_too_old",
        [SYNACK_CTR_TCP_OOO_QUEUED] = "tcp_ooo_queued",
        [SYNACK_CTR_TCP_OOO_DROPPED] = "tcp_ooo_dropped",
        [SYNACK_CTR_TCP_RCV_NO_MEMORY] = "tcp_rcv_no_memory",
        [SYNACK_CTR_TCP_DUPLICATE] = "tcp_duplicate",
        [SYNACK_CTR_TCP_RETRANSMIT] = "tcp_retransmit",
        [SYNACK_CTR_TCP_TIMEOUT] = "tcp_timeout",
        [SYNACK_CTR_TCP_LISTEN_OVERFLOW] = "tcp_listen_overflow",
        [SYNACK_CTR_TCP_TW_OVERFLOW] = "tcp_tw_overflow",
        [SYNACK_CTR_TCP_COOKIES_SENT] = "tcp_cookies_sent",
        [SYNACK_CTR_TCP_COOKIES_RECV] = "tcp_cookies_recv",
        [SYNACK_CTR_TCP_COOKIES_FAILED] = "tcp_cookies_failed",
        [SYNACK_CTR_TCP_CONN_DROPPED] = "tcp_conn_dropped",
        [SYNACK_CTR_TCP_NO_MEMORY] = "tcp_no_memory",
        [SYNACK_CTR_TCP_BAD_SYN] = "tcp_bad_syn",
        [SYNACK_CTR_TCP_PAWS] = "tcp_paws",
        [SYNACK_CTR_TCP_ACK_SKIPPED_SEQ] = "tcp_ack_skipped_seq",
        [SYNACK_CTR_TCP_ACK_SKIPPED_PAWS] = "tcp_ack_skipped_paws",
        [SYNACK_CTR_TCP_ACK_SKIPPED_UNSENT] = "tcp_ack_skipped_unsent",
        [SYNACK_CTR_TCP_ACK_SKIPPED_TIME_WAIT] = "tcp_ack_skipped_time_wait",
        [SYNACK_CTR_TCP_CHALLENGE_GLOBAL_LIMITED] = "tcp_challenge_global_limited",
        [SYNACK_CTR_TCP_RCVBUF_GROWN] = "tcp_rcvbuf_grown",
        [SYNACK_CTR_TCP_SNDBUF_GROWN] = "tcp_sndbuf_grown",
        [SYNACK_CTR_TCP_ECN_REDUCED] = "tcp_ecn_reduced",
        [SYNACK_CTR_TCP_SPURIOUS_UNDO] = "tcp_spurious_undo",
        [SYNACK_CTR_TCP_SPURIOUS_RTO] = "tcp_spurious_rto",
        [SYNACK_CTR_ICMP_IN] = "icmp_in",
        [SYNACK_CTR_ICMP_BAD] = "icmp_bad",
        [SYNACK_CTR_ICMP_ECHO_REPLIED] = "icmp_echo_replied",
        [SYNACK_CTR_ICMP_ERROR_IN] = "icmp_error_in",
        [SYNACK_CTR_TCP_PMTU_REDUCED] = "tcp_pmtu_reduced",
        [SYNACK_CTR_ICMP_ERROR_IGNORED] = "icmp_error_ignored",
        [SYNACK_CTR_ICMP_UNREACH_SENT] = "icmp_unreach_sent",
        [SYNACK_CTR_ICMP_RATE_LIMITED] = "icmp_rate_limited",
        [SYNACK_CTR_TCP_FASTOPEN_COOKIE_REQ] = "tcp_fastopen_cookie_req",
        [SYNACK_CTR_TCP_FASTOPEN_PASSIVE] = "tcp_fastopen_passive",
        [SYNACK_CTR_TCP_FASTOPEN_PASSIVE_FAIL] = "tcp_fastopen_passive_fail",
        [SYNACK_CTR_TCP_FASTOPEN_LISTEN_OVERFLOW] = "tcp_fastopen_listen_overflow",
    };
    if ((unsigned)id >= SYNACK_CTR_COUNT || !names[id]) return "?";
    return names[id];
}

const char *synack_congestion_name(int algorithm)
{
    switch (algorithm) {
    case SYNACK_CC_CUBIC:
        return "cubic";
    case SYNACK_CC_NEWRENO:
        return "reno";
    default:
        return NULL;
    }
}

int synack_congestion_by_name(const char *name)
{
    if (!name) return -1;
    if (!strcmp(name, "newreno")) return SYNACK_CC_NEWRENO;
    for (int i = 0; i < SYNACK_CC_COUNT; i++)
        if (!strcmp(name, synack_congestion_name(i))) return i;
    return -1;
}
