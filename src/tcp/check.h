/* SPDX-License-Identifier: MIT */
/* The control block's invariants, checked after every input and poll in debug builds
 * (compiled with -DSYNACK_CHECK_INVARIANTS, as the sanitizer run of `make test` is). */
#ifndef SK_TCP_CHECK_H
#define SK_TCP_CHECK_H

#include "tcp/engine.h"

#ifdef SYNACK_CHECK_INVARIANTS
/* Aborts with a message naming the broken invariant and the connection's variables.
 * settled: no socket call's output is pending (after a poll), so the timers and owed ACKs
 * must match the state; otherwise only the sequence space and buffers are checked. */
void sk_tcp_check(const struct sk_engine *eng, const struct sk_tcb *tcb, bool settled);
#else
static inline void sk_tcp_check(const struct sk_engine *eng, const struct sk_tcb *tcb, bool settled)
{
    (void)eng;
    (void)tcb;
    (void)settled;
}
#endif

#endif
