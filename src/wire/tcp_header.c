/* SPDX-License-Identifier: MIT */
#include "wire/tcp_header.h"

#include <string.h>
#include "wire/checksum.h"
#include "wire/ipv4.h"

/* Options (RFC 9293 3.2): kind, length, data. Returns false on a malformed option. */
static bool parse_options(const uint8_t *p, size_t len, struct sk_tcp_options *o)
{
    size_t i = 0;
    while (i < len) {
        uint8_t kind = p[i];
        if (kind == SK_TCPOPT_EOL) break;
        if (kind == SK_TCPOPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= len) return false; /* no room for the length byte */
        uint8_t olen = p[i + 1];
        if (olen < 2 || i + olen > len) return false;
        const uint8_t *d = p + i + 2;
        switch (kind) {
        case SK_TCPOPT_MSS: /* RFC 9293 3.7.1 */
            if (olen != 4) return false;
            o->has_mss = true;
            o->mss = sk_get16(d);
            break;
        case SK_TCPOPT_WSCALE: /* RFC 7323 2.2 */
            if (olen != 3) return false;
            o->has_wscale = true;
            o->wscale = d[0];
            break;
        case SK_TCPOPT_SACK_PERMITTED: /* RFC 2018 2 */
            if (olen != 2) return false;
            o->sack_permitted = true;
            break;
        case SK_TCPOPT_TIMESTAMP: /* RFC 7323 3.2 */
            if (olen != 10) return false;
            o->has_timestamp = true;
            o->ts_val = sk_get32(d);
            o->ts_ecr = sk_get32(d + 4);
            break;
        case SK_TCPOPT_FASTOPEN: /* RFC 7413 2: a request (2) or a 4..16-byte cookie */
            /* A cookie of a bad length is no cookie; the segment stands (Linux
             * tcp_parse_fastopen_option). */
            if (olen != 2 && (olen < 6 || olen > 18 || olen % 2)) break;
            o->has_fastopen = true;
            o->fo_len = (uint8_t)(olen - 2);
            memcpy(o->fo_cookie, d, o->fo_len);
            break;
        case SK_TCPOPT_EXP:
            /* RFC 6994: Fast Open's experimental form, kind 254 + ExID 0xF989, which Linux
             * still reads and answers in kind (tcp_parse_options: a cookie of a bad length
             * is ignored, not an error). Other experiments are skipped. */
            if (olen >= 4 && sk_get16(d) == SK_TCP_FO_EXP_MAGIC) {
                uint8_t fl = (uint8_t)(olen - 4);
                if (fl != 0 && (fl < 4 || fl > SK_TCP_FO_COOKIE_MAX || fl % 2)) break;
                o->has_fastopen = true;
                o->fo_exp = true;
                o->fo_len = fl;
                memcpy(o->fo_cookie, d + 2, fl);
            }
            break;
        case SK_TCPOPT_SACK: /* RFC 2018 3: 2 + 8n bytes */
            if (olen < 10 || (olen - 2) % 8 != 0) return false;
            o->sack_count = 0;
            for (unsigned b = 0; b < (unsigned)(olen - 2) / 8 && b < SK_TCP_MAX_SACK_BLOCKS; b++) {
                o->sack[b].start = sk_get32(d + 8 * b);
                o->sack[b].end = sk_get32(d + 8 * b + 4);
                o->sack_count++;
            }
            break;
        default: /* RFC 9293 3.2: unknown options are skipped by their length */
            break;
        }
        i += olen;
    }
    return true;
}

enum sk_tcp_result sk_tcp_parse(const uint8_t *seg, size_t len, struct sk_tcp_header *out)
{
    if (len < SK_TCP_HDR_LEN) return SK_TCP_TOO_SHORT;
    size_t off = (size_t)(seg[12] >> 4) * 4;
    if (off < SK_TCP_HDR_LEN || off > len) return SK_TCP_BAD_OFFSET;
    memset(out, 0, sizeof *out);
    out->sport = sk_get16(seg);
    out->dport = sk_get16(seg + 2);
    out->seq = sk_get32(seg + 4);
    out->ack = sk_get32(seg + 8);
    out->flags = seg[13];
    out->window = sk_get16(seg + 14);
    out->urgent = sk_get16(seg + 18);
    out->hdr_len = (uint16_t)off;
    if (!parse_options(seg + SK_TCP_HDR_LEN, off - SK_TCP_HDR_LEN, &out->opts))
        return SK_TCP_BAD_OPTION;
    return SK_TCP_OK;
}

size_t sk_tcp_emit(uint8_t *buf, size_t cap, const struct sk_tcp_header *h)
{
    uint8_t opt[SK_TCP_MAX_OPT_LEN + 8];
    size_t n = 0;
    const struct sk_tcp_options *o = &h->opts;
    /* Linux's layout (tcp_options_write): MSS, SACK-permitted folded into the timestamp's
     * NOP padding, window scale, SACK blocks. */
    if (o->has_mss) {
        opt[n++] = SK_TCPOPT_MSS;
        opt[n++] = 4;
        sk_put16(opt + n, o->mss);
        n += 2;
    }
    if (o->has_timestamp) {
        if (o->sack_permitted) {
            opt[n++] = SK_TCPOPT_SACK_PERMITTED;
            opt[n++] = 2;
        } else {
            opt[n++] = SK_TCPOPT_NOP;
            opt[n++] = SK_TCPOPT_NOP;
        }
        opt[n++] = SK_TCPOPT_TIMESTAMP;
        opt[n++] = 10;
        sk_put32(opt + n, o->ts_val);
        sk_put32(opt + n + 4, o->ts_ecr);
        n += 8;
    } else if (o->sack_permitted) {
        opt[n++] = SK_TCPOPT_NOP;
        opt[n++] = SK_TCPOPT_NOP;
        opt[n++] = SK_TCPOPT_SACK_PERMITTED;
        opt[n++] = 2;
    }
    if (o->has_wscale) {
        opt[n++] = SK_TCPOPT_NOP;
        opt[n++] = SK_TCPOPT_WSCALE;
        opt[n++] = 3;
        opt[n++] = o->wscale;
    }
    if (o->sack_count > 0) {
        unsigned blocks =
            o->sack_count > SK_TCP_MAX_SACK_BLOCKS ? SK_TCP_MAX_SACK_BLOCKS : o->sack_count;
        if (n + 4 + 8 * blocks > SK_TCP_MAX_OPT_LEN) return 0;
        opt[n++] = SK_TCPOPT_NOP;
        opt[n++] = SK_TCPOPT_NOP;
        opt[n++] = SK_TCPOPT_SACK;
        opt[n++] = (uint8_t)(2 + 8 * blocks);
        for (unsigned b = 0; b < blocks; b++) {
            sk_put32(opt + n, o->sack[b].start);
            sk_put32(opt + n + 4, o->sack[b].end);
            n += 8;
        }
    }
    if (o->has_fastopen) {
        /* RFC 7413 2.1: kind 34, then the cookie (none: a request); Linux places it last. */
        uint8_t fl = o->fo_len > SK_TCP_FO_COOKIE_MAX ? SK_TCP_FO_COOKIE_MAX : o->fo_len;
        unsigned base = o->fo_exp ? 4 : 2;
        if (n + base + fl > SK_TCP_MAX_OPT_LEN) return 0;
        opt[n++] = o->fo_exp ? SK_TCPOPT_EXP : SK_TCPOPT_FASTOPEN;
        opt[n++] = (uint8_t)(base + fl);
        if (o->fo_exp) {
            sk_put16(opt + n, SK_TCP_FO_EXP_MAGIC);
            n += 2;
        }
        memcpy(opt + n, o->fo_cookie, fl);
        n += fl;
    }
    while (n % 4)
        opt[n++] = SK_TCPOPT_NOP; /* padding, as Linux writes it */
    if (n > SK_TCP_MAX_OPT_LEN) return 0;
    size_t hlen = SK_TCP_HDR_LEN + n;
    if (cap < hlen) return 0;
    sk_put16(buf, h->sport);
    sk_put16(buf + 2, h->dport);
    sk_put32(buf + 4, h->seq);
    sk_put32(buf + 8, h->ack);
    buf[12] = (uint8_t)((hlen / 4) << 4);
    buf[13] = h->flags;
    sk_put16(buf + 14, h->window);
    sk_put16(buf + 16, 0);
    sk_put16(buf + 18, h->urgent);
    memcpy(buf + SK_TCP_HDR_LEN, opt, n);
    return hlen;
}

void sk_tcp_set_checksum(uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
    seg[16] = seg[17] = 0;
    uint32_t sum = sk_csum_pseudo(src, dst, SK_IPPROTO_TCP, (uint16_t)len);
    sk_put16(seg + 16, sk_csum_finish(sk_csum_add(sum, seg, len)));
}

void sk_tcp_set_checksum_partial(uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
    uint32_t sum = sk_csum_pseudo(src, dst, SK_IPPROTO_TCP, (uint16_t)len);
    sk_put16(seg + 16, (uint16_t)~sk_csum_finish(sum));
}

bool sk_tcp_checksum_ok(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
    if (len > 0xffff) return false;
    uint32_t sum = sk_csum_pseudo(src, dst, SK_IPPROTO_TCP, (uint16_t)len);
    return sk_csum_finish(sk_csum_add(sum, seg, len)) == 0;
}
