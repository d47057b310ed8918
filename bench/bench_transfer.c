/* SPDX-License-Identifier: MIT */
/* Throughput of the engine: one bulk transfer through the simulator on a perfect link (no
 * delay, no loss), both stacks in this process. Prints payload bytes per second of CPU
 * time and the cost per segment, i.e. what the TCP engine itself can move on one core.
 * Usage: build/bench/bench_transfer [MiB [MSS]]   (default 256 MiB, MSS 1460; 65495 is
 * what Linux uses on loopback, for comparing with bench_kernel_loopback) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "synack/sim.h"
#include "synack/synack.h"

struct run {
    struct synack_stack *a, *b;
    int cfd, sfd, lfd;
    uint64_t total, sent, got;
};

static bool step(void *ctx)
{
    struct run *r = ctx;
    static uint8_t buf[1 << 16];
    if (r->sfd < 0)
        r->sfd = synack_accept(r->b, r->lfd, NULL);
    while (r->sent < r->total) {
        uint64_t want = r->total - r->sent < sizeof buf ? r->total - r->sent : sizeof buf;
        ssize_t n = synack_send(r->a, r->cfd, buf, (size_t)want);
        if (n <= 0)
            break;
        r->sent += (uint64_t)n;
    }
    while (r->sfd >= 0) {
        ssize_t n = synack_recv(r->b, r->sfd, buf, sizeof buf);
        if (n <= 0)
            break;
        r->got += (uint64_t)n;
    }
    return r->got >= r->total;
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 10) : 256;
    unsigned mss = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1460;
    struct synack_sim *sim = synack_sim_new(1);
    struct synack_config ca, cb;
    synack_config_init(&ca);
    synack_config_init(&cb);
    ca.local_addr = SYNACK_IPV4(198, 18, 0, 1);
    cb.local_addr = SYNACK_IPV4(198, 18, 0, 2);
    ca.sndbuf = cb.rcvbuf = 4u << 20; /* enough to keep a zero-delay pipe full */
    ca.mss = cb.mss = (uint16_t)mss;
    int ha = synack_sim_add_host(sim, &ca), hb = synack_sim_add_host(sim, &cb);
    synack_sim_link(sim, ha, hb, NULL, NULL);
    struct run r = {synack_sim_stack(sim, ha), synack_sim_stack(sim, hb), -1, -1, -1,
                    mib << 20, 0, 0};
    r.lfd = synack_socket(r.b);
    struct synack_endpoint any = {0, 80}, srv = {cb.local_addr, 80};
    synack_bind(r.b, r.lfd, &any);
    synack_listen(r.b, r.lfd, 1);
    r.cfd = synack_socket(r.a);
    synack_connect(r.a, r.cfd, &srv);
    double t0 = cpu_seconds();
    bool ok = synack_sim_run_until_done(sim, step, &r, SYNACK_SEC(3600));
    double t = cpu_seconds() - t0;
    uint64_t segs = synack_stack_counter(r.a, SYNACK_CTR_TCP_OUT);
    uint64_t acks = synack_stack_counter(r.b, SYNACK_CTR_TCP_OUT);
    printf("bench_transfer: MSS %u, %llu MiB in %.3f s CPU (both stacks, one core): "
           "%.2f Gbit/s, %llu data segments, %llu ACKs, %.0f ns per segment (data + ACK)\n",
           mss, (unsigned long long)mib, t, (double)(mib << 20) * 8 / t / 1e9,
           (unsigned long long)segs, (unsigned long long)acks, t * 1e9 / (double)(segs + acks));
    synack_sim_free(sim);
    return ok ? 0 : 1;
}
