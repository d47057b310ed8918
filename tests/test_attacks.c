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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(syn_flood_serves_real_clients),
        cmocka_unit_test(spoofed_segments_into_transfer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
