/* SPDX-License-Identifier: MIT */
#include "tcp/rtt.h"

void sk_rtt_init(struct sk_rtt *r, synack_time_t rto_initial)
{
    r->srtt = 0;
    r->rttvar = 0;
    r->rto = rto_initial;
    r->has_sample = false;
    r->min = 0;
}

void sk_rtt_note_min(struct sk_rtt *r, synack_time_t sample)
{
    if (sample == 0) sample = 1;
    if (r->min == 0 || sample < r->min) r->min = sample;
}

void sk_rtt_sample(struct sk_rtt *r, synack_time_t sample, synack_time_t rto_min,
                   synack_time_t rto_max)
{
    sk_rtt_note_min(r, sample);
    if (!r->has_sample) {
        /* RFC 6298 2.2: first measurement R: SRTT = R, RTTVAR = R/2. */
        r->srtt = sample;
        r->rttvar = sample / 2;
        r->has_sample = true;
    } else {
        /* RFC 6298 2.3: RTTVAR first, with the old SRTT. */
        synack_time_t diff = r->srtt > sample ? r->srtt - sample : sample - r->srtt;
        r->rttvar = (3 * r->rttvar + diff) / 4;
        r->srtt = (7 * r->srtt + sample) / 8;
    }
    /* RFC 6298 2.3 and 2.4 leave the minimum's place open: as Linux (tcp_set_rto, whose
     * rttvar is never below tcp_rto_min), the minimum bounds the variance term, so RTO is
     * at least SRTT + rto_min, not max(rto_min, SRTT + 4 RTTVAR). */
    synack_time_t var4 = 4 * r->rttvar;
    synack_time_t rto = r->srtt + (var4 > rto_min ? var4 : rto_min);
    if (rto > rto_max) /* 2.5: a maximum may be placed */
        rto = rto_max;
    r->rto = rto;
}

synack_time_t sk_rtt_backoff(const struct sk_rtt *r, unsigned backoff, synack_time_t rto_max)
{
    synack_time_t rto = r->rto;
    for (unsigned i = 0; i < backoff && rto < rto_max; i++)
        rto *= 2;
    return rto > rto_max ? rto_max : rto;
}
