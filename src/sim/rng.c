/* SPDX-License-Identifier: MIT */
#include "sim/rng.h"

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void sk_rng_seed(struct sk_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t sk_rng_next(struct sk_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double sk_rng_unit(struct sk_rng *r)
{
    return (double)(sk_rng_next(r) >> 11) * 0x1.0p-53;
}

bool sk_rng_chance(struct sk_rng *r, double p)
{
    if (p <= 0) return false;
    if (p >= 1) return true;
    return sk_rng_unit(r) < p;
}

uint64_t sk_rng_upto(struct sk_rng *r, uint64_t n)
{
    if (n == UINT64_MAX) return sk_rng_next(r);
    return sk_rng_next(r) % (n + 1);
}
