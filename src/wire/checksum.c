/* SPDX-License-Identifier: MIT */
#include "wire/checksum.h"

#include <string.h>

/* Folds a 64-bit one's-complement accumulator to 16 bits. */
static uint32_t fold64(uint64_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint32_t)acc;
}

uint32_t sk_csum_add(uint32_t sum, const uint8_t *data, size_t len)
{
    /* RFC 1071 2(B): the sum does not depend on byte order, so whole 32-bit words are
     * added in the host's order into a 64-bit accumulator (no carries lost for any packet
     * size) and the folded result is byte-swapped once on little-endian hosts. */
    uint64_t acc = 0;
    size_t i = 0;
    /* 64-bit words with end-around carry (one's-complement addition is associative: the
     * carries out of bit 63 are added back), four at a time in two chains. */
    uint64_t a0 = 0, a1 = 0;
    unsigned c0 = 0, c1 = 0;
    for (; i + 32 <= len; i += 32) {
        uint64_t w[4];
        memcpy(w, data + i, sizeof w);
        c0 += __builtin_add_overflow(a0, w[0], &a0);
        c1 += __builtin_add_overflow(a1, w[1], &a1);
        c0 += __builtin_add_overflow(a0, w[2], &a0);
        c1 += __builtin_add_overflow(a1, w[3], &a1);
    }
    /* Fold both chains and their carries into 32-bit halves summed in 64 bits. */
    acc = (a0 & 0xffffffffu) + (a0 >> 32) + (a1 & 0xffffffffu) + (a1 >> 32) + c0 + c1;
    for (; i + 16 <= len; i += 16) {
        uint32_t w[4];
        memcpy(w, data + i, sizeof w);
        acc += (uint64_t)w[0] + w[1] + w[2] + w[3];
    }
    for (; i + 4 <= len; i += 4) {
        uint32_t w;
        memcpy(&w, data + i, sizeof w);
        acc += w;
    }
    uint32_t host = fold64(acc);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    host = ((host & 0xff) << 8) | (host >> 8);
#endif
    uint64_t be = (uint64_t)sum + host;
    /* The last 0-3 bytes as big-endian 16-bit words, an odd byte padded with zero. */
    for (; i + 1 < len; i += 2)
        be += (uint32_t)((data[i] << 8) | data[i + 1]);
    if (i < len) be += (uint32_t)(data[i] << 8);
    while (be >> 32)
        be = (be & 0xffffffffu) + (be >> 32);
    return (uint32_t)be;
}

uint16_t sk_csum_finish(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

uint32_t sk_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    /* RFC 9293 3.1: source, destination, zero, protocol, TCP length. */
    uint64_t acc = (src >> 16) + (src & 0xffffu) + (dst >> 16) + (dst & 0xffffu);
    acc += proto;
    acc += len;
    return (uint32_t)acc;
}
