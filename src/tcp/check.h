/* The control block's invariants, checked after every input and poll in debug builds
 * (compiled with -DSYNACK_CHECK_INVARIANTS, as the sanitizer run of `make test` is). */
#ifndef SK_TCP_CHECK_H
#define SK_TCP_CHECK_H

#include "tcp/engine.h"

#ifdef SYNACK_CHECK_INVARIANTS
/* Aborts with a message naming the broken invariant and the connection's variables. */
void sk_tcp_check(const struct sk_engine *eng, const struct sk_tcb *tcb);
#else
static inline void sk_tcp_check(const struct sk_engine *eng, const struct sk_tcb *tcb)
{
    (void)eng;
    (void)tcb;
}
#endif

#endif
