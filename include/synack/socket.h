/* SPDX-License-Identifier: MIT */
/* synack: a BSD-style, non-blocking socket API over a synack stack.
 *
 * A socket is a small integer (a descriptor) valid until synack_close() or synack_abort().
 * After that the number may be reused by a later socket, exactly as with POSIX descriptors;
 * the connection itself may live on (FIN-WAIT, TIME-WAIT) without a descriptor, and nothing
 * ever calls back into user code about it, so no user handle can dangle.
 *
 * Every call returns >= 0 on success and a negative errno value on failure (-EAGAIN, ...).
 * Socket calls only change state and buffers; segments leave during synack_stack_poll()
 * (call it, or let the driver call it, at synack_stack_next_deadline()). */
#ifndef SYNACK_SOCKET_H
#define SYNACK_SOCKET_H

#include <sys/types.h>
#include "synack/stack.h"

/* Readiness bits returned by synack_poll_events(). */
#define SYNACK_POLLIN 0x1   /* recv() will not return -EAGAIN (data, EOF, or pending accept) */
#define SYNACK_POLLOUT 0x4  /* send() will accept at least one byte */
#define SYNACK_POLLERR 0x8  /* an error is pending (see synack_get_error) */
#define SYNACK_POLLHUP 0x10 /* both directions are finished, or the connection was reset */
#define SYNACK_POLLRDHUP                                                                           \
    0x20 /* the peer finished sending (its FIN came), or reading was shut                          \
            down or the connection ended (Linux POLLRDHUP) */
#define SYNACK_POLLZEROCOPY                                                                        \
    0x40 /* zero-copy sends have completed since synack_zerocopy_completed                         \
            last told (Linux reports them on the error queue, POLLERR) */

/* shutdown() directions. */
#define SYNACK_SHUT_RD 0
#define SYNACK_SHUT_WR 1
#define SYNACK_SHUT_RDWR 2

/* Creates a TCP socket. Errors: -EMFILE (max_sockets reached), -ENOMEM. */
int synack_socket(struct synack_stack *stack);

/* Binds to a local endpoint. addr 0 means the stack's address; port 0 picks an ephemeral
 * port. Errors: -EBADF, -EINVAL (already bound or not CLOSED), -EADDRINUSE,
 * -EADDRNOTAVAIL (address is not ours). */
int synack_bind(struct synack_stack *stack, int fd, const struct synack_endpoint *local);

/* Starts listening; backlog bounds completed connections waiting in accept() (and half-open
 * ones, like Linux's SYN queue). backlog <= 0 means 1; it is capped at 4096.
 * Errors: -EBADF, -EINVAL (connected or connecting), -EADDRINUSE, -ENOMEM (the memory hooks
 * gave no memory for the listener's queues; the socket is left as it was). */
int synack_listen(struct synack_stack *stack, int fd, int backlog);

/* Takes one established connection from a listener's queue; fills *peer if not NULL.
 * Errors: -EBADF, -EINVAL (not listening), -EAGAIN (queue empty), -EMFILE. */
int synack_accept(struct synack_stack *stack, int fd, struct synack_endpoint *peer);

/* Starts an active open. Returns -EINPROGRESS: the SYN leaves at the next poll; the socket
 * becomes writable when established, or reports the error (-ECONNREFUSED, -ETIMEDOUT) through
 * synack_get_error() and POLLERR. Errors: -EBADF, -EISCONN, -EALREADY (connect in progress),
 * -EINVAL (listening, or remote address/port 0), -EADDRNOTAVAIL (no free ephemeral port),
 * -EADDRINUSE (bound to a local endpoint already connected to remote), -ENOBUFS
 * (max_connections reached, or the stack's mem_limit reached), -ENOMEM. */
int synack_connect(struct synack_stack *stack, int fd, const struct synack_endpoint *remote);

/* Queues up to len bytes for sending; returns the number queued (> 0).
 * Errors: -EBADF, -EFAULT (buf NULL with len > 0), -ENOTCONN (not connected), -EAGAIN
 * (send buffer full; also while SYN-SENT/SYN-RECEIVED), -EINPROGRESS (the first send of a
 * SYNACK_TCP_FASTOPEN_CONNECT socket, when its SYN carries none of buf), -EPIPE (write side shut down or
 * closed by us), -ECONNRESET / -ETIMEDOUT (the connection failed: reported once, then
 * -EPIPE). len 0 returns 0. */
ssize_t synack_send(struct synack_stack *stack, int fd, const void *buf, size_t len);

/* Flags of synack_send_flags() (send(2)'s MSG_* counterparts). */
#define SYNACK_MSG_MORE                                                                            \
    0x8 /* more follows: no PSH at the end of this data, and the output                            \
           this call asks for holds a partial segment (Linux MSG_MORE) */
#define SYNACK_MSG_EOR                                                                             \
    0x10 /* the data ends a record: later data is never put in the same                            \
            segment, and its last segment carries PSH, also when resent                            \
            (Linux MSG_EOR; up to 32 records unacknowledged at once,                               \
            past that a record's end is not kept) */

#define SYNACK_MSG_ZEROCOPY                                                                        \
    0x20 /* do not copy buf: the stack reads it, for every segment and                             \
            retransmission, until the peer acknowledges it; buf must stay                          \
            as it is until synack_zerocopy_completed counts this send (Linux                       \
            MSG_ZEROCOPY). Plain sends on the same socket are copied, in order */

/* synack_send with flags: SYNACK_MSG_MORE, SYNACK_MSG_EOR, SYNACK_MSG_ZEROCOPY and
 * SYNACK_MSG_DONTWAIT (accepted and ignored). Without MSG_MORE the last segment of the data carries
 * PSH (Linux tcp_push), unless a later send extends it first. Errors: those of synack_send, -EINVAL
 * (an unknown flag). */
ssize_t synack_send_flags(struct synack_stack *stack, int fd, const void *buf, size_t len,
                          int flags);

/* Takes up to len received bytes in order; returns the count, or 0 at end of stream (the
 * peer's FIN, or our SHUT_RD). Errors: -EBADF, -EFAULT, -ENOTCONN, -EAGAIN (nothing yet),
 * -ECONNRESET (reset by the peer), -ETIMEDOUT (retries ran out). */
ssize_t synack_recv(struct synack_stack *stack, int fd, void *buf, size_t len);

/* Flags of synack_recv_flags() (recv(2)'s MSG_* counterparts). */
#define SYNACK_MSG_PEEK 0x1     /* copy the data but leave it queued (the next read sees it) */
#define SYNACK_MSG_DONTWAIT 0x2 /* accepted and ignored: every call is non-blocking */
/* As Linux's TCP: discard up to len bytes without copying (buf may be NULL); with PEEK,
 * count them only. */
#define SYNACK_MSG_TRUNC 0x4

/* synack_recv with flags: SYNACK_MSG_PEEK returns what synack_recv would, without taking it
 * (no window update is sent); at end of stream or after an error it returns what
 * synack_recv would (a pending error is reported, and cleared, as by Linux's recv(MSG_PEEK)).
 * Errors: those of synack_recv, -EINVAL (an unknown flag). */
ssize_t synack_recv_flags(struct synack_stack *stack, int fd, void *buf, size_t len, int flags);

/* Zero-copy sends (SYNACK_MSG_ZEROCOPY) of this socket the stack is done with, counted from
 * its creation: a send that queued n > 0 bytes is done when the peer has acknowledged them,
 * and its buffer may then be reused. Sends are done in the order they were made, so a FIFO
 * of buffers and this count say which are free. synack_close copies what is still
 * unacknowledged (all buffers are free when it returns); synack_abort drops it. While the
 * connection lives a failed connection keeps its references until one of them. Readiness
 * SYNACK_POLLZEROCOPY says sends completed since the last call (which clears it).
 * Errors: -EBADF. */
int64_t synack_zerocopy_completed(struct synack_stack *stack, int fd);

/* Zero-copy receive: views of the bytes ready to read, in order, pointing into the receive
 * buffer (nothing copied): at most max (struct synack_iovec, link.h) in views, *count
 * set. Returns the bytes they cover; what synack_recv would return when there is nothing
 * (0 at end of stream, -EAGAIN, a pending error). The bytes stay in the buffer, and the
 * views valid, until synack_recv_return; until then the socket's other receive calls and
 * another borrow return -EBUSY. Errors: -EBADF, -EINVAL (views NULL, max 0, or count
 * NULL), -ENOMEM. */
ssize_t synack_recv_borrow(struct synack_stack *stack, int fd, struct synack_iovec *views,
                           unsigned max, unsigned *count);

/* Ends a borrow: the first n of the borrowed bytes are consumed, as a read of n bytes would
 * (the window may open); the rest stay to be read again. The views are invalid from now
 * on. Errors: -EBADF, -EINVAL (no borrow, or n more than was borrowed). */
int synack_recv_return(struct synack_stack *stack, int fd, size_t n);

/* Half-close. SHUT_WR sends FIN after the queued data; SHUT_RD makes recv return 0 instead
 * of -EAGAIN once the received data is read (as Linux: data that arrives later is still
 * received and readable). Errors: -EBADF, -EINVAL (bad how), -ENOTCONN. */
int synack_shutdown(struct synack_stack *stack, int fd, int how);

/* Graceful close: queued data is still delivered, then FIN; the descriptor is freed at once
 * and the connection finishes on its own (FIN-WAIT, TIME-WAIT). Unread received data makes it
 * an abort (RST), as RFC 2525 2.17 and Linux do. Errors: -EBADF. */
int synack_close(struct synack_stack *stack, int fd);

/* Abortive close: sends RST (if synchronized), frees the descriptor and the connection.
 * Errors: -EBADF. */
int synack_abort(struct synack_stack *stack, int fd);

/* Local / remote endpoint. Errors: -EBADF, -ENOTCONN (getpeername without a peer). */
int synack_getsockname(struct synack_stack *stack, int fd, struct synack_endpoint *out);
int synack_getpeername(struct synack_stack *stack, int fd, struct synack_endpoint *out);

/* SO_ERROR: returns the pending error (negative errno) or 0, and clears it. -EBADF if fd is
 * not a socket (in which case nothing is cleared). */
int synack_get_error(struct synack_stack *stack, int fd);

/* Readiness: a mask of SYNACK_POLL* bits, or -EBADF. */
int synack_poll_events(struct synack_stack *stack, int fd);

/* Socket options (SOL_SOCKET / IPPROTO_TCP counterparts). */
enum synack_sockopt {
    SYNACK_SO_RCVBUF,            /* receive buffer bytes; before connect/listen only */
    SYNACK_SO_SNDBUF,            /* send buffer bytes; any time, never below what it holds */
    SYNACK_SO_REUSEADDR,         /* 0/1: bind may reuse a port held by TIME-WAIT connections */
    SYNACK_TCP_NODELAY,          /* 0/1: disable Nagle (RFC 896); default 0 */
    SYNACK_TCP_MAXSEG,           /* MSS to announce (before connect/listen), or the effective MSS */
    SYNACK_SO_KEEPALIVE,         /* 0/1: keepalive probes (RFC 1122 4.2.3.6); default 0 */
    SYNACK_TCP_KEEPIDLE,         /* seconds of silence before the first probe (7200) */
    SYNACK_TCP_KEEPINTVL,        /* seconds between probes (75) */
    SYNACK_TCP_KEEPCNT,          /* unanswered probes before giving up (9) */
    SYNACK_TCP_FASTOPEN_CONNECT, /* 0/1, before connect: Fast Open (RFC 7413) for connect():
                                    with a cached cookie connect() returns 0 at once and the
                                    SYN leaves with the first send's data; without one, the
                                    SYN asks for a cookie */
    SYNACK_TCP_USER_TIMEOUT,     /* milliseconds, >= 0 (0: off, the default): RFC 5482 / Linux
                                    TCP_USER_TIMEOUT: when sent data stays unacknowledged
                                    that long (checked as the retransmission timer fires), or
                                    a zero window has been probed that long, the connection
                                    is dropped with ETIMEDOUT; inherited by accept() */
    SYNACK_TCP_CONGESTION,       /* an enum synack_congestion value, any time; inherited by
                                    accept(); synack_congestion_by_name() maps Linux's
                                    names ("cubic", "reno") */
    SYNACK_TCP_FASTOPEN,         /* >= 0, before or after listen(): TCP Fast Open server (RFC
                                    7413 4.3, Linux TCP_FASTOPEN): the most Fast Open children
                                    in SYN-RECEIVED at once (qlen; 0: off, the default). Takes
                                    effect only with fastopen_server in the config. Cookie
                                    requests get a cookie; a SYN with a valid cookie makes a
                                    child that accept() returns at once, with the SYN's data
                                    readable, before the handshake's ACK; past qlen, SYNs get
                                    a plain handshake */
    SYNACK_TCP_FASTOPEN_NO_COOKIE, /* 0/1: Fast Open without a cookie (Linux
                                      TCP_FASTOPEN_NO_COOKIE): the SYN carries data and no
                                      Fast Open option, for servers that take SYN data
                                      without one */
    SYNACK_TCP_SYNCNT,             /* 1..127: SYN (and, on a listener, SYN-ACK) retransmissions
                                      before giving up (Linux TCP_SYNCNT); getsockopt reports
                                      the config's syn_retries until set */
    SYNACK_TCP_CORK,               /* 0/1 (Linux TCP_CORK): partial segments wait until it is
                                      cleared (then they go), TCP_NODELAY is set, or the
                                      persist timer fires as with a zero window; full ones go */
    SYNACK_TCP_NOTSENT_LOWAT,      /* bytes, as unsigned (Linux TCP_NOTSENT_LOWAT; -1: off;
                                      0: the config's notsent_lowat): POLLOUT only while
                                      twice the bytes queued and unsent are below it, and
                                      send() takes more only while fewer than it wait (see
                                      docs/config.md) */
    SYNACK_TCP_INQ,                /* 0/1 (Linux TCP_INQ): the application wants the bytes
                                      left to read with each read (synack_conn_info's
                                      recv_hint; the packetdrill adapter's recvmsg returns it
                                      as the TCP_CM_INQ control message) */
    SYNACK_IP_TOS,                 /* 0..255 (Linux IP_TOS): the IPv4 TOS byte of the
                                      connection's packets; its two ECN bits stay the stack's
                                      (RFC 3168); inherited by accept() */
    SYNACK_IP_MTU_DISCOVER,        /* Linux IP_MTU_DISCOVER: 0 (IP_PMTUDISC_DONT: packets may
                                      be fragmented, DF clear, "fragmentation needed" changes
                                      nothing) or 1..5 (the default, 1: DF set, path MTU
                                      discovery per RFC 1191) */
};

/* connect() and send() in one, with TCP Fast Open (RFC 7413, Linux's MSG_FASTOPEN): with a
 * cookie cached for the server (or in cookie-less mode: the config's
 * fastopen_client_no_cookie, SYNACK_TCP_FASTOPEN_NO_COOKIE), the SYN carries up to the
 * server's MSS (cached from its last SYN-ACK, else ours) less 40 bytes of buf and that count
 * is returned; without one, the SYN asks for a cookie, nothing is queued and -EINPROGRESS
 * is returned (send again once connected). On a socket connected with
 * SYNACK_TCP_FASTOPEN_CONNECT whose SYN has not left, it and synack_send() both send that
 * SYN, returning the bytes it carries or -EINPROGRESS when it carries none. Data the
 * SYN-ACK does not acknowledge is sent again at once. -EALREADY while the SYN is out; on a
 * connected socket it is synack_send(). Errors: those of synack_connect and synack_send,
 * -EFAULT (buf NULL with len > 0), -EOPNOTSUPP (fastopen_client is off in the config). */
ssize_t synack_sendto_fastopen(struct synack_stack *stack, int fd,
                               const struct synack_endpoint *remote, const void *buf, size_t len);
/* synack_sendto_fastopen with flags. SYNACK_FASTOPEN_QUEUE_ALL queues all of buf the send
 * buffer takes, not only the SYN's share: the SYN carries what it may, the rest follows the
 * handshake, and the count queued is returned (what a blocking Linux sendto(MSG_FASTOPEN)
 * or first write after TCP_FASTOPEN_CONNECT achieves; the handshake's ACK then rides on
 * that data). remote may be NULL on a socket connected with SYNACK_TCP_FASTOPEN_CONNECT.
 * Further errors: -EINVAL (unknown flags), -EDESTADDRREQ (remote NULL, not connected). */
#define SYNACK_FASTOPEN_QUEUE_ALL 0x1
ssize_t synack_sendto_fastopen_flags(struct synack_stack *stack, int fd,
                                     const struct synack_endpoint *remote, const void *buf,
                                     size_t len, int flags);
/* Sets the 16-byte key of the Fast Open cookies a listener gives out (Linux
 * TCP_FASTOPEN_KEY), before or after listen(); fd < 0 sets the stack's key (Linux's sysctl
 * net.ipv4.tcp_fastopen_key, the config's fastopen_key) used by listeners without one. The
 * cookie is SipHash-2-4 of the client's then the server's IPv4 address under the key,
 * 8 bytes, as Linux computes it (so a key gives Linux's cookie). Errors: -EBADF, -EINVAL (key
 * NULL), -ENOMEM. */
int synack_set_fastopen_key(struct synack_stack *stack, int fd, const uint8_t key[16]);
/* The same with a backup key (Linux TCP_FASTOPEN_KEY with 32 bytes, for rotating keys):
 * cookies are given out under key and accepted under key or backup; backup NULL: none. */
int synack_set_fastopen_keys(struct synack_stack *stack, int fd, const uint8_t key[16],
                             const uint8_t backup[16]);

/* Errors: -EBADF, -ENOPROTOOPT (unknown option), -EINVAL (bad value or wrong state),
 * -EOPNOTSUPP (SYNACK_TCP_FASTOPEN_CONNECT with fastopen_client off in the config), -ENOMEM
 * (SYNACK_SO_SNDBUF on a live connection: no memory for the larger buffer). */
int synack_setsockopt(struct synack_stack *stack, int fd, enum synack_sockopt opt, int value);
int synack_getsockopt(struct synack_stack *stack, int fd, enum synack_sockopt opt, int *value);

/* Per-connection statistics. */
struct synack_conn_info {
    enum synack_tcp_state state;
    struct synack_endpoint local, remote;
    synack_time_t srtt; /* 0 before the first RTT sample */
    synack_time_t rttvar;
    synack_time_t rto;
    uint32_t snd_mss; /* effective sending MSS */
    uint32_t snd_wnd; /* peer's window, scaled */
    uint32_t rcv_wnd; /* our advertised window */
    uint32_t cwnd;    /* congestion window, bytes */
    uint32_t ssthresh;
    uint64_t retransmissions; /* segments retransmitted */
    uint64_t timeouts;        /* retransmission timer expirations */
    uint64_t bytes_sent;      /* payload bytes sent, first transmissions only */
    uint64_t bytes_acked;     /* payload bytes acknowledged by the peer */
    uint64_t bytes_received;  /* payload bytes received in order */
    uint64_t segments_in, segments_out;
    uint32_t send_queued; /* bytes in the send buffer (unsent + unacknowledged) */
    uint32_t recv_queued; /* bytes readable now (Linux SIOCINQ) */
    uint32_t send_unsent; /* bytes queued and not yet sent (Linux SIOCOUTQNSD; 0 before the
                             handshake completes) */
    /* Stack times (synack_time_t) when data last arrived in order (or the connection was
     * established), data last left, and the peer last acknowledged something new;
     * SYNACK_TIME_NEVER if not yet (Linux tcp_info's last_data_recv, last_data_sent and
     * last_ack_recv are now less these). */
    synack_time_t last_data_recv, last_data_sent, last_ack_recv;
    /* Microseconds spent busy sending (data queued or unacknowledged), and of those, held
     * back by the peer's window and by our full send buffer (Linux tcpi_busy_time,
     * tcpi_rwnd_limited, tcpi_sndbuf_limited; counted in whole milliseconds). */
    uint64_t busy_time, rwnd_limited, sndbuf_limited;
    /* How far the peer was seen to reorder, in segments (3 until seen more; Linux
     * tcpi_reordering). */
    uint32_t reordering;
    uint32_t recv_hint; /* what Linux's TCP_CM_INQ reports (tcp_inq_hint): recv_queued,
                           plus 1 once the peer's FIN has come */
    /* Loss recovery, as Linux's tcp_info reports it (segments, not bytes): its state (0
     * open, 1 disorder: duplicate ACKs or SACKs seen, 2 CWR: reduced for an ECN echo, 3
     * recovery, 4 loss: after a timeout), segments unacknowledged, SACKed, presumed lost
     * (RFC 6675 IsLost) and retransmitted in this recovery. */
    uint8_t ca_state;
    uint32_t unacked, sacked, lost, retrans;
    unsigned backoff;      /* timeouts in a row for the same data */
    unsigned probes;       /* zero-window probes sent unanswered */
    uint32_t advmss;       /* MSS we announced */
    uint32_t rcv_mss;      /* largest segment received (what full-sized means for our ACKs) */
    synack_time_t min_rtt; /* smallest round trip seen, 0 before any */
    bool syn_data_acked;   /* RFC 7413: the SYN-ACK acknowledged data in the SYN (Fast Open;
                              Linux TCPI_OPT_SYN_DATA) */
    uint32_t delivered;    /* segments acknowledged or SACKed, our SYN or SYN-ACK counted as
                              one (Linux tcpi_delivered) */
};
/* Errors: -EBADF, -ENOTCONN (a socket that never connected or listened). */
int synack_get_info(struct synack_stack *stack, int fd, struct synack_conn_info *out);

#endif
