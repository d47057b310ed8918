/* SPDX-License-Identifier: MIT */
#include "tcp/isn.h"

#include "tcp/engine.h"

static uint64_t rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = rotl(v1, 13);                                                                         \
        v1 ^= v0;                                                                                  \
        v0 = rotl(v0, 32);                                                                         \
        v2 += v3;                                                                                  \
        v3 = rotl(v3, 16);                                                                         \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = rotl(v3, 21);                                                                         \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = rotl(v1, 17);                                                                         \
        v1 ^= v2;                                                                                  \
        v2 = rotl(v2, 32);                                                                         \
    } while (0)

uint64_t sk_siphash(const uint8_t key[16], const uint8_t *data, uint32_t len)
{
    uint64_t k0 = load64(key), k1 = load64(key + 8);
    uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
    uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
    uint32_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t m = load64(data + i);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t b = (uint64_t)len << 56;
    for (uint32_t k = 0; i + k < len; k++)
        b |= (uint64_t)data[i + k] << (8 * k);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

static uint32_t put_endpoint(uint8_t *p, const struct synack_endpoint *e)
{
    p[0] = (uint8_t)(e->addr >> 24);
    p[1] = (uint8_t)(e->addr >> 16);
    p[2] = (uint8_t)(e->addr >> 8);
    p[3] = (uint8_t)e->addr;
    p[4] = (uint8_t)(e->port >> 8);
    p[5] = (uint8_t)e->port;
    return 6;
}

uint32_t sk_isn(const uint8_t key[16], const struct synack_endpoint *local,
                const struct synack_endpoint *remote, synack_time_t now)
{
    uint8_t buf[12];
    put_endpoint(buf, local);
    put_endpoint(buf + 6, remote);
    uint32_t f = (uint32_t)sk_siphash(key, buf, sizeof buf);
    uint32_t m = (uint32_t)(now / 4000); /* RFC 6528: M ticks every 4 microseconds */
    return m + f;
}

static const uint8_t *isn_key(struct sk_isn_key *cache, const uint8_t secret[16],
                              synack_time_t interval, synack_time_t now)
{
    if (interval == 0) return secret;
    uint64_t epoch = now / interval;
    if (cache->valid && cache->epoch == epoch) return cache->key;
    uint8_t buf[9];
    for (int i = 0; i < 8; i++)
        buf[i] = (uint8_t)(epoch >> (8 * i));
    for (int half = 0; half < 2; half++) {
        buf[8] = (uint8_t)(0xe0 + half); /* domain separation from the other hashes */
        uint64_t h = sk_siphash(secret, buf, sizeof buf);
        for (int i = 0; i < 8; i++)
            cache->key[8 * half + i] = (uint8_t)(h >> (8 * i));
    }
    cache->epoch = epoch;
    cache->valid = true;
    return cache->key;
}

uint32_t sk_engine_isn(struct sk_engine *eng, const struct synack_endpoint *local,
                       const struct synack_endpoint *remote)
{
    const uint8_t *key =
        isn_key(&eng->isn_key, eng->cfg.secret, eng->cfg.isn_rekey_interval, eng->now);
    return sk_isn(key, local, remote, eng->now);
}

uint32_t sk_ts_offset(const uint8_t key[16], const struct synack_endpoint *local,
                      const struct synack_endpoint *remote)
{
    uint8_t buf[13];
    put_endpoint(buf, local);
    put_endpoint(buf + 6, remote);
    buf[12] = 0x75; /* domain separation from sk_isn */
    return (uint32_t)sk_siphash(key, buf, sizeof buf);
}

uint32_t sk_port_offset(const uint8_t key[16], uint32_t local_addr,
                        const struct synack_endpoint *remote)
{
    uint8_t buf[11];
    struct synack_endpoint l = {local_addr, 0};
    put_endpoint(buf, &l);
    put_endpoint(buf + 4, remote); /* overlaps the unused local port bytes */
    buf[10] = 0x5a;                /* domain separation from sk_isn */
    return (uint32_t)(sk_siphash(key, buf, sizeof buf) >> 32);
}
