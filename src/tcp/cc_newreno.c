/* SPDX-License-Identifier: MIT */
/* NewReno's window (RFC 5681 3.1): slow start, then about one SMSS per round trip; a loss
 * halves the flight (Linux "reno"). */
#include "tcp/cc.h"
#include "tcp/output.h"

#define CWND_CAP (UINT32_MAX / 4)

static void newreno_init(struct sk_tcb *tcb)
{
    (void)tcb;
}

static void newreno_grow(const struct sk_engine *eng, struct sk_tcb *tcb, uint32_t acked)
{
    (void)eng;
    if (tcb->cwnd < tcb->ssthresh && sk_cc_slow_start(tcb, acked) == 0) return;
    /* Congestion avoidance: RFC 5681 equation (3). */
    uint32_t inc = (uint32_t)((uint64_t)tcb->snd_mss * tcb->snd_mss / tcb->cwnd);
    tcb->cwnd += inc > 0 ? inc : 1;
    if (tcb->cwnd > CWND_CAP) tcb->cwnd = CWND_CAP;
}

static uint32_t newreno_on_loss(const struct sk_engine *eng, struct sk_tcb *tcb)
{
    (void)eng;
    /* RFC 5681 equation (4): ssthresh = max(FlightSize / 2, 2 * SMSS). */
    uint32_t half = sk_tcp_in_flight(tcb) / 2;
    uint32_t floor = 2u * tcb->snd_mss;
    return half > floor ? half : floor;
}

const struct sk_cc_algo sk_cc_newreno = {"reno", newreno_init, newreno_grow, newreno_on_loss};
