/* SPDX-License-Identifier: MIT */
/* synack: a deterministic network simulator. Hosts run synack stacks; links between them
 * delay, rate-limit, lose, duplicate, reorder and corrupt packets from a seeded generator.
 * Time is virtual (nanoseconds, starting at 0): minutes of TCP timers run in milliseconds,
 * and a given seed always produces the same packets at the same times.
 *
 * Fault injection and capture are properties of the links, never of the engine. */
#ifndef SYNACK_SIM_H
#define SYNACK_SIM_H

#include <stdbool.h>
#include "synack/config.h"
#include "synack/stack.h"
#include "synack/types.h"

struct synack_sim;

/* Impairments of one direction of a link. All probabilities are in [0, 1]. Zero everywhere
 * is a perfect wire with no delay. */
struct synack_sim_path {
    synack_time_t delay;         /* one-way propagation delay */
    synack_time_t jitter;        /* extra delay, uniform in [0, jitter]; may reorder packets */
    uint64_t rate_bps;           /* serialization rate in bits/s; 0 = infinite */
    double loss;                 /* independent loss probability */
    double duplicate;            /* probability a packet is delivered twice */
    double reorder;              /* probability a packet is held back by reorder_delay */
    synack_time_t reorder_delay; /* extra delay of a reordered packet (default: 2 * delay + 1 ms
                                    when 0) */
    double corrupt;              /* probability one random bit of the packet is flipped */
    /* Gilbert-Elliott burst loss: a two-state chain stepped once per packet. Disabled while
     * ge_good_to_bad is 0. */
    double ge_good_to_bad; /* P(good -> bad) per packet */
    double ge_bad_to_good; /* P(bad -> good) per packet */
    double ge_loss_good;   /* loss probability in the good state */
    double ge_loss_bad;    /* loss probability in the bad state */
    /* Queue limit in packets when rate_bps is set (tail drop); 0 = unlimited. */
    unsigned queue_limit;
    /* With rate_bps and queue_limit: an ECN-capable packet (ECT, RFC 3168) that finds at
     * least this many packets queued ahead of it is marked CE (a step marking, as DCTCP's
     * AQM); 0 = never. */
    unsigned ecn_mark_threshold;
};

/* What happened on one direction of a link. */
struct synack_sim_path_stats {
    uint64_t sent;      /* packets offered to the path */
    uint64_t delivered; /* packets handed to the receiving stack (duplicates included) */
    uint64_t lost;      /* random loss (independent or Gilbert-Elliott) */
    uint64_t scripted_drops;
    uint64_t queue_drops;
    uint64_t duplicated;
    uint64_t reordered;
    uint64_t corrupted;
    uint64_t ce_marked; /* ECN-capable packets marked CE (ecn_mark_threshold) */
};

/* Gives host a network card with offloads, as virtio or a modern NIC (call before traffic):
 * its stack may send TCP segments of up to 64 KiB with the checksum left partial, which the
 * card cuts into packets of the stack's MSS (TSO: each with its own SEQ, IP ID and
 * checksums, PSH and FIN only on the last) and checksums before the path sees them, so loss,
 * rate and queues act on real packets; arriving packets are checksummed by the card and
 * passed with SYNACK_INPUT_CSUM_VALID when it holds. on false removes it. Errors: -EINVAL
 * (no such host), -ENOMEM. */
int synack_sim_set_offload(struct synack_sim *sim, int host, bool on);

/* Creates an empty simulation whose random choices all derive from seed. NULL on ENOMEM. */
struct synack_sim *synack_sim_new(uint64_t seed);
/* Frees the simulation, its hosts and stacks, packets in flight and open captures. */
void synack_sim_free(struct synack_sim *sim);

/* Adds a host running a stack made from config (NULL: defaults; local_addr decides which
 * packets it receives). The host runs in deterministic mode (config->deterministic is
 * forced on: a simulation may keep the all-zero default secret). Returns the host index
 * (0, 1, ...) or -ENOMEM / -EINVAL (two hosts with the same address, or the stack rejected
 * the config). */
int synack_sim_add_host(struct synack_sim *sim, const struct synack_config *config);

/* The stack of a host, for socket calls. NULL for a bad index. */
struct synack_stack *synack_sim_stack(struct synack_sim *sim, int host);

/* Connects two hosts with a link; a_to_b and b_to_a describe each direction (NULL: perfect).
 * Packets a host sends to an address with no link to it are dropped and counted as
 * unroutable. Errors: -EINVAL (bad index, same host), -EEXIST (already linked), -ENOMEM. */
int synack_sim_link(struct synack_sim *sim, int a, int b, const struct synack_sim_path *a_to_b,
                    const struct synack_sim_path *b_to_a);

/* Changes one direction of an existing link from now on. Errors: -EINVAL, -ENOENT. */
int synack_sim_set_path(struct synack_sim *sim, int from, int to,
                        const struct synack_sim_path *path);

/* Scripted drop: the n-th packet (1-based, counting from the link's creation) that host from
 * sends to host to is lost. Any number may be armed. Errors: -EINVAL, -ENOENT. */
int synack_sim_drop_nth(struct synack_sim *sim, int from, int to, uint64_t n);

/* Scripted drop by predicate: filter is asked about every packet from -> to before the
 * random impairments; returning true drops it (counted as scripted). NULL removes it. */
typedef bool (*synack_sim_filter_fn)(void *ctx, const uint8_t *packet, size_t len,
                                     synack_time_t now);
int synack_sim_set_filter(struct synack_sim *sim, int from, int to, synack_sim_filter_fn filter,
                          void *ctx);

/* Captures every packet the host sends or receives (as seen on its interface: packets sent
 * before path impairments, packets received after them) into a pcap file with nanosecond
 * timestamps and link type raw IPv4 (228). Errors: -EINVAL, -errno of fopen. */
int synack_sim_capture(struct synack_sim *sim, int host, const char *path);

/* Statistics of one direction. Errors: -EINVAL, -ENOENT. */
int synack_sim_path_stats(const struct synack_sim *sim, int from, int to,
                          struct synack_sim_path_stats *out);
/* Packets dropped because no link led to their destination. */
uint64_t synack_sim_unroutable(const struct synack_sim *sim);

/* The virtual clock. */
synack_time_t synack_sim_now(const struct synack_sim *sim);

/* Runs the earliest pending event (a packet arrival or a stack deadline), advancing the
 * clock to it, and polls every stack whose deadline is due. Returns false when nothing is
 * pending at all. */
bool synack_sim_step(struct synack_sim *sim);

/* Runs every event up to and including time t, then sets the clock to t (never backwards)
 * and polls each stack at t, so socket calls made before are acted on. */
void synack_sim_run_until(struct synack_sim *sim, synack_time_t t);

/* Runs for d from now. */
void synack_sim_run_for(struct synack_sim *sim, synack_time_t d);

/* Runs until done(ctx) returns true (checked after every event) or the clock passes limit.
 * Returns true if done() became true. */
typedef bool (*synack_sim_done_fn)(void *ctx);
bool synack_sim_run_until_done(struct synack_sim *sim, synack_sim_done_fn done, void *ctx,
                               synack_time_t limit);

#endif
