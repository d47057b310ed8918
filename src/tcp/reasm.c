/* SPDX-License-Identifier: MIT */
#include "tcp/reasm.h"

#include <string.h>

bool sk_reasm_add(struct sk_mem *m, struct sk_reasm *q, uint32_t start, uint32_t end)
{
    if (start >= end) return true;
    if (!q->ranges) {
        if (q->max == 0) return false;
        q->ranges = sk_mem_take(m, q->max * sizeof *q->ranges);
        if (!q->ranges) return false;
        q->count = 0;
    }
    /* Find the first range that ends at or after start (it may touch or overlap). */
    unsigned i = 0;
    while (i < q->count && q->ranges[i].end < start)
        i++;
    /* Merge every range overlapping or adjacent to [start, end). */
    unsigned j = i;
    while (j < q->count && q->ranges[j].start <= end) {
        if (q->ranges[j].start < start) start = q->ranges[j].start;
        if (q->ranges[j].end > end) end = q->ranges[j].end;
        j++;
    }
    if (j > i) {
        q->ranges[i].start = start;
        q->ranges[i].end = end;
        memmove(&q->ranges[i + 1], &q->ranges[j], (q->count - j) * sizeof(q->ranges[0]));
        q->count -= j - i - 1;
        return true;
    }
    if (q->count == q->max) return false;
    memmove(&q->ranges[i + 1], &q->ranges[i], (q->count - i) * sizeof(q->ranges[0]));
    q->ranges[i].start = start;
    q->ranges[i].end = end;
    q->count++;
    return true;
}

uint32_t sk_reasm_advance(struct sk_reasm *q, uint32_t n)
{
    uint32_t extra = 0;
    if (q->count == 0) return 0;
    /* Ranges now starting at or before the new RCV.NXT join the in-order data. */
    unsigned drop = 0;
    while (drop < q->count && q->ranges[drop].start <= n) {
        if (q->ranges[drop].end > n + extra) extra = q->ranges[drop].end - n;
        drop++;
    }
    memmove(&q->ranges[0], &q->ranges[drop], (q->count - drop) * sizeof(q->ranges[0]));
    q->count -= drop;
    uint32_t shift = n + extra;
    for (unsigned k = 0; k < q->count; k++) {
        q->ranges[k].start -= shift;
        q->ranges[k].end -= shift;
    }
    return extra;
}

void sk_reasm_clear(struct sk_reasm *q)
{
    q->count = 0;
}

void sk_reasm_release(struct sk_mem *m, struct sk_reasm *q)
{
    sk_mem_give(m, q->ranges, q->max * sizeof *q->ranges);
    q->ranges = NULL;
    q->count = 0;
}
