/* SPDX-License-Identifier: MIT */
/* synack: the stack object. Sans-I/O: packets and the current time go in, packets come out
 * through the link, and the stack says when it next wants to be called.
 *
 * Threads: a stack is not thread-safe. Every call on one stack (including socket calls) must
 * come from one thread at a time; distinct stacks share nothing and may run on distinct
 * threads. Callbacks (link transmit, trace) run on the calling thread, inside the call. */
#ifndef SYNACK_STACK_H
#define SYNACK_STACK_H

#include "synack/config.h"
#include "synack/link.h"
#include "synack/types.h"

struct synack_stack;

/* Named counters. Every dropped packet increments exactly one of the *_DROP / bad counters. */
enum synack_counter {
    SYNACK_CTR_IP_IN,                 /* IPv4 packets handed to synack_stack_input */
    SYNACK_CTR_IP_OUT,                /* IPv4 packets sent */
    SYNACK_CTR_IP_TOO_SHORT,          /* shorter than an IPv4 header */
    SYNACK_CTR_IP_BAD_VERSION,        /* version field is not 4 */
    SYNACK_CTR_IP_BAD_IHL,            /* header length < 20 or beyond the packet */
    SYNACK_CTR_IP_BAD_LENGTH,         /* total length beyond the packet or below the header */
    SYNACK_CTR_IP_BAD_CHECKSUM,       /* header checksum wrong */
    SYNACK_CTR_IP_FRAGMENT,           /* fragment (no reassembly yet) */
    SYNACK_CTR_IP_NOT_FOR_US,         /* destination is not our address */
    SYNACK_CTR_IP_UNKNOWN_PROTO,      /* not TCP */
    SYNACK_CTR_TCP_IN,                /* TCP segments accepted by the parser */
    SYNACK_CTR_TCP_OUT,               /* TCP segments sent */
    SYNACK_CTR_TCP_TOO_SHORT,         /* shorter than a TCP header */
    SYNACK_CTR_TCP_BAD_OFFSET,        /* data offset < 5 or beyond the segment */
    SYNACK_CTR_TCP_BAD_CHECKSUM,      /* checksum with pseudo-header wrong */
    SYNACK_CTR_TCP_BAD_OPTION,        /* option length invalid */
    SYNACK_CTR_TCP_BAD_PORT,          /* source or destination port 0, or a broadcast source */
    SYNACK_CTR_TCP_NO_CONNECTION,     /* matched no connection or listener (answered with RST) */
    SYNACK_CTR_TCP_RST_SENT,          /* RST segments sent */
    SYNACK_CTR_TCP_RST_IGNORED,       /* RST that failed the RFC 5961 / 9293 acceptance test */
    SYNACK_CTR_TCP_CHALLENGE_ACK,     /* challenge ACKs sent (RFC 5961) */
    SYNACK_CTR_TCP_CHALLENGE_LIMITED, /* challenge ACKs suppressed by the rate limit */
    SYNACK_CTR_TCP_OUT_OF_WINDOW,     /* unacceptable segment (answered with ACK) */
    SYNACK_CTR_TCP_BAD_ACK,           /* ACK of data never sent (answered with ACK) */
    SYNACK_CTR_TCP_HANDSHAKE_BAD_ACK, /* ACK not of our SYN in SYN-SENT / SYN-RECEIVED (RST) */
    SYNACK_CTR_TCP_ACK_TOO_OLD,       /* ACK below SND.UNA - MAX.SND.WND (RFC 5961 5.2) */
    SYNACK_CTR_TCP_OOO_QUEUED,        /* out-of-order segments held for reassembly */
    SYNACK_CTR_TCP_OOO_DROPPED,       /* out-of-order segments dropped: range table full */
    SYNACK_CTR_TCP_RCV_NO_MEMORY,     /* received text dropped: no memory (mem_limit) */
    SYNACK_CTR_TCP_DUPLICATE,         /* segments that carried only old data */
    SYNACK_CTR_TCP_RETRANSMIT,        /* segments retransmitted (timeouts and fast retransmit) */
    SYNACK_CTR_TCP_TIMEOUT,           /* retransmission timer expirations */
    SYNACK_CTR_TCP_LISTEN_OVERFLOW,   /* SYNs dropped: accept queue or connection table full */
    SYNACK_CTR_TCP_TW_OVERFLOW,       /* TIME-WAIT skipped: max_time_wait records exist */
    SYNACK_CTR_TCP_COOKIES_SENT,      /* SYN-ACKs with a SYN cookie (RFC 4987 3.6) */
    SYNACK_CTR_TCP_COOKIES_RECV,      /* valid cookies returned: connections made from them */
    SYNACK_CTR_TCP_COOKIES_FAILED,    /* ACKs whose cookie was forged or stale (RST)  */
    SYNACK_CTR_TCP_CONN_DROPPED,      /* connections aborted after too many retries */
    SYNACK_CTR_TCP_NO_MEMORY,         /* connection could not be allocated */
    SYNACK_CTR_TCP_BAD_SYN,           /* SYN / non-SYN that is not valid in the state (dropped) */
    SYNACK_CTR_TCP_PAWS,              /* old timestamp: rejected by PAWS (RFC 7323 5) */
    /* Answers not sent because of the per-connection limit on answers to unacceptable
     * segments (Linux tcp_invalid_ratelimit): to one out of the window, to one failing
     * PAWS, to an ACK of data never sent. */
    SYNACK_CTR_TCP_ACK_SKIPPED_SEQ,
    SYNACK_CTR_TCP_ACK_SKIPPED_PAWS,
    SYNACK_CTR_TCP_ACK_SKIPPED_UNSENT,
    SYNACK_CTR_TCP_ACK_SKIPPED_TIME_WAIT,    /* answers from TIME-WAIT records not sent */
    SYNACK_CTR_TCP_CHALLENGE_GLOBAL_LIMITED, /* challenge ACKs over the stack-wide limit */
    SYNACK_CTR_TCP_RCVBUF_GROWN,             /* receive buffers grown by auto-tuning */
    SYNACK_CTR_TCP_SNDBUF_GROWN,             /* send buffers grown by auto-tuning */
    SYNACK_CTR_TCP_ECN_REDUCED,              /* window reductions for an ECN echo (RFC 3168) */
    SYNACK_CTR_TCP_SPURIOUS_UNDO,            /* window reductions undone: D-SACK showed every
                                                retransmission of the episode spurious */
    SYNACK_CTR_TCP_SPURIOUS_RTO,             /* timeouts found spurious and undone (F-RTO,
                                                RFC 5682, or the timestamps, RFC 3522) */
    SYNACK_CTR_ICMP_IN,                      /* ICMP messages received (valid checksum) */
    SYNACK_CTR_ICMP_BAD,                     /* ICMP messages too short or with a bad checksum */
    SYNACK_CTR_ICMP_ECHO_REPLIED,            /* echo requests answered */
    SYNACK_CTR_ICMP_ERROR_IN,                /* destination-unreachable messages for a connection */
    SYNACK_CTR_ICMP_ERROR_IGNORED,           /* ICMP errors matching no connection or sequence */
    SYNACK_CTR_TCP_PMTU_REDUCED,             /* MSS lowered by "fragmentation needed" (RFC 1191) */
    SYNACK_CTR_ICMP_UNREACH_SENT,            /* port unreachable sent (UDP to us) */
    SYNACK_CTR_ICMP_RATE_LIMITED,            /* ICMP errors not sent: rate limit */
    SYNACK_CTR_TCP_FASTOPEN_COOKIE_REQ,      /* SYNs asking for a Fast Open cookie (RFC 7413) */
    SYNACK_CTR_TCP_FASTOPEN_PASSIVE,         /* Fast Open children: SYN data taken at once */
    SYNACK_CTR_TCP_FASTOPEN_PASSIVE_FAIL,    /* SYNs with an invalid cookie (data dropped) */
    SYNACK_CTR_TCP_FASTOPEN_LISTEN_OVERFLOW, /* over the listener's Fast Open qlen: plain SYN */
    SYNACK_CTR_COUNT
};

/* Creates a stack. config may be NULL (defaults); it is copied. Packets leave through link,
 * which is copied too. Returns NULL when memory runs out or the config is invalid (zero
 * sizes, rto_min > rto_max, mss < 64, ephemeral_first > ephemeral_last, an all-zero secret
 * without deterministic mode). */
struct synack_stack *synack_stack_new(const struct synack_config *config,
                                      const struct synack_link *link);

/* Frees the stack and every socket and connection in it, without sending anything. */
void synack_stack_free(struct synack_stack *stack);

/* An IPv4 packet arrived at time now. The stack never keeps a pointer to packet. Any reply
 * (ACK, RST, data the ACK let out) is transmitted before this returns. Malformed packets are
 * dropped and counted; this never fails. */
void synack_stack_input(struct synack_stack *stack, const uint8_t *packet, size_t len,
                        synack_time_t now);

/* synack_stack_input() with flags: SYNACK_INPUT_CSUM_VALID says the link vouches for the
 * TCP checksum (a TUN device's packets the kernel made or verified: virtio_net_hdr
 * NEEDS_CSUM or DATA_VALID), so the stack does not verify it again. */
#define SYNACK_INPUT_CSUM_VALID 0x1u
/* SYNACK_INPUT_MORE: more packets of the same batch follow and synack_stack_poll() will be
 * called after them; what the packet makes a connection send (an ACK, data the ACK let go)
 * may wait for that poll, so one ACK answers the batch instead of one per packet (a link
 * reading many packets per wakeup, as Linux's GRO and delayed ACK do). */
#define SYNACK_INPUT_MORE 0x2u
void synack_stack_input_flags(struct synack_stack *stack, const uint8_t *packet, size_t len,
                              synack_time_t now, unsigned flags);

/* Runs every timer due at or before now and sends what socket calls queued. Socket calls
 * take no time argument: the stack's clock is the last now it was given, so with a real
 * clock call this once right after synack_stack_new(), before the first socket call. */
void synack_stack_poll(struct synack_stack *stack, synack_time_t now);

/* When synack_stack_poll() next has work: the earliest timer, or the last time the stack
 * saw if socket calls left output pending, or SYNACK_TIME_NEVER. */
synack_time_t synack_stack_next_deadline(const struct synack_stack *stack);

/* The value of a counter (0 for an out-of-range id) and its name ("tcp_bad_checksum"). */
uint64_t synack_stack_counter(const struct synack_stack *stack, enum synack_counter id);
const char *synack_counter_name(enum synack_counter id);

/* Bytes of memory holding connection data now (send and receive buffers, out-of-order and
 * SACK tables): it follows the data, 0 when every connection is idle. Blocks kept for
 * reuse are not counted. */
size_t synack_stack_buffer_memory(const struct synack_stack *stack);

/* Number of connections alive in the stack (any state but CLOSED, listeners excluded). */
unsigned synack_stack_connection_count(const struct synack_stack *stack);

/* The configuration in force (a copy of what synack_stack_new got, defaults filled in). */
const struct synack_config *synack_stack_config(const struct synack_stack *stack);

/* Forgets what the stack learned about other hosts: the Fast Open cookies and MSS it cached
 * per server (RFC 7413 4.1.3; Linux `ip tcp_metrics flush`). */
void synack_stack_flush_metrics(struct synack_stack *stack);

/* Changes the configuration of a running stack, as a Linux sysctl changes the kernel's:
 * each setting applies where it is next read (new connections, the next segment or timer);
 * what connections already negotiated stays. The fields that size the stack (mss,
 * max_sockets, max_connections, local_addr, secret, deterministic, alloc/dealloc/mem_ctx)
 * must equal the current ones. Returns 0, or -EINVAL with *why (if why is not NULL) naming
 * the problem. */
int synack_stack_reconfigure(struct synack_stack *stack, const struct synack_config *config,
                             const char **why);

#endif
