/* SPDX-License-Identifier: MIT */
#include "tcp/rack.h"

#include <string.h>
#include "tcp/mem.h"
#include "tcp/sack.h"
#include "tcp/seq.h"
#include "tcp/tracepoints.h"

static uint32_t now_us(const struct sk_engine *eng)
{
    return (uint32_t)(eng->now / 1000u);
}

/* a after b on the 32-bit microsecond clock. */
static bool t_after(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

/* The connection's log, taken at its first data (NULL: no memory; RFC 6675's rule alone
 * then, nothing worse). */
static struct sk_rack_log *log_of(struct sk_engine *eng, struct sk_tcb *tcb)
{
    if (!tcb->rack_log) {
        struct sk_rack_log *l = sk_mem_take(&eng->mem, sizeof *l);
        if (!l) return NULL;
        memset(l, 0, sizeof *l);
        /* The loss edge starts at SND.UNA: a sequence number compares only within 2^31 of
         * another, and 0 would read as ahead of half of all SND.UNA values (the flakiness
         * of fast_recovery/prr-ss-10pkt-lost-1: it followed the ISN). */
        l->lost = tcb->snd_una;
        tcb->rack_log = l;
    }
    return tcb->rack_log;
}

void sk_rack_sent(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t seq, uint32_t len)
{
    if (!tcb->sack_ok || len == 0) return;
    struct sk_rack_log *l = log_of(eng, tcb);
    if (!l) return;
    uint32_t t = now_us(eng);
    if (seq_lt(seq, tcb->snd_max)) {
        l->rxt_us = t; /* a repeat: below HighRxt, sent now */
        l->rxt_valid = true;
        return;
    }
    if (l->count > 0) {
        unsigned last = (l->head + l->count - 1) % SK_RACK_LOG;
        if (l->r[last].t_us == t) {
            l->r[last].end = seq + len; /* the same instant: one stretch */
            return;
        }
    }
    if (l->count == SK_RACK_LOG) {
        /* Full: the oldest stretch joins the next, taking its later time (its losses are
         * then found a little later, never earlier). */
        l->head = (l->head + 1) % SK_RACK_LOG;
        l->count--;
    }
    unsigned at = (l->head + l->count) % SK_RACK_LOG;
    l->r[at].end = seq + len;
    l->r[at].t_us = t;
    l->count++;
}

/* When the byte before `end` was first sent: the stretch holding it. False if unknown. */
static bool sent_time(const struct sk_rack_log *l, uint32_t end, uint32_t *t)
{
    for (unsigned i = 0; i < l->count; i++) {
        unsigned k = (l->head + i) % SK_RACK_LOG;
        if (seq_geq(l->r[k].end, end)) {
            *t = l->r[k].t_us;
            return true;
        }
    }
    return false;
}

/* RFC 8985 6.2 step 2: the most recently sent of the delivered segments. */
static void advance(struct sk_rack_log *l, uint32_t now, uint32_t t, uint32_t end)
{
    if (l->valid && !(t_after(t, l->xmit_us) || (t == l->xmit_us && seq_gt(end, l->end)))) return;
    l->valid = true;
    l->xmit_us = t;
    l->end = end;
    l->rtt_us = now - t;
}

/* A delivered range [from, to): originals by the log, a repeat by its time, unless its ACK
 * may be the original's (RFC 8985 6.2 step 1: an RTT below the minimum is ambiguous). */
static void delivered(struct sk_engine *eng, struct sk_tcb *tcb, struct sk_rack_log *l,
                      uint32_t from, uint32_t to, uint32_t rxt_end)
{
    uint32_t now = now_us(eng), t;
    if (l->rxt_valid && seq_lt(from, rxt_end)) {
        uint32_t end = seq_lt(to, rxt_end) ? to : rxt_end;
        if ((uint64_t)(now - l->rxt_us) * 1000u >= tcb->rtt.min) advance(l, now, l->rxt_us, end);
    }
    if (seq_gt(to, rxt_end) && sent_time(l, to, &t)) advance(l, now, t, to);
}

/* RFC 8985 6.2 step 4 with Linux's reordering window (tcp_rack_reo_wnd): none while no
 * reordering was seen and the SACKs already make three duplicates or recovery is on; else
 * a quarter of the minimum RTT, at most SRTT. */
static uint32_t reo_wnd_us(const struct sk_tcb *tcb, const struct sk_rack_log *l)
{
    if (!l->reord_seen) {
        uint32_t mss = tcb->snd_mss ? tcb->snd_mss : 1;
        if (tcb->in_recovery || sk_sack_bytes(tcb) >= 3u * mss) return 0;
    }
    uint64_t w = tcb->rtt.min / 4000u, srtt = tcb->rtt.srtt / 1000u;
    if (w > srtt) w = srtt;
    return (uint32_t)w;
}

static bool detect(struct sk_engine *eng, struct sk_tcb *tcb)
{
    bool was = tcb->rack_at != SYNACK_TIME_NEVER;
    tcb->rack_at = SYNACK_TIME_NEVER;
    struct sk_rack_log *l = tcb->rack_log;
    if (!l || !l->valid) return false;
    uint32_t before = sk_rack_lost_offset(tcb), now = now_us(eng), reo = reo_wnd_us(tcb, l);
    uint32_t edge = seq_gt(l->lost, tcb->snd_una) ? l->lost : tcb->snd_una;
    for (unsigned i = 0; i < l->count; i++) {
        unsigned k = (l->head + i) % SK_RACK_LOG;
        uint32_t t = l->r[k].t_us, end = l->r[k].end;
        /* Sent before RACK's segment: earlier, or at the same time lower in sequence. */
        if (t_after(t, l->xmit_us)) break;
        if (t == l->xmit_us && seq_gt(end, l->end)) end = l->end;
        if (!seq_gt(end, edge)) continue;
        uint32_t deadline = t + l->rtt_us + reo;
        if (t_after(deadline, now)) {
            /* Not yet: the reordering timer looks again then (RFC 8985 6.3). */
            tcb->rack_at = eng->now + (synack_time_t)(deadline - now) * 1000u;
            if (!was) sk_trace_timer_set(eng, tcb, SYNACK_TIMER_REORDER, tcb->rack_at);
            break;
        }
        edge = end;
        if (t == l->xmit_us) break;
    }
    if (seq_gt(edge, tcb->snd_max)) edge = tcb->snd_max;
    l->lost = edge;
    return sk_rack_lost_offset(tcb) > before;
}

void sk_rack_on_ack(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t una_before,
                    uint32_t sack_high, bool had_sacks)
{
    struct sk_rack_log *l = tcb->rack_log;
    if (!tcb->sack_ok || !l) return;
    uint32_t rxt_end = seq_gt(tcb->high_rxt, una_before) ? tcb->high_rxt : una_before;
    if (seq_gt(tcb->snd_una, una_before)) {
        delivered(eng, tcb, l, una_before, tcb->snd_una, rxt_end);
        /* A hole filled by bytes never sent again, above which bytes were SACKed: they
         * came late, not lost (Linux tcp_check_sack_reordering). */
        if (had_sacks && !seq_gt(rxt_end, una_before)) l->reord_seen = true;
    }
    if (sack_high && seq_gt(sack_high, tcb->snd_una))
        delivered(eng, tcb, l, tcb->snd_una, sack_high, rxt_end);
    /* The edge never trails SND.UNA (so it cannot wrap around the sequence space). */
    if (!seq_gt(l->lost, tcb->snd_una)) l->lost = tcb->snd_una;
    while (l->count > 0 && seq_leq(l->r[l->head].end, tcb->snd_una)) {
        l->head = (l->head + 1) % SK_RACK_LOG;
        l->count--;
    }
    if (tcb->snd_una == tcb->snd_max) {
        l->rxt_valid = false;
        tcb->rack_at = SYNACK_TIME_NEVER;
        return;
    }
    detect(eng, tcb);
}

void sk_rack_note_reordering(struct sk_tcb *tcb)
{
    if (tcb->rack_log) tcb->rack_log->reord_seen = true;
}

bool sk_rack_timeout(struct sk_engine *eng, struct sk_tcb *tcb)
{
    return detect(eng, tcb);
}

uint32_t sk_rack_lost_offset(const struct sk_tcb *tcb)
{
    const struct sk_rack_log *l = tcb->rack_log;
    if (!l || !l->valid || !seq_gt(l->lost, tcb->snd_una)) return 0;
    uint32_t end = seq_lt(l->lost, tcb->snd_max) ? l->lost : tcb->snd_max;
    return end - tcb->snd_una;
}

void sk_rack_reset(struct sk_tcb *tcb)
{
    tcb->rack_at = SYNACK_TIME_NEVER;
    if (tcb->rack_log) tcb->rack_log->lost = tcb->snd_una;
}

void sk_rack_free(struct sk_engine *eng, struct sk_tcb *tcb)
{
    if (tcb->rack_log) sk_mem_give(&eng->mem, tcb->rack_log, sizeof *tcb->rack_log);
    tcb->rack_log = NULL;
    tcb->rack_at = SYNACK_TIME_NEVER;
}
