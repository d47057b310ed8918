/* SPDX-License-Identifier: MIT */
/* Attacks in the simulator (issue 9): a SYN flood from spoofed sources while real clients
 * connect, and spoofed segments into a transfer. SYNACK_FLOOD_SYNS sets the flood's size
 * (default 200,000; the closing figures use 1,000,000). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "sim/rng.h"
#include "synack/ladder.h"
#include "synack/sim.h"

/* A SYN from a random spoofed source in 198.19.0.0/16 (no route back in the simulator). */
static void spoofed_syn(struct synack_stack *st, struct sk_rng *r, synack_time_t now)
{
    uint8_t pkt[128];
    uint32_t src = SYNACK_IPV4(198, 19, 0, 0) | ((uint32_t)sk_rng_upto(r, 0xfffe) + 1);
    struct th_seg s = {.flags = SYNACK_SYN,
                       .seq = (uint32_t)sk_rng_next(r),
                       .win = 65535,
                       .mss = 1460,
                       .wscale = 7,
                       .sack_permitted = true,
                       .has_ts = true,
                       .ts_val = (uint32_t)sk_rng_next(r),
                       .sport = (uint16_t)(1024 + sk_rng_upto(r, 60000)),
                       .dport = 80,
                       .src = src,
                       .dst = TH_SERVER_ADDR};
    size_t n = th_build(&s, pkt);
    synack_stack_input(st, pkt, n, now);
}

struct client {
    int fd;
    int state; /* 0 connecting, 1 sent, 2 done */
    uint32_t got;
};

/* 10,000 spoofed SYNs a second at a listener with backlog 128, while a real client
 * connects every 100 ms, sends 100 bytes and reads them echoed: every client is served, the
 * server keeps no state for the flood (cookies), and its connection count stays bounded. */
static void syn_flood_serves_real_clients(void **state)
{
    (void)state;
    const char *env = getenv("SYNACK_FLOOD_SYNS");
    unsigned syns = env ? (unsigned)atoi(env) : 200000;
    struct synack_sim_path p = {.delay = SYNACK_MS(5)};
    struct th_pair w;
    th_pair_init(&w, 42, &p, NULL, NULL);
    assert_int_equal(synack_close(w.ss, w.lfd), 0); /* the pair's listener: backlog 16 */
    int lfd = synack_socket(w.ss);
    struct synack_endpoint any = {0, 80};
    assert_int_equal(synack_bind(w.ss, lfd, &any), 0);
    assert_int_equal(synack_listen(w.ss, lfd, 128), 0);
    struct sk_rng r;
    sk_rng_seed(&r, 7);
    enum { CLIENTS = 64 };
    struct client c[CLIENTS];
    int sfd[CLIENTS];
    unsigned started = 0, served = 0, accepted = 0, peak = 0;
    synack_time_t step = SYNACK_SEC(1) / 10000, t = 0;
    unsigned per_client = syns / CLIENTS ? syns / CLIENTS : 1;
    struct synack_endpoint srv = {TH_SERVER_ADDR, 80};
    for (unsigned i = 0; i < syns || served < started; i++) {
        t += step;
        synack_sim_run_until(w.sim, t);
        if (i < syns) spoofed_syn(w.ss, &r, t);
        if (i % per_client == 0 && started < CLIENTS && i < syns) {
            c[started].fd = synack_socket(w.cs);
            assert_int_equal(synack_connect(w.cs, c[started].fd, &srv), -EINPROGRESS);
            c[started].state = 0;
            c[started].got = 0;
            started++;
        }
        for (int fd; (fd = synack_accept(w.ss, lfd, NULL)) >= 0;)
            sfd[accepted++] = fd;
        for (unsigned k = 0; k < accepted; k++) { /* echo */
            char b[256];
            ssize_t n = synack_recv(w.ss, sfd[k], b, sizeof b);
            if (n > 0) assert_int_equal(synack_send(w.ss, sfd[k], b, (size_t)n), n);
        }
        for (unsigned k = 0; k < started; k++) {
            struct client *x = &c[k];
            if (x->state == 0 && (synack_poll_events(w.cs, x->fd) & SYNACK_POLLOUT)) {
                char msg[100];
                memset(msg, (int)k, sizeof msg);
                assert_int_equal(synack_send(w.cs, x->fd, msg, sizeof msg), 100);
                x->state = 1;
            } else if (x->state == 1) {
                char b[100];
                ssize_t n = synack_recv(w.cs, x->fd, b, sizeof b);
                if (n > 0) {
                    for (ssize_t q = 0; q < n; q++)
                        assert_int_equal((unsigned char)b[q], k & 0xff);
                    x->got += (uint32_t)n;
                }
                if (x->got == 100) {
                    x->state = 2;
                    served++;
                }
            }
        }
        unsigned live = synack_stack_connection_count(w.ss);
        if (live > peak) peak = live;
        assert_true(t < SYNACK_SEC(3600)); /* bounded */
    }
    uint64_t cookies = synack_stack_counter(w.ss, SYNACK_CTR_TCP_COOKIES_SENT);
    print_message("SYN flood: %u spoofed SYNs at 10000/s, %u of %u clients served, %llu cookie "
                  "SYN-ACKs, peak %u connections on the server, buffer memory %zu bytes\n",
                  syns, served, started, (unsigned long long)cookies, peak,
                  synack_stack_buffer_memory(w.ss));
    assert_int_equal(served, started);
    assert_true(cookies > syns / 2);    /* the flood was answered statelessly */
    assert_true(peak <= 128 + CLIENTS); /* half-open state bounded by the backlog */
    th_pair_free(&w);
}

/* One-way transfer of 8 MiB client -> server; with spoofed > 0, that many segments with the
 * client's addresses and ports but random sequence numbers, acknowledgments and flags are
 * sent to the server meanwhile, spread over the transfer. Returns the virtual time the transfer
 * took; *answers gets what the server sent beyond the unattacked run's count (set by the caller).
 */
#define XFER (8u << 20)
static unsigned injected_last;
static synack_time_t transfer(unsigned spoofed, uint64_t *server_out)
{
    struct synack_sim_path p = {.delay = SYNACK_MS(2), .rate_bps = 200000000};
    struct th_pair w;
    th_pair_init(&w, 9, &p, NULL, NULL);
    th_pair_connect(&w);
    struct sk_rng r;
    sk_rng_seed(&r, 11);
    uint32_t sent = 0, got = 0, bad = 0;
    int sfd = -1;
    synack_time_t t = 0, step = SYNACK_MS(1) / 20;
    struct synack_endpoint me;
    static uint8_t buf[65536];
    unsigned injected = 0;
    while (got < XFER) {
        t += step;
        synack_sim_run_until(w.sim, t);
        assert_true(t < SYNACK_SEC(600));
        if (sfd < 0) sfd = synack_accept(w.ss, w.lfd, NULL);
        while (sent < XFER) {
            uint32_t n = XFER - sent < sizeof buf ? XFER - sent : (uint32_t)sizeof buf;
            for (uint32_t i = 0; i < n; i++)
                buf[i] = (uint8_t)((sent + i) * 7);
            ssize_t k = synack_send(w.cs, w.cfd, buf, n);
            if (k <= 0) break;
            sent += (uint32_t)k;
        }
        if (sfd >= 0) {
            for (ssize_t k; (k = synack_recv(w.ss, sfd, buf, sizeof buf)) > 0;) {
                for (ssize_t i = 0; i < k; i++)
                    bad += buf[i] != (uint8_t)((got + (uint32_t)i) * 7);
                got += (uint32_t)k;
            }
        }
        /* Into the transfer: from when both ends are established. */
        /* About 7,000 steps carry the transfer: spread the spoofed segments over them. */
        for (unsigned b = 0; b < (spoofed + 6999) / 7000 && injected < spoofed && sfd >= 0 &&
                             got > 0 && synack_getsockname(w.cs, w.cfd, &me) == 0;
             b++) {
            uint8_t pkt[256];
            static const uint8_t flagset[] = {SYNACK_ACK,
                                              SYNACK_RST,
                                              SYNACK_SYN,
                                              SYNACK_ACK | SYNACK_FIN,
                                              SYNACK_ACK | SYNACK_PSH,
                                              SYNACK_RST | SYNACK_ACK};
            struct th_seg s = {.flags = flagset[sk_rng_upto(&r, 5)],
                               .seq = (uint32_t)sk_rng_next(&r),
                               .ack = (uint32_t)sk_rng_next(&r),
                               .win = (uint16_t)sk_rng_next(&r),
                               .data = buf,
                               .len = (uint32_t)sk_rng_upto(&r, 1) * 100,
                               .sport = me.port,
                               .dport = 80,
                               .src = TH_CLIENT_ADDR,
                               .dst = TH_SERVER_ADDR};
            size_t n = th_build(&s, pkt);
            synack_stack_input(w.ss, pkt, n, t);
            injected++;
        }
    }
    if (getenv("SYNACK_ATTACK_DEBUG"))
        for (int i = 0; i < SYNACK_CTR_COUNT; i++)
            if (synack_stack_counter(w.cs, i) || synack_stack_counter(w.ss, i))
                print_message("  %-28s client %8llu server %8llu\n", synack_counter_name(i),
                              (unsigned long long)synack_stack_counter(w.cs, i),
                              (unsigned long long)synack_stack_counter(w.ss, i));
    assert_int_equal(bad, 0);
    assert_int_equal(got, XFER);
    *server_out = synack_stack_counter(w.ss, SYNACK_CTR_TCP_OUT);
    injected_last = injected;
    th_pair_free(&w);
    return t;
}

/* Blind injection (RFC 5961): spoofed segments with random numbers into a transfer leave it
 * byte-exact and about as fast, and what the server answers is bounded by the rate limits. */
static void spoofed_segments_into_transfer(void **state)
{
    (void)state;
    const char *env = getenv("SYNACK_SPOOFED");
    unsigned spoofed = env ? (unsigned)atoi(env) : 20000;
    uint64_t base_out = 0, attacked_out = 0;
    synack_time_t base = transfer(0, &base_out);
    synack_time_t attacked = transfer(spoofed, &attacked_out);
    double extra = attacked_out > base_out ? (double)(attacked_out - base_out) : 0;
    spoofed = injected_last; /* the transfer may end before all were sent */
    print_message("spoofed segments: %u into an 8 MiB transfer: %.1f ms against %.1f ms "
                  "unattacked (%+.1f%%); server sent %llu segments more: %.4f per spoofed one\n",
                  spoofed, (double)attacked / 1e6, (double)base / 1e6,
                  100.0 * ((double)attacked - (double)base) / (double)base,
                  (unsigned long long)(attacked_out - base_out), extra / spoofed);
    assert_true((double)attacked <= (double)base * 1.10); /* within 10 % */
    assert_true(extra / spoofed < 0.05);                  /* answers bounded */
}

/* An open/close soak with impairments: SYNACK_SOAK connections (default 5,000), up to 64 at
 * once, each connect, 100 bytes each way, close from both ends; at the end nothing is left
 * (no connection, no record, no buffer memory) and the counters balance. */
static unsigned watch_port;
static void watch(void *ctx, const struct synack_trace_event *ev)
{
    (void)ctx;
    if (ev->local.port != watch_port && ev->remote.port != watch_port) return;
    char line[256];
    print_message("%s\n", synack_trace_format(ev, line, sizeof line));
}

static void soak_config(void *ctx, int side, struct synack_config *cfg)
{
    (void)ctx;
    (void)side;
    const char *wp = getenv("SYNACK_SOAK_PORT");
    if (wp) {
        watch_port = (unsigned)atoi(wp);
        cfg->trace = watch;
    }
    /* TIME-WAIT 10 s (long enough for an old incarnation's last FIN retransmissions under
     * loss) and every port from 1024: ports come back within the soak. */
    cfg->msl = SYNACK_SEC(5);
    cfg->ephemeral_first = 1024;
    cfg->ephemeral_last = 65535;
    cfg->max_connections = 100000;
}

static void open_close_soak(void **state)
{
    (void)state;
    const char *env = getenv("SYNACK_SOAK");
    unsigned total = env ? (unsigned)atoi(env) : 5000;
    struct synack_sim_path p = {
        .delay = SYNACK_MS(1), .loss = 0.01, .duplicate = 0.005, .reorder = 0.005};
    struct th_pair w;
    th_pair_init(&w, 77, &p, soak_config, NULL);
    assert_int_equal(synack_close(w.cs, w.cfd), 0);
    /* Room for every concurrent handshake: cookies are the flood test's subject (with them,
     * a lost ACK and lost data followed by a duplicated SYN-ACK ends in a RST, as on Linux:
     * the later ACK's sequence number no longer matches the cookie). */
    assert_int_equal(synack_listen(w.ss, w.lfd, 256), 0);
    enum { PAR = 64 };
    struct {
        int cfd, sfd, state; /* 0 free, 1 connecting, 2 exchanging, 3 closing */
        unsigned got_c, got_s;
    } k[PAR];
    memset(k, 0, sizeof k);
    unsigned opened = 0, done = 0;
    struct synack_endpoint srv = {TH_SERVER_ADDR, 80};
    synack_time_t t = 0;
    char msg[100], b[200];
    memset(msg, 'm', sizeof msg);
    while (done < total) {
        t += SYNACK_MS(1);
        synack_sim_run_until(w.sim, t);
        if (t >= SYNACK_SEC(3000)) {
            for (int i = 0; i < PAR; i++) {
                struct synack_conn_info ci, si;
                memset(&ci, 0, sizeof ci);
                memset(&si, 0, sizeof si);
                if (k[i].state) synack_get_info(w.cs, k[i].cfd, &ci);
                if (k[i].state && k[i].sfd >= 0) synack_get_info(w.ss, k[i].sfd, &si);
                if (k[i].state)
                    print_message("slot %d state %d sfd %d got %u/%u client %s server %s err %d\n",
                                  i, k[i].state, k[i].sfd, k[i].got_c, k[i].got_s,
                                  synack_state_name(ci.state), synack_state_name(si.state),
                                  synack_get_error(w.cs, k[i].cfd));
            }
            fail_msg("soak stalled after %u of %u", done, total);
        }
        for (int fd; (fd = synack_accept(w.ss, w.lfd, NULL)) >= 0;) {
            /* Match by the client's port. */
            struct synack_endpoint peer;
            synack_getpeername(w.ss, fd, &peer);
            int slot = -1;
            for (int i = 0; i < PAR; i++) {
                struct synack_endpoint me;
                if (k[i].state && k[i].sfd < 0 && synack_getsockname(w.cs, k[i].cfd, &me) == 0 &&
                    me.port == peer.port)
                    slot = i;
            }
            assert_true(slot >= 0);
            k[slot].sfd = fd;
            assert_int_equal(synack_send(w.ss, fd, msg, 100), 100);
        }
        for (int i = 0; i < PAR; i++) {
            if (k[i].state == 0 && opened < total) {
                k[i].cfd = synack_socket(w.cs);
                assert_true(k[i].cfd >= 0);
                assert_int_equal(synack_connect(w.cs, k[i].cfd, &srv), -EINPROGRESS);
                k[i].sfd = -1;
                k[i].state = 1;
                k[i].got_c = k[i].got_s = 0;
                opened++;
            }
            /* The client speaks first: after a SYN cookie whose ACK was lost, its data is
             * what makes the server's connection (as with Linux). */
            if (k[i].state == 1 && (synack_poll_events(w.cs, k[i].cfd) & SYNACK_POLLOUT)) {
                assert_int_equal(synack_send(w.cs, k[i].cfd, msg, 100), 100);
                k[i].state = 2;
            }
            if (k[i].state == 2) {
                ssize_t n;
                while ((n = synack_recv(w.cs, k[i].cfd, b, sizeof b)) > 0)
                    k[i].got_c += (unsigned)n;
                if (n < 0 && n != -EAGAIN) {
                    struct synack_endpoint me = {0, 0};
                    synack_getsockname(w.cs, k[i].cfd, &me);
                    fail_msg("soak: connection %u (client port %u) failed with %d", done, me.port,
                             (int)n);
                }
                while (k[i].sfd >= 0 && (n = synack_recv(w.ss, k[i].sfd, b, sizeof b)) > 0)
                    k[i].got_s += (unsigned)n;
                if (k[i].got_c == 100 && k[i].got_s == 100) {
                    assert_int_equal(synack_close(w.cs, k[i].cfd), 0);
                    assert_int_equal(synack_close(w.ss, k[i].sfd), 0);
                    k[i].state = 0;
                    done++;
                }
            }
        }
    }
    synack_sim_run_for(w.sim, SYNACK_SEC(300)); /* TIME-WAIT and any last FIN run out */
    struct synack_sim_path_stats cs, sc;
    assert_int_equal(synack_sim_path_stats(w.sim, w.client, w.server, &cs), 0);
    assert_int_equal(synack_sim_path_stats(w.sim, w.server, w.client, &sc), 0);
    print_message("soak: %u connections opened and closed in %.1f s of virtual time with 1%% "
                  "loss; left: %u and %u connections, %zu and %zu bytes of buffers\n",
                  total, (double)t / 1e9, synack_stack_connection_count(w.cs),
                  synack_stack_connection_count(w.ss), synack_stack_buffer_memory(w.cs),
                  synack_stack_buffer_memory(w.ss));
    for (int side = 0; side < 2; side++) {
        struct synack_stack *st = side ? w.ss : w.cs;
        assert_int_equal(synack_stack_connection_count(st), 0);
        assert_int_equal(synack_stack_buffer_memory(st), 0);
        /* Every packet handed in is accounted: delivered by the path, counted as IP in. */
        const struct synack_sim_path_stats *in = side ? &cs : &sc;
        assert_int_equal(synack_stack_counter(st, SYNACK_CTR_IP_IN), in->delivered);
        /* Every packet sent went onto the path. */
        const struct synack_sim_path_stats *out = side ? &sc : &cs;
        assert_int_equal(synack_stack_counter(st, SYNACK_CTR_IP_OUT), out->sent);
    }
    th_pair_free(&w);
}

/* A failing allocator never crashes the stack: every 5th allocation fails once the stacks
 * exist, while connections open, move data and close; whatever fails is reported as an
 * error, and freeing the stacks leaves nothing behind (the sanitizer run checks leaks). */
struct flaky {
    bool armed;
    unsigned calls, failed;
};

static void *flaky_alloc(void *ctx, size_t n)
{
    struct flaky *f = ctx;
    if (f->armed && ++f->calls % 5 == 0) {
        f->failed++;
        return NULL;
    }
    return malloc(n);
}

static void flaky_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static struct flaky flaky;
static void flaky_config(void *ctx, int side, struct synack_config *cfg)
{
    (void)ctx;
    (void)side;
    cfg->alloc = flaky_alloc;
    cfg->dealloc = flaky_free;
    cfg->mem_ctx = &flaky;
}

static void failing_allocator_never_crashes(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        memset(&flaky, 0, sizeof flaky);
        struct synack_sim_path p = {.delay = SYNACK_MS(2), .loss = 0.02};
        struct th_pair w;
        th_pair_init(&w, seed, &p, flaky_config, NULL);
        flaky.armed = true;
        struct synack_endpoint srv = {TH_SERVER_ADDR, 80};
        int fds[8], sfds[64], ns = 0;
        for (int i = 0; i < 8; i++) {
            fds[i] = synack_socket(w.cs);
            if (fds[i] >= 0) synack_connect(w.cs, fds[i], &srv); /* may fail: ENOMEM */
        }
        static uint8_t buf[8192];
        for (int step = 0; step < 2000; step++) {
            synack_sim_run_for(w.sim, SYNACK_MS(5));
            for (int fd; ns < 64 && (fd = synack_accept(w.ss, w.lfd, NULL)) >= 0;)
                sfds[ns++] = fd;
            for (int i = 0; i < 8; i++)
                if (fds[i] >= 0) synack_send(w.cs, fds[i], buf, sizeof buf);
            for (int i = 0; i < ns; i++)
                while (synack_recv(w.ss, sfds[i], buf, sizeof buf) > 0) {
                }
            if (step == 1500)
                for (int i = 0; i < 8; i++)
                    if (fds[i] >= 0) synack_close(w.cs, fds[i]);
        }
        assert_true(flaky.failed > 0);
        th_pair_free(&w); /* under ASan: no leak, no use after free */
    }
}

/* The ISN of a connect() from local port 40000 to the peer at time t (absolute; the previous socket
 * aborted, so no TIME-WAIT record steers it). */
static uint32_t isn_at(struct th *h, synack_time_t t)
{
    if (t > h->now) th_advance(h, t - h->now);
    int fd = synack_socket(h->stack);
    assert_true(fd >= 0);
    struct synack_endpoint l = {TH_LOCAL_ADDR, 40000}, r = {TH_PEER_ADDR, TH_PEER_PORT};
    assert_int_equal(synack_bind(h->stack, fd, &l), 0);
    assert_int_equal(synack_connect(h->stack, fd, &r), -EINPROGRESS);
    th_poll(h);
    struct th_out syn = {0};
    assert_true(th_take(h, &syn));
    assert_int_equal(syn.flags, SYNACK_SYN);
    assert_int_equal(synack_abort(h->stack, fd), 0);
    th_poll(h);
    while (th_take(h, &(struct th_out){0})) {
    }
    return syn.seq;
}

/* RFC 6528 3 with isn_rekey_interval: within one interval ISNs of a 4-tuple advance with
 * the 4 us clock M alone; across a change of key F() changes too. Off (the default, as
 * Linux), M alone over any span. */
static void isn_key_changes_every_interval(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    const char *why = NULL;
    cfg.isn_rekey_interval = SYNACK_MS(500);
    assert_int_equal(synack_config_check(&cfg, &why), -EINVAL);
    assert_non_null(why);
    cfg.isn_rekey_interval = SYNACK_SEC(60);
    assert_int_equal(synack_config_check(&cfg, NULL), 0);
    struct th h;
    th_init(&h, &cfg);
    /* e: the start of the next interval (keys change at multiples of it). */
    synack_time_t e = (h.now / SYNACK_SEC(60) + 1) * SYNACK_SEC(60);
    uint32_t a = isn_at(&h, e + SYNACK_SEC(1)), b = isn_at(&h, e + SYNACK_SEC(31));
    assert_int_equal(b - a, (uint32_t)(SYNACK_SEC(30) / 4000)); /* same key */
    uint32_t c = isn_at(&h, e + SYNACK_SEC(61));
    assert_int_not_equal(c - b, (uint32_t)(SYNACK_SEC(30) / 4000)); /* a new key */
    uint32_t d = isn_at(&h, e + SYNACK_SEC(91));
    assert_int_equal(d - c, (uint32_t)(SYNACK_SEC(30) / 4000));
    th_free(&h);

    th_config(&cfg); /* never rekeyed */
    th_init(&h, &cfg);
    a = isn_at(&h, h.now + SYNACK_SEC(1));
    b = isn_at(&h, h.now + SYNACK_SEC(60));
    assert_int_equal(b - a, (uint32_t)(SYNACK_SEC(60) / 4000));
    th_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(syn_flood_serves_real_clients),
        cmocka_unit_test(spoofed_segments_into_transfer),
        cmocka_unit_test(open_close_soak),
        cmocka_unit_test(failing_allocator_never_crashes),
        cmocka_unit_test(isn_key_changes_every_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
