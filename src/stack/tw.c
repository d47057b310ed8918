/* SPDX-License-Identifier: MIT */
#include "stack/tw.h"

#include "stack/stack_impl.h"
#include "tcp/state.h"

static unsigned bucket(const struct synack_stack *s, const struct synack_endpoint *l,
                       const struct synack_endpoint *r)
{
    return sk_conn_bucket(s, l, r);
}

static void list_unlink(struct sk_tw_table *t, struct sk_tw *tw)
{
    if (tw->older)
        tw->older->newer = tw->newer;
    else
        t->oldest = tw->newer;
    if (tw->newer)
        tw->newer->older = tw->older;
    else
        t->newest = tw->older;
    tw->older = tw->newer = NULL;
}

static void list_append(struct sk_tw_table *t, struct sk_tw *tw)
{
    /* Never expire before the newest: a record converted late (its application closed it
     * in TIME-WAIT) keeps the order by waiting a little longer, which TIME-WAIT allows. */
    if (t->newest && tw->expires < t->newest->expires) tw->expires = t->newest->expires;
    tw->older = t->newest;
    tw->newer = NULL;
    if (t->newest)
        t->newest->newer = tw;
    else
        t->oldest = tw;
    t->newest = tw;
}

void sk_tw_convert(struct synack_stack *s, struct sk_tcb *tcb)
{
    if (s->tw.count >= s->eng.cfg.max_time_wait) {
        /* Linux "time wait bucket table overflow": the connection just goes. */
        sk_count(&s->eng, SYNACK_CTR_TCP_TW_OVERFLOW);
        sk_tcp_close_with(&s->eng, tcb, 0);
        return;
    }
    struct sk_tw *tw = sk_mem_alloc(s, sizeof *tw, false);
    if (!tw) return; /* it stays a full control block */
    sk_tw_init(&s->eng, tw, tcb);
    /* The record takes over the local port and the connection's place in max_connections
     * (config.h). */
    tw->port_entry = tcb->port_entry;
    tw->port_hold = tcb->port_hold;
    tcb->port_entry = NULL;
    tcb->port_hold = SK_PORT_NONE;
    s->connections++;
    unsigned b = bucket(s, &tw->local, &tw->remote);
    tw->hash_next = s->tw.buckets[b];
    s->tw.buckets[b] = tw;
    list_append(&s->tw, tw);
    s->tw.count++;
    /* The control block goes without a state change: the connection lives on as the record
     * (and stays counted as alive). */
    sk_conn_kill(s, tcb);
}

struct sk_tw *sk_tw_lookup(const struct synack_stack *s, const struct synack_endpoint *local,
                           const struct synack_endpoint *remote)
{
    if (s->tw.count == 0) return NULL;
    for (struct sk_tw *t = s->tw.buckets[bucket(s, local, remote)]; t; t = t->hash_next)
        if (t->local.addr == local->addr && t->local.port == local->port &&
            t->remote.addr == remote->addr && t->remote.port == remote->port)
            return t;
    return NULL;
}

void sk_tw_requeue(struct synack_stack *s, struct sk_tw *tw)
{
    if (tw == s->tw.newest || !tw->newer || tw->expires <= tw->newer->expires) return;
    list_unlink(&s->tw, tw);
    list_append(&s->tw, tw);
}

void sk_tw_remove(struct synack_stack *s, struct sk_tw *tw)
{
    for (struct sk_tw **p = &s->tw.buckets[bucket(s, &tw->local, &tw->remote)]; *p;
         p = &(*p)->hash_next) {
        if (*p == tw) {
            *p = tw->hash_next;
            break;
        }
    }
    list_unlink(&s->tw, tw);
    s->tw.count--;
    s->connections--;
    sk_ports_drop(s, tw->port_entry, tw->port_hold);
    sk_mem_free(s, tw);
}

void sk_tw_expire(struct synack_stack *s, synack_time_t now)
{
    while (s->tw.oldest && s->tw.oldest->expires <= now) {
        struct sk_tw *tw = s->tw.oldest;
        sk_tw_closed(&s->eng, tw); /* RFC 9293 3.10.8: 2 MSL are over */
        sk_tw_remove(s, tw);
    }
}

synack_time_t sk_tw_earliest(const struct synack_stack *s)
{
    return s->tw.oldest ? s->tw.oldest->expires : SYNACK_TIME_NEVER;
}

void sk_tw_free_all(struct synack_stack *s)
{
    while (s->tw.oldest)
        sk_tw_remove(s, s->tw.oldest);
}
