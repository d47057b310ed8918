/* SPDX-License-Identifier: MIT */
/* The BSD-style socket API. Calls change state and buffers only; segments leave at the
 * next synack_stack_poll(). */
#include <errno.h>
#include <string.h>
#include "stack/stack_impl.h"
#include "tcp/cc.h"
#include "tcp/chrono.h"
#include "tcp/fastopen.h"
#include "tcp/isn.h"
#include "tcp/listen.h"
#include "tcp/output.h"
#include "tcp/autotune.h"
#include "tcp/sack.h"
#include "tcp/seq.h"
#include "tcp/state.h"
#include "tcp/timers.h"
#include "tcp/route.h"
#include "tcp/tracepoints.h"
#include "tcp/zcopy.h"

static struct sk_tcb *get(struct synack_stack *s, int fd)
{
    if (!s || fd < 0 || (unsigned)fd >= s->max_fds) return NULL;
    return s->fds[fd];
}

struct sk_tcb *sk_sock_get(struct synack_stack *s, int fd)
{
    return get(s, fd);
}

static int do_socket(struct synack_stack *s)
{
    if (!s) return -EINVAL;
    int fd = sk_fdtable_take(&s->fd_free);
    if (fd < 0) return -EMFILE;
    struct sk_tcb *tcb = sk_conn_new(s);
    if (!tcb) {
        sk_fdtable_give(&s->fd_free, fd);
        return -ENOMEM;
    }
    tcb->fd = fd;
    s->fds[fd] = tcb;
    return fd;
}

static bool local_addr_ok(const struct synack_stack *s, uint32_t addr)
{
    return addr == 0 || addr == s->eng.cfg.local_addr || s->eng.cfg.accept_any_addr;
}

/* Picks a free ephemeral port for tcb and holds it (RFC 6056 3.3.3, algorithm 3, as Linux's
 * __inet_hash_connect: the search starts at an offset from a keyed hash of the endpoints
 * plus a counter). With a remote (connect), a port may serve many connections: only the
 * 4-tuple must be unique, and ports held by bind() or listen() are skipped; without one
 * (bind or listen to port 0), the port must be wholly free. Each candidate costs a few
 * hash lookups; the counter moves past what was tried, so the search is O(1) amortised
 * while the range is not nearly exhausted. */
static int pick_port(struct synack_stack *s, struct sk_tcb *tcb,
                     const struct synack_endpoint *remote)
{
    const struct synack_config *c = &s->eng.cfg;
    uint32_t range = (uint32_t)c->ephemeral_last - c->ephemeral_first + 1;
    struct synack_endpoint none = {0, 0};
    uint32_t offset = sk_port_offset(c->secret, tcb->local.addr, remote ? remote : &none);
    for (uint32_t i = 0; i < range; i++) {
        uint16_t port = (uint16_t)(c->ephemeral_first + (offset + s->ephemeral_next + i) % range);
        bool busy;
        if (remote) {
            struct synack_endpoint l = {tcb->local.addr, port};
            busy = !sk_ports_auto_ok(s, tcb->local.addr, port) ||
                   sk_conn_lookup(s, &l, remote) != NULL || sk_tw_lookup(s, &l, remote) != NULL;
        } else {
            busy = sk_ports_bind_conflict(s, tcb->local.addr, port, false);
        }
        if (busy) continue;
        s->ephemeral_next += i + 1;
        tcb->local.port = port;
        int err = sk_ports_hold(s, tcb, remote ? SK_PORT_AUTO : SK_PORT_BOUND);
        if (err) tcb->local.port = 0;
        return err;
    }
    return -EADDRNOTAVAIL;
}

static int do_bind(struct synack_stack *s, int fd, const struct synack_endpoint *local)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    if (!local || tcb->state != SYNACK_CLOSED || tcb->local.port != 0 || tcb->error ||
        tcb->remote.port != 0)
        return -EINVAL;
    if (!local_addr_ok(s, local->addr)) return -EADDRNOTAVAIL;
    uint32_t addr = local->addr;
    if (local->port != 0) {
        if (sk_ports_bind_conflict(s, addr, local->port, tcb->reuseaddr)) return -EADDRINUSE;
        tcb->local.addr = addr;
        tcb->local.port = local->port;
        int err = sk_ports_hold(s, tcb, SK_PORT_BOUND);
        if (err) tcb->local.port = 0;
        return err;
    }
    tcb->local.addr = addr;
    int err = pick_port(s, tcb, NULL);
    if (err) tcb->local.addr = 0;
    return err;
}

static int do_listen(struct synack_stack *s, int fd, int backlog)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    if (backlog <= 0) backlog = 1;
    if (backlog > 4096) backlog = 4096; /* Linux somaxconn */
    if (tcb->state == SYNACK_LISTEN) {
        tcb->listen->backlog = (unsigned)backlog;
        return 0;
    }
    if (tcb->state != SYNACK_CLOSED || tcb->remote.port != 0 || tcb->error) return -EINVAL;
    struct sk_listen *l = sk_conn_listen_state(s, tcb);
    if (!l) return -ENOMEM;
    if (tcb->local.port == 0) {
        tcb->local.addr = 0;
        int err = pick_port(s, tcb, NULL);
        if (err) return err;
    } else if (sk_ports_listen_conflict(s, tcb->local.addr, tcb->local.port)) {
        return -EADDRINUSE;
    }
    int err = sk_ports_hold(s, tcb, SK_PORT_LISTEN);
    if (err) return err;
    l->backlog = (unsigned)backlog;
    /* Linux inet_listen with tcp_fastopen 0x400 (TFO_SERVER_WO_SOCKOPT1): Fast Open on a
     * listener that did not ask, its backlog as the limit (fastopen_queue_tune). */
    if (s->eng.cfg.fastopen_server && s->eng.cfg.fastopen_any_listener && l->tfo_qlen == 0)
        l->tfo_qlen = (unsigned)backlog;
    sk_tcp_set_state(&s->eng, tcb, SYNACK_LISTEN);
    sk_conn_add_listener(s, tcb);
    return 0;
}

static int do_accept(struct synack_stack *s, int fd, struct synack_endpoint *peer)
{
    struct sk_tcb *l = get(s, fd);
    if (!l) return -EBADF;
    if (l->state != SYNACK_LISTEN) return -EINVAL;
    if (!l->listen->accept_head) return -EAGAIN;
    int slot = sk_fdtable_take(&s->fd_free);
    if (slot < 0) return -EMFILE;
    struct sk_tcb *c = l->listen->accept_head;
    sk_conn_detach_from_listener(c);
    c->fd = slot;
    s->fds[slot] = c;
    if (peer) *peer = c->remote;
    sk_sched_update(s, l); /* readiness changed */
    return slot;
}

static int do_connect(struct synack_stack *s, int fd, const struct synack_endpoint *remote)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    /* A deferred Fast Open connect already reported success (Linux: SS_CONNECTED). */
    if (tcb->tfo_deferred) return -EISCONN;
    if (tcb->state == SYNACK_SYN_SENT || tcb->state == SYNACK_SYN_RECEIVED) return -EALREADY;
    if (tcb->state != SYNACK_CLOSED) return tcb->state == SYNACK_LISTEN ? -EINVAL : -EISCONN;
    if (tcb->error || tcb->remote.port != 0)
        return -EISCONN; /* one connection per socket, as BSD */
    if (!remote || remote->addr == 0 || remote->port == 0 || remote->addr == 0xffffffffu)
        return -EINVAL;
    if (tcb->local.addr == 0) tcb->local.addr = s->eng.cfg.local_addr;
    if (tcb->local.port == 0) {
        int err = pick_port(s, tcb, remote);
        if (err) return err;
    } else if (sk_conn_lookup(s, &tcb->local, remote) || sk_tw_lookup(s, &tcb->local, remote)) {
        return -EADDRINUSE;
    }
    /* Past the stack's memory limit new connections are refused (Linux: under tcp_mem
     * pressure new sockets get no memory). */
    if (s->eng.mem.limit && s->eng.mem.in_use >= s->eng.mem.limit) return -ENOBUFS;
    int err = sk_conn_alloc_buffers(s, tcb);
    if (err) return err == -ENOBUFS ? -ENOBUFS : -ENOMEM;
    tcb->remote = *remote;
    /* The route's MSS, if one covers the peer (Linux tcp_connect_init: tcp_advertise_mss). */
    tcb->our_mss = sk_route_advmss(&s->eng.cfg, remote->addr, tcb->our_mss, tcb->user_mss);
    /* RFC 6528: ISN from a keyed hash of the 4-tuple plus the clock. */
    tcb->iss = sk_engine_isn(&s->eng, &tcb->local, &tcb->remote);
    tcb->ts_offset = sk_ts_offset(s->eng.cfg.secret, &tcb->local, &tcb->remote);
    tcb->snd_una = tcb->snd_nxt = tcb->snd_max = tcb->snd_sml = tcb->rtx_end = tcb->iss;
    tcb->snd_buf_seq = tcb->iss + 1;
    sk_cc_init(&s->eng, tcb);
    sk_conn_hash(s, tcb);
    sk_tcp_set_state(&s->eng, tcb, SYNACK_SYN_SENT);
    if (tcb->tfo_connect && s->eng.cfg.fastopen_client) tcb->tfo = true;
    if (tcb->tfo) {
        /* RFC 7413 4.2.1 with Linux's TCP_FASTOPEN_CONNECT (tcp_fastopen_defer_connect):
         * when data may ride in the SYN (a cached cookie, or cookie-less mode), wait for the
         * first send and report the connect as done; otherwise the SYN asks for a cookie. */
        struct sk_tfo_syn fo;
        sk_tfo_client_syn(&s->eng, tcb, &fo);
        if (fo.data) {
            tcb->tfo_deferred = true;
            sk_sched_update(s, tcb); /* writable at once */
            return 0;
        }
    }
    sk_sched_want_output(s, tcb); /* the SYN leaves at the next poll, which times it */
    return -EINPROGRESS;
}

/* The error a failed connection reports once (then EPIPE / EOF). */
static int take_failure(struct sk_tcb *tcb)
{
    int err = tcb->error;
    tcb->error = 0;
    return err;
}

ssize_t sk_sock_recv_empty(struct sk_tcb *tcb, size_t len)
{
    if (tcb->error) return take_failure(tcb);
    if (tcb->shut_rd || tcb->fin_received) return 0;
    switch (tcb->state) {
    case SYNACK_CLOSED:
        return tcb->remote.port ? 0 : -ENOTCONN;
    case SYNACK_LISTEN:
        return -ENOTCONN;
    default:
        return len == 0 ? 0 : -EAGAIN;
    }
}

/* TCP_NOTSENT_LOWAT in force: the socket's, else the stack's (Linux tcp_notsent_lowat). */
static uint32_t notsent_lowat(const struct synack_stack *s, const struct sk_tcb *tcb)
{
    return tcb->notsent_lowat ? tcb->notsent_lowat : s->eng.cfg.notsent_lowat;
}

/* Bytes queued and not sent (Linux write_seq - snd_nxt). */
static uint32_t notsent(const struct sk_tcb *tcb)
{
    uint32_t end = sk_tcp_data_end(tcb);
    return seq_gt(end, tcb->snd_nxt) ? end - tcb->snd_nxt : 0;
}

/* How much of a send TCP_NOTSENT_LOWAT lets in, as Linux's tcp_sendmsg_locked: what the
 * windows let leave at once, and then a new skb is started only while less than the limit
 * waits unsent (tcp_stream_memory_free), each filled to the size goal (tcp_xmit_size_goal:
 * half the peer's largest window in whole MSS, at most 64 KiB). 0: none. */
static uint32_t lowat_room(const struct synack_stack *s, const struct sk_tcb *tcb)
{
    uint32_t lowat = notsent_lowat(s, tcb);
    if (lowat == UINT32_MAX) return UINT32_MAX;
    uint32_t flight = sk_tcp_in_flight(tcb), mss = tcb->snd_mss ? tcb->snd_mss : 536;
    uint32_t cwnd_room = tcb->cwnd > flight ? tcb->cwnd - flight : 0;
    uint32_t wnd_room = tcb->snd_wnd > flight ? tcb->snd_wnd - flight : 0;
    uint32_t now = cwnd_room < wnd_room ? cwnd_room : wnd_room, queued = notsent(tcb);
    uint32_t waiting = queued > now ? queued - now : 0;
    if (waiting >= lowat) return 0;
    uint32_t goal = tcb->max_snd_wnd / 2 < 65535u ? tcb->max_snd_wnd / 2 : 65535u;
    goal = goal / mss * mss;
    if (goal < mss) goal = mss;
    uint64_t fill = ((uint64_t)lowat + goal - 1) / goal * goal;
    uint64_t room = (now > queued ? now - queued : 0) + fill - waiting;
    return room > UINT32_MAX ? UINT32_MAX : (uint32_t)room;
}

/* Records where a write ended (Linux tcp_push / tcp_mark_push) and an MSG_EOR record. */
static void note_write_end(struct synack_stack *s, struct sk_tcb *tcb, int flags, bool whole)
{
    uint32_t end = sk_tcp_data_end(tcb);
    tcb->push_once = false; /* Linux skb_entail clears TCP_NAGLE_PUSH */
    /* MSG_MORE: no PSH, and the output this send asks for holds partial segments (Linux
     * tcp_push with TCP_NAGLE_CORK); the mark of an earlier write that this one extends
     * goes (tcp_sendmsg_locked clears PSH on the skb it appends to). */
    tcb->more_once = (flags & SYNACK_MSG_MORE) != 0;
    tcb->push_mark = !(flags & SYNACK_MSG_MORE);
    tcb->push_seq = end;
    /* MSG_EOR once the whole write is queued (Linux sets the skb's eor then). */
    if (!(flags & SYNACK_MSG_EOR) || !whole) return;
    if (!tcb->eor) {
        tcb->eor = sk_mem_alloc(s, SK_EOR_MAX * sizeof *tcb->eor, false);
        if (!tcb->eor) return; /* no memory: the record coalesces, nothing worse */
        tcb->eor_head = tcb->eor_count = 0;
    }
    if (tcb->eor_count == SK_EOR_MAX) return; /* as above */
    if (tcb->eor_count > 0 && tcb->eor[(tcb->eor_head + tcb->eor_count - 1u) % SK_EOR_MAX] == end)
        return;
    tcb->eor[(tcb->eor_head + tcb->eor_count) % SK_EOR_MAX] = end;
    tcb->eor_count++;
}

/* The first send on a deferred Fast Open connection (connect with TCP_FASTOPEN_CONNECT, or
 * sendto with MSG_FASTOPEN): the SYN leaves now with as much of buf as it may carry (RFC 7413
 * 4.2.1), and that count is returned, or -EINPROGRESS when it carries none (Linux
 * tcp_sendmsg_fastopen); the rest waits for the handshake. With all, the rest is queued
 * too (as much as the buffer takes): what a blocking Linux sendto does while it waits. */
static ssize_t fastopen_syn_data(struct synack_stack *s, struct sk_tcb *tcb, const void *buf,
                                 size_t len, bool all)
{
    struct sk_tfo_syn fo;
    sk_tfo_client_syn(&s->eng, tcb, &fo);
    tcb->tfo_deferred = false;
    sk_sched_want_output(s, tcb);
    size_t cap = all ? (len > UINT32_MAX ? UINT32_MAX : len) : !fo.data ? 0 : fo.room;
    uint32_t want = len < cap ? (uint32_t)len : (uint32_t)cap;
    uint32_t n = want ? sk_ring_append(&s->eng.mem, &tcb->sndbuf, buf, want) : 0;
    if (n) note_write_end(s, tcb, 0, n == len);
    return n ? (ssize_t)n : -EINPROGRESS;
}

static ssize_t do_send(struct synack_stack *s, int fd, const void *buf, size_t len, int flags)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    if (flags & ~(SYNACK_MSG_MORE | SYNACK_MSG_EOR | SYNACK_MSG_DONTWAIT | SYNACK_MSG_ZEROCOPY))
        return -EINVAL;
    bool zerocopy = (flags & SYNACK_MSG_ZEROCOPY) != 0;
    if (!buf && len > 0) return -EFAULT;
    if (tcb->error) return take_failure(tcb);
    switch (tcb->state) {
    case SYNACK_ESTABLISHED:
    case SYNACK_CLOSE_WAIT:
        break;
    case SYNACK_SYN_SENT:
        if (!tcb->tfo_deferred) return -EAGAIN;
        if (zerocopy) return -EINVAL; /* the SYN's data is copied: synack_send for it */
        return fastopen_syn_data(s, tcb, buf, len, false);
    case SYNACK_SYN_RECEIVED:
        /* RFC 7413 4.3: a Fast Open child may send before the ACK (Linux
         * tcp_passive_fastopen); output.c keeps it within the window. */
        if (!tcb->tfo_passive) return -EAGAIN;
        break;
    case SYNACK_CLOSED:
    case SYNACK_LISTEN:
        return tcb->remote.port ? -EPIPE : -ENOTCONN;
    default:
        return -EPIPE;
    }
    if (tcb->fin_queued) return -EPIPE;
    if (len == 0) return 0;
    uint32_t want = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    uint32_t room = tcb->state == SYNACK_ESTABLISHED || tcb->state == SYNACK_CLOSE_WAIT
                        ? lowat_room(s, tcb)
                        : UINT32_MAX;
    if (room == 0) return -EAGAIN; /* TCP_NOTSENT_LOWAT: enough waits unsent */
    if (want > room) want = room;
    uint32_t n = sk_sock_queue(s, tcb, buf, want, zerocopy);
    if (n < want) {
        tcb->snd_nospace = true; /* auto-tuning may grow it (autotune.h) */
        sk_chrono_start(&s->eng, tcb, SK_CHRONO_SNDBUF);
    }
    if (n == 0) return -EAGAIN; /* buffer full, or mem_limit reached (as Linux's tcp_mem) */
    sk_chrono_start(&s->eng, tcb, SK_CHRONO_BUSY);
    note_write_end(s, tcb, flags, (size_t)n == len);
    sk_sched_want_output(s, tcb);
    return (ssize_t)n;
}

/* After the application read: announce a window that grew enough (RFC 1122 4.2.3.3, and
 * "window updates must be sent when the application drains the buffer"). */
static void maybe_window_update(struct synack_stack *s, struct sk_tcb *tcb)
{
    /* A Fast Open child that has received nothing since its SYN's data keeps the window
     * of its SYN-ACK: Linux's window may grow only past rcv_ssthresh, which starts at that
     * window and grows as data segments arrive (tcp_grow_window), and the SYN's data does
     * not count (tcp_fastopen_add_skb). */
    if (tcb->tfo_fresh) return;
    uint32_t offered = sk_tcp_offered_window(tcb);
    uint64_t now_wnd = sk_tcp_rcv_window(&s->eng, tcb);
    /* Linux tcp_cleanup_rbuf: when the offered window is at most half of what can be
     * offered and the read lets it at least double, announce it now rather than with the
     * next ACK. What can be offered is bounded by the buffer and by the window field. */
    uint64_t most = (uint64_t)65535 << tcb->rcv_wscale;
    if (most > tcb->rcvbuf.cap) most = tcb->rcvbuf.cap;
    if (now_wnd > most) now_wnd = most;
    if (2 * (uint64_t)offered <= most && now_wnd > 0 && now_wnd >= 2 * (uint64_t)offered) {
        tcb->ack_now = true;
        sk_sched_want_output(s, tcb);
    }
}

ssize_t synack_recv(struct synack_stack *s, int fd, void *buf, size_t len)
{
    return synack_recv_flags(s, fd, buf, len, 0);
}

static ssize_t do_recv_flags(struct synack_stack *s, int fd, void *buf, size_t len, int flags)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    if (flags & ~(SYNACK_MSG_PEEK | SYNACK_MSG_DONTWAIT | SYNACK_MSG_TRUNC)) return -EINVAL;
    if (tcb->zc && tcb->zc->borrowed) return -EBUSY; /* synack_recv_return first */
    bool trunc = (flags & SYNACK_MSG_TRUNC) != 0;
    if (!buf && len > 0 && !trunc) return -EFAULT;
    if (tcb->rcvbuf.len > 0 && len > 0) {
        uint32_t n = tcb->rcvbuf.len < len ? tcb->rcvbuf.len : (uint32_t)len;
        /* Linux tcp_recvmsg_locked: MSG_TRUNC skips the copy; MSG_PEEK leaves the data
         * queued and, nothing being freed, sends no window update (tcp_cleanup_rbuf is
         * not reached with a changed window). */
        if (!trunc) sk_ring_peek(&tcb->rcvbuf, 0, buf, n);
        if (flags & SYNACK_MSG_PEEK) return (ssize_t)n;
        sk_sock_consume_read(s, tcb, n);
        return (ssize_t)n;
    }
    return sk_sock_recv_empty(tcb, len);
}

void sk_sock_consume_read(struct synack_stack *s, struct sk_tcb *tcb, uint32_t n)
{
    sk_ring_consume(&s->eng.mem, &tcb->rcvbuf, n, sk_reasm_extent(&tcb->reasm));
    sk_tcp_rcv_space_adjust(&s->eng, tcb);
    if (tcb->state != SYNACK_CLOSED) maybe_window_update(s, tcb);
}

/* CLOSE / SHUT_WR in a synchronized state: FIN after the queued data (RFC 9293 3.10.4). */
static void queue_fin(struct synack_stack *s, struct sk_tcb *tcb)
{
    if (tcb->fin_queued) return;
    switch (tcb->state) {
    case SYNACK_ESTABLISHED:
    case SYNACK_SYN_RECEIVED:
        tcb->fin_queued = true;
        sk_tcp_set_state(&s->eng, tcb, SYNACK_FIN_WAIT_1);
        break;
    case SYNACK_CLOSE_WAIT:
        tcb->fin_queued = true;
        sk_tcp_set_state(&s->eng, tcb, SYNACK_LAST_ACK);
        break;
    default:
        return;
    }
    sk_sched_want_output(s, tcb);
}

static int do_shutdown(struct synack_stack *s, int fd, int how)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    if (how != SYNACK_SHUT_RD && how != SYNACK_SHUT_WR && how != SYNACK_SHUT_RDWR) return -EINVAL;
    if (tcb->state == SYNACK_CLOSED || tcb->state == SYNACK_LISTEN) return -ENOTCONN;
    if (tcb->state == SYNACK_SYN_SENT) {
        /* RFC 9293 3.10.4: CLOSE in SYN-SENT deletes the TCB. */
        sk_tcp_close_with(&s->eng, tcb, 0);
        sk_sched_update(s, tcb); /* its timers stopped */
        return 0;
    }
    /* SHUT_RD, as Linux: reads return EOF instead of waiting; what arrives is still
     * received and readable (RFC 9293 leaves half-close of the receive side to the API). */
    if (how != SYNACK_SHUT_WR) tcb->shut_rd = true;
    if (how != SYNACK_SHUT_RD) queue_fin(s, tcb);
    sk_sched_update(s, tcb); /* readable at once (SHUT_RD), or hung up */
    return 0;
}

static void release_fd(struct synack_stack *s, struct sk_tcb *tcb)
{
    s->fds[tcb->fd] = NULL;
    sk_fdtable_give(&s->fd_free, tcb->fd);
    sk_event_forget(s, tcb->fd);
    tcb->fd = -1;
}

/* The application goes away now: RST at the next poll if synchronized, else just free. */
static void abort_tcb(struct synack_stack *s, struct sk_tcb *tcb)
{
    enum synack_tcp_state st = tcb->state;
    bool synchronized = st == SYNACK_SYN_RECEIVED || st == SYNACK_ESTABLISHED ||
                        st == SYNACK_FIN_WAIT_1 || st == SYNACK_FIN_WAIT_2 ||
                        st == SYNACK_CLOSE_WAIT;
    sk_conn_unhash(s, tcb);
    sk_conn_detach_from_listener(tcb);
    tcb->rto_at = tcb->persist_at = tcb->close_at = tcb->tlp_at = tcb->rack_at = SYNACK_TIME_NEVER;
    if (st != SYNACK_CLOSED) sk_tcp_set_state(&s->eng, tcb, SYNACK_CLOSED);
    if (synchronized) {
        tcb->rst_pending = true; /* RFC 9293 3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST> */
        sk_sched_want_output(s, tcb);
    } else {
        sk_conn_kill(s, tcb);
    }
}

static void close_listener(struct synack_stack *s, struct sk_tcb *l)
{
    sk_conn_remove_listener(s, l);
    /* Linux inet_csk_listen_stop: queued connections are reset, half-open ones dropped.
     * Each leaves its queue as it goes. */
    while (l->listen->accept_head)
        abort_tcb(s, l->listen->accept_head); /* established, never accepted: RST */
    while (l->listen->syn_head) {
        struct sk_tcb *t = l->listen->syn_head;
        sk_tcp_set_state(&s->eng, t, SYNACK_CLOSED); /* half-open: dropped quietly */
        sk_conn_kill(s, t);
    }
    sk_tcp_set_state(&s->eng, l, SYNACK_CLOSED);
    sk_conn_kill(s, l);
}

static int do_close(struct synack_stack *s, int fd)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    release_fd(s, tcb);
    if (tcb->state == SYNACK_TIME_WAIT) sk_sched_update(s, tcb); /* becomes a record */
    switch (tcb->state) {
    case SYNACK_LISTEN:
        close_listener(s, tcb);
        break;
    case SYNACK_CLOSED:
    case SYNACK_SYN_SENT:
        abort_tcb(s, tcb); /* RFC 9293 3.10.4: delete the TCB, nothing to send */
        break;
    default:
        /* RFC 2525 2.17 / RFC 9293 3.10.4 note, as Linux: closing with unread data resets
         * the connection. So does a close whose unacknowledged zero-copy data cannot be
         * copied (the application's buffers are free once close returns). */
        if (tcb->rcvbuf.len > 0 || !sk_sock_zc_release(s, tcb)) {
            abort_tcb(s, tcb);
            break;
        }
        queue_fin(s, tcb);
        if (tcb->state == SYNACK_FIN_WAIT_2)
            tcb->close_at = s->eng.now + s->eng.cfg.fin_wait2_timeout;
        sk_sched_update(s, tcb); /* a timer may have moved */
        break;
    }
    sk_conn_reap(s);
    return 0;
}

static int do_abort(struct synack_stack *s, int fd)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    release_fd(s, tcb);
    if (tcb->state == SYNACK_LISTEN)
        close_listener(s, tcb);
    else
        abort_tcb(s, tcb);
    sk_conn_reap(s);
    return 0;
}

int synack_getsockname(struct synack_stack *s, int fd, struct synack_endpoint *out)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    if (!out) return -EINVAL;
    *out = tcb->local;
    return 0;
}

int synack_getpeername(struct synack_stack *s, int fd, struct synack_endpoint *out)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    if (!out) return -EINVAL;
    if (tcb->remote.port == 0 || tcb->state == SYNACK_CLOSED || tcb->state == SYNACK_SYN_SENT)
        return -ENOTCONN;
    *out = tcb->remote;
    return 0;
}

int synack_get_error(struct synack_stack *s, int fd)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    /* One pending error, as Linux's sk_err: whoever reads it first clears it. */
    return take_failure(tcb);
}

/* Under the stack-wide memory limit a send may find no memory even with buffer space:
 * writable only if a chunk fits, or the buffer is empty (an empty buffer always gets one). */
static bool sndbuf_memory_ok(const struct synack_stack *s, const struct sk_tcb *tcb)
{
    const struct sk_mem *m = &s->eng.mem;
    return !m->limit || tcb->sndbuf.len == 0 || m->in_use + SK_RING_CHUNK <= m->limit;
}

int synack_poll_events(struct synack_stack *s, int fd)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    int ev = 0;
    if (tcb->state == SYNACK_LISTEN) return tcb->listen->accept_head ? SYNACK_POLLIN : 0;
    if (tcb->error) ev |= SYNACK_POLLERR;
    if (tcb->rcvbuf.len > 0 || tcb->fin_received || tcb->shut_rd || tcb->error) ev |= SYNACK_POLLIN;
    if (tcb->tfo_deferred) ev |= SYNACK_POLLOUT; /* Fast Open: the first send opens it */
    bool open = tcb->state == SYNACK_ESTABLISHED || tcb->state == SYNACK_CLOSE_WAIT ||
                (tcb->state == SYNACK_SYN_RECEIVED && tcb->tfo_passive);
    /* TCP_NOTSENT_LOWAT: Linux tcp_poll asks __sk_stream_is_writeable(sk, 1): twice what
     * waits unsent below the limit. */
    /* A zero-copy queue with every extent in use takes no send until some are acknowledged. */
    bool extents = !sk_zc_sending(tcb->zc) || tcb->zc->count < SK_ZC_MAX_EXTENTS;
    if (open && !tcb->fin_queued && extents && sk_ring_free(&tcb->sndbuf) > 0 &&
        sndbuf_memory_ok(s, tcb) && (uint64_t)notsent(tcb) * 2 < notsent_lowat(s, tcb))
        ev |= SYNACK_POLLOUT;
    bool closed = tcb->state == SYNACK_CLOSED && tcb->remote.port != 0;
    if (closed || (tcb->fin_received && tcb->fin_queued)) ev |= SYNACK_POLLHUP;
    if (closed) ev |= SYNACK_POLLIN | SYNACK_POLLOUT; /* calls return at once (error or EOF) */
    /* Linux tcp_poll: RCV_SHUTDOWN (the peer's FIN, SHUT_RD, or the end) reads as RDHUP. */
    if (tcb->fin_received || tcb->shut_rd || closed) ev |= SYNACK_POLLRDHUP;
    if (tcb->zc && tcb->zc->completed != tcb->zc->reported) ev |= SYNACK_POLLZEROCOPY;
    return ev;
}

static int do_setsockopt(struct synack_stack *s, int fd, enum synack_sockopt opt, int value)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    bool fresh = tcb->state == SYNACK_CLOSED && !tcb->has_buffers;
    switch (opt) {
    case SYNACK_SO_RCVBUF:
    case SYNACK_SO_SNDBUF:
        if (value < (int)SYNACK_BUF_MIN || value > (int)SYNACK_BUF_MAX) return -EINVAL;
        if (opt == SYNACK_SO_SNDBUF && tcb->has_buffers) {
            /* As Linux, the send buffer may change on a live connection: never below
             * what it holds. */
            int err = sk_conn_resize_sndbuf(s, tcb, (uint32_t)value);
            if (err == 0) tcb->sndbuf_size = tcb->sndbuf_max = tcb->sndbuf.cap; /* fixed */
            sk_sched_update(s, tcb); /* may be writable now */
            return err;
        }
        /* The receive buffer sets the window scale announced in the SYN: fixed after. */
        if (!fresh && tcb->state != SYNACK_LISTEN) return -EINVAL;
        if (opt == SYNACK_SO_RCVBUF) /* fixed: no auto-tuning (Linux SOCK_RCVBUF_LOCK) */
            tcb->rcvbuf_size = tcb->rcvbuf_max = (uint32_t)value;
        else /* fixed: no auto-tuning (Linux SOCK_SNDBUF_LOCK) */
            tcb->sndbuf_size = tcb->sndbuf_max = (uint32_t)value;
        return 0;
    case SYNACK_SO_REUSEADDR:
        tcb->reuseaddr = value != 0;
        return 0;
    case SYNACK_TCP_NODELAY:
        tcb->nodelay = value != 0;
        /* Linux __tcp_sock_set_nodelay: TCP_NAGLE_PUSH, what waits goes even if corked. */
        if (tcb->nodelay) tcb->push_once = true;
        if (tcb->nodelay) sk_sched_want_output(s, tcb);
        return 0;
    case SYNACK_TCP_CORK:
        /* Linux tcp_sock_set_cork: uncorking pushes what waits (with TCP_NODELAY even
         * past Nagle: TCP_NAGLE_PUSH). */
        tcb->cork = value != 0;
        if (!tcb->cork && tcb->nodelay) tcb->push_once = true;
        if (!tcb->cork) sk_sched_want_output(s, tcb);
        return 0;
    case SYNACK_TCP_NOTSENT_LOWAT:
        /* Linux do_tcp_setsockopt stores the int as it comes: -1 is UINT32_MAX (off). */
        tcb->notsent_lowat = (uint32_t)value;
        sk_sched_update(s, tcb); /* may be writable now, or no longer */
        return 0;
    case SYNACK_TCP_INQ:
        tcb->inq = value != 0;
        return 0;
    case SYNACK_SO_KEEPALIVE:
        sk_tcp_keepalive_set(&s->eng, tcb, value != 0);
        sk_sched_update(s, tcb); /* its timer moved */
        return 0;
    case SYNACK_TCP_KEEPIDLE:
    case SYNACK_TCP_KEEPINTVL:
    case SYNACK_TCP_KEEPCNT:
        if (value < 1 || value > 32767) return -EINVAL; /* Linux's bounds */
        if (opt == SYNACK_TCP_KEEPCNT)
            tcb->ka_max = (uint16_t)value;
        else if (opt == SYNACK_TCP_KEEPINTVL)
            tcb->ka_interval_s = (uint16_t)value;
        else
            tcb->ka_idle_s = (uint16_t)value;
        if (tcb->keepalive) {
            sk_tcp_keepalive_set(&s->eng, tcb, true);
            sk_sched_update(s, tcb);
        }
        return 0;
    case SYNACK_TCP_FASTOPEN_CONNECT:
        if (!fresh) return -EINVAL;
        if (!s->eng.cfg.fastopen_client) return -EOPNOTSUPP;
        tcb->tfo_connect = value != 0;
        return 0;
    case SYNACK_TCP_FASTOPEN_NO_COOKIE:
        if (value < 0 || value > 1) return -EINVAL; /* Linux: 0 or 1 */
        tcb->tfo_no_cookie = value != 0;
        return 0;
    case SYNACK_TCP_SYNCNT:
        if (value < 1 || value > 127) return -EINVAL; /* Linux MAX_TCP_SYNCNT */
        tcb->syn_retries = (uint8_t)value;
        return 0;
    case SYNACK_IP_TOS:
        if (value < 0 || value > 255) return -EINVAL;
        tcb->tos = (uint8_t)(value & ~3); /* RFC 3168: the ECN field is the stack's */
        return 0;
    case SYNACK_IP_MTU_DISCOVER:
        if (value < 0 || value > 5) return -EINVAL; /* Linux IP_PMTUDISC_DONT..OMIT */
        tcb->pmtu_dont = value == 0;
        return 0;
    case SYNACK_TCP_MAXSEG:
        if (value < 64 || value > s->eng.cfg.mss || (!fresh && tcb->state != SYNACK_LISTEN))
            return -EINVAL;
        tcb->our_mss = (uint16_t)value;
        tcb->user_mss = true;
        return 0;
    case SYNACK_TCP_USER_TIMEOUT:
        if (value < 0) return -EINVAL; /* Linux do_tcp_setsockopt */
        tcb->user_timeout_ms = (uint32_t)value;
        return 0;
    case SYNACK_TCP_CONGESTION:
        if (value < 0 || value >= SYNACK_CC_COUNT) return -EINVAL; /* Linux: -ENOENT by name */
        sk_cc_set(tcb, (enum synack_congestion)value);
        return 0;
    case SYNACK_TCP_FASTOPEN:
        /* Linux do_tcp_setsockopt TCP_FASTOPEN: CLOSED or LISTEN only; accepted even with
         * the server off in the config (which then keeps Fast Open off). */
        if (value < 0 || (tcb->state != SYNACK_LISTEN && !fresh)) return -EINVAL;
        if (!sk_conn_listen_state(s, tcb)) return -ENOMEM;               /* kept for listen() */
        tcb->listen->tfo_qlen = (unsigned)(value > 4096 ? 4096 : value); /* min(qlen, somaxconn) */
        return 0;
    }
    return -ENOPROTOOPT;
}

int synack_getsockopt(struct synack_stack *s, int fd, enum synack_sockopt opt, int *value)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    if (!value) return -EINVAL;
    switch (opt) {
    case SYNACK_SO_RCVBUF:
        /* What auto-tuning grew it to, as Linux reports sk_rcvbuf. */
        *value = (int)(tcb->rcvbuf.cap > tcb->rcvbuf_size ? tcb->rcvbuf.cap : tcb->rcvbuf_size);
        return 0;
    case SYNACK_SO_SNDBUF:
        *value = (int)(tcb->sndbuf.cap > tcb->sndbuf_size ? tcb->sndbuf.cap : tcb->sndbuf_size);
        return 0;
    case SYNACK_SO_REUSEADDR:
        *value = tcb->reuseaddr;
        return 0;
    case SYNACK_TCP_NODELAY:
        *value = tcb->nodelay;
        return 0;
    case SYNACK_SO_KEEPALIVE:
        *value = tcb->keepalive;
        return 0;
    case SYNACK_TCP_KEEPIDLE:
        *value = (int)(sk_tcp_ka_idle(&s->eng, tcb) / SYNACK_SEC(1));
        return 0;
    case SYNACK_TCP_KEEPINTVL:
        *value = (int)(sk_tcp_ka_interval(&s->eng, tcb) / SYNACK_SEC(1));
        return 0;
    case SYNACK_TCP_KEEPCNT:
        *value = (int)sk_tcp_ka_max(&s->eng, tcb);
        return 0;
    case SYNACK_TCP_FASTOPEN_CONNECT:
        *value = tcb->tfo_connect;
        return 0;
    case SYNACK_TCP_FASTOPEN_NO_COOKIE:
        *value = tcb->tfo_no_cookie;
        return 0;
    case SYNACK_TCP_SYNCNT:
        *value = tcb->syn_retries ? tcb->syn_retries : (int)s->eng.cfg.syn_retries;
        return 0;
    case SYNACK_IP_TOS:
        *value = tcb->tos;
        return 0;
    case SYNACK_IP_MTU_DISCOVER:
        *value = tcb->pmtu_dont ? 0 : 1;
        return 0;
    case SYNACK_TCP_MAXSEG:
        *value = tcb->state >= SYNACK_ESTABLISHED ? tcb->snd_mss : tcb->our_mss;
        return 0;
    case SYNACK_TCP_USER_TIMEOUT:
        *value = (int)tcb->user_timeout_ms;
        return 0;
    case SYNACK_TCP_CONGESTION:
        *value = tcb->cc_algo;
        return 0;
    case SYNACK_TCP_FASTOPEN:
        *value = tcb->listen ? (int)tcb->listen->tfo_qlen : 0;
        return 0;
    case SYNACK_TCP_CORK:
        *value = tcb->cork;
        return 0;
    case SYNACK_TCP_NOTSENT_LOWAT:
        *value = (int)tcb->notsent_lowat;
        return 0;
    case SYNACK_TCP_INQ:
        *value = tcb->inq;
        return 0;
    }
    return -ENOPROTOOPT;
}

int synack_set_fastopen_keys(struct synack_stack *s, int fd, const uint8_t key[16],
                             const uint8_t backup[16])
{
    if (!key) return -EINVAL;
    if (fd < 0) {
        memcpy(s->eng.cfg.fastopen_key, key, 16);
        s->eng.cfg.fastopen_key_set = true;
        if (backup) memcpy(s->eng.cfg.fastopen_backup_key, backup, 16);
        s->eng.cfg.fastopen_backup_key_set = backup != NULL;
        return 0;
    }
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    struct sk_listen *l = sk_conn_listen_state(s, tcb); /* taken before listen() too */
    if (!l) return -ENOMEM;
    /* The primary key, the backup, and whether there is one (listen.h). */
    memcpy(l->tfo_key, key, 16);
    if (backup) memcpy(l->tfo_key + 16, backup, 16);
    l->tfo_key[32] = backup != NULL;
    l->tfo_keyed = true;
    return 0;
}

int synack_set_fastopen_key(struct synack_stack *s, int fd, const uint8_t key[16])
{
    return synack_set_fastopen_keys(s, fd, key, NULL);
}

int synack_get_info(struct synack_stack *s, int fd, struct synack_conn_info *out)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    if (!out) return -EINVAL;
    memset(out, 0, sizeof *out);
    out->state = tcb->state;
    out->local = tcb->local;
    out->remote = tcb->remote;
    out->srtt = tcb->rtt.srtt;
    out->rttvar = tcb->rtt.rttvar;
    out->rto = sk_rtt_backoff(&tcb->rtt, tcb->backoff, s->eng.cfg.rto_max);
    out->snd_mss = tcb->snd_mss;
    out->snd_wnd = tcb->snd_wnd;
    out->rcv_wnd = sk_tcp_offered_window(tcb);
    out->cwnd = tcb->cwnd;
    out->ssthresh = tcb->ssthresh;
    out->retransmissions = tcb->retransmissions;
    out->timeouts = tcb->timeouts;
    out->bytes_sent = tcb->bytes_sent;
    out->bytes_acked = tcb->bytes_acked;
    out->bytes_received = tcb->bytes_received;
    out->segments_in = tcb->segments_in;
    out->segments_out = tcb->segments_out;
    out->send_queued = tcb->sndbuf.len;
    out->recv_queued = tcb->rcvbuf.len;
    bool synced = tcb->state != SYNACK_SYN_SENT && tcb->state != SYNACK_SYN_RECEIVED;
    out->send_unsent = synced ? notsent(tcb) : 0; /* Linux tcp_ioctl SIOCOUTQNSD */
    out->last_data_recv = tcb->last_data_recv_at;
    out->last_data_sent = tcb->last_data_sent_at;
    out->last_ack_recv = tcb->state == SYNACK_CLOSED ? SYNACK_TIME_NEVER : tcb->last_ack_at;
    out->recv_hint = tcb->rcvbuf.len + (tcb->fin_received ? 1u : 0u);
    uint32_t mss = tcb->snd_mss ? tcb->snd_mss : 1;
    uint32_t sacked = tcb->sack_ok ? sk_sack_bytes(tcb) : 0;
    out->ca_state = tcb->backoff > 0 || tcb->in_loss                    ? 4
                    : tcb->in_recovery                                  ? 3
                    : tcb->ecn_ok && seq_lt(tcb->snd_una, tcb->cwr_end) ? 2
                    : tcb->dupacks > 0 || sacked > 0                    ? 1
                                                                        : 0;
    out->unacked = (sk_tcp_in_flight(tcb) + mss - 1) / mss;
    out->sacked = (sacked + mss - 1) / mss;
    out->lost = tcb->sack_ok ? (sk_sack_lost_bytes(tcb) + mss - 1) / mss : 0;
    /* Linux retrans_out: segments sent again and not yet acknowledged, whatever sent them
     * (RTO, recovery, a probe, Fast Open's SYN data), the SACKed ones not counted. */
    if (seq_gt(tcb->rtx_end, tcb->snd_una)) {
        uint32_t span = tcb->rtx_end - tcb->snd_una;
        uint32_t held = tcb->sack_ok ? sk_sack_bytes_below(tcb, tcb->rtx_end) : 0;
        span = span > held ? span - held : 0;
        out->retrans = (span + mss - 1) / mss;
    }
    out->backoff = tcb->backoff;
    out->probes = tcb->persist_probes;
    out->advmss = tcb->our_mss;
    out->rcv_mss = tcb->rcv_mss;
    out->min_rtt = tcb->rtt.min;
    out->syn_data_acked = tcb->tfo_data;
    out->delivered = tcb->delivered;
    out->busy_time = sk_chrono_total(&s->eng, tcb, SK_CHRONO_BUSY);
    out->rwnd_limited = sk_chrono_total(&s->eng, tcb, SK_CHRONO_RWND);
    out->sndbuf_limited = sk_chrono_total(&s->eng, tcb, SK_CHRONO_SNDBUF);
    out->reordering = tcb->reordering ? tcb->reordering : 3;
    if (tcb->state == SYNACK_CLOSED && tcb->remote.port == 0 && tcb->local.port == 0)
        return -ENOTCONN;
    return 0;
}

static ssize_t do_sendto_fastopen(struct synack_stack *s, int fd,
                                  const struct synack_endpoint *remote, const void *buf, size_t len,
                                  int flags)
{
    struct sk_tcb *tcb = get(s, fd);
    if (!tcb) return -EBADF;
    if (!buf && len > 0) return -EFAULT;
    if (flags & ~SYNACK_FASTOPEN_QUEUE_ALL) return -EINVAL;
    bool all = (flags & SYNACK_FASTOPEN_QUEUE_ALL) != 0;
    if (tcb->state == SYNACK_SYN_SENT && tcb->tfo_deferred)
        return fastopen_syn_data(s, tcb, buf, len, all);
    if (tcb->state == SYNACK_SYN_SENT) return -EALREADY;
    if (tcb->state != SYNACK_CLOSED || tcb->remote.port != 0 || tcb->error)
        return do_send(s, fd, buf, len, 0);
    if (!remote) return -EDESTADDRREQ;
    if (!s->eng.cfg.fastopen_client) return -EOPNOTSUPP;
    tcb->tfo = true;
    int err = do_connect(s, fd, remote);
    if (err != 0 && err != -EINPROGRESS) return err;
    if (!tcb->tfo_deferred && !all) return -EINPROGRESS; /* a cookie request; data waits */
    return fastopen_syn_data(s, tcb, buf, len, all);
}

/* Socket calls as trace events (SYNACK_TRACE_CALL): each public call describes itself in a
 * struct call, and traced() runs its do_ twin and reports what was asked and what it
 * returned. Without a trace hook a call costs one test of it. */
struct call {
    int kind; /* enum synack_trace_call */
    int fd;
    int64_t arg; /* what the event reports: bytes, backlog, how, value */
    int arg2;    /* recv flags, the socket option */
    const struct synack_endpoint *addr;
    struct synack_endpoint *peer; /* accept's */
    const void *out;              /* send's bytes */
    void *in;                     /* recv's buffer */
    size_t len;
    struct synack_iovec *views; /* recv_borrow's */
    unsigned *count;
};

static int64_t run(struct synack_stack *s, const struct call *c)
{
    switch (c->kind) {
    case SYNACK_CALL_SOCKET:
        return do_socket(s);
    case SYNACK_CALL_BIND:
        return do_bind(s, c->fd, c->addr);
    case SYNACK_CALL_LISTEN:
        return do_listen(s, c->fd, (int)c->arg);
    case SYNACK_CALL_ACCEPT:
        return do_accept(s, c->fd, c->peer);
    case SYNACK_CALL_CONNECT:
        return do_connect(s, c->fd, c->addr);
    case SYNACK_CALL_SEND:
        return do_send(s, c->fd, c->out, c->len, c->arg2);
    case SYNACK_CALL_RECV:
        return do_recv_flags(s, c->fd, c->in, c->len, c->arg2);
    case SYNACK_CALL_SHUTDOWN:
        return do_shutdown(s, c->fd, (int)c->arg);
    case SYNACK_CALL_CLOSE:
        return do_close(s, c->fd);
    case SYNACK_CALL_ABORT:
        return do_abort(s, c->fd);
    case SYNACK_CALL_SETSOCKOPT:
        return do_setsockopt(s, c->fd, (enum synack_sockopt)c->arg2, (int)c->arg);
    case SYNACK_CALL_RECV_BORROW:
        return sk_sock_recv_borrow(s, c->fd, c->views, (unsigned)c->arg, c->count);
    case SYNACK_CALL_RECV_RETURN:
        return sk_sock_recv_return(s, c->fd, c->len);
    default: /* SYNACK_CALL_SENDTO */
        return do_sendto_fastopen(s, c->fd, c->addr, c->out, c->len, c->arg2);
    }
}

static int64_t traced(struct synack_stack *s, const struct call *c)
{
    if (!s || !s->eng.cfg.trace) return run(s, c);
    struct synack_trace_event ev;
    const struct sk_tcb *tcb = get(s, c->fd);
    sk_trace_begin(&s->eng, SYNACK_TRACE_CALL, tcb ? &tcb->local : NULL, tcb ? &tcb->remote : NULL,
                   &ev);
    int64_t r = run(s, c);
    ev.u.call.call = c->kind;
    ev.u.call.fd = c->fd;
    ev.u.call.arg = c->arg;
    ev.u.call.arg2 = c->arg2;
    ev.u.call.result = r;
    if (c->addr) ev.u.call.addr = *c->addr;
    /* The endpoints as the call left them (a connect picked a port; accept's new
     * connection) while the descriptor names a connection; after a close, as they were. */
    int now =
        c->kind == SYNACK_CALL_SOCKET || (c->kind == SYNACK_CALL_ACCEPT && r >= 0) ? (int)r : c->fd;
    tcb = c->kind == SYNACK_CALL_CLOSE || c->kind == SYNACK_CALL_ABORT ? NULL : get(s, now);
    if (tcb) {
        ev.local = tcb->local;
        ev.remote = tcb->remote;
        if (c->kind == SYNACK_CALL_ACCEPT) ev.u.call.addr = tcb->remote;
    }
    sk_trace_emit(&s->eng, &ev);
    return r;
}

int synack_socket(struct synack_stack *s)
{
    return (int)traced(s, &(struct call){.kind = SYNACK_CALL_SOCKET, .fd = -1});
}

int synack_bind(struct synack_stack *s, int fd, const struct synack_endpoint *local)
{
    return (int)traced(s, &(struct call){.kind = SYNACK_CALL_BIND, .fd = fd, .addr = local});
}

int synack_listen(struct synack_stack *s, int fd, int backlog)
{
    return (int)traced(s, &(struct call){.kind = SYNACK_CALL_LISTEN, .fd = fd, .arg = backlog});
}

int synack_accept(struct synack_stack *s, int fd, struct synack_endpoint *peer)
{
    return (int)traced(s, &(struct call){.kind = SYNACK_CALL_ACCEPT, .fd = fd, .peer = peer});
}

int synack_connect(struct synack_stack *s, int fd, const struct synack_endpoint *remote)
{
    return (int)traced(s, &(struct call){.kind = SYNACK_CALL_CONNECT, .fd = fd, .addr = remote});
}

ssize_t synack_send_flags(struct synack_stack *s, int fd, const void *buf, size_t len, int flags)
{
    return (ssize_t)traced(s, &(struct call){.kind = SYNACK_CALL_SEND,
                                             .fd = fd,
                                             .arg = (int64_t)len,
                                             .arg2 = flags,
                                             .out = buf,
                                             .len = len});
}

ssize_t synack_send(struct synack_stack *s, int fd, const void *buf, size_t len)
{
    return synack_send_flags(s, fd, buf, len, 0);
}

ssize_t synack_recv_flags(struct synack_stack *s, int fd, void *buf, size_t len, int flags)
{
    return (ssize_t)traced(s, &(struct call){.kind = SYNACK_CALL_RECV,
                                             .fd = fd,
                                             .arg = (int64_t)len,
                                             .arg2 = flags,
                                             .in = buf,
                                             .len = len});
}

int synack_shutdown(struct synack_stack *s, int fd, int how)
{
    return (int)traced(s, &(struct call){.kind = SYNACK_CALL_SHUTDOWN, .fd = fd, .arg = how});
}

int synack_close(struct synack_stack *s, int fd)
{
    return (int)traced(s, &(struct call){.kind = SYNACK_CALL_CLOSE, .fd = fd});
}

int synack_abort(struct synack_stack *s, int fd)
{
    return (int)traced(s, &(struct call){.kind = SYNACK_CALL_ABORT, .fd = fd});
}

int synack_setsockopt(struct synack_stack *s, int fd, enum synack_sockopt opt, int value)
{
    return (int)traced(
        s,
        &(struct call){.kind = SYNACK_CALL_SETSOCKOPT, .fd = fd, .arg = value, .arg2 = (int)opt});
}

ssize_t synack_sendto_fastopen_flags(struct synack_stack *s, int fd,
                                     const struct synack_endpoint *remote, const void *buf,
                                     size_t len, int flags)
{
    return (ssize_t)traced(s, &(struct call){.kind = SYNACK_CALL_SENDTO,
                                             .fd = fd,
                                             .arg = (int64_t)len,
                                             .arg2 = flags,
                                             .addr = remote,
                                             .out = buf,
                                             .len = len});
}

ssize_t synack_sendto_fastopen(struct synack_stack *s, int fd, const struct synack_endpoint *remote,
                               const void *buf, size_t len)
{
    return synack_sendto_fastopen_flags(s, fd, remote, buf, len, 0);
}

ssize_t synack_recv_borrow(struct synack_stack *s, int fd, struct synack_iovec *views, unsigned max,
                           unsigned *count)
{
    return (ssize_t)traced(
        s,
        &(struct call){
            .kind = SYNACK_CALL_RECV_BORROW, .fd = fd, .arg = max, .views = views, .count = count});
}

int synack_recv_return(struct synack_stack *s, int fd, size_t n)
{
    return (int)traced(
        s, &(struct call){.kind = SYNACK_CALL_RECV_RETURN, .fd = fd, .arg = (int64_t)n, .len = n});
}
