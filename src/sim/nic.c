/* SPDX-License-Identifier: MIT */
#include "sim/nic.h"

#include <string.h>
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/tcp_header.h"

#define TCP_FIN 0x01u
#define TCP_PSH 0x08u
#define TCP_CWR 0x80u

/* The TCP segment of an IPv4 packet without options: where it starts and how long it is;
 * false if pkt is no such packet. */
static bool tcp_of(const uint8_t *pkt, size_t len, size_t *off, size_t *tcp_len)
{
    if (len < SK_IPV4_HDR_LEN + 20 || (pkt[0] & 0xf) != 5 || pkt[9] != SK_IPPROTO_TCP) return false;
    size_t total = sk_get16(pkt + 2);
    if (total > len || total < SK_IPV4_HDR_LEN + 20) return false;
    *off = SK_IPV4_HDR_LEN;
    *tcp_len = total - SK_IPV4_HDR_LEN;
    return true;
}

void sk_nic_finish_csum(uint8_t *pkt, size_t len)
{
    size_t off, tcp_len;
    if (tcp_of(pkt, len, &off, &tcp_len))
        sk_tcp_set_checksum(pkt + off, tcp_len, sk_get32(pkt + 12), sk_get32(pkt + 16));
}

bool sk_nic_csum_ok(const uint8_t *pkt, size_t len)
{
    size_t off, tcp_len;
    return tcp_of(pkt, len, &off, &tcp_len) &&
           sk_tcp_checksum_ok(pkt + off, tcp_len, sk_get32(pkt + 12), sk_get32(pkt + 16));
}

void sk_nic_segment(const uint8_t *pkt, size_t len, uint16_t seg_size, uint8_t *out,
                    void (*emit)(void *ctx, const uint8_t *pkt, size_t len), void *ctx)
{
    size_t off, tcp_len;
    if (!tcp_of(pkt, len, &off, &tcp_len) || seg_size == 0) return;
    size_t thl = (size_t)(pkt[off + 12] >> 4) * 4, hl = off + thl;
    if (thl < 20 || thl > tcp_len) return;
    size_t payload = tcp_len - thl;
    uint32_t seq = sk_get32(pkt + off + 4);
    uint16_t id = sk_get16(pkt + 4);
    uint8_t flags = pkt[off + 13];
    for (size_t at = 0, k = 0; at < payload || k == 0; at += seg_size, k++) {
        size_t n = payload - at < seg_size ? payload - at : seg_size;
        bool last = at + n >= payload;
        memcpy(out, pkt, hl);
        memcpy(out + hl, pkt + hl + at, n);
        sk_put16(out + 2, (uint16_t)(hl + n));
        sk_put16(out + 4, (uint16_t)(id + k));
        out[10] = out[11] = 0;
        sk_put16(out + 10, sk_csum_finish(sk_csum_add(0, out, SK_IPV4_HDR_LEN)));
        sk_put32(out + off + 4, seq + (uint32_t)at);
        uint8_t f = flags;
        if (!last) f &= (uint8_t) ~(TCP_PSH | TCP_FIN);
        if (k > 0) f &= (uint8_t)~TCP_CWR;
        out[off + 13] = f;
        sk_tcp_set_checksum(out + off, thl + n, sk_get32(out + 12), sk_get32(out + 16));
        emit(ctx, out, hl + n);
        if (last) break;
    }
}
