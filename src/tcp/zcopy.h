/* SPDX-License-Identifier: MIT */
/* Zero-copy sending: the send buffer as a queue of extents, each a stretch of the
 * application's own memory (a zero-copy send) or of the stack's (a copying send made on the
 * same socket, or what close() copied so that the application's buffers are free). Segments
 * read their payload from the extents, retransmissions too, until the peer acknowledges it;
 * then the extent is dropped and a zero-copy send counts as completed. A connection uses it
 * from its first zero-copy send on (tcb->zc); the ring then only counts bytes (cap, len)
 * and holds no memory. The same block records a zero-copy receive in progress (borrowed). */
#ifndef SK_TCP_ZCOPY_H
#define SK_TCP_ZCOPY_H

#include <stdbool.h>
#include <stdint.h>
#include "synack/link.h"
#include "tcp/mem.h"
#include "tcp/ring.h"

struct sk_zc_extent {
    uint64_t start;      /* position of its first byte in everything ever queued */
    const uint8_t *base; /* the bytes */
    uint32_t len;
    bool owned;  /* stack memory (sk_mem), freed when the extent goes */
    bool counts; /* a zero-copy send: completed when the extent goes */
};

struct sk_zc {
    struct sk_zc_extent *ext; /* ring of extents, oldest (at the buffer's head) first */
    unsigned head, count, cap;
    uint64_t queued, consumed; /* bytes ever queued, and ever acknowledged */
    uint64_t completed;        /* zero-copy sends finished with */
    uint64_t reported;         /* ... as synack_zerocopy_completed last told the application */
    uint32_t borrowed;         /* bytes of the receive buffer lent out (synack_recv_borrow) */
    bool sending;              /* the send buffer is this queue (from the first zero-copy send) */
};

/* Whether a connection's send buffer is this queue (zc: its block, NULL if none). */
static inline bool sk_zc_sending(const struct sk_zc *zc)
{
    return zc && zc->sending;
}

/* Most extents a connection queues: a send finding them all in use queues nothing. */
#define SK_ZC_MAX_EXTENTS 4096u

/* Appends n bytes at base as an extent (owned: stack memory it now holds). False if no
 * extent could be had (the caller frees owned memory then). */
bool sk_zc_push(struct sk_mem *m, struct sk_zc *zc, const uint8_t *base, uint32_t n, bool owned,
                bool counts);

/* Drops the first n bytes (acknowledged): whole extents go, owned memory is freed, and a
 * zero-copy send whose bytes are all gone is completed. */
void sk_zc_consume(struct sk_mem *m, struct sk_zc *zc, uint32_t n);

/* Copies n bytes from offset off of the queue to out. */
void sk_zc_peek(const struct sk_zc *zc, uint32_t off, uint8_t *out, uint32_t n);

/* References to n bytes from offset off, at most max pieces; 0 if more were needed. */
unsigned sk_zc_pieces(const struct sk_zc *zc, uint32_t off, uint32_t n, struct synack_iovec *iov,
                      unsigned max);

/* How many of n bytes from offset off at most max pieces reach (n if they all do). */
uint32_t sk_zc_span(const struct sk_zc *zc, uint32_t off, uint32_t n, unsigned max);

/* Replaces every extent of application memory by a copy in stack memory (close(): the
 * application's buffers are free once it returns); each counts as completed. False if the
 * memory could not be had (the queue is then unchanged for what was not copied). */
bool sk_zc_own_all(struct sk_mem *m, struct sk_zc *zc);

/* Drops every extent (the connection's buffers go): every zero-copy send is completed. The
 * block itself stays (its counters are still read) until sk_zc_free. */
void sk_zc_clear(struct sk_mem *m, struct sk_zc *zc);

/* Frees the block (after sk_zc_clear). */
void sk_zc_free(struct sk_mem *m, struct sk_zc *zc);

/* Moves the bytes of a send buffer ring into one owned extent at the front of an empty
 * queue and gives back the ring's memory (the ring keeps counting them). False, with
 * nothing changed, without memory. */
bool sk_zc_take_ring(struct sk_mem *m, struct sk_zc *zc, struct sk_ring *r);

#endif
