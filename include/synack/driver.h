/* SPDX-License-Identifier: MIT */
/* synack: a real-time driver that runs a stack on a TUN device. It owns the clock
 * (CLOCK_MONOTONIC), waits on the device, the caller's descriptors and the stack's next
 * deadline with poll(2) (never busy-waits), reads packets in batches and writes what the
 * stack sends. Single-threaded: call everything from one thread. */
#ifndef SYNACK_DRIVER_H
#define SYNACK_DRIVER_H

#include <poll.h>
#include <stdbool.h>
#include "synack/synack.h"

struct synack_driver_config {
    const char *tun;      /* device name; default "synack0" */
    uint32_t addr;        /* synack's own address; default 198.18.0.2 */
    unsigned prefix;      /* default 24 */
    uint32_t kernel_addr; /* the kernel side's address; 0: the network's first host */
    bool no_configure;    /* leave the device's addresses and flags alone */
    const char *pcap;     /* capture both directions to this file; NULL: none */
    bool trace;           /* one line per segment and state change on stderr */
    /* Impairment of both directions, for tests: loss and reordering probabilities, seed. */
    double loss, reorder;
    uint64_t seed;
};

struct synack_driver;

/* Fills *cfg with the defaults above. */
void synack_driver_config_init(struct synack_driver_config *cfg);

/* Opens and configures the device and creates the stack (stack_cfg may be NULL; its
 * local_addr is replaced by cfg->addr, its secret by random bytes from
 * synack_config_random_secret() unless stack_cfg->deterministic is set). On error *errmsg
 * points to a sentence for the user. Errors: those of synack_tun_open/_configure and of
 * synack_config_random_secret, -ENOMEM, -EIO (pcap file). */
int synack_driver_new(const struct synack_driver_config *cfg, const struct synack_config *stack_cfg,
                      struct synack_driver **out, const char **errmsg);
void synack_driver_free(struct synack_driver *d);

struct synack_stack *synack_driver_stack(struct synack_driver *d);
synack_time_t synack_driver_now(const struct synack_driver *d);

/* Waits until a packet arrives, one of the extra descriptors is ready (their revents are
 * filled), the stack's deadline passes, or timeout_ms elapses (-1: no limit), then runs
 * the stack. Returns the number of extra descriptors with events, or -errno. */
int synack_driver_run_once(struct synack_driver *d, struct pollfd *extra, unsigned nextra,
                           int timeout_ms);

/* Packets the device would not take (EAGAIN) and packets the impairment dropped. */
uint64_t synack_driver_tx_dropped(const struct synack_driver *d);

#endif
