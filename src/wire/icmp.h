/* SPDX-License-Identifier: MIT */
/* ICMPv4 (RFC 792): the few messages a TCP host needs. Never reads past the buffer. */
#ifndef SK_WIRE_ICMP_H
#define SK_WIRE_ICMP_H

#include <stddef.h>
#include <stdint.h>

#define SK_ICMP_ECHO_REPLY 0
#define SK_ICMP_DEST_UNREACH 3
#define SK_ICMP_ECHO_REQUEST 8
#define SK_ICMP_TIME_EXCEEDED 11

#define SK_ICMP_NET_UNREACH 0
#define SK_ICMP_HOST_UNREACH 1
#define SK_ICMP_PROTO_UNREACH 2
#define SK_ICMP_PORT_UNREACH 3
#define SK_ICMP_FRAG_NEEDED 4

#define SK_ICMP_HDR_LEN 8

struct sk_icmp {
    uint8_t type, code;
    uint32_t rest;          /* bytes 4..7: echo id/sequence, or next-hop MTU */
    const uint8_t *payload; /* after the 8-byte header */
    size_t payload_len;
};

/* Decodes an ICMP message of len bytes; returns 0, or -1 if shorter than 8 bytes or the
 * checksum is wrong. */
int sk_icmp_parse(const uint8_t *msg, size_t len, struct sk_icmp *out);

/* Writes type, code, rest and payload at buf (8 + payload_len bytes) with the checksum. */
void sk_icmp_emit(uint8_t *buf, uint8_t type, uint8_t code, uint32_t rest, const uint8_t *payload,
                  size_t payload_len);

#endif
