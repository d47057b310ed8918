/* SPDX-License-Identifier: MIT */
/* The simulator's seeded random numbers (xoshiro256**, seeded by splitmix64). One state
 * per simulation: the same seed gives the same run. */
#ifndef SK_SIM_RNG_H
#define SK_SIM_RNG_H

#include <stdbool.h>
#include <stdint.h>

struct sk_rng {
    uint64_t s[4];
};

void sk_rng_seed(struct sk_rng *r, uint64_t seed);
uint64_t sk_rng_next(struct sk_rng *r);
/* Uniform in [0, 1). */
double sk_rng_unit(struct sk_rng *r);
/* True with probability p (never for p <= 0, always for p >= 1; draws nothing then). */
bool sk_rng_chance(struct sk_rng *r, double p);
/* Uniform in [0, n] (n + 1 values). */
uint64_t sk_rng_upto(struct sk_rng *r, uint64_t n);

#endif
