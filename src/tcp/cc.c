/* SPDX-License-Identifier: MIT */
#include "tcp/cc.h"

#include "tcp/output.h"
#include "tcp/sack.h"
#include "tcp/seq.h"
#include "tcp/rexmit.h"
#include "tcp/timers.h"

#define CWND_CAP (UINT32_MAX / 4)

static const struct sk_cc_algo *const algorithms[SYNACK_CC_COUNT] = {
    [SYNACK_CC_CUBIC] = &sk_cc_cubic,
    [SYNACK_CC_NEWRENO] = &sk_cc_newreno,
};

const struct sk_cc_algo *sk_cc_of(const struct sk_tcb *tcb)
{
    return algorithms[tcb->cc_algo < SYNACK_CC_COUNT ? tcb->cc_algo : SYNACK_CC_CUBIC];
}

uint32_t sk_cc_slow_start(struct sk_tcb *tcb, uint32_t acked)
{
    uint64_t cwnd = (uint64_t)tcb->cwnd + acked;
    if (cwnd > tcb->ssthresh) cwnd = tcb->ssthresh > tcb->cwnd ? tcb->ssthresh : tcb->cwnd;
    if (cwnd > CWND_CAP) cwnd = CWND_CAP;
    uint32_t used = (uint32_t)cwnd - tcb->cwnd;
    tcb->cwnd = (uint32_t)cwnd;
    return acked > used ? acked - used : 0;
}

void sk_cc_validate(struct sk_tcb *tcb, bool cwnd_limited)
{
    uint32_t flight = sk_tcp_in_flight(tcb);
    if (seq_geq(tcb->snd_una, tcb->cwnd_usage_seq) || cwnd_limited ||
        (!tcb->cwnd_limited && flight > tcb->max_flight)) {
        tcb->cwnd_limited = cwnd_limited;
        tcb->max_flight = flight;
        tcb->cwnd_usage_seq = tcb->snd_nxt;
    }
}

/* Linux tcp_is_cwnd_limited: the window grows only while it is what limits sending: in
 * slow start while it is below twice the largest recent flight, after it while the last
 * window's flight filled it (so an application-limited flow does not inflate it). */
static bool cwnd_limited(const struct sk_tcb *tcb)
{
    if (tcb->cwnd < tcb->ssthresh) return tcb->cwnd < 2 * (uint64_t)tcb->max_flight;
    return tcb->cwnd_limited;
}

void sk_cc_init(struct sk_engine *eng, struct sk_tcb *tcb)
{
    uint32_t mss = tcb->snd_mss;
    tcb->cwnd = eng->cfg.initial_cwnd_segments * mss;
    tcb->ssthresh = CWND_CAP;
    tcb->dupacks = 0;
    tcb->in_recovery = false;
    tcb->recover = tcb->snd_una;
    sk_cc_of(tcb)->init(tcb);
}

void sk_cc_set(struct sk_tcb *tcb, enum synack_congestion algo)
{
    tcb->cc_algo = (uint8_t)algo;
    sk_cc_of(tcb)->init(tcb);
}

/* A reduction begins: remember the window to undo it to (Linux tcp_init_undo). */
static void arm_undo(struct sk_tcb *tcb)
{
    tcb->prior_cwnd = tcb->cwnd;
    tcb->prior_ssthresh = tcb->ssthresh;
    tcb->undo_marker = tcb->snd_una;
    tcb->undo_end = tcb->snd_max;
    tcb->undo_retrans = 0;
    tcb->undo_armed = true;
}

/* Linux tcp_undo_cwnd_reduction: the window and ssthresh no lower than before the
 * reduction found unnecessary. */
static void restore_prior(struct sk_tcb *tcb)
{
    if (tcb->cwnd < tcb->prior_cwnd) tcb->cwnd = tcb->prior_cwnd;
    if (tcb->ssthresh < tcb->prior_ssthresh) tcb->ssthresh = tcb->prior_ssthresh;
}

void sk_cc_on_retransmit(struct sk_tcb *tcb, uint32_t seq, uint32_t len)
{
    if (tcb->undo_armed && len > 0 && seq_lt(seq, tcb->undo_end))
        tcb->undo_retrans += (len + tcb->snd_mss - 1) / tcb->snd_mss;
}

void sk_cc_on_dsack(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t start, uint32_t end)
{
    /* Only the episode's own data counts: a duplicate of later data (a probe, a
     * retransmission after a timeout) says nothing about this reduction. */
    if (!tcb->undo_armed || !seq_geq(start, tcb->undo_marker) || !seq_lt(start, end) ||
        seq_gt(end, tcb->undo_end))
        return;
    uint32_t segs = (end - start + tcb->snd_mss - 1) / tcb->snd_mss;
    tcb->undo_retrans = tcb->undo_retrans > segs ? tcb->undo_retrans - segs : 0;
    if (tcb->undo_retrans > 0) return;
    /* Every retransmission of the episode arrived twice: the originals were not lost
     * (reordering, or a delay), and the reduction is undone (RFC 2883 section 5 leaves the
     * response open; Linux restores the window and ssthresh and leaves recovery). */
    restore_prior(tcb);
    tcb->in_recovery = tcb->sack_recovery = false;
    tcb->dupacks = 0;
    tcb->undo_armed = false;
    sk_count(eng, SYNACK_CTR_TCP_SPURIOUS_UNDO);
}

void sk_cc_on_ece(struct sk_engine *eng, struct sk_tcb *tcb)
{
    /* RFC 3168 6.1.2: at most once per window; not on top of a loss recovery, which has
     * reduced already. */
    if (tcb->in_recovery || seq_lt(tcb->snd_una, tcb->cwr_end)) return;
    tcb->ssthresh = sk_cc_of(tcb)->on_loss(eng, tcb);
    tcb->cwnd = tcb->ssthresh;
    tcb->cwr_end = tcb->snd_max;
    tcb->cwr_pending = true;
    tcb->undo_armed = false; /* a congestion signal, not a guess to undo */
    sk_count(eng, SYNACK_CTR_TCP_ECN_REDUCED);
}

void sk_cc_on_ack(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t acked)
{
    uint32_t mss = tcb->snd_mss;
    if (tcb->sack_recovery) {
        /* RFC 6675 section 5: recovery ends when RecoveryPoint is acknowledged, and RFC
         * 6937: cwnd = ssthresh then; until then PRR (sk_cc_on_sack) sets what goes out. */
        if (seq_geq(tcb->snd_una, tcb->recover)) {
            tcb->cwnd = tcb->ssthresh;
            tcb->in_recovery = tcb->sack_recovery = false;
            tcb->dupacks = 0;
        }
        return;
    }
    if (tcb->in_recovery) {
        if (seq_geq(tcb->snd_una, tcb->recover)) {
            /* RFC 6582 3.2 step 3: full acknowledgment; deflate the window. */
            uint32_t flight = sk_tcp_in_flight(tcb);
            uint32_t w = (flight > mss ? flight : mss) + mss;
            tcb->cwnd = w < tcb->ssthresh ? w : tcb->ssthresh;
            tcb->in_recovery = false;
            tcb->dupacks = 0;
        } else {
            /* RFC 6582 3.2 step 4: partial acknowledgment: retransmit the next hole,
             * deflate by the amount acknowledged, add back one SMSS. */
            sk_why(eng, SYNACK_CAUSE_PARTIAL_ACK, 0);
            sk_tcp_retransmit_head(eng, tcb);
            sk_why(eng, SYNACK_CAUSE_NONE, 0);
            tcb->cwnd = tcb->cwnd > acked ? tcb->cwnd - acked : 0;
            tcb->cwnd += mss;
            sk_tcp_arm_rto(eng, tcb);
        }
        return;
    }
    tcb->dupacks = 0;
    /* RFC 3168 6.1.2 (Linux's CWR state): no growth until the window of data that met the
     * congestion is acknowledged. */
    if (tcb->ecn_ok && seq_lt(tcb->snd_una, tcb->cwr_end)) return;
    if (cwnd_limited(tcb)) sk_cc_of(tcb)->grow(eng, tcb, acked);
}

void sk_cc_on_dupack(struct sk_engine *eng, struct sk_tcb *tcb)
{
    uint32_t mss = tcb->snd_mss;
    if (tcb->dupacks < UINT16_MAX)
        tcb->dupacks++;       /* saturates: never wraps back to the threshold */
    if (tcb->sack_ok) return; /* RFC 6675 recovery: sk_cc_on_sack */
    if (tcb->in_recovery) {
        tcb->cwnd += mss; /* RFC 5681 3.2 step 4: inflate for each further dupack */
        if (tcb->cwnd > CWND_CAP) tcb->cwnd = CWND_CAP;
        return;
    }
    if (tcb->dupacks != 3) return;
    /* RFC 6582 3.2 step 1: only if this loss is after the previous recovery point. */
    if (seq_lt(tcb->snd_una, tcb->recover)) return;
    /* RFC 5681 3.2 steps 2-3: fast retransmit, then fast recovery; the algorithm sets
     * ssthresh (NewReno: half the flight, equation 4; CUBIC: beta_cubic cwnd). */
    arm_undo(tcb);
    tcb->ssthresh = sk_cc_of(tcb)->on_loss(eng, tcb);
    tcb->recover = tcb->snd_max;
    tcb->in_recovery = true;
    tcb->in_loss = tcb->frto = false; /* a timeout's episode is over (Linux: Loss -> Recovery) */
    tcb->tlp_at = SYNACK_TIME_NEVER;  /* RFC 8985 7.2: no probe during recovery */
    tcb->rtt_timing = false;          /* Karn */
    sk_why(eng, SYNACK_CAUSE_FAST_RETRANSMIT, 0);
    sk_tcp_retransmit_head(eng, tcb);
    sk_why(eng, SYNACK_CAUSE_NONE, 0);
    tcb->cwnd = tcb->ssthresh + 3 * mss;
    sk_tcp_arm_rto(eng, tcb);
}

void sk_cc_on_timeout(struct sk_engine *eng, struct sk_tcb *tcb)
{
    bool fresh = !tcb->in_recovery && !tcb->in_loss;
    /* RFC 5681 3.1 equation 4 (RFC 9438 4.8 for CUBIC), on the first timeout of this
     * segment only; the window before it is kept in case it proves spurious (Linux
     * tcp_init_undo). */
    if (tcb->backoff == 1) {
        tcb->prior_cwnd = tcb->cwnd;
        tcb->prior_ssthresh = tcb->ssthresh;
        tcb->ssthresh = sk_cc_of(tcb)->on_loss(eng, tcb);
    }
    tcb->cwnd = tcb->snd_mss; /* RFC 5681 3.1: loss window = 1 SMSS */
    tcb->undo_armed = false;  /* not undone by D-SACK: F-RTO and timestamps judge it */
    tcb->dupacks = 0;
    tcb->in_recovery = tcb->sack_recovery = false;
    tcb->recover = tcb->snd_max; /* RFC 6582 section 4: no fast retransmit for old dupacks */
    /* The episode (Linux tcp_enter_loss): how far it has gone back (SND.NXT returns to
     * SND.UNA: on_rto), and what the peer had SACKed when it began (the scoreboard is
     * cleared; re-reported blocks are not news for F-RTO). */
    uint32_t sacked = tcb->snd_una + sk_sack_highest(tcb);
    if (!tcb->in_loss) {
        tcb->high_rxt = tcb->snd_una;
        tcb->loss_sacked = sacked;
    } else {
        if (seq_gt(tcb->snd_nxt, tcb->high_rxt)) tcb->high_rxt = tcb->snd_nxt;
        if (seq_gt(sacked, tcb->loss_sacked)) tcb->loss_sacked = sacked;
    }
    tcb->in_loss = true;
    tcb->frto_hold = false;
    /* RFC 5682 3.1 step 1, as Linux: F-RTO unless the timeout interrupts a fast recovery
     * or follows an ACK of part of an earlier timeout's data. */
    tcb->frto = eng->cfg.frto && (fresh || tcb->backoff > 1);
}

/* The timeout was spurious: the originals were delayed, not lost. The window comes back
 * (Linux tcp_try_undo_loss) and what was sent before counts as in flight again: nothing
 * more of it goes again (Linux unmarks it lost). */
static void undo_loss(struct sk_engine *eng, struct sk_tcb *tcb)
{
    restore_prior(tcb);
    tcb->snd_nxt = tcb->snd_max;
    tcb->recover = tcb->snd_una; /* RFC 5682 3.1 step 3.b: a later loss starts a recovery */
    tcb->in_loss = tcb->frto = false;
    sk_count(eng, SYNACK_CTR_TCP_SPURIOUS_RTO);
}

void sk_cc_loss_ack(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_loss_ack *a)
{
    bool recovered = seq_geq(tcb->snd_una, tcb->recover);
    /* RFC 3522 (Linux tcp_packet_delayed): the ACK echoes a TSval older than the first
     * retransmission, so it answers the originals. */
    if (a->advanced && a->echo_older) {
        undo_loss(eng, tcb);
        return;
    }
    if (tcb->frto) {
        /* RFC 5682 3.1 step 3.b (SACK-enhanced, 3.2): data never sent again is
         * acknowledged or SACKed: not everything was lost. */
        if (a->original_acked) {
            undo_loss(eng, tcb);
            return;
        }
        if (seq_gt(tcb->snd_max, tcb->recover)) {
            /* Step 3.a: after new data went, a duplicate ACK or new SACK shows the loss. */
            if (a->duplicate) tcb->frto = false;
        } else if (a->advanced && !recovered) {
            /* Step 2.b: new data instead of repeats (at most two segments, what the window
             * allows), or, with none to send, the conventional recovery. */
            tcb->recover = tcb->snd_max;
            if (sk_tcp_send_new_ahead(eng, tcb, 2)) {
                tcb->frto_hold = true;
                return;
            }
            tcb->frto = false;
        }
    }
    /* Step 2.a: everything up to the episode's end acknowledged; it is over. */
    if (recovered) tcb->in_loss = tcb->frto = false;
}

/* RFC 6937 section 3: on each ACK in recovery, cwnd = pipe + sndcnt, where sndcnt keeps
 * what is sent in proportion to what is delivered while the pipe is above ssthresh (PRR),
 * and lets the pipe grow back to ssthresh when it has fallen below: by what was delivered
 * (the conservative reduction bound, PRR-CRB), one segment more when the ACK moved SND.UNA
 * and showed no new loss (the slow-start bound, PRR-SSRB) — Linux's tcp_cwnd_reduction
 * since 5.11. An ACK that delivers nothing leaves cwnd alone. */
static void prr_update(struct sk_tcb *tcb, uint32_t delivered, bool ssrb)
{
    uint32_t mss = tcb->snd_mss, pipe = sk_sack_pipe(tcb);
    if (delivered == 0 && tcb->prr_out > 0) return;
    tcb->prr_delivered += delivered;
    uint32_t sndcnt;
    if (pipe > tcb->ssthresh) {
        uint64_t fs = tcb->recover_fs ? tcb->recover_fs : 1;
        uint64_t due = ((uint64_t)tcb->prr_delivered * tcb->ssthresh + fs - 1) / fs;
        sndcnt = due > tcb->prr_out ? (uint32_t)(due - tcb->prr_out) : 0;
    } else {
        uint32_t room = tcb->prr_delivered > tcb->prr_out ? tcb->prr_delivered - tcb->prr_out : 0;
        uint32_t limit = (room > delivered ? room : delivered) + (ssrb ? mss : 0);
        uint32_t gap = tcb->ssthresh - pipe;
        sndcnt = gap < limit ? gap : limit;
    }
    /* Linux tcp_cwnd_reduction: the first ACK of recovery always lets the fast
     * retransmission go. */
    if (tcb->prr_out == 0 && sndcnt < mss) sndcnt = mss;
    tcb->cwnd = pipe + sndcnt;
}

void sk_cc_on_sack(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t delivered, bool ssrb)
{
    if (tcb->sack_recovery) {
        prr_update(tcb, delivered, ssrb);
        sk_sack_send(eng, tcb);
        return;
    }
    if (tcb->in_recovery || seq_lt(tcb->snd_una, tcb->recover) || tcb->snd_una == tcb->snd_max)
        return;
    if (tcb->dupacks < 3 && !sk_sack_head_lost(tcb)) return;
    /* RFC 6675 section 5 step (4): RecoveryPoint = HighData, ssthresh from the algorithm,
     * retransmit the first segment presumed lost, then let PRR and the pipe decide (RFC
     * 6937: RecoverFS = the flight at the start). */
    arm_undo(tcb);
    tcb->ssthresh = sk_cc_of(tcb)->on_loss(eng, tcb);
    tcb->recover = tcb->snd_max;
    tcb->in_recovery = tcb->sack_recovery = true;
    tcb->in_loss = tcb->frto = false; /* as above */
    tcb->tlp_at = SYNACK_TIME_NEVER;
    tcb->rtt_timing = false;
    tcb->prr_delivered = tcb->prr_out = 0;
    tcb->recover_fs = tcb->snd_max - tcb->snd_una;
    tcb->high_rxt = tcb->snd_una; /* nothing of this episode sent again yet */
    prr_update(tcb, delivered, ssrb);
    /* RFC 6675 NextSeg rule 1: the first segment presumed lost, no further than the first
     * SACKed byte (bytes the peer holds do not go again). */
    uint32_t hole = tcb->sacked.count > 0 ? tcb->sacked.ranges[0].start : tcb->snd_mss;
    sk_why(eng, SYNACK_CAUSE_SACK_RECOVERY, 0);
    uint32_t n =
        sk_tcp_retransmit(eng, tcb, tcb->snd_una, hole < tcb->snd_mss ? hole : tcb->snd_mss);
    sk_why(eng, SYNACK_CAUSE_NONE, 0);
    tcb->high_rxt = tcb->snd_una + (n ? n : tcb->snd_mss);
    if (seq_gt(tcb->high_rxt, tcb->snd_max)) tcb->high_rxt = tcb->snd_max;
    sk_tcp_arm_rto(eng, tcb);
    sk_sack_send(eng, tcb);
}
