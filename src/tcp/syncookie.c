/* SPDX-License-Identifier: MIT */
#include "tcp/syncookie.h"
#include "tcp/route.h"

#include <string.h>
#include "tcp/input.h"
#include "tcp/isn.h"
#include "tcp/listen.h"
#include "tcp/output.h"
#include "tcp/seq.h"
#include "tcp/state.h"

#define COOKIEBITS 24
#define COOKIEMASK ((1u << COOKIEBITS) - 1)
#define COOKIE_MAX_AGE 2 /* minutes (Linux MAX_SYNCOOKIE_AGE) */
#define TSBITS 6
#define TSMASK ((1u << TSBITS) - 1)
#define COOKIE_VALID SYNACK_SEC(120) /* after an overflow, ACKs are checked this long */

/* Linux's MSS table (msstab in syncookies.c). */
static const uint16_t msstab[] = {536, 1300, 1440, 1460};

uint8_t sk_tcp_wscale_for(const struct synack_config *cfg, uint32_t rcvbuf, uint32_t rcvbuf_max)
{
    /* The smallest shift that covers the largest the buffer may become (Linux
     * tcp_select_initial_window takes tcp_rmem[2]); a configured shift; but never one
     * whose unit exceeds a quarter of the buffer now (config.h). */
    uint32_t most = rcvbuf_max > rcvbuf ? rcvbuf_max : rcvbuf;
    uint8_t shift = 0;
    while (shift < 14 && (most >> shift) > 65535)
        shift++;
    if (cfg->window_scale >= 0) shift = (uint8_t)cfg->window_scale;
    while (shift > 0 && (rcvbuf >> shift) < 4)
        shift--;
    return shift;
}

static uint32_t cookie_hash(const struct sk_engine *eng, const struct sk_segment *seg,
                            uint32_t count, uint8_t c)
{
    uint8_t b[17];
    uint32_t v[4] = {seg->src.addr, seg->dst.addr, (uint32_t)seg->src.port << 16 | seg->dst.port,
                     count};
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 4; k++)
            b[4 * i + k] = (uint8_t)(v[i] >> (8 * k));
    b[16] = c;
    return (uint32_t)sk_siphash(eng->cfg.secret, b, sizeof b);
}

static uint32_t minutes(const struct sk_engine *eng)
{
    return (uint32_t)(eng->now / SYNACK_SEC(60));
}

/* Linux secure_tcp_syn_cookie: hash + the peer's ISN + minute << 24 + keyed MSS index. */
static uint32_t make_cookie(const struct sk_engine *eng, const struct sk_segment *syn,
                            uint32_t mss_idx)
{
    uint32_t count = minutes(eng);
    return cookie_hash(eng, syn, 0, 0) + syn->h.seq + (count << COOKIEBITS) +
           ((cookie_hash(eng, syn, count, 1) + mss_idx) & COOKIEMASK);
}

/* Linux check_tcp_syn_cookie: the MSS index, or -1 for a forged or stale cookie. */
static int check_cookie(const struct sk_engine *eng, const struct sk_segment *ack)
{
    uint32_t count = minutes(eng);
    uint32_t cookie = ack->h.ack - 1 - cookie_hash(eng, ack, 0, 0) - (ack->h.seq - 1);
    uint32_t diff = (count - (cookie >> COOKIEBITS)) & ((uint32_t)-1 >> COOKIEBITS);
    if (diff >= COOKIE_MAX_AGE) return -1;
    uint32_t data = (cookie - cookie_hash(eng, ack, count - diff, 1)) & COOKIEMASK;
    return data < sizeof msstab / sizeof msstab[0] ? (int)data : -1;
}

bool sk_tcp_cookie_wanted(const struct sk_engine *eng, const struct sk_tcb *listener)
{
    if (eng->cfg.syncookies == 2) return true;
    return eng->cfg.syncookies == 1 && listener->listen->syn_len >= listener->listen->backlog;
}

bool sk_tcp_cookie_synack(struct sk_engine *eng, struct sk_tcb *listener,
                          const struct sk_segment *seg)
{
    if (eng->cfg.syncookies == 0) return false;
    if (listener->listen->accept_len >= listener->listen->backlog) {
        /* Linux drops the SYN too when the accept queue is full: a cookie would only make
         * a connection nobody can take. */
        sk_drop(eng, SYNACK_CTR_TCP_LISTEN_OVERFLOW, seg);
        return true;
    }
    const struct sk_tcp_options *o = &seg->h.opts;
    uint32_t peer_mss = o->has_mss ? o->mss : eng->cfg.default_peer_mss;
    uint32_t idx = sizeof msstab / sizeof msstab[0] - 1;
    while (idx > 0 && peer_mss < msstab[idx])
        idx--;
    struct sk_tcp_header h;
    memset(&h, 0, sizeof h);
    h.sport = seg->dst.port;
    h.dport = seg->src.port;
    h.seq = make_cookie(eng, seg, idx);
    h.ack = seg->h.seq + 1;
    h.flags = SYNACK_SYN | SYNACK_ACK;
    /* RFC 7323 2.2: the window of a SYN is not scaled. */
    h.window = (uint16_t)(listener->rcvbuf_size > 65535 ? 65535 : listener->rcvbuf_size);
    h.opts.has_mss = true;
    h.opts.mss = sk_route_advmss(&eng->cfg, seg->src.addr, listener->our_mss, listener->user_mss);
    bool sack = eng->cfg.sack && o->sack_permitted;
    uint8_t wscale = sk_tcp_wscale_for(&eng->cfg, listener->rcvbuf_size, listener->rcvbuf_max);
    if (o->has_wscale) {
        h.opts.has_wscale = true;
        h.opts.wscale = wscale;
    }
    if (eng->cfg.timestamps && o->has_timestamp) {
        /* Linux cookie_init_timestamp: the options the cookie can't hold ride in TSval's
         * low bits (the peer's window scale, 0xf for none; SACK), never ahead of the clock;
         * ours is recomputed from the listener's buffer when the ACK comes. */
        struct synack_endpoint local = seg->dst, remote = seg->src;
        uint32_t now =
            (uint32_t)(eng->now / 1000000u) + sk_ts_offset(eng->cfg.secret, &local, &remote);
        uint32_t peer_ws = o->wscale > 14 ? 14 : o->wscale; /* the peer's, for its windows */
        uint32_t opts = (o->has_wscale ? peer_ws : 0xfu) | (sack ? 0x10u : 0u);
        uint32_t ts = (now & ~TSMASK) | opts;
        if (seq_gt(ts, now)) ts -= 1u << TSBITS;
        h.opts.has_timestamp = true;
        h.opts.ts_val = ts;
        h.opts.ts_ecr = o->ts_val;
        h.opts.sack_permitted = sack;
    } else {
        /* Without timestamps the cookie carries only the MSS: no scaling, no SACK. */
        h.opts.has_wscale = false;
    }
    listener->listen->cookie_at = eng->now;
    listener->listen->cookie_sent = true;
    sk_count(eng, SYNACK_CTR_TCP_COOKIES_SENT);
    sk_tcp_send_header(eng, &seg->dst, &seg->src, &h);
    return true;
}

/* Is seg an ACK the listener should check as a cookie's (cookies on, recently sent)? */
static bool cookie_candidate(const struct sk_engine *eng, const struct sk_tcb *listener,
                             const struct sk_segment *seg)
{
    uint8_t flags = seg->h.flags;
    if (eng->cfg.syncookies == 0 || (flags & (SYNACK_SYN | SYNACK_RST)) || !(flags & SYNACK_ACK))
        return false;
    /* Linux tcp_synq_no_recent_overflow: ACKs are checked only for a while after cookies
     * were sent (or always with syncookies 2). */
    return eng->cfg.syncookies == 2 || (listener->listen->cookie_sent &&
                                        eng->now - listener->listen->cookie_at <= COOKIE_VALID);
}

bool sk_tcp_cookie_matches(const struct sk_engine *eng, const struct sk_tcb *listener,
                           const struct sk_segment *seg)
{
    return cookie_candidate(eng, listener, seg) && check_cookie(eng, seg) >= 0;
}

bool sk_tcp_cookie_ack(struct sk_engine *eng, struct sk_tcb *listener, const struct sk_segment *seg)
{
    if (!cookie_candidate(eng, listener, seg)) return false;
    int idx = check_cookie(eng, seg);
    if (idx < 0) {
        sk_count(eng, SYNACK_CTR_TCP_COOKIES_FAILED);
        return false; /* answered with a RST, as any ACK in LISTEN (Linux) */
    }
    /* What the cookie kept: the MSS; with timestamps, window scale and SACK from the TSval
     * we sent, which the ACK echoes (Linux cookie_timestamp_decode). */
    struct sk_segment syn = *seg;
    syn.h.seq = seg->h.seq - 1;
    syn.len = 0;
    memset(&syn.h.opts, 0, sizeof syn.h.opts);
    syn.h.opts.has_mss = true;
    syn.h.opts.mss = msstab[idx];
    const struct sk_tcp_options *o = &seg->h.opts;
    if (eng->cfg.timestamps && o->has_timestamp) {
        uint32_t tsopt = o->ts_ecr & TSMASK;
        syn.h.opts.has_timestamp = true;
        syn.h.opts.ts_val = o->ts_val;
        if ((tsopt & 0xf) != 0xf) {
            if ((tsopt & 0xf) > 14) {
                sk_count(eng, SYNACK_CTR_TCP_COOKIES_FAILED);
                return false;
            }
            syn.h.opts.has_wscale = true;
            syn.h.opts.wscale = (uint8_t)(tsopt & 0xf);
        }
        syn.h.opts.sack_permitted = (tsopt & 0x10) != 0;
    }
    struct sk_tcb *child = eng->hooks.spawn(eng, listener, seg, true);
    if (!child) return true; /* accept queue full or no memory: counted, dropped (Linux) */
    sk_count(eng, SYNACK_CTR_TCP_COOKIES_RECV);
    child->state = SYNACK_LISTEN; /* a child starts as a copy of its listener */
    sk_tcp_take_syn(eng, child, &syn);
    child->iss = seg->h.ack - 1;
    child->ts_offset = sk_ts_offset(eng->cfg.secret, &child->local, &child->remote);
    child->snd_una = child->rtx_end = child->iss;
    child->snd_nxt = child->snd_max = child->iss + 1; /* our SYN-ACK went */
    child->snd_sml = child->iss;
    child->snd_buf_seq = child->iss + 1;
    uint32_t wnd = child->rcvbuf_size > 65535 ? 65535 : child->rcvbuf_size;
    child->rcv_adv = child->rcv_nxt + wnd; /* what the SYN-ACK offered */
    sk_tcp_set_state(eng, child, SYNACK_SYN_RECEIVED);
    /* The ACK completes the handshake (RFC 9293 3.10.7.4) and brings any data along. */
    sk_tcp_input_synchronized(eng, child, seg);
    return true;
}
