/* SPDX-License-Identifier: MIT */
/* The stack's TIME-WAIT records (tcp/timewait.h): a hash by 4-tuple and a list in order of
 * expiry (every record lasts 2 MSL from its last restart, so appending keeps the order). */
#ifndef SK_STACK_TW_H
#define SK_STACK_TW_H

#include "tcp/timewait.h"

struct synack_stack;

struct sk_tw_table {
    struct sk_tw **buckets; /* as many as the connection hash */
    struct sk_tw *oldest, *newest;
    unsigned count;
};

/* tcb is in TIME-WAIT with no application and no unread data: it becomes a record and the
 * control block goes (at the end of the call). Nothing happens if memory is short. */
void sk_tw_convert(struct synack_stack *s, struct sk_tcb *tcb);
struct sk_tw *sk_tw_lookup(const struct synack_stack *s, const struct synack_endpoint *local,
                           const struct synack_endpoint *remote);
/* After input: the record's expiry may have moved later; keeps the list in order. */
void sk_tw_requeue(struct synack_stack *s, struct sk_tw *tw);
/* Removes and frees a record (its port is given back). */
void sk_tw_remove(struct synack_stack *s, struct sk_tw *tw);
/* Ends every record whose 2 MSL are over at now. O(expired). */
void sk_tw_expire(struct synack_stack *s, synack_time_t now);
/* When the oldest record expires; SYNACK_TIME_NEVER if none. */
synack_time_t sk_tw_earliest(const struct synack_stack *s);
void sk_tw_free_all(struct synack_stack *s);

#endif
