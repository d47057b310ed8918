/* SPDX-License-Identifier: MIT */
#include "tcp/zcopy.h"

#include <string.h>

static struct sk_zc_extent *at(const struct sk_zc *zc, unsigned i)
{
    return &zc->ext[(zc->head + i) % zc->cap];
}

bool sk_zc_push(struct sk_mem *m, struct sk_zc *zc, const uint8_t *base, uint32_t n, bool owned,
                bool counts)
{
    if (zc->count == zc->cap) {
        if (zc->cap == SK_ZC_MAX_EXTENTS) return false;
        unsigned cap = zc->cap ? zc->cap * 2 : 8;
        struct sk_zc_extent *ext = sk_mem_take(m, cap * sizeof *ext);
        if (!ext) return false;
        for (unsigned i = 0; i < zc->count; i++)
            ext[i] = *at(zc, i);
        sk_mem_give(m, zc->ext, zc->cap * sizeof *zc->ext);
        zc->ext = ext;
        zc->cap = cap;
        zc->head = 0;
    }
    *at(zc, zc->count++) = (struct sk_zc_extent){zc->queued, base, n, owned, counts};
    zc->queued += n;
    return true;
}

/* The oldest extent goes. */
static void pop(struct sk_mem *m, struct sk_zc *zc)
{
    struct sk_zc_extent *e = at(zc, 0);
    if (e->owned) sk_mem_give(m, (void *)(uintptr_t)e->base, e->len);
    if (e->counts) zc->completed++;
    zc->head = (zc->head + 1) % zc->cap;
    zc->count--;
}

void sk_zc_consume(struct sk_mem *m, struct sk_zc *zc, uint32_t n)
{
    zc->consumed += n;
    while (zc->count > 0 && at(zc, 0)->start + at(zc, 0)->len <= zc->consumed)
        pop(m, zc);
}

/* The extent holding offset off (from the first unacknowledged byte) and where in it: a
 * binary search, the extents being in order of position. */
static unsigned find(const struct sk_zc *zc, uint32_t off, uint32_t *in)
{
    uint64_t pos = zc->consumed + off;
    unsigned lo = 0, hi = zc->count; /* the answer is in [lo, hi) if pos is queued */
    while (hi - lo > 1) {
        unsigned mid = lo + (hi - lo) / 2;
        if (at(zc, mid)->start <= pos)
            lo = mid;
        else
            hi = mid;
    }
    if (lo >= zc->count || pos >= at(zc, lo)->start + at(zc, lo)->len) {
        *in = 0;
        return zc->count;
    }
    *in = (uint32_t)(pos - at(zc, lo)->start);
    return lo;
}

void sk_zc_peek(const struct sk_zc *zc, uint32_t off, uint8_t *out, uint32_t n)
{
    uint32_t in;
    for (unsigned i = find(zc, off, &in); n > 0 && i < zc->count; i++, in = 0) {
        const struct sk_zc_extent *e = at(zc, i);
        uint32_t take = e->len - in < n ? e->len - in : n;
        memcpy(out, e->base + in, take);
        out += take;
        n -= take;
    }
}

unsigned sk_zc_pieces(const struct sk_zc *zc, uint32_t off, uint32_t n, struct synack_iovec *iov,
                      unsigned max)
{
    uint32_t in;
    unsigned k = 0;
    for (unsigned i = find(zc, off, &in); n > 0; i++, in = 0) {
        if (k == max || i == zc->count) return 0;
        const struct sk_zc_extent *e = at(zc, i);
        uint32_t take = e->len - in < n ? e->len - in : n;
        iov[k++] = (struct synack_iovec){e->base + in, take};
        n -= take;
    }
    return k;
}

uint32_t sk_zc_span(const struct sk_zc *zc, uint32_t off, uint32_t n, unsigned max)
{
    uint32_t in;
    uint64_t got = 0;
    for (unsigned i = find(zc, off, &in), k = 0; got < n && i < zc->count && k < max;
         i++, k++, in = 0)
        got += at(zc, i)->len - in;
    return got < n ? (uint32_t)got : n;
}

bool sk_zc_own_all(struct sk_mem *m, struct sk_zc *zc)
{
    for (unsigned i = 0; i < zc->count; i++) {
        struct sk_zc_extent *e = at(zc, i);
        if (e->owned) continue;
        uint8_t *copy = sk_mem_take(m, e->len);
        if (!copy) return false;
        memcpy(copy, e->base, e->len);
        e->base = copy;
        e->owned = true;
        if (e->counts) zc->completed++;
        e->counts = false;
    }
    return true;
}

void sk_zc_clear(struct sk_mem *m, struct sk_zc *zc)
{
    while (zc->count > 0)
        pop(m, zc);
    zc->consumed = zc->queued;
}

void sk_zc_free(struct sk_mem *m, struct sk_zc *zc)
{
    sk_zc_clear(m, zc);
    sk_mem_give(m, zc->ext, zc->cap * sizeof *zc->ext);
    sk_mem_give(m, zc, sizeof *zc);
}

bool sk_zc_take_ring(struct sk_mem *m, struct sk_zc *zc, struct sk_ring *r)
{
    uint32_t len = r->len, cap = r->cap;
    if (len == 0) {
        sk_ring_release(m, r);
        return true;
    }
    uint8_t *copy = sk_mem_take(m, len);
    if (!copy) return false;
    sk_ring_peek(r, 0, copy, len);
    if (!sk_zc_push(m, zc, copy, len, true, false)) {
        sk_mem_give(m, copy, len);
        return false;
    }
    sk_ring_release(m, r);
    r->cap = cap;
    r->len = len;
    return true;
}
