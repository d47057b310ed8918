/* SPDX-License-Identifier: MIT */
/* The stack object's insides, shared by the files of src/stack/. */
#ifndef SK_STACK_IMPL_H
#define SK_STACK_IMPL_H

#include "synack/socket.h"
#include "synack/stack.h"
#include "stack/fdtable.h"
#include "stack/ports.h"
#include "stack/sched.h"
#include "stack/tw.h"
#include "tcp/engine.h"
#include "wire/ipv4.h"

struct synack_stack {
    struct sk_engine eng; /* first: hooks get &stack->eng */
    struct sk_tcb **fds;  /* descriptor table */
    unsigned max_fds;
    struct sk_fdtable fd_free; /* which descriptors are in use */
    struct sk_ports ports;     /* local ports in use */
    struct sk_tw_table tw;     /* TIME-WAIT records */
    struct sk_tcb **buckets;   /* connections by 4-tuple */
    unsigned bucket_mask;
    struct sk_tcb *all; /* every control block: sockets, listeners, children, orphans */
    struct sk_tcb *listeners;
    struct sk_tcb *dead;     /* freed at the end of the current call (linked by hash_next) */
    unsigned connections;    /* control blocks holding connection state (max_connections) */
    uint32_t ephemeral_next; /* RFC 6056 algorithm 3 counter */
    struct sk_sched sched;   /* timer heap and work lists (sched.h) */
    /* ICMP error rate limit (Linux icmp_msgs_per_sec 1000, burst 50): tokens, refilled. */
    unsigned icmp_tokens;
    synack_time_t icmp_refill;
    struct sk_events *events; /* event sets (event.c), made by the first synack_events_new */
};

static inline struct synack_stack *stack_of(struct sk_engine *eng)
{
    return (struct synack_stack *)eng;
}

/* Memory through the config's hooks (conn.c); zero: clear it. */
void *sk_mem_alloc(struct synack_stack *s, size_t n, bool zero);
void sk_mem_free(struct synack_stack *s, void *p);

/* The event layer (event.c): a touched connection's readiness may have changed; a
 * descriptor is going away. */
void sk_event_touched(struct synack_stack *s, struct sk_tcb *tcb);
void sk_event_forget(struct synack_stack *s, int fd);
/* Frees every event set of the stack (synack_stack_free). */
void sk_event_free(struct synack_stack *s);

/* Control blocks (conn.c). */
struct sk_tcb *sk_conn_new(struct synack_stack *s);
int sk_conn_alloc_buffers(struct synack_stack *s, struct sk_tcb *tcb);
/* Moves the send buffer to one of max(size, bytes held) bytes. 0 or -ENOMEM. */
int sk_conn_resize_sndbuf(struct synack_stack *s, struct sk_tcb *tcb, uint32_t size);
/* The hash bucket of a 4-tuple (connections and TIME-WAIT records share the function). */
unsigned sk_conn_bucket(const struct synack_stack *s, const struct synack_endpoint *l,
                        const struct synack_endpoint *r);
void sk_conn_hash(struct synack_stack *s, struct sk_tcb *tcb);
void sk_conn_unhash(struct synack_stack *s, struct sk_tcb *tcb);
struct sk_tcb *sk_conn_lookup(struct synack_stack *s, const struct synack_endpoint *local,
                              const struct synack_endpoint *remote);
struct sk_tcb *sk_conn_find_listener(struct synack_stack *s, const struct synack_endpoint *local);
void sk_conn_add_listener(struct synack_stack *s, struct sk_tcb *tcb);
void sk_conn_remove_listener(struct synack_stack *s, struct sk_tcb *tcb);
/* tcb's listener state (tcp/listen.h), taken zeroed through the memory hooks if it has none
 * yet, as the block itself is; freed with the block. NULL if the memory could not be had. */
struct sk_listen *sk_conn_listen_state(struct synack_stack *s, struct sk_tcb *tcb);
/* Marks tcb for freeing at the end of the current call (unhashing it first). */
void sk_conn_kill(struct synack_stack *s, struct sk_tcb *tcb);
void sk_conn_reap(struct synack_stack *s);
void sk_conn_free(struct synack_stack *s, struct sk_tcb *tcb);
/* Gives back a connection's buffers early (orphaned TIME-WAIT: they hold no data). */
void sk_conn_release_buffers(struct synack_stack *s, struct sk_tcb *tcb);
/* Takes tcb out of its listener's SYN or accept queue, if in one. */
void sk_conn_detach_from_listener(struct sk_tcb *tcb);

/* Socket calls (socket.c) shared with zerocopy.c: the block of a descriptor (NULL if none);
 * what a receive returns with nothing to read (EOF, a pending error, -EAGAIN...); n bytes
 * read: consumed, the window announced if it grew enough. */
struct sk_tcb *sk_sock_get(struct synack_stack *s, int fd);
ssize_t sk_sock_recv_empty(struct sk_tcb *tcb, size_t len);
void sk_sock_consume_read(struct synack_stack *s, struct sk_tcb *tcb, uint32_t n);

/* Zero-copy (zerocopy.c). Queues up to want bytes of buf for sending (copied, or with zc
 * referenced until acknowledged); returns how many (0: no room, or no memory). */
uint32_t sk_sock_queue(struct synack_stack *s, struct sk_tcb *tcb, const uint8_t *buf,
                       uint32_t want, bool zc);
/* close(): the application's zero-copy buffers are copied so that it may free them; false
 * if the memory could not be had. */
bool sk_sock_zc_release(struct synack_stack *s, struct sk_tcb *tcb);
int64_t sk_sock_recv_borrow(struct synack_stack *s, int fd, struct synack_iovec *views,
                            unsigned max, unsigned *count);
int sk_sock_recv_return(struct synack_stack *s, int fd, size_t n);

/* ICMP (icmp.c): echo, errors for our connections, port unreachable for UDP. */
void sk_icmp_input(struct synack_stack *s, const struct sk_ipv4 *ip);
void sk_udp_unreachable(struct synack_stack *s, const struct sk_ipv4 *ip, const uint8_t *pkt);

/* The engine hooks (conn.c). */
extern const struct sk_engine_hooks sk_stack_hooks;

#endif
