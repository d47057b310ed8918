/* SPDX-License-Identifier: MIT */
#include "tcp/hystart.h"

#include "tcp/cc.h"
#include "tcp/seq.h"

/* RFC 9406 section 4.3 constants. */
#define MIN_RTT_THRESH_US 4000u
#define MAX_RTT_THRESH_US 16000u
#define MIN_RTT_DIVISOR 8u
#define N_RTT_SAMPLE 8u
#define CSS_GROWTH_DIVISOR 4u
#define CSS_ROUNDS 5u
#define NO_RTT UINT32_MAX

void sk_hystart_reset(struct sk_tcb *tcb)
{
    tcb->hystart.last_min = tcb->hystart.cur_min = NO_RTT;
    tcb->hystart.css_baseline = NO_RTT;
    tcb->hystart.samples = 0;
    tcb->hystart.css_rounds = 0;
    tcb->hystart.in_css = false;
    tcb->hystart.window_end = tcb->snd_nxt;
}

void sk_hystart_ack(struct sk_tcb *tcb, uint32_t ack, uint32_t rtt_us)
{
    struct sk_hystart *h = &tcb->hystart;
    /* 4.2: a round ends when the data sent at its start is acknowledged; this ACK's
     * sample opens the next. */
    if (seq_geq(ack, h->window_end)) {
        h->last_min = h->cur_min;
        h->cur_min = NO_RTT;
        h->samples = 0;
        h->window_end = tcb->snd_nxt;
        if (h->in_css && ++h->css_rounds >= CSS_ROUNDS) {
            /* CSS_ROUNDS rounds in conservative slow start: congestion avoidance. */
            tcb->ssthresh = tcb->cwnd;
            h->in_css = false;
        }
    }
    if (rtt_us == NO_RTT) return;
    if (rtt_us < h->cur_min) h->cur_min = rtt_us;
    if (h->samples < 255) h->samples++;
}

uint32_t sk_hystart_slow_start(struct sk_tcb *tcb, uint32_t acked)
{
    struct sk_hystart *h = &tcb->hystart;
    if (h->in_css) {
        /* 4.2: conservative slow start grows a quarter as fast. */
        sk_cc_slow_start(tcb, acked / CSS_GROWTH_DIVISOR);
        if (h->samples >= N_RTT_SAMPLE && h->cur_min < h->css_baseline) {
            /* The RTT came back down: the increase was spurious; slow start again. */
            h->css_baseline = NO_RTT;
            h->in_css = false;
        }
        return 0;
    }
    uint32_t left = sk_cc_slow_start(tcb, acked);
    if (h->samples >= N_RTT_SAMPLE && h->cur_min != NO_RTT && h->last_min != NO_RTT) {
        uint32_t thresh = h->last_min / MIN_RTT_DIVISOR;
        if (thresh < MIN_RTT_THRESH_US) thresh = MIN_RTT_THRESH_US;
        if (thresh > MAX_RTT_THRESH_US) thresh = MAX_RTT_THRESH_US;
        if (h->cur_min >= h->last_min + thresh) {
            /* The round trip grew by RttThresh: a queue builds; conservative slow start. */
            h->css_baseline = h->cur_min;
            h->in_css = true;
            h->css_rounds = 0;
        }
    }
    return left;
}
