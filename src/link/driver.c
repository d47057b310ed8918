/* SPDX-License-Identifier: MIT */
/* Real-time driver: a stack on a TUN device. */
#include "synack/driver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "synack/ladder.h"
#include "synack/pcap.h"
#include "synack/secret.h"
#include "synack/tun.h"

#define BATCH 64
#define MAX_PKT 65536
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
    double loss, reorder;
    uint64_t rng;
    struct held held[HELD_MAX];
    unsigned nheld;
    uint64_t tx_dropped;
    uint8_t buf[MAX_PKT];
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

static void put_tun(struct synack_driver *d, const uint8_t *pkt, size_t len)
{
    if (write(d->fd, pkt, len) < 0)
        d->tx_dropped++; /* the kernel's queue is full: TCP recovers as from loss */
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
    (void)ctx;
    char line[256];
    fprintf(stderr, "%s\n", synack_trace_format(ev, line, sizeof line));
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
    int err = synack_tun_open(cfg->tun);
    if (err < 0) {
        *errmsg = synack_tun_strerror(err);
        free(d);
        return err;
    }
    d->fd = err;
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
    struct synack_link link = {d, transmit};
    d->stack = synack_stack_new(&sc, &link);
    if (!d->stack) {
        *errmsg = "cannot create the stack (invalid configuration or out of memory)";
        synack_driver_free(d);
        return -ENOMEM;
    }
    /* Give the stack the clock before the first socket call: calls made before any poll
     * would otherwise see time 0 (keepalive and FIN-WAIT-2 deadlines start from it). */
    synack_stack_poll(d->stack, mono_now());
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
        for (int i = 0; i < BATCH; i++) {
            ssize_t len = read(d->fd, d->buf, sizeof d->buf);
            if (len <= 0) break;
            if (d->pcap) synack_pcap_write(d->pcap, now, d->buf, (size_t)len);
            impaired(d, d->buf, (size_t)len, true, now);
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
