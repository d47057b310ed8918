/* SPDX-License-Identifier: MIT */
#include "tcp/fastopen.h"

#include <string.h>
#include "tcp/engine.h"
#include "tcp/isn.h"
#include "tcp/listen.h"

const struct sk_tfo_entry *sk_tfo_lookup(const struct sk_tfo_cache *c, uint32_t addr)
{
    for (unsigned i = 0; i < SK_TFO_CACHE; i++)
        if (c->e[i].addr == addr && addr != 0) return &c->e[i];
    return NULL;
}

/* The entry for addr, made (over the least recently used one) if there is none. */
static struct sk_tfo_entry *tfo_slot(struct sk_tfo_cache *c, uint32_t addr)
{
    struct sk_tfo_entry *slot = NULL;
    for (unsigned i = 0; i < SK_TFO_CACHE && !slot; i++)
        if (c->e[i].addr == addr) slot = &c->e[i];
    for (unsigned i = 0; i < SK_TFO_CACHE && !slot; i++)
        if (c->e[i].addr == 0) slot = &c->e[i];
    if (!slot) {
        slot = &c->e[0];
        for (unsigned i = 1; i < SK_TFO_CACHE; i++)
            if (c->e[i].used < slot->used) slot = &c->e[i];
        memset(slot, 0, sizeof *slot);
    }
    slot->addr = addr;
    slot->used = ++c->tick;
    return slot;
}

void sk_tfo_client_syn(const struct sk_engine *eng, const struct sk_tcb *tcb,
                       struct sk_tfo_syn *out)
{
    memset(out, 0, sizeof *out);
    const struct sk_tfo_entry *e = sk_tfo_lookup(&eng->tfo, tcb->remote.addr);
    /* Linux tcp_send_syn_data: the MSS is the server's cached one (else ours), within our
     * own (TCP_MAXSEG included); the data leaves room for 40 bytes of options
     * (MAX_TCP_OPTION_SPACE), whatever this SYN's options are. */
    uint32_t mss = e && e->mss ? e->mss : tcb->our_mss;
    if (mss > tcb->our_mss) mss = tcb->our_mss;
    out->room = mss > 40 ? mss - 40 : 0;
    if (eng->cfg.fastopen_client_no_cookie || tcb->tfo_no_cookie) {
        out->data = true; /* Linux TFO_CLIENT_NO_COOKIE: data, no option */
        return;
    }
    out->option = true;
    if (e && e->len > 0) {
        out->data = true;
        out->len = e->len;
        out->exp = e->exp;
        out->cookie = e->cookie;
    } else {
        out->exp = e && e->try_exp == 1; /* tcp_fastopen_cache_get */
    }
}

void sk_tfo_client_synack(struct sk_engine *eng, const struct sk_tcb *tcb,
                          const struct sk_segment *seg)
{
    if (tcb->remote.addr == 0) return;
    const struct sk_tcp_options *o = &seg->h.opts;
    bool cookie =
        tcb->tfo_syn_opt && o->has_fastopen && o->fo_len >= 4 && o->fo_len <= SK_TCP_FO_COOKIE_MAX;
    struct sk_tfo_entry *e = tfo_slot(&eng->tfo, tcb->remote.addr);
    if (tcb->peer_mss) e->mss = tcb->peer_mss;
    if (cookie) {
        e->len = o->fo_len;
        e->exp = o->fo_exp;
        memcpy(e->cookie, o->fo_cookie, o->fo_len);
    } else if (tcb->tfo_syn_opt && tcb->snd_max == tcb->iss + 1 && !tcb->syn_retransmitted &&
               e->len == 0) {
        /* A request went unanswered: ask in the other format next time (Linux try_exp: the
         * experimental option after the RFC one, then back). */
        uint8_t next = tcb->tfo_syn_exp ? 2 : 1;
        if (next > e->try_exp) e->try_exp = next;
    }
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

bool sk_tfo_backup_key(const struct sk_engine *eng, const struct sk_tcb *listener, uint8_t out[16])
{
    const struct sk_listen *l = listener ? listener->listen : NULL;
    if (l && l->tfo_keyed) {
        if (!l->tfo_key[32]) return false;
        memcpy(out, l->tfo_key + 16, 16);
        return true;
    }
    if (!eng->cfg.fastopen_key_set || !eng->cfg.fastopen_backup_key_set) return false;
    memcpy(out, eng->cfg.fastopen_backup_key, 16);
    return true;
}

void sk_tfo_key(const struct sk_engine *eng, const struct sk_tcb *listener, uint8_t out[16])
{
    const struct sk_listen *l = listener ? listener->listen : NULL;
    if (l && l->tfo_keyed) {
        memcpy(out, l->tfo_key, 16);
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
    const struct sk_listen *l = listener->listen;
    if (!eng->cfg.fastopen_server || l->tfo_qlen == 0) return SK_TFO_NONE;
    if (seg->len == 0 && !o->has_fastopen) return SK_TFO_NONE;
    if (l->tfo_pending >= l->tfo_qlen) {
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
    /* RFC 7413 4.3 step 2: a valid cookie: the child is made now and takes the data. Valid
     * under the key or the backup key (Linux tcp_fastopen_cookie_gen_check tries both). */
    uint8_t backup[16], old_good[SK_TFO_COOKIE_LEN];
    bool under_backup = false;
    if (o->fo_len == SK_TFO_COOKIE_LEN && sk_tfo_backup_key(eng, listener, backup)) {
        sk_tfo_cookie(backup, seg->src.addr, seg->dst.addr, old_good);
        under_backup = memcmp(o->fo_cookie, old_good, sizeof old_good) == 0;
    }
    if (o->fo_len == SK_TFO_COOKIE_LEN &&
        (under_backup || memcmp(o->fo_cookie, good, sizeof good) == 0)) {
        sk_count(eng, SYNACK_CTR_TCP_FASTOPEN_PASSIVE);
        if (under_backup) {
            /* The client holds an old cookie: the SYN-ACK brings it the current one (Linux
             * tcp_try_fastopen: valid_foc). */
            reply->send = true;
            reply->exp = o->fo_exp;
            reply->len = SK_TFO_COOKIE_LEN;
            memcpy(reply->cookie, good, sizeof good);
        }
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
