/* SPDX-License-Identifier: MIT */
/* Out-of-order reassembly bookkeeping (RFC 9293 3.10.7.4, seventh step: segments beyond
 * RCV.NXT are held). The bytes themselves live in the receive ring at their final place;
 * this records which ranges past RCV.NXT are present, as offsets from RCV.NXT. The table
 * has a fixed size chosen at connection creation, so memory stays bounded. */
#ifndef SK_TCP_REASM_H
#define SK_TCP_REASM_H

#include <stdbool.h>
#include <stdint.h>
#include "tcp/mem.h"

struct sk_reasm_range {
    uint32_t start, end; /* [start, end) offsets from RCV.NXT */
};

struct sk_reasm {
    struct sk_reasm_range *ranges; /* sorted, disjoint, non-adjacent; NULL until needed */
    unsigned count;
    unsigned max;
};

/* Records [start, end) (start > 0), taking the table's memory on first use. Returns false
 * if the table is full (or could not be had) and the range could not be merged into an
 * existing one (the caller drops the segment and counts it). */
bool sk_reasm_add(struct sk_mem *m, struct sk_reasm *q, uint32_t start, uint32_t end);

/* The end of the highest range (0 if none): how far held bytes reach past the start. */
static inline uint32_t sk_reasm_extent(const struct sk_reasm *q)
{
    return q->count ? q->ranges[q->count - 1].end : 0;
}

/* Gives the table's memory back (the ranges are forgotten). */
void sk_reasm_release(struct sk_mem *m, struct sk_reasm *q);

/* RCV.NXT advanced by n bytes of in-order data: returns how many further bytes, already
 * held, are now contiguous (and removes them); all offsets shift down. */
uint32_t sk_reasm_advance(struct sk_reasm *q, uint32_t n);

/* Forgets everything. */
void sk_reasm_clear(struct sk_reasm *q);

#endif
