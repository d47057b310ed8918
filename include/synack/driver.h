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
    bool trace;           /* one line per trace event on stderr (synack_trace_format),
                             times in ms since the stack started */
    /* Impairment of both directions, for tests: loss and reordering probabilities, seed. */
    double loss, reorder;
    uint64_t seed;
    /* The device is opened with IFF_VNET_HDR and checksum and segmentation offload (TSO4)
     * unless no_offload is set: the kernel hands over segments of up to 64 KiB and takes
     * ours, cutting them to the MSS itself. Offload of what synack sends is off while
     * packets are captured (pcap shows the segments as the engine built them, checksums
     * included) or impaired (a lost super-segment would be dozens of lost segments). */
    bool no_offload;
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

/* What the driver has done since it was created. */
struct synack_driver_stats {
    uint64_t rx_packets, rx_bytes; /* read from the device (a GRO-merged packet counts once) */
    uint64_t rx_gso;               /* of them, larger than one segment */
    uint64_t rx_csum_done;         /* checksums the driver completed (kernel left them partial) */
    uint64_t tx_packets, tx_bytes; /* written to the device */
    uint64_t tx_tso;               /* of them, super-segments the kernel cut */
    uint64_t wakeups;              /* synack_driver_run_once calls that found packets to read */
    bool rx_offload, tx_offload;   /* offload in force each way */
};
void synack_driver_get_stats(const struct synack_driver *d, struct synack_driver_stats *out);

#endif
