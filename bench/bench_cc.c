/* SPDX-License-Identifier: MIT */
/* Congestion control in the simulator: one bulk transfer per algorithm and path (random
 * loss, reordering, a bottleneck with a drop-tail queue), every byte checked, goodput in
 * virtual time printed beside what theory expects: the Mathis et al. estimate
 * MSS / RTT * sqrt(3/2) / sqrt(p) for random loss (a Reno-style bound; CUBIC may exceed it
 * where its curve, not Reno's line, sets the window), the link rate at a bottleneck; with
 * ECN marking (RFC 3168) at the bottleneck, the same without losses.
 * Figures are printed, not asserted.
 * Usage: build/bench/bench_cc [MiB]   (default 64) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "synack/sim.h"
#include "synack/synack.h"

#define PERIOD 65521u /* a prime: the pattern never lines up with segment boundaries */

struct run {
    struct synack_stack *c, *s;
    int cfd, sfd, lfd;
    uint64_t total, sent, got, bad;
};

static uint8_t pattern[PERIOD + 65536];

static bool step(void *ctx)
{
    struct run *r = ctx;
    static uint8_t buf[65536];
    if (r->sfd < 0) r->sfd = synack_accept(r->s, r->lfd, NULL);
    while (r->sent < r->total) {
        uint64_t left = r->total - r->sent;
        size_t want = left < 65536 ? (size_t)left : 65536;
        ssize_t n = synack_send(r->c, r->cfd, pattern + r->sent % PERIOD, want);
        if (n <= 0) break;
        r->sent += (uint64_t)n;
    }
    while (r->sfd >= 0) {
        ssize_t n = synack_recv(r->s, r->sfd, buf, sizeof buf);
        if (n <= 0) break;
        if (memcmp(buf, pattern + r->got % PERIOD, (size_t)n)) r->bad++;
        r->got += (uint64_t)n;
    }
    return r->got == r->total;
}

struct path_case {
    const char *name;
    struct synack_sim_path fwd; /* data direction; ACKs come back over `delay` alone */
    double loss;                /* for the Mathis estimate (0: none) */
    int ecn;                    /* the sender's config ecn (1: asks for ECN) */
};

/* One transfer; returns goodput in Mbit/s of virtual time, or -1 if it did not finish. */
static double transfer(const struct path_case *pc, enum synack_congestion cc, uint64_t bytes,
                       uint64_t *retransmits)
{
    struct synack_sim *sim = synack_sim_new(7);
    struct synack_config cfg[2];
    for (int i = 0; i < 2; i++) {
        synack_config_init(&cfg[i]);
        cfg[i].deterministic = true;
        cfg[i].local_addr = i == 0 ? SYNACK_IPV4(198, 18, 0, 1) : SYNACK_IPV4(198, 18, 0, 2);
        cfg[i].congestion = cc;
    }
    cfg[0].ecn = pc->ecn;
    int a = synack_sim_add_host(sim, &cfg[0]), b = synack_sim_add_host(sim, &cfg[1]);
    struct synack_sim_path back = {.delay = pc->fwd.delay};
    if (a < 0 || b < 0 || synack_sim_link(sim, a, b, &pc->fwd, &back) < 0) exit(2);
    struct run r = {.c = synack_sim_stack(sim, a), .s = synack_sim_stack(sim, b), .sfd = -1};
    r.total = bytes;
    r.lfd = synack_socket(r.s);
    struct synack_endpoint any = {0, 80}, srv = {cfg[1].local_addr, 80};
    synack_bind(r.s, r.lfd, &any);
    synack_listen(r.s, r.lfd, 4);
    r.cfd = synack_socket(r.c);
    synack_connect(r.c, r.cfd, &srv);
    synack_time_t t0 = synack_sim_now(sim);
    bool ok = synack_sim_run_until_done(sim, step, &r, SYNACK_SEC(36000));
    double secs = (double)(synack_sim_now(sim) - t0) / 1e9;
    *retransmits = synack_stack_counter(r.c, SYNACK_CTR_TCP_RETRANSMIT);
    if (r.bad) {
        fprintf(stderr, "bench_cc: %s: %llu corrupted reads\n", pc->name,
                (unsigned long long)r.bad);
        exit(3);
    }
    synack_sim_free(sim);
    return ok ? (double)bytes * 8 / secs / 1e6 : -1;
}

int main(int argc, char **argv)
{
    unsigned mib = argc > 1 ? (unsigned)atoi(argv[1]) : 64;
    if (mib == 0 || mib > 4096) {
        fprintf(stderr, "usage: %s [MiB]\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < sizeof pattern; i++)
        pattern[i] = (uint8_t)(((i % PERIOD) * 2654435761u) >> 13);
    const struct path_case cases[] = {
        {"1% random loss, 20 ms RTT", {.delay = SYNACK_MS(10), .loss = 0.01}, 0.01, 0},
        {"0.1% random loss, 100 ms RTT", {.delay = SYNACK_MS(50), .loss = 0.001}, 0.001, 0},
        {"2% reordered by 5 ms, 20 ms RTT",
         {.delay = SYNACK_MS(10), .reorder = 0.02, .reorder_delay = SYNACK_MS(5)},
         0,
         0},
        {"100 Mbit/s bottleneck, 100-packet queue, 40 ms RTT",
         {.delay = SYNACK_MS(20), .rate_bps = 100000000, .queue_limit = 100},
         0,
         0},
        {"the same bottleneck marking ECN past 20 queued, sender asking for ECN",
         {.delay = SYNACK_MS(20),
          .rate_bps = 100000000,
          .queue_limit = 100,
          .ecn_mark_threshold = 20},
         0,
         1},
    };
    printf("congestion control in the simulator (default config but the algorithm; MSS 1460; "
           "%u MiB per transfer, every byte checked; goodput in virtual time):\n",
           mib);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct path_case *pc = &cases[i];
        double rtt = 2 * (double)pc->fwd.delay / 1e9;
        char theory[96] = "";
        if (pc->loss > 0)
            snprintf(theory, sizeof theory, "Mathis estimate %.1f Mbit/s",
                     1460 * 8 / rtt * sqrt(1.5) / sqrt(pc->loss) / 1e6);
        else if (pc->fwd.rate_bps && !pc->ecn)
            snprintf(theory, sizeof theory, "link %.1f Mbit/s", (double)pc->fwd.rate_bps / 1e6);
        printf("  %s%s%s:\n", pc->name, theory[0] ? "; " : "", theory);
        for (int cc = 0; cc < SYNACK_CC_COUNT; cc++) {
            uint64_t rtx = 0;
            double mbps = transfer(pc, (enum synack_congestion)cc, (uint64_t)mib << 20, &rtx);
            if (mbps < 0)
                printf("    %-6s did not finish\n", synack_congestion_name(cc));
            else
                printf("    %-6s %8.1f Mbit/s  (%llu segments retransmitted)\n",
                       synack_congestion_name(cc), mbps, (unsigned long long)rtx);
        }
    }
    return 0;
}
