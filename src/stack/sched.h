/* SPDX-License-Identifier: MIT */
/* The stack's work lists, so that no call walks every connection: a heap of connections by
 * their earliest timer, the connections socket calls left output for, and the connections a
 * call touched (whose timers, readiness and invariants are settled at its end). */
#ifndef SK_STACK_SCHED_H
#define SK_STACK_SCHED_H

#include "tcp/tcb.h"

struct synack_stack;

struct sk_timer_slot {
    synack_time_t key; /* the connection's earliest deadline */
    struct sk_tcb *tcb;
};

struct sk_sched {
    struct sk_timer_slot *heap; /* binary min-heap on key */
    unsigned len, cap;
    struct sk_tcb *touched; /* linked by touch_next */
    struct sk_tcb *output;  /* linked by out_next: socket calls queued output */
};

/* tcb changed during this call: settle it at the end (timer heap, events, checks). */
void sk_sched_touch(struct synack_stack *s, struct sk_tcb *tcb);
/* A socket call queued something for tcb to send: the next poll runs its output. */
void sk_sched_want_output(struct synack_stack *s, struct sk_tcb *tcb);
/* sk_sched_touch + sk_sched_settle: for socket calls that move a timer. */
void sk_sched_update(struct synack_stack *s, struct sk_tcb *tcb);
/* Re-keys every touched connection in the timer heap (dead ones leave it) and tells the
 * event layer. O(touched * log n). */
void sk_sched_settle(struct synack_stack *s);
/* The earliest deadline of all connections, O(1); SYNACK_TIME_NEVER if none. */
synack_time_t sk_sched_earliest(const struct synack_stack *s);
/* Takes the connection with the earliest deadline off the heap if it is due at now (it is
 * touched, so settling puts it back with its next deadline); NULL if none is due. */
struct sk_tcb *sk_sched_pop_due(struct synack_stack *s, synack_time_t now);
/* Takes the list of connections with output queued (cleared). */
struct sk_tcb *sk_sched_take_output(struct synack_stack *s);
/* Forgets tcb entirely (it is being freed). */
void sk_sched_forget(struct synack_stack *s, struct sk_tcb *tcb);
void sk_sched_free(struct synack_stack *s);

#endif
