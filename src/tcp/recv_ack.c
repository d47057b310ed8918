/* SPDX-License-Identifier: MIT */
/* The fifth step of RFC 9293 3.10.7.4: the ACK field, in ESTABLISHED and later states. */
#include "tcp/cc.h"
#include "tcp/chrono.h"
#include "tcp/answer.h"
#include "tcp/input.h"
#include "tcp/output.h"
#include "tcp/rack.h"
#include "tcp/sack.h"
#include "tcp/seq.h"
#include "tcp/state.h"
#include "tcp/timers.h"
#include "tcp/autotune.h"
#include "tcp/hystart.h"
#include "tcp/tracepoints.h"

/* SND.UNA < SEG.ACK =< SND.NXT: drop acknowledged bytes, measure, restart the timer. */
static void new_ack(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t ack)
{
    uint32_t data_end = sk_tcp_data_end(tcb);
    uint32_t start = seq_max(tcb->snd_una, tcb->snd_buf_seq);
    uint32_t end = seq_lt(ack, data_end) ? ack : data_end;
    uint32_t acked = seq_gt(end, start) ? end - start : 0; /* data bytes, not SYN / FIN */
    if (acked > 0) {
        sk_tcp_sndbuf_consume(eng, tcb, end - start);
        tcb->snd_buf_seq = end;
        tcb->bytes_acked += end - start;
        sk_tcp_eor_acked(tcb);
    }
    sk_sack_advance(tcb, ack - tcb->snd_una);
    tcb->snd_una = ack;
    if (seq_lt(tcb->high_rxt, ack)) tcb->high_rxt = ack; /* never far behind: no wrap */
    if (seq_lt(tcb->rtx_end, ack)) tcb->rtx_end = ack;   /* likewise */
    if (seq_lt(tcb->snd_nxt, ack)) tcb->snd_nxt = ack;
    if (tcb->rtt_timing && seq_gt(ack, tcb->rtt_seq)) {
        /* RFC 6298 2.2/2.3 with Karn's rule: the timed segment was never retransmitted. */
        sk_rtt_sample(&tcb->rtt, eng->now - tcb->rtt_start, eng->cfg.rto_min, eng->cfg.rto_max);
        sk_trace_rtt(eng, tcb, eng->now - tcb->rtt_start);
        tcb->rtt_timing = false;
    }
    tcb->backoff = 0; /* Linux: new data acknowledged ends the backoff */
    if (acked > 0) sk_cc_on_ack(eng, tcb, acked);
    if (acked > 0) sk_tcp_snd_space_expand(eng, tcb);
    /* Linux tcp_new_space / tcp_clean_rtx_queue: room freed in the send buffer; all sent
     * and acknowledged with nothing queued, the connection is no longer busy. */
    if (acked > 0 && sk_ring_free(&tcb->sndbuf) > 0) sk_chrono_stop(eng, tcb, SK_CHRONO_SNDBUF);
    if (ack == tcb->snd_max && tcb->sndbuf.len == 0) sk_chrono_stop(eng, tcb, SK_CHRONO_BUSY);
    /* RFC 6298 5.2: all acknowledged: stop the timer; 5.3: otherwise restart it. */
    tcb->tlp_out = false; /* RFC 8985 7.4: new data acknowledged, a probe may go again */
    if (tcb->snd_una == tcb->snd_max)
        tcb->rto_at = SYNACK_TIME_NEVER;
    else
        sk_tcp_arm_rto(eng, tcb);
    sk_tcp_arm_tlp(eng, tcb);
}

/* RFC 5682 3.1 step 3.b with 3.2's SACK: this ACK acknowledges or SACKs data below the
 * episode's end that has not been sent again (at or past `front`, how far it went back). */
static bool original_acked(const struct sk_tcb *tcb, const struct sk_tcp_options *o, uint32_t front,
                           bool sacked_new)
{
    if (seq_gt(seq_min(tcb->snd_una, tcb->recover), front)) return true;
    for (unsigned i = 0; sacked_new && i < o->sack_count; i++)
        if (seq_lt(seq_max(o->sack[i].start, front), seq_min(o->sack[i].end, tcb->recover)))
            return true;
    return false;
}

bool sk_tcp_take_ack(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_segment *seg,
                     uint32_t seq, uint32_t seglen)
{
    uint32_t ack = seg->h.ack;
    if (tcb->state == SYNACK_TIME_WAIT)
        return true; /* only a retransmitted FIN matters here (eighth step) */
    if (seq_gt(ack, tcb->snd_max)) {
        /* Acknowledges something not yet sent: send an ACK, drop (3.10.7.4 fifth), the
         * ACK rate-limited (answer.c). */
        sk_drop(eng, SYNACK_CTR_TCP_BAD_ACK, seg);
        sk_tcp_answer_unacceptable(eng, tcb, seg, SYNACK_CTR_TCP_ACK_SKIPPED_UNSENT);
        return false;
    }
    uint32_t max_wnd = tcb->max_snd_wnd > 0 ? tcb->max_snd_wnd : 1;
    if (seq_lt(ack, tcb->snd_una - max_wnd)) {
        /* RFC 5961 5.2: too old to be acceptable: ACK and drop. */
        sk_drop(eng, SYNACK_CTR_TCP_ACK_TOO_OLD, seg);
        sk_tcp_send_challenge_ack(eng, tcb);
        return false;
    }
    uint32_t new_wnd = (uint32_t)seg->h.window << tcb->snd_wscale;
    tcb->persist_probes = 0; /* the peer answers */
    tcb->last_ack_at = eng->now;
    /* Our SYN acknowledged in a state other than SYN-RECEIVED (closed right after a
     * simultaneous open, RFC 9293 3.10.4: FIN-WAIT-1 with the SYN outstanding): the
     * handshake's bookkeeping (RTT, congestion window) as complete_handshake does it. */
    if (!tcb->syn_acked && seq_gt(ack, tcb->iss) && tcb->state != SYNACK_SYN_RECEIVED)
        sk_tcp_syn_acked(eng, tcb);
    bool old_ack = ack == tcb->snd_una && tcb->snd_max != tcb->snd_una;
    /* A loss episode: how far it has gone back so far; F-RTO's new data waited for this ACK. */
    bool in_loss = tcb->in_loss;
    if (in_loss && seq_gt(tcb->snd_nxt, tcb->high_rxt)) tcb->high_rxt = tcb->snd_nxt;
    /* Data past both what went again and what the peer had SACKed before the timeout
     * cleared the scoreboard (re-reported blocks say nothing new, as Linux keeps them). */
    uint32_t loss_front = seq_max(tcb->high_rxt, tcb->loss_sacked);
    tcb->frto_hold = false;
    /* RFC 6937 DeliveredData: the change in SND.UNA plus the change in SACKed bytes. */
    uint32_t una_before = tcb->snd_una, sacked_before = tcb->sack_ok ? sk_sack_bytes(tcb) : 0;
    uint32_t lost_before = tcb->sack_recovery ? sk_sack_lost_bytes(tcb) : 0;
    if (seq_gt(ack, tcb->snd_una) && tcb->cwnd < tcb->ssthresh) {
        /* RFC 7323 4: the echoed TSval (our 1 ms clock) times this ACK's round trip; slow
         * start watches the samples (RFC 9406, hystart.h). */
        uint32_t ms = (uint32_t)(eng->now / 1000000u) + tcb->ts_offset - seg->h.opts.ts_ecr;
        bool timed =
            tcb->ts_ok && seg->h.opts.has_timestamp && seg->h.opts.ts_ecr != 0 && ms < (1u << 22);
        sk_hystart_ack(tcb, ack, timed ? ms * 1000u : UINT32_MAX);
    }
    /* RFC 3168 6.1.2: the echo first, so the reduction starts from the window the
     * congestion met (this ACK does not grow it). */
    if (tcb->ecn_ok && (seg->h.flags & SYNACK_ECE)) sk_cc_on_ece(eng, tcb);
    if (seq_gt(ack, tcb->snd_una)) new_ack(eng, tcb, ack);
    bool sacked_new = tcb->sack_ok && sk_sack_take(eng, tcb, &seg->h.opts);
    if (tcb->sack_ok) {
        /* RFC 8985 6.2: the most recently sent of what this ACK delivers, then losses. */
        uint32_t high = 0;
        for (unsigned i = 0; sacked_new && i < seg->h.opts.sack_count; i++) {
            uint32_t e = seg->h.opts.sack[i].end;
            if (seq_gt(e, tcb->snd_una) && seq_leq(e, tcb->snd_max) && (!high || seq_gt(e, high)))
                high = e;
        }
        sk_rack_on_ack(eng, tcb, una_before, high, sacked_before > 0);
    }
    /* A duplicate ACK: with SACK, one that SACKs octets not SACKed before (RFC 6675 section
     * 2), which a blind attacker's segments, answered by the peer with plain ACKs, never
     * do; without, RFC 5681 section 2's definition. */
    bool dupack = old_ack && (tcb->sack_ok ? sacked_new : seglen == 0 && new_wnd == tcb->snd_wnd);
    if (dupack) sk_cc_on_dupack(eng, tcb);
    /* RFC 6937 DeliveredData; in segments (Linux tp->delivered) our SYN-ACK counts as one. */
    int64_t delivered = (int64_t)(uint32_t)(tcb->snd_una - una_before) +
                        (tcb->sack_ok ? (int64_t)sk_sack_bytes(tcb) - (int64_t)sacked_before : 0);
    if (delivered > 0) tcb->delivered += (uint32_t)((delivered + tcb->snd_mss - 1) / tcb->snd_mss);
    if (tcb->sack_ok) {
        /* RFC 6675: recovery driven by the scoreboard. Linux's newly_lost, approximated:
         * more bytes count as lost than before, less what SND.UNA passed. */
        uint32_t advanced = tcb->snd_una - una_before;
        bool newly_lost =
            tcb->sack_recovery && (uint64_t)sk_sack_lost_bytes(tcb) + advanced > lost_before;
        sk_cc_on_sack(eng, tcb, delivered > 0 ? (uint32_t)delivered : 0,
                      advanced > 0 && !newly_lost);
    }
    /* Window update: SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK); and, as
     * Linux's tcp_may_update_window, a segment that neither acknowledges new data nor
     * carries newer data may only open the window or close it: a late duplicate of an old
     * ACK must not pull the right edge back (stress seed 7753: each end's ACKs then went
     * out at the edge it believed, behind what the other had taken, and were dropped). */
    bool news = seq_gt(ack, una_before) || seq_lt(tcb->snd_wl1, seq) || new_wnd > tcb->snd_wnd ||
                new_wnd == 0;
    if (news &&
        (seq_lt(tcb->snd_wl1, seq) || (tcb->snd_wl1 == seq && seq_leq(tcb->snd_wl2, ack)))) {
        tcb->snd_wnd = new_wnd;
        tcb->snd_wl1 = seq;
        tcb->snd_wl2 = ack;
        if (new_wnd > tcb->max_snd_wnd) tcb->max_snd_wnd = new_wnd;
        if (seq_gt(ack + new_wnd, tcb->snd_edge)) tcb->snd_edge = ack + new_wnd;
    }
    /* After a timeout: a spurious one is undone; F-RTO takes its step (cc.c), new data
     * within the window just taken. */
    if (in_loss && tcb->in_loss) {
        const struct sk_tcp_options *o = &seg->h.opts;
        struct sk_loss_ack la = {
            .advanced = seq_gt(tcb->snd_una, una_before),
            .echo_older = tcb->ts_ok && o->has_timestamp && o->ts_ecr != 0 &&
                          seq_lt(o->ts_ecr, tcb->loss_tsval),
            .original_acked = original_acked(tcb, o, loss_front, sacked_new),
            .duplicate = dupack || sacked_new,
        };
        sk_cc_loss_ack(eng, tcb, &la);
    }
    switch (tcb->state) {
    case SYNACK_FIN_WAIT_1:
        if (sk_tcp_fin_acked(tcb)) {
            sk_tcp_set_state(eng, tcb, SYNACK_FIN_WAIT_2);
            /* Linux tcp_fin_timeout: an orphaned FIN-WAIT-2 does not wait forever. */
            if (tcb->fd < 0) tcb->close_at = eng->now + eng->cfg.fin_wait2_timeout;
        }
        break;
    case SYNACK_CLOSING:
        if (sk_tcp_fin_acked(tcb)) sk_tcp_set_state(eng, tcb, SYNACK_TIME_WAIT);
        break;
    case SYNACK_LAST_ACK:
        if (sk_tcp_fin_acked(tcb)) {
            sk_tcp_close_with(eng, tcb, 0);
            return false;
        }
        break;
    default:
        break;
    }
    return true;
}
