/* SPDX-License-Identifier: MIT */
#include "tcp/chrono.h"

static void account(struct sk_engine *eng, struct sk_tcb *tcb)
{
    if (tcb->chrono_type != SK_CHRONO_NONE)
        tcb->chrono_ms[tcb->chrono_type - 1] +=
            (uint32_t)((eng->now - tcb->chrono_start) / 1000000u);
}

static void switch_to(struct sk_engine *eng, struct sk_tcb *tcb, enum sk_chrono c)
{
    account(eng, tcb); /* whole milliseconds, as Linux counts jiffies */
    tcb->chrono_type = (uint8_t)c;
    tcb->chrono_start = eng->now;
}

void sk_chrono_start(struct sk_engine *eng, struct sk_tcb *tcb, enum sk_chrono c)
{
    if (c > tcb->chrono_type) switch_to(eng, tcb, c);
}

void sk_chrono_stop(struct sk_engine *eng, struct sk_tcb *tcb, enum sk_chrono c)
{
    if (c != tcb->chrono_type) return;
    bool waiting = tcb->sndbuf.len > 0 || tcb->snd_una != tcb->snd_max;
    switch_to(eng, tcb, c != SK_CHRONO_BUSY && waiting ? SK_CHRONO_BUSY : SK_CHRONO_NONE);
}

uint64_t sk_chrono_total(const struct sk_engine *eng, const struct sk_tcb *tcb, enum sk_chrono c)
{
    /* Busy time counts the limited stretches too (Linux tcp_get_info_chrono_stats). */
    int last = c == SK_CHRONO_BUSY ? SK_CHRONO_SNDBUF : (int)c;
    uint64_t t = 0;
    for (int k = (int)c; k <= last; k++) {
        t += (uint64_t)tcb->chrono_ms[k - 1] * 1000u;
        if (tcb->chrono_type == k) t += (eng->now - tcb->chrono_start) / 1000u;
    }
    return t;
}
