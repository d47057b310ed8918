/* SPDX-License-Identifier: MIT */
#include "wire/ipv4.h"

#include "wire/checksum.h"
#include "wire/tcp_header.h"

enum sk_ipv4_result sk_ipv4_parse(const uint8_t *pkt, size_t len, struct sk_ipv4 *out)
{
    if (len < SK_IPV4_HDR_LEN) return SK_IPV4_TOO_SHORT;
    if ((pkt[0] >> 4) != 4) /* RFC 791 3.1: version */
        return SK_IPV4_BAD_VERSION;
    size_t hlen = (size_t)(pkt[0] & 0x0f) * 4; /* IHL in 32-bit words, at least 5 */
    if (hlen < SK_IPV4_HDR_LEN || hlen > len) return SK_IPV4_BAD_IHL;
    uint16_t total = sk_get16(pkt + 2);
    if (total < hlen || total > len) /* bytes past total length are link padding */
        return SK_IPV4_BAD_LENGTH;
    if (sk_csum_finish(sk_csum_add(0, pkt, hlen)) != 0) return SK_IPV4_BAD_CHECKSUM;
    uint16_t frag = sk_get16(pkt + 6);
    if ((frag & 0x2000) || (frag & 0x1fff)) /* MF or a fragment offset: no reassembly yet */
        return SK_IPV4_FRAGMENT;
    out->tos = pkt[1];
    out->id = sk_get16(pkt + 4);
    out->ttl = pkt[8];
    out->proto = pkt[9];
    out->src = sk_get32(pkt + 12);
    out->dst = sk_get32(pkt + 16);
    out->hdr_len = (uint16_t)hlen;
    out->total_len = total;
    out->payload = pkt + hlen;
    out->payload_len = total - hlen;
    return SK_IPV4_OK;
}

void sk_ipv4_emit(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl, uint16_t id,
                  uint16_t payload_len)
{
    buf[0] = 0x45; /* version 4, IHL 5 */
    buf[1] = 0;
    sk_put16(buf + 2, (uint16_t)(SK_IPV4_HDR_LEN + payload_len));
    sk_put16(buf + 4, id);
    sk_put16(buf + 6, 0x4000); /* DF: we do path MTU the Linux way, never fragment */
    buf[8] = ttl;
    buf[9] = proto;
    buf[10] = buf[11] = 0;
    sk_put32(buf + 12, src);
    sk_put32(buf + 16, dst);
    sk_put16(buf + 10, sk_csum_finish(sk_csum_add(0, buf, SK_IPV4_HDR_LEN)));
}

void sk_ipv4_set_ecn(uint8_t *buf, uint8_t ecn)
{
    buf[1] = (uint8_t)((buf[1] & ~3u) | (ecn & 3u));
    buf[10] = buf[11] = 0;
    sk_put16(buf + 10, sk_csum_finish(sk_csum_add(0, buf, (size_t)(buf[0] & 0xf) * 4)));
}

void sk_ipv4_set_tos_df(uint8_t *buf, uint8_t tos, bool df)
{
    buf[1] = tos;
    buf[6] = (uint8_t)(df ? buf[6] | 0x40 : buf[6] & ~0x40);
    buf[10] = buf[11] = 0;
    sk_put16(buf + 10, sk_csum_finish(sk_csum_add(0, buf, (size_t)(buf[0] & 0xf) * 4)));
}
