/* SPDX-License-Identifier: MIT */
/* CUBIC (RFC 9438), Linux's default: after a loss the window follows a cubic curve of the
 * time since, W_cubic(t) = C (t - K)^3 + W_max, flat near the window where the loss
 * happened and probing fast away from it; never slower than Reno would be (the
 * Reno-friendly region). Windows in bytes, the curve in segments and seconds as the RFC. */
#include "tcp/cc.h"
#include "tcp/hystart.h"

#define CWND_CAP (UINT32_MAX / 4)
#define CUBIC_C 0.4    /* RFC 9438 4.1 */
#define CUBIC_BETA 0.7 /* RFC 9438 4.6: the multiplicative decrease */

/* Cube root of x >= 0 by Newton's method from above (no libm needed). */
static double cube_root(double x)
{
    if (x <= 0) return 0;
    double y = 1;
    while (y * y * y < x)
        y *= 2;
    for (int i = 0; i < 64; i++) {
        double next = (2 * y + x / (y * y)) / 3;
        if (next >= y) break;
        y = next;
    }
    return y;
}

static void cubic_init(struct sk_tcb *tcb)
{
    tcb->cubic.epoch = 0;
    tcb->cubic.w_max = 0;
    tcb->cubic.origin = 0;
    tcb->cubic.w_est = 0;
    tcb->cubic.k_us = 0;
    tcb->cubic.cwnd_prior = 0;
    sk_hystart_reset(tcb);
}

/* W_cubic(t) in bytes (RFC 9438 equation 1), t in seconds since the epoch began. */
static double w_cubic(const struct sk_tcb *tcb, double t)
{
    double d = t - (double)tcb->cubic.k_us / 1e6;
    return (double)tcb->cubic.origin + CUBIC_C * d * d * d * tcb->snd_mss;
}

static void cubic_grow(const struct sk_engine *eng, struct sk_tcb *tcb, uint32_t acked)
{
    if (tcb->cwnd < tcb->ssthresh) {
        acked = sk_hystart_slow_start(tcb, acked); /* RFC 9406 */
        if (acked == 0 || tcb->cwnd < tcb->ssthresh) return;
    }
    uint32_t mss = tcb->snd_mss;
    if (tcb->cubic.epoch == 0) {
        /* RFC 9438 4.2: a new epoch; K (equation 2) is the time the curve takes from
         * cwnd_epoch back to W_max. Above W_max (no loss yet) the curve starts here. */
        tcb->cubic.epoch = eng->now ? eng->now : 1;
        if (tcb->cwnd < tcb->cubic.w_max) {
            double k = cube_root((double)(tcb->cubic.w_max - tcb->cwnd) / mss / CUBIC_C);
            tcb->cubic.k_us = (uint32_t)(k * 1e6);
            tcb->cubic.origin = tcb->cubic.w_max;
        } else {
            tcb->cubic.k_us = 0;
            tcb->cubic.origin = tcb->cwnd;
        }
        tcb->cubic.w_est = tcb->cwnd;
    }
    double t = (double)(eng->now - tcb->cubic.epoch) / 1e9;
    double rtt = tcb->rtt.has_sample ? (double)tcb->rtt.srtt / 1e9 : 0;
    /* RFC 9438 4.3: the Reno-friendly estimate grows by alpha per round trip; alpha =
     * 3 (1 - beta) / (1 + beta) until it reaches the window before the loss, then 1. */
    double alpha =
        tcb->cubic.w_est >= tcb->cubic.cwnd_prior ? 1.0 : 3.0 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA);
    double est = tcb->cubic.w_est + alpha * acked * mss / tcb->cwnd;
    tcb->cubic.w_est = est > CWND_CAP ? CWND_CAP : (uint32_t)est;
    double cwnd = tcb->cwnd;
    if (w_cubic(tcb, t) < tcb->cubic.w_est) {
        cwnd = tcb->cubic.w_est > tcb->cwnd ? tcb->cubic.w_est : tcb->cwnd;
    } else {
        /* RFC 9438 4.4 / 4.5: toward W_cubic(t + RTT), at most 1.5 cwnd, by
         * (target - cwnd) / cwnd per segment acknowledged. */
        double target = w_cubic(tcb, t + rtt);
        if (target < cwnd) target = cwnd;
        if (target > 1.5 * cwnd) target = 1.5 * cwnd;
        cwnd += (target - cwnd) * acked / cwnd;
    }
    tcb->cwnd = cwnd > CWND_CAP ? CWND_CAP : (uint32_t)cwnd;
}

static uint32_t cubic_on_loss(const struct sk_engine *eng, struct sk_tcb *tcb)
{
    (void)eng;
    uint32_t cwnd = tcb->cwnd;
    /* RFC 9438 4.7 fast convergence: a loss below the last W_max means less room; give
     * some up. */
    if (cwnd < tcb->cubic.w_max)
        tcb->cubic.w_max = (uint32_t)(cwnd * (1 + CUBIC_BETA) / 2);
    else
        tcb->cubic.w_max = cwnd;
    tcb->cubic.cwnd_prior = cwnd;
    tcb->cubic.epoch = 0;
    sk_hystart_reset(tcb); /* a slow start after a timeout begins anew */
    /* RFC 9438 4.6: ssthresh = cwnd * beta_cubic, at least 2 segments (Linux). */
    uint32_t ss = (uint32_t)(cwnd * CUBIC_BETA);
    uint32_t floor = 2u * tcb->snd_mss;
    return ss > floor ? ss : floor;
}

const struct sk_cc_algo sk_cc_cubic = {"cubic", cubic_init, cubic_grow, cubic_on_loss};
