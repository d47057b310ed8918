/* SPDX-License-Identifier: MIT */
#include "tcp/route.h"

static bool covers(const struct synack_route *r, uint32_t addr)
{
    uint32_t mask = r->prefix_len == 0 ? 0 : ~0u << (32 - r->prefix_len);
    return ((addr ^ r->prefix) & mask) == 0;
}

uint16_t sk_route_advmss(const struct synack_config *cfg, uint32_t remote, uint16_t mss, bool user)
{
    const struct synack_route *best = NULL;
    for (unsigned i = 0; i < cfg->nroutes && i < SYNACK_MAX_ROUTES; i++)
        if (covers(&cfg->routes[i], remote) &&
            (!best || cfg->routes[i].prefix_len > best->prefix_len))
            best = &cfg->routes[i];
    if (!best) return mss;
    return user && mss < best->advmss ? mss : best->advmss;
}
