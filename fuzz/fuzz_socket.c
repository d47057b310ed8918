/* SPDX-License-Identifier: MIT */
/* libFuzzer target (structure-aware): sequences of socket calls (socket, bind, listen,
 * connect, Fast Open, accept, send, recv with flags, shutdown, close, abort, options, event
 * sets) interleaved with segments from a scripted peer (valid checksums, sequence numbers
 * near the stack's, fuzz_peer.c), raw packets and time steps, on a stack with small limits
 * (sockets, connections, buffers, memory). Every call must return a documented value; the
 * engine checks its invariants after every input and poll (-DSYNACK_CHECK_INVARIANTS).
 *
 * Input: 2 configuration bytes, then operations of one opcode byte and their arguments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_peer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FDS 12

static void fail(const char *what, long v)
{
    fprintf(stderr, "fuzz_socket: %s returned %ld\n", what, v);
    abort();
}

/* Return values outside what socket.h documents for the call are bugs. */
static void expect(const char *what, long v, const int *allowed)
{
    if (v >= 0) return;
    for (; *allowed; allowed++)
        if (v == -*allowed) return;
    fail(what, v);
}

static const int E_BIND[] = {EBADF, EINVAL, EADDRINUSE, EADDRNOTAVAIL, 0};
static const int E_LISTEN[] = {EBADF, EINVAL, EADDRINUSE, ENOMEM, 0};
static const int E_ACCEPT[] = {EBADF, EINVAL, EAGAIN, EMFILE, ENOMEM, 0};
static const int E_CONNECT[] = {ENOBUFS,    EBADF,         EISCONN, EALREADY,
                                EINVAL,     EADDRNOTAVAIL, ENOMEM,  EINPROGRESS,
                                EADDRINUSE, ECONNREFUSED,  0};
/* EINPROGRESS: the first send of a TCP_FASTOPEN_CONNECT socket whose SYN carries nothing. */
static const int E_SEND[] = {
    EBADF,        EFAULT,       ENOTCONN,    EAGAIN, EPIPE,       ECONNRESET, ETIMEDOUT,
    ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ENOMEM, EINPROGRESS, 0};
static const int E_FASTOPEN[] = {ENOBUFS,    EBADF,         EFAULT,       ENOTCONN,    EAGAIN,
                                 EPIPE,      ECONNRESET,    ETIMEDOUT,    EISCONN,     EALREADY,
                                 EINVAL,     EADDRNOTAVAIL, ENOMEM,       EINPROGRESS, EOPNOTSUPP,
                                 EADDRINUSE, ECONNREFUSED,  EHOSTUNREACH, ENETUNREACH, 0};
static const int E_RECV[] = {EBADF,        EFAULT,       ENOTCONN,    EAGAIN, ECONNRESET, ETIMEDOUT,
                             ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EINVAL, EPIPE,      0};
/* A zero-copy send on a deferred Fast Open connection: -EINVAL; a borrow while one is out:
 * -EBUSY (and every receive then). */
static const int E_SEND_ZC[] = {
    EBADF,        EFAULT,       ENOTCONN,    EAGAIN, EPIPE,  ECONNRESET, ETIMEDOUT,
    ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ENOMEM, EINVAL, 0};
static const int E_BORROW[] = {
    EBADF,        EFAULT,      ENOTCONN, EAGAIN, ECONNRESET, ETIMEDOUT, ECONNREFUSED,
    EHOSTUNREACH, ENETUNREACH, EINVAL,   EPIPE,  EBUSY,      ENOMEM,    0};
static const int E_SHUT[] = {EBADF, EINVAL, ENOTCONN, 0};
static const int E_CLOSE[] = {EBADF, 0};
static const int E_OPT[] = {EBADF, ENOPROTOOPT, EINVAL, EOPNOTSUPP, ENOMEM, 0};
static const int E_NAME[] = {EBADF, ENOTCONN, 0};
static const int E_INFO[] = {EBADF, ENOTCONN, 0};
static const int E_EV[] = {EINVAL, EBADF, EEXIST, ENOENT, ENOMEM, 0};

struct world {
    struct synack_stack *st;
    struct fz_peer peer;
    int fds[MAX_FDS];
    unsigned nfds;
    struct synack_events *ev;
    synack_time_t now;
};

static void add_fd(struct world *w, int fd)
{
    if (fd < 0) return;
    for (unsigned i = 0; i < w->nfds; i++)
        if (w->fds[i] == fd) return; /* a reused number */
    if (w->nfds < MAX_FDS) w->fds[w->nfds++] = fd;
}

static void forget_fd(struct world *w, int fd)
{
    for (unsigned i = 0; i < w->nfds; i++)
        if (w->fds[i] == fd) {
            w->fds[i] = w->fds[--w->nfds];
            return;
        }
}

/* A descriptor: mostly one we hold, sometimes any small number (stale or never opened). */
static int pick_fd(struct world *w, struct fz_in *in)
{
    uint8_t b = fz_u8(in);
    if (b >= 0xf0 || w->nfds == 0) return (int)(b & 15) - 1;
    return w->fds[b % w->nfds];
}

static struct synack_endpoint pick_ep(struct fz_in *in, bool remote)
{
    static const uint16_t ports[8] = {80, 81, 0, 5000, 40000, 40001, 65535, 32768};
    uint8_t b = fz_u8(in);
    struct synack_endpoint ep;
    static const uint32_t addrs[4] = {0, FZ_LOCAL_ADDR, FZ_PEER_ADDR, SYNACK_IPV4(10, 0, 0, 9)};
    ep.addr = remote ? addrs[2 + (b & 1)] : addrs[b & 3];
    if (remote && (b & 0x80)) ep.addr = FZ_LOCAL_ADDR; /* connect to ourselves */
    ep.port = ports[(b >> 2) & 7];
    return ep;
}

static const int BADV = 0x7fffffff;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in = {data, size, 0};
    uint8_t c0 = fz_u8(&in), c1 = fz_u8(&in);
    struct synack_config cfg;
    synack_config_init(&cfg);
    cfg.local_addr = FZ_LOCAL_ADDR;
    cfg.deterministic = true;
    cfg.timestamps = !(c0 & 1);
    cfg.sack = !(c0 & 2);
    if (c0 & 4) cfg.sndbuf = cfg.rcvbuf = 2048;
    if (c0 & 8) cfg.delayed_ack = 0;
    if (c0 & 16) cfg.mem_limit = 16 * 1024;
    cfg.max_sockets = (c0 & 32) ? 4 : 16;
    cfg.max_connections = (c0 & 64) ? 3 : 16;
    cfg.fastopen_client = !(c0 & 128);
    cfg.ooo_max_ranges = (c1 & 1) ? 1 : 32;
    cfg.challenge_ack_limit = (c1 & 2) ? 3 : 0;
    cfg.mss = (c1 & 4) ? 88 : 1460;
    if (c1 & 8) cfg.keepalive_idle = SYNACK_SEC(5);
    if (c1 & 16) cfg.msl = SYNACK_SEC(1);
    if (c1 & 32) cfg.syncookies = 2; /* always: every SYN gets a cookie */
    if (c1 & 64) cfg.rfc1337 = true;
    if (c1 & 128) cfg.max_time_wait = 1;
    static struct world w;
    memset(&w, 0, sizeof w);
    fz_peer_init(&w.peer);
    struct synack_link link = {&w.peer, fz_peer_transmit};
    w.st = synack_stack_new(&cfg, &link);
    if (!w.st) abort();
    w.peer.stack = w.st;
    w.now = SYNACK_SEC(1);
    synack_stack_poll(w.st, w.now);

    static uint8_t buf[70000];
    static uint8_t pay[4096];
    unsigned ops = 0;
    while (fz_more(&in) && ops++ < 2000) {
        uint8_t op = fz_u8(&in);
        struct synack_stack *st = w.st;
        switch (op % 24) {
        case 0: {
            int fd = synack_socket(st);
            if (fd < 0 && fd != -EMFILE && fd != -ENOMEM) fail("socket", fd);
            add_fd(&w, fd);
            break;
        }
        case 1: {
            int fd = pick_fd(&w, &in);
            struct synack_endpoint ep = pick_ep(&in, false);
            expect("bind", synack_bind(st, fd, &ep), E_BIND);
            break;
        }
        case 2: {
            int fd = pick_fd(&w, &in);
            expect("listen", synack_listen(st, fd, (int8_t)fz_u8(&in)), E_LISTEN);
            break;
        }
        case 3: {
            int fd = pick_fd(&w, &in);
            struct synack_endpoint ep = pick_ep(&in, true);
            expect("connect", synack_connect(st, fd, &ep), E_CONNECT);
            break;
        }
        case 4: {
            int fd = pick_fd(&w, &in);
            struct synack_endpoint peer;
            int a = synack_accept(st, fd, (fz_u8(&in) & 1) ? &peer : NULL);
            expect("accept", a, E_ACCEPT);
            add_fd(&w, a);
            break;
        }
        case 5: {
            int fd = pick_fd(&w, &in);
            uint8_t m = fz_u8(&in);
            size_t n = (m & 0x80) ? (size_t)fz_u16(&in) : m;
            ssize_t r = synack_send(st, fd, buf, n);
            expect("send", (long)r, E_SEND);
            if (r > (ssize_t)n) fail("send (more than asked)", (long)r);
            break;
        }
        case 6: {
            /* A zero-copy send (buf lives as long as the run), or a borrow and its return. */
            int fd = pick_fd(&w, &in);
            uint8_t m = fz_u8(&in);
            size_t n = (m & 0x80) ? (size_t)fz_u16(&in) : m;
            if (m & 0x40) {
                ssize_t r = synack_send_flags(st, fd, buf, n, SYNACK_MSG_ZEROCOPY);
                expect("send zerocopy", (long)r, E_SEND_ZC);
                if (r > (ssize_t)n) fail("send zerocopy (more than asked)", (long)r);
                int64_t done = synack_zerocopy_completed(st, fd);
                if (done < 0 && done != -EBADF) fail("zerocopy_completed", (long)done);
                break;
            }
            struct synack_iovec v[4];
            unsigned count = 0, max = 1 + (m & 3);
            ssize_t r = synack_recv_borrow(st, fd, v, max, &count);
            expect("recv_borrow", (long)r, E_BORROW);
            size_t lent = 0;
            for (unsigned i = 0; r > 0 && i < count; i++)
                lent += v[i].len;
            if (r > 0 && (count == 0 || count > max || lent != (size_t)r))
                fail("recv_borrow (views)", (long)r);
            int back = synack_recv_return(st, fd, r > 0 ? (size_t)r * (m & 7) / 7 : 0);
            if (r > 0 && back != 0) fail("recv_return", back);
            break;
        }
        case 7:
        case 8: {
            int fd = pick_fd(&w, &in);
            uint8_t m = fz_u8(&in);
            size_t n = (m & 0x80) ? (size_t)fz_u16(&in) : m;
            int flags = (m & 0x40) ? (fz_u8(&in) & 0x0f) : 0;
            ssize_t r = synack_recv_flags(
                st, fd, (flags & SYNACK_MSG_TRUNC) && (m & 1) ? NULL : buf, n, flags);
            expect("recv", (long)r, E_RECV);
            if (r > (ssize_t)n && !(flags & SYNACK_MSG_TRUNC)) fail("recv (more than asked)", r);
            break;
        }
        case 9: {
            int fd = pick_fd(&w, &in);
            int how = (int)(fz_u8(&in) % 4);
            expect("shutdown", synack_shutdown(st, fd, how), E_SHUT);
            break;
        }
        case 10: {
            int fd = pick_fd(&w, &in);
            int r = synack_close(st, fd);
            expect("close", r, E_CLOSE);
            if (r == 0) forget_fd(&w, fd);
            break;
        }
        case 11: {
            int fd = pick_fd(&w, &in);
            int r = synack_abort(st, fd);
            expect("abort", r, E_CLOSE);
            if (r == 0) forget_fd(&w, fd);
            break;
        }
        case 12: {
            int fd = pick_fd(&w, &in);
            enum synack_sockopt opt = (enum synack_sockopt)(fz_u8(&in) % 11);
            uint8_t m = fz_u8(&in);
            int v = (m & 0x80) ? (int)fz_u32(&in) : (m & 0x40) ? BADV : (int)(m & 0x3f);
            if (opt == SYNACK_SO_RCVBUF || opt == SYNACK_SO_SNDBUF) v = (m & 0x7f) * 512;
            expect("setsockopt", synack_setsockopt(st, fd, opt, v), E_OPT);
            break;
        }
        case 13: {
            int fd = pick_fd(&w, &in);
            int v;
            struct synack_endpoint ep;
            struct synack_conn_info info;
            expect("getsockopt",
                   synack_getsockopt(st, fd, (enum synack_sockopt)(fz_u8(&in) % 11), &v), E_OPT);
            expect("getsockname", synack_getsockname(st, fd, &ep), E_NAME);
            expect("getpeername", synack_getpeername(st, fd, &ep), E_NAME);
            expect("get_info", synack_get_info(st, fd, &info), E_INFO);
            int e = synack_get_error(st, fd);
            if (e > 0) fail("get_error", e);
            int pe = synack_poll_events(st, fd);
            if (pe < 0 && pe != -EBADF) fail("poll_events", pe);
            break;
        }
        case 14: {
            int fd = pick_fd(&w, &in);
            struct synack_endpoint ep = pick_ep(&in, true);
            size_t n = fz_u8(&in) * 8u;
            ssize_t r = synack_sendto_fastopen(st, fd, &ep, buf, n);
            expect("sendto_fastopen", (long)r, E_FASTOPEN);
            break;
        }
        case 15:
        case 16:
        case 17: {
            /* A segment from the peer on a connection it has seen, or a new one. */
            uint8_t b = fz_u8(&in);
            struct fz_conn *c;
            if ((b & 1) || w.peer.nconns == 0)
                c = fz_peer_conn(&w.peer, FZ_PEER_ADDR, (uint16_t)(40000 + ((b >> 1) & 3)),
                                 FZ_LOCAL_ADDR, (b & 0x10) ? 81 : 80);
            else
                c = &w.peer.conns[(b >> 1) % w.peer.nconns];
            if (!c) c = &w.peer.conns[0];
            struct fz_seg s;
            fz_read_seg(&in, c, &s, pay);
            fz_send(&w.peer, c, &s, w.now);
            break;
        }
        case 18:
        case 19:
            fz_advance(st, &w.now, fz_read_step(&in), 64);
            break;
        case 20: {
            /* Raw bytes as a packet, unchanged (checksums most likely wrong). */
            size_t n = fz_u8(&in);
            if (n > in.size - in.off) n = in.size - in.off;
            memcpy(buf, in.data + in.off, n);
            in.off += n;
            synack_stack_input(st, buf, n, w.now);
            break;
        }
        case 21: {
            /* Event sets: create, register, wait. */
            if (!w.ev) w.ev = synack_events_new(st);
            if (!w.ev) break;
            int fd = pick_fd(&w, &in);
            uint8_t m = fz_u8(&in);
            union synack_event_data d = {.fd = fd};
            uint32_t evs = (m & 1 ? SYNACK_POLLIN : 0) | (m & 2 ? SYNACK_POLLOUT : 0) |
                           (m & 4 ? SYNACK_EV_ET : 0) | (m & 8 ? SYNACK_EV_ONESHOT : 0);
            switch ((m >> 4) & 3) {
            case 0:
                expect("events_add", synack_events_add(w.ev, fd, evs, d), E_EV);
                break;
            case 1:
                expect("events_mod", synack_events_mod(w.ev, fd, evs, d), E_EV);
                break;
            case 2:
                expect("events_del", synack_events_del(w.ev, fd), E_EV);
                break;
            default: {
                struct synack_event out[4];
                int n = synack_events_wait(w.ev, out, 1 + (m >> 6));
                if (n < 0 || n > 1 + (m >> 6)) fail("events_wait", n);
                break;
            }
            }
            break;
        }
        case 22:
            synack_stack_poll(st, w.now);
            break;
        default: {
            /* The peer acknowledges everything the stack sent on one connection, in order. */
            if (w.peer.nconns == 0) break;
            struct fz_conn *c = &w.peer.conns[fz_u8(&in) % w.peer.nconns];
            struct fz_seg s;
            memset(&s, 0, sizeof s);
            s.flags = SYNACK_ACK;
            if (c->stack_sent && !c->stack_acked && !c->peer_syn_sent) {
                s.flags |= SYNACK_SYN; /* answer the stack's SYN */
                s.mss_on = s.ws_on = s.sackok_on = s.ts_on = true;
                s.mss = 1460;
                s.ws = 7;
            }
            s.seq = c->stack_acked ? c->stack_ack : c->peer_nxt;
            s.ack = c->stack_max;
            s.win = 0xffff;
            s.ts_on = s.ts_on || cfg.timestamps;
            s.tsval = c->peer_tsval + 1;
            s.tsecr = c->stack_tsval;
            fz_send(&w.peer, c, &s, w.now);
            break;
        }
        }
    }
    for (int i = 0; i < 6; i++)
        fz_advance(w.st, &w.now, SYNACK_SEC(600), 200);
    synack_stack_free(w.st);
    return 0;
}
