/* SPDX-License-Identifier: MIT */
#include "tcp/fastopen.h"

#include <string.h>

const struct sk_tfo_entry *sk_tfo_lookup(const struct sk_tfo_cache *c, uint32_t addr)
{
    for (unsigned i = 0; i < SK_TFO_CACHE; i++)
        if (c->e[i].addr == addr && addr != 0 && c->e[i].len > 0) return &c->e[i];
    return NULL;
}

void sk_tfo_store(struct sk_tfo_cache *c, uint32_t addr, const uint8_t *cookie, uint8_t len,
                  uint16_t mss)
{
    if (addr == 0 || len < 4 || len > SK_TCP_FO_COOKIE_MAX) return;
    struct sk_tfo_entry *slot = NULL;
    for (unsigned i = 0; i < SK_TFO_CACHE && !slot; i++)
        if (c->e[i].addr == addr) slot = &c->e[i];
    for (unsigned i = 0; i < SK_TFO_CACHE && !slot; i++)
        if (c->e[i].addr == 0) slot = &c->e[i];
    if (!slot) {
        slot = &c->e[0];
        for (unsigned i = 1; i < SK_TFO_CACHE; i++)
            if (c->e[i].used < slot->used) slot = &c->e[i];
    }
    slot->addr = addr;
    slot->mss = mss;
    slot->len = len;
    memcpy(slot->cookie, cookie, len);
    slot->used = ++c->tick;
}
