/* SPDX-License-Identifier: MIT */
#include "tcp/sack.h"
#include "tcp/rack.h"

#include "tcp/cc.h"

#include <string.h>
#include "tcp/output.h"
#include "tcp/rexmit.h"
#include "tcp/seq.h"

static uint32_t sacked_bytes(const struct sk_reasm *q)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < q->count; i++)
        n += q->ranges[i].end - q->ranges[i].start;
    return n;
}

/* The first byte of [so, eo) not SACKed before (eo: all of it was). */
static uint32_t first_new(const struct sk_reasm *q, uint32_t so, uint32_t eo)
{
    uint32_t x = so;
    for (unsigned i = 0; i < q->count && x < eo; i++)
        if (q->ranges[i].start <= x && x < q->ranges[i].end) x = q->ranges[i].end;
    return x < eo ? x : eo;
}

/* Newly SACKed bytes below the highest SACKed byte, never sent again, arrived late, not
 * lost: the peer reordered by as many segments as the first of them lies below it (Linux
 * tcp_check_sack_reordering, per newly SACKed skb; at most tcp_max_reordering 300). */
static void note_reordering(struct sk_tcb *tcb, uint32_t so, uint32_t eo)
{
    const struct sk_reasm *q = &tcb->sacked;
    uint32_t fack = q->count ? q->ranges[q->count - 1].end : 0;
    uint32_t rxt = seq_gt(tcb->high_rxt, tcb->snd_una) ? tcb->high_rxt - tcb->snd_una : 0;
    uint32_t low = first_new(q, so, eo);
    if (low >= eo || low >= fack || low < rxt) return;
    uint32_t mss = tcb->snd_mss ? tcb->snd_mss : 1, segs = (fack - low + mss - 1) / mss;
    uint32_t now = tcb->reordering ? tcb->reordering : 3;
    if (segs > now) tcb->reordering = (uint16_t)(segs < 300 ? segs : 300);
    sk_rack_note_reordering(tcb);
}

bool sk_sack_take(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_tcp_options *o)
{
    if (o->sack_count == 0) return false;
    uint32_t before = sacked_bytes(&tcb->sacked);
    uint32_t span = tcb->snd_max - tcb->snd_una;
    /* RFC 2883 4: a first block below the cumulative ACK, or inside the second block, is a
     * D-SACK: those octets arrived twice. */
    const struct sk_tcp_sack_block *b = o->sack;
    if (seq_lt(b[0].start, b[0].end) &&
        (seq_leq(b[0].end, tcb->snd_una) ||
         (o->sack_count > 1 && seq_geq(b[0].start, b[1].start) && seq_leq(b[0].end, b[1].end))))
        sk_cc_on_dsack(eng, tcb, b[0].start, b[0].end);
    for (unsigned i = 0; i < o->sack_count; i++) {
        uint32_t s = o->sack[i].start, e = o->sack[i].end;
        if (!seq_lt(s, e) || !seq_gt(e, tcb->snd_una) || seq_gt(e, tcb->snd_max))
            continue; /* malformed, D-SACK below SND.UNA, or never sent */
        uint32_t so = seq_gt(s, tcb->snd_una) ? s - tcb->snd_una : 0;
        uint32_t eo = e - tcb->snd_una;
        if (so == 0 || eo > span)
            continue; /* SND.UNA itself is never SACKed: it would have been ACKed */
        note_reordering(tcb, so, eo);
        sk_reasm_add(&eng->mem, &tcb->sacked, so, eo); /* a full table keeps what it has */
    }
    return sacked_bytes(&tcb->sacked) > before;
}

void sk_sack_advance(struct sk_tcb *tcb, uint32_t n)
{
    struct sk_reasm *q = &tcb->sacked;
    unsigned k = 0;
    /* An ACK that ends inside a SACKed range (a peer that reneged, or a lying one) would
     * leave SND.UNA itself marked SACKed, and RFC 6675's IsLost would then never count it
     * lost: the range is cut to start past SND.UNA, whose byte stays unSACKed (RFC 2018 8:
     * only the cumulative ACK is firm). */
    for (unsigned i = 0; i < q->count; i++) {
        if (q->ranges[i].end <= n + 1) continue;
        uint32_t start = q->ranges[i].start > n ? q->ranges[i].start - n : 1;
        q->ranges[k].start = start;
        q->ranges[k].end = q->ranges[i].end - n;
        k++;
    }
    q->count = k;
}

void sk_sack_clear(struct sk_tcb *tcb)
{
    tcb->sacked.count = 0;
    tcb->sack_recovery = false;
}

/* The offset below which every unSACKed byte counts as lost (RFC 6675 IsLost): the start
 * of the range where the SACKed bytes above pass 2 SMSS, or of the third range from the
 * top. 0 if nothing is lost. */
static uint32_t lost_edge(const struct sk_tcb *tcb)
{
    const struct sk_reasm *q = &tcb->sacked;
    uint32_t edge = 0, sum = 0, limit = 2u * tcb->snd_mss;
    for (unsigned i = q->count; i-- > 0;) {
        sum += q->ranges[i].end - q->ranges[i].start;
        if (sum > limit || q->count - i >= 3) {
            edge = q->ranges[i].start;
            break;
        }
    }
    /* RFC 8985: what RACK found lost by time (rack.c), when it reaches further. */
    uint32_t rack = sk_rack_lost_offset(tcb);
    return rack > edge ? rack : edge;
}

bool sk_sack_head_lost(const struct sk_tcb *tcb)
{
    return tcb->sack_ok && lost_edge(tcb) > 0;
}

/* RFC 6675 SetPipe: unSACKed bytes not lost, plus bytes retransmitted (up to HighRxt). */
static uint32_t pipe_bytes(const struct sk_tcb *tcb, uint32_t edge, uint32_t rxt)
{
    const struct sk_reasm *q = &tcb->sacked;
    uint32_t total = tcb->snd_max - tcb->snd_una, pipe = 0, at = 0;
    for (unsigned i = 0; i <= q->count; i++) {
        uint32_t hole_end = i < q->count ? q->ranges[i].start : total;
        if (hole_end > at) {
            if (hole_end > edge) pipe += hole_end - (at > edge ? at : edge);
            uint32_t r = rxt < hole_end ? rxt : hole_end;
            if (r > at) pipe += r - at;
        }
        if (i < q->count) at = q->ranges[i].end;
    }
    return pipe;
}

/* RFC 6675 NextSeg rule 1: the first lost, not yet retransmitted bytes, at most one
 * segment, within one hole. */
static bool next_lost(const struct sk_tcb *tcb, uint32_t edge, uint32_t rxt, uint32_t *off,
                      uint32_t *len)
{
    const struct sk_reasm *q = &tcb->sacked;
    uint32_t at = 0;
    for (unsigned i = 0; i < q->count; i++) {
        uint32_t hs = at > rxt ? at : rxt,
                 he = q->ranges[i].start < edge ? q->ranges[i].start : edge;
        if (hs < he) {
            *off = hs;
            *len = he - hs < tcb->snd_mss ? he - hs : tcb->snd_mss;
            return true;
        }
        at = q->ranges[i].end;
    }
    return false;
}

uint32_t sk_sack_pipe(const struct sk_tcb *tcb)
{
    uint32_t rxt = seq_gt(tcb->high_rxt, tcb->snd_una) ? tcb->high_rxt - tcb->snd_una : 0;
    return pipe_bytes(tcb, lost_edge(tcb), rxt);
}

uint32_t sk_sack_lost_bytes(const struct sk_tcb *tcb)
{
    uint32_t edge = lost_edge(tcb), at = 0, lost = 0;
    for (unsigned i = 0; i < tcb->sacked.count && tcb->sacked.ranges[i].start <= edge; i++) {
        lost += tcb->sacked.ranges[i].start - at;
        at = tcb->sacked.ranges[i].end;
    }
    return lost;
}

uint32_t sk_sack_bytes(const struct sk_tcb *tcb)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < tcb->sacked.count; i++)
        n += tcb->sacked.ranges[i].end - tcb->sacked.ranges[i].start;
    return n;
}

uint32_t sk_sack_highest(const struct sk_tcb *tcb)
{
    return tcb->sacked.count ? tcb->sacked.ranges[tcb->sacked.count - 1].end : 0;
}

uint32_t sk_sack_bytes_below(const struct sk_tcb *tcb, uint32_t end)
{
    uint32_t limit = end - tcb->snd_una, n = 0; /* the ranges are offsets from SND.UNA */
    for (unsigned i = 0; i < tcb->sacked.count; i++) {
        uint32_t s = tcb->sacked.ranges[i].start, e = tcb->sacked.ranges[i].end;
        if (s >= limit) break;
        n += (e < limit ? e : limit) - s;
    }
    return n;
}

void sk_sack_send(struct sk_engine *eng, struct sk_tcb *tcb)
{
    uint32_t data_end = sk_tcp_data_end(tcb);
    for (int guard = 0; guard < 64; guard++) {
        uint32_t edge = lost_edge(tcb);
        uint32_t rxt = seq_gt(tcb->high_rxt, tcb->snd_una) ? tcb->high_rxt - tcb->snd_una : 0;
        uint32_t pipe = pipe_bytes(tcb, edge, rxt); /* sk_sack_pipe */
        if (tcb->cwnd < pipe + tcb->snd_mss) return;
        uint32_t off, len;
        if (next_lost(tcb, edge, rxt, &off, &len)) {
            uint32_t seq = tcb->snd_una + off;
            uint32_t data = seq_lt(seq, data_end) ? data_end - seq : 0;
            if (len > data) len = data; /* a lost FIN alone is left to the RTO */
            if (len == 0) return;
            sk_why(eng, SYNACK_CAUSE_SACK_RECOVERY, 0);
            uint32_t n = sk_tcp_retransmit(eng, tcb, seq, len);
            sk_why(eng, SYNACK_CAUSE_NONE, 0);
            if (n == 0) return;
            tcb->high_rxt = seq + n;
            continue;
        }
        /* Rule 2: new data the peer's window allows. */
        if (!sk_tcp_send_new(eng, tcb)) return;
    }
}
