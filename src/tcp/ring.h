/* SPDX-License-Identifier: MIT */
/* A byte ring buffer: the send buffer and the receive buffer of a connection. The receive
 * side also stores out-of-order bytes past the readable region (see reasm.h). */
#ifndef SK_TCP_RING_H
#define SK_TCP_RING_H

#include <stddef.h>
#include <stdint.h>

struct sk_ring {
    uint8_t *buf;
    uint32_t cap;  /* bytes of storage */
    uint32_t head; /* index of the first committed byte */
    uint32_t len;  /* committed bytes */
};

/* Space left after the committed bytes. */
static inline uint32_t sk_ring_free(const struct sk_ring *r)
{
    return r->cap - r->len;
}

/* Copies n bytes to offset off past the committed bytes; off + n must be <= free space. */
void sk_ring_write_at(struct sk_ring *r, uint32_t off, const uint8_t *data, uint32_t n);
/* Marks n more bytes (already written at offset 0..n-1 past the end) as committed. */
void sk_ring_commit(struct sk_ring *r, uint32_t n);
/* Appends up to n bytes; returns how many fit. */
uint32_t sk_ring_append(struct sk_ring *r, const uint8_t *data, uint32_t n);
/* Copies n committed bytes starting at offset off from the head; off + n <= len. */
void sk_ring_peek(const struct sk_ring *r, uint32_t off, uint8_t *out, uint32_t n);
/* Drops n committed bytes from the head (n <= len). */
void sk_ring_consume(struct sk_ring *r, uint32_t n);

#endif
