/* SPDX-License-Identifier: MIT */
/* Control blocks: allocation, the connection hash table, listeners and their queues. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "stack/stack_impl.h"
#include "tcp/listen.h"
#include "tcp/rack.h"
#include "tcp/route.h"
#include "tcp/zcopy.h"
#include "tcp/output.h"
#include "tcp/state.h"
#include "tcp/syncookie.h"

void *sk_mem_alloc(struct synack_stack *s, size_t n, bool zero)
{
    void *p = s->eng.cfg.alloc ? s->eng.cfg.alloc(s->eng.cfg.mem_ctx, n) : malloc(n);
    if (p && zero) memset(p, 0, n);
    return p;
}

void sk_mem_free(struct synack_stack *s, void *p)
{
    if (!p) return;
    if (s->eng.cfg.dealloc)
        s->eng.cfg.dealloc(s->eng.cfg.mem_ctx, p);
    else
        free(p);
}

struct sk_tcb *sk_conn_new(struct synack_stack *s)
{
    struct sk_tcb *tcb = sk_mem_alloc(s, sizeof *tcb, true);
    if (!tcb) return NULL;
    tcb->state = SYNACK_CLOSED;
    tcb->fd = -1;
    tcb->rto_at = tcb->persist_at = tcb->close_at = tcb->tlp_at = tcb->rack_at = SYNACK_TIME_NEVER;
    tcb->delack_at = SYNACK_TIME_NEVER;
    tcb->ka_at = SYNACK_TIME_NEVER;
    tcb->last_data_recv_at = tcb->last_data_sent_at = SYNACK_TIME_NEVER;
    tcb->quickacks = 16; /* Linux TCP_MAX_QUICKACKS */
    sk_rtt_init(&tcb->rtt, s->eng.cfg.rto_initial);
    tcb->our_mss = s->eng.cfg.mss;
    tcb->snd_mss =
        s->eng.cfg.default_peer_mss < tcb->our_mss ? s->eng.cfg.default_peer_mss : tcb->our_mss;
    tcb->sndbuf_size = s->eng.cfg.sndbuf;
    tcb->rcvbuf_size = s->eng.cfg.rcvbuf;
    tcb->cc_algo = (uint8_t)s->eng.cfg.congestion;
    tcb->rcvbuf_max =
        s->eng.cfg.rcvbuf_max > tcb->rcvbuf_size ? s->eng.cfg.rcvbuf_max : tcb->rcvbuf_size;
    tcb->sndbuf_max =
        s->eng.cfg.sndbuf_max > tcb->sndbuf_size ? s->eng.cfg.sndbuf_max : tcb->sndbuf_size;
    tcb->all_next = s->all;
    if (s->all) s->all->all_prev = tcb;
    s->all = tcb;
    return tcb;
}

/* A control block holding connection state counts against max_connections from its
 * buffers' allocation until it is freed, TIME-WAIT included (config.h). */
static void count_connection(struct synack_stack *s, struct sk_tcb *tcb, bool on)
{
    if (tcb->counted == on) return;
    tcb->counted = on;
    if (on)
        s->connections++;
    else
        s->connections--;
}

int sk_conn_alloc_buffers(struct synack_stack *s, struct sk_tcb *tcb)
{
    if (!tcb->counted && s->connections >= s->eng.cfg.max_connections) return -ENOBUFS;
    /* Limits, not allocations: memory comes with the data (ring.h, reasm.h). */
    sk_ring_init(&tcb->sndbuf, tcb->sndbuf_size);
    sk_ring_init(&tcb->rcvbuf, tcb->rcvbuf_size);
    tcb->has_buffers = true;
    tcb->reasm.max = s->eng.cfg.ooo_max_ranges;
    tcb->sacked.max = s->eng.cfg.ooo_max_ranges;
    count_connection(s, tcb, true);
    /* RFC 7323 2.3: the smallest shift that lets the window cover the whole buffer; a
     * configured shift, but never one whose unit exceeds a quarter of this socket's buffer
     * (every window would round down to nothing). SYN cookies use the same. */
    tcb->rcv_wscale = sk_tcp_wscale_for(&s->eng.cfg, tcb->rcvbuf_size, tcb->rcvbuf_max);
    return 0;
}

int sk_conn_resize_sndbuf(struct synack_stack *s, struct sk_tcb *tcb, uint32_t size)
{
    struct sk_ring *r = &tcb->sndbuf, n;
    if (size < r->len) size = r->len;
    if (sk_zc_sending(tcb->zc)) {
        r->cap = size; /* the ring only counts bytes: a new limit */
        return 0;
    }
    sk_ring_init(&n, size);
    uint8_t chunk[1024];
    for (uint32_t off = 0; off < r->len;) {
        uint32_t k = r->len - off < sizeof chunk ? r->len - off : (uint32_t)sizeof chunk;
        sk_ring_peek(r, off, chunk, k);
        if (sk_ring_append(&s->eng.mem, &n, chunk, k) != k) {
            sk_ring_release(&s->eng.mem, &n);
            return -ENOMEM;
        }
        off += k;
    }
    sk_ring_release(&s->eng.mem, r);
    *r = n;
    return 0;
}

unsigned sk_conn_bucket(const struct synack_stack *s, const struct synack_endpoint *l,
                        const struct synack_endpoint *r)
{
    uint32_t h = l->addr * 0x9e3779b1u ^ r->addr * 0x85ebca6bu;
    h ^= ((uint32_t)l->port << 16 | r->port) * 0xc2b2ae35u;
    h ^= h >> 15;
    return h & s->bucket_mask;
}

void sk_conn_hash(struct synack_stack *s, struct sk_tcb *tcb)
{
    if (tcb->hashed) return;
    unsigned b = sk_conn_bucket(s, &tcb->local, &tcb->remote);
    tcb->hash_next = s->buckets[b];
    s->buckets[b] = tcb;
    tcb->hashed = true;
}

void sk_conn_unhash(struct synack_stack *s, struct sk_tcb *tcb)
{
    if (!tcb->hashed) return;
    struct sk_tcb **p = &s->buckets[sk_conn_bucket(s, &tcb->local, &tcb->remote)];
    while (*p && *p != tcb)
        p = &(*p)->hash_next;
    if (*p) *p = tcb->hash_next;
    tcb->hash_next = NULL;
    tcb->hashed = false;
}

struct sk_tcb *sk_conn_lookup(struct synack_stack *s, const struct synack_endpoint *local,
                              const struct synack_endpoint *remote)
{
    for (struct sk_tcb *t = s->buckets[sk_conn_bucket(s, local, remote)]; t; t = t->hash_next) {
        if (t->local.addr == local->addr && t->local.port == local->port &&
            t->remote.addr == remote->addr && t->remote.port == remote->port)
            return t;
    }
    return NULL;
}

struct sk_tcb *sk_conn_find_listener(struct synack_stack *s, const struct synack_endpoint *local)
{
    struct sk_tcb *wild = NULL;
    for (struct sk_tcb *t = s->listeners; t; t = t->queue_next) {
        if (t->local.port != local->port) continue;
        if (t->local.addr == local->addr) return t;
        if (t->local.addr == 0) wild = t;
    }
    return wild;
}

void sk_conn_add_listener(struct synack_stack *s, struct sk_tcb *tcb)
{
    tcb->queue_next = s->listeners;
    s->listeners = tcb;
}

struct sk_listen *sk_conn_listen_state(struct synack_stack *s, struct sk_tcb *tcb)
{
    if (!tcb->listen) tcb->listen = sk_mem_alloc(s, sizeof *tcb->listen, true);
    return tcb->listen;
}

void sk_conn_remove_listener(struct synack_stack *s, struct sk_tcb *tcb)
{
    for (struct sk_tcb **p = &s->listeners; *p; p = &(*p)->queue_next) {
        if (*p == tcb) {
            *p = tcb->queue_next;
            tcb->queue_next = NULL;
            return;
        }
    }
}

/* A listener's queues are doubly linked: joining and leaving are O(1). */
static void queue_unlink(struct sk_tcb **head, struct sk_tcb **tail, struct sk_tcb *t)
{
    if (t->queue_prev)
        t->queue_prev->queue_next = t->queue_next;
    else
        *head = t->queue_next;
    if (t->queue_next)
        t->queue_next->queue_prev = t->queue_prev;
    else if (tail)
        *tail = t->queue_prev;
    t->queue_next = t->queue_prev = NULL;
}

/* RFC 7413 5.1: a Fast Open child counts against its listener's limit while it is in
 * SYN-RECEIVED and in the listener's queue (Linux keeps counting it past accept() until the
 * ACK; synack's child forgets its listener when accepted). */
static void tfo_uncount(struct sk_tcb *tcb)
{
    if (tcb->tfo_counted && tcb->listener) tcb->listener->listen->tfo_pending--;
    tcb->tfo_counted = false;
}

void sk_conn_detach_from_listener(struct sk_tcb *tcb)
{
    if (!tcb->listener) return;
    struct sk_listen *l = tcb->listener->listen;
    tfo_uncount(tcb);
    if (tcb->in_accept_queue) {
        queue_unlink(&l->accept_head, &l->accept_tail, tcb);
        l->accept_len--;
        tcb->in_accept_queue = false;
    } else {
        queue_unlink(&l->syn_head, NULL, tcb);
        l->syn_len--;
    }
    tcb->listener = NULL;
}

void sk_conn_kill(struct synack_stack *s, struct sk_tcb *tcb)
{
    if (tcb->dead) return;
    sk_conn_unhash(s, tcb);
    sk_conn_detach_from_listener(tcb);
    tcb->dead = true;
    tcb->hash_next = s->dead;
    s->dead = tcb;
}

void sk_conn_release_buffers(struct synack_stack *s, struct sk_tcb *tcb)
{
    if (!tcb->has_buffers) return;
    if (tcb->zc) sk_zc_clear(&s->eng.mem, tcb->zc); /* every zero-copy send completed */
    if (sk_zc_sending(tcb->zc))
        tcb->sndbuf.len = 0; /* counted bytes only: the ring holds no memory */
    sk_ring_release(&s->eng.mem, &tcb->sndbuf);
    sk_ring_release(&s->eng.mem, &tcb->rcvbuf);
    sk_reasm_release(&s->eng.mem, &tcb->reasm);
    sk_reasm_release(&s->eng.mem, &tcb->sacked);
    memset(&tcb->sndbuf, 0, sizeof tcb->sndbuf);
    memset(&tcb->rcvbuf, 0, sizeof tcb->rcvbuf);
    tcb->reasm.max = tcb->sacked.max = 0;
    tcb->has_buffers = false;
}

void sk_conn_free(struct synack_stack *s, struct sk_tcb *tcb)
{
    if (tcb->all_prev)
        tcb->all_prev->all_next = tcb->all_next;
    else
        s->all = tcb->all_next;
    if (tcb->all_next) tcb->all_next->all_prev = tcb->all_prev;
    sk_sched_forget(s, tcb);
    sk_ports_release(s, tcb);
    sk_conn_release_buffers(s, tcb);
    sk_mem_free(s, tcb->listen);
    if (tcb->eor) sk_mem_free(s, tcb->eor);
    if (tcb->zc) sk_zc_free(&s->eng.mem, tcb->zc);
    sk_rack_free(&s->eng, tcb);
    count_connection(s, tcb, false);
    sk_mem_free(s, tcb);
}

void sk_conn_reap(struct synack_stack *s)
{
    sk_sched_settle(s); /* touched connections leave the work lists before any is freed */
    while (s->dead) {
        struct sk_tcb *t = s->dead;
        s->dead = t->hash_next;
        sk_conn_free(s, t);
    }
}

/* Engine hooks. */

static void hook_established(struct sk_engine *eng, struct sk_tcb *tcb)
{
    if (tcb->state != SYNACK_SYN_RECEIVED) tfo_uncount(tcb); /* a Fast Open child's ACK came */
    if (!tcb->listener || tcb->in_accept_queue) return;
    struct sk_listen *l = tcb->listener->listen;
    queue_unlink(&l->syn_head, NULL, tcb);
    l->syn_len--;
    tcb->in_accept_queue = true;
    tcb->queue_prev = l->accept_tail;
    if (l->accept_tail)
        l->accept_tail->queue_next = tcb;
    else
        l->accept_head = tcb;
    l->accept_tail = tcb;
    l->accept_len++;
    sk_sched_touch(stack_of(eng), tcb->listener); /* readable now */
}

static void hook_closed(struct sk_engine *eng, struct sk_tcb *tcb)
{
    struct synack_stack *s = stack_of(eng);
    sk_conn_unhash(s, tcb);
    tfo_uncount(tcb);
    /* A child reset in the accept queue stays there: accept() returns it, its data is
     * read, then the error (ECONNRESET), as Linux, whose accept queue holds the socket
     * itself (a Fast Open child, RFC 7413 4.3, is queued before its handshake ends). */
    if (tcb->in_accept_queue) return;
    if (tcb->fd < 0)
        sk_conn_kill(s, tcb); /* nobody holds it: a child in the SYN queue, or an orphan */
}

static void hook_time_wait(struct sk_engine *eng, struct sk_tcb *tcb)
{
    /* An orphan in TIME-WAIT keeps only its sequence state (about 600 bytes), like Linux's
     * tcp_timewait_sock; a socket still open keeps its buffers until closed. */
    if (tcb->fd < 0 && tcb->rcvbuf.len == 0) sk_conn_release_buffers(stack_of(eng), tcb);
}

static struct sk_tcb *hook_spawn(struct sk_engine *eng, struct sk_tcb *listener,
                                 const struct sk_segment *seg, bool from_cookie)
{
    struct synack_stack *s = stack_of(eng);
    const struct synack_endpoint *local = &seg->dst, *remote = &seg->src;
    if (s->eng.mem.limit && s->eng.mem.in_use >= s->eng.mem.limit) {
        sk_drop(eng, SYNACK_CTR_TCP_NO_MEMORY, seg); /* memory pressure: no new connections */
        return NULL;
    }
    struct sk_listen *l = listener->listen;
    if (l->accept_len >= l->backlog || (!from_cookie && l->syn_len >= l->backlog)) {
        sk_drop(eng, SYNACK_CTR_TCP_LISTEN_OVERFLOW, seg);
        return NULL;
    }
    struct sk_tcb *c = sk_conn_new(s);
    if (!c) {
        sk_drop(eng, SYNACK_CTR_TCP_NO_MEMORY, seg);
        return NULL;
    }
    c->sndbuf_size = listener->sndbuf_size;
    c->rcvbuf_size = listener->rcvbuf_size;
    c->rcvbuf_max = listener->rcvbuf_max;
    c->cc_algo = listener->cc_algo; /* Linux inet_csk_clone_lock: the listener's algorithm */
    c->sndbuf_max = listener->sndbuf_max;
    c->user_mss = listener->user_mss; /* Linux copies user_mss with the tcp_sock */
    c->our_mss = sk_route_advmss(&s->eng.cfg, remote->addr, listener->our_mss, listener->user_mss);
    c->nodelay = listener->nodelay;
    c->keepalive = listener->keepalive; /* inherited, as BSD and Linux do */
    c->ka_idle_s = listener->ka_idle_s;
    c->ka_interval_s = listener->ka_interval_s;
    c->ka_max = listener->ka_max;
    c->user_timeout_ms = listener->user_timeout_ms; /* Linux inet_csk_clone_lock copies it too */
    c->syn_retries = listener->syn_retries;         /* ... and icsk_syn_retries */
    c->tos = listener->tos;                         /* ... and inet->tos, */
    c->pmtu_dont = listener->pmtu_dont;             /* and pmtudisc */
    /* ... and these, with the whole tcp_sock. */
    c->notsent_lowat = listener->notsent_lowat;
    c->cork = listener->cork;
    c->inq = listener->inq;
    int err = sk_conn_alloc_buffers(s, c);
    if (err) {
        sk_drop(eng, err == -ENOBUFS ? SYNACK_CTR_TCP_LISTEN_OVERFLOW : SYNACK_CTR_TCP_NO_MEMORY,
                seg);
        sk_conn_free(s, c);
        return NULL;
    }
    c->local = *local;
    c->remote = *remote;
    if (sk_ports_hold(s, c, SK_PORT_BOUND)) { /* a child holds its listener's port */
        sk_count(eng, SYNACK_CTR_TCP_NO_MEMORY);
        sk_conn_free(s, c);
        return NULL;
    }
    c->passive = true;
    c->listener = listener;
    c->queue_next = l->syn_head;
    if (c->queue_next) c->queue_next->queue_prev = c;
    l->syn_head = c;
    l->syn_len++;
    sk_conn_hash(s, c);
    sk_sched_touch(s, c);
    return c;
}

static void hook_want_output(struct sk_engine *eng, struct sk_tcb *tcb)
{
    sk_sched_want_output(stack_of(eng), tcb);
}

const struct sk_engine_hooks sk_stack_hooks = {
    .established = hook_established,
    .closed = hook_closed,
    .time_wait = hook_time_wait,
    .spawn = hook_spawn,
    .want_output = hook_want_output,
};
