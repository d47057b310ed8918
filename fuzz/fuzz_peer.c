/* SPDX-License-Identifier: MIT */
/* The scripted peer of the structure-aware fuzz targets (fuzz_peer.h). */
#include "fuzz_peer.h"

#include <stdlib.h>
#include <string.h>
#include "wire/ipv4.h"
#include "wire/tcp_header.h"

uint8_t fz_u8(struct fz_in *in)
{
    return in->off < in->size ? in->data[in->off++] : 0;
}

uint16_t fz_u16(struct fz_in *in)
{
    uint16_t hi = fz_u8(in);
    return (uint16_t)(hi << 8 | fz_u8(in));
}

uint32_t fz_u32(struct fz_in *in)
{
    uint32_t hi = fz_u16(in);
    return hi << 16 | fz_u16(in);
}

bool fz_more(const struct fz_in *in)
{
    return in->off < in->size;
}

void fz_peer_init(struct fz_peer *p)
{
    memset(p, 0, sizeof *p);
}

struct fz_conn *fz_peer_conn(struct fz_peer *p, uint32_t paddr, uint16_t pport, uint32_t saddr,
                             uint16_t sport)
{
    for (unsigned i = 0; i < p->nconns; i++) {
        struct fz_conn *c = &p->conns[i];
        if (c->paddr == paddr && c->pport == pport && c->saddr == saddr && c->sport == sport)
            return c;
    }
    if (p->nconns == FZ_MAX_CONNS) return NULL;
    struct fz_conn *c = &p->conns[p->nconns++];
    memset(c, 0, sizeof *c);
    c->paddr = paddr;
    c->pport = pport;
    c->saddr = saddr;
    c->sport = sport;
    c->peer_nxt = 0x10000000u + 0x01000000u * p->nconns; /* the peer's ISN */
    c->peer_tsval = 1000;
    return c;
}

static bool seq_after(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

void fz_peer_transmit(void *ctx, const uint8_t *pkt, size_t len, synack_time_t now)
{
    (void)now;
    struct fz_peer *p = ctx;
    p->packets_seen++;
    struct sk_ipv4 ip;
    if (sk_ipv4_parse(pkt, len, &ip) != SK_IPV4_OK || ip.proto != SK_IPPROTO_TCP) return;
    struct sk_tcp_header h;
    if (sk_tcp_parse(ip.payload, ip.payload_len, &h) != SK_TCP_OK) return;
    struct fz_conn *c = fz_peer_conn(p, ip.dst, h.dport, ip.src, h.sport);
    if (!c) return;
    uint32_t seglen = (uint32_t)(ip.payload_len - h.hdr_len);
    if (h.flags & SYNACK_SYN) {
        c->stack_iss = h.seq;
        seglen++;
    }
    if (h.flags & SYNACK_FIN) seglen++;
    if (!c->stack_sent || seq_after(h.seq + seglen, c->stack_max)) c->stack_max = h.seq + seglen;
    c->stack_sent = true;
    if (h.flags & SYNACK_ACK) {
        c->stack_ack = h.ack;
        c->stack_acked = true;
    }
    if (h.opts.has_timestamp) c->stack_tsval = h.opts.ts_val;
}

size_t fz_build(const struct fz_conn *c, const struct fz_seg *s, uint8_t *buf, size_t cap)
{
    struct sk_tcp_header h;
    memset(&h, 0, sizeof h);
    h.sport = c->pport;
    h.dport = c->sport;
    h.seq = s->seq;
    h.ack = s->ack;
    h.flags = s->flags;
    h.window = s->win;
    h.urgent = s->urg;
    struct sk_tcp_options *o = &h.opts;
    o->has_mss = s->mss_on;
    o->mss = s->mss;
    o->has_wscale = s->ws_on;
    o->wscale = s->ws;
    o->sack_permitted = s->sackok_on;
    o->has_timestamp = s->ts_on;
    o->ts_val = s->tsval;
    o->ts_ecr = s->tsecr;
    o->sack_count = s->nsack > 4 ? 4 : s->nsack;
    for (unsigned i = 0; i < o->sack_count; i++) {
        o->sack[i].start = s->sack[i][0];
        o->sack[i].end = s->sack[i][1];
    }
    o->has_fastopen = s->fo_on;
    o->fo_len = s->fo_len > SK_TCP_FO_COOKIE_MAX ? SK_TCP_FO_COOKIE_MAX : s->fo_len;
    for (unsigned i = 0; i < o->fo_len; i++)
        o->fo_cookie[i] = (uint8_t)(0xc0 + i);
    if (cap < SK_IPV4_HDR_LEN + 60 + s->len) return 0;
    uint8_t *tcp = buf + SK_IPV4_HDR_LEN;
    size_t hlen;
    if (s->raw_len > 0) {
        /* Raw options: whatever the fuzzer wrote, padded with EOL to a multiple of 4. */
        h.opts = (struct sk_tcp_options){0};
        hlen = sk_tcp_emit(tcp, 60, &h);
        size_t n = s->raw_len > 40 ? 40 : s->raw_len;
        size_t padded = (n + 3) & ~(size_t)3;
        memset(tcp + hlen, 0, padded);
        memcpy(tcp + hlen, s->raw, n);
        hlen += padded;
        tcp[12] = (uint8_t)((hlen / 4) << 4);
    } else {
        hlen = sk_tcp_emit(tcp, 60, &h);
        if (hlen == 0) {
            /* Too many options at once: drop the SACK blocks, then Fast Open. */
            h.opts.sack_count = 0;
            hlen = sk_tcp_emit(tcp, 60, &h);
            if (hlen == 0) {
                h.opts.has_fastopen = false;
                hlen = sk_tcp_emit(tcp, 60, &h);
            }
            if (hlen == 0) return 0;
        }
    }
    if (s->len) memcpy(tcp + hlen, s->payload, s->len);
    size_t tcp_len = hlen + s->len;
    if (tcp_len + SK_IPV4_HDR_LEN > 0xffff) return 0;
    sk_tcp_set_checksum(tcp, tcp_len, c->paddr, c->saddr);
    sk_ipv4_emit(buf, c->paddr, c->saddr, SK_IPPROTO_TCP, s->ip_ttl ? s->ip_ttl : 64, 0,
                 (uint16_t)tcp_len);
    return SK_IPV4_HDR_LEN + tcp_len;
}

void fz_send(struct fz_peer *p, struct fz_conn *c, const struct fz_seg *s, synack_time_t now)
{
    static uint8_t buf[SK_IPV4_HDR_LEN + 60 + 65536];
    size_t n = fz_build(c, s, buf, sizeof buf);
    if (n == 0) return;
    uint32_t seglen = (uint32_t)s->len + ((s->flags & SYNACK_SYN) ? 1u : 0u) +
                      ((s->flags & SYNACK_FIN) ? 1u : 0u);
    if (s->flags & SYNACK_SYN) {
        c->peer_nxt = s->seq + seglen;
        c->peer_syn_sent = true;
    } else if (!seq_after(s->seq, c->peer_nxt) && seq_after(s->seq + seglen, c->peer_nxt)) {
        c->peer_nxt = s->seq + seglen;
    }
    if (s->ts_on && seq_after(s->tsval, c->peer_tsval)) c->peer_tsval = s->tsval;
    synack_stack_input(p->stack, buf, n, now);
}

/* Common flag combinations first; the rest of the byte space is any combination. */
static const uint8_t flag_table[] = {
    SYNACK_ACK,
    SYNACK_ACK | 0x08,
    SYNACK_ACK,
    SYNACK_ACK | SYNACK_FIN,
    SYNACK_SYN,
    SYNACK_SYN | SYNACK_ACK,
    SYNACK_RST,
    SYNACK_RST | SYNACK_ACK,
    SYNACK_FIN,
    0,
    SYNACK_ACK | 0x08 | SYNACK_FIN,
    SYNACK_SYN | SYNACK_FIN,
};

/* A number near base: exact, a small step either way, a larger step, or anything. */
static uint32_t near(struct fz_in *in, uint32_t base)
{
    uint8_t m = fz_u8(in);
    switch (m & 7) {
    case 0:
    case 1:
    case 2:
        return base;
    case 3:
        return base + (uint32_t)(int32_t)(int8_t)fz_u8(in);
    case 4:
        return base + (uint32_t)(int32_t)(int16_t)fz_u16(in);
    case 5:
        return base + ((uint32_t)(int32_t)(int16_t)fz_u16(in) << (m >> 3 & 15));
    case 6:
        return base - 1;
    default:
        return fz_u32(in);
    }
}

void fz_read_seg(struct fz_in *in, const struct fz_conn *c, struct fz_seg *s, uint8_t *payload_buf)
{
    memset(s, 0, sizeof *s);
    uint8_t f = fz_u8(in);
    if (f < 0x80)
        s->flags = flag_table[f % sizeof flag_table];
    else
        s->flags = fz_u8(in);
    uint32_t seq_base = c->stack_acked ? c->stack_ack : c->peer_nxt;
    s->seq = near(in, seq_base);
    s->ack = near(in, c->stack_max);
    uint8_t w = fz_u8(in);
    s->win = w < 0xc0 ? (uint16_t)0xffff : w < 0xf0 ? (uint16_t)fz_u16(in) : (uint16_t)(w & 3);
    uint8_t o = fz_u8(in);
    if (o & 0x80) {
        /* Raw options. */
        s->raw_len = (uint8_t)(o & 0x3f) > 40 ? 40 : (uint8_t)(o & 0x3f);
        for (unsigned i = 0; i < s->raw_len; i++)
            s->raw[i] = fz_u8(in);
    } else {
        s->ts_on = o & 1;
        if (s->ts_on) {
            s->tsval = near(in, c->peer_tsval + 1);
            s->tsecr = (o & 0x40) ? fz_u32(in) : c->stack_tsval;
        }
        s->nsack = (o >> 1) & 3;
        for (unsigned i = 0; i < s->nsack; i++) {
            uint32_t back = fz_u16(in);
            uint32_t span = fz_u16(in);
            s->sack[i][0] = c->stack_max - back;
            s->sack[i][1] = c->stack_max - back + span;
        }
        if (o & 8) {
            uint8_t so = fz_u8(in);
            s->mss_on = so & 1;
            s->mss = (so & 2) ? fz_u16(in) : 1460;
            s->ws_on = so & 4;
            s->ws = (so >> 3) & 15;
            s->sackok_on = so & 0x80;
        }
        if (o & 0x10) {
            s->fo_on = true;
            s->fo_len = fz_u8(in) & 31;
        }
        if (o & 0x20) s->urg = fz_u16(in);
    }
    uint8_t l = fz_u8(in);
    switch (l >> 6) {
    case 0:
        s->len = 0;
        break;
    case 1:
        s->len = l & 63;
        break;
    case 2:
        s->len = ((size_t)(l & 63) * 64 + fz_u8(in)) % 4096;
        break;
    default:
        s->len = fz_u16(in) % 4096;
        break;
    }
    if (s->len) {
        /* The fuzzer's own bytes when there are enough, else a pattern. */
        if ((l & 1) && in->size - in->off >= s->len) {
            memcpy(payload_buf, in->data + in->off, s->len);
            in->off += s->len;
        } else {
            for (size_t i = 0; i < s->len; i++)
                payload_buf[i] = (uint8_t)('a' + (s->seq + i) % 26);
        }
        s->payload = payload_buf;
    }
}

synack_time_t fz_read_step(struct fz_in *in)
{
    uint8_t m = fz_u8(in);
    switch (m & 7) {
    case 0:
    case 1:
        return 0;
    case 2:
        return SYNACK_US(fz_u8(in));
    case 3:
    case 4:
        return SYNACK_MS(fz_u8(in));
    case 5:
        return SYNACK_MS(10 * (synack_time_t)fz_u8(in));
    case 6:
        return SYNACK_MS(fz_u16(in));
    default:
        return SYNACK_SEC(10 * (synack_time_t)fz_u8(in));
    }
}

void fz_advance(struct synack_stack *st, synack_time_t *now, synack_time_t d, unsigned cap)
{
    synack_time_t end = *now + d;
    for (unsigned i = 0; i < cap; i++) {
        synack_time_t dl = synack_stack_next_deadline(st);
        if (dl == SYNACK_TIME_NEVER || dl > end) break;
        if (dl > *now) *now = dl;
        synack_stack_poll(st, *now);
    }
    *now = end;
    synack_stack_poll(st, *now);
}
