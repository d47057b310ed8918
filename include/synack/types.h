/* SPDX-License-Identifier: MIT */
/* synack: basic types shared by every public header. */
#ifndef SYNACK_TYPES_H
#define SYNACK_TYPES_H

#include <stddef.h>
#include <stdint.h>

/* Time is a 64-bit count of nanoseconds from an arbitrary origin chosen by the caller.
 * The engine never reads a clock: every call that needs the time is given it. */
typedef uint64_t synack_time_t;

/* "No deadline": returned by synack_stack_next_deadline() when no timer is armed. */
#define SYNACK_TIME_NEVER UINT64_MAX

#define SYNACK_NS(x) ((synack_time_t)(x))
#define SYNACK_US(x) ((synack_time_t)(x)*1000ull)
#define SYNACK_MS(x) ((synack_time_t)(x)*1000000ull)
#define SYNACK_SEC(x) ((synack_time_t)(x)*1000000000ull)

/* An IPv4 endpoint. Both fields are in host byte order: 198.18.0.1 is 0xC6120001. */
struct synack_endpoint {
    uint32_t addr;
    uint16_t port;
};

/* Builds a host-order IPv4 address from its four dotted parts. */
#define SYNACK_IPV4(a, b, c, d)                                                                    \
    (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* The eleven states of RFC 9293 section 3.3.2, plus CLOSED = 0. */
enum synack_tcp_state {
    SYNACK_CLOSED = 0,
    SYNACK_LISTEN,
    SYNACK_SYN_SENT,
    SYNACK_SYN_RECEIVED,
    SYNACK_ESTABLISHED,
    SYNACK_FIN_WAIT_1,
    SYNACK_FIN_WAIT_2,
    SYNACK_CLOSE_WAIT,
    SYNACK_CLOSING,
    SYNACK_LAST_ACK,
    SYNACK_TIME_WAIT,
};

/* "ESTABLISHED", "SYN-SENT", ... as RFC 9293 spells them. */
const char *synack_state_name(enum synack_tcp_state state);

#endif
