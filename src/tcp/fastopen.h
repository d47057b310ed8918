/* SPDX-License-Identifier: MIT */
/* TCP Fast Open, client side (RFC 7413 section 4.2, as Linux's tcp_fastopen=1): a cache of
 * the cookies servers gave us, and the SYN that carries a cookie request or a cookie with
 * data. The cache is per stack, fixed in size, filled on SYN-ACKs. */
#ifndef SK_TCP_FASTOPEN_H
#define SK_TCP_FASTOPEN_H

#include <stdint.h>
#include "wire/tcp_header.h"

#define SK_TFO_CACHE 16

struct sk_tfo_entry {
    uint32_t addr; /* server address; 0 = free */
    uint16_t mss;  /* the server's MSS, to size the next SYN's data */
    uint8_t len;   /* cookie length */
    uint8_t cookie[SK_TCP_FO_COOKIE_MAX];
    uint64_t used; /* for replacement: oldest first */
};

struct sk_tfo_cache {
    struct sk_tfo_entry e[SK_TFO_CACHE];
    uint64_t tick;
};

/* The cached cookie for addr, or NULL. */
const struct sk_tfo_entry *sk_tfo_lookup(const struct sk_tfo_cache *c, uint32_t addr);

/* Remembers a cookie (and MSS) from a SYN-ACK. */
void sk_tfo_store(struct sk_tfo_cache *c, uint32_t addr, const uint8_t *cookie, uint8_t len,
                  uint16_t mss);

#endif
