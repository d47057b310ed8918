/* SPDX-License-Identifier: MIT */
#include "tcp/timers.h"
#include "tcp/tracepoints.h"

#include <errno.h>
#include "tcp/cc.h"
#include "tcp/input.h"
#include "tcp/output.h"
#include "tcp/rack.h"
#include "tcp/rexmit.h"
#include "tcp/sack.h"
#include "tcp/seq.h"
#include "tcp/state.h"

void sk_tcp_arm_rto(struct sk_engine *eng, struct sk_tcb *tcb)
{
    bool was = tcb->rto_at != SYNACK_TIME_NEVER;
    tcb->rto_at = eng->now + sk_rtt_backoff(&tcb->rtt, tcb->backoff, eng->cfg.rto_max);
    if (!was) sk_trace_timer_set(eng, tcb, SYNACK_TIMER_RTO, tcb->rto_at);
}

static bool has_unsent(const struct sk_tcb *tcb)
{
    return seq_lt(tcb->snd_nxt, sk_tcp_data_end(tcb));
}

void sk_tcp_update_persist(struct sk_engine *eng, struct sk_tcb *tcb)
{
    /* Data waits and nothing is in flight to bring an ACK: the window is zero, or too small
     * for sender SWS avoidance (RFC 9293 3.8.6.2.1) to let a segment go. Either way only a
     * timer can move things (Linux tcp_check_probe_timer arms its probe timer for both). */
    bool need = has_unsent(tcb) && tcb->snd_nxt == tcb->snd_una && tcb->snd_max == tcb->snd_una &&
                tcb->rto_at == SYNACK_TIME_NEVER;
    if (!need) {
        tcb->persist_at = SYNACK_TIME_NEVER;
        if (tcb->snd_wnd > 0) tcb->persist_backoff = 0;
        tcb->probe_stamped = false; /* Linux tcp_ack_probe / tcp_probe_timer: stall over */
        return;
    }
    if (tcb->persist_at != SYNACK_TIME_NEVER) return;
    /* RFC 9293 3.8.6.1: probe a zero window periodically; the interval backs off
     * exponentially like the RTO (as Linux's tcp_probe0_when), within persist bounds. The
     * same timer is the SWS override timeout of 3.8.6.2.1 for a window below the MSS. */
    synack_time_t when = sk_rtt_backoff(&tcb->rtt, tcb->persist_backoff, eng->cfg.persist_max);
    if (when < eng->cfg.persist_min) when = eng->cfg.persist_min;
    tcb->persist_at = eng->now + when;
    sk_trace_timer_set(eng, tcb, SYNACK_TIMER_PERSIST, tcb->persist_at);
}

/* What to do when the retries run out (RFC 9293 3.8.3, RFC 1122 4.2.3.5). */
static void give_up(struct sk_engine *eng, struct sk_tcb *tcb)
{
    sk_count(eng, SYNACK_CTR_TCP_CONN_DROPPED);
    /* A half-open passive connection is forgotten silently (Linux drops the request);
     * everything else reports ETIMEDOUT. Linux sends no RST here. */
    int err = tcb->soft_error ? tcb->soft_error : -ETIMEDOUT; /* Linux: sk_err_soft first */
    sk_tcp_close_with(eng, tcb, tcb->state == SYNACK_SYN_RECEIVED && tcb->passive ? 0 : err);
}

/* TCP_USER_TIMEOUT (RFC 5482 3): a deadline of at most the limit past `since` (Linux
 * tcp_clamp_rto_to_user_timeout and tcp_clamp_probe0_to_user_timeout: a timer never runs
 * past the user timeout; if that has passed already, it fires after `least`). */
static void clamp_to_user_timeout(const struct sk_engine *eng, const struct sk_tcb *tcb,
                                  synack_time_t *at, synack_time_t since, synack_time_t least)
{
    if (!tcb->user_timeout_ms || *at == SYNACK_TIME_NEVER) return;
    synack_time_t limit = since + SYNACK_MS(tcb->user_timeout_ms);
    if (limit < eng->now + least) limit = eng->now + least;
    if (limit < *at) *at = limit;
}

static void on_rto(struct sk_engine *eng, struct sk_tcb *tcb)
{
    /* Linux retrans_stamp: when the data now retransmitted for the first time was sent. The
     * timer ran from then (or from the ACK that last moved SND.UNA) unbacked-off. */
    if (tcb->backoff == 0)
        tcb->rexmit_stamp = tcb->rto_at - sk_rtt_backoff(&tcb->rtt, 0, eng->cfg.rto_max);
    tcb->rto_at = SYNACK_TIME_NEVER;
    tcb->tlp_at = SYNACK_TIME_NEVER;
    tcb->timeouts++;
    sk_count(eng, SYNACK_CTR_TCP_TIMEOUT);
    /* TCP_SYNCNT (Linux icsk_syn_retries) replaces both handshake limits. */
    unsigned limit = tcb->state == SYNACK_SYN_SENT       ? eng->cfg.syn_retries
                     : tcb->state == SYNACK_SYN_RECEIVED ? eng->cfg.synack_retries
                                                         : eng->cfg.data_retries;
    if (tcb->syn_retries && (tcb->state == SYNACK_SYN_SENT || tcb->state == SYNACK_SYN_RECEIVED))
        limit = tcb->syn_retries;
    /* A peer that shrank its window to zero under data in flight turns our
     * retransmissions into window probes: as long as it answers them, the connection is not
     * timed out by the retry count, only by silence longer than rto_max (Linux
     * tcp_retransmit_timer; RFC 9293 3.8.6.1 keeps a zero window open indefinitely). An
     * orphan gets no such grace. */
    bool probing = tcb->snd_wnd == 0 && tcb->fd >= 0 && tcb->state != SYNACK_SYN_SENT &&
                   tcb->state != SYNACK_SYN_RECEIVED;
    /* TCP_USER_TIMEOUT (RFC 5482 3, Linux tcp_write_timeout / tcp_rtx_probe0_timed_out):
     * from the first retransmission on, data unacknowledged for longer than the limit ends
     * the connection, whatever the retry count, in every state (SYN-SENT too) and also
     * while a shrunk window turns retransmissions into probes. */
    bool user_expired = tcb->user_timeout_ms && tcb->backoff > 0 &&
                        eng->now - tcb->rexmit_stamp >= SYNACK_MS(tcb->user_timeout_ms);
    if (user_expired ||
        (probing ? eng->now - tcb->last_ack_at > eng->cfg.rto_max : tcb->backoff >= limit)) {
        give_up(eng, tcb);
        return;
    }
    tcb->backoff++;          /* RFC 6298 5.5: back off the timer */
    tcb->rtt_timing = false; /* Karn: no sample from a retransmitted segment */
    if (tcb->state == SYNACK_SYN_SENT || tcb->state == SYNACK_SYN_RECEIVED) {
        tcb->syn_retransmitted = true;
    } else {
        sk_cc_on_timeout(eng, tcb);
        sk_sack_clear(tcb); /* RFC 2018 section 8: the peer may have reneged */
        sk_rack_reset(tcb); /* everything goes again from SND.UNA */
        /* Go back: resend from the first unacknowledged byte; past our SYN when that is
         * still unacknowledged (closed before the handshake ended, RFC 9293 3.10.4: FIN-WAIT-1
         * of a Fast Open child), which sk_tcp_retransmit_head sends again itself (fuzz_socket
         * found data taken from before the send buffer). */
        tcb->snd_nxt = tcb->syn_acked ? tcb->snd_una : tcb->iss + 1;
    }
    /* RFC 6298 5.4: retransmit the earliest segment not acknowledged; 5.6: restart. */
    sk_why(eng, SYNACK_CAUSE_RTO, tcb->backoff);
    sk_tcp_retransmit_head(eng, tcb);
    sk_why(eng, SYNACK_CAUSE_NONE, 0);
    sk_tcp_arm_rto(eng, tcb);
    clamp_to_user_timeout(eng, tcb, &tcb->rto_at, tcb->rexmit_stamp, SYNACK_MS(1));
}

void sk_tcp_arm_tlp(struct sk_engine *eng, struct sk_tcb *tcb)
{
    tcb->tlp_at = SYNACK_TIME_NEVER;
    bool open = tcb->state == SYNACK_ESTABLISHED || tcb->state == SYNACK_CLOSE_WAIT ||
                tcb->state == SYNACK_FIN_WAIT_1 || tcb->state == SYNACK_CLOSING ||
                tcb->state == SYNACK_LAST_ACK;
    if (!eng->cfg.tail_loss_probe || !tcb->sack_ok || !open || tcb->in_recovery || tcb->in_loss ||
        tcb->backoff > 0 || tcb->tlp_out || tcb->snd_max == tcb->snd_una ||
        tcb->rto_at == SYNACK_TIME_NEVER)
        return;
    /* RFC 8985 7.2: PTO = 2 * SRTT, plus room for a delayed ACK when a single segment is
     * out (Linux adds the minimum RTO then, 2 ms otherwise); 1 s without an RTT sample. */
    synack_time_t pto = SYNACK_SEC(1);
    if (tcb->rtt.has_sample) {
        bool single = sk_tcp_in_flight(tcb) <= tcb->snd_mss;
        pto = 2 * tcb->rtt.srtt + (single ? eng->cfg.rto_min : SYNACK_MS(2));
    }
    /* RFC 8985 7.2 leaves open what happens when the RTO would fire first; Linux
     * (tcp_schedule_loss_probe) probes at the RTO's time instead, so that a lone segment,
     * whose PTO includes room for a delayed ACK, is probed before cwnd collapses. */
    tcb->tlp_at = eng->now + pto < tcb->rto_at ? eng->now + pto : tcb->rto_at;
    sk_trace_timer_set(eng, tcb, SYNACK_TIMER_TLP, tcb->tlp_at);
}

/* RFC 8985 7.3: send one new segment if the window allows, else retransmit the last one;
 * then restart the RTO. */
static void on_tlp(struct sk_engine *eng, struct sk_tcb *tcb)
{
    tcb->tlp_at = SYNACK_TIME_NEVER;
    tcb->tlp_out = true;
    sk_why(eng, SYNACK_CAUSE_TLP, 0);
    if (!sk_tcp_send_new(eng, tcb)) {
        /* The last segment sent: its data (at most an MSS, ending at what was sent last)
         * and the FIN if that went out. */
        uint32_t end = sk_tcp_fin_sent(tcb) ? sk_tcp_data_end(tcb) : tcb->snd_max;
        uint32_t seq = seq_max(tcb->last_new_seq, tcb->snd_una);
        if (seq_lt(seq, end) && end - seq > tcb->snd_mss) seq = end - tcb->snd_mss;
        /* The last segment was a FIN alone: the FIN alone again (as Linux resends its tail
         * skb; google packetdrill shutdown-rdwr-write-queue-close.pkt). */
        if (seq_geq(seq, end)) seq = sk_tcp_fin_sent(tcb) ? end : seq_max(end - 1, tcb->snd_una);
        sk_tcp_retransmit(eng, tcb, seq, tcb->snd_mss);
    }
    sk_why(eng, SYNACK_CAUSE_NONE, 0);
    sk_tcp_arm_rto(eng, tcb);
}

void sk_tcp_keepalive_set(struct sk_engine *eng, struct sk_tcb *tcb, bool on)
{
    tcb->keepalive = on;
    tcb->ka_probes = 0;
    tcb->ka_at = on ? eng->now + sk_tcp_ka_idle(eng, tcb) : SYNACK_TIME_NEVER;
    if (on) sk_trace_timer_set(eng, tcb, SYNACK_TIMER_KEEPALIVE, tcb->ka_at);
}

/* RFC 1122 4.2.3.6, as Linux's tcp_keepalive_timer: while data is outstanding the
 * retransmission timer watches the peer; otherwise send <SEQ=SND.UNA-1><CTL=ACK> (no data)
 * and count; after the last unanswered probe, reset and report ETIMEDOUT. */
static void on_keepalive(struct sk_engine *eng, struct sk_tcb *tcb)
{
    tcb->ka_at = SYNACK_TIME_NEVER;
    bool live = tcb->state == SYNACK_ESTABLISHED || tcb->state == SYNACK_CLOSE_WAIT ||
                tcb->state == SYNACK_FIN_WAIT_2;
    if (!tcb->keepalive || !live) return;
    if (tcb->snd_max != tcb->snd_una || tcb->sndbuf.len > 0) {
        tcb->ka_at = eng->now + sk_tcp_ka_idle(eng, tcb);
        return;
    }
    if (tcb->ka_probes >= sk_tcp_ka_max(eng, tcb)) {
        sk_count(eng, SYNACK_CTR_TCP_CONN_DROPPED);
        sk_tcp_send_abort_rst(eng, tcb);
        sk_tcp_close_with(eng, tcb, -ETIMEDOUT);
        return;
    }
    sk_why(eng, SYNACK_CAUSE_KEEPALIVE, 0);
    sk_tcp_send(eng, tcb, tcb->snd_una - 1, SYNACK_ACK, 0);
    sk_why(eng, SYNACK_CAUSE_NONE, 0);
    tcb->ka_probes++;
    tcb->ka_at = eng->now + sk_tcp_ka_interval(eng, tcb);
    sk_trace_timer_set(eng, tcb, SYNACK_TIMER_KEEPALIVE, tcb->ka_at);
}

static void on_persist(struct sk_engine *eng, struct sk_tcb *tcb)
{
    tcb->persist_at = SYNACK_TIME_NEVER;
    /* TCP_USER_TIMEOUT bounds zero-window probing by the time since the first probe of
     * this stall, even while the peer answers every probe (Linux tcp_probe_timer with
     * icsk_probes_tstamp; RFC 5482 3 lets it override RFC 1122 4.2.2.17's "indefinitely"). */
    if (!tcb->probe_stamped) {
        tcb->probe_stamped = true;
        tcb->probe_stamp = eng->now;
    } else if (tcb->user_timeout_ms &&
               eng->now - tcb->probe_stamp >= SYNACK_MS(tcb->user_timeout_ms)) {
        give_up(eng, tcb);
        return;
    }
    if (tcb->persist_probes >= eng->cfg.data_retries) {
        /* Linux tcp_probe_timer: the peer stopped answering probes. */
        give_up(eng, tcb);
        return;
    }
    /* RFC 9293 3.8.6.2.1 override: a window that is open but too small for SWS avoidance
     * gets what fits now (Linux tcp_write_wakeup sends the part of the segment the window
     * allows); the retransmission timer then watches it. */
    sk_why(eng, SYNACK_CAUSE_PERSIST, 0);
    if (tcb->snd_wnd > 0 && sk_tcp_send_forced(eng, tcb)) {
        sk_why(eng, SYNACK_CAUSE_NONE, 0);
        tcb->persist_probes = 0;
        sk_tcp_update_persist(eng, tcb);
        return;
    }
    /* Linux tcp_xmit_probe_skb: <SEQ=SND.UNA-1><CTL=ACK>, no data; the peer answers with
     * an ACK carrying its current window. */
    sk_tcp_send(eng, tcb, tcb->snd_una - 1, SYNACK_ACK, 0);
    sk_why(eng, SYNACK_CAUSE_NONE, 0);
    tcb->persist_probes++;
    if (tcb->persist_backoff < 31) tcb->persist_backoff++;
    sk_tcp_update_persist(eng, tcb);
    /* Linux TCP_TIMEOUT_MIN: at least 2 jiffies (2 ms) ahead. */
    if (tcb->probe_stamped)
        clamp_to_user_timeout(eng, tcb, &tcb->persist_at, tcb->probe_stamp, SYNACK_MS(2));
}

static void timers_due(struct sk_engine *eng, struct sk_tcb *tcb)
{
    synack_time_t now = eng->now;
    if (tcb->close_at <= now) {
        /* End of TIME-WAIT (RFC 9293 3.10.8) or of an orphaned FIN-WAIT-2. */
        sk_trace_timer(eng, tcb, SYNACK_TIMER_CLOSE, 0);
        tcb->close_at = SYNACK_TIME_NEVER;
        sk_tcp_close_with(eng, tcb, 0);
        return;
    }
    if (tcb->delack_at <= now) {
        sk_trace_timer(eng, tcb, SYNACK_TIMER_DELACK, 0);
        tcb->delack_at = SYNACK_TIME_NEVER;
        tcb->ack_now = true; /* the delayed ACK is due */
        /* Linux tcp_delack_timer_handler: no reply took the ACK, so the exchange is not
         * interactive after all (ato back to its minimum), or ato was too short. */
        if (tcb->pingpong) {
            tcb->pingpong = false;
            tcb->ato_us = SK_TCP_ATO_MIN_US;
        } else {
            uint64_t rto = tcb->rtt.rto / 1000u, twice = 2 * (uint64_t)tcb->ato_us;
            tcb->ato_us = (uint32_t)(twice < rto ? twice : rto < UINT32_MAX ? rto : UINT32_MAX);
        }
        sk_why(eng, SYNACK_CAUSE_DELAYED_ACK, 0);
        if (tcb->state != SYNACK_CLOSED) sk_tcp_output(eng, tcb);
        sk_why(eng, SYNACK_CAUSE_NONE, 0);
    }
    if (tcb->ka_at <= now && tcb->state != SYNACK_CLOSED) {
        sk_trace_timer(eng, tcb, SYNACK_TIMER_KEEPALIVE, tcb->ka_probes);
        on_keepalive(eng, tcb);
    }
    if (tcb->state == SYNACK_CLOSED) return;
    if (tcb->tlp_at <= now && tcb->state != SYNACK_CLOSED) {
        sk_trace_timer(eng, tcb, SYNACK_TIMER_TLP, 0);
        on_tlp(eng, tcb);
    }
    if (tcb->rack_at <= now) {
        /* RFC 8985 6.3: the reordering window passed; what is lost now goes (recovery
         * begins if it had not). */
        tcb->rack_at = SYNACK_TIME_NEVER;
        sk_trace_timer(eng, tcb, SYNACK_TIMER_REORDER, 0);
        if (sk_rack_timeout(eng, tcb)) sk_cc_on_sack(eng, tcb, 0, false);
    }
    if (tcb->rto_at <= now) {
        sk_trace_timer(eng, tcb, SYNACK_TIMER_RTO, tcb->backoff + 1); /* as rto #N counts */
        on_rto(eng, tcb);
    }
    if (tcb->state != SYNACK_CLOSED && tcb->persist_at <= now) {
        sk_trace_timer(eng, tcb, SYNACK_TIMER_PERSIST, tcb->persist_probes);
        on_persist(eng, tcb);
    }
}

void sk_tcp_timers_run(struct sk_engine *eng, struct sk_tcb *tcb)
{
    uint32_t cwnd = tcb->cwnd, ssthresh = tcb->ssthresh;
    timers_due(eng, tcb);
    if (tcb->state != SYNACK_CLOSED && (tcb->cwnd != cwnd || tcb->ssthresh != ssthresh))
        sk_trace_cwnd(eng, tcb);
}

synack_time_t sk_tcp_next_deadline(const struct sk_tcb *tcb)
{
    synack_time_t t = tcb->rto_at;
    if (tcb->persist_at < t) t = tcb->persist_at;
    if (tcb->close_at < t) t = tcb->close_at;
    if (tcb->tlp_at < t) t = tcb->tlp_at;
    if (tcb->delack_at < t) t = tcb->delack_at;
    if (tcb->ka_at < t) t = tcb->ka_at;
    if (tcb->rack_at < t) t = tcb->rack_at;
    return t;
}
