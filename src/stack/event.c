/* SPDX-License-Identifier: MIT */
/* The event layer's hooks (stack_impl.h). */
#include "stack/stack_impl.h"

void sk_event_touched(struct synack_stack *s, struct sk_tcb *tcb)
{
    (void)s;
    (void)tcb;
}

void sk_event_forget(struct synack_stack *s, int fd)
{
    (void)s;
    (void)fd;
}
