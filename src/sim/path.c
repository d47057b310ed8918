/* SPDX-License-Identifier: MIT */
#include "sim/path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int sk_sim_path_configure(struct sk_sim_path *path, const struct synack_sim_path *p)
{
    struct synack_sim_path none;
    memset(&none, 0, sizeof none);
    if (!p) p = &none;
    if (p->queue_limit > path->dep_cap) {
        synack_time_t *d = calloc(p->queue_limit, sizeof *d);
        if (!d) return -ENOMEM;
        /* Keep queued departures in order. */
        for (unsigned i = 0; i < path->dep_count; i++)
            d[i] = path->departures[(path->dep_head + i) % path->dep_cap];
        free(path->departures);
        path->departures = d;
        path->dep_head = 0;
        path->dep_cap = p->queue_limit;
    }
    path->p = *p;
    return 0;
}

int sk_sim_path_drop_nth(struct sk_sim_path *path, uint64_t n)
{
    if (n == 0) return -EINVAL;
    if (path->drop_count == path->drop_cap) {
        unsigned cap = path->drop_cap ? path->drop_cap * 2 : 8;
        uint64_t *d = realloc(path->drop_nth, cap * sizeof *d);
        if (!d) return -ENOMEM;
        path->drop_nth = d;
        path->drop_cap = cap;
    }
    path->drop_nth[path->drop_count++] = n;
    return 0;
}

void sk_sim_path_release(struct sk_sim_path *path)
{
    free(path->departures);
    free(path->drop_nth);
    memset(path, 0, sizeof *path);
}

static bool scripted_drop(struct sk_sim_path *path, uint64_t index)
{
    for (unsigned i = 0; i < path->drop_count; i++) {
        if (path->drop_nth[i] == index) {
            path->drop_nth[i] = path->drop_nth[--path->drop_count];
            return true;
        }
    }
    return false;
}

static bool random_loss(struct sk_sim_path *path, struct sk_rng *rng)
{
    const struct synack_sim_path *p = &path->p;
    if (p->ge_good_to_bad > 0) {
        /* Gilbert-Elliott: step the chain once per packet, then lose with the state's rate. */
        if (path->ge_bad)
            path->ge_bad = !sk_rng_chance(rng, p->ge_bad_to_good);
        else
            path->ge_bad = sk_rng_chance(rng, p->ge_good_to_bad);
        return sk_rng_chance(rng, path->ge_bad ? p->ge_loss_bad : p->ge_loss_good);
    }
    return sk_rng_chance(rng, p->loss);
}

/* Rate limit: returns the time the last bit leaves, or NEVER on a tail drop. */
static synack_time_t serialize(struct sk_sim_path *path, size_t len, synack_time_t now)
{
    const struct synack_sim_path *p = &path->p;
    if (p->rate_bps == 0) return now;
    while (path->dep_count > 0 && path->departures[path->dep_head] <= now) {
        path->dep_head = (path->dep_head + 1) % path->dep_cap;
        path->dep_count--;
    }
    if (p->queue_limit > 0 && path->dep_count >= p->queue_limit) return SYNACK_TIME_NEVER;
    synack_time_t start = path->busy_until > now ? path->busy_until : now;
    synack_time_t tx =
        (synack_time_t)((len * 8ull * 1000000000ull + p->rate_bps - 1) / p->rate_bps);
    path->busy_until = start + tx;
    if (p->queue_limit > 0) {
        path->departures[(path->dep_head + path->dep_count) % path->dep_cap] = path->busy_until;
        path->dep_count++;
    }
    return path->busy_until;
}

unsigned sk_sim_path_offer(struct sk_sim_path *path, struct sk_rng *rng, const uint8_t *pkt,
                           size_t len, synack_time_t now, struct sk_sim_arrival out[2])
{
    const struct synack_sim_path *p = &path->p;
    path->stats.sent++;
    if (scripted_drop(path, path->stats.sent) ||
        (path->filter && path->filter(path->filter_ctx, pkt, len, now))) {
        path->stats.scripted_drops++;
        return 0;
    }
    if (random_loss(path, rng)) {
        path->stats.lost++;
        return 0;
    }
    synack_time_t t = serialize(path, len, now);
    if (t == SYNACK_TIME_NEVER) {
        path->stats.queue_drops++;
        return 0;
    }
    /* Step marking: an ECT packet that joined a long enough queue (itself not counted) is
     * marked CE. */
    bool ce = p->rate_bps && p->queue_limit && p->ecn_mark_threshold && len >= 2 &&
              (pkt[1] & 3u) != 0 && path->dep_count > p->ecn_mark_threshold;
    if (ce) path->stats.ce_marked++;
    t += p->delay;
    if (p->jitter > 0) t += sk_rng_upto(rng, p->jitter);
    if (sk_rng_chance(rng, p->reorder)) {
        t += p->reorder_delay ? p->reorder_delay : 2 * p->delay + SYNACK_MS(1);
        path->stats.reordered++;
    }
    out[0].time = t;
    out[0].corrupt_bit = -1;
    out[0].ce = ce;
    if (len > 0 && sk_rng_chance(rng, p->corrupt)) {
        out[0].corrupt_bit = (long)sk_rng_upto(rng, len * 8 - 1);
        path->stats.corrupted++;
    }
    unsigned n = 1;
    if (sk_rng_chance(rng, p->duplicate)) {
        out[1].time = t + 1; /* the copy right behind the original */
        out[1].corrupt_bit = -1;
        out[1].ce = ce;
        path->stats.duplicated++;
        n = 2;
    }

    return n;
}
