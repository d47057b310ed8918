/* SPDX-License-Identifier: MIT */
#include "synack/config.h"

#include <errno.h>
#include <string.h>

void synack_config_init(struct synack_config *c)
{
    memset(c, 0, sizeof *c);
    c->local_addr = SYNACK_IPV4(198, 18, 0, 2);
    c->mss = 1460;
    c->default_peer_mss = 536; /* RFC 9293 3.7.1 */
    c->ttl = 64;
    c->rto_initial = SYNACK_SEC(1); /* RFC 6298 2.1 */
    c->rto_min = SYNACK_MS(200);    /* Linux TCP_RTO_MIN */
    c->rto_max = SYNACK_SEC(120);   /* Linux TCP_RTO_MAX */
    c->syn_retries = 6;
    c->synack_retries = 5;
    c->data_retries = 15;
    c->msl = SYNACK_SEC(30); /* TIME-WAIT = 2 MSL = 60 s, Linux TCP_TIMEWAIT_LEN */
    c->fin_wait2_timeout = SYNACK_SEC(60);
    c->persist_min = SYNACK_MS(200);
    c->persist_max = SYNACK_SEC(120);
    c->challenge_ack_interval = SYNACK_MS(500);
    c->sndbuf = 256 * 1024;
    c->rcvbuf = 256 * 1024;
    c->rcvbuf_max = 6291456; /* Linux tcp_rmem[2] */
    c->sndbuf_max = 4194304; /* Linux tcp_wmem[2] */
    c->ooo_max_ranges = 32;
    c->notsent_lowat = UINT32_MAX; /* Linux tcp_notsent_lowat: off */
    c->window_scale = -1;
    c->timestamps = true;
    c->sack = true;
    c->tail_loss_probe = true;
    c->frto = true;
    c->delayed_ack = SYNACK_MS(40);
    c->fastopen_client = true;
    c->keepalive_idle = SYNACK_SEC(7200);
    c->keepalive_interval = SYNACK_SEC(75);
    c->keepalive_probes = 9;
    c->initial_cwnd_segments = 10;   /* RFC 6928 */
    c->congestion = SYNACK_CC_CUBIC; /* Linux's default */
    c->ecn = 2;                      /* Linux tcp_ecn = 2: accept when asked */
    c->syncookies = 1;               /* Linux tcp_syncookies */
    c->max_time_wait = 262144;       /* Linux tcp_max_tw_buckets on a machine with a few GiB */
    c->max_sockets = 1024;
    c->max_connections = 1024;
    c->ephemeral_first = 32768;
    c->ephemeral_last = 60999;
}

/* An all-zero secret makes ISNs and ephemeral ports predictable (RFC 6528 section 3). */
static bool secret_set(const uint8_t secret[16])
{
    uint8_t any = 0;
    for (int i = 0; i < 16; i++)
        any |= secret[i];
    return any != 0;
}

/* The first rule c breaks, or NULL. */
static const char *first_violation(const struct synack_config *c)
{
    if (c->mss < 64 || c->mss > SYNACK_MSS_MAX)
        return "mss must be 64 .. 65495 (an IPv4 packet holds at most 65535 bytes)";
    if (c->default_peer_mss < 64) return "default_peer_mss must be at least 64";
    if (c->nroutes > SYNACK_MAX_ROUTES) return "nroutes must be at most SYNACK_MAX_ROUTES";
    for (unsigned i = 0; i < c->nroutes; i++)
        if (c->routes[i].prefix_len > 32 || c->routes[i].advmss < 64 ||
            c->routes[i].advmss > SYNACK_MSS_MAX)
            return "routes: prefix_len must be 0 .. 32 and advmss 64 .. 65495";
    if (c->rto_min == 0 || c->rto_initial == 0 || c->rto_min > c->rto_max)
        return "rto_min and rto_initial must be > 0 and rto_min <= rto_max";
    if (c->persist_min == 0) return "persist_min must be > 0";
    if (c->sndbuf < SYNACK_BUF_MIN || c->sndbuf > SYNACK_BUF_MAX || c->rcvbuf < SYNACK_BUF_MIN ||
        c->rcvbuf > SYNACK_BUF_MAX)
        return "sndbuf and rcvbuf must be 256 .. 1 GiB";
    if (c->rcvbuf_max > SYNACK_BUF_MAX || c->sndbuf_max > SYNACK_BUF_MAX)
        return "rcvbuf_max and sndbuf_max must be at most 1 GiB";
    if (c->window_scale > 14) return "window_scale must be -1 (automatic) or 0 .. 14";
    if (c->window_scale >= 0 && (c->rcvbuf >> c->window_scale) < 4)
        return "window_scale too large for rcvbuf: the window unit (1 << window_scale) may be "
               "at most rcvbuf / 4";
    if (c->max_sockets == 0 || c->max_connections == 0)
        return "max_sockets and max_connections must be > 0";
    if (c->ooo_max_ranges == 0) return "ooo_max_ranges must be > 0";
    if (c->syncookies < 0 || c->syncookies > 2) return "syncookies must be 0, 1 or 2";
    if (c->initial_cwnd_segments == 0) return "initial_cwnd_segments must be > 0";
    if ((unsigned)c->congestion >= SYNACK_CC_COUNT)
        return "congestion must be an enum synack_congestion";
    if (c->ecn < 0 || c->ecn > 2) return "ecn must be 0, 1 or 2";
    if (c->ephemeral_first == 0 || c->ephemeral_first > c->ephemeral_last)
        return "ephemeral ports must satisfy 0 < ephemeral_first <= ephemeral_last";
    if (c->isn_rekey_interval != 0 && c->isn_rekey_interval < SYNACK_SEC(1))
        return "isn_rekey_interval must be 0 (never) or at least 1 s";
    if (!c->alloc != !c->dealloc) return "alloc and dealloc must be set together";
    if (!c->deterministic && !secret_set(c->secret))
        return "secret is all zeros: fill it (synack_config_random_secret) or set deterministic";
    return NULL;
}

int synack_config_check(const struct synack_config *c, const char **why)
{
    const char *v = c ? first_violation(c) : "config is NULL";
    if (why) *why = v;
    return v ? -EINVAL : 0;
}
