/* SPDX-License-Identifier: MIT */
/* One direction of a simulated link: decides, for each packet offered, whether it is lost
 * and when (and how many times, and whether corrupted) it arrives. Knows nothing of stacks. */
#ifndef SK_SIM_PATH_H
#define SK_SIM_PATH_H

#include "sim/rng.h"
#include "synack/sim.h"

struct sk_sim_path {
    struct synack_sim_path p;
    struct synack_sim_path_stats stats;
    bool ge_bad;               /* Gilbert-Elliott state */
    synack_time_t busy_until;  /* serialization: when the wire is free */
    synack_time_t *departures; /* ring of queued packets' departure times (queue_limit) */
    unsigned dep_head, dep_count, dep_cap;
    uint64_t *drop_nth; /* scripted drops, any order */
    unsigned drop_count, drop_cap;
    synack_sim_filter_fn filter;
    void *filter_ctx;
};

/* One scheduled arrival. corrupt_bit is the bit index to flip, or -1. */
struct sk_sim_arrival {
    synack_time_t time;
    long corrupt_bit;
    bool ce; /* mark the copy Congestion Experienced (RFC 3168) */
};

/* Sets the parameters (copies them); resets nothing else. Returns 0 or -ENOMEM. */
int sk_sim_path_configure(struct sk_sim_path *path, const struct synack_sim_path *p);
/* Arms a scripted drop of the n-th packet offered (1-based). 0 or -ENOMEM / -EINVAL. */
int sk_sim_path_drop_nth(struct sk_sim_path *path, uint64_t n);
void sk_sim_path_release(struct sk_sim_path *path);

/* Offers a packet at time now. Fills out[0..ret-1] with its arrivals (0 if lost, 2 if
 * duplicated) and updates the statistics. */
unsigned sk_sim_path_offer(struct sk_sim_path *path, struct sk_rng *rng, const uint8_t *pkt,
                           size_t len, synack_time_t now, struct sk_sim_arrival out[2]);

#endif
