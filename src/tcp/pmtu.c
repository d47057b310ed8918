/* SPDX-License-Identifier: MIT */
#include "tcp/pmtu.h"

#include "tcp/output.h"
#include "tcp/rexmit.h"
#include "tcp/timers.h"
#include "tcp/tracepoints.h"
#include "wire/ipv4.h"
#include "wire/tcp_header.h"

bool sk_tcp_mtu_reduced(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t mtu)
{
    if (tcb->state == SYNACK_LISTEN || tcb->state == SYNACK_CLOSED ||
        tcb->state == SYNACK_TIME_WAIT || tcb->pmtu_dont) /* IP_PMTUDISC_DONT: as Linux */
        return false;
    if (mtu < SK_PMTU_MIN) mtu = SK_PMTU_MIN;
    uint32_t now_mtu = tcb->pmtu ? tcb->pmtu : (uint32_t)eng->cfg.mss + 40u;
    if (mtu >= now_mtu) return false; /* RFC 1191 6.3: only a decrease is news */
    tcb->pmtu = (uint16_t)mtu;
    uint32_t mss = mtu - SK_IPV4_HDR_LEN - SK_TCP_HDR_LEN;
    /* A SYN that goes again announces what the path carries (Linux: advmss follows the
     * route's MTU). */
    if (tcb->state == SYNACK_SYN_SENT && mss < tcb->our_mss) tcb->our_mss = (uint16_t)mss;
    if (mss >= tcb->snd_mss && tcb->state != SYNACK_SYN_SENT) return false;
    if (mss < tcb->snd_mss) tcb->snd_mss = (uint16_t)mss;
    sk_count(eng, SYNACK_CTR_TCP_PMTU_REDUCED);
    if (tcb->snd_una == tcb->snd_max) return true;
    sk_why(eng, SYNACK_CAUSE_PMTU, 0);
    if (tcb->state == SYNACK_SYN_SENT || tcb->state == SYNACK_SYN_RECEIVED) {
        /* The SYN (with its data, if Fast Open) was too big: it goes again now, plain. */
        tcb->syn_retransmitted = true;
        tcb->rtt_timing = false;
        sk_tcp_retransmit_head(eng, tcb);
    } else {
        /* Everything in flight goes again from SND.UNA in the new size, within the
         * congestion window as it is (the units changed, not the congestion). */
        tcb->rtt_timing = false;
        tcb->snd_nxt = tcb->snd_una;
        sk_tcp_output(eng, tcb);
    }
    sk_why(eng, SYNACK_CAUSE_NONE, 0);
    return true;
}
