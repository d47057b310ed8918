/* SPDX-License-Identifier: MIT */
/* synack: runtime configuration. Every default follows Linux (see shared/REFERENCE.md). */
#ifndef SYNACK_CONFIG_H
#define SYNACK_CONFIG_H

#include <stdbool.h>
#include "synack/trace.h"
#include "synack/types.h"

/* Limits of the fields below. */
#define SYNACK_MSS_MAX 65495u /* 65535 less the IPv4 and TCP headers */
#define SYNACK_MAX_ROUTES 8u  /* routes with their own settings (synack_config.routes) */

/* A route with its own advertised MSS (synack_config.routes). */
struct synack_route {
    uint32_t prefix;    /* host order; the bits past prefix_len are ignored */
    uint8_t prefix_len; /* 0 .. 32; 0 matches every address */
    uint16_t advmss;    /* 64 .. 65495 */
};
#define SYNACK_BUF_MIN 256u       /* smallest send or receive buffer (also SO_*BUF) */
#define SYNACK_BUF_MAX (1u << 30) /* largest send or receive buffer */

/* Congestion control algorithms (config congestion, SYNACK_TCP_CONGESTION). */
enum synack_congestion {
    SYNACK_CC_CUBIC,   /* RFC 9438, Linux's default */
    SYNACK_CC_NEWRENO, /* RFC 5681 with RFC 6582 (Linux "reno") */
    SYNACK_CC_COUNT
};
/* "cubic", "reno" (as Linux names them), or NULL for a value out of range. */
const char *synack_congestion_name(int algorithm);
/* The algorithm with that name ("newreno" is also taken for "reno"), or -1. */
int synack_congestion_by_name(const char *name);

struct synack_config {
    /* The stack's own IPv4 address (host order). Packets to other addresses are dropped and
     * counted (SYNACK_CTR_IP_NOT_FOR_US) unless accept_any_addr is set. Default 198.18.0.2. */
    uint32_t local_addr;
    /* Answer for any destination address (the address a socket binds to is used as its
     * source). For adapters that own a whole subnet. Default false. */
    bool accept_any_addr;

    /* Maximum segment size announced in our SYN: the MTU less 40; 64 .. 65495. Default 1460. */
    uint16_t mss;
    /* Routes with their own MSS, as Linux's `ip route add PREFIX/LEN ... advmss N`: a
     * connection to an address the longest matching prefix covers announces that route's
     * advmss instead of mss (a socket's TCP_MAXSEG still lowers it). nroutes of the
     * SYNACK_MAX_ROUTES entries are in use. Default none. */
    struct synack_route routes[SYNACK_MAX_ROUTES];
    unsigned nroutes;
    /* MSS assumed when the peer's SYN carries no MSS option (RFC 9293 3.7.1). Default 536. */
    uint16_t default_peer_mss;
    /* TTL of every IPv4 packet we send. Default 64. */
    uint8_t ttl;

    /* Retransmission timer (RFC 6298): initial 1 s, at most 120 s; rto_min (200 ms) bounds
     * the variance term, so RTO = SRTT + max(4 RTTVAR, rto_min), as Linux. */
    synack_time_t rto_initial;
    synack_time_t rto_min;
    synack_time_t rto_max;
    /* Retries before giving up: SYN 6, SYN-ACK 5, data 15 (tcp_syn_retries,
     * tcp_synack_retries, tcp_retries2). */
    unsigned syn_retries;
    unsigned synack_retries;
    unsigned data_retries;
    /* Maximum segment lifetime: TIME-WAIT lasts 2 * msl. Default 30 s (TIME-WAIT 60 s). */
    synack_time_t msl;
    /* How long an orphaned FIN-WAIT-2 connection waits for the peer's FIN. Default 60 s. */
    synack_time_t fin_wait2_timeout;
    /* Zero-window probe interval bounds; probes back off like the RTO. */
    synack_time_t persist_min;
    synack_time_t persist_max;
    /* Per connection, at most one answer per this interval to segments without data that
     * are unacceptable (out of the window, failing PAWS, acknowledging data never sent) and
     * at most one RFC 5961 challenge ACK, on one shared clock; segments with data are always
     * answered. Linux tcp_invalid_ratelimit: 500 ms. Default 500 ms. */
    synack_time_t challenge_ack_interval;
    /* Stack-wide challenge ACKs per second (RFC 5961 section 7), drawn at random around
     * this figure each second so the limit is no side channel; 0 = no stack-wide limit.
     * Linux tcp_challenge_ack_limit: 1000 before 6.0, unlimited since. Default 0. */
    unsigned challenge_ack_limit;

    /* Per-connection buffer sizes in bytes, 256 .. 1 GiB. Defaults: 256 KiB send, 256 KiB
     * receive. */
    uint32_t sndbuf;
    uint32_t rcvbuf;
    /* Receive-buffer auto-tuning (Linux tcp_moderate_rcvbuf with tcp_rmem[2]): while the
     * application reads more than the buffer's worth per round trip, a connection's receive
     * buffer grows from rcvbuf up to this many bytes (to twice what was read in a round
     * trip), so a long fat path is not held back by the window. Both buffers grow only
     * while the round trip stays within twice the path's smallest: past that a queue (a
     * bottleneck's, or the hosts' own processing) limits the transfer, not the window, and
     * Linux's rule alone would only lengthen it. Memory still follows the data held. A socket whose
     * SO_RCVBUF was set keeps that size. A value not above rcvbuf turns tuning off. At most 1 GiB.
     * Default 6 MiB (Linux tcp_rmem[2] = 6291456). */
    uint32_t rcvbuf_max;
    /* Send-buffer auto-tuning (Linux tcp_sndbuf_expand with tcp_wmem[2]): while the
     * application fills the send buffer and the congestion window is not what holds data
     * back, the buffer grows from sndbuf up to this many bytes (to twice the congestion
     * window). A socket whose SO_SNDBUF was set keeps that size. A value not above sndbuf
     * turns tuning off. At most 1 GiB. Default 4 MiB (Linux tcp_wmem[2] = 4194304). */
    uint32_t sndbuf_max;
    /* TCP_NOTSENT_LOWAT for sockets that set none (Linux net.ipv4.tcp_notsent_lowat): a
     * socket is writable, and send() queues more, only while fewer bytes than this wait
     * unsent. Default UINT32_MAX (off, as Linux). */
    uint32_t notsent_lowat;
    /* Stack-wide limit on the memory holding connection data (buffer chunks and range
     * tables), in bytes; 0 = none. Buffers take memory in 4 KiB chunks as data arrives or
     * is queued and give it back as it drains; at the limit, arriving text is dropped
     * (tcp_rcv_no_memory, the peer retransmits) and send() takes what fits or returns
     * -EAGAIN (POLLOUT clear until a chunk fits). Linux's tcp_mem plays this part. Default 0. */
    size_t mem_limit;
    /* Out-of-order ranges held per connection (the data lives inside the receive buffer, so
     * memory is bounded by rcvbuf). Default 32. */
    unsigned ooo_max_ranges;
    /* Window scale shift we announce (RFC 7323 2.3), 0..14; -1 (default) picks the smallest
     * shift that covers the largest the receive buffer may grow to (rcvbuf_max, or rcvbuf
     * without tuning). Linux derives it from tcp_rmem's maximum (7 by
     * default, 8 with packetdrill's defaults.sh). The window's unit (1 << shift) may be at
     * most a quarter of rcvbuf, or every window sent would round down to nothing; a socket
     * whose SO_RCVBUF is smaller uses the largest shift its buffer allows (as Linux, which
     * derives the shift from a locked SO_RCVBUF). */
    int8_t window_scale;
    /* RFC 7323 timestamps and RFC 2018 SACK-permitted, offered in our SYN and accepted from
     * the peer's (Linux: tcp_timestamps=1, tcp_sack=1). With SACK, our ACKs report held
     * out-of-order ranges and loss recovery follows the peer's SACK blocks (RFC 6675).
     * Defaults true. */
    bool timestamps;
    bool sack;
    /* Keepalive (RFC 1122 4.2.3.6) for sockets that turn it on (SYNACK_SO_KEEPALIVE): after
     * this much silence from the peer, probe every interval; give up (RST, ETIMEDOUT)
     * after this many unanswered probes. Linux: 2 h, 75 s, 9. */
    synack_time_t keepalive_idle;
    synack_time_t keepalive_interval;
    unsigned keepalive_probes;
    /* TCP Fast Open client (RFC 7413): connections opened with synack_sendto_fastopen() or
     * TCP_FASTOPEN_CONNECT ask servers for a cookie and later send data in the SYN.
     * Default true (Linux tcp_fastopen=1: client only). */
    bool fastopen_client;
    /* Fast Open client without cookies (Linux tcp_fastopen bit 0x4): data rides in the SYN of
     * every Fast Open connection, with no Fast Open option. Default false. */
    bool fastopen_client_no_cookie;
    /* TCP Fast Open server (RFC 7413 4.3; Linux tcp_fastopen bit 0x2). Default false (Linux's
     * default tcp_fastopen=1). When on, a listener with SYNACK_TCP_FASTOPEN set (or any
     * listener, with its backlog as the limit, when fastopen_any_listener is set: Linux bit
     * 0x400) answers a cookie request with a cookie and takes the data of a SYN with a valid
     * cookie at once. fastopen_no_cookie (Linux bit 0x200) takes SYN data without a cookie.
     * Both default false. */
    bool fastopen_server;
    bool fastopen_any_listener;
    bool fastopen_no_cookie;
    /* The key of the server's cookies (Linux net.ipv4.tcp_fastopen_key), used when
     * fastopen_key_set; otherwise a key derived from secret. A listener may have its own
     * (synack_set_fastopen_key). Defaults: false, zeros. */
    bool fastopen_key_set;
    uint8_t fastopen_key[16];
    /* A second key whose cookies are still taken, not given out (Linux's backup key, for
     * rotating keys: net.ipv4.tcp_fastopen_key's second part). Defaults: false, zeros. */
    bool fastopen_backup_key_set;
    uint8_t fastopen_backup_key[16];
    /* Delayed ACK (RFC 1122 4.2.3.2, RFC 5681 4.2): in-order data is acknowledged for at
     * least every second full-sized segment, otherwise within this delay; out-of-order
     * data, a filled hole and a FIN are acknowledged at once, and so are the first 16
     * segments of a connection (Linux quick-ACK mode). Default 40 ms (Linux TCP_DELACK_MIN);
     * 0 acknowledges every segment at once. */
    synack_time_t delayed_ack;
    /* Tail loss probe (RFC 8985 section 7, Linux tcp_early_retrans=3): when SACK is agreed,
     * probe a silent tail after about two round trips instead of waiting for the RTO.
     * Default true. */
    bool tail_loss_probe;
    /* F-RTO (RFC 5682 3, the SACK-enhanced algorithm, as Linux's tcp_frto=2): after a
     * timeout, the first ACK that moves SND.UNA lets new data go instead of repeating old;
     * if the next acknowledges data that was never sent again, the timeout was spurious and
     * the window is restored. Independently of it, an ACK echoing a timestamp older than
     * the first retransmission undoes the timeout too (RFC 3522, Linux tcp_packet_delayed).
     * Default true. */
    bool frto;
    /* Explicit Congestion Notification (RFC 3168), as Linux's tcp_ecn: 0 never; 1 ask for it
     * in our SYNs and accept it in the peer's; 2 accept it when a peer's SYN asks, never
     * ask. With it agreed, new data leaves ECT(0); a CE mark on what arrives is echoed with
     * ECE until the peer's CWR; an ECE makes the sender reduce its window once per window of
     * data, as for a loss, and set CWR. Default 2 (Linux's). */
    int ecn;
    /* Initial congestion window in segments (RFC 6928). Default 10. */
    unsigned initial_cwnd_segments;
    /* Congestion control for new sockets (SYNACK_TCP_CONGESTION changes one socket's):
     * CUBIC (RFC 9438) or NewReno. Either way the amount sent during SACK loss recovery
     * follows Proportional Rate Reduction (RFC 6937), as Linux. Default SYNACK_CC_CUBIC
     * (Linux tcp_congestion_control = cubic). */
    enum synack_congestion congestion;

    /* RFC 1337: a RST does not end TIME-WAIT (it protects against TIME-WAIT assassination).
     * Default false, as Linux's tcp_rfc1337 = 0. */
    bool rfc1337;
    /* TIME-WAIT records the stack keeps at most (Linux tcp_max_tw_buckets); past it a
     * connection that would enter TIME-WAIT closes at once (counted as tcp_tw_overflow).
     * Default 262144. */
    unsigned max_time_wait;
    /* SYN cookies (RFC 4987 3.6, as Linux's tcp_syncookies): 0 never, 1 when a listener's
     * SYN queue (its backlog) is full, 2 always. Default 1. */
    int syncookies;

    /* Sockets (descriptors) the stack can hold at once; connections that outlive their
     * descriptor (TIME-WAIT, orphaned closes) are counted in max_connections. Defaults 1024. */
    unsigned max_sockets;
    unsigned max_connections;
    /* Ephemeral ports for connect() without bind(): [first, last]. Linux: 32768..60999. */
    uint16_t ephemeral_first;
    uint16_t ephemeral_last;

    /* Key of the RFC 6528 ISN hash and of the RFC 6056 port choice. Give it 16 random bytes in
     * production (synack_config_random_secret() in synack/secret.h fills it from
     * getrandom(2)); tests fix it so every run produces the same segments. synack_stack_new()
     * refuses an all-zero secret (the default) unless deterministic is set. */
    uint8_t secret[16];
    /* RFC 6528 3: the ISN key is derived anew from secret every isn_rekey_interval ns (as
     * FreeBSD's net.inet.tcp.isn_reseed_interval), so that a key learnt (say, from a memory
     * disclosure) predicts ISNs for one interval only. 0: never; the secret itself is the
     * key (the default, as Linux, which never changes it). Otherwise at least 1 s. A 4-tuple
     * reused across a change still gets an ISN past its TIME-WAIT record's, and timestamp
     * offsets stay keyed by the secret. */
    synack_time_t isn_rekey_interval;
    /* Deterministic mode, for simulations and tests: the caller accepts predictable ISNs and
     * ports, and an all-zero secret is allowed. The simulator sets it for its hosts.
     * Default false. */
    bool deterministic;

    /* Memory hooks; NULL means malloc/free. Called only when a stack, socket or connection
     * is created or destroyed, never per packet. */
    void *(*alloc)(void *mem_ctx, size_t size);
    void (*dealloc)(void *mem_ctx, void *ptr);
    void *mem_ctx;

    /* Trace hook: called for each segment in or out, each state change and each drop.
     * NULL means no tracing. */
    synack_trace_fn trace;
    void *trace_ctx;
};

/* Fills *config with the documented defaults. */
void synack_config_init(struct synack_config *config);

/* Checks a configuration as synack_stack_new() does. Returns 0, or -EINVAL with *why (if
 * why is not NULL) pointing to a sentence naming the field and its limits, e.g. "mss must be
 * 64 .. 65495 (an IPv4 packet holds at most 65535 bytes)". */
int synack_config_check(const struct synack_config *config, const char **why);

#endif
