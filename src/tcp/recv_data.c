/* SPDX-License-Identifier: MIT */
/* The seventh and eighth steps of RFC 9293 3.10.7.4: segment text (in order into the
 * receive buffer, out of order held in place for reassembly) and FIN. */
#include "tcp/input.h"
#include "tcp/output.h"
#include "tcp/seq.h"
#include "tcp/state.h"
#include "tcp/tracepoints.h"

static void take_fin(struct sk_engine *eng, struct sk_tcb *tcb)
{
    tcb->rcv_nxt++;
    tcb->fin_received = true;
    tcb->ack_now = true;
    switch (tcb->state) {
    case SYNACK_ESTABLISHED:
        sk_tcp_set_state(eng, tcb, SYNACK_CLOSE_WAIT);
        break;
    case SYNACK_FIN_WAIT_1:
        /* Our FIN acknowledged (perhaps in this segment): TIME-WAIT; else CLOSING. */
        if (sk_tcp_fin_acked(tcb))
            sk_tcp_set_state(eng, tcb, SYNACK_TIME_WAIT);
        else
            sk_tcp_set_state(eng, tcb, SYNACK_CLOSING);
        break;
    case SYNACK_FIN_WAIT_2:
        tcb->close_at = SYNACK_TIME_NEVER;
        sk_tcp_set_state(eng, tcb, SYNACK_TIME_WAIT);
        break;
    default:
        break;
    }
}

/* Linux tcp_incr_quickack: quick ACKs for up to half the window's worth of full segments
 * (at least 2, at most TCP_MAX_QUICKACKS = 16), so slow start is not held back. */
static void incr_quickack(struct sk_tcb *tcb)
{
    uint32_t mss = tcb->rcv_mss ? tcb->rcv_mss : tcb->our_mss;
    unsigned q = sk_tcp_offered_window(tcb) / (2 * mss);
    if (q < 2) q = 2;
    if (q > 16) q = 16;
    if (q > tcb->quickacks) tcb->quickacks = (uint8_t)q;
}

void sk_tcp_enter_quickack(struct sk_tcb *tcb)
{
    incr_quickack(tcb);
    tcb->pingpong = false;
    tcb->ato_us = SK_TCP_ATO_MIN_US;
}

/* Data arrived in order (Linux tcp_event_data_recv): the first data turns quick-ACK mode on;
 * later, ato follows the spacing of arrivals, and a silence longer than the RTO (the sender
 * restarting) turns it on again. */
static void data_received(struct sk_engine *eng, struct sk_tcb *tcb)
{
    uint32_t now = sk_tcp_now_us(eng), gap = now - tcb->lrcv_us;
    uint64_t rto64 = tcb->rtt.rto / 1000u;
    uint32_t rto = rto64 > UINT32_MAX ? UINT32_MAX : (uint32_t)rto64;
    if (tcb->ato_us == 0) {
        incr_quickack(tcb);
        tcb->ato_us = SK_TCP_ATO_MIN_US;
    } else if (gap <= SK_TCP_ATO_MIN_US / 2) {
        tcb->ato_us = tcb->ato_us / 2 + SK_TCP_ATO_MIN_US / 2;
    } else if (gap < tcb->ato_us) {
        tcb->ato_us = tcb->ato_us / 2 + gap;
        if (tcb->ato_us > rto) tcb->ato_us = rto;
    } else if (gap > rto) {
        incr_quickack(tcb);
    }
    tcb->lrcv_us = now;
}

/* When to acknowledge in-order data (RFC 1122 4.2.3.2, RFC 5681 4.2): at once in quick-ACK
 * mode (not while interactive: Linux tcp_in_quickack_mode), when a hole is being filled or a
 * FIN came, and for every second full-sized segment; otherwise within the delayed-ACK
 * time. */
static void schedule_ack(struct sk_engine *eng, struct sk_tcb *tcb, bool urgent)
{
    uint32_t unacked = tcb->rcv_nxt - tcb->last_ack_sent;
    bool quick = tcb->quickacks > 0 && !tcb->pingpong;
    if (urgent || eng->cfg.delayed_ack == 0 || quick || unacked >= 2 * tcb->rcv_mss) {
        if (tcb->quickacks > 0) tcb->quickacks--;
        tcb->ack_now = true;
    } else if (tcb->delack_at == SYNACK_TIME_NEVER) {
        tcb->delack_at = eng->now + eng->cfg.delayed_ack;
        sk_trace_timer_set(eng, tcb, SYNACK_TIMER_DELACK, tcb->delack_at);
    }
}

/* In-order bytes at RCV.NXT: commit them and whatever held data they make contiguous.
 * False if there was no memory for them (nothing taken). */
static bool take_in_order(struct sk_engine *eng, struct sk_tcb *tcb, const uint8_t *data,
                          uint32_t len)
{
    if (!sk_ring_write_at(&eng->mem, &tcb->rcvbuf, 0, data, len)) return false;
    uint32_t extra = sk_reasm_advance(&tcb->reasm, len);
    sk_ring_commit(&tcb->rcvbuf, len + extra);
    uint32_t advanced = len + extra;
    tcb->rcv_nxt += advanced;
    tcb->bytes_received += advanced;
    tcb->last_data_recv_at = eng->now; /* Linux tcp_event_data_recv */
    if (tcb->ooo_fin) {
        if (tcb->ooo_fin_off <= advanced)
            tcb->ooo_fin_off = 0;
        else
            tcb->ooo_fin_off -= advanced;
    }
    return true;
}

void sk_tcp_note_dsack(struct sk_tcb *tcb, uint32_t start, uint32_t end)
{
    if (!tcb->sack_ok || !seq_lt(start, end)) return;
    tcb->dsack = true; /* a newer duplicate replaces an unreported one, as Linux */
    tcb->dsack_start = start;
    tcb->dsack_end = end;
}

/* RFC 2883 4 (Linux tcp_data_queue_ofo): out-of-order bytes [off, off + len) that overlap
 * a range already held are a duplicate: the first overlap is reported. */
static void note_ooo_duplicate(struct sk_tcb *tcb, uint32_t off, uint32_t len)
{
    const struct sk_reasm *q = &tcb->reasm;
    for (unsigned i = 0; i < q->count; i++) {
        uint32_t lo = q->ranges[i].start > off ? q->ranges[i].start : off;
        uint32_t hi = q->ranges[i].end < off + len ? q->ranges[i].end : off + len;
        if (lo < hi) {
            sk_tcp_note_dsack(tcb, tcb->rcv_nxt + lo, tcb->rcv_nxt + hi);
            return;
        }
    }
}

void sk_tcp_take_text(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t seq, const uint8_t *data,
                      uint32_t len, bool fin)
{
    uint32_t off = seq - tcb->rcv_nxt;
    tcb->tfo_fresh = false; /* see maybe_window_update (socket.c) */
    /* Every path that queues text comes here: nothing beyond the window we offered or the
     * buffer's free space is ever written (RFC 9293 3.10.7.4; a SYN-ACK's data is bounded
     * by the window of our SYN). */
    uint32_t room = sk_tcp_rcv_room(tcb);
    if (off > room || len > room - off) {
        len = off < room ? room - off : 0;
        fin = false;
        tcb->ack_now = true;
        if (len == 0) return;
    }
    /* What full-sized means for delayed ACKs: the largest segment seen, never above the MSS
     * we announced (Linux tcp_measure_rcv_mss caps it at advmss), so a GRO-merged 64 KiB
     * segment still counts as many segments, not one. */
    if (len > tcb->rcv_mss) tcb->rcv_mss = len < tcb->our_mss ? len : tcb->our_mss;
    if (off == 0) {
        bool holes = tcb->reasm.count > 0;
        if (len > 0 && !take_in_order(eng, tcb, data, len)) {
            /* At the memory limit: drop it (the peer retransmits), ACK what we hold. */
            sk_count(eng, SYNACK_CTR_TCP_RCV_NO_MEMORY);
            tcb->ack_now = true;
            return;
        }
        if (len > 0) data_received(eng, tcb);
        schedule_ack(eng, tcb, holes || fin);
    } else if (len > 0) {
        tcb->ack_now = true;
        note_ooo_duplicate(tcb, off, len);
        /* Out of order: keep the bytes in place; RFC 5681 4.2 wants an immediate
         * duplicate ACK, which ack_now gives. */
        if (!sk_ring_write_at(&eng->mem, &tcb->rcvbuf, off, data, len)) {
            sk_count(eng, SYNACK_CTR_TCP_RCV_NO_MEMORY);
            fin = false;
        } else if (sk_reasm_add(&eng->mem, &tcb->reasm, off, off + len)) {
            tcb->ooo_latest = seq;
            sk_count(eng, SYNACK_CTR_TCP_OOO_QUEUED);
        } else {
            sk_count(eng, SYNACK_CTR_TCP_OOO_DROPPED);
            fin = false;
        }
    }
    if (fin && off + len > 0 && off > 0) {
        tcb->ooo_fin = true; /* a FIN past a hole: take it when the hole fills */
        tcb->ooo_fin_off = off + len;
        /* RFC 5681 4.2: an out-of-order segment is ACKed at once, a bare FIN too (Linux
         * queues it out of order in tcp_data_queue_ofo, and __tcp_ack_snd_check sends the
         * duplicate ACK because the out-of-order queue is not empty). */
        tcb->ack_now = true;
        return;
    }
    if (fin || (tcb->ooo_fin && tcb->ooo_fin_off == 0)) {
        tcb->ooo_fin = false;
        take_fin(eng, tcb);
    }
}
