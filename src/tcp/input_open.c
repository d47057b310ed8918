/* SPDX-License-Identifier: MIT */
/* Segment arrival in CLOSED, LISTEN and SYN-SENT (RFC 9293 3.10.7.1 - 3.10.7.3). */
#include <errno.h>
#include "tcp/cc.h"
#include "tcp/fastopen.h"
#include "tcp/rexmit.h"
#include "tcp/input.h"
#include "tcp/isn.h"
#include "tcp/listen.h"
#include "tcp/output.h"
#include "tcp/seq.h"
#include "tcp/state.h"
#include "tcp/syncookie.h"
#include "tcp/timers.h"
#include "tcp/tracepoints.h"

void sk_tcp_input_closed(struct sk_engine *eng, const struct sk_segment *seg)
{
    sk_drop(eng, SYNACK_CTR_TCP_NO_CONNECTION, seg);
    sk_tcp_send_reset_for(eng, seg);
}

void sk_tcp_take_syn(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_segment *seg)
{
    const struct sk_tcp_options *o = &seg->h.opts;
    /* The window our SYN offered (none yet for a listener's child) now starts at IRS + 1. */
    uint32_t offered = seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
    tcb->irs = seg->h.seq;
    tcb->rcv_nxt = seg->h.seq + 1;
    tcb->rcv_adv = tcb->rcv_nxt + offered;
    /* RFC 9293 3.7.1: without an MSS option assume 536; never above what we announced.
     * Linux clamps tiny values (TCP_MIN_MSS 88); we keep at least 64. */
    uint32_t mss = o->has_mss ? o->mss : eng->cfg.default_peer_mss;
    if (mss < 64) mss = 64;
    tcb->peer_mss = (uint16_t)mss;
    tcb->snd_mss = tcb->peer_mss < tcb->our_mss ? tcb->peer_mss : tcb->our_mss;
    /* A route may announce more than the config's MSS (advmss), but what we send stays
     * within the local MTU the config's MSS stands for (Linux: the route's advmss is only
     * announced; the path MTU bounds what is sent). */
    if (tcb->snd_mss > eng->cfg.mss) tcb->snd_mss = eng->cfg.mss;
    /* RFC 7323 2.2 / 2.3: scaling only if both SYNs carry the option; shifts over 14 are
     * used as 14. */
    if (o->has_wscale) {
        tcb->wscale_ok = true;
        tcb->snd_wscale = o->wscale > 14 ? 14 : o->wscale;
    } else {
        tcb->wscale_ok = false;
        tcb->snd_wscale = 0;
        tcb->rcv_wscale = 0;
    }
    /* RFC 7323 3.2: timestamps only if both SYNs carry them; RFC 2018 2: SACK likewise.
     * Our SYN offered both when configured; a SYN-ACK answers only what the SYN offered. */
    tcb->ts_ok = eng->cfg.timestamps && o->has_timestamp;
    if (tcb->ts_ok) tcb->ts_recent = o->ts_val;
    tcb->sack_ok = eng->cfg.sack && o->sack_permitted;
    /* RFC 3168 6.1.1: a SYN asking for ECN carries ECE and CWR, the SYN-ACK agreeing ECE
     * alone; a listener agrees when configured to (Linux tcp_ecn 1 or 2), an active opener
     * when it asked (1). A simultaneous open agrees on nothing. */
    uint8_t ecn_bits = seg->h.flags & (SYNACK_ECE | SYNACK_CWR);
    if (tcb->state == SYNACK_LISTEN)
        tcb->ecn_ok = eng->cfg.ecn != 0 && ecn_bits == (SYNACK_ECE | SYNACK_CWR);
    else
        tcb->ecn_ok = eng->cfg.ecn == 1 && !tcb->syn_retransmitted && (seg->h.flags & SYNACK_ACK) &&
                      ecn_bits == SYNACK_ECE;
    /* RFC 7323 / RFC 6691: the MSS counts no options; every segment now carries 12 bytes of
     * timestamp, so the payload shrinks (Linux tcp_current_mss). */
    if (tcb->ts_ok) tcb->snd_mss -= 12;
    /* RFC 7323 2.2: the window of a SYN is not scaled. */
    tcb->snd_wnd = seg->h.window;
    tcb->max_snd_wnd = tcb->snd_wnd;
    tcb->snd_wl1 = seg->h.seq;
    tcb->snd_wl2 = seg->h.ack;
    tcb->snd_edge = (seg->h.flags & SYNACK_ACK) ? seg->h.ack + tcb->snd_wnd : tcb->iss;
}

/* RFC 7413 4.3 step 2: a SYN with a valid cookie. The child takes the SYN's data now (the
 * SYN-ACK acknowledges it) and goes to the accept queue at once, still in SYN-RECEIVED, so
 * accept() and recv() return before the handshake completes (Linux tcp_fastopen_create_child:
 * the child is queued with inet_csk_reqsk_queue_add; cwnd is set up, as tcp_init_transfer
 * does there, for the data it may send before the ACK, RFC 7413 4.3). */
static void take_fastopen(struct sk_engine *eng, struct sk_tcb *listener, struct sk_tcb *child,
                          const struct sk_segment *seg)
{
    child->tfo_passive = true;
    child->tfo_counted = true;
    listener->listen->tfo_pending++;
    if (seg->len > 0) {
        /* The window our SYN-ACK will offer covers it (Linux tcp_fastopen_add_skb queues
         * the SYN's data as it is). */
        child->rcv_adv = child->rcv_nxt + seg->len;
        sk_tcp_take_text(eng, child, seg->h.seq + 1, seg->payload, seg->len, false);
        child->tfo_data = child->rcv_nxt != seg->h.seq + 1;
        child->tfo_fresh = true;
    }
    child->ack_now = false; /* the SYN-ACK carries the ACK */
    child->delack_at = SYNACK_TIME_NEVER;
    sk_cc_init(eng, child);
    eng->hooks.established(eng, child); /* into the accept queue */
}

void sk_tcp_input_listen(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_segment *seg)
{
    uint8_t flags = seg->h.flags;
    if (flags & SYNACK_RST) return; /* 3.10.7.2 first: an incoming RST is ignored */
    if (flags & SYNACK_ACK) {
        /* The ACK of a SYN cookie (RFC 4987 3.6) opens the connection. */
        if (sk_tcp_cookie_ack(eng, tcb, seg)) return;
        /* Second: any acknowledgment is bad in LISTEN: <SEQ=SEG.ACK><CTL=RST>. This is also
         * how a half-open connection that was given up answers the peer's late data. */
        sk_drop(eng, SYNACK_CTR_TCP_NO_CONNECTION, seg);
        sk_tcp_send_reset_for(eng, seg);
        return;
    }
    if (!(flags & SYNACK_SYN)) {
        sk_drop(eng, SYNACK_CTR_TCP_BAD_SYN, seg);
        return; /* fourth: other text or control, drop */
    }
    if (flags & SYNACK_FIN) {
        /* RFC 9293 3.10.7.2 would take the SYN and leave the FIN for later; Linux drops a
         * SYN with FIN in LISTEN (tcp_rcv_state_process: SKB_DROP_REASON_TCP_FLAGS), as the
         * FreeBSD suite's "listen-dropping" scripts expect. */
        sk_drop(eng, SYNACK_CTR_TCP_BAD_SYN, seg);
        return;
    }
    /* Third: SYN. Data on the SYN is not queued (as Linux) unless Fast Open takes it
     * (RFC 7413 4.3): otherwise the peer sends it again after the handshake. */
    /* The SYN queue is full (or cookies are always on): answer statelessly (no Fast Open
     * then, as Linux tcp_conn_request: want_cookie skips tcp_try_fastopen). */
    if (sk_tcp_cookie_wanted(eng, tcb) && sk_tcp_cookie_synack(eng, tcb, seg)) return;
    struct sk_tfo_reply fo;
    enum sk_tfo_verdict tfo = sk_tfo_server_syn(eng, tcb, seg, &fo);
    struct sk_tcb *child = eng->hooks.spawn(eng, tcb, seg, false);
    if (!child) return;           /* counted by the stack (backlog or memory) */
    child->state = SYNACK_LISTEN; /* a child starts as a copy of its listener */
    sk_tcp_take_syn(eng, child, seg);
    /* RFC 6528 ISN; a SYN that ended a TIME-WAIT starts past the old incarnation's
     * sequence space (Linux: tw_snd_nxt + 65535 + 2), so old duplicates can't fit. */
    child->iss = seg->isn_hint ? seg->isn_hint : sk_engine_isn(eng, &child->local, &child->remote);
    child->ts_offset = sk_ts_offset(eng->cfg.secret, &child->local, &child->remote);
    child->snd_una = child->rtx_end = child->iss;
    child->snd_nxt = child->iss;
    child->snd_max = child->iss;
    child->snd_sml = child->iss;
    child->snd_buf_seq = child->iss + 1;
    child->rtt_timing = true; /* time the SYN-ACK */
    child->rtt_seq = child->iss;
    child->rtt_start = eng->now;
    sk_tcp_set_state(eng, child, SYNACK_SYN_RECEIVED);
    if (tfo == SK_TFO_ACCEPT) take_fastopen(eng, tcb, child, seg);
    eng->tfo_reply = fo;
    eng->tfo_reply_to = fo.send ? child : NULL;
    sk_tcp_output(eng, child); /* <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> */
    eng->tfo_reply_to = NULL;
}

void sk_tcp_syn_acked(struct sk_engine *eng, struct sk_tcb *tcb)
{
    /* RFC 6675 HighRxt starts at the first data byte: a sequence number compares only
     * within 2^31 of another, and 0 would read as ahead of half of all ISNs (pipe and RACK
     * then took everything as retransmitted: fast_recovery/prr-ss-10pkt-lost-1 failed or
     * passed with the ISN). */
    tcb->high_rxt = tcb->iss + 1;
    tcb->syn_acked = true;
    if (tcb->rtt_timing && !tcb->syn_retransmitted) {
        sk_rtt_sample(&tcb->rtt, eng->now - tcb->rtt_start, eng->cfg.rto_min, eng->cfg.rto_max);
        sk_trace_rtt(eng, tcb, eng->now - tcb->rtt_start);
    }
    tcb->rtt_timing = false;
    /* RFC 6298 5.7: the handshake was retransmitted and nothing was measured: RTO for data
     * starts at 3 s (Linux TCP_TIMEOUT_FALLBACK). */
    if (tcb->syn_retransmitted && !tcb->rtt.has_sample && tcb->rtt.rto < SYNACK_SEC(3))
        tcb->rtt.rto = SYNACK_SEC(3);
    tcb->backoff = 0;
    tcb->last_ack_at = eng->now;
    tcb->rto_at = SYNACK_TIME_NEVER;
    sk_cc_init(eng, tcb);
}

void sk_tcp_input_syn_sent(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_segment *seg)
{
    uint8_t flags = seg->h.flags;
    uint32_t ack = seg->h.ack;
    bool ack_ok = false;
    if (flags & SYNACK_ACK) {
        /* 3.10.7.3 first: an ACK outside ISS < SEG.ACK =< SND.NXT draws a reset. */
        if (seq_leq(ack, tcb->iss) || seq_gt(ack, tcb->snd_max)) {
            if (!(flags & SYNACK_RST)) sk_tcp_send_reset_for(eng, seg);
            sk_drop(eng, SYNACK_CTR_TCP_HANDSHAKE_BAD_ACK, seg);
            return;
        }
        ack_ok = seq_lt(tcb->snd_una, ack) && seq_leq(ack, tcb->snd_max);
        /* A timestamp echo that is not one of ours, between our first SYN and now, shows an
         * old or forged SYN-ACK: reset it and stay in SYN-SENT (RFC 7323 leaves this open;
         * Linux tcp_rcv_synsent_state_process, PAWSActiveRejected). */
        const struct sk_tcp_options *o = &seg->h.opts;
        uint32_t first = (uint32_t)(tcb->rtt_start / 1000000u) + tcb->ts_offset;
        uint32_t now = (uint32_t)(eng->now / 1000000u) + tcb->ts_offset;
        if (ack_ok && !(flags & SYNACK_RST) && eng->cfg.timestamps && o->has_timestamp &&
            o->ts_ecr != 0 && (seq_lt(o->ts_ecr, first) || seq_gt(o->ts_ecr, now))) {
            sk_tcp_send_reset_for(eng, seg);
            sk_drop(eng, SYNACK_CTR_TCP_PAWS, seg);
            return;
        }
    }
    if (flags & SYNACK_RST) {
        /* Second: a RST is valid only with an acceptable ACK (RFC 5961 3.2 keeps this). */
        if (ack_ok)
            sk_tcp_close_with(eng, tcb, -ECONNREFUSED);
        else
            sk_drop(eng, SYNACK_CTR_TCP_RST_IGNORED, seg);
        return;
    }
    if (!(flags & SYNACK_SYN)) {
        sk_drop(eng, SYNACK_CTR_TCP_BAD_SYN, seg);
        return; /* fifth: neither SYN nor RST: drop */
    }
    /* Fourth: SYN. */
    sk_tcp_take_syn(eng, tcb, seg);
    uint32_t syn_data = tcb->snd_max - (tcb->iss + 1); /* bytes our first SYN carried */
    if (tcb->tfo_syn_opt || syn_data > 0) sk_tfo_client_synack(eng, tcb, seg);
    if (ack_ok) {
        /* RFC 7413 4.2.2: data in our SYN may be acknowledged in whole, in part or not at
         * all; what is not goes again at once, carrying the handshake's ACK (Linux
         * tcp_rcv_fastopen_synack: marked lost and retransmitted, no separate ACK). */
        uint32_t acked = ack - (tcb->iss + 1);
        if (acked > tcb->sndbuf.len) acked = tcb->sndbuf.len;
        sk_tcp_sndbuf_consume(eng, tcb, acked);
        tcb->snd_buf_seq += acked;
        tcb->bytes_acked += acked;
        tcb->snd_nxt = ack;
        tcb->snd_una = ack;
        tcb->tfo_data = syn_data > 0 && acked == syn_data; /* Linux syn_data_acked */
        tcb->delivered++; /* the SYN, with the data it carried (Linux counts SYN-data once) */
        sk_tcp_syn_acked(eng, tcb);
        sk_tcp_set_state(eng, tcb, SYNACK_ESTABLISHED);
        tcb->ack_now = true;               /* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
        tcb->lrcv_us = sk_tcp_now_us(eng); /* Linux tcp_finish_connect */
        /* Data queued beyond what the SYN carried (Linux: a writer waits for the handshake,
         * sk_write_pending): it carries this ACK, and quick-ACK mode begins. */
        if (tcb->sndbuf.len > tcb->snd_max - tcb->snd_buf_seq) sk_tcp_enter_quickack(tcb);
        if (seg->len > 0 || (flags & SYNACK_FIN))
            sk_tcp_take_text(eng, tcb, seg->h.seq + 1, seg->payload, seg->len,
                             (flags & SYNACK_FIN) != 0);
        if (seq_lt(ack, tcb->snd_max)) {
            sk_why(eng, SYNACK_CAUSE_FASTOPEN, 0);
            uint32_t n = sk_tcp_retransmit(eng, tcb, ack, tcb->snd_max - ack);
            sk_why(eng, SYNACK_CAUSE_NONE, 0);
            tcb->snd_nxt = ack + n;
            if (tcb->rto_at == SYNACK_TIME_NEVER) sk_tcp_arm_rto(eng, tcb);
        }
        sk_tcp_output(eng, tcb);
        return;
    }
    /* Simultaneous open: SYN-RECEIVED, send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. Text in
     * the SYN is not queued (as Linux). */
    sk_tcp_set_state(eng, tcb, SYNACK_SYN_RECEIVED);
    tcb->snd_nxt = tcb->iss;
    /* Our SYN's sequence number goes again, now with the ACK: an opening segment, not a
     * retransmission (Linux tcp_send_synack, not counted in TCPRetransSegs). */
    sk_why(eng, SYNACK_CAUSE_OPEN, 0);
    sk_tcp_output(eng, tcb);
    sk_why(eng, SYNACK_CAUSE_NONE, 0);
}

void sk_tcp_input(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_segment *seg)
{
    tcb->segments_in++;
    if (tcb->keepalive) {
        /* The peer is alive: RFC 1122 4.2.3.6 probes only after a silence. */
        tcb->ka_probes = 0;
        tcb->ka_at = eng->now + sk_tcp_ka_idle(eng, tcb);
    }
    uint32_t cwnd = tcb->cwnd, ssthresh = tcb->ssthresh;
    switch (tcb->state) {
    case SYNACK_LISTEN:
        sk_tcp_input_listen(eng, tcb, seg);
        return;
    case SYNACK_SYN_SENT:
        sk_tcp_input_syn_sent(eng, tcb, seg);
        break;
    case SYNACK_CLOSED:
        sk_tcp_input_closed(eng, seg);
        return;
    default:
        sk_tcp_input_synchronized(eng, tcb, seg);
        break;
    }
    if (tcb->cwnd != cwnd || tcb->ssthresh != ssthresh) sk_trace_cwnd(eng, tcb);
}
