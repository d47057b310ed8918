/* SPDX-License-Identifier: MIT */
#include "tcp/ring.h"

#include <string.h>

static uint32_t nchunks(const struct sk_ring *r)
{
    return (r->cap + SK_RING_CHUNK - 1) / SK_RING_CHUNK;
}

static uint32_t chunk_size(const struct sk_ring *r, uint32_t i)
{
    uint32_t start = i * SK_RING_CHUNK;
    return r->cap - start < SK_RING_CHUNK ? r->cap - start : SK_RING_CHUNK;
}

void sk_ring_init(struct sk_ring *r, uint32_t cap)
{
    memset(r, 0, sizeof *r);
    r->cap = cap;
}

bool sk_ring_write_at(struct sk_mem *m, struct sk_ring *r, uint32_t off, const uint8_t *data,
                      uint32_t n)
{
    if (n == 0) return true;
    /* The stack-wide limit never stops an empty ring from taking one write: every
     * connection can always move some data each way, so memory pressure slows it but can't
     * deadlock two peers whose buffers wait on each other (Linux likewise always lets a
     * socket queue some memory, sk_forced_mem_schedule). */
    void *(*get)(struct sk_mem *, size_t) = r->len == 0 ? sk_mem_take_forced : sk_mem_take;
    if (!r->chunks) {
        r->chunks = get(m, nchunks(r) * sizeof *r->chunks);
        if (!r->chunks) return false;
        memset(r->chunks, 0, nchunks(r) * sizeof *r->chunks);
    }
    uint64_t at64 = (uint64_t)r->head + r->len + off;
    uint32_t pos = (uint32_t)(at64 < r->cap ? at64 : at64 % r->cap);
    /* Chunks taken by this write, given back if it fails: under the memory limit a failed
     * write must not leave memory held by nothing. */
    uint32_t taken[SK_RING_WRITE_CHUNKS], ntaken = 0;
    while (n > 0) {
        uint32_t i = pos / SK_RING_CHUNK, at = pos % SK_RING_CHUNK;
        if (!r->chunks[i]) {
            /* Not zeroed: every byte is written before it is read. */
            r->chunks[i] = ntaken < SK_RING_WRITE_CHUNKS ? get(m, chunk_size(r, i)) : NULL;
            if (!r->chunks[i]) {
                while (ntaken > 0) {
                    uint32_t t = taken[--ntaken];
                    sk_mem_give(m, r->chunks[t], chunk_size(r, t));
                    r->chunks[t] = NULL;
                    r->held--;
                }
                return false;
            }
            taken[ntaken++] = i;
            r->held++;
        }
        uint32_t k = chunk_size(r, i) - at;
        if (k > n) k = n;
        memcpy(r->chunks[i] + at, data, k);
        data += k;
        n -= k;
        pos += k;
        if (pos == r->cap) pos = 0;
    }
    return true;
}

void sk_ring_commit(struct sk_ring *r, uint32_t n)
{
    r->len += n;
}

uint32_t sk_ring_append(struct sk_mem *m, struct sk_ring *r, const uint8_t *data, uint32_t n)
{
    uint32_t space = sk_ring_free(r);
    if (n > space) n = space;
    /* Take what memory allows, a chunk at a time, rather than all or nothing. */
    uint32_t done = 0;
    while (done < n) {
        uint32_t pos = (uint32_t)(((uint64_t)r->head + r->len) % r->cap);
        uint32_t k = SK_RING_CHUNK - pos % SK_RING_CHUNK;
        if (k > chunk_size(r, pos / SK_RING_CHUNK) - pos % SK_RING_CHUNK)
            k = chunk_size(r, pos / SK_RING_CHUNK) - pos % SK_RING_CHUNK;
        if (k > n - done) k = n - done;
        if (!sk_ring_write_at(m, r, 0, data + done, k)) break;
        sk_ring_commit(r, k);
        done += k;
    }
    return done;
}

void sk_ring_peek(const struct sk_ring *r, uint32_t off, uint8_t *out, uint32_t n)
{
    if (n == 0) return;
    uint64_t at64 = (uint64_t)r->head + off;
    uint32_t pos = (uint32_t)(at64 < r->cap ? at64 : at64 % r->cap);
    while (n > 0) {
        uint32_t i = pos / SK_RING_CHUNK, at = pos % SK_RING_CHUNK;
        uint32_t k = chunk_size(r, i) - at;
        if (k > n) k = n;
        memcpy(out, r->chunks[i] + at, k);
        out += k;
        n -= k;
        pos += k;
        if (pos == r->cap) pos = 0;
    }
}

/* Is position pos inside the circular interval [from, from + n)? */
static bool within(const struct sk_ring *r, uint32_t pos, uint32_t from, uint32_t n)
{
    uint32_t d = pos >= from ? pos - from : pos + r->cap - from;
    return d < n;
}

void sk_ring_consume(struct sk_mem *m, struct sk_ring *r, uint32_t n, uint32_t keep)
{
    if (n == 0) return;
    uint32_t old = r->head;
    r->head = (uint32_t)(((uint64_t)r->head + n) % r->cap);
    r->len -= n;
    if (!r->chunks) return;
    /* The chunks the consumed bytes lay in may now hold nothing that is needed: neither
     * committed bytes nor the `keep` bytes past them (out-of-order data). */
    uint32_t needed = r->len + keep;
    uint32_t first = old / SK_RING_CHUNK, count = nchunks(r);
    uint32_t span = (old % SK_RING_CHUNK + n + SK_RING_CHUNK - 1) / SK_RING_CHUNK;
    if (span > count) span = count;
    for (uint32_t k = 0; k < span; k++) {
        uint32_t i = (first + k) % count;
        if (!r->chunks[i]) continue;
        uint32_t cs = i * SK_RING_CHUNK, size = chunk_size(r, i);
        bool used = false;
        if (needed >= r->cap) {
            used = true;
        } else if (needed > 0) {
            /* Used if its start lies in the needed interval, or the interval starts in it. */
            used = within(r, cs, r->head, needed) || within(r, r->head, cs, size);
        }
        if (used) continue;
        sk_mem_give(m, r->chunks[i], size);
        r->chunks[i] = NULL;
        r->held--;
    }
    if (r->held == 0) {
        sk_mem_give(m, r->chunks, count * sizeof *r->chunks);
        r->chunks = NULL;
    }
}

/* Growth by copying: each held chunk's bytes, in at most two runs (split where the head lies
 * inside it), go to the same offset from the head in a new ring; holes stay unwritten. */
static bool grow_by_copy(struct sk_mem *m, struct sk_ring *r, uint32_t cap, uint32_t extent)
{
    struct sk_ring n;
    sk_ring_init(&n, cap);
    n.head = r->head;
    for (uint32_t i = 0; i < nchunks(r); i++) {
        if (!r->chunks[i]) continue;
        uint32_t start = i * SK_RING_CHUNK, end = start + chunk_size(r, i);
        uint32_t cut = r->head > start && r->head < end ? r->head : end;
        uint32_t runs[2][2] = {{start, cut}, {cut, end}};
        for (int k = 0; k < 2; k++) {
            uint32_t a = runs[k][0], b = runs[k][1];
            if (a == b) continue;
            uint32_t off = a >= r->head ? a - r->head : a + r->cap - r->head;
            if (off >= extent) continue;
            uint32_t len = b - a < extent - off ? b - a : extent - off;
            if (!sk_ring_write_at(m, &n, off, r->chunks[i] + (a - start), len)) {
                sk_ring_release(m, &n);
                return false;
            }
        }
    }
    n.len = r->len;
    sk_ring_release(m, r);
    *r = n;
    return true;
}

/* Growth between two whole-chunk capacities: a chunk keeps its bytes' offsets from the head
 * when it moves to the index of its new position, so only pointers move, except for the
 * bytes before the head in the head's own chunk (stored data that wrapped): they go to a
 * fresh chunk one old capacity further on. */
static bool grow_by_moving(struct sk_mem *m, struct sk_ring *r, uint32_t cap, uint32_t extent)
{
    uint32_t oc = nchunks(r), nc = cap / SK_RING_CHUNK;
    uint8_t **table = sk_mem_take(m, nc * sizeof *table);
    if (!table) return false;
    memset(table, 0, nc * sizeof *table);
    uint32_t hi = r->head / SK_RING_CHUNK, at = r->head % SK_RING_CHUNK;
    uint8_t *wrapped = NULL;
    uint32_t wrapped_off = r->cap - at; /* offset from the head of the head chunk's first byte */
    if (at > 0 && r->chunks[hi] && wrapped_off < extent) {
        wrapped = sk_mem_take(m, SK_RING_CHUNK);
        if (!wrapped) {
            sk_mem_give(m, table, nc * sizeof *table);
            return false;
        }
        uint32_t n = extent - wrapped_off < at ? extent - wrapped_off : at;
        memcpy(wrapped, r->chunks[hi], n);
    }
    uint32_t held = 0;
    for (uint32_t i = 0; i < oc; i++) {
        if (!r->chunks[i]) continue;
        uint32_t start = i * SK_RING_CHUNK;
        uint32_t pos = i == hi || start >= r->head ? start : start + r->cap;
        if (i != hi && pos - r->head >= extent) {
            /* Holds nothing needed (say, out-of-order bytes whose range was refused). */
            sk_mem_give(m, r->chunks[i], SK_RING_CHUNK);
            continue;
        }
        table[(pos / SK_RING_CHUNK) % nc] = r->chunks[i];
        held++;
    }
    if (wrapped) {
        table[(hi + oc) % nc] = wrapped;
        held++;
    }
    sk_mem_give(m, r->chunks, oc * sizeof *r->chunks);
    r->chunks = table;
    r->cap = cap;
    r->held = held;
    return true;
}

bool sk_ring_grow(struct sk_mem *m, struct sk_ring *r, uint32_t cap, uint32_t extent)
{
    if (cap <= r->cap) return true;
    if (!r->chunks) {
        r->cap = cap;
        return true;
    }
    if (r->cap % SK_RING_CHUNK == 0 && cap % SK_RING_CHUNK == 0)
        return grow_by_moving(m, r, cap, extent);
    return grow_by_copy(m, r, cap, extent);
}

void sk_ring_release(struct sk_mem *m, struct sk_ring *r)
{
    if (r->chunks) {
        uint32_t count = nchunks(r);
        for (uint32_t i = 0; i < count; i++)
            sk_mem_give(m, r->chunks[i], r->chunks[i] ? chunk_size(r, i) : 0);
        sk_mem_give(m, r->chunks, count * sizeof *r->chunks);
    }
    uint32_t cap = r->cap;
    sk_ring_init(r, cap);
}

size_t sk_ring_memory(const struct sk_ring *r)
{
    if (!r->chunks) return 0;
    size_t total = nchunks(r) * sizeof *r->chunks;
    for (uint32_t i = 0; i < nchunks(r); i++)
        if (r->chunks[i]) total += chunk_size(r, i);
    return total;
}

/* The pieces of up to n bytes from offset off, at most max; *covered: their bytes. */
static unsigned pieces(const struct sk_ring *r, uint32_t off, uint32_t n, struct synack_iovec *iov,
                       unsigned max, uint32_t *covered)
{
    uint64_t at64 = (uint64_t)r->head + off;
    uint32_t pos = (uint32_t)(at64 < r->cap ? at64 : at64 % r->cap), k = 0;
    *covered = 0;
    while (n > 0 && k < max) {
        uint32_t i = pos / SK_RING_CHUNK, at = pos % SK_RING_CHUNK;
        uint32_t size = chunk_size(r, i), take = size - at < n ? size - at : n;
        iov[k++] = (struct synack_iovec){r->chunks[i] + at, take};
        n -= take;
        *covered += take;
        pos += take;
        if (pos == r->cap) pos = 0;
    }
    return k;
}

unsigned sk_ring_pieces(const struct sk_ring *r, uint32_t off, uint32_t n, struct synack_iovec *iov,
                        unsigned max)
{
    uint32_t covered;
    unsigned k = pieces(r, off, n, iov, max, &covered);
    return covered == n ? k : 0;
}

uint32_t sk_ring_views(const struct sk_ring *r, uint32_t n, struct synack_iovec *iov, unsigned max,
                       unsigned *count)
{
    uint32_t covered;
    *count = pieces(r, 0, n, iov, max, &covered);
    return covered;
}
