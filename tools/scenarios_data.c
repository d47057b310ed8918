/* SPDX-License-Identifier: MIT */
/* Scenarios of moving data: a transfer, a loss and its retransmission, fast retransmit with
 * SACK, RTO backoff, and a zero window probed by the persist timer. */
#include <stdio.h>
#include <string.h>
#include "scenarios.h"

int scenario_transfer(struct world *w)
{
    scenario_establish(w);
    static uint8_t data[5000], got[6000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 31 + 7);
    ssize_t n = synack_send(w->c, w->cfd, data, sizeof data);
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    ssize_t r = synack_recv(w->s, w->sfd, got, sizeof got);
    synack_send(w->s, w->sfd, "thanks", 6);
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    char reply[16];
    ssize_t rr = synack_recv(w->c, w->cfd, reply, sizeof reply);
    world_draw(w);
    return world_check(w,
                       n == (ssize_t)sizeof data && r == (ssize_t)sizeof data &&
                           !memcmp(data, got, sizeof data) && rr == 6 &&
                           !memcmp(reply, "thanks", 6),
                       "5000 bytes delivered intact and a reply");
}

/* Sends total bytes once established and runs until the server has them all (or limit). */
static bool send_all(struct world *w, uint64_t total, synack_time_t limit)
{
    scenario_establish(w);
    w->xfer.total = total;
    if (w->xfer.read_from) { /* the server's program starts reading at read_from */
        synack_sim_run_until_done(w->sim, world_pump, w, w->xfer.read_from);
        synack_sim_run_until(w->sim, w->xfer.read_from);
    }
    bool done = synack_sim_run_until_done(w->sim, world_pump, w, limit);
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    return done && !w->xfer.corrupt && w->xfer.received == total;
}

static unsigned repeats_of(const struct world_side *s, enum synack_trace_cause cause)
{
    unsigned n = 0;
    for (unsigned i = 0; i < s->repeat_count; i++)
        n += s->repeats[i].cause == cause;
    return n;
}

/* The second of four data segments is lost (the client's packet 4: SYN, ACK, data, data).
 * Two duplicate ACKs are not enough for fast retransmit, so with SACK the tail loss probe
 * (RFC 8985 7) or else the retransmission timer (RFC 6298 5) sends it again. */
int scenario_retransmit(struct world *w)
{
    synack_sim_drop_nth(w->sim, w->client, w->server, 4);
    bool ok = send_all(w, 5000, SYNACK_SEC(10));
    world_draw(w);
    struct synack_conn_info info;
    synack_get_info(w->c, w->cfd, &info);
    printf("client: %llu segment(s) retransmitted, all 5000 bytes delivered: %s\n\n",
           (unsigned long long)info.retransmissions, ok ? "yes" : "no");
    return world_check(w, ok && info.retransmissions >= 1 && w->side[0].repeat_count >= 1,
                       "5000 bytes delivered intact after a retransmission");
}

/* Twenty segments, the second lost: the segments after it each bring a duplicate ACK with
 * a SACK block; the third makes the first unSACKed segment lost (RFC 6675 IsLost, RFC 5681
 * 3.2) and it is sent again at once, without waiting for the timer. */
int scenario_fast_retransmit(struct world *w)
{
    synack_sim_drop_nth(w->sim, w->client, w->server, 4);
    bool ok = send_all(w, 20 * 1448, SYNACK_SEC(10));
    world_draw(w);
    const struct world_side *c = &w->side[0];
    unsigned fast =
        repeats_of(c, SYNACK_CAUSE_FAST_RETRANSMIT) + repeats_of(c, SYNACK_CAUSE_SACK_RECOVERY);
    return world_check(w, ok && fast >= 1 && repeats_of(c, SYNACK_CAUSE_RTO) == 0,
                       "28960 bytes delivered; the loss repaired by fast retransmit, no RTO");
}

/* Everything the client sends is lost for 6 s: each retransmission timeout doubles the
 * timer (RFC 6298 5.5) until the path heals. */
int scenario_rto_backoff(struct world *w)
{
    scenario_establish(w);
    synack_sim_run_for(w->sim, SYNACK_MS(50));
    w->drop_client_until = synack_sim_now(w->sim) + SYNACK_SEC(6);
    w->xfer.total = 1000;
    bool done = synack_sim_run_until_done(w->sim, world_pump, w, SYNACK_SEC(30));
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    world_draw(w);
    const struct world_side *c = &w->side[0];
    int failed = world_check(w, done && !w->xfer.corrupt, "1000 bytes delivered once healed");
    synack_time_t last = 0, gap = 0;
    unsigned rtos = 0;
    for (unsigned i = 0; i < c->repeat_count; i++) {
        const struct world_repeat *rp = &c->repeats[i];
        if (rp->cause != SYNACK_CAUSE_RTO) continue;
        if (rtos > 0) {
            printf("rto #%u at %.3f ms, %.3f ms after rto #%u\n", rp->backoff,
                   (double)rp->time / 1e6, (double)(rp->time - last) / 1e6, rp->backoff - 1u);
            if (gap) failed += world_check(w, rp->time - last == 2 * gap, "the timer doubles");
            gap = rp->time - last;
        }
        failed += world_check(w, rp->backoff == ++rtos, "backoff counts 1, 2, 3...");
        last = rp->time;
    }
    printf("\n");
    return failed + world_check(w, rtos >= 4, "at least four timeouts");
}

void scenario_zero_window_setup(struct world_opts *o)
{
    o->server_cfg.rcvbuf = 4096;
}

/* The server's program does not read for 4 s: its 4096-byte buffer fills and it advertises
 * a zero window. The client's persist timer probes it (RFC 9293 3.8.6.1; one byte below
 * SND.UNA, as Linux) with exponential backoff; when the program reads, the window
 * update lets the rest through. */
int scenario_zero_window(struct world *w)
{
    w->xfer.read_from = SYNACK_SEC(4);
    bool ok = send_all(w, 10000, SYNACK_SEC(30));
    world_draw(w);
    unsigned probes = w->side[0].causes[SYNACK_CAUSE_PERSIST];
    printf("client: %u zero-window probe(s); all 10000 bytes delivered: %s\n\n", probes,
           ok ? "yes" : "no");
    return world_check(w, ok && probes >= 2, "zero window probed, then 10000 bytes delivered");
}
