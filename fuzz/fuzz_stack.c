/* SPDX-License-Identifier: MIT */
/* libFuzzer target (structure-aware): a stack with a listener on port 80, a passive and an
 * active connection, both established with data in flight. The fuzzer's bytes become
 * segments from the peer with valid checksums and sequence and acknowledgment numbers close
 * to the stack's RCV.NXT and SND.MAX (fuzz_peer.c), interleaved with time steps; the
 * application side reads everything, accepts new connections and closes at end of stream.
 *
 * Input: 3 configuration bytes, then records of [target, segment, time step].
 * Built by `make fuzz` with ASan + UBSan and the engine's invariant checks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_peer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_APP 8

struct app {
    struct synack_stack *st;
    int fds[MAX_APP];
    unsigned nfds;
};

static void app_add(struct app *a, int fd)
{
    if (fd < 0) return;
    if (a->nfds == MAX_APP) {
        synack_abort(a->st, fd);
        return;
    }
    a->fds[a->nfds++] = fd;
}

/* The application: accepts, reads everything, closes at end of stream or on error, keeps
 * the send buffers topped up when asked to. */
static void app_run(struct app *a, int listener, bool refill)
{
    static uint8_t buf[8192];
    int fd;
    while ((fd = synack_accept(a->st, listener, NULL)) >= 0)
        app_add(a, fd);
    for (unsigned i = 0; i < a->nfds;) {
        ssize_t n;
        int loops = 0;
        while ((n = synack_recv(a->st, a->fds[i], buf, sizeof buf)) > 0 && ++loops < 64) {
        }
        if (n == 0 || (n < 0 && n != -EAGAIN)) {
            synack_close(a->st, a->fds[i]);
            a->fds[i] = a->fds[--a->nfds];
            continue;
        }
        if (refill) synack_send(a->st, a->fds[i], buf, 3000);
        i++;
    }
}

static void peer_syn_opts(struct fz_seg *s, bool opts, uint16_t mss, synack_time_t now)
{
    s->mss_on = true;
    s->mss = mss;
    if (opts) {
        s->ws_on = true;
        s->ws = 7;
        s->sackok_on = true;
        s->ts_on = true;
        s->tsval = (uint32_t)(now / 1000000);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in = {data, size, 0};
    uint8_t c0 = fz_u8(&in), c1 = fz_u8(&in), c2 = fz_u8(&in);
    struct synack_config cfg;
    synack_config_init(&cfg);
    cfg.local_addr = FZ_LOCAL_ADDR;
    cfg.deterministic = true;
    cfg.timestamps = c0 & 1;
    cfg.sack = c0 & 2;
    if (c0 & 4) cfg.sndbuf = cfg.rcvbuf = 4096;
    if (c0 & 8) cfg.delayed_ack = 0;
    if (c0 & 16) cfg.mem_limit = 64 * 1024;
    if (c0 & 32) cfg.ooo_max_ranges = 2;
    if (c0 & 64) cfg.challenge_ack_limit = 5;
    cfg.mss = (c2 & 1) ? 536 : 1460;
    cfg.max_connections = 16;
    if (c2 & 4) cfg.syncookies = 2;
    if (c2 & 8) cfg.rfc1337 = true;
    cfg.max_sockets = 16;
    bool peer_opts = c0 & 128;
    uint16_t peer_mss = (c2 & 2) ? 100 : 1460;

    static struct fz_peer peer;
    fz_peer_init(&peer);
    struct synack_link link = {&peer, fz_peer_transmit};
    struct synack_stack *st = synack_stack_new(&cfg, &link);
    if (!st) abort();
    peer.stack = st;
    synack_time_t now = SYNACK_SEC(1);
    synack_stack_poll(st, now);
    struct app app = {st, {0}, 0};

    int l = synack_socket(st);
    struct synack_endpoint any80 = {0, 80};
    if (synack_bind(st, l, &any80) || synack_listen(st, l, 4)) abort();

    /* Passive connection: SYN, SYN-ACK, ACK from the peer's port 40000. */
    static uint8_t pay[4096];
    struct fz_conn *pc = fz_peer_conn(&peer, FZ_PEER_ADDR, 40000, FZ_LOCAL_ADDR, 80);
    struct fz_seg s;
    memset(&s, 0, sizeof s);
    s.flags = SYNACK_SYN;
    s.seq = pc->peer_nxt;
    s.win = 65535;
    peer_syn_opts(&s, peer_opts, peer_mss, now);
    fz_send(&peer, pc, &s, now);
    now += SYNACK_MS(10);
    memset(&s, 0, sizeof s);
    s.flags = SYNACK_ACK;
    s.seq = pc->peer_nxt;
    s.ack = pc->stack_max;
    s.win = 65535;
    s.ts_on = peer_opts && cfg.timestamps;
    s.tsval = (uint32_t)(now / 1000000);
    s.tsecr = pc->stack_tsval;
    fz_send(&peer, pc, &s, now);
    app_run(&app, l, false);

    /* Active connection to the peer's port 5000: SYN, SYN-ACK from the peer, ACK. */
    int c = synack_socket(st);
    struct synack_endpoint r = {FZ_PEER_ADDR, 5000};
    synack_connect(st, c, &r);
    synack_stack_poll(st, now);
    struct fz_conn *ac = NULL;
    for (unsigned i = 0; i < peer.nconns; i++)
        if (peer.conns[i].pport == 5000) ac = &peer.conns[i];
    if (!ac) abort();
    now += SYNACK_MS(10);
    memset(&s, 0, sizeof s);
    s.flags = SYNACK_SYN | SYNACK_ACK;
    s.seq = ac->peer_nxt;
    s.ack = ac->stack_max;
    s.win = 65535;
    peer_syn_opts(&s, peer_opts, peer_mss, now);
    s.tsecr = ac->stack_tsval;
    fz_send(&peer, ac, &s, now);
    app_add(&app, c);

    /* Data in flight from the stack on both connections. */
    static const size_t amounts[8] = {0, 1, 100, 1460, 5000, 20000, 70000, 200000};
    size_t amount = amounts[c1 & 7];
    static uint8_t big[200000];
    for (unsigned i = 0; i < app.nfds; i++)
        if (amount) synack_send(st, app.fds[i], big, amount);
    if (c1 & 8) synack_shutdown(st, c, SYNACK_SHUT_WR);
    bool refill = c1 & 16;
    synack_stack_poll(st, now);

    while (fz_more(&in)) {
        uint8_t t = fz_u8(&in);
        struct fz_conn *conn;
        switch (t & 3) {
        case 0:
            conn = pc;
            break;
        case 1:
            conn = ac;
            break;
        case 2: /* a new peer port, to the listener or a closed port */
            conn = fz_peer_conn(&peer, FZ_PEER_ADDR, (uint16_t)(41000 + ((t >> 2) & 7)),
                                FZ_LOCAL_ADDR, (t & 0x20) ? 81 : 80);
            break;
        default:
            conn = &peer.conns[(t >> 2) % peer.nconns];
            break;
        }
        if (!conn) conn = pc;
        fz_read_seg(&in, conn, &s, pay);
        fz_send(&peer, conn, &s, now);
        fz_advance(st, &now, fz_read_step(&in), 64);
        app_run(&app, l, refill);
    }
    /* Let every timer run out: retransmissions, TIME-WAIT, keepalive, FIN-WAIT-2. */
    for (int i = 0; i < 6; i++)
        fz_advance(st, &now, SYNACK_SEC(600), 200);
    synack_stack_free(st);
    return 0;
}
