/* SPDX-License-Identifier: MIT */
/* Invariant checks (check.h). Debug builds only: a broken invariant is a bug in the engine,
 * and the run stops where it happened. */
#include "tcp/check.h"

#ifdef SYNACK_CHECK_INVARIANTS
#include <stdio.h>
#include <stdlib.h>
#include "tcp/output.h"
#include "tcp/seq.h"

static void broken(const struct sk_engine *eng, const struct sk_tcb *tcb, const char *what)
{
    fprintf(stderr,
            "synack: invariant broken at %llu ns: %s\n  state %s una %u nxt %u max %u "
            "buf_seq %u buffered %u fin_queued %d wnd %u rcv_nxt %u rcv_adv %u rto_at %lld "
            "persist_at %lld\n",
            (unsigned long long)eng->now, what, synack_state_name(tcb->state), tcb->snd_una,
            tcb->snd_nxt, tcb->snd_max, tcb->snd_buf_seq, tcb->sndbuf.len, tcb->fin_queued,
            tcb->snd_wnd, tcb->rcv_nxt, tcb->rcv_adv,
            tcb->rto_at == SYNACK_TIME_NEVER ? -1LL : (long long)tcb->rto_at,
            tcb->persist_at == SYNACK_TIME_NEVER ? -1LL : (long long)tcb->persist_at);
    abort();
}

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) broken(eng, tcb, #cond);                                                      \
    } while (0)

/* Ranges sorted, disjoint, non-empty, within [lo, hi]. */
static bool ranges_ok(const struct sk_reasm *q, uint32_t lo, uint32_t hi)
{
    if (q->count > q->max) return false;
    uint32_t at = lo;
    for (unsigned i = 0; i < q->count; i++) {
        if (q->ranges[i].start < at || q->ranges[i].start >= q->ranges[i].end) return false;
        at = q->ranges[i].end + 1; /* adjacent ranges would have merged */
    }
    return q->count == 0 || q->ranges[q->count - 1].end <= hi;
}

static bool sending_state(enum synack_tcp_state s)
{
    return s == SYNACK_ESTABLISHED || s == SYNACK_CLOSE_WAIT || s == SYNACK_FIN_WAIT_1 ||
           s == SYNACK_CLOSING || s == SYNACK_LAST_ACK;
}

void sk_tcp_check(const struct sk_engine *eng, const struct sk_tcb *tcb, bool settled)
{
    enum synack_tcp_state st = tcb->state;
    if (st == SYNACK_CLOSED || st == SYNACK_LISTEN || tcb->dead) return;
    uint32_t data_end = sk_tcp_data_end(tcb);
    /* Send sequence space: SND.UNA <= SND.NXT <= SND.MAX <= what the buffer holds (+ FIN). */
    CHECK(seq_leq(tcb->snd_una, tcb->snd_nxt));
    CHECK(seq_leq(tcb->snd_nxt, tcb->snd_max));
    if (tcb->has_buffers) {
        CHECK(seq_leq(tcb->snd_max, data_end + (tcb->fin_queued ? 1u : 0u)));
        /* The buffer starts at SND.UNA: one past it before the SYN is acknowledged, one
         * before it (empty) once the FIN is. */
        /* Not by state: a close right after a simultaneous open leaves FIN-WAIT-1 with the
         * SYN outstanding (RFC 9293 3.10.4). */
        bool syn_unacked = !tcb->syn_acked;
        if (syn_unacked)
            CHECK(tcb->snd_buf_seq == tcb->snd_una + 1);
        else if (sk_tcp_fin_acked(tcb))
            CHECK(tcb->snd_buf_seq + 1 == tcb->snd_una && tcb->sndbuf.len == 0);
        else
            CHECK(tcb->snd_buf_seq == tcb->snd_una);
        CHECK(tcb->sndbuf.len <= tcb->sndbuf.cap && tcb->rcvbuf.len <= tcb->rcvbuf.cap);
        CHECK(tcb->sndbuf.cap == 0 || tcb->sndbuf.head < tcb->sndbuf.cap);
        CHECK(tcb->rcvbuf.cap == 0 || tcb->rcvbuf.head < tcb->rcvbuf.cap);
        /* The SACK scoreboard lies in (SND.UNA, SND.MAX]; held out-of-order text in the
         * receive buffer's free space, past RCV.NXT. */
        CHECK(ranges_ok(&tcb->sacked, 1, tcb->snd_max - tcb->snd_una));
        CHECK(ranges_ok(&tcb->reasm, 1, tcb->rcvbuf.cap - tcb->rcvbuf.len));
    }
    if (st == SYNACK_SYN_SENT || st == SYNACK_SYN_RECEIVED) {
        if (settled) CHECK(tcb->rto_at != SYNACK_TIME_NEVER || tcb->tfo_deferred);
        return;
    }
    /* Receive side: nothing taken beyond the window offered (a FIN may sit on its edge). */
    CHECK(seq_leq(tcb->rcv_nxt, tcb->rcv_adv + (tcb->fin_received ? 1u : 0u)));
    CHECK(tcb->snd_wnd <= tcb->max_snd_wnd);
    if (st == SYNACK_TIME_WAIT) {
        CHECK(tcb->close_at != SYNACK_TIME_NEVER && tcb->rto_at == SYNACK_TIME_NEVER);
        return;
    }
    if (!sending_state(st) || !settled) return;
    CHECK(tcb->cwnd > 0);
    /* Timers armed iff something is outstanding: data or FIN in flight has the
     * retransmission timer; data waiting with nothing in flight has the persist timer (zero
     * window, or the SWS override); an owed ACK was sent by the output that just ran. */
    if (tcb->snd_max != tcb->snd_una) CHECK(tcb->rto_at != SYNACK_TIME_NEVER);
    bool unsent = seq_lt(tcb->snd_nxt, data_end);
    if (unsent && tcb->snd_max == tcb->snd_una) CHECK(tcb->persist_at != SYNACK_TIME_NEVER);
    if (tcb->snd_max == tcb->snd_una && !unsent)
        CHECK(tcb->rto_at == SYNACK_TIME_NEVER && tcb->persist_at == SYNACK_TIME_NEVER);
    CHECK(!tcb->ack_now);
}
#else
typedef int sk_check_unused; /* ISO C wants something in a translation unit */
#endif
