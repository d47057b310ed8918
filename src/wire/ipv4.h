/* SPDX-License-Identifier: MIT */
/* IPv4 header (RFC 791): parse and emit. Never reads past the buffer. */
#ifndef SK_WIRE_IPV4_H
#define SK_WIRE_IPV4_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#define SK_IPV4_HDR_LEN 20
#define SK_IPPROTO_ICMP 1
#define SK_IPPROTO_TCP 6

enum sk_ipv4_result {
    SK_IPV4_OK = 0,
    SK_IPV4_TOO_SHORT,    /* fewer than 20 bytes */
    SK_IPV4_BAD_VERSION,  /* version != 4 */
    SK_IPV4_BAD_IHL,      /* IHL < 5 or header longer than the buffer */
    SK_IPV4_BAD_LENGTH,   /* total length < header length or > buffer length */
    SK_IPV4_BAD_CHECKSUM, /* header checksum does not verify */
    SK_IPV4_FRAGMENT,     /* MF set or fragment offset != 0 */
};

struct sk_ipv4 {
    uint32_t src, dst; /* host order */
    uint8_t proto;
    uint8_t ttl;
    uint8_t tos;
    uint16_t id;
    uint16_t hdr_len;   /* bytes, including options */
    uint16_t total_len; /* from the header; bytes beyond it in the buffer are padding */
    const uint8_t *payload;
    size_t payload_len; /* total_len - hdr_len */
};

/* Validates and decodes the header at pkt (len bytes available) in this order: too short,
 * version, IHL, total length, checksum, fragment. On SK_IPV4_OK *out is filled. */
enum sk_ipv4_result sk_ipv4_parse(const uint8_t *pkt, size_t len, struct sk_ipv4 *out);

/* Writes a 20-byte header (no options, DF set, checksum computed) for a payload of
 * payload_len bytes. buf must have 20 bytes. */
void sk_ipv4_emit(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl, uint16_t id,
                  uint16_t payload_len);
/* Sets the ECN field (RFC 3168 5: the two low bits of the former TOS byte) of a header
 * sk_ipv4_emit wrote, and its checksum. */
void sk_ipv4_set_ecn(uint8_t *buf, uint8_t ecn);
/* Sets the whole TOS byte and the DF flag of the header at buf, and its checksum. */
void sk_ipv4_set_tos_df(uint8_t *buf, uint8_t tos, bool df);

#define SK_IP_ECT0 0x2u /* ECN-Capable Transport(0) */
#define SK_IP_CE 0x3u   /* Congestion Experienced */

#endif
