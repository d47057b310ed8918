/* SPDX-License-Identifier: MIT */
/* Internet checksum (RFC 1071) and the TCP pseudo-header (RFC 9293 3.1). */
#ifndef SK_WIRE_CHECKSUM_H
#define SK_WIRE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds len bytes at data to a running 32-bit one's-complement sum (big-endian 16-bit words;
 * an odd final byte is padded with zero). Chain calls only on even-length pieces. */
uint32_t sk_csum_add(uint32_t sum, const uint8_t *data, size_t len);

/* Folds a running sum to 16 bits and complements it: the value to store in a header. A
 * buffer that already holds a correct checksum folds to 0. */
uint16_t sk_csum_finish(uint32_t sum);

/* Sum of the TCP/IPv4 pseudo-header (src, dst host order; protocol 6; tcp_len). */
uint32_t sk_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);

#endif
