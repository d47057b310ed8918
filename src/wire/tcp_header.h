/* SPDX-License-Identifier: MIT */
/* TCP header and options (RFC 9293 3.1, 3.2; RFC 7323; RFC 2018): parse and emit.
 * Never reads past the buffer. Checksums are verified by the caller (see checksum.h). */
#ifndef SK_WIRE_TCP_HEADER_H
#define SK_WIRE_TCP_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SK_TCP_HDR_LEN 20
#define SK_TCP_MAX_OPT_LEN 40
#define SK_TCP_MAX_SACK_BLOCKS 4

/* Option kinds. */
#define SK_TCPOPT_EOL 0
#define SK_TCPOPT_NOP 1
#define SK_TCPOPT_MSS 2
#define SK_TCPOPT_WSCALE 3
#define SK_TCPOPT_SACK_PERMITTED 4
#define SK_TCPOPT_SACK 5
#define SK_TCPOPT_TIMESTAMP 8
#define SK_TCPOPT_FASTOPEN 34      /* RFC 7413 */
#define SK_TCPOPT_EXP 254          /* RFC 6994 experimental option */
#define SK_TCP_FO_EXP_MAGIC 0xF989 /* its ExID for Fast Open before kind 34 (Linux FOEXP) */
#define SK_TCP_FO_COOKIE_MAX 16

struct sk_tcp_sack_block {
    uint32_t start, end;
};

struct sk_tcp_options {
    bool has_mss;
    uint16_t mss;
    bool has_wscale;
    uint8_t wscale; /* as received; callers clamp to 14 (RFC 7323 2.3) */
    bool sack_permitted;
    bool has_timestamp;
    uint32_t ts_val, ts_ecr;
    uint8_t sack_count; /* 0..4 blocks */
    struct sk_tcp_sack_block sack[SK_TCP_MAX_SACK_BLOCKS];
    bool has_fastopen; /* RFC 7413 Fast Open option: a cookie, or a request (length 0) */
    uint8_t fo_len;    /* cookie bytes: 0 (request) or 4..16, even */
    uint8_t fo_cookie[SK_TCP_FO_COOKIE_MAX];
    bool fo_exp; /* the option came (or goes) as kind 254 with ExID 0xF989 (RFC 6994) */
};

struct sk_tcp_header {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags; /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 (ECE/CWR kept) */
    uint16_t window;
    uint16_t urgent;
    uint16_t hdr_len; /* data offset in bytes */
    struct sk_tcp_options opts;
};

enum sk_tcp_result {
    SK_TCP_OK = 0,
    SK_TCP_TOO_SHORT,  /* fewer than 20 bytes */
    SK_TCP_BAD_OFFSET, /* data offset < 5 words or beyond len */
    SK_TCP_BAD_OPTION, /* an option's length byte is < 2 or runs past the header */
};

/* Decodes the header and options of the segment at seg (len bytes: header + payload).
 * Unknown options are skipped by their length; EOL ends the list; a MSS/WSCALE/TIMESTAMP/
 * SACK-permitted option of the wrong length is BAD_OPTION; a SACK option whose length is not
 * 2 + 8n is BAD_OPTION; blocks beyond 4 are ignored. On SK_TCP_OK the payload is
 * seg + out->hdr_len, len - out->hdr_len bytes. */
enum sk_tcp_result sk_tcp_parse(const uint8_t *seg, size_t len, struct sk_tcp_header *out);

/* Writes the header with its options at buf (cap bytes available) and returns its length in
 * bytes (20..60, a multiple of 4), or 0 if cap is too small or the options do not fit in 40
 * bytes. hdr->hdr_len is ignored. The checksum field is written as 0. Options are laid out
 * as Linux does: MSS, then SACK-permitted + timestamp together (or NOP NOP TS), window scale
 * as NOP + WS, SACK blocks as NOP NOP SACK. */
size_t sk_tcp_emit(uint8_t *buf, size_t cap, const struct sk_tcp_header *hdr);

/* Stores a checksum into the TCP segment at seg (header + payload, len bytes) using the
 * pseudo-header of src/dst (host order). */
void sk_tcp_set_checksum(uint8_t *seg, size_t len, uint32_t src, uint32_t dst);

/* For a link that checksums (synack_link.tx_csum): stores only the pseudo-header sum for a
 * TCP length of len, folded and not complemented, as Linux leaves a CHECKSUM_PARTIAL
 * segment; the link adds the header and payload. */
void sk_tcp_set_checksum_partial(uint8_t *seg, size_t len, uint32_t src, uint32_t dst);

/* True if the checksum of the segment verifies with this pseudo-header. */
bool sk_tcp_checksum_ok(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst);

/* Big-endian loads and stores, usable on unaligned buffers. */
static inline uint16_t sk_get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t sk_get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline void sk_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void sk_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

#endif
