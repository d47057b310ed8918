/* SPDX-License-Identifier: MIT */
#include "stack/fdtable.h"

static unsigned words_for(unsigned bits)
{
    return (bits + 63) / 64;
}

size_t sk_fdtable_words(unsigned n)
{
    unsigned w = words_for(n);
    return (size_t)w + words_for(w);
}

void sk_fdtable_init(struct sk_fdtable *t, uint64_t *storage, unsigned n)
{
    t->n = n;
    t->words = words_for(n);
    t->used = storage;
    t->full = storage + t->words;
    /* Bits past n count as used, so they are never handed out. */
    for (unsigned b = n; b < t->words * 64; b++)
        t->used[b / 64] |= 1ull << (b % 64);
    for (unsigned w = 0; w < t->words; w++)
        if (t->used[w] == ~0ull) t->full[w / 64] |= 1ull << (w % 64);
}

int sk_fdtable_take(struct sk_fdtable *t)
{
    unsigned summary = words_for(t->words);
    for (unsigned i = 0; i < summary; i++) {
        uint64_t f = t->full[i];
        if (i == summary - 1 && t->words % 64) f |= ~0ull << (t->words % 64);
        if (f == ~0ull) continue;
        unsigned w = i * 64 + (unsigned)__builtin_ctzll(~f);
        unsigned bit = (unsigned)__builtin_ctzll(~t->used[w]);
        t->used[w] |= 1ull << bit;
        if (t->used[w] == ~0ull) t->full[w / 64] |= 1ull << (w % 64);
        return (int)(w * 64 + bit);
    }
    return -1;
}

void sk_fdtable_give(struct sk_fdtable *t, int fd)
{
    unsigned w = (unsigned)fd / 64;
    t->used[w] &= ~(1ull << ((unsigned)fd % 64));
    t->full[w / 64] &= ~(1ull << (w % 64));
}
