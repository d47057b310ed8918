/* SPDX-License-Identifier: MIT */
/* Segment arrival in the synchronized states and SYN-RECEIVED (RFC 9293 3.10.7.4). */
#include <errno.h>
#include "tcp/answer.h"
#include "tcp/input.h"
#include "tcp/output.h"
#include "tcp/autotune.h"
#include "tcp/seq.h"
#include "tcp/state.h"
#include "tcp/syncookie.h"
#include "tcp/rexmit.h"
#include "tcp/timers.h"
#include "wire/ipv4.h"

/* 3.10.7.4 first: the four cases of segment acceptability (len: its text; seglen: its
 * sequence space, SYN and FIN counted). */
static bool acceptable(const struct sk_tcb *tcb, uint32_t seq, uint32_t len, uint32_t seglen,
                       uint32_t wnd, uint8_t flags)
{
    uint32_t nxt = tcb->rcv_nxt;
    bool rst = (flags & SYNACK_RST) != 0;
    /* A retransmission ending exactly at RCV.NXT (text we hold, the peer missed our ACK of
     * it) is taken for its ACK field, its text trimmed and D-SACKed, as Linux's tcp_sequence
     * takes any segment ending at or past RCV.WUP: when both sides retransmit into small
     * windows, each one's pure ACKs carry a SEQ the other already passed, and this is what
     * still tells each that its data arrived (stress seed 63038: both timed out). */
    if (len > 0 && !(flags & (SYNACK_SYN | SYNACK_RST)) && seq_lt(seq, nxt) && seq + seglen == nxt)
        return true;
    /* A segment without text exactly at the right edge is taken too, as Linux's
     * tcp_sequence does (!after(seq, rcv_nxt + window)): a peer whose data filled our window
     * sends its ACKs with SEQ = SND.NXT = that edge (Linux tcp_acceptable_seq), and the
     * strict RFC test would drop them, window updates with them, and stall. Not a RST:
     * RFC 5961 3.2 wants SEG.SEQ < RCV.NXT+RCV.WND for it, and one at the edge is dropped
     * unanswered (as Linux's tcp_check_req in SYN-RECEIVED, whose window is smaller by its
     * MSS rounding; freebsd-net/tcp-testsuite rcv-rst-*-syn-rcvd-via-listen-outside-right). */
    if (seglen == 0) return wnd == 0 ? seq == nxt : seq_in(seq, nxt, nxt + wnd + (rst ? 0 : 1));
    if (wnd == 0) return false;
    return seq_in(seq, nxt, nxt + wnd) || seq_in(seq + seglen - 1, nxt, nxt + wnd);
}

/* 3.10.7.4 second: RST. RFC 5961 3.2: exactly RCV.NXT resets, elsewhere in the window
 * draws a challenge ACK. */
static void take_rst(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_segment *seg,
                     uint32_t seq)
{
    if (seq != tcb->rcv_nxt) {
        sk_drop(eng, SYNACK_CTR_TCP_RST_IGNORED, seg);
        sk_tcp_send_challenge_ack(eng, tcb);
        return;
    }
    switch (tcb->state) {
    case SYNACK_SYN_RECEIVED:
        /* Passive: back to LISTEN, i.e. the half-open child goes away quietly. Active
         * (simultaneous open): connection refused. A Fast Open child (RFC 7413 4.3) is
         * already the application's: reset, as Linux tcp_reset in SYN-RECV. */
        sk_tcp_close_with(eng, tcb,
                          tcb->tfo_passive ? -ECONNRESET
                          : tcb->passive   ? 0
                                           : -ECONNREFUSED);
        break;
    case SYNACK_CLOSE_WAIT:
        /* The error the application sees is the API's choice (RFC 9293 only says "reset");
         * as Linux's tcp_reset: EPIPE in CLOSE-WAIT (the peer had finished sending),
         * ECONNRESET in every other state a socket can be in. */
        sk_tcp_close_with(eng, tcb, -EPIPE);
        break;
    case SYNACK_ESTABLISHED:
    case SYNACK_FIN_WAIT_1:
    case SYNACK_FIN_WAIT_2:
    case SYNACK_CLOSING:
    case SYNACK_LAST_ACK:
        /* Linux tcp_reset, default case: CLOSING and LAST-ACK report ECONNRESET too (a
         * descriptor may still be open after shutdown); RFC 9293 just closes. */
        sk_tcp_close_with(eng, tcb, -ECONNRESET);
        break;
    default: /* TIME-WAIT: just close (Linux: the socket had left for a timewait sock) */
        if (eng->cfg.rfc1337) {
            /* RFC 1337 (TIME-WAIT assassination hazards): a RST leaves TIME-WAIT alone. */
            sk_drop(eng, SYNACK_CTR_TCP_RST_IGNORED, seg);
            break;
        }
        sk_tcp_close_with(eng, tcb, 0);
        break;
    }
}

/* SYN-RECEIVED: the ACK of our SYN-ACK completes the handshake (3.10.7.4 fifth). */
static bool complete_handshake(struct sk_engine *eng, struct sk_tcb *tcb,
                               const struct sk_segment *seg)
{
    uint32_t ack = seg->h.ack;
    if (!(seq_lt(tcb->snd_una, ack) && seq_leq(ack, tcb->snd_max))) {
        struct sk_tcb *l = tcb->listener;
        if (tcb->passive && l && sk_tcp_cookie_matches(eng, l, seg)) {
            /* A duplicate SYN made this half-open after the first copy was answered with a
             * cookie, and the peer took the cookie: the half-open goes and the listener
             * makes the connection from the cookie (as Linux's tcp_check_req hands such an
             * ACK back to the listener). */
            sk_tcp_close_with(eng, tcb, 0);
            sk_tcp_cookie_ack(eng, l, seg);
            return false;
        }
        sk_drop(eng, SYNACK_CTR_TCP_HANDSHAKE_BAD_ACK, seg);
        sk_tcp_send_reset_for(eng, seg); /* <SEQ=SEG.ACK><CTL=RST> */
        return false;
    }
    sk_tcp_syn_acked(eng, tcb);
    /* SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK (scaled: not a SYN). */
    tcb->snd_wnd = (uint32_t)seg->h.window << tcb->snd_wscale;
    tcb->max_snd_wnd = tcb->snd_wnd;
    tcb->snd_wl1 = seg->h.seq;
    tcb->snd_wl2 = ack;
    tcb->snd_edge = ack + tcb->snd_wnd;
    sk_tcp_set_state(eng, tcb, SYNACK_ESTABLISHED);
    if (tcb->passive) eng->hooks.established(eng, tcb);
    return true;
}

/* Data for a connection the application closed: Linux (tcp_rcv_state_process) resets it,
 * since nobody will ever read it (RFC 9293 3.10.4, RFC 1122 4.2.2.13). The RST answers the
 * segment, <SEQ=SEG.ACK><CTL=RST>, as Linux's tcp_v4_send_reset does there: SEG.ACK is the
 * peer's RCV.NXT exactly, so the RST is taken even while our FIN is unacknowledged (with
 * SND.NXT it would draw a challenge ACK, RFC 5961 3.2). */
static bool orphan_gets_data(struct sk_engine *eng, struct sk_tcb *tcb,
                             const struct sk_segment *seg, uint32_t len)
{
    if (tcb->fd >= 0 || len == 0) return false;
    if (tcb->state != SYNACK_FIN_WAIT_1 && tcb->state != SYNACK_FIN_WAIT_2) return false;
    sk_tcp_send_reset_for(eng, seg);
    sk_tcp_close_with(eng, tcb, -ECONNRESET);
    return true;
}

void sk_tcp_input_synchronized(struct sk_engine *eng, struct sk_tcb *tcb,
                               const struct sk_segment *seg)
{
    uint8_t flags = seg->h.flags;
    uint32_t seq = seg->h.seq;
    const uint8_t *data = seg->payload;
    bool owe_ack = false; /* an ACK this segment calls for once it is taken */
    uint32_t dup_len = 0; /* octets before RCV.NXT trimmed off it: a duplicate */
    uint32_t len = seg->len;

    if (tcb->state == SYNACK_SYN_RECEIVED && (flags & SYNACK_SYN) && !(flags & SYNACK_RST)) {
        if (!(flags & SYNACK_ACK) && seq == tcb->irs) {
            /* The peer retransmitted its SYN: our SYN-ACK was lost; resend it now (Linux
             * tcp_check_req / inet_rtx_syn_ack). */
            sk_tcp_retransmit_head(eng, tcb);
            return;
        }
        if ((flags & SYNACK_ACK) && seq + 1 == tcb->rcv_nxt && seg->h.ack == tcb->snd_max) {
            /* Simultaneous open: the peer's SYN-ACK acknowledges our SYN; take it as the
             * ACK (Linux tcp_validate_incoming does the same). */
            flags &= (uint8_t)~SYNACK_SYN;
            seq++;
            owe_ack = true; /* Linux answers it as a retransmission: ACK at once */
            dup_len = 1;    /* ... reporting its SYN as a duplicate (D-SACK, RFC 2883) */
        }
    }

    const struct sk_tcp_options *opt = &seg->h.opts;
    if (tcb->ts_ok && opt->has_timestamp && !(flags & SYNACK_RST) &&
        seq_lt(opt->ts_val, tcb->ts_recent)) {
        /* RFC 7323 5.3 R1 (PAWS): an older timestamp than TS.Recent: not acceptable, ACK and
         * drop. RSTs are exempt. */
        sk_drop(eng, SYNACK_CTR_TCP_PAWS, seg);
        sk_tcp_answer_unacceptable(eng, tcb, seg, SYNACK_CTR_TCP_ACK_SKIPPED_PAWS);
        return;
    }

    uint32_t seglen = len + !!(flags & SYNACK_SYN) + !!(flags & SYNACK_FIN);
    uint32_t wnd = sk_tcp_offered_window(tcb);
    if (tcb->state == SYNACK_TIME_WAIT && !(flags & (SYNACK_RST | SYNACK_SYN))) {
        /* RFC 9293 3.10.7.4 leaves TIME-WAIT's answers to in-window segments open; as Linux
         * (tcp_timewait_state_process): an ACK restarts 2 MSL; only a bare ACK at RCV.NXT is
         * taken silently; any other segment, an ACK at RCV.NXT+1 as much as a retransmitted
         * FIN, is answered with an ACK (rate-limited unless it carries data). */
        if (flags & SYNACK_ACK) tcb->close_at = eng->now + 2 * eng->cfg.msl;
        if (!(seq == tcb->rcv_nxt && seglen == 0)) {
            bool old = seq_lt(seq, tcb->rcv_nxt);
            sk_drop(eng, old ? SYNACK_CTR_TCP_DUPLICATE : SYNACK_CTR_TCP_OUT_OF_WINDOW, seg);
            sk_tcp_answer_unacceptable(eng, tcb, seg, SYNACK_CTR_TCP_ACK_SKIPPED_SEQ);
            return;
        }
    }
    if (!acceptable(tcb, seq, len, seglen, wnd, flags)) {
        /* RCV.WND zero: still take the ACK (and RST) of a segment at RCV.NXT, drop its
         * text (3.10.7.4 first, "special allowance"). A bare FIN there is taken, as Linux
         * does (tcp_data_queue): it needs no buffer space, and a peer that closes into a
         * zero window would otherwise retransmit it until the application reads. */
        if (wnd == 0 && seq == tcb->rcv_nxt) {
            if (len > 0) flags &= (uint8_t)~SYNACK_FIN;
            len = 0;
            seglen = !!(flags & SYNACK_SYN) + !!(flags & SYNACK_FIN);
            owe_ack = true;
        } else {
            if (flags & SYNACK_RST) {
                sk_drop(eng, SYNACK_CTR_TCP_RST_IGNORED, seg);
                return;
            }
            /* "If the RCV.WND is zero, no segments will be acceptable, but special
             * allowance should be made to accept valid ACKs": a bare ACK of new data, or
             * one that moves the peer's window, is taken though its sequence number misses
             * our zero window. Its sender guessed RCV.NXT from what it sent (data of its we
             * dropped) or from what we acknowledged (ACKs of ours it lost), and with the
             * window closed nothing but SEQ = RCV.NXT fits; dropping its news would leave
             * both ends waiting on each other (stress seeds 15100, 3499, 51184). The segment
             * is still answered. */
            uint32_t peer_wnd = (uint32_t)seg->h.window << tcb->snd_wscale;
            bool news = seq_lt(tcb->snd_una, seg->h.ack) ||
                        (seg->h.ack == tcb->snd_una && peer_wnd != tcb->snd_wnd);
            bool took = wnd == 0 && seglen == 0 && (flags & SYNACK_ACK) && !(flags & SYNACK_SYN) &&
                        news && seq_leq(seg->h.ack, tcb->snd_max) &&
                        tcb->state != SYNACK_SYN_RECEIVED;
            /* Taken as if it came at RCV.NXT, the one place a bare ACK fits in a zero
             * window: SND.WL1 must not move past it, or the window updates of ACKs sent
             * at RCV.NXT would look old (RFC 9293 3.10.7.4 fifth; stress seed 16933). */
            if (took && !sk_tcp_take_ack(eng, tcb, seg, tcb->rcv_nxt, 0)) return;
            /* Wholly old data is a duplicate (the peer missed our ACK); else the segment
             * is outside the window. Both are answered with an ACK, rate-limited unless it
             * carries data (answer.c); a SYN anywhere draws a challenge ACK (RFC 5961 4.2). */
            bool old = seglen > 0 && seq_leq(seq + seglen, tcb->rcv_nxt);
            sk_drop(eng, old ? SYNACK_CTR_TCP_DUPLICATE : SYNACK_CTR_TCP_OUT_OF_WINDOW, seg);
            /* RFC 2883 4, Linux tcp_send_dupack: report the duplicate (its FIN included). */
            if (old && !(flags & SYNACK_SYN)) sk_tcp_note_dsack(tcb, seq, seq + seglen);
            if (tcb->state == SYNACK_TIME_WAIT && (flags & SYNACK_FIN))
                tcb->close_at = eng->now + 2 * eng->cfg.msl; /* re-ACK and restart 2 MSL */
            if (flags & SYNACK_SYN)
                sk_tcp_send_challenge_ack(eng, tcb);
            else
                sk_tcp_answer_unacceptable(eng, tcb, seg, SYNACK_CTR_TCP_ACK_SKIPPED_SEQ);
            if (took) sk_tcp_output(eng, tcb); /* what the ACK let go */
            return;
        }
    }

    /* Trim what precedes RCV.NXT (duplicates) and what lies past the window. */
    if (seq_lt(seq, tcb->rcv_nxt)) {
        uint32_t drop = tcb->rcv_nxt - seq;
        if (flags & SYNACK_SYN) {
            flags &= (uint8_t)~SYNACK_SYN;
            seq++;
            drop--;
        }
        uint32_t d = drop < len ? drop : len;
        data += d;
        len -= d;
        seq += d;
        if (drop > d) flags &= (uint8_t)~SYNACK_FIN; /* a FIN we already took */
        if (d > 0) {
            sk_count(eng, SYNACK_CTR_TCP_DUPLICATE);
            owe_ack = true; /* RFC 5681 4.2: ACK duplicates at once */
            dup_len = d;    /* D-SACKed once the segment is taken */
        }
    }
    /* RFC 9293 3.10.7.4: what lies past the window is cut (a FIN there with it) and an ACK
     * tells the peer where the window ends. */
    uint32_t limit = sk_tcp_rcv_room(tcb);
    uint32_t off = seq - tcb->rcv_nxt;
    if (off + len > limit) {
        len = off < limit ? limit - off : 0;
        flags &= (uint8_t)~SYNACK_FIN;
        owe_ack = true;
    }

    if (flags & SYNACK_RST) {
        take_rst(eng, tcb, seg, seq);
        return;
    }
    if (flags & SYNACK_SYN) {
        /* Fourth: a SYN in the window. RFC 5961 4.2: challenge ACK, drop. */
        sk_tcp_send_challenge_ack(eng, tcb);
        return;
    }
    if (!(flags & SYNACK_ACK)) {
        sk_drop(eng, SYNACK_CTR_TCP_BAD_ACK, seg);
        return; /* fifth: no ACK bit: drop */
    }
    if (tcb->state == SYNACK_SYN_RECEIVED && !complete_handshake(eng, tcb, seg)) return;
    if (!sk_tcp_take_ack(eng, tcb, seg, seq, seglen)) return;
    /* An ACK the trimming above owes is sent only for a segment that got this far: a
     * segment dropped on the way (no ACK bit, a bad ACK, a challenge) has had its answer. */
    if (owe_ack) tcb->ack_now = true;
    /* RFC 2883 4, Linux tcp_data_queue: D-SACK the part already received. */
    if (dup_len) sk_tcp_note_dsack(tcb, seq - dup_len, seq);
    /* RFC 7323 4.3 (R3): remember the timestamp to echo. Only once the ACK was found valid:
     * a segment dropped for its ACK must not move TS.Recent (as Linux). */
    if (tcb->ts_ok && opt->has_timestamp && seq_geq(opt->ts_val, tcb->ts_recent) &&
        seq_leq(seg->h.seq, tcb->last_ack_sent))
        tcb->ts_recent = opt->ts_val;
    if (tcb->ecn_ok) {
        /* RFC 3168 6.1.3: the peer's CWR ends our ECE; a CE mark (re)starts it, and is
         * acknowledged at once (Linux leaves delayed ACK for it, tcp_ecn_check_ce). */
        if (flags & SYNACK_CWR) tcb->ece_pending = false;
        if (seg->ecn == SK_IP_CE) {
            tcb->ece_pending = true;
            tcb->ack_now = true;
        }
    }
    if (orphan_gets_data(eng, tcb, seg, len)) return;
    /* Seventh and eighth: text and FIN, in the states that still receive. */
    if (tcb->state == SYNACK_ESTABLISHED || tcb->state == SYNACK_FIN_WAIT_1 ||
        tcb->state == SYNACK_FIN_WAIT_2) {
        if (len > 0 || (flags & SYNACK_FIN))
            sk_tcp_take_text(eng, tcb, seq, data, len, (flags & SYNACK_FIN) != 0);
        if (len > 0) sk_tcp_rcv_rtt_measure(eng, tcb, opt->has_timestamp ? opt->ts_ecr : 0, len);
    } else if (len > 0 || (flags & SYNACK_FIN)) {
        tcb->ack_now = true; /* CLOSE-WAIT and later: the FIN came already; re-ACK */
    }
    if (tcb->state == SYNACK_CLOSED) return;
    if (eng->defer_output && eng->hooks.want_output)
        eng->hooks.want_output(eng, tcb); /* one ACK for the batch */
    else
        sk_tcp_output(eng, tcb);
}
