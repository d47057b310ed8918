/* SPDX-License-Identifier: MIT */
/* What the TCP engine needs from the stack that hosts it: configuration, counters, the
 * current time, a way out for packets, and hooks for connection life-cycle events. The stack
 * embeds one of these; the engine never sees the stack itself (dependencies point down). */
#ifndef SK_TCP_ENGINE_H
#define SK_TCP_ENGINE_H

#include "synack/config.h"
#include "synack/link.h"
#include "synack/stack.h"
#include "tcp/mem.h"
#include "tcp/tcb.h"
#include "tcp/fastopen.h"
#include "tcp/isn.h"
#include "wire/tcp_header.h"

struct sk_engine;
struct sk_segment;

struct sk_engine_hooks {
    /* A passive connection completed its handshake (SYN-RECEIVED -> ESTABLISHED), or a Fast
     * Open child was made (still SYN-RECEIVED, RFC 7413 4.3): it joins the accept queue. */
    void (*established)(struct sk_engine *eng, struct sk_tcb *tcb);
    /* The connection reached CLOSED: the stack unhashes it and frees it if orphaned. */
    void (*closed)(struct sk_engine *eng, struct sk_tcb *tcb);
    /* The connection entered TIME-WAIT: its buffers may go (only the sequence state is
     * needed to re-ACK a retransmitted FIN). */
    void (*time_wait)(struct sk_engine *eng, struct sk_tcb *tcb);
    /* A listener should take seg, a SYN (or a valid SYN cookie's ACK, which needs no room
     * in the SYN queue): returns a new child or NULL (the drop counted and traced). */
    struct sk_tcb *(*spawn)(struct sk_engine *eng, struct sk_tcb *listener,
                            const struct sk_segment *seg, bool from_cookie);
    /* What a connection has to send may wait for the stack's next poll (defer_output). */
    void (*want_output)(struct sk_engine *eng, struct sk_tcb *tcb);
};

struct sk_engine {
    struct synack_config cfg;
    uint64_t counters[SYNACK_CTR_COUNT];
    synack_time_t now;
    struct synack_link link;
    struct synack_link_offload offload; /* what the link does for us (src/link/offload.c) */
    struct sk_engine_hooks hooks;
    uint8_t *scratch; /* one outgoing packet */
    size_t scratch_cap;
    uint16_t ip_id;
    struct sk_tfo_cache tfo; /* Fast Open cookies from servers (RFC 7413 4.1.3) */
    /* The cookie the next SYN-ACK of tfo_reply_to carries (RFC 7413 4.3; only the first
     * SYN-ACK has one, as Linux). Set by the listener around that one output. */
    const struct sk_tcb *tfo_reply_to;
    struct sk_tfo_reply tfo_reply;
    unsigned live;             /* connections in a state other than CLOSED and LISTEN (state.c) */
    struct sk_mem mem;         /* buffer memory, against the stack-wide limit (mem.h) */
    struct sk_isn_key isn_key; /* the current ISN key when cfg.isn_rekey_interval is set */
    /* Stack-wide challenge ACK budget of the current second (answer.c). */
    uint64_t challenge_second;
    unsigned challenge_budget;
    bool challenge_budget_set;
    /* Why the segments sent next leave (enum synack_trace_cause, trace only): set by the
     * code that decides a retransmission or probe, cleared after (sk_why); 0 lets
     * sk_tcp_send infer it from the segment. */
    uint8_t why, why_backoff;
    /* The packet being taken is not its batch's last (SYNACK_INPUT_MORE): output at the end
     * of input waits for the poll that follows the batch (hooks.want_output). */
    bool defer_output;
    uint8_t tx_ecn; /* the ECN field of the segment being sent (sk_tcp_send) */
    uint8_t tx_tos; /* its TOS bits but ECN (IP_TOS) */
    bool tx_nodf;   /* its DF flag clear (IP_PMTUDISC_DONT) */
};

/* A parsed incoming segment with its addresses. */
struct sk_segment {
    struct synack_endpoint src, dst;
    struct sk_tcp_header h;
    const uint8_t *payload;
    uint32_t len;      /* payload bytes */
    uint8_t ecn;       /* the IP header's ECN field (RFC 3168 5) */
    uint32_t isn_hint; /* a SYN reusing a TIME-WAIT 4-tuple: the ISN to use (0: none) */
};

static inline void sk_count(struct sk_engine *eng, enum synack_counter c)
{
    eng->counters[c]++;
}

/* Names the cause of the segments sent until the next call (0: infer; see `why`). */
static inline void sk_why(struct sk_engine *eng, enum synack_trace_cause cause, unsigned backoff)
{
    eng->why = (uint8_t)cause;
    eng->why_backoff = (uint8_t)(backoff > 255 ? 255 : backoff);
}

/* Emits a drop trace event naming counter c (seg may be NULL before demultiplexing). */
void sk_trace_drop(struct sk_engine *eng, enum synack_counter c, const struct sk_segment *seg);

/* A segment (or part of it) is dropped: count it under c and trace it. */
static inline void sk_drop(struct sk_engine *eng, enum synack_counter c,
                           const struct sk_segment *seg)
{
    sk_count(eng, c);
    sk_trace_drop(eng, c, seg);
}

#endif
