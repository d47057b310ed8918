/* SPDX-License-Identifier: MIT */
#include "tcp/output.h"

#include "tcp/cc.h"
#include "tcp/sack.h"

#include <string.h>
#include "tcp/tracepoints.h"
#include "tcp/chrono.h"
#include "tcp/fastopen.h"
#include "tcp/input.h"
#include "tcp/rack.h"
#include "tcp/zcopy.h"
#include "tcp/seq.h"
#include "tcp/timers.h"
#include "wire/ipv4.h"

static void trace_out(struct sk_engine *eng, const struct synack_endpoint *local,
                      const struct synack_endpoint *remote, const struct sk_tcp_header *h,
                      const uint8_t *raw, size_t hlen, uint32_t len, bool retransmission,
                      uint8_t cause)
{
    struct synack_trace_event ev;
    if (!sk_trace_begin(eng, SYNACK_TRACE_SEGMENT_OUT, local, remote, &ev)) return;
    struct synack_trace_segment *s = &ev.u.segment;
    s->src = *local;
    s->dst = *remote;
    s->seq = h->seq;
    s->ack = h->ack;
    s->flags = h->flags;
    s->window = h->window;
    s->len = len;
    s->mss = h->opts.has_mss ? h->opts.mss : 0;
    s->wscale = h->opts.has_wscale ? (int8_t)h->opts.wscale : -1;
    s->sack_permitted = h->opts.sack_permitted;
    s->retransmission = retransmission;
    s->cause = cause;
    s->backoff = cause == SYNACK_CAUSE_RTO ? eng->why_backoff : 0;
    s->opt_len = (uint8_t)(hlen - SK_TCP_HDR_LEN);
    memcpy(s->options, raw + SK_TCP_HDR_LEN, s->opt_len);
    sk_trace_emit(eng, &ev);
}

/* A connection's payload: references to n bytes at offset off of its send buffer (the
 * ring, or the zero-copy extents), at most max pieces, 0 if more were needed; or a copy. */
static unsigned payload_pieces(const struct sk_tcb *tcb, uint32_t off, uint32_t n,
                               struct synack_iovec *iov, unsigned max)
{
    if (sk_zc_sending(tcb->zc)) return sk_zc_pieces(tcb->zc, off, n, iov, max);
    return sk_ring_pieces(&tcb->sndbuf, off, n, iov, max);
}

static void payload_copy(const struct sk_tcb *tcb, uint32_t off, uint8_t *out, uint32_t n)
{
    if (sk_zc_sending(tcb->zc))
        sk_zc_peek(tcb->zc, off, out, n);
    else
        sk_ring_peek(&tcb->sndbuf, off, out, n);
}

void sk_tcp_sndbuf_consume(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t n)
{
    if (sk_zc_sending(tcb->zc)) {
        sk_zc_consume(&eng->mem, tcb->zc, n);
        tcb->sndbuf.len -= n;
    } else {
        sk_ring_consume(&eng->mem, &tcb->sndbuf, n, 0);
    }
}

/* Builds IPv4 + TCP around h and payload in the scratch buffer and hands it to the link. A
 * payload longer than seg_size (only with a link that segments, see seg_max) goes as
 * the headers in scratch plus references into the send buffer, through transmit_tso. */
static void transmit_seg(struct sk_engine *eng, const struct synack_endpoint *local,
                         const struct synack_endpoint *remote, const struct sk_tcp_header *h,
                         const struct sk_tcb *data, uint32_t data_off, uint32_t len,
                         uint16_t seg_size, bool retransmission, uint8_t cause)
{
    uint8_t *tcp = eng->scratch + SK_IPV4_HDR_LEN;
    size_t hlen = sk_tcp_emit(tcp, eng->scratch_cap - SK_IPV4_HDR_LEN, h);
    bool tso = len > seg_size && seg_size > 0 && eng->offload.transmit_tso;
    if (hlen == 0 || SK_IPV4_HDR_LEN + hlen + len > (tso ? 65535u : eng->scratch_cap))
        return; /* cannot happen with the sizes the stack allocates and seg_max */
    struct synack_iovec iov[SYNACK_LINK_MAX_IOV];
    unsigned niov = 0;
    if (tso) {
        niov = payload_pieces(data, data_off, len, iov + 1, SYNACK_LINK_MAX_IOV - 1);
        if (niov == 0) return; /* cannot happen: seg_max bounds len */
        niov++;
    } else if (len > 0) {
        payload_copy(data, data_off, tcp + hlen, len);
    }
    size_t tcp_len = hlen + len;
    if (eng->offload.tx_csum)
        sk_tcp_set_checksum_partial(tcp, tcp_len, local->addr, remote->addr);
    else
        sk_tcp_set_checksum(tcp, tcp_len, local->addr, remote->addr);
    sk_ipv4_emit(eng->scratch, local->addr, remote->addr, SK_IPPROTO_TCP, eng->cfg.ttl, eng->ip_id,
                 (uint16_t)tcp_len);
    if (eng->tx_tos || eng->tx_nodf)
        sk_ipv4_set_tos_df(eng->scratch, (uint8_t)(eng->tx_tos | eng->tx_ecn), !eng->tx_nodf);
    else if (eng->tx_ecn)
        sk_ipv4_set_ecn(eng->scratch, eng->tx_ecn);
    eng->tx_ecn = eng->tx_tos = 0;
    eng->tx_nodf = false;
    /* The link gives each piece of a super-segment an ID of its own, counting up. */
    eng->ip_id = (uint16_t)(eng->ip_id + (tso ? (len + seg_size - 1) / seg_size : 1));
    sk_count(eng, SYNACK_CTR_IP_OUT);
    sk_count(eng, SYNACK_CTR_TCP_OUT);
    if (h->flags & SYNACK_RST) sk_count(eng, SYNACK_CTR_TCP_RST_SENT);
    trace_out(eng, local, remote, h, tcp, hlen, len, retransmission, cause);
    if (tso) {
        iov[0] = (struct synack_iovec){eng->scratch, SK_IPV4_HDR_LEN + hlen};
        eng->offload.transmit_tso(eng->link.ctx, iov, niov, SK_IPV4_HDR_LEN + tcp_len, seg_size,
                                  eng->now);
    } else {
        eng->link.transmit(eng->link.ctx, eng->scratch, SK_IPV4_HDR_LEN + tcp_len, eng->now);
    }
}

/* A segment of at most one MSS (control segments, answers). */
static void transmit(struct sk_engine *eng, const struct synack_endpoint *local,
                     const struct synack_endpoint *remote, const struct sk_tcp_header *h,
                     const struct sk_tcb *data, uint32_t data_off, uint32_t len,
                     bool retransmission, uint8_t cause)
{
    transmit_seg(eng, local, remote, h, data, data_off, len, 0, retransmission, cause);
}

/* The most payload one segment of this connection may carry: the MSS, or with a link that
 * segments (tso_max, transmit_tso and tx_csum) as many whole MSS as fit in tso_max, in one
 * IPv4 packet with the largest TCP header, and in the link's pieces. */
static uint32_t seg_max(const struct sk_engine *eng, const struct sk_tcb *tcb)
{
    uint32_t mss = tcb->snd_mss;
    if (!eng->offload.tx_csum || !eng->offload.transmit_tso || eng->offload.tso_max <= mss)
        return mss;
    uint32_t most = 65535u - SK_IPV4_HDR_LEN - 60u;
    /* Pieces: one for the headers, and a payload of p chunks' worth may straddle p + 1
     * chunks, and one more where the ring wraps at a capacity that is not a multiple. */
    uint32_t pieces = (SYNACK_LINK_MAX_IOV - 3) * SK_RING_CHUNK;
    if (most > pieces) most = pieces;
    if (most > eng->offload.tso_max) most = eng->offload.tso_max;
    return most / mss * mss;
}

uint32_t sk_tcp_rcv_window(const struct sk_engine *eng, const struct sk_tcb *tcb)
{
    uint32_t free_space = sk_ring_free(&tcb->rcvbuf);
    uint32_t cur = sk_tcp_offered_window(tcb);
    const struct sk_mem *m = &eng->mem;
    if (m->limit) {
        /* Memory pressure (Linux tcp_clamp_window under sk_under_memory_pressure): offer
         * only what the stack's memory left can hold; an empty buffer one MSS, as its first
         * write always gets memory (ring.c). */
        size_t left = m->limit > m->in_use ? m->limit - m->in_use : 0;
        /* At least one unit of the window scale, or the MSS would round to a zero window on
         * the wire (Linux __tcp_select_window aligns up to 1 << rcv_wscale for this; stress
         * seed 130259: scale 13, MSS 1052, both ends waiting on zero windows). */
        uint32_t unit = (uint32_t)1 << tcb->rcv_wscale;
        uint32_t least = tcb->our_mss > unit ? tcb->our_mss : unit;
        uint32_t floor = least < free_space ? least : free_space;
        if (tcb->rcvbuf.len > 0) floor = 0;
        uint32_t room = left < free_space ? (uint32_t)left : free_space;
        free_space = room > floor ? room : floor;
    }
    /* RFC 1122 4.2.3.3 (receiver SWS avoidance): move the right edge only by at least
     * min(buffer / 2, MSS). */
    uint32_t step = tcb->rcvbuf.cap / 2;
    if (step > tcb->our_mss) step = tcb->our_mss;
    /* Measured from the edge the peer saw: the last window sent, rounded down to the unit
     * of the scale (a window that rounded to zero on the wire is a zero window, and any
     * step reopens it; else an empty buffer under memory pressure could wait forever). */
    uint32_t seen = cur >> tcb->rcv_wscale << tcb->rcv_wscale;
    uint32_t wnd = free_space >= seen + step ? free_space : cur;
    /* RFC 9293 3.8.6.2.2: never shrink the window we offered. */
    return wnd > cur ? wnd : cur;
}

static uint16_t window_field(const struct sk_engine *eng, struct sk_tcb *tcb, bool syn)
{
    uint32_t wnd = sk_tcp_rcv_window(eng, tcb);
    if (syn) {
        /* RFC 7323 2.2: the window in a SYN is never scaled. */
        uint32_t w = wnd > 65535 ? 65535 : wnd;
        tcb->rcv_adv = tcb->rcv_nxt + w;
        return (uint16_t)w;
    }
    uint32_t scaled = wnd >> tcb->rcv_wscale;
    if (scaled > 65535) scaled = 65535;
    uint32_t edge = tcb->rcv_nxt + (scaled << tcb->rcv_wscale);
    if (seq_gt(edge, tcb->rcv_adv)) tcb->rcv_adv = edge;
    return (uint16_t)scaled;
}

/* RFC 2018 4: SACK blocks for the held out-of-order ranges, the block holding the latest
 * arrival first, then the others in sequence order. */
static void add_sack_blocks(const struct sk_tcb *tcb, struct sk_tcp_options *o, unsigned max)
{
    const struct sk_reasm *q = &tcb->reasm;
    unsigned first = q->count;
    for (unsigned i = 0; i < q->count; i++) {
        uint32_t lo = tcb->rcv_nxt + q->ranges[i].start, hi = tcb->rcv_nxt + q->ranges[i].end;
        if (seq_in(tcb->ooo_latest, lo, hi)) first = i;
    }
    o->sack_count = 0;
    /* RFC 2883 4: a D-SACK block first (the duplicate); when it lies within held data, the
     * next block is the range holding it, which is the latest arrival's. */
    if (tcb->dsack) {
        o->sack[0].start = tcb->dsack_start;
        o->sack[0].end = tcb->dsack_end;
        o->sack_count = 1;
    }
    for (unsigned k = 0; k < q->count + 1 && o->sack_count < max; k++) {
        unsigned i = k == 0 ? first : k - 1;
        if (i >= q->count || (k > 0 && i == first)) continue;
        o->sack[o->sack_count].start = tcb->rcv_nxt + q->ranges[i].start;
        o->sack[o->sack_count].end = tcb->rcv_nxt + q->ranges[i].end;
        o->sack_count++;
    }
}

/* Options of an outgoing segment: MSS, window scale, SACK-permitted on SYNs; timestamps
 * on every segment once agreed (RFC 7323 3.2); SACK blocks on pure ACKs. */
static void set_options(struct sk_engine *eng, struct sk_tcb *tcb, struct sk_tcp_header *h,
                        uint32_t len)
{
    bool syn = (h->flags & SYNACK_SYN) != 0, synack = syn && (h->flags & SYNACK_ACK);
    bool ts = syn && !synack ? eng->cfg.timestamps : tcb->ts_ok;
    if (syn) {
        /* RFC 9293 3.7.1: announce our MSS in the SYN. RFC 7323 2.2: window scale only in
         * a SYN, and in a SYN-ACK only if the peer's SYN had it. */
        h->opts.has_mss = true;
        h->opts.mss = tcb->our_mss;
        if (!synack || tcb->wscale_ok) {
            h->opts.has_wscale = true;
            h->opts.wscale = tcb->rcv_wscale;
        }
        h->opts.sack_permitted = synack ? tcb->sack_ok : eng->cfg.sack;
        if (!synack && tcb->tfo && !tcb->syn_retransmitted) {
            /* RFC 7413 4.1.1: the cookie we hold for this server, or a request for one. A
             * retransmitted SYN goes without Fast Open (as Linux): the option or the data
             * may be what a middlebox drops. */
            struct sk_tfo_syn fo;
            sk_tfo_client_syn(eng, tcb, &fo);
            h->opts.has_fastopen = fo.option;
            h->opts.fo_exp = fo.exp;
            h->opts.fo_len = fo.len;
            if (fo.len) memcpy(h->opts.fo_cookie, fo.cookie, fo.len);
        } else if (synack && eng->tfo_reply_to == tcb) {
            /* RFC 7413 4.3 steps 1 and 3: the server's cookie (fastopen.c). */
            h->opts.has_fastopen = true;
            h->opts.fo_exp = eng->tfo_reply.exp;
            h->opts.fo_len = eng->tfo_reply.len;
            memcpy(h->opts.fo_cookie, eng->tfo_reply.cookie, eng->tfo_reply.len);
        }
    }
    if (ts && !((h->flags & SYNACK_RST) && !(h->flags & SYNACK_ACK))) {
        /* RFC 7323 4.1: TSval from a 1 ms clock (Linux), TSecr = TS.Recent (0 in a SYN). */
        h->opts.has_timestamp = true;
        h->opts.ts_val = (uint32_t)(eng->now / 1000000u) + tcb->ts_offset;
        h->opts.ts_ecr = syn && !synack ? 0 : tcb->ts_recent;
    }
    if (tcb->sack_ok && !syn && len == 0 && (tcb->reasm.count > 0 || tcb->dsack) &&
        (h->flags & SYNACK_ACK))
        add_sack_blocks(tcb, &h->opts, ts ? 3 : 4);
    if (h->flags & SYNACK_ACK) tcb->dsack = false; /* reported once (Linux tcp_options_write) */
}

void sk_tcp_send(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t seq, uint8_t flags,
                 uint32_t len)
{
    struct sk_tcp_header h;
    memset(&h, 0, sizeof h);
    h.sport = tcb->local.port;
    h.dport = tcb->remote.port;
    h.seq = seq;
    bool syn = (flags & SYNACK_SYN) != 0;
    eng->tx_ecn = 0;
    eng->tx_tos = tcb->tos; /* IP_TOS, IP_MTU_DISCOVER */
    eng->tx_nodf = tcb->pmtu_dont;
    if (tcb->ecn_ok && !syn) {
        /* RFC 3168 6.1.3: ECE on every ACK until the peer's CWR; 6.1.2: CWR on the first new
         * data after a reduction; 6.1.5 (as Linux): only new data is ECN-capable, never a
         * retransmission, a pure ACK or a probe. */
        if ((flags & SYNACK_ACK) && tcb->ece_pending) flags |= SYNACK_ECE;
        if (len > 0 && seq_geq(seq, tcb->snd_max)) {
            eng->tx_ecn = SK_IP_ECT0;
            if (tcb->cwr_pending) {
                flags |= SYNACK_CWR;
                tcb->cwr_pending = false;
            }
        }
    }
    h.flags = flags;
    if (flags & SYNACK_ACK) h.ack = tcb->rcv_nxt;
    set_options(eng, tcb, &h, len);
    if (flags & SYNACK_ACK) {
        tcb->last_ack_sent = tcb->rcv_nxt;
        tcb->delack_at = SYNACK_TIME_NEVER; /* this segment carries the ACK */
    }
    h.window = (flags & SYNACK_RST) && !(flags & SYNACK_ACK) ? 0 : window_field(eng, tcb, syn);
    if (flags & SYNACK_ACK) tcb->ack_now = false;
    /* The SYN takes one sequence number before the first byte of data (RFC 9293 3.4). */
    uint32_t off = seq + !!(flags & SYNACK_SYN) - tcb->snd_buf_seq;
    bool rtx = seq_lt(seq, tcb->snd_max) && (len > 0 || (flags & (SYNACK_SYN | SYNACK_FIN))) &&
               eng->why != SYNACK_CAUSE_OPEN;
    /* When data last left, for tcp_info (Linux tcp_event_data_sent). */
    if (len > 0) tcb->last_data_sent_at = eng->now;
    tcb->segments_out++;
    if (tcb->sack_recovery) tcb->prr_out += len; /* RFC 6937 prr_out */
    /* Linux tcp_event_data_sent (TCP_PINGPONG_THRESH 1): data sent within ato of the last
     * arrival answers it, so the exchange is interactive and ACKs of data may wait to ride
     * on the next reply. */
    if (len > 0 && tcb->ato_us && sk_tcp_now_us(eng) - tcb->lrcv_us < tcb->ato_us)
        tcb->pingpong = true;
    if (len > 0 && !(flags & SYNACK_SYN)) sk_rack_sent(eng, tcb, seq, len); /* RFC 8985 */
    if (rtx) {
        sk_cc_on_retransmit(tcb, seq, len);
        /* Linux retrans_stamp: the TSval of the first retransmission while none is
         * outstanding (RFC 3522 compares the echo with it, cc.c). */
        if (len > 0 && !seq_gt(tcb->rtx_end, tcb->snd_una))
            tcb->loss_tsval = sk_tcp_ts_now(eng, tcb);
        if (len > 0 && (seq_lt(tcb->rtx_end, tcb->snd_una) || seq_gt(seq + len, tcb->rtx_end)))
            tcb->rtx_end = seq + len;
        tcb->retransmissions++;
        sk_count(eng, SYNACK_CTR_TCP_RETRANSMIT);
    }
    /* Why it leaves (trace only): what the caller named, else what the segment says. */
    uint8_t cause = eng->why;
    bool repeats = cause == SYNACK_CAUSE_RTO || cause == SYNACK_CAUSE_FAST_RETRANSMIT ||
                   cause == SYNACK_CAUSE_PARTIAL_ACK || cause == SYNACK_CAUSE_SACK_RECOVERY ||
                   cause == SYNACK_CAUSE_SYN_REPEAT;
    if (!cause || (repeats && !rtx) ||
        (cause == SYNACK_CAUSE_DELAYED_ACK &&
         (len || (flags & ~(SYNACK_ACK | SYNACK_ECE | SYNACK_CWR)))))
        cause = (flags & SYNACK_RST)   ? SYNACK_CAUSE_ABORT
                : rtx                  ? SYNACK_CAUSE_RTO_GO_BACK
                : syn                  ? SYNACK_CAUSE_OPEN
                : len                  ? SYNACK_CAUSE_DATA
                : (flags & SYNACK_FIN) ? SYNACK_CAUSE_FIN
                                       : SYNACK_CAUSE_ACK;
    transmit_seg(eng, &tcb->local, &tcb->remote, &h, tcb, off, len, tcb->snd_mss, rtx, cause);
}

uint32_t sk_tcp_acceptable_seq(const struct sk_tcb *tcb)
{
    /* The next new octet (snd_max), not SND.NXT: while retransmitting, SND.NXT is behind
     * what the peer already holds. But never past the right edge of the peer's window: a
     * zero-length segment there is unacceptable (RFC 9293 3.10.7.4; with a zero window only
     * SEQ = RCV.NXT is), the peer would drop it and its ACK with it, and answer, and a
     * zero-window exchange could go on forever. Linux tcp_acceptable_seq, with the same
     * slack of one window-scale unit. */
    uint32_t wnd_end = tcb->snd_una + tcb->snd_wnd;
    /* The furthest edge the peer offered, if it took it back since: a receiver takes
     * segments up to any edge it offered (RFC 9293 3.8.6.2.2: it should not shrink), and
     * ours may seem to by less than a unit of the scale, rounding (RFC 7323 2.4). An ACK
     * below that edge could carry a SEQ lower than a segment already sent there, and the
     * peer, whose SND.WL1 that one may have set, would refuse its window update (stress
     * seed 7589: both ends then waited on zero windows). */
    /* (Only when we sent up to it: a peer that truly retracted its window by more takes
     * SEQ at its new edge only, RFC 9293 3.10.7.4; a retreat by rounding is less than the
     * unit of slack below, and SND.MAX goes then.) */
    if (seq_gt(tcb->snd_edge, wnd_end) && seq_leq(tcb->snd_edge, tcb->snd_max))
        wnd_end = tcb->snd_edge;
    if (seq_leq(tcb->snd_max, wnd_end) ||
        (tcb->wscale_ok && tcb->snd_max - wnd_end < (1u << tcb->snd_wscale)))
        return tcb->snd_max;
    return wnd_end;
}

void sk_tcp_send_ack(struct sk_engine *eng, struct sk_tcb *tcb)
{
    sk_tcp_send(eng, tcb, sk_tcp_acceptable_seq(tcb), SYNACK_ACK, 0);
}

void sk_tcp_send_abort_rst(struct sk_engine *eng, struct sk_tcb *tcb)
{
    sk_tcp_send(eng, tcb, sk_tcp_acceptable_seq(tcb), SYNACK_RST | SYNACK_ACK, 0);
}

void sk_tcp_send_header(struct sk_engine *eng, const struct synack_endpoint *local,
                        const struct synack_endpoint *remote, const struct sk_tcp_header *h)
{
    transmit(eng, local, remote, h, NULL, 0, 0, false,
             (h->flags & SYNACK_SYN) ? SYNACK_CAUSE_OPEN : SYNACK_CAUSE_TIME_WAIT);
}

void sk_tcp_send_reset_for(struct sk_engine *eng, const struct sk_segment *seg)
{
    if (seg->h.flags & SYNACK_RST)
        return; /* RFC 9293 3.10.7.1: an incoming RST is discarded, never answered */
    struct sk_tcp_header h;
    memset(&h, 0, sizeof h);
    h.sport = seg->dst.port;
    h.dport = seg->src.port;
    if (seg->h.flags & SYNACK_ACK) {
        h.seq = seg->h.ack;
        h.flags = SYNACK_RST;
    } else {
        uint32_t seglen = seg->len + !!(seg->h.flags & SYNACK_SYN) + !!(seg->h.flags & SYNACK_FIN);
        h.seq = 0;
        h.ack = seg->h.seq + seglen;
        h.flags = SYNACK_RST | SYNACK_ACK;
    }
    transmit(eng, &seg->dst, &seg->src, &h, NULL, 0, 0, false, SYNACK_CAUSE_RESET);
}

bool sk_tcp_eor_after(const struct sk_tcb *tcb, uint32_t seq, uint32_t *end)
{
    /* The records lie in sequence order: a binary search over the ring. */
    unsigned lo = 0, hi = tcb->eor_count;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (seq_gt(tcb->eor[(tcb->eor_head + mid) % SK_EOR_MAX], seq))
            hi = mid;
        else
            lo = mid + 1;
    }
    if (lo == tcb->eor_count) return false;
    *end = tcb->eor[(tcb->eor_head + lo) % SK_EOR_MAX];
    return true;
}

void sk_tcp_eor_acked(struct sk_tcb *tcb)
{
    while (tcb->eor_count > 0 && !seq_gt(tcb->eor[tcb->eor_head], tcb->snd_buf_seq)) {
        tcb->eor_head = (uint8_t)((tcb->eor_head + 1) % SK_EOR_MAX);
        tcb->eor_count--;
    }
}

bool sk_tcp_ends_push(const struct sk_tcb *tcb, uint32_t end)
{
    uint32_t eor_end;
    if (tcb->push_mark && end == tcb->push_seq) return true;
    /* Linux tcp_send_syn_data: the SYN's data is an skb of its own, with PSH, which every
     * repeat of it keeps. */
    if (tcb->tfo_syn_len && end == tcb->iss + 1 + tcb->tfo_syn_len) return true;
    return tcb->eor_count > 0 && sk_tcp_eor_after(tcb, end - 1, &eor_end) && eor_end == end;
}

/* Segments a Linux sender puts in one TSO packet at the rates of a first flight:
 * tcp_tso_autosize gives at least tcp_min_tso_segs, 2 by default. */
#define PSH_SEGS 2u

/* May a segment of len bytes (of `unsent` waiting) go now? Sender SWS avoidance (RFC 1122
 * 4.2.3.4) and Nagle (RFC 896) with Minshall's refinement, as Linux: a short segment waits
 * only while an earlier short segment is unacknowledged. */
static bool nagle_allows(const struct sk_tcb *tcb, uint32_t len, uint32_t unsent)
{
    if (len >= tcb->snd_mss) return true;
    if (len < unsent)
        return len >= tcb->max_snd_wnd / 2; /* window-limited: send if half the max window */
    /* Linux tcp_nagle_test: the FIN goes; TCP_NAGLE_PUSH (TCP_NODELAY just set) sends what
     * waits; TCP_NAGLE_CORK (TCP_CORK, or MSG_MORE on the send that asked) holds a partial
     * segment. */
    if (tcb->fin_queued || tcb->push_once) return true;
    if (tcb->cork || tcb->more_once) return false;
    if (tcb->nodelay) return true;
    return !seq_gt(tcb->snd_sml, tcb->snd_una);
}

static void send_syn(struct sk_engine *eng, struct sk_tcb *tcb)
{
    uint8_t flags = tcb->state == SYNACK_SYN_SENT ? SYNACK_SYN : SYNACK_SYN | SYNACK_ACK;
    /* RFC 3168 6.1.1: asking for ECN (ECE and CWR in the SYN; not in a repeated SYN, as
     * Linux falls back in case a middlebox drops them) or agreeing (ECE in the SYN-ACK). */
    if (tcb->state == SYNACK_SYN_SENT && eng->cfg.ecn == 1 && !tcb->syn_retransmitted)
        flags |= SYNACK_ECE | SYNACK_CWR;
    else if (tcb->state != SYNACK_SYN_SENT && tcb->ecn_ok)
        flags |= SYNACK_ECE;
    uint32_t len = 0;
    if (tcb->tfo && tcb->state == SYNACK_SYN_SENT && !tcb->syn_retransmitted) {
        /* RFC 7413 4.2.1: data in the SYN with a cookie (or in cookie-less mode), at most
         * the room sk_tfo_client_syn leaves. */
        struct sk_tfo_syn fo;
        sk_tfo_client_syn(eng, tcb, &fo);
        if (fo.data) len = tcb->sndbuf.len < fo.room ? tcb->sndbuf.len : fo.room;
        tcb->tfo_syn_opt = fo.option;
        tcb->tfo_syn_exp = fo.exp;
        tcb->tfo_syn_len = (uint16_t)len; /* its end pushes (sk_tcp_ends_push) */
    }
    tcb->bytes_sent += len;
    if (tcb->state == SYNACK_SYN_SENT) {
        /* Time the SYN from when it leaves: a socket call's clock is only the last time the
         * stack was given, which may be long ago (RFC 6298 2.2 wants the first sample from
         * the handshake). */
        tcb->rtt_timing = true;
        tcb->rtt_seq = tcb->iss;
        tcb->rtt_start = eng->now;
    }
    sk_tcp_send(eng, tcb, tcb->iss, flags, len);
    tcb->snd_nxt = tcb->iss + 1 + len;
    tcb->snd_max = seq_max(tcb->snd_max, tcb->snd_nxt);
    if (tcb->rto_at == SYNACK_TIME_NEVER) sk_tcp_arm_rto(eng, tcb);
}

static bool can_send_data(enum synack_tcp_state s)
{
    return s == SYNACK_ESTABLISHED || s == SYNACK_CLOSE_WAIT || s == SYNACK_FIN_WAIT_1 ||
           s == SYNACK_CLOSING || s == SYNACK_LAST_ACK;
}

/* Data and FIN allowed by the windows. With force, the first segment goes even if sender
 * SWS avoidance or Nagle would hold it (the persist timer's override). Returns true if
 * anything was sent. */
static bool send_data(struct sk_engine *eng, struct sk_tcb *tcb, bool force)
{
    bool sent_any = false;
    uint32_t fin_seq = sk_tcp_data_end(tcb);
    /* RFC 3042 limited transmit, as Linux counts its pipe: what the peer reports holding
     * (SACKed bytes; without SACK, a segment per duplicate ACK) has left the network, and new
     * data may take its place within the congestion window; the peer's window still bounds
     * what is sent past SND.UNA. Not while going back after a timeout: the flight then runs
     * from SND.NXT, below what the peer holds. Sending changes none of it: taken once. */
    uint64_t held = 0;
    if (!tcb->in_recovery && tcb->snd_nxt == tcb->snd_max)
        held = tcb->sack_ok ? sk_sack_bytes(tcb)
                            : (uint64_t)(tcb->dupacks < 3 ? tcb->dupacks : 3) * tcb->snd_mss;
    /* PSH as Linux places it. Linux sends a burst as TSO packets of PSH_SEGS segments cut
     * from each skb (tcp_write_xmit, tso_fragment) and sets PSH on every packet of more than
     * one segment (__tcp_transmit_skb: pcount > 1); GSO keeps it on the last segment only
     * (tcp_gso_segment). Without a link that segments, `run` counts the segments of such a
     * packet so that its last one carries PSH; a super-segment carries it itself. A packet
     * ends early where the windows, Nagle or a record stop the burst. */
    unsigned run = 0;
    for (;; force = false) {
        uint32_t off = tcb->snd_nxt - tcb->snd_buf_seq;
        if (seq_gt(tcb->snd_nxt, fin_seq)) break; /* everything, FIN included, is out */
        uint32_t unsent = tcb->sndbuf.len - off;
        uint32_t in_flight = sk_tcp_in_flight(tcb);
        uint32_t pipe = in_flight > held ? in_flight - (uint32_t)held : 0;
        uint32_t by_cwnd = tcb->cwnd > pipe ? tcb->cwnd - pipe : 0;
        uint32_t by_rwnd = tcb->snd_wnd > in_flight ? tcb->snd_wnd - in_flight : 0;
        uint32_t usable = by_cwnd < by_rwnd ? by_cwnd : by_rwnd;
        uint32_t len = unsent < usable ? unsent : usable;
        /* With a link that segments, whole MSS at a time up to its limit (what the windows
         * allow and is not the tail of the data is cut to a multiple of the MSS, as the
         * link would cut it to MSS pieces anyway). */
        uint32_t most = seg_max(eng, tcb);
        if (len > most) len = most;
        if (len > tcb->snd_mss && len < unsent) len -= len % tcb->snd_mss;
        /* A zero-copy send buffer (an extent per send) may need more pieces than the link
         * takes for one super-segment: no more than fit (whole MSS, at least one). */
        if (len > tcb->snd_mss && sk_zc_sending(tcb->zc)) {
            uint32_t fit = sk_zc_span(tcb->zc, off, len, SYNACK_LINK_MAX_IOV - 1);
            if (fit < len) len = fit > tcb->snd_mss ? fit - fit % tcb->snd_mss : tcb->snd_mss;
        }
        /* After a timeout SND.NXT is behind SND.MAX: what lies below SND.MAX goes again as
         * sent before (a segment never mixes repeated and new bytes); new data starts at
         * SND.MAX and moves it (rexmit.c). */
        bool repeat = seq_lt(tcb->snd_nxt, tcb->snd_max);
        if (repeat && tcb->frto_hold) break; /* F-RTO waits for the next ACK (cc.c) */
        if (repeat && len > tcb->snd_max - tcb->snd_nxt) len = tcb->snd_max - tcb->snd_nxt;
        /* An MSG_EOR record ends a segment (Linux tcp_skb_can_collapse_to); one that is not
         * the last of the queue goes without Nagle (tcp_write_xmit tests Nagle on the last
         * skb only). */
        uint32_t eor_end = 0;
        bool eor = tcb->eor_count > 0 && sk_tcp_eor_after(tcb, tcb->snd_nxt, &eor_end);
        uint32_t to_eor = eor ? eor_end - tcb->snd_nxt : unsent;
        if (len > to_eor) len = to_eor;
        bool fin = tcb->fin_queued && len == unsent;
        if (len == 0 && !fin) break;
        if (len > 0 && !force && !repeat && to_eor == unsent && !nagle_allows(tcb, len, unsent))
            break;
        uint8_t flags = SYNACK_ACK;
        if (len > 0) {
            bool psh = sk_tcp_ends_push(tcb, tcb->snd_nxt + len) ||
                       force; /* Linux tcp_write_wakeup: a probe's data always has PSH */
            /* A repeat goes as the skbs Linux holds by then, which earlier repeats and
             * probes have cut to single segments: no pairs (tcp_retransmit_skb). */
            if (len > tcb->snd_mss || (!repeat && ++run == PSH_SEGS)) psh = true;
            if (psh || len == to_eor) run = 0; /* the next packet starts afresh */
            if (psh) flags |= SYNACK_PSH;
        }
        if (fin) flags |= SYNACK_FIN;
        uint32_t seq = tcb->snd_nxt;
        if (len > 0 && !tcb->rtt_timing && seq_geq(seq, tcb->snd_max)) {
            /* Time one segment per round trip; never a retransmission (Karn). */
            tcb->rtt_timing = true;
            tcb->rtt_seq = seq;
            tcb->rtt_start = eng->now;
        }
        if (seq_geq(seq, tcb->snd_max)) {
            tcb->bytes_sent += len;
            tcb->last_new_seq = seq;
        } else if (seq_gt(seq + len, tcb->snd_max))
            tcb->bytes_sent += seq + len - tcb->snd_max;
        sk_tcp_send(eng, tcb, seq, flags, len);
        if (len < tcb->snd_mss) tcb->snd_sml = seq + len;
        tcb->snd_nxt = seq + len + (fin ? 1 : 0);
        tcb->snd_max = seq_max(tcb->snd_max, tcb->snd_nxt);
        sent_any = true;
        /* RFC 6298 5.1: start the timer when data goes out and it is not running. */
        if (tcb->rto_at == SYNACK_TIME_NEVER) sk_tcp_arm_rto(eng, tcb);
        if (fin) break;
    }
    if (sent_any) sk_tcp_arm_tlp(eng, tcb);
    /* Linux tcp_write_xmit: what waits unsent is held back by the peer's window (the
     * congestion window would let a segment go), or not (tcp_chrono RWND_LIMITED). */
    uint32_t unsent = seq_gt(fin_seq, tcb->snd_nxt) ? fin_seq - tcb->snd_nxt : 0;
    uint32_t need = unsent < tcb->snd_mss ? unsent : tcb->snd_mss;
    uint32_t wnd_end = tcb->snd_una + tcb->snd_wnd;
    uint32_t wnd_room = seq_gt(wnd_end, tcb->snd_nxt) ? wnd_end - tcb->snd_nxt : 0;
    if (need > 0 && (uint64_t)sk_tcp_in_flight(tcb) + need <= tcb->cwnd && wnd_room < need)
        sk_chrono_start(eng, tcb, SK_CHRONO_RWND);
    else
        sk_chrono_stop(eng, tcb, SK_CHRONO_RWND);
    /* Linux tcp_write_xmit: the flight filled the congestion window (no room left for a
     * full segment: Linux counts packets), or not. */
    bool limited = (uint64_t)sk_tcp_in_flight(tcb) + tcb->snd_mss > tcb->cwnd;
    if (sent_any || limited) sk_cc_validate(tcb, limited);
    return sent_any;
}

bool sk_tcp_send_forced(struct sk_engine *eng, struct sk_tcb *tcb)
{
    return can_send_data(tcb->state) && send_data(eng, tcb, true);
}

/* One segment of new data at SND.MAX, as much as the peer's window allows up to an MSS;
 * SND.NXT follows unless it is behind (F-RTO). Returns the bytes sent. */
static uint32_t send_one_new(struct sk_engine *eng, struct sk_tcb *tcb)
{
    uint32_t data_end = sk_tcp_data_end(tcb);
    uint32_t unsent = seq_lt(tcb->snd_max, data_end) ? data_end - tcb->snd_max : 0;
    uint32_t wnd_end = tcb->snd_una + tcb->snd_wnd;
    uint32_t room = seq_gt(wnd_end, tcb->snd_max) ? wnd_end - tcb->snd_max : 0;
    uint32_t len = unsent < room ? unsent : room;
    if (len > tcb->snd_mss) len = tcb->snd_mss;
    if (len == 0) return 0;
    uint32_t seq = tcb->snd_max, eor_end;
    if (tcb->eor_count > 0 && sk_tcp_eor_after(tcb, seq, &eor_end) && len > eor_end - seq)
        len = eor_end - seq;
    tcb->last_new_seq = seq;
    tcb->bytes_sent += len;
    /* One segment (Linux tcp_write_xmit with push_one): PSH only where a write ends. */
    sk_tcp_send(eng, tcb, seq, SYNACK_ACK | (sk_tcp_ends_push(tcb, seq + len) ? SYNACK_PSH : 0),
                len);
    if (tcb->snd_nxt == seq) tcb->snd_nxt = seq + len;
    tcb->snd_max = seq + len;
    return len;
}

bool sk_tcp_send_new(struct sk_engine *eng, struct sk_tcb *tcb)
{
    return tcb->snd_nxt == tcb->snd_max && send_one_new(eng, tcb) > 0;
}

bool sk_tcp_send_new_ahead(struct sk_engine *eng, struct sk_tcb *tcb, unsigned most)
{
    /* What is in flight: the repeats since SND.UNA (what lies between SND.NXT and SND.MAX
     * counts as lost, as Linux marks it after a timeout). */
    uint32_t flight = sk_tcp_in_flight(tcb);
    uint32_t budget = tcb->cwnd > flight ? tcb->cwnd - flight : 0;
    unsigned sent = 0;
    for (uint32_t len; sent < most && budget > 0 && (len = send_one_new(eng, tcb)) > 0; sent++)
        budget = budget > len ? budget - len : 0;
    return sent > 0;
}

void sk_tcp_output(struct sk_engine *eng, struct sk_tcb *tcb)
{
    if (tcb->state == SYNACK_SYN_SENT || tcb->state == SYNACK_SYN_RECEIVED) {
        if (tcb->snd_nxt == tcb->iss && !tcb->tfo_deferred)
            send_syn(eng, tcb);
        else if (tcb->ack_now && tcb->state == SYNACK_SYN_RECEIVED)
            sk_tcp_send_ack(eng, tcb);
        tcb->ack_now = false;
        /* RFC 7413 4.3: a Fast Open child may send data before the handshake's ACK, within
         * the initial window (Linux tcp_passive_fastopen: tcp_sendmsg does not wait). */
        if (!(tcb->tfo_passive && tcb->state == SYNACK_SYN_RECEIVED && tcb->snd_nxt != tcb->iss))
            return;
    }
    if (can_send_data(tcb->state) || tcb->state == SYNACK_SYN_RECEIVED) send_data(eng, tcb, false);
    if (tcb->ack_now && tcb->state != SYNACK_CLOSED && tcb->state != SYNACK_LISTEN)
        sk_tcp_send_ack(eng, tcb);
    tcb->more_once = false; /* MSG_MORE held only the output its own send asked for */
    sk_tcp_update_persist(eng, tcb);
}
