/* SPDX-License-Identifier: MIT */
/* The simulator: hosts with stacks, links made of two paths, and an event loop over packet
 * arrivals and stack deadlines in virtual time. */
#include "synack/sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "wire/ipv4.h"
#include "sim/nic.h"
#include "sim/path.h"
#include "sim/rng.h"
#include "synack/pcap.h"

#define MAX_HOSTS 64

/* Largest packet a host with offloads hands its card (a TSO super-segment). */
#define NIC_TSO_MAX 65536u

struct sim_host {
    struct synack_sim *sim;
    int index;
    uint32_t addr;
    struct synack_stack *stack;
    struct synack_pcap *capture;
    uint8_t *nic; /* with offloads (synack_sim_set_offload): the card's buffers, else NULL */
};

struct sim_link {
    int a, b;
    struct sk_sim_path ab, ba;
};

struct arrival {
    synack_time_t time;
    uint64_t order; /* ties broken by insertion order: deterministic */
    int to, from;
    uint8_t *pkt;
    size_t len;
};

/* Packets in flight live in buffers of POOL_BUF bytes kept on a free list once used, so a
 * running simulation allocates only when more are in flight than ever before; larger
 * packets (an MSS above 2 KiB) are allocated one by one. */
#define POOL_BUF 2048u

struct pool_buf {
    struct pool_buf *next;
};

struct synack_sim {
    struct pool_buf *pool; /* free packet buffers */
    struct sk_rng rng;
    synack_time_t now;
    struct sim_host hosts[MAX_HOSTS];
    int nhosts;
    struct sim_link *links;
    int nlinks;
    struct arrival *heap;
    size_t heap_len, heap_cap;
    uint64_t order;
    uint64_t unroutable;
};

static uint8_t *buf_take(struct synack_sim *sim, size_t len)
{
    if (len > POOL_BUF) return malloc(len);
    struct pool_buf *b = sim->pool;
    if (!b) return malloc(POOL_BUF);
    sim->pool = b->next;
    return (uint8_t *)b;
}

static void buf_give(struct synack_sim *sim, uint8_t *p, size_t len)
{
    if (!p || len > POOL_BUF) {
        free(p);
        return;
    }
    struct pool_buf *b = (struct pool_buf *)(void *)p;
    b->next = sim->pool;
    sim->pool = b;
}

static bool before(const struct arrival *x, const struct arrival *y)
{
    return x->time < y->time || (x->time == y->time && x->order < y->order);
}

static int heap_push(struct synack_sim *sim, struct arrival a)
{
    if (sim->heap_len == sim->heap_cap) {
        size_t cap = sim->heap_cap ? sim->heap_cap * 2 : 256;
        struct arrival *h = realloc(sim->heap, cap * sizeof *h);
        if (!h) return -ENOMEM;
        sim->heap = h;
        sim->heap_cap = cap;
    }
    size_t i = sim->heap_len++;
    while (i > 0 && before(&a, &sim->heap[(i - 1) / 2])) {
        sim->heap[i] = sim->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    sim->heap[i] = a;
    return 0;
}

static struct arrival heap_pop(struct synack_sim *sim)
{
    struct arrival top = sim->heap[0];
    struct arrival last = sim->heap[--sim->heap_len];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= sim->heap_len) break;
        if (c + 1 < sim->heap_len && before(&sim->heap[c + 1], &sim->heap[c])) c++;
        if (!before(&sim->heap[c], &last)) break;
        sim->heap[i] = sim->heap[c];
        i = c;
    }
    if (sim->heap_len > 0) sim->heap[i] = last;
    return top;
}

struct synack_sim *synack_sim_new(uint64_t seed)
{
    struct synack_sim *sim = calloc(1, sizeof *sim);
    if (!sim) return NULL;
    sk_rng_seed(&sim->rng, seed);
    return sim;
}

void synack_sim_free(struct synack_sim *sim)
{
    if (!sim) return;
    for (int i = 0; i < sim->nhosts; i++) {
        synack_stack_free(sim->hosts[i].stack);
        synack_pcap_close(sim->hosts[i].capture);
        free(sim->hosts[i].nic);
    }
    for (int i = 0; i < sim->nlinks; i++) {
        sk_sim_path_release(&sim->links[i].ab);
        sk_sim_path_release(&sim->links[i].ba);
    }
    for (size_t i = 0; i < sim->heap_len; i++)
        free(sim->heap[i].pkt);
    while (sim->pool) {
        struct pool_buf *b = sim->pool;
        sim->pool = b->next;
        free(b);
    }
    free(sim->heap);
    free(sim->links);
    free(sim);
}

static bool valid_host(const struct synack_sim *sim, int h)
{
    return sim && h >= 0 && h < sim->nhosts;
}

static struct sk_sim_path *path_between(struct synack_sim *sim, int from, int to)
{
    for (int i = 0; i < sim->nlinks; i++) {
        struct sim_link *l = &sim->links[i];
        if (l->a == from && l->b == to) return &l->ab;
        if (l->b == from && l->a == to) return &l->ba;
    }
    return NULL;
}

static void capture(struct sim_host *h, const uint8_t *pkt, size_t len, synack_time_t t)
{
    if (h->capture) synack_pcap_write(h->capture, t, pkt, len);
}

/* A packet leaving a host: route by destination address, run the path, queue. Never calls
 * back into a stack (this runs inside one). */
static void route(struct sim_host *h, const uint8_t *pkt, size_t len, synack_time_t now)
{
    struct synack_sim *sim = h->sim;
    capture(h, pkt, len, now);
    int to = -1;
    if (len >= 20) {
        uint32_t dst =
            (uint32_t)pkt[16] << 24 | (uint32_t)pkt[17] << 16 | (uint32_t)pkt[18] << 8 | pkt[19];
        for (int i = 0; i < sim->nhosts; i++)
            if (sim->hosts[i].addr == dst && i != h->index) to = i;
    }
    struct sk_sim_path *path = to >= 0 ? path_between(sim, h->index, to) : NULL;
    if (!path) {
        sim->unroutable++;
        return;
    }
    struct sk_sim_arrival arr[2];
    unsigned n = sk_sim_path_offer(path, &sim->rng, pkt, len, now, arr);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *copy = buf_take(sim, len);
        if (!copy) continue; /* out of memory in the harness: the packet is lost */
        memcpy(copy, pkt, len);
        if (arr[i].ce && len >= SK_IPV4_HDR_LEN) sk_ipv4_set_ecn(copy, SK_IP_CE);
        if (arr[i].corrupt_bit >= 0)
            copy[arr[i].corrupt_bit / 8] ^= (uint8_t)(1u << (arr[i].corrupt_bit % 8));
        struct arrival a = {arr[i].time, sim->order++, to, h->index, copy, len};
        if (heap_push(sim, a)) buf_give(sim, copy, len);
    }
}

/* Link callback of every host. With offloads the card finishes the checksum first. */
static void host_transmit(void *ctx, const uint8_t *pkt, size_t len, synack_time_t now)
{
    struct sim_host *h = ctx;
    if (!h->nic || len > NIC_TSO_MAX) {
        route(h, pkt, len, now);
        return;
    }
    memcpy(h->nic, pkt, len);
    sk_nic_finish_csum(h->nic, len);
    route(h, h->nic, len, now);
}

struct nic_piece {
    struct sim_host *h;
    synack_time_t now;
};

static void nic_emit(void *ctx, const uint8_t *pkt, size_t len)
{
    struct nic_piece *p = ctx;
    route(p->h, pkt, len, p->now);
}

/* TSO: the card gathers the super-segment and cuts it into packets of seg_size. */
static void host_transmit_tso(void *ctx, const struct synack_iovec *iov, unsigned niov, size_t len,
                              uint16_t seg_size, synack_time_t now)
{
    struct sim_host *h = ctx;
    if (len > NIC_TSO_MAX) return; /* cannot happen: tso_max bounds it */
    uint8_t *gathered = h->nic, *out = h->nic + NIC_TSO_MAX;
    for (unsigned i = 0, at = 0; i < niov; at += (unsigned)iov[i].len, i++)
        memcpy(gathered + at, iov[i].base, iov[i].len);
    struct nic_piece piece = {h, now};
    sk_nic_segment(gathered, len, seg_size, out, nic_emit, &piece);
}

int synack_sim_set_offload(struct synack_sim *sim, int host, bool on)
{
    if (!valid_host(sim, host)) return -EINVAL;
    struct sim_host *h = &sim->hosts[host];
    if (on && !h->nic) {
        h->nic = malloc(2 * NIC_TSO_MAX); /* the gathered segment, then one piece of it */
        if (!h->nic) return -ENOMEM;
    }
    struct synack_link_offload off = {true, NIC_TSO_MAX, host_transmit_tso};
    int err = synack_stack_set_link_offload(h->stack, on ? &off : NULL);
    if (err || !on) {
        free(h->nic);
        h->nic = NULL;
    }
    return err;
}

int synack_sim_add_host(struct synack_sim *sim, const struct synack_config *config)
{
    if (!sim) return -EINVAL;
    if (sim->nhosts == MAX_HOSTS) return -ENOMEM;
    struct sim_host *h = &sim->hosts[sim->nhosts];
    memset(h, 0, sizeof *h);
    h->sim = sim;
    h->index = sim->nhosts;
    struct synack_link link = {h, host_transmit};
    struct synack_config cfg;
    if (config)
        cfg = *config;
    else
        synack_config_init(&cfg);
    cfg.deterministic = true; /* a simulation is reproducible by design */
    h->stack = synack_stack_new(&cfg, &link);
    if (!h->stack) return -EINVAL;
    h->addr = synack_stack_config(h->stack)->local_addr;
    for (int i = 0; i < sim->nhosts; i++) {
        if (sim->hosts[i].addr == h->addr) {
            synack_stack_free(h->stack);
            return -EINVAL;
        }
    }
    return sim->nhosts++;
}

struct synack_stack *synack_sim_stack(struct synack_sim *sim, int host)
{
    return valid_host(sim, host) ? sim->hosts[host].stack : NULL;
}

int synack_sim_link(struct synack_sim *sim, int a, int b, const struct synack_sim_path *a_to_b,
                    const struct synack_sim_path *b_to_a)
{
    if (!valid_host(sim, a) || !valid_host(sim, b) || a == b) return -EINVAL;
    if (path_between(sim, a, b)) return -EEXIST;
    struct sim_link *links = realloc(sim->links, (size_t)(sim->nlinks + 1) * sizeof *links);
    if (!links) return -ENOMEM;
    sim->links = links;
    struct sim_link *l = &links[sim->nlinks];
    memset(l, 0, sizeof *l);
    l->a = a;
    l->b = b;
    if (sk_sim_path_configure(&l->ab, a_to_b) || sk_sim_path_configure(&l->ba, b_to_a)) {
        sk_sim_path_release(&l->ab);
        sk_sim_path_release(&l->ba);
        return -ENOMEM;
    }
    sim->nlinks++;
    return 0;
}

static int find_path(struct synack_sim *sim, int from, int to, struct sk_sim_path **out)
{
    if (!valid_host(sim, from) || !valid_host(sim, to)) return -EINVAL;
    *out = path_between(sim, from, to);
    return *out ? 0 : -ENOENT;
}

int synack_sim_set_path(struct synack_sim *sim, int from, int to,
                        const struct synack_sim_path *path)
{
    struct sk_sim_path *p;
    int err = find_path(sim, from, to, &p);
    return err ? err : sk_sim_path_configure(p, path);
}

int synack_sim_drop_nth(struct synack_sim *sim, int from, int to, uint64_t n)
{
    struct sk_sim_path *p;
    int err = find_path(sim, from, to, &p);
    return err ? err : sk_sim_path_drop_nth(p, n);
}

int synack_sim_set_filter(struct synack_sim *sim, int from, int to, synack_sim_filter_fn filter,
                          void *ctx)
{
    struct sk_sim_path *p;
    int err = find_path(sim, from, to, &p);
    if (err) return err;
    p->filter = filter;
    p->filter_ctx = ctx;
    return 0;
}

int synack_sim_capture(struct synack_sim *sim, int host, const char *path)
{
    if (!valid_host(sim, host) || !path) return -EINVAL;
    struct synack_pcap *p = synack_pcap_open(path);
    if (!p) return errno ? -errno : -EIO;
    synack_pcap_close(sim->hosts[host].capture);
    sim->hosts[host].capture = p;
    return 0;
}

int synack_sim_path_stats(const struct synack_sim *sim, int from, int to,
                          struct synack_sim_path_stats *out)
{
    struct sk_sim_path *p;
    int err = find_path((struct synack_sim *)sim, from, to, &p);
    if (err) return err;
    *out = p->stats;
    return 0;
}

uint64_t synack_sim_unroutable(const struct synack_sim *sim)
{
    return sim->unroutable;
}

synack_time_t synack_sim_now(const struct synack_sim *sim)
{
    return sim->now;
}

static synack_time_t next_event(const struct synack_sim *sim)
{
    synack_time_t t = sim->heap_len ? sim->heap[0].time : SYNACK_TIME_NEVER;
    for (int i = 0; i < sim->nhosts; i++) {
        synack_time_t d = synack_stack_next_deadline(sim->hosts[i].stack);
        if (d < t) t = d;
    }
    return t;
}

/* Delivers every arrival due at the clock and polls every stack that is due. */
static void run_due(struct synack_sim *sim)
{
    while (sim->heap_len && sim->heap[0].time <= sim->now) {
        struct arrival a = heap_pop(sim);
        struct sim_host *h = &sim->hosts[a.to];
        struct sk_sim_path *p = path_between(sim, a.from, a.to);
        if (p) p->stats.delivered++;
        capture(h, a.pkt, a.len, sim->now);
        /* A card with offloads verifies checksums and says so; a bad one the stack finds. */
        unsigned flags = h->nic && sk_nic_csum_ok(a.pkt, a.len) ? SYNACK_INPUT_CSUM_VALID : 0;
        synack_stack_input_flags(h->stack, a.pkt, a.len, sim->now, flags);
        buf_give(sim, a.pkt, a.len);
    }
    for (int i = 0; i < sim->nhosts; i++) {
        struct synack_stack *st = sim->hosts[i].stack;
        if (synack_stack_next_deadline(st) <= sim->now) synack_stack_poll(st, sim->now);
    }
}

bool synack_sim_step(struct synack_sim *sim)
{
    synack_time_t t = next_event(sim);
    if (t == SYNACK_TIME_NEVER) return false;
    if (t > sim->now) sim->now = t;
    run_due(sim);
    return true;
}

void synack_sim_run_until(struct synack_sim *sim, synack_time_t t)
{
    /* A stack that keeps asking for "now" after being polled would spin; the guard moves
     * on after a bounded number of rounds at one instant. */
    synack_time_t last = SYNACK_TIME_NEVER;
    unsigned same = 0;
    while (next_event(sim) <= t) {
        synack_sim_step(sim);
        same = sim->now == last ? same + 1 : 0;
        last = sim->now;
        if (same > 100000) break;
    }
    if (t > sim->now) sim->now = t;
    for (int i = 0; i < sim->nhosts; i++)
        synack_stack_poll(sim->hosts[i].stack, sim->now);
}

void synack_sim_run_for(struct synack_sim *sim, synack_time_t d)
{
    synack_sim_run_until(sim, sim->now + d);
}

bool synack_sim_run_until_done(struct synack_sim *sim, synack_sim_done_fn done, void *ctx,
                               synack_time_t limit)
{
    synack_time_t last = SYNACK_TIME_NEVER;
    unsigned same = 0;
    /* Socket calls made before (or by done()) are acted on at the current time first. */
    for (int i = 0; i < sim->nhosts; i++)
        synack_stack_poll(sim->hosts[i].stack, sim->now);
    while (!done(ctx)) {
        if (next_event(sim) > limit || !synack_sim_step(sim)) return done(ctx);
        same = sim->now == last ? same + 1 : 0;
        last = sim->now;
        if (same > 100000) return false;
    }
    return true;
}
