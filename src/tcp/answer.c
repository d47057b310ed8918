/* SPDX-License-Identifier: MIT */
#include "tcp/answer.h"

#include "tcp/isn.h"
#include "tcp/output.h"
#include "tcp/seq.h"

/* The per-connection clock shared by every kind of answer (Linux last_oow_ack_time). */
static bool connection_limited(struct sk_engine *eng, struct sk_tcb *tcb)
{
    if (tcb->oow_answered && eng->now - tcb->last_oow_answer < eng->cfg.challenge_ack_interval)
        return true;
    tcb->oow_answered = true;
    tcb->last_oow_answer = eng->now;
    return false;
}

/* Could a correct peer have sent this? Its data lies within one receive buffer of RCV.NXT
 * (the window we offer never exceeds the buffer): a retransmission whose ACK we lost, or a
 * probe. Random sequence numbers, a blind attacker's, almost never do. */
static bool plausible(const struct sk_tcb *tcb, const struct sk_segment *seg)
{
    uint32_t span = tcb->rcvbuf.cap ? tcb->rcvbuf.cap : 65535u << tcb->rcv_wscale;
    uint32_t seq = seg->h.seq, end = seq + seg->len;
    return seq_geq(end, tcb->rcv_nxt - span) && seq_leq(seq, tcb->rcv_nxt + span);
}

void sk_tcp_answer_unacceptable(struct sk_engine *eng, struct sk_tcb *tcb,
                                const struct sk_segment *seg, enum synack_counter skipped)
{
    /* Linux (tcp_oow_rate_limited) answers every segment with data at once; here only those
     * a correct peer could send, so a flood of blind spoofed segments draws answers at the
     * rate limit, not one each, while a duplicate whose ACK was lost is still ACKed at once. */
    bool data = seg->len > 0 || (seg->h.flags & SYNACK_FIN);
    if (!data || (seg->h.flags & SYNACK_SYN) || !plausible(tcb, seg)) {
        if (connection_limited(eng, tcb)) {
            sk_count(eng, skipped);
            return;
        }
    }
    sk_why(eng, SYNACK_CAUSE_ANSWER, 0);
    sk_tcp_send_ack(eng, tcb);
    sk_why(eng, SYNACK_CAUSE_NONE, 0);
}

/* The stack-wide budget of this second: as Linux before 6.0 made it optional, a random
 * count in [limit / 2, limit * 3 / 2) so that the limit can't serve as a side channel
 * (CVE-2016-5696); the randomness is a keyed hash of the second, not a clock or RNG call. */
static bool global_limited(struct sk_engine *eng)
{
    unsigned limit = eng->cfg.challenge_ack_limit;
    if (limit == 0) return false;
    uint64_t second = eng->now / SYNACK_SEC(1);
    if (!eng->challenge_budget_set || second != eng->challenge_second) {
        uint8_t b[8];
        for (int i = 0; i < 8; i++)
            b[i] = (uint8_t)(second >> (8 * i));
        unsigned half = (limit + 1) / 2;
        eng->challenge_second = second;
        eng->challenge_budget = half + (unsigned)(sk_siphash(eng->cfg.secret, b, 8) % limit);
        eng->challenge_budget_set = true;
    }
    if (eng->challenge_budget == 0) return true;
    eng->challenge_budget--;
    return false;
}

void sk_tcp_send_challenge_ack(struct sk_engine *eng, struct sk_tcb *tcb)
{
    if (connection_limited(eng, tcb)) {
        sk_count(eng, SYNACK_CTR_TCP_CHALLENGE_LIMITED);
        return;
    }
    if (global_limited(eng)) {
        sk_count(eng, SYNACK_CTR_TCP_CHALLENGE_GLOBAL_LIMITED);
        return;
    }
    sk_count(eng, SYNACK_CTR_TCP_CHALLENGE_ACK);
    sk_why(eng, SYNACK_CAUSE_CHALLENGE_ACK, 0);
    sk_tcp_send_ack(eng, tcb);
    sk_why(eng, SYNACK_CAUSE_NONE, 0);
}
