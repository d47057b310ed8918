/* SPDX-License-Identifier: MIT */
/* Real-time driver: a stack on a TUN device. */
#include "synack/driver.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "synack/ladder.h"
#include "synack/pcap.h"
#include "synack/secret.h"
#include "synack/tun.h"
#include "wire/checksum.h"

#define BATCH 4096 /* most packets read per wakeup (until EAGAIN, normally) */
#define MAX_PKT 65536
#define VNET SYNACK_TUN_VNET_HDR_LEN
#define HELD_MAX 64
#define REORDER_HOLD SYNACK_MS(3)

struct held {
    uint8_t *pkt;
    size_t len;
    synack_time_t release;
    bool inbound;
};

struct synack_driver {
    int fd;
    struct synack_stack *stack;
    struct synack_pcap *pcap;
    bool trace;
    synack_time_t origin; /* the clock when the stack started: --trace times count from it */
    double loss, reorder;
    uint64_t rng;
    struct held held[HELD_MAX];
    unsigned nheld;
    uint64_t tx_dropped;
    bool vnet; /* packets carry a virtio_net_hdr */
    struct synack_driver_stats stats;
    uint8_t buf[VNET + MAX_PKT];
};

void synack_driver_config_init(struct synack_driver_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->tun = "synack0";
    cfg->addr = SYNACK_IPV4(198, 18, 0, 2);
    cfg->prefix = 24;
}

static synack_time_t mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (synack_time_t)ts.tv_sec * 1000000000ull + (synack_time_t)ts.tv_nsec;
}

static double unit(struct synack_driver *d)
{
    d->rng ^= d->rng << 13;
    d->rng ^= d->rng >> 7;
    d->rng ^= d->rng << 17;
    return (double)(d->rng >> 11) * 0x1.0p-53;
}

/* One write per packet, with its virtio_net_hdr in front when the device wants one. */
static void put_iov(struct synack_driver *d, struct iovec *iov, int n, size_t len)
{
    ssize_t r = d->vnet ? writev(d->fd, iov, n) : writev(d->fd, iov + 1, n - 1);
    if (r < 0) {
        d->tx_dropped++; /* the kernel's queue is full: TCP recovers as from loss */
        return;
    }
    d->stats.tx_packets++;
    d->stats.tx_bytes += len;
}

/* The header for a packet that is not cut: the TCP checksum left to the kernel when the
 * stack was told the link checksums (IPv4 TCP only; ICMP is always complete). */
static void plain_hdr(const struct synack_driver *d, struct virtio_net_hdr *h, const uint8_t *pkt,
                      size_t len)
{
    memset(h, 0, sizeof *h);
    if (!d->stats.tx_offload || len < 20 || pkt[9] != 6) return;
    h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    h->csum_start = (uint16_t)((pkt[0] & 15) * 4);
    h->csum_offset = 16;
}

static void put_tun(struct synack_driver *d, const uint8_t *pkt, size_t len)
{
    struct virtio_net_hdr h;
    plain_hdr(d, &h, pkt, len);
    struct iovec iov[2] = {{&h, VNET}, {(void *)pkt, len}};
    put_iov(d, iov, 2, len);
}

/* A super-segment: the kernel cuts it into seg_size pieces and checksums them (TSO4). */
static void transmit_tso(void *ctx, const struct synack_iovec *piece, unsigned n, size_t len,
                         uint16_t seg_size, synack_time_t now)
{
    (void)now;
    struct synack_driver *d = ctx;
    struct virtio_net_hdr h = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
        .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
        .hdr_len = (uint16_t)piece[0].len,
        .gso_size = seg_size,
        .csum_start = (uint16_t)((piece[0].base[0] & 15) * 4),
        .csum_offset = 16,
    };
    struct iovec iov[1 + SYNACK_LINK_MAX_IOV];
    iov[0] = (struct iovec){&h, VNET};
    for (unsigned i = 0; i < n && i < SYNACK_LINK_MAX_IOV; i++)
        iov[1 + i] = (struct iovec){(void *)piece[i].base, piece[i].len};
    d->stats.tx_tso++;
    put_iov(d, iov, (int)(1 + n), len);
}

/* A packet the kernel left with a partial TCP/UDP checksum (its own, never from a wire):
 * completes it, so the stack verifies it as any other. False if the header is unusable. */
static bool finish_csum(struct synack_driver *d, const struct virtio_net_hdr *h, uint8_t *pkt,
                        size_t len)
{
    if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) return true;
    size_t start = h->csum_start, at = start + h->csum_offset;
    if (start >= len || at + 2 > len) return false;
    /* The field holds the pseudo-header sum; the sum from csum_start on includes it. */
    uint16_t sum = sk_csum_finish(sk_csum_add(0, pkt + start, len - start));
    pkt[at] = (uint8_t)(sum >> 8);
    pkt[at + 1] = (uint8_t)sum;
    d->stats.rx_csum_done++;
    return true;
}

static void deliver(struct synack_driver *d, const uint8_t *pkt, size_t len, bool inbound,
                    synack_time_t now)
{
    if (inbound)
        synack_stack_input(d->stack, pkt, len, now);
    else
        put_tun(d, pkt, len);
}

/* Loss and reordering for tests: a packet may be dropped, or held back a few ms. */
static void impaired(struct synack_driver *d, const uint8_t *pkt, size_t len, bool inbound,
                     synack_time_t now)
{
    if (d->loss > 0 && unit(d) < d->loss) {
        d->tx_dropped++;
        return;
    }
    if (d->reorder > 0 && d->nheld < HELD_MAX && unit(d) < d->reorder) {
        uint8_t *copy = malloc(len);
        if (copy) {
            memcpy(copy, pkt, len);
            d->held[d->nheld++] = (struct held){copy, len, now + REORDER_HOLD, inbound};
            return;
        }
    }
    deliver(d, pkt, len, inbound, now);
}

static void transmit(void *ctx, const uint8_t *pkt, size_t len, synack_time_t now)
{
    struct synack_driver *d = ctx;
    if (d->pcap) synack_pcap_write(d->pcap, now, pkt, len);
    impaired(d, pkt, len, false, now);
}

static void trace(void *ctx, const struct synack_trace_event *ev)
{
    const struct synack_driver *d = ctx;
    struct synack_trace_event e = *ev;
    e.time = ev->time >= d->origin ? ev->time - d->origin : 0; /* ms since the start */
    char line[256];
    fprintf(stderr, "%s\n", synack_trace_format(&e, line, sizeof line));
}

int synack_driver_new(const struct synack_driver_config *cfg, const struct synack_config *stack_cfg,
                      struct synack_driver **out, const char **errmsg)
{
    *out = NULL;
    *errmsg = NULL;
    struct synack_driver *d = calloc(1, sizeof *d);
    if (!d) {
        *errmsg = "out of memory";
        return -ENOMEM;
    }
    d->fd = -1;
    bool offload = !cfg->no_offload;
    int err = synack_tun_open_vnet(cfg->tun, &offload);
    if (err < 0) {
        *errmsg = synack_tun_strerror(err);
        free(d);
        return err;
    }
    d->fd = err;
    d->vnet = true;
    d->stats.rx_offload = offload;
    if (!cfg->no_configure) {
        uint32_t net =
            cfg->addr & (cfg->prefix >= 32 ? 0xffffffffu : ~(0xffffffffu >> cfg->prefix));
        uint32_t kaddr = cfg->kernel_addr ? cfg->kernel_addr : net + 1;
        err = synack_tun_configure(cfg->tun, kaddr, cfg->prefix);
        if (err < 0) {
            *errmsg = synack_tun_strerror(err);
            synack_driver_free(d);
            return err;
        }
    }
    struct synack_config sc;
    if (stack_cfg)
        sc = *stack_cfg;
    else
        synack_config_init(&sc);
    sc.local_addr = cfg->addr;
    if (!sc.deterministic) {
        err = synack_config_random_secret(&sc); /* RFC 6528: an unpredictable key */
        if (err < 0) {
            *errmsg = "cannot read random bytes for the stack's secret (getrandom)";
            synack_driver_free(d);
            return err;
        }
    }
    if (cfg->trace) {
        sc.trace = trace;
        sc.trace_ctx = d;
    }
    d->origin = mono_now();
    struct synack_link link = {d, transmit};
    d->stack = synack_stack_new(&sc, &link);
    if (!d->stack) {
        *errmsg = "cannot create the stack (invalid configuration or out of memory)";
        synack_driver_free(d);
        return -ENOMEM;
    }
    if (d->stats.rx_offload && !cfg->pcap && cfg->loss <= 0 && cfg->reorder <= 0) {
        struct synack_link_offload off = {
            .tx_csum = true, .tso_max = MAX_PKT - 20 - 60, .transmit_tso = transmit_tso};
        d->stats.tx_offload = synack_stack_set_link_offload(d->stack, &off) == 0;
    }
    /* Give the stack the clock before the first socket call: calls made before any poll
     * would otherwise see time 0 (keepalive and FIN-WAIT-2 deadlines start from it). */
    synack_stack_poll(d->stack, d->origin);
    if (cfg->pcap) {
        d->pcap = synack_pcap_open(cfg->pcap);
        if (!d->pcap) {
            *errmsg = "cannot write the pcap file";
            synack_driver_free(d);
            return -EIO;
        }
    }
    d->loss = cfg->loss;
    d->reorder = cfg->reorder;
    d->rng = cfg->seed ? cfg->seed : 0x9e3779b97f4a7c15ull;
    *out = d;
    return 0;
}

void synack_driver_free(struct synack_driver *d)
{
    if (!d) return;
    for (unsigned i = 0; i < d->nheld; i++)
        free(d->held[i].pkt);
    synack_stack_free(d->stack);
    synack_pcap_close(d->pcap);
    if (d->fd >= 0) close(d->fd);
    free(d);
}

struct synack_stack *synack_driver_stack(struct synack_driver *d)
{
    return d->stack;
}

synack_time_t synack_driver_now(const struct synack_driver *d)
{
    (void)d;
    return mono_now();
}

uint64_t synack_driver_tx_dropped(const struct synack_driver *d)
{
    return d->tx_dropped;
}

void synack_driver_get_stats(const struct synack_driver *d, struct synack_driver_stats *out)
{
    *out = d->stats;
}

static void release_held(struct synack_driver *d, synack_time_t now)
{
    unsigned k = 0;
    for (unsigned i = 0; i < d->nheld; i++) {
        struct held h = d->held[i];
        if (h.release <= now) {
            deliver(d, h.pkt, h.len, h.inbound, now);
            free(h.pkt);
        } else {
            d->held[k++] = h;
        }
    }
    d->nheld = k;
}

int synack_driver_run_once(struct synack_driver *d, struct pollfd *extra, unsigned nextra,
                           int timeout_ms)
{
    struct pollfd fds[1 + 16];
    if (nextra > 16) return -EINVAL;
    synack_time_t now = mono_now();
    synack_time_t deadline = synack_stack_next_deadline(d->stack);
    for (unsigned i = 0; i < d->nheld; i++)
        if (d->held[i].release < deadline) deadline = d->held[i].release;
    int wait = timeout_ms;
    if (deadline != SYNACK_TIME_NEVER) {
        /* Round up to whole milliseconds so we never wake early and spin. */
        synack_time_t left = deadline > now ? deadline - now : 0;
        long ms = (long)((left + 999999) / 1000000);
        if (wait < 0 || ms < wait) wait = (int)ms;
    }
    fds[0] = (struct pollfd){d->fd, POLLIN, 0};
    for (unsigned i = 0; i < nextra; i++) {
        fds[1 + i] = extra[i];
        fds[1 + i].revents = 0;
    }
    int n = poll(fds, 1 + nextra, wait);
    if (n < 0 && errno != EINTR) return -errno;
    now = mono_now();
    if (n > 0 && (fds[0].revents & POLLIN)) {
        /* Everything the device holds, until EAGAIN: one wakeup for many packets. */
        d->stats.wakeups++;
        for (int i = 0; i < BATCH; i++) {
            ssize_t got = read(d->fd, d->buf, sizeof d->buf);
            if (got <= 0) break;
            uint8_t *pkt = d->buf;
            size_t len = (size_t)got;
            unsigned in_flags = 0;
            if (d->vnet) {
                if (len <= VNET) continue;
                struct virtio_net_hdr h;
                memcpy(&h, d->buf, sizeof h);
                pkt += VNET;
                len -= VNET;
                /* A packet the kernel made itself (checksum left partial) or verified
                 * (DATA_VALID) needs no checksum pass here nor in the stack; only a capture
                 * or the test impairment (which holds copies) wants it completed. */
                bool trusted =
                    (h.flags & (VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID)) != 0;
                if (trusted && !d->pcap && d->loss <= 0 && d->reorder <= 0)
                    in_flags = SYNACK_INPUT_CSUM_VALID;
                else if (!finish_csum(d, &h, pkt, len))
                    continue;
                if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE) d->stats.rx_gso++;
            }
            d->stats.rx_packets++;
            d->stats.rx_bytes += len;
            if (d->pcap) synack_pcap_write(d->pcap, now, pkt, len);
            if (in_flags) /* the poll below follows the batch: one ACK answers it */
                synack_stack_input_flags(d->stack, pkt, len, now, in_flags | SYNACK_INPUT_MORE);
            else
                impaired(d, pkt, len, true, now);
        }
    }
    release_held(d, now);
    synack_stack_poll(d->stack, now);
    int ready = 0;
    for (unsigned i = 0; i < nextra; i++) {
        extra[i].revents = n > 0 ? fds[1 + i].revents : 0;
        if (extra[i].revents) ready++;
    }
    return ready;
}
