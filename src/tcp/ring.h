/* SPDX-License-Identifier: MIT */
/* A byte ring in chunks: the send buffer and the receive buffer of a connection. Its
 * capacity is a limit, not an allocation: chunks are taken as bytes are written and given
 * back once nothing in them is needed, so an idle connection holds no buffer memory. The
 * receive side also stores out-of-order bytes past the readable region (see reasm.h). */
#ifndef SK_TCP_RING_H
#define SK_TCP_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "synack/link.h"
#include "tcp/mem.h"

#define SK_RING_CHUNK 4096u /* the last chunk is smaller when cap is not a multiple */

/* Chunks one write may take (a 64 KiB write spans at most 17). */
#define SK_RING_WRITE_CHUNKS 18u

struct sk_ring {
    uint8_t **chunks; /* chunk table; NULL while the ring holds no memory */
    uint32_t cap;     /* limit in bytes */
    uint32_t head;    /* position of the first committed byte */
    uint32_t len;     /* committed bytes */
    uint32_t held;    /* chunks allocated */
};

/* An empty ring that may hold up to cap bytes; takes no memory. */
void sk_ring_init(struct sk_ring *r, uint32_t cap);

/* Space left after the committed bytes. */
static inline uint32_t sk_ring_free(const struct sk_ring *r)
{
    return r->cap - r->len;
}

/* Copies n bytes to offset off past the committed bytes (off + n <= free space). False,
 * with nothing written, if the memory for them could not be had. */
bool sk_ring_write_at(struct sk_mem *m, struct sk_ring *r, uint32_t off, const uint8_t *data,
                      uint32_t n);
/* Marks n more bytes (already written at offset 0..n-1 past the end) as committed. */
void sk_ring_commit(struct sk_ring *r, uint32_t n);
/* Appends up to n bytes; returns how many fit (0 also when memory ran out). */
uint32_t sk_ring_append(struct sk_mem *m, struct sk_ring *r, const uint8_t *data, uint32_t n);
/* Copies n committed bytes starting at offset off from the head; off + n <= len. */
void sk_ring_peek(const struct sk_ring *r, uint32_t off, uint8_t *out, uint32_t n);
/* Drops n committed bytes from the head (n <= len). Chunks that then hold nothing of the
 * committed bytes nor of the `keep` bytes stored past them are given back. */
void sk_ring_consume(struct sk_mem *m, struct sk_ring *r, uint32_t n, uint32_t keep);
/* Raises the capacity to cap, keeping the `extent` bytes stored from the head (committed
 * bytes and out-of-order bytes past them) at the same offsets. A ring holding nothing
 * just changes its limit; otherwise the stored chunks are copied into the new layout.
 * False, with the ring unchanged, if the memory for that could not be had. */
bool sk_ring_grow(struct sk_mem *m, struct sk_ring *r, uint32_t cap, uint32_t extent);
/* Gives back every chunk (the ring keeps its capacity and is empty). */
void sk_ring_release(struct sk_mem *m, struct sk_ring *r);
/* The pieces of n committed bytes at offset off from the head as they lie in the chunks,
 * into iov (at most max); returns how many, or 0 if they need more than max. */
unsigned sk_ring_pieces(const struct sk_ring *r, uint32_t off, uint32_t n, struct synack_iovec *iov,
                        unsigned max);
/* Views of the first n committed bytes, at most max pieces (*count); returns the bytes they
 * cover (fewer than n when max pieces do not reach). */
uint32_t sk_ring_views(const struct sk_ring *r, uint32_t n, struct synack_iovec *iov, unsigned max,
                       unsigned *count);
/* Bytes of memory the ring holds now. */
size_t sk_ring_memory(const struct sk_ring *r);

#endif
