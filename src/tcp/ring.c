/* SPDX-License-Identifier: MIT */
#include "tcp/ring.h"

#include <string.h>

static void copy_in(struct sk_ring *r, uint32_t pos, const uint8_t *data, uint32_t n)
{
    uint32_t first = r->cap - pos;
    if (first > n) first = n;
    memcpy(r->buf + pos, data, first);
    if (n > first) memcpy(r->buf, data + first, n - first);
}

void sk_ring_write_at(struct sk_ring *r, uint32_t off, const uint8_t *data, uint32_t n)
{
    if (n == 0) return;
    uint32_t pos = (uint32_t)(((uint64_t)r->head + r->len + off) % r->cap);
    copy_in(r, pos, data, n);
}

void sk_ring_commit(struct sk_ring *r, uint32_t n)
{
    r->len += n;
}

uint32_t sk_ring_append(struct sk_ring *r, const uint8_t *data, uint32_t n)
{
    uint32_t space = sk_ring_free(r);
    if (n > space) n = space;
    sk_ring_write_at(r, 0, data, n);
    sk_ring_commit(r, n);
    return n;
}

void sk_ring_peek(const struct sk_ring *r, uint32_t off, uint8_t *out, uint32_t n)
{
    if (n == 0) return;
    uint32_t pos = (uint32_t)(((uint64_t)r->head + off) % r->cap);
    uint32_t first = r->cap - pos;
    if (first > n) first = n;
    memcpy(out, r->buf + pos, first);
    if (n > first) memcpy(out + first, r->buf, n - first);
}

void sk_ring_consume(struct sk_ring *r, uint32_t n)
{
    r->head = (uint32_t)(((uint64_t)r->head + n) % r->cap);
    r->len -= n; /* head is never reset: out-of-order bytes past the end stay in place */
}
