/* SPDX-License-Identifier: MIT */
#include "tcp/timewait.h"

#include <string.h>
#include "tcp/output.h"
#include "tcp/seq.h"
#include "tcp/state.h"

void sk_tw_init(struct sk_engine *eng, struct sk_tw *tw, const struct sk_tcb *tcb)
{
    (void)eng;
    memset(tw, 0, sizeof *tw);
    tw->local = tcb->local;
    tw->remote = tcb->remote;
    tw->expires = tcb->close_at;
    tw->snd_nxt = tcb->snd_max;
    tw->rcv_nxt = tcb->rcv_nxt;
    tw->ts_ok = tcb->ts_ok;
    tw->ts_recent = tcb->ts_recent;
    tw->ts_offset = tcb->ts_offset;
    /* The window last offered, as the field carries it (Linux tw_rcv_wnd). */
    uint32_t wnd = sk_tcp_offered_window(tcb) >> tcb->rcv_wscale;
    tw->window = (uint16_t)(wnd > 65535 ? 65535 : wnd);
    tw->last_answer = tcb->last_oow_answer;
    tw->answered = tcb->oow_answered;
}

/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> with the timestamp (Linux tcp_v4_timewait_ack). */
static void send_ack(struct sk_engine *eng, const struct sk_tw *tw)
{
    struct sk_tcp_header h;
    memset(&h, 0, sizeof h);
    h.sport = tw->local.port;
    h.dport = tw->remote.port;
    h.seq = tw->snd_nxt;
    h.ack = tw->rcv_nxt;
    h.flags = SYNACK_ACK;
    h.window = tw->window;
    if (tw->ts_ok) {
        h.opts.has_timestamp = true;
        h.opts.ts_val = (uint32_t)(eng->now / 1000000u) + tw->ts_offset;
        h.opts.ts_ecr = tw->ts_recent;
    }
    sk_tcp_send_header(eng, &tw->local, &tw->remote, &h);
}

/* Linux tcp_timewait_check_oow_rate_limit: data (without SYN) is always answered, anything
 * else at most once per challenge_ack_interval. */
static void answer(struct sk_engine *eng, struct sk_tw *tw, const struct sk_segment *seg)
{
    bool data = seg->len > 0 || (seg->h.flags & SYNACK_FIN);
    if (!data || (seg->h.flags & SYNACK_SYN)) {
        if (tw->answered && eng->now - tw->last_answer < eng->cfg.challenge_ack_interval) {
            sk_count(eng, SYNACK_CTR_TCP_ACK_SKIPPED_TIME_WAIT);
            return;
        }
        tw->answered = true;
        tw->last_answer = eng->now;
    }
    send_ack(eng, tw);
}

enum sk_tw_verdict sk_tw_input(struct sk_engine *eng, struct sk_tw *tw,
                               const struct sk_segment *seg)
{
    uint8_t flags = seg->h.flags;
    uint32_t seq = seg->h.seq;
    uint32_t end = seq + seg->len + !!(flags & SYNACK_SYN) + !!(flags & SYNACK_FIN);
    const struct sk_tcp_options *o = &seg->h.opts;
    bool ts = tw->ts_ok && o->has_timestamp;
    /* RFC 7323 5.3 (PAWS); a RST is exempt. */
    bool paws_reject = ts && !(flags & SYNACK_RST) && seq_lt(o->ts_val, tw->ts_recent);
    synack_time_t twolen = 2 * eng->cfg.msl;
    if (!paws_reject && seq == tw->rcv_nxt && (seq == end || (flags & SYNACK_RST))) {
        /* In the window: only a RST or a bare ACK can be. A RST ends TIME-WAIT (Linux's
         * default; RFC 1337 would ignore it); a bare ACK restarts the 2 MSL (Linux
         * inet_twsk_reschedule) and is not answered. */
        if (flags & SYNACK_RST) {
            if (!eng->cfg.rfc1337) return SK_TW_KILL;
            sk_drop(eng, SYNACK_CTR_TCP_RST_IGNORED, seg); /* RFC 1337: ignored */
            return SK_TW_KEEP;
        }
        tw->expires = eng->now + twolen;
        if (ts && seq_geq(o->ts_val, tw->ts_recent)) tw->ts_recent = o->ts_val;
        return SK_TW_KEEP;
    }
    /* RFC 9293 3.10.7.4 note, RFC 6191: a new SYN above the old sequence space (or with a
     * newer timestamp) may start a new incarnation. */
    if ((flags & SYNACK_SYN) && !(flags & (SYNACK_RST | SYNACK_ACK)) && !paws_reject &&
        (seq_gt(seq, tw->rcv_nxt) || (ts && seq_gt(o->ts_val, tw->ts_recent))))
        return SK_TW_SYN;
    if (paws_reject) sk_drop(eng, SYNACK_CTR_TCP_PAWS, seg);
    if (flags & SYNACK_RST) {
        sk_drop(eng, SYNACK_CTR_TCP_RST_IGNORED, seg);
        return SK_TW_KEEP;
    }
    /* Everything else out of the window, a retransmitted FIN first of all, is answered with
     * an ACK and restarts the 2 MSL if it has ACK (or failed PAWS). */
    if (!paws_reject)
        sk_drop(eng,
                seq_lt(seq, tw->rcv_nxt) ? SYNACK_CTR_TCP_DUPLICATE : SYNACK_CTR_TCP_OUT_OF_WINDOW,
                seg);
    if (paws_reject || (flags & SYNACK_ACK)) tw->expires = eng->now + twolen;
    answer(eng, tw, seg);
    return SK_TW_KEEP;
}

void sk_tw_closed(struct sk_engine *eng, const struct sk_tw *tw)
{
    eng->live--;
    sk_tcp_trace_state(eng, &tw->local, &tw->remote, SYNACK_TIME_WAIT, SYNACK_CLOSED);
}
