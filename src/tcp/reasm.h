/* SPDX-License-Identifier: MIT */
/* Out-of-order reassembly bookkeeping (RFC 9293 3.10.7.4, seventh step: segments beyond
 * RCV.NXT are held). The bytes themselves live in the receive ring at their final place;
 * this records which ranges past RCV.NXT are present, as offsets from RCV.NXT. The table
 * has a fixed size chosen at connection creation, so memory stays bounded. */
#ifndef SK_TCP_REASM_H
#define SK_TCP_REASM_H

#include <stdbool.h>
#include <stdint.h>

struct sk_reasm_range {
    uint32_t start, end; /* [start, end) offsets from RCV.NXT */
};

struct sk_reasm {
    struct sk_reasm_range *ranges; /* sorted, disjoint, non-adjacent */
    unsigned count;
    unsigned max;
};

/* Records [start, end) (start > 0). Returns false if the table is full and the range could
 * not be merged into an existing one (the caller drops the segment and counts it). */
bool sk_reasm_add(struct sk_reasm *q, uint32_t start, uint32_t end);

/* RCV.NXT advanced by n bytes of in-order data: returns how many further bytes, already
 * held, are now contiguous (and removes them); all offsets shift down. */
uint32_t sk_reasm_advance(struct sk_reasm *q, uint32_t n);

/* Forgets everything. */
void sk_reasm_clear(struct sk_reasm *q);

#endif
