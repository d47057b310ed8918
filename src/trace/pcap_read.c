/* SPDX-License-Identifier: MIT */
/* A small capture reader (classic pcap and pcapng) that turns TCP segments into trace
 * events, so captures from synack, tcpdump or tshark draw as ladders. Bounds are checked on
 * every field: a damaged file ends the read with -EINVAL, never a read past a buffer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "synack/trace.h"

#define MAX_PACKET (256u * 1024u)

struct reader {
    FILE *in;
    synack_trace_fn fn;
    void *ctx;
    char *err;
    size_t err_size;
    bool swap;
    int count;
    uint8_t *buf;
    /* pcapng: link type and time stamp units per second of each interface */
    struct iface {
        uint16_t linktype;
        uint64_t units;
    } ifaces[16];
    unsigned nifaces;
};

static int fail(struct reader *r, int e, const char *what)
{
    if (r->err && r->err_size) snprintf(r->err, r->err_size, "%s", what);
    return e;
}

static uint32_t rd32(const struct reader *r, const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return r->swap ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const struct reader *r, const uint8_t *p)
{
    uint16_t v = (uint16_t)(p[0] | p[1] << 8);
    return r->swap ? __builtin_bswap16(v) : v;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* 0: all n bytes read; 1: clean end of file before the first byte; <0: error. */
static int read_exact(struct reader *r, void *p, size_t n)
{
    size_t got = fread(p, 1, n, r->in);
    if (got == n) return 0;
    if (ferror(r->in)) return fail(r, -EIO, "read error");
    if (got == 0) return 1;
    return fail(r, -EINVAL, "truncated record");
}

/* Decodes the options we show as fields (the raw bytes are kept as well). */
static void parse_options(struct synack_trace_segment *s)
{
    const uint8_t *o = s->options;
    for (size_t i = 0; i < s->opt_len;) {
        if (o[i] == 0) break;
        if (o[i] == 1) {
            i++;
            continue;
        }
        if (i + 1 >= s->opt_len || o[i + 1] < 2 || i + o[i + 1] > s->opt_len) break;
        if (o[i] == 2 && o[i + 1] == 4) s->mss = be16(o + i + 2);
        if (o[i] == 3 && o[i + 1] == 3) s->wscale = (int8_t)(o[i + 2] > 14 ? 14 : o[i + 2]);
        if (o[i] == 4 && o[i + 1] == 2) s->sack_permitted = true;
        i += o[i + 1];
    }
}

/* One IPv4 packet (cap bytes captured). */
static void ipv4(struct reader *r, const uint8_t *p, size_t cap, synack_time_t t)
{
    if (cap < 20 || (p[0] >> 4) != 4) return;
    size_t ihl = (size_t)(p[0] & 15) * 4, total = be16(p + 2);
    if (ihl < 20 || total < ihl || p[9] != 6) return;
    if (be16(p + 6) & 0x1fff) return; /* a later fragment: no TCP header */
    if (cap > total) cap = total;     /* Ethernet padding */
    if (cap < ihl + 20) return;
    const uint8_t *h = p + ihl;
    size_t doff = (size_t)(h[12] >> 4) * 4;
    if (doff < 20 || ihl + doff > total || ihl + doff > cap) return;
    struct synack_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SYNACK_TRACE_SEGMENT_OUT;
    ev.time = t;
    struct synack_trace_segment *s = &ev.u.segment;
    s->src = (struct synack_endpoint){be32(p + 12), be16(h)};
    s->dst = (struct synack_endpoint){be32(p + 16), be16(h + 2)};
    ev.local = s->src;
    ev.remote = s->dst;
    s->seq = be32(h + 4);
    s->ack = be32(h + 8);
    s->flags = h[13] & 0x3f;
    s->window = be16(h + 14);
    s->len = (uint32_t)(total - ihl - doff);
    s->wscale = -1;
    s->opt_len = (uint8_t)(doff - 20);
    memcpy(s->options, h + 20, s->opt_len);
    parse_options(s);
    r->count++;
    r->fn(r->ctx, &ev);
}

/* One captured frame of a link type. */
static int frame(struct reader *r, uint32_t linktype, const uint8_t *p, size_t cap, synack_time_t t)
{
    switch (linktype) {
    case 12:
    case 14:
    case 101:
    case 228:
        ipv4(r, p, cap, t);
        return 0;
    case 0: /* BSD loopback: a 4-byte address family in the writer's byte order */
        if (cap >= 4 && (p[0] == 2 || p[3] == 2)) ipv4(r, p + 4, cap - 4, t);
        return 0;
    case 1: { /* Ethernet, 802.1Q tags skipped */
        size_t off = 12;
        while (off + 2 <= cap && (be16(p + off) == 0x8100 || be16(p + off) == 0x88a8))
            off += 4;
        if (off + 2 <= cap && be16(p + off) == 0x0800) ipv4(r, p + off + 2, cap - off - 2, t);
        return 0;
    }
    case 113: /* Linux cooked v1: protocol at 14, 16-byte header */
        if (cap >= 16 && be16(p + 14) == 0x0800) ipv4(r, p + 16, cap - 16, t);
        return 0;
    case 276: /* Linux cooked v2: protocol at 0, 20-byte header */
        if (cap >= 20 && be16(p) == 0x0800) ipv4(r, p + 20, cap - 20, t);
        return 0;
    default:
        return fail(r, -EPROTONOSUPPORT, "unsupported link type");
    }
}

static int read_pcap(struct reader *r, const uint8_t *gh, bool nano)
{
    uint32_t linktype = rd32(r, gh + 20) & 0xffff;
    for (;;) {
        uint8_t rh[16];
        int e = read_exact(r, rh, sizeof rh);
        if (e) return e < 0 ? e : r->count;
        uint32_t sec = rd32(r, rh), frac = rd32(r, rh + 4), caplen = rd32(r, rh + 8);
        if (caplen > MAX_PACKET) return fail(r, -EINVAL, "record longer than 256 KiB");
        if ((e = read_exact(r, r->buf, caplen)) != 0)
            return e < 0 ? e : fail(r, -EINVAL, "truncated record");
        synack_time_t t = (synack_time_t)sec * 1000000000u + (nano ? frac : frac * 1000ull);
        if ((e = frame(r, linktype, r->buf, caplen, t)) < 0) return e;
    }
}

static void idb(struct reader *r, const uint8_t *b, size_t len)
{
    if (r->nifaces >= sizeof r->ifaces / sizeof r->ifaces[0] || len < 8) return;
    struct iface *f = &r->ifaces[r->nifaces++];
    f->linktype = rd16(r, b);
    f->units = 1000000;
    for (size_t o = 8; o + 4 <= len;) { /* options: code, length, value padded to 4 */
        uint16_t code = rd16(r, b + o), ol = rd16(r, b + o + 2);
        if (code == 0 || o + 4 + ol > len) break;
        if (code == 9 && ol >= 1) { /* if_tsresol */
            uint8_t v = b[o + 4];
            uint64_t u = 1;
            for (unsigned i = 0; i < (v & 0x7f) && u < 1000000000000ull; i++)
                u *= (v & 0x80) ? 2 : 10;
            f->units = u;
        }
        o += 4 + ((ol + 3u) & ~3u);
    }
}

static int read_pcapng(struct reader *r, const uint8_t *first8)
{
    uint8_t head[8];
    memcpy(head, first8, 8);
    bool first = true;
    for (;;) {
        if (!first) {
            int e = read_exact(r, head, 8);
            if (e) return e < 0 ? e : r->count;
        }
        uint32_t type = rd32(r, head);
        if (type == 0x0A0D0D0A) {
            /* Section header: the byte-order magic decides how everything after reads. */
            uint8_t bom[4];
            int e = read_exact(r, bom, 4);
            if (e) return fail(r, -EINVAL, "truncated section header");
            uint32_t m = (uint32_t)bom[0] | (uint32_t)bom[1] << 8 | (uint32_t)bom[2] << 16 |
                         (uint32_t)bom[3] << 24;
            if (m == 0x1A2B3C4D)
                r->swap = false;
            else if (m == 0x4D3C2B1A)
                r->swap = true;
            else
                return fail(r, -EINVAL, "bad pcapng byte-order magic");
            r->nifaces = 0;
            uint32_t len = rd32(r, head + 4);
            if (len < 28 || len % 4 || len > MAX_PACKET)
                return fail(r, -EINVAL, "bad block length");
            if ((e = read_exact(r, r->buf, len - 12)) != 0)
                return fail(r, -EINVAL, "truncated section header");
            first = false;
            continue;
        }
        first = false;
        uint32_t len = rd32(r, head + 4);
        if (len < 12 || len % 4 || len > MAX_PACKET) return fail(r, -EINVAL, "bad block length");
        int e = read_exact(r, r->buf, len - 8);
        if (e) return fail(r, -EINVAL, "truncated block");
        const uint8_t *b = r->buf;
        size_t blen = len - 12; /* body, without the trailing length */
        if (type == 1) {
            idb(r, b, blen);
        } else if (type == 6 && blen >= 20) { /* enhanced packet */
            uint32_t id = rd32(r, b), caplen = rd32(r, b + 12);
            if (id >= r->nifaces) return fail(r, -EINVAL, "packet for an unknown interface");
            if (caplen > blen - 20) return fail(r, -EINVAL, "packet longer than its block");
            uint64_t ts = (uint64_t)rd32(r, b + 4) << 32 | rd32(r, b + 8);
            uint64_t u = r->ifaces[id].units;
            synack_time_t t =
                u >= 1000000000u ? ts / (u / 1000000000u) : ts * (1000000000u / (u ? u : 1));
            if ((e = frame(r, r->ifaces[id].linktype, b + 20, caplen, t)) < 0) return e;
        } else if (type == 3 && blen >= 4 && r->nifaces > 0) { /* simple packet: no time */
            uint32_t caplen = rd32(r, b);
            if (caplen > blen - 4) caplen = (uint32_t)(blen - 4);
            if ((e = frame(r, r->ifaces[0].linktype, b + 4, caplen, 0)) < 0) return e;
        }
    }
}

int synack_pcap_read(FILE *in, synack_trace_fn fn, void *ctx, char *err, size_t err_size)
{
    struct reader r = {.in = in, .fn = fn, .ctx = ctx, .err = err, .err_size = err_size};
    if (err && err_size) err[0] = '\0';
    if (!in || !fn) return fail(&r, -EINVAL, "no file");
    r.buf = malloc(MAX_PACKET);
    if (!r.buf) return -ENOMEM;
    uint8_t gh[24];
    int ret;
    int e = read_exact(&r, gh, 8);
    if (e) {
        ret = e < 0 ? e : fail(&r, -EINVAL, "empty file");
        goto out;
    }
    uint32_t m =
        (uint32_t)gh[0] | (uint32_t)gh[1] << 8 | (uint32_t)gh[2] << 16 | (uint32_t)gh[3] << 24;
    if (m == 0x0A0D0D0A) {
        ret = read_pcapng(&r, gh);
        goto out;
    }
    bool nano;
    if (m == 0xa1b2c3d4 || m == 0xa1b23c4d) {
        r.swap = false;
        nano = m == 0xa1b23c4d;
    } else if (m == 0xd4c3b2a1 || m == 0x4d3cb2a1) {
        r.swap = true;
        nano = m == 0x4d3cb2a1;
    } else {
        ret = fail(&r, -EINVAL, "not a pcap or pcapng file");
        goto out;
    }
    if ((e = read_exact(&r, gh + 8, 16)) != 0) {
        ret = e < 0 ? e : fail(&r, -EINVAL, "truncated file header");
        goto out;
    }
    ret = read_pcap(&r, gh, nano);
out:
    free(r.buf);
    return ret;
}
