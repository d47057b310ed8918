/* SPDX-License-Identifier: MIT */
#include "tcp/cc.h"

#include "tcp/output.h"
#include "tcp/sack.h"
#include "tcp/seq.h"
#include "tcp/rexmit.h"
#include "tcp/timers.h"

#define CWND_CAP (UINT32_MAX / 4)

void sk_cc_init(struct sk_engine *eng, struct sk_tcb *tcb)
{
    uint32_t mss = tcb->snd_mss;
    tcb->cwnd = eng->cfg.initial_cwnd_segments * mss;
    tcb->ssthresh = CWND_CAP;
    tcb->dupacks = 0;
    tcb->in_recovery = false;
    tcb->recover = tcb->snd_una;
}

static uint32_t half_flight(const struct sk_tcb *tcb)
{
    /* RFC 5681 equation (4): ssthresh = max(FlightSize / 2, 2 * SMSS). */
    uint32_t half = sk_tcp_in_flight(tcb) / 2;
    uint32_t floor = 2u * tcb->snd_mss;
    return half > floor ? half : floor;
}

void sk_cc_on_ack(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t acked)
{
    uint32_t mss = tcb->snd_mss;
    if (tcb->sack_recovery) {
        /* RFC 6675 section 5: recovery ends when RecoveryPoint is acknowledged; until then
         * the pipe algorithm (sk_cc_on_sack) decides what goes out. */
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
    if (tcb->cwnd < tcb->ssthresh) {
        /* RFC 5681 3.1 slow start, with RFC 3465 L = 1 SMSS per ACK. */
        tcb->cwnd += acked < mss ? acked : mss;
    } else {
        /* Congestion avoidance: about one SMSS per round trip (RFC 5681 equation 3). */
        uint32_t inc = (uint32_t)((uint64_t)mss * mss / tcb->cwnd);
        tcb->cwnd += inc > 0 ? inc : 1;
    }
    if (tcb->cwnd > CWND_CAP) tcb->cwnd = CWND_CAP;
}

void sk_cc_on_dupack(struct sk_engine *eng, struct sk_tcb *tcb)
{
    uint32_t mss = tcb->snd_mss;
    if (tcb->dupacks < 1000000) tcb->dupacks++; /* saturates: never wraps back to the threshold */
    if (tcb->sack_ok) return;                   /* RFC 6675 recovery: sk_cc_on_sack */
    if (tcb->in_recovery) {
        tcb->cwnd += mss; /* RFC 5681 3.2 step 4: inflate for each further dupack */
        if (tcb->cwnd > CWND_CAP) tcb->cwnd = CWND_CAP;
        return;
    }
    if (tcb->dupacks != 3) return;
    /* RFC 6582 3.2 step 1: only if this loss is after the previous recovery point. */
    if (seq_lt(tcb->snd_una, tcb->recover)) return;
    /* RFC 5681 3.2 steps 2-3: fast retransmit, then fast recovery. */
    tcb->ssthresh = half_flight(tcb);
    tcb->recover = tcb->snd_max;
    tcb->in_recovery = true;
    tcb->tlp_at = SYNACK_TIME_NEVER; /* RFC 8985 7.2: no probe during recovery */
    tcb->rtt_timing = false;         /* Karn */
    sk_why(eng, SYNACK_CAUSE_FAST_RETRANSMIT, 0);
    sk_tcp_retransmit_head(eng, tcb);
    sk_why(eng, SYNACK_CAUSE_NONE, 0);
    tcb->cwnd = tcb->ssthresh + 3 * mss;
    sk_tcp_arm_rto(eng, tcb);
}

void sk_cc_on_timeout(struct sk_engine *eng, struct sk_tcb *tcb)
{
    (void)eng;
    if (tcb->backoff == 1) tcb->ssthresh = half_flight(tcb); /* first timeout of this segment */
    tcb->cwnd = tcb->snd_mss; /* RFC 5681 3.1: loss window = 1 SMSS */
    tcb->dupacks = 0;
    tcb->in_recovery = false;
    tcb->recover = tcb->snd_max; /* RFC 6582 section 4: no fast retransmit for old dupacks */
}

void sk_cc_on_sack(struct sk_engine *eng, struct sk_tcb *tcb)
{
    if (tcb->sack_recovery) {
        sk_sack_send(eng, tcb);
        return;
    }
    if (tcb->in_recovery || seq_lt(tcb->snd_una, tcb->recover) || tcb->snd_una == tcb->snd_max)
        return;
    if (tcb->dupacks < 3 && !sk_sack_head_lost(tcb)) return;
    /* RFC 6675 section 5 step (4): RecoveryPoint = HighData, ssthresh = cwnd = FlightSize/2,
     * retransmit the first segment presumed lost, then let the pipe decide. */
    tcb->ssthresh = half_flight(tcb);
    tcb->cwnd = tcb->ssthresh;
    tcb->recover = tcb->snd_max;
    tcb->in_recovery = tcb->sack_recovery = true;
    tcb->tlp_at = SYNACK_TIME_NEVER;
    tcb->rtt_timing = false;
    sk_why(eng, SYNACK_CAUSE_SACK_RECOVERY, 0);
    sk_tcp_retransmit_head(eng, tcb);
    sk_why(eng, SYNACK_CAUSE_NONE, 0);
    tcb->high_rxt = seq_max(tcb->snd_una + tcb->snd_mss, tcb->snd_una);
    if (seq_gt(tcb->high_rxt, tcb->snd_max)) tcb->high_rxt = tcb->snd_max;
    sk_tcp_arm_rto(eng, tcb);
    sk_sack_send(eng, tcb);
}
