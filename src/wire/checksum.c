#include "wire/checksum.h"

uint32_t sk_csum_add(uint32_t sum, const uint8_t *data, size_t len)
{
    /* RFC 1071: 16-bit big-endian words, an odd last byte padded with zero. A 64-bit
     * accumulator cannot overflow for any buffer this stack handles. */
    uint64_t acc = sum;
    size_t i = 0;
    for (; i + 1 < len; i += 2)
        acc += (uint32_t)((data[i] << 8) | data[i + 1]);
    if (i < len) acc += (uint32_t)(data[i] << 8);
    while (acc >> 32)
        acc = (acc & 0xffffffffu) + (acc >> 32);
    return (uint32_t)acc;
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
