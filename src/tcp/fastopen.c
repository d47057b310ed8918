/* SPDX-License-Identifier: MIT */
#include "tcp/fastopen.h"

#include <string.h>
#include "tcp/engine.h"
#include "tcp/isn.h"

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

void sk_tfo_cookie(const uint8_t key[16], uint32_t saddr, uint32_t daddr,
                   uint8_t out[SK_TFO_COOKIE_LEN])
{
    uint8_t in[8];
    for (int i = 0; i < 4; i++) {
        in[i] = (uint8_t)(saddr >> (24 - 8 * i));
        in[4 + i] = (uint8_t)(daddr >> (24 - 8 * i));
    }
    uint64_t h = sk_siphash(key, in, sizeof in);
    for (int i = 0; i < SK_TFO_COOKIE_LEN; i++)
        out[i] = (uint8_t)(h >> (8 * i)); /* Linux: cpu_to_le64(siphash(...)) */
}

void sk_tfo_key(const struct sk_engine *eng, const struct sk_tcb *listener, uint8_t out[16])
{
    if (listener && listener->tfo_key) {
        memcpy(out, listener->tfo_key, 16);
    } else if (eng->cfg.fastopen_key_set) {
        memcpy(out, eng->cfg.fastopen_key, 16);
    } else {
        /* Derived from the secret under a label of its own, so a cookie reveals nothing
         * about the ISN or SYN cookie keys. */
        static const uint8_t label[2][8] = {"tfo-key0", "tfo-key1"};
        for (int k = 0; k < 2; k++) {
            uint64_t h = sk_siphash(eng->cfg.secret, label[k], sizeof label[k]);
            for (int i = 0; i < 8; i++)
                out[8 * k + i] = (uint8_t)(h >> (8 * i));
        }
    }
}

enum sk_tfo_verdict sk_tfo_server_syn(struct sk_engine *eng, const struct sk_tcb *listener,
                                      const struct sk_segment *seg, struct sk_tfo_reply *reply)
{
    const struct sk_tcp_options *o = &seg->h.opts;
    memset(reply, 0, sizeof *reply);
    /* RFC 7413 4.1.1: an empty option asks for a cookie (Linux TCPFastOpenCookieReqd). */
    if (o->has_fastopen && o->fo_len == 0) sk_count(eng, SYNACK_CTR_TCP_FASTOPEN_COOKIE_REQ);
    /* Linux tcp_try_fastopen: the server must be on, the SYN must carry data or the option,
     * and the listener must allow Fast Open (its qlen, RFC 7413 5.1's limit on pending
     * Fast Open requests). */
    if (!eng->cfg.fastopen_server || listener->tfo_qlen == 0) return SK_TFO_NONE;
    if (seg->len == 0 && !o->has_fastopen) return SK_TFO_NONE;
    if (listener->tfo_pending >= listener->tfo_qlen) {
        /* RFC 7413 5.1: over the limit, fall back to a plain 3-way handshake, with no
         * cookie either (Linux TCPFastOpenListenOverflow). */
        sk_count(eng, SYNACK_CTR_TCP_FASTOPEN_LISTEN_OVERFLOW);
        return SK_TFO_NONE;
    }
    /* Linux TFO_SERVER_COOKIE_NOT_REQD (0x200): data is taken without a cookie, and none
     * is sent. */
    if (eng->cfg.fastopen_no_cookie) {
        sk_count(eng, SYNACK_CTR_TCP_FASTOPEN_PASSIVE);
        return SK_TFO_ACCEPT;
    }
    if (!o->has_fastopen) return SK_TFO_NONE;
    uint8_t key[16], good[SK_TFO_COOKIE_LEN];
    sk_tfo_key(eng, listener, key);
    sk_tfo_cookie(key, seg->src.addr, seg->dst.addr, good);
    /* RFC 7413 4.3 step 2: a valid cookie: the child is made now and takes the data. */
    if (o->fo_len == SK_TFO_COOKIE_LEN && memcmp(o->fo_cookie, good, sizeof good) == 0) {
        sk_count(eng, SYNACK_CTR_TCP_FASTOPEN_PASSIVE);
        return SK_TFO_ACCEPT;
    }
    /* RFC 7413 4.3 step 1 (a request) and step 3 (an invalid cookie: the data is dropped,
     * only the SYN is acknowledged): the SYN-ACK carries a fresh cookie, in the option's
     * form the SYN used. */
    if (o->fo_len > 0) sk_count(eng, SYNACK_CTR_TCP_FASTOPEN_PASSIVE_FAIL);
    reply->send = true;
    reply->exp = o->fo_exp;
    reply->len = SK_TFO_COOKIE_LEN;
    memcpy(reply->cookie, good, sizeof good);
    return SK_TFO_NONE;
}
